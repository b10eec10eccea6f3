"""L3: golden-ratio decomposition (docs/claims.md, L3).

Pinned examples: base 2 (the slides' "base 2 not possible"), base 13/8 (the first simple rational just
above phi = 1.6180...), 8/5 just below it, and exact ties (scale/eps = b^n, e.g. log2(1024) = 10)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import assume, example, find, given, target
from hypothesis import strategies as st

from logprune.bounds import golden
from logprune.bounds import symbols as sym
from logprune.errors import ParameterError

ADMISSIBLE = ["phi", Fraction(3, 2), Fraction(8, 5), Fraction(5, 4), Fraction(161, 100)]


def test_L3_admissible_set_is_derived_and_ends_at_the_golden_ratio() -> None:
    d = golden.derive_admissibility()
    assert sp.simplify(d.upper_end - sp.GoldenRatio) == 0  # sympy's own constant as the reference
    b = sym.b
    assert sp.simplify(d.condition.lhs - (b - 1 / b)) == 0
    assert d.admissible_set == sp.Interval.Lopen(1, sp.GoldenRatio.expand(func=True).rewrite(sp.sqrt))


@pytest.mark.parametrize(("base", "ok"), [("phi", True), ("3/2", True), ("8/5", True), ("2", False), ("13/8", False)])
def test_L3_admissibility_decisions(base: str, ok: bool) -> None:
    a = golden.admissibility(base)
    assert a.admissible is ok
    assert ("<= 1" in a.reason) is ok
    if base == "2":
        assert "3/2 > 1" in a.reason


@st.composite
def greedy_instances(draw: st.DrawFn, bases: list) -> tuple:  # type: ignore[type-arg]
    base = draw(st.sampled_from(bases))
    scale = draw(st.fractions(min_value=Fraction(1, 100), max_value=Fraction(100), max_denominator=1000))
    k = draw(st.integers(1, 14))
    v = draw(st.fractions(min_value=0, max_value=scale, max_denominator=10**9))
    xs = []
    for i in range(1, k + 1):
        lo, hi = golden.segment_inner_rational(i, scale=scale, base=base)
        t = draw(st.fractions(min_value=0, max_value=1, max_denominator=10**6))
        xs.append(lo + (hi - lo) * t)
    return base, scale, v, xs


@given(greedy_instances(ADMISSIBLE))
def test_L3_greedy_residual_bound(inst: tuple) -> None:  # type: ignore[type-arg]
    base, scale, v, xs = inst
    for i in range(1, len(xs) + 1):  # the invariant holds after every step, not only at the end
        _, r = golden.greedy(v, xs[:i])
        assert 0 <= r
        assert golden.residual_within_bound(r, scale=scale, base=base, k_used=i)


@given(greedy_instances(["phi", Fraction(3, 2)]))
def test_L3_worst_case_hunt_approaches_but_never_exceeds_one(inst: tuple) -> None:  # type: ignore[type-arg]
    base, scale, v, xs = inst
    _, r = golden.greedy(v, xs)
    bound = float(scale) * float(sp.N(1 / golden.parse_base(base))) ** len(xs)
    target(float(r) / bound)
    assert golden.residual_within_bound(r, scale=scale, base=base, k_used=len(xs))


def test_L3_counterexample_found_for_base_2() -> None:
    """Hypothesis must find samples that break the bound for b = 2 (no hint given)."""

    def breaks(inst: tuple) -> bool:  # type: ignore[type-arg]
        _, scale, v, xs = inst
        _, r = golden.greedy(v, xs)
        return r > scale * Fraction(1, 2) ** len(xs)

    _, scale, v, xs = find(greedy_instances([Fraction(2)]), breaks)
    _, r = golden.greedy(v, xs)
    assert r > scale * Fraction(1, 2) ** len(xs)


@given(st.fractions(min_value=Fraction(1, 1), max_value=Fraction(4), max_denominator=1000).filter(lambda b: b > 1))
@example(Fraction(2))
@example(Fraction(13, 8))
@example(Fraction(8, 5))
@example(Fraction(3, 2))
def test_L3_admissible_iff_b_squared_minus_b_minus_1_is_nonpositive(b: Fraction) -> None:
    """The exact decision (b <= phi) agrees with the rational test b^2 - b - 1 <= 0."""
    assert golden.admissibility(b).admissible is (b * b - b - 1 <= 0)


@given(
    st.fractions(min_value=Fraction(1619, 1000), max_value=Fraction(4), max_denominator=1000),
    st.integers(1, 30),
    st.fractions(min_value=Fraction(1, 10), max_value=Fraction(10), max_denominator=100),
)
@example(Fraction(2), 1, Fraction(1))
@example(Fraction(2), 20, Fraction(1))
@example(Fraction(13, 8), 15, Fraction(1))
@example(Fraction(13, 8), 1, Fraction(1, 10))
def test_L3_explicit_counterexample_for_every_rational_base_above_phi(b: Fraction, k: int, scale: Fraction) -> None:
    assume(b * b - b - 1 > 0)
    v, xs = golden.counterexample(base=b, k_segments=k, scale=scale)
    assert 0 <= v <= scale
    for i, x in enumerate(xs, start=1):  # every sample lies in its segment
        assert scale * b ** (-i - 1) <= x <= scale * b ** (-i)
    _, r = golden.greedy(v, xs)
    assert r > scale * b ** (-k)


def test_L3_no_counterexample_for_admissible_base() -> None:
    with pytest.raises(ParameterError, match="admissible"):
        golden.counterexample(base="3/2", k_segments=3)


eps_values = st.fractions(min_value=Fraction(1, 10**12), max_value=Fraction(99, 100), max_denominator=10**12)


@given(
    eps_values,
    st.sampled_from(["phi", "3/2", "2", "5/4", "10"]),
    st.fractions(min_value=Fraction(1, 10), max_value=Fraction(1000), max_denominator=100),
)
@example(Fraction(1, 1024), "2", Fraction(1))  # log2(1024) = 10 exactly
@example(Fraction(1, 10), "10", Fraction(10))  # scale/eps = 100 = 10^2
@example(Fraction(1, 10**6), "13/8", Fraction(1))
def test_L3_k_exact_equals_certified_formula(eps: Fraction, base: str, scale: Fraction) -> None:
    k1 = golden.k_exact(eps=eps, scale=scale, base=base)
    k2 = golden.k_certified(eps=eps, scale=scale, base=base)
    assert k1 == k2
    # definition: least k with scale * b^-k <= eps
    b = golden.parse_base(base)
    assert sp.N(scale * b ** (-k1) - eps, 50) <= 0 or sp.simplify(scale * b ** (-k1) - eps) == 0
    if k1 > 0:
        assert sp.N(scale * b ** (-(k1 - 1)) - eps, 50) > 0


@given(st.integers(0, 60), st.sampled_from([2, 3, Fraction(3, 2)]))
@example(10, 2)  # eps = 1/1024
def test_L3_k_at_exact_powers(n: int, b: int | Fraction) -> None:
    """scale/eps = b^n exactly: the tie is decided exactly, k = n."""
    eps = Fraction(1) / Fraction(b) ** n
    assume(eps < 1)
    assert golden.k_exact(eps=eps, base=str(b)) == n
    assert golden.k_certified(eps=eps, base=str(b)) == n


@given(eps_values)
def test_L3_k_matches_float_reference_away_from_ties(eps: Fraction) -> None:
    x = math.log(1 / eps) / math.log((1 + math.sqrt(5)) / 2)
    assume(abs(x - round(x)) > 1e-9)
    assert golden.k_exact(eps=eps) == max(0, math.ceil(x))


@given(eps_values, eps_values)
def test_L3_k_is_monotone_in_eps(e1: Fraction, e2: Fraction) -> None:
    lo, hi = sorted((e1, e2))
    assert golden.k_exact(eps=lo) >= golden.k_exact(eps=hi)


@given(eps_values, st.sampled_from(["phi", "3/2"]))
def test_L3_residual_bound_is_at_most_eps(eps: Fraction, base: str) -> None:
    rb = golden.residual_bound(eps=eps, base=base)
    # certainly <= eps, or exactly equal to it (a rational base can hit eps on the nose)
    assert rb.upper <= eps or sp.simplify(rb.exact - sp.Rational(eps.numerator, eps.denominator)) == 0


def test_L3_residual_bound_is_tight_for_phi() -> None:
    """sup residual/(s·phi^-k) = 1: samples at the left ends with v just below s give ratios -> 1."""
    k = 8
    best = Fraction(0)
    for j in range(1, 7):
        v = Fraction(1) - Fraction(1, 10**j)
        xs = [golden.segment_inner_rational(i)[0] for i in range(1, k + 1)]
        _, r = golden.greedy(v, xs)
        bound = float(sp.N(sp.GoldenRatio ** (-k), 30))
        best = max(best, Fraction(float(r) / bound))
    assert best > Fraction(9, 10)
