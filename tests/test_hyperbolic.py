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
