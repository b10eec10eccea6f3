"""Hyperbolic law, product law and the coverage constant (docs/claims.md, L3, L4)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from logprune.bounds import hyperbolic as hy
from logprune.bounds import sampling
from logprune.bounds import symbols as sym
from logprune.errors import ParameterError

from helpers import assert_encloses

supports = st.tuples(
    st.fractions(min_value=Fraction(1, 10**4), max_value=Fraction(1), max_denominator=10**4),
    st.fractions(min_value=Fraction(11, 10), max_value=Fraction(10**3), max_denominator=100),
).map(lambda ab: (ab[0], ab[0] * ab[1] * 2))


@given(supports, st.floats(0, 1))
def test_magnitude_cdf_matches_scipy_loguniform(ab: tuple[Fraction, Fraction], t: float) -> None:
    a, b = ab
    x = float(a) * (float(b) / float(a)) ** t
    expr = hy.magnitude_cdf().subs(
        {
            sym.alpha: sp.Rational(a.numerator, a.denominator),
            sym.beta: sp.Rational(b.numerator, b.denominator),
            sym.x: sp.Float(x, 30),
        }
    )
    assert float(expr) == pytest.approx(stats.loguniform(float(a), float(b)).cdf(x), rel=1e-9, abs=1e-12)


@given(supports, st.floats(0.001, 0.999), st.booleans())
def test_signed_cdf_and_density_match_scipy(ab: tuple[Fraction, Fraction], t: float, positive: bool) -> None:
    a, b = ab
    mag = float(a) * (float(b) / float(a)) ** t  # strictly inside: float rounding cannot leave the support
    w = mag if positive else -mag
    subs = {
        sym.alpha: sp.Rational(a.numerator, a.denominator),
        sym.beta: sp.Rational(b.numerator, b.denominator),
        sym.w: sp.Float(w, 30),
    }
    ref = stats.loguniform(float(a), float(b))
    ref_cdf = 0.5 + 0.5 * ref.cdf(w) if w > 0 else 0.5 * ref.sf(-w)
    assert float(hy.cdf().subs(subs)) == pytest.approx(ref_cdf, rel=1e-9, abs=1e-12)
    assert float(hy.density().subs(subs)) == pytest.approx(0.5 * ref.pdf(abs(w)), rel=1e-9)


@given(supports, st.floats(0.001, 0.999))
def test_inverse_cdf_inverts_cdf_symbolically(ab: tuple[Fraction, Fraction], q: float) -> None:
    a, b = ab
    subs = {sym.alpha: sp.Rational(a.numerator, a.denominator), sym.beta: sp.Rational(b.numerator, b.denominator)}
    qq = sp.Float(q, 40)
    w = hy.inverse_cdf().subs(subs).subs(sym.q, qq)
    back = hy.cdf().subs(subs).subs(sym.w, w)
    assert float(back) == pytest.approx(q, rel=1e-12)


def test_density_integrates_to_one() -> None:
    a, b = sp.Rational(1, 1000), sp.Integer(1)
    f = hy.density().subs({sym.alpha: a, sym.beta: b})
    total = sp.integrate(f.subs(sym.w, sym.x), (sym.x, a, b)) * 2  # two symmetric halves
    assert sp.simplify(total - 1) == 0


@given(supports)
def test_segment_probability_is_log_b_over_log_range(ab: tuple[Fraction, Fraction]) -> None:
    a, b = ab
    p = hy.segment_probability(alpha=a, beta=b)
    ref = stats.loguniform(float(a), float(b))
    x = float(a) * 1.0000001
    phi = (1 + 5**0.5) / 2
    if x * phi <= float(b):
        assert float(p.decimal) == pytest.approx(ref.cdf(x * phi) - ref.cdf(x), rel=1e-7)
    assert_encloses(p, sp.N(sp.log(sp.GoldenRatio) / sp.log(sp.Rational(b / a)), 60))


def test_segment_probability_cli_example() -> None:
    p = hy.segment_probability(alpha="1e-3", beta=1)
    assert p.decimal == "0.0696625467499929"
    assert hy.segment_probability(alpha="1e-3", beta=1, signed=True).upper * 2 >= p.lower


@given(supports, st.floats(0, 1), st.floats(0, 1))
def test_product_law_matches_scipy_triang_in_log_space(ab: tuple[Fraction, Fraction], s: float, t: float) -> None:
    a, b = ab
    la, lb = float(sp.log(sp.Rational(a))), float(sp.log(sp.Rational(b)))
    lo_u = 2 * la + (s * t) * 2 * (lb - la)
    hi_u = 2 * la + s * 2 * (lb - la)
    ref = stats.triang(c=0.5, loc=2 * la, scale=2 * (lb - la))
    lo = sp.Float(np.exp(lo_u), 40)
    hi = sp.Float(np.exp(hi_u), 40)
    # exact-form API wants exact numbers: use rationals close to the float endpoints
    lo_q, hi_q = sp.nsimplify(lo, rational=True), sp.nsimplify(hi, rational=True)
    if lo_q >= hi_q:
        return
    p = hy.product_segment_probability(lo_q, hi_q, alpha=a, beta=b)
    expect = ref.cdf(float(sp.log(hi_q))) - ref.cdf(float(sp.log(lo_q)))
    assert float(p.decimal) == pytest.approx(expect, rel=1e-7, abs=1e-12)


def test_product_law_monte_carlo_clopper_pearson() -> None:
    """Sampled products land in a segment at the exact rate: the exact probability lies in the 99.99%
    Clopper-Pearson interval of 400,000 seeded draws (fails with probability 1e-4 if the law is right)."""
    rng = np.random.default_rng(20201206)
    a, b = Fraction(1, 100), Fraction(2)
    n = 400_000
    la, lb = np.log(float(a)), np.log(float(b))
    prod = np.exp(rng.uniform(la, lb, n) + rng.uniform(la, lb, n))
    lo, hi = Fraction(1, 50), Fraction(1, 30)
    k = int(np.count_nonzero((prod >= float(lo)) & (prod <= float(hi))))
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.9999, method="exact")
    p = hy.product_segment_probability(lo, hi, alpha=a, beta=b)
    assert ci.low <= float(p.lower) and float(p.upper) <= ci.high


def test_L4_coverage_optimum_is_derived() -> None:
    d = hy.derive_coverage()
    k, h = sym.k, sym.h
    assert sp.simplify(d.optimal_log_width - (k - 1) * h) == 0
    assert sp.simplify(d.optimal_segment_probability - 1 / (2 * (k - 1))) == 0
    assert sp.simplify(d.coverage - 1 / (8 * (k - 1))) == 0
    # a maximum: the second derivative is negative for every k >= 2
    assert all(d.second_derivative_at_optimum.subs({k: kv, h: sp.log(sp.GoldenRatio)}) < 0 for kv in range(2, 40))


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10, 21, 40])
def test_L4_optimal_support_attains_the_coverage(k: int) -> None:
    sup = hy.optimal_support(k_segments=k)
    cov = hy.coverage_for_support(k_segments=k, alpha=sup.alpha, beta=sup.beta)
    c = hy.coverage(k)
    assert cov.lower <= Fraction(int(c.p), int(c.q)) <= cov.upper
    assert cov.radius < Fraction(1, 10**12)
    assert hy.coverage_digest(k) <= c  # ours is at least the digest's


@pytest.mark.evidence
@given(
    st.integers(2, 25),
    st.fractions(min_value=Fraction(-3), max_value=Fraction(3), max_denominator=20),
    st.fractions(min_value=Fraction(1, 4), max_value=Fraction(3), max_denominator=20),
)
def test_L4_no_support_beats_the_optimum(k: int, shift: Fraction, stretch: Fraction) -> None:
    """Any other support (shifted centre, other log-width) has coverage <= 1/(8(k-1)), certified."""
    phi = sp.GoldenRatio
    lw = (k - 1) * sp.Rational(stretch)  # log-width in units of ln(phi)
    centre = -sp.Rational(k + 2, 2) + sp.Rational(shift)
    a, b = phi ** ((centre - lw) / 2), phi ** ((centre + lw) / 2)
    cov = hy.coverage_for_support(k_segments=k, alpha=a, beta=b)
    c = hy.coverage(k)
    assert cov.lower <= Fraction(int(c.p), int(c.q))


def test_bad_supports_are_refused() -> None:
    with pytest.raises(ParameterError, match="alpha=1, beta=1"):
        hy.segment_probability(alpha=1, beta=1)
    with pytest.raises(ParameterError, match="alpha"):
        hy.segment_probability(alpha=0, beta=1)
    with pytest.raises(ParameterError, match="base"):
        hy.segment_probability(alpha=1, beta="1.1")


# --- separate supports and designed signs (docs/claims.md, coverage) -----------------------------------


@pytest.mark.parametrize("k", [1, 2, 5, 9, 10, 21])
def test_coverage_separate_is_one_over_4k_and_at_least_the_shared_constant(k: int) -> None:
    c = hy.coverage_separate(k)
    assert c == sp.Rational(1, 4 * k)
    assert c >= hy.coverage(k) and (k <= 2) == (c == hy.coverage(k))  # 4k = 8(k-1) at k = 2
    assert hy.coverage_designed(k) == 2 * c
    assert hy.coverage_designed(k, separate=False) == 2 * hy.coverage(k)


def test_coverage_separate_refuses_k_below_one() -> None:
    with pytest.raises(ParameterError, match="k=0"):
        hy.coverage_separate(0)
    with pytest.raises(ParameterError, match="k=0"):
        hy.coverage_designed(0)


def test_coverage_optimal_supports_is_the_laws_pair() -> None:
    law = hy.optimal_supports(k_segments=9, scale="1/2")
    assert law.segment_probabilities(k=9, scale=sp.Rational(1, 2)) == [sp.Rational(1, 9)] * 9


@given(
    st.integers(1, 8),
    st.lists(st.tuples(st.integers(1, 2000), st.integers(1, 9)), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(1, 2000), st.integers(1, 9)), min_size=1, max_size=6),
)
def test_coverage_any_laws_least_half_open_segment_is_at_most_one_over_k(k: int, la: list, lb: list) -> None:  # type: ignore[type-arg]
    """The global optimum: for any (discrete) laws of |a| and |b|, min_t P(|ab| in (b^(-t-1), b^(-t)]) <= 1/k
    (exact rationals, base 3/2, scale 1; atoms may sit on the segments' ends)."""
    base = Fraction(3, 2)
    ta, tb = sum(w for _, w in la), sum(w for _, w in lb)
    probs = [Fraction(0)] * (k + 1)
    for (xa, wa), (xb, wb) in zip(la * len(lb), [y for y in lb for _ in la], strict=True):
        q = Fraction(xa, 1000) * Fraction(xb, 1000)
        for t in range(1, k + 1):
            if base ** (-t - 1) < q <= base ** (-t):
                probs[t] += Fraction(wa, ta) * Fraction(wb, tb)
    assert sum(probs) <= 1
    assert min(probs[1:]) <= Fraction(1, k)


@given(st.fractions(min_value=Fraction(1, 10**4), max_value=Fraction(1, 2), max_denominator=10**4), st.integers(0, 400))
def test_coverage_designed_two_branch_failure_never_exceeds_fair_for_even_blocks(c: Fraction, half: int) -> None:
    p = 2 * half
    designed = sampling.block_failure(c=c, size=p, signs="designed", branches=2)
    fair = sampling.block_failure(c=c, size=p, signs="iid")
    assert designed <= fair
    assert designed == sp.Rational((1 - 2 * c) ** half)
    assert sampling.block_failure(c=c, size=p, signs="designed", branches=1) == sp.Rational((1 - 2 * c) ** p)


@given(
    st.sampled_from([Fraction(1, 36), Fraction(1, 64), Fraction(1, 8), Fraction(1, 2)]),
    st.lists(st.tuples(st.integers(1, 2), st.integers(0, 10**6)), min_size=1, max_size=3),
    st.sampled_from(["iid", "designed"]),
    st.sampled_from([Fraction(1, 100), Fraction(1, 3)]),
)
def test_coverage_block_size_is_the_least_fitting_block(c: Fraction, events: list, signs: str, delta: Fraction) -> None:  # type: ignore[type-arg]
    """Reference: the union bound summed with exact Fractions, independently of bounds.sampling."""

    def total(p: int) -> Fraction:
        out = Fraction(0)
        for b, e in events:
            if signs == "iid":
                out += e * (1 - c) ** p
            else:
                out += e * (1 - 2 * c) ** (p if b == 1 else p // 2)
        return out

    p = sampling.block_size(c=c, events=events, signs=signs, delta=delta)
    assert total(p) <= delta
    assert p == 0 or total(p - 1) > delta


def test_coverage_fc2_block_sizes() -> None:
    """fc2 per weight at eps_w = 0.01, inputs >= 0: k = 9, E = 3,573,000 one-branch events, delta = 1/100:
    P = 1251 (shared support, 1/64), 700 (separate, 1/36), 345 (separate, designed 1/18)."""
    ev = (784 * 500 + 500 * 10) * 9
    assert sampling.block_size(c=hy.coverage(9), events=[(1, ev)], delta="1/100") == 1251
    assert sampling.block_size(c=hy.coverage_separate(9), events=[(1, ev)], delta="1/100") == 700
    assert sampling.block_size(c=hy.coverage_separate(9), events=[(1, ev)], signs="designed", delta="1/100") == 345
