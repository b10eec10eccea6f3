"""L4: batch sampling, the Chernoff size M and the exact-tail M_exact."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from logprune.bounds import batch
from logprune.bounds import symbols as sym

cs = st.fractions(min_value=Fraction(1, 400), max_value=Fraction(1, 2), max_denominator=400)
deltas = st.fractions(min_value=Fraction(1, 10**4), max_value=Fraction(1, 2), max_denominator=10**4)


def test_L4_chernoff_step_is_checked_symbolically() -> None:
    d = batch.chernoff_derivation()
    m, L = sym.m, sym.L
    assert sp.simplify(d["excess_over_L"] - m**2 / (4 * (m + L))) == 0  # >= 0: the choice of mu works
    mu = sym.mu
    assert sp.simplify(d["d_exponent_dmu"] - (mu**2 - m**2) / (2 * mu**2)) == 0  # grows for mu >= m


def test_L4_cli_example_values() -> None:
    assert batch.M(c="0.05", m=1, k=20, delta="0.01") == 345
    assert batch.M_exact(c="0.05", m=1, k=20, delta="0.01") == 149
    # independent reference: the least M with 20 * 0.95^M <= 0.01
    assert math.ceil(math.log(0.01 / 20) / math.log(0.95)) == 149


@given(cs, st.integers(1, 60), st.integers(1, 60), deltas)
def test_L4_M_matches_float_formula_and_dominates_M_exact(c: Fraction, m: int, k: int, delta: Fraction) -> None:
    M = batch.M(c=c, m=m, k=k, delta=delta)
    x = 2 / float(c) * (m + math.log(k / float(delta)))
    if abs(x - round(x)) > 1e-6:
        assert M == math.ceil(x)
    assert batch.M_exact(c=c, m=m, k=k, delta=delta) <= M  # Chernoff is valid, hence never smaller


@settings(max_examples=40)
@given(cs, st.integers(1, 40), st.integers(1, 40), deltas)
def test_L4_M_exact_is_the_least_valid_M(c: Fraction, m: int, k: int, delta: Fraction) -> None:
    Me = batch.M_exact(c=c, m=m, k=k, delta=delta)
    assert batch.exact_condition(M=Me, c=c, m=m, k=k, delta=delta)
    assert Me == m or not batch.exact_condition(M=Me - 1, c=c, m=m, k=k, delta=delta)
    # float cross-check with scipy's binomial, away from the threshold
    t = k * stats.binom.cdf(m - 1, Me, float(c))
    assert t <= float(delta) * (1 + 1e-9)


@given(st.integers(0, 200), cs, st.integers(1, 50))
def test_binomial_tail_matches_scipy(M: int, c: Fraction, m: int) -> None:
    exact = batch.binomial_tail(M=M, c=c, m=m)
    assert float(exact) == pytest.approx(stats.binom.cdf(m - 1, M, float(c)), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("k", [10, 20, 30])
def test_L4_exact_tail_is_1_5_to_2_5_times_smaller(k: int) -> None:
    """The digest measured M/M_exact in 1.5..2.4 for k = 10..30; we reproduce the range."""
    c = Fraction(1, 8 * (k - 1))
    ratio = batch.M(c=c, m=1, k=k, delta="0.01") / batch.M_exact(c=c, m=1, k=k, delta="0.01")
    assert 1.5 <= ratio <= 2.5


def test_L4_batch_fills_every_category_monte_carlo() -> None:
    """M_exact multinomial draws over k categories of probability c each (rest: no category): failure
    rate against delta, and the exact union-bound value inside the 99.9% Clopper-Pearson interval."""
    c, m, k, delta = Fraction(1, 10), 3, 5, Fraction(1, 10)
    Me = batch.M_exact(c=c, m=m, k=k, delta=delta)
    rng = np.random.default_rng(4)
    trials = 20_000
    counts = rng.multinomial(Me, [float(c)] * k + [1 - k * float(c)], size=trials)[:, :k]
    failures = int(np.count_nonzero((counts < m).any(axis=1)))
    ci = stats.binomtest(failures, trials).proportion_ci(confidence_level=0.999, method="exact")
    assert ci.low <= float(delta)  # the bound is not refuted
    # the union bound k·P[Bin(M, c) < m] is an upper bound of the true failure probability
    assert ci.low <= float(k * batch.binomial_tail(M=Me, c=c, m=m))


def test_M_exact_with_irrational_c_uses_a_rational_lower_bound() -> None:
    c = sp.log(2) / 10
    Me = batch.M_exact(c=c, m=2, k=5, delta="0.01")
    lo = Fraction(str(sp.N(c, 30)))
    assert batch.exact_condition(M=Me, c=lo, m=2, k=5, delta=Fraction(1, 100))
