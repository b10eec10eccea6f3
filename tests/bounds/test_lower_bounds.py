"""The lower bounds of bounds/lower.py (docs/claims.md, counting, param-counting, entropy) against
independent computations: floats and mpmath for the reference values, exact brute force for the coverings
and the binomial sums, and the proof modules with their mutations."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise, product

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logprune.bounds.lower import (
    binomial_prefix_sum,
    counting_lower_bound,
    entropy_lower_bound,
    entropy_lower_bound_per_target_weight,
    parameter_counting_lower_bound,
)
from logprune.errors import ParameterError

DEFAULTS = {"eps": Fraction(1, 100), "delta": Fraction(1, 100)}
units = st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(999, 1000), max_denominator=1000)


def _ceil_float(x: float) -> int:
    """ceil of a float that is not within 1e-6 of an integer (the reference values are chosen so)."""
    assert abs(x - round(x)) > 1e-6
    return max(0, math.ceil(x))


# --- counting ------------------------------------------------------------------------------------------


def test_counting_reference_value_at_the_defaults() -> None:
    b = counting_lower_bound(m=100_000, w_max=Fraction(1, 10), **DEFAULTS)
    assert b.total == _ceil_float(100_000 * math.log2(10) + math.log2(0.99)) == 332193
    assert b.per_target_weight.short() == "3.32193"
    assert b.claim == "counting" and b.bound == "lower" and b.name == "counting_lower_bound"
    assert abs(float(b.real_per_target_weight.lower) - (math.log2(10) + math.log2(0.99) / 100_000)) < 1e-12


@given(a=st.integers(0, 6), b=st.integers(-3, 3), c=st.integers(1, 5), m=st.integers(1, 40))
def test_counting_ties_are_exact(a: int, b: int, c: int, m: int) -> None:
    """eps = 2^-(a+1), w_max = 2^b, 1 - delta = 2^-c: the bound m(a+1+b) - c is an integer, attained."""
    b_ = counting_lower_bound(m=m, eps=Fraction(1, 2 ** (a + 1)), delta=1 - Fraction(1, 2**c), w_max=Fraction(2) ** b)
    assert b_.total == max(0, m * (a + 1 + b) - c)


@given(
    base=st.fractions(Fraction(1, 50), Fraction(50), max_denominator=50),
    power=st.integers(0, 30),
    factor=st.fractions(Fraction(1, 50), Fraction(1), max_denominator=50),
    n=st.integers(-200, 200),
)
def test_counting_exact_tie_resolver_matches_fractions(base: Fraction, power: int, factor: Fraction, n: int) -> None:
    from logprune.bounds.lower import _power_times_le_pow2

    assert _power_times_le_pow2(base, power, factor, n) == (base**power * factor <= Fraction(2) ** n)
    # the equality path: base^power·factor = 2^c exactly
    tie = Fraction(2) ** (n // 4) * base**-power
    assert _power_times_le_pow2(base, power, tie, n // 4) is True
    assert _power_times_le_pow2(base, power, tie, n // 4 - 1) is False


@settings(max_examples=50)
@given(eps=units, delta=units, w_max=st.fractions(Fraction(1, 100), Fraction(10), max_denominator=100))
def test_counting_is_tight_in_one_dimension(eps: Fraction, delta: Fraction, w_max: Fraction) -> None:
    """m = 1: 2^N disjoint intervals of length 2 eps cover min(2 w_max, 2^N·2 eps) of [-w_max, w_max], so the
    least N covering a (1 - delta) fraction is the least N with 2^N·2 eps >= (1 - delta)·2 w_max."""
    n = 0
    while min(2 * w_max, 2**n * 2 * eps) < (1 - delta) * 2 * w_max:
        n += 1
    assert counting_lower_bound(m=1, eps=eps, delta=delta, w_max=w_max).total == n


def _union_area(squares: list[tuple[Fraction, Fraction]], side: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    """Exact area of the union of axis-parallel squares (corner, side) clipped to [lo, hi]^2."""
    xs = sorted({min(max(c, lo), hi) for x, _ in squares for c in (x, x + side)} | {lo, hi})
    ys = sorted({min(max(c, lo), hi) for _, y in squares for c in (y, y + side)} | {lo, hi})
    area = Fraction(0)
    for (x0, x1), (y0, y1) in product(pairwise(xs), pairwise(ys)):
        if any(x <= x0 and x1 <= x + side and y <= y0 and y1 <= y + side for x, y in squares):
            area += (x1 - x0) * (y1 - y0)
    return area


@settings(max_examples=60)
@given(
    centres=st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=1, max_size=8),
    eps_num=st.integers(1, 10),
    delta=units,
)
def test_counting_no_covering_beats_the_bound(centres: list[tuple[int, int]], eps_num: int, delta: Fraction) -> None:
    """m = 2, w_max = 1: K centres whose eps-squares cover a (1 - delta) fraction of [-1, 1]^2 have
    log2 K >= the bound (K <= 2^N prunings)."""
    eps = Fraction(eps_num, 20)
    squares = [(Fraction(x, 20) - eps, Fraction(y, 20) - eps) for x, y in centres]
    covered = _union_area(squares, 2 * eps, Fraction(-1), Fraction(1)) / 4
    if eps < 1 and covered >= 1 - delta:
        b = counting_lower_bound(m=2, eps=eps, delta=delta, w_max=1)
        assert 2**b.total <= 2 * len(centres)  # the least N with 2^N >= K is >= total; 2^total < 2K
        assert len(centres) >= (1 - delta) / eps**2  # the volume inequality itself, exactly


@settings(max_examples=50)
@given(eps=units, eps2=units, delta=units, delta2=units, m=st.integers(1, 10**6))
def test_counting_is_monotone_in_eps_and_delta(
    eps: Fraction, eps2: Fraction, delta: Fraction, delta2: Fraction, m: int
) -> None:
    e_lo, e_hi = sorted((eps, eps2))
    d_lo, d_hi = sorted((delta, delta2))
    assert (
        counting_lower_bound(m=m, eps=e_lo, delta=d_lo).total
        >= counting_lower_bound(m=m, eps=e_hi, delta=d_lo).total
        >= counting_lower_bound(m=m, eps=e_hi, delta=d_hi).total
    )


# --- param-counting ------------------------------------------------------------------------------------


def test_param_counting_reference_value_at_the_defaults() -> None:
    b = parameter_counting_lower_bound(d=100, **DEFAULTS)
    assert b.total == _ceil_float(10_000 * math.log2(50) + math.log2(0.99)) == 56439
    assert b.per_target_weight.short() == "5.6439"
    assert b.claim == "param-counting" and b.name == "pensia2020_lower_bound" and b.target_weights == 10_000


@given(d=st.integers(1, 300), eps=units, delta=st.fractions(Fraction(1, 1000), Fraction(1, 2), max_denominator=1000))
def test_param_counting_implies_pensia_form(d: int, eps: Fraction, delta: Fraction) -> None:
    """delta <= 1/2: N >= d^2·log2(1/(2 eps)) - 1 (the restated form), by mpmath at 50 digits."""
    mpmath.mp.dps = 50
    ref = d * d * mpmath.log(1 / (2 * mpmath.mpf(eps.numerator) / eps.denominator), 2) - 1
    assert parameter_counting_lower_bound(d=d, eps=eps, delta=delta).total >= ref


@given(
    d=st.integers(1, 50), eps=st.fractions(Fraction(1, 1000), Fraction(499, 1000), max_denominator=1000), delta=units
)
def test_param_counting_equals_counting_on_the_ball_ratio(d: int, eps: Fraction, delta: Fraction) -> None:
    """The same volume count: d^2 weights, ratio norm/(2 eps) in place of w_max/eps."""
    assert (
        parameter_counting_lower_bound(d=d, eps=eps, delta=delta).total
        == counting_lower_bound(m=d * d, eps=2 * eps, delta=delta, w_max=1).total
    )


# --- entropy -------------------------------------------------------------------------------------------


@given(n=st.integers(1, 300), data=st.data())
def test_entropy_binomial_sum_at_most_two_to_the_n_h2(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n // 2))
    s = sum(math.comb(n, j) for j in range(k + 1))
    assert binomial_prefix_sum(n, k) == s
    assert s * k**k * (n - k) ** (n - k) <= n**n  # s <= 2^(n H2(k/n)) = n^n / (k^k (n-k)^(n-k))


@given(n=st.integers(0, 200), k=st.integers(0, 250))
def test_entropy_binomial_prefix_sum_is_exact(n: int, k: int) -> None:
    assert binomial_prefix_sum(n, k) == sum(math.comb(n, j) for j in range(min(n, k) + 1))


@settings(max_examples=40)
@given(
    d=st.integers(1, 5),
    eps=st.sampled_from([Fraction(1, 10), Fraction(1, 100), Fraction(1, 3)]),
    delta=units,
    kept=st.integers(1, 60),
)
def test_entropy_total_is_the_least_n(d: int, eps: Fraction, delta: Fraction, kept: int) -> None:
    need = (1 - delta) * (1 / (2 * eps)) ** (d * d)

    def count(x: int) -> int:
        return sum(math.comb(x, j) for j in range(min(x, kept) + 1))

    try:
        b = entropy_lower_bound(d=d, eps=eps, delta=delta, kept=kept)
    except ParameterError:  # refused only when the least n is truly beyond 2^62
        assert count(2**62) < need
        return
    n = b.total

    assert count(n) >= need
    assert n == 0 or count(n - 1) < need
    assert n >= parameter_counting_lower_bound(d=d, eps=eps, delta=delta).total  # fewer prunings, more weights


def test_entropy_reference_value_small() -> None:
    """d = 10, eps = delta = 1/100, k = 100: the least n by an independent linear scan."""
    need = Fraction(99, 100) * 50**100
    n = 564
    while sum(math.comb(n, j) for j in range(101)) < need:
        n += 1
    assert entropy_lower_bound(d=10, kept=100, **DEFAULTS).total == n == 1949


def test_entropy_no_sparsity_is_param_counting() -> None:
    """kappa = 10 kept weights per target weight: k >= n, every subset is a ticket (2^n prunings)."""
    b = entropy_lower_bound_per_target_weight(d=10, kappa=10, **DEFAULTS)
    assert b.total == parameter_counting_lower_bound(d=10, **DEFAULTS).total


@pytest.mark.slow
@pytest.mark.parametrize(("kappa", "total"), [(1, 189063), (2, 62360), (10, 56439)])
def test_entropy_values_at_the_defaults(kappa: int, total: int) -> None:
    b = entropy_lower_bound_per_target_weight(d=100, kappa=kappa, **DEFAULTS)
    assert b.total == total
    k = 10_000 * kappa
    mpmath.mp.dps = 30
    bits = 10_000 * mpmath.log(50, 2) + mpmath.log(mpmath.mpf(99) / 100, 2)
    assert total >= bits
    if 2 * k < total:  # the H2 relaxation holds at the total
        p = mpmath.mpf(k) / total
        assert total * (-p * mpmath.log(p, 2) - (1 - p) * mpmath.log(1 - p, 2)) >= bits


# --- common --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: counting_lower_bound(m=0, eps="1/10", delta="1/10"), "m=0"),
        (lambda: counting_lower_bound(m=5, eps=0, delta="1/10"), "eps=0"),
        (lambda: counting_lower_bound(m=5, eps="1/10", delta=1), "delta=1"),
        (lambda: counting_lower_bound(m=5, eps="1/10", delta="1/10", w_max=-1), "w_max=-1"),
        (lambda: parameter_counting_lower_bound(d=0, eps="1/10", delta="1/10"), "d=0"),
        (lambda: parameter_counting_lower_bound(d=3, eps="1/10", delta="1/10", norm=0), "norm=0"),
        (lambda: entropy_lower_bound(d=3, eps="1/10", delta="1/10", kept=-1), "kept=-1"),
        (lambda: entropy_lower_bound(d=100, eps="1/100", delta="1/100", kept=1), "kept=1"),
        (lambda: entropy_lower_bound_per_target_weight(d=3, eps="1/10", delta="1/10", kappa=0), "kappa=0"),
        (lambda: entropy_lower_bound_per_target_weight(d=3, eps="1/10", delta="1/10", kappa="1/100"), "kappa=1/100"),
    ],
)
def test_lower_bounds_bad_input_names_the_parameter(call: object, fragment: str) -> None:
    with pytest.raises(ParameterError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)


def test_lower_bounds_ratio_is_sampled_over_total() -> None:
    b = counting_lower_bound(m=10, eps="1/4", delta="1/2", w_max=1)  # 10·2 - 1 = 19
    assert b.total == 19 and b.ratio(38) == 2


@pytest.mark.slow
@pytest.mark.parametrize("name", ["counting", "param_counting", "entropy"])
def test_lower_bounds_proofs_hold_and_mutations_fail(name: str) -> None:
    import importlib

    from logprune.proofs.framework import tally

    mod = importlib.import_module(f"logprune.proofs.{name}")
    assert tally(mod.proof().run()).failed == 0
    for mutation in mod.MUTATIONS:
        assert tally(mod.proof(mutation).run()).failed >= 1, mutation
