"""docs/claims.md, C1: Malach et al.'s construction with logprune's constants (bounds/malach.py,
proofs/c1_malach.py).  Reference values come from exact Fractions and closed forms written here."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from logprune.bounds import malach
from logprune.bounds.certified import enclose
from logprune.bounds.setting import setting
from logprune.errors import ParameterError
from logprune.proofs import c1_malach
from logprune.proofs.framework import ARGUED, FAILED, tally

unit = st.fractions(min_value=0, max_value=1)


def _relu(v: Fraction) -> Fraction:
    return v if v > 0 else Fraction(0)


def _in(lo: Fraction, hi: Fraction, t: Fraction) -> Fraction:
    """The point of [lo, hi] at relative position t in [0, 1]."""
    return lo + (hi - lo) * t


@settings(max_examples=60)
@given(
    w=st.fractions(min_value=-1, max_value=1),
    e=st.fractions(min_value=Fraction(1, 10**6), max_value=1),
    ta=unit,
    to=unit,
    x=st.fractions(min_value=-100, max_value=100),
)
def test_C1_per_part_error_is_at_most_eps_a_times_1_plus_w_plus_eps_a(
    w: Fraction, e: Fraction, ta: Fraction, to: Fraction, x: Fraction
) -> None:
    a = _in(w - e, w + e, ta)
    o = _in(1 - e, 1 + e, to)
    assert abs(o * _relu(a * x) - _relu(w * x)) <= e * (1 + abs(w) + e) * abs(x)


@settings(max_examples=60)
@given(
    w=st.fractions(min_value=-1, max_value=1),
    e=st.fractions(min_value=Fraction(1, 10**6), max_value=1),
    t=st.tuples(unit, unit, unit, unit),
    x=st.fractions(min_value=-100, max_value=100),
)
def test_C1_two_usable_neurons_give_w_x_within_2_eps_a_1_plus_w_plus_eps_a(
    w: Fraction, e: Fraction, t: tuple[Fraction, ...], x: Fraction
) -> None:
    a1, o1 = _in(w - e, w + e, t[0]), _in(1 - e, 1 + e, t[1])
    a2, o2 = _in(-w - e, -w + e, t[2]), _in(-1 - e, -1 + e, t[3])
    g = o1 * _relu(a1 * x) + o2 * _relu(a2 * x)
    assert abs(g - w * x) <= 2 * e * (1 + abs(w) + e) * abs(x)


def test_C1_the_eps_a2_term_is_needed() -> None:
    """w = 0, a = eps_a, o = 1 + eps_a, x = 1: the error is eps_a(1 + eps_a) > eps_a(1 + |w|)|x|."""
    e = Fraction(1, 10)
    assert abs((1 + e) * _relu(e) - _relu(Fraction(0))) > e * (1 + 0)


@settings(max_examples=15)
@given(
    w_max=st.fractions(min_value=Fraction(1, 100), max_value=1),
    eps_w=st.fractions(min_value=Fraction(1, 10**9), max_value=1),
)
def test_C1_eps_a_is_the_largest_t_with_2t_1_plus_wmax_plus_t_at_most_eps_w(w_max: Fraction, eps_w: Fraction) -> None:
    ea = malach.eps_a_for(eps_w=eps_w, w_max=w_max)
    W, u = sp.Rational(w_max), sp.Rational(eps_w)
    assert sp.simplify(2 * ea * (1 + W + ea) - u) == 0  # the root: equality, so no larger t works
    # bracketed by the closed rational bounds u/(2(1 + w_max) + u) <= eps_a <= u/(2(1 + w_max))
    lo, hi = eps_w / (2 * (1 + w_max) + eps_w), eps_w / (2 * (1 + w_max))
    enc = enclose(ea)
    assert lo <= enc.upper and enc.lower <= hi
    t = enc.lower  # a rational just below the root: admissible, exactly
    assert 2 * t * (1 + w_max + t) <= eps_w


def _bracket(p: malach.MalachParameters) -> tuple[Fraction, Fraction]:
    """Simple rationals p_lo <= p <= p_hi (the certified ball, rounded outwards to 1e-15)."""
    q = 10**15
    return Fraction(math.floor(p.p_enclosure.lower * q), q), Fraction(math.ceil(p.p_enclosure.upper * q), q)


@settings(max_examples=25)
@given(
    width=st.integers(1, 2),
    layers=st.integers(1, 2),
    eps=st.fractions(min_value=Fraction(1, 2), max_value=Fraction(99, 100)),
    delta=st.fractions(min_value=Fraction(1, 100), max_value=Fraction(99, 100)),
    w_max=st.fractions(min_value=Fraction(1, 2), max_value=1),
    x_max=st.fractions(min_value=Fraction(1, 100), max_value=Fraction(1, 2)),
)
def test_C1_pool_is_the_least_N_with_E_1_minus_p_to_the_N_at_most_delta(
    width: int, layers: int, eps: Fraction, delta: Fraction, w_max: Fraction, x_max: Fraction
) -> None:
    mp = malach.malach_constants(
        eps=eps, delta=delta, widths=[width] * (layers + 1), norms=[1] * layers, w_max=w_max, x_max=x_max
    )
    assert mp.events == 2 * layers * width * width
    assume(mp.pool <= 3000)
    p_lo, p_hi = _bracket(mp)
    N, E = mp.pool, mp.events
    assert E * (1 - p_lo) ** N <= delta  # so E(1 - p)^N <= delta
    assert E * (1 - p_hi) ** (N - 1) > delta  # so E(1 - p)^(N - 1) > delta: N is the least


@settings(max_examples=8)
@given(
    n=st.integers(1, 30),
    layers=st.integers(1, 6),
    e1=st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(99, 100)),
    e2=st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(99, 100)),
)
def test_C1_pool_is_nonincreasing_in_eps_and_in_delta(n: int, layers: int, e1: Fraction, e2: Fraction) -> None:
    lo, hi = min(e1, e2), max(e1, e2)
    fixed = Fraction(1, 10)

    def pool(eps: Fraction, delta: Fraction) -> int:
        return malach.malach_parameters(setting(n=n, layers=layers, eps=eps, delta=delta)).pool

    assert pool(lo, fixed) >= pool(hi, fixed)
    assert pool(fixed, lo) >= pool(fixed, hi)


def test_C1_default_setting_values() -> None:
    """n = 100, l = 10, eps = delta = 1/100 (Malach's assumptions): eps_w = eps/((e - 1)·l·n), one branch."""
    mp = malach.malach_parameters(setting(n=100, layers=10, eps="0.01", delta="0.01"))
    assert sp.simplify(mp.eps_w - sp.Rational(1, 100) / ((sp.E - 1) * 1000)) == 0
    assert mp.events == 200_000
    assert mp.pool == 9_609_395_267_075
    assert mp.sampled_weights_per_target_weight == 2 * mp.pool
    assert mp.dense_weights == 10 * (100 + 100) * mp.pool * 10_000
    assert mp.as_json()["pool"] == mp.pool


def test_C1_general_setting_uses_the_norms_and_one_branch() -> None:
    """n = 50, l = 4, w_max = 1/2, x_max = 1, norms 3: D = 4·50/3, eps_w = eps/((e - 1)·D·3^4)."""
    mp = malach.malach_parameters(setting(n=50, layers=4, eps="0.01", delta="0.01", w_max="1/2", x_max=1, norms=[3]))
    assert sp.simplify(mp.eps_w - sp.Rational(1, 100) / ((sp.E - 1) * sp.Rational(200, 3) * 81)) == 0
    assert mp.events == 2 * 4 * 2500


def test_C1_f_max_only_is_supported() -> None:
    mp = malach.malach_constants(eps="0.01", delta="0.01", widths=[5, 5, 5], norms=[1, 1], w_max="1/2", f_max=1)
    assert mp.propagation.source == "F_max" and mp.pool > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"w_max": 2, "x_max": 1},
        {"w_max": "1/2"},
        {"w_max": "1/2", "x_max": 1, "norms": [1]},
    ],
)
def test_C1_bad_input_is_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"eps": "0.01", "delta": "0.01", "widths": [3, 3, 3], "norms": [1, 1], **kwargs}
    with pytest.raises(ParameterError):
        malach.malach_constants(**args)  # type: ignore[arg-type]


def test_C1_proof_has_no_argued_or_failed_step() -> None:
    t = tally(c1_malach.proof().run())
    assert t.counts()[FAILED] == 0, t.failures
    assert t.counts()[ARGUED] == 0


@pytest.mark.slow
@pytest.mark.parametrize("mutation", sorted(c1_malach.MUTATIONS))
def test_C1_each_mutation_makes_a_step_fail(mutation: str) -> None:
    assert tally(c1_malach.proof(mutation).run()).counts()[FAILED] > 0
