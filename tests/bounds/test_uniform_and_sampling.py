"""Uniform law (docs/claims.md, L1, L2) and the sample complexities of L1, L2, L3."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from logprune.bounds import hyperbolic, sampling, uniform
from logprune.bounds import symbols as sym

probs = st.fractions(min_value=Fraction(1, 10**5), max_value=Fraction(1, 2), max_denominator=10**5)
deltas = st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(1, 2), max_denominator=10**6)


@given(st.floats(1e-6, 1.0))
def test_uniform_product_cdf_matches_numerical_integration(t: float) -> None:
    """P(|ab| <= t) for a, b ~ U[0,1] equals the integral of min(1, t/a) over a (numerical reference)."""
    with mpmath.workdps(30):  # tanh-sinh quadrature (scipy's quad loses 1e-6 relative here)
        ref = float(t + mpmath.quad(lambda a: t / a, [t, math.sqrt(t), 1]))  # the integrand is 1 on [0, t]
    expr = uniform.product_cdf().subs({sym.t: sp.Float(t, 30), sym.B: 1})
    assert float(expr) == pytest.approx(ref, rel=1e-8)


def test_uniform_segment_probability_is_linear_in_x() -> None:
    p = uniform.segment_probability(x="1/100", beta=1, base="3/2")
    assert p.exact == sp.Rational(1, 200)


@pytest.mark.parametrize("k", [2, 5, 10, 20, 30])
def test_uniform_coverage_is_far_below_hyperbolic(k: int) -> None:
    """The open question of the slides in one number: uniform c shrinks like phi^-k, hyperbolic like 1/k."""
    cu = uniform.coverage(k_segments=k)
    ch = hyperbolic.coverage(k)
    assert cu.upper < Fraction(int(ch.p), int(ch.q))
    if k >= 20:
        assert cu.upper * 50 < Fraction(int(ch.p), int(ch.q))


@given(probs, st.integers(1, 10**4), deltas)
def test_samples_for_confidence_is_the_least_such_N(p: Fraction, events: int, delta: Fraction) -> None:
    n = sampling.samples_for_confidence(p=p, events=events, delta=delta)
    if n <= 2000:  # small: check the definition exactly
        ok = lambda m: events * (1 - p) ** m <= delta  # noqa: E731
        assert ok(n) and (n == 0 or not ok(n - 1))
    else:  # large exact powers are costly: 50-digit logs (independent code path), both sides of the threshold
        with mpmath.workdps(50):
            log_q = mpmath.log(1 - mpmath.mpf(p.numerator) / p.denominator)
            log_target = mpmath.log(mpmath.mpf(delta.numerator) / delta.denominator / events)
            assert n * log_q <= log_target < (n - 1) * log_q
    # the slides' form is an upper bound: -ln(1-p) >= p
    assert n <= math.ceil(math.log(events / float(delta)) / float(p)) + 1


@given(
    st.fractions(min_value=-1, max_value=1, max_denominator=1000),
    st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(1, 2), max_denominator=1000),
)
def test_L1_probability_matches_scipy_uniform(w: Fraction, eps: Fraction) -> None:
    u = stats.uniform(loc=-1, scale=2)
    ref = (u.cdf(float(w + eps)) - u.cdf(float(w - eps))) * (u.cdf(1.0) - u.cdf(float(1 - eps)))
    p = sampling.L1_probability(w=w, eps=eps)
    assert float(p.decimal) == pytest.approx(ref, rel=1e-9)
    assert p.lower >= eps * eps / 4  # the worst case used by L1_samples


def test_L1_samples_scale_like_one_over_eps_squared() -> None:
    a = sampling.L1_samples(eps="0.02", delta="0.01")["samples"]
    b = sampling.L1_samples(eps="0.01", delta="0.01")["samples"]
    assert 3.9 < b / a < 4.1


@given(
    st.fractions(min_value=0, max_value=Fraction(1, 2), max_denominator=200),
    st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(1, 20), max_denominator=1000),
)
def test_L2_worst_case_is_at_an_end_of_the_range(w: Fraction, eps: Fraction) -> None:
    """The interval mass is unimodal-free (nondecreasing then nonincreasing): the reported worst case over
    [0, w_max] is below p(w) for every w in the range."""
    res = sampling.L2_samples(eps=eps, delta="0.01", w_max=Fraction(1, 2))
    pw = sampling.L2_probability_uniform(w=w, eps=eps)
    assert res["p"].lower <= pw.upper


def test_L2_monte_carlo_clopper_pearson() -> None:
    """Rate of usable samples for w = 0.3, eps = 0.02 under U[-1,1] weights, 99.99% CP interval."""
    rng = np.random.default_rng(7)
    n = 1_000_000
    a, o = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
    hits = int(np.count_nonzero((a > 0) & (np.abs(a * o - 0.3) <= 0.02)))
    ci = stats.binomtest(hits, n).proportion_ci(confidence_level=0.9999, method="exact")
    p = sampling.L2_probability_uniform(w="0.3", eps="0.02")
    assert ci.low <= float(p.lower) and float(p.upper) <= ci.high


def test_L2_hyperbolic_is_computed_with_the_triangular_law() -> None:
    p = sampling.L2_probability_hyperbolic(w="0.5", eps="0.01", alpha="1/100", beta=1)
    la = math.log(0.01)
    ref = stats.triang(c=0.5, loc=2 * la, scale=-2 * la)
    expect = (ref.cdf(math.log(0.51)) - ref.cdf(math.log(0.49))) / 4
    assert float(p.decimal) == pytest.approx(expect, rel=1e-9)


@pytest.mark.parametrize("k", [2, 5, 10])
def test_L3_samples_fill_every_segment_monte_carlo(k: int) -> None:
    """Draw the L3 sample count from the optimal support 3000 times.

    Two checks at 99.9% confidence (Clopper-Pearson): the bound is not refuted (the interval's lower
    limit is <= delta), and the exact failure probability (inclusion-exclusion over the segments, with
    the exact segment probabilities) lies in the interval, which tests the sampler and the law at once."""
    delta = Fraction(1, 20)
    n = sampling.L3_samples(k_segments=k, delta=delta)["samples"]
    sup = hyperbolic.optimal_support(k_segments=k)
    phi = (1 + 5**0.5) / 2
    seg_p = [
        float(
            hyperbolic.product_segment_probability(
                sp.GoldenRatio ** (-t - 1), sp.GoldenRatio ** (-t), alpha=sup.alpha, beta=sup.beta
            ).decimal
        )
        / 4
        for t in range(1, k + 1)
    ]
    exact_fail = 0.0
    for mask in range(1, 2**k):
        chosen = [seg_p[t] for t in range(k) if mask >> t & 1]
        exact_fail += (-1) ** (len(chosen) + 1) * (1 - sum(chosen)) ** n
    la, lb = math.log(float(sp.N(sup.alpha, 30))), math.log(float(sp.N(sup.beta, 30)))
    rng = np.random.default_rng(k)
    trials, failures = 3000, 0
    for _ in range(trials):
        a = rng.uniform(la, lb, n)
        o = rng.uniform(la, lb, n)
        sa = rng.random(n) < 0.5  # sign of a: the branch
        sab = rng.random(n) < 0.5  # sign of ab: must equal the sign of w (positive here)
        seg = np.floor(-(a + o) / math.log(phi)).astype(int)  # product in [phi^(-t-1), phi^(-t)] <-> t = seg
        ok = sa & sab & (seg >= 1) & (seg <= k)
        if len(np.unique(seg[ok])) < k:
            failures += 1
    ci = stats.binomtest(failures, trials).proportion_ci(confidence_level=0.999, method="exact")
    assert exact_fail <= float(delta)
    assert ci.low <= float(delta)
    assert ci.low <= exact_fail <= ci.high
