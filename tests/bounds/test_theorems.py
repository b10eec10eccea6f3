"""Theorem-level sizes (C1, C2, C3, Pensia et al., counting): contract, exactness, metamorphic checks."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logprune.bounds import hyperbolic
from logprune.bounds.rows import Row, row_names, table
from logprune.bounds.setting import setting
from logprune.errors import ParameterError

NAMES = set(row_names())  # the registry's (logprune.bounds.rows): every source declares its rows


def _by_name(**kw: object) -> dict[str, Row]:
    return {r.name: r for r in table(setting(**kw))}  # type: ignore[arg-type]


def test_default_table_has_every_row_of_the_registry_in_its_order_with_its_status() -> None:
    rows = _by_name(n=100, layers=10, eps="0.01", delta="0.01")
    assert tuple(rows) == row_names()  # the sources' declared names are the rows they compute, in order
    assert rows["orseau2020"].status == "proven" and rows["orseau2020"].claim == "C2"
    assert rows["orseau2020_shared"].status == "proven"  # proofs/pooling_b.py (tests/proofs/test_proofs.py)
    assert rows["orseau2020_batch"].status == "conjectural"
    assert rows["malach2020"].status == "proven" and rows["pensia2020"].status == "published"
    for r in rows.values():
        if r.width is not None:
            assert r.depth == 20 and len(r.width) == 20
            assert r.neurons == sum(r.width)
            assert r.neurons_per_target_weight is not None
            assert r.neurons_per_target_weight.exact * 100 * 100 * 10 == r.neurons


def test_C1_malach_row_is_our_derivation_with_the_published_form_beside() -> None:
    from logprune.bounds.malach import malach_parameters

    st = setting(n=100, layers=10, eps="0.01", delta="0.01")
    row = {r.name: r for r in table(st)}["malach2020"]
    mp = malach_parameters(st)
    assert row.status == "proven" and row.bound == "upper" and "published" in row.asymptotic
    assert row.width is not None and row.width[0] == mp.pool * 100 * 100
    assert row.sampled_weights == 2 * mp.pool * 100 * 100 * 10
    # the published shape with constant 1, n^3 l^2/eps^2 ln(n l/delta), is of the same order here
    published = math.ceil(100**3 * 10**2 / 0.01**2 * math.log(100 * 10 / 0.01))
    assert 0.5 < mp.pool / published < 1


def test_orseau_rows_are_consistent_with_the_lemmas() -> None:
    rows = _by_name(n=20, layers=3, eps="0.001", delta="0.01")
    a, b = rows["orseau2020"], rows["orseau2020_shared"]
    k, pool = a.extra["k"], a.extra["pool"]
    c = hyperbolic.coverage_separate(k)  # G's separate supports (docs/claims.md, coverage)
    assert a.extra["c"] == str(c)
    # E·(1-c)^P <= delta < E·(1-c)^(P-1), E = (2 + 1 + 1)·n^2·k (two branches in layer 1)
    E = 4 * 20 * 20 * k
    cq = Fraction(int(c.p), int(c.q))
    assert a.extra["events"] == E
    assert E * (1 - cq) ** pool <= Fraction(1, 100) < E * (1 - cq) ** (pool - 1)
    assert a.width is not None and b.width is not None
    assert a.width[0] == pool * 20 * 20 and b.width[0] == pool * 20  # (A) per weight, (B) per input neuron
    assert b.neurons is not None and a.neurons is not None and b.neurons < a.neurons


small = st.fixed_dictionaries(
    {
        "n": st.integers(2, 60),
        "layers": st.integers(1, 6),
        "eps": st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(1, 2), max_denominator=10**6),
        "delta": st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(1, 2), max_denominator=10**6),
    }
)


def _neurons(kw: dict, name: str) -> int:  # type: ignore[type-arg]
    r = _by_name(**kw, pensia_c=1)[name]  # Pensia's row has numbers only with a constant
    assert r.neurons is not None
    return r.neurons


@settings(max_examples=25)
@given(small, st.sampled_from(["eps", "delta"]))
def test_bounds_grow_when_eps_or_delta_shrink(kw: dict, which: str) -> None:  # type: ignore[type-arg]
    smaller = dict(kw, **{which: kw[which] / 3})
    for name in ("malach2020", "orseau2020", "orseau2020_shared", "pensia2020"):
        assert _neurons(smaller, name) >= _neurons(kw, name)


@settings(max_examples=25)
@given(small, st.sampled_from(["n", "layers"]))
def test_bounds_grow_with_n_and_layers(kw: dict, which: str) -> None:  # type: ignore[type-arg]
    bigger = dict(kw, **{which: kw[which] + 1})
    for name in ("malach2020", "orseau2020", "orseau2020_shared", "pensia2020"):
        assert _neurons(bigger, name) >= _neurons(kw, name)


@settings(max_examples=20)
@given(small)
def test_every_construction_is_above_the_counting_limit(kw: dict) -> None:  # type: ignore[type-arg]
    rows = _by_name(**kw)
    lb = rows["counting_lower_bound"].sampled_weights_per_target_weight
    assert lb is not None
    for a in rows.values():
        if a.bound == "upper" and a.sampled_weights is not None:
            assert Fraction(a.sampled_weights, kw["layers"] * kw["n"] ** 2) >= lb.upper


def test_general_setting_is_C3_and_counts_the_norms() -> None:
    base = dict(n=10, layers=4, eps="0.01", delta="0.01", w_max="0.3", x_max=1)
    k1 = _by_name(**base, norms=["1"])["orseau2020"].extra["k"]
    k2 = _by_name(**base, norms=["4"])["orseau2020"].extra["k"]
    r = _by_name(**base, norms=["4"])["orseau2020"]
    assert r.claim == "C3"
    assert k2 >= k1 + 4  # sum of log_phi 4 over 4 layers = 11.5: the C3 term shows up in k


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"n": 0}, "n=0"),
        ({"eps": "1"}, "eps=1"),
        ({"delta": "0"}, "delta=0"),
        ({"norms": ["1", "2"]}, "norms="),
        ({"w_max": "-1"}, "w_max=-1"),
        ({"layers": "x"}, "layers='x'"),
    ],
)
def test_bad_settings_are_refused(kw: dict, fragment: str) -> None:  # type: ignore[type-arg]
    base: dict = {"n": 10, "layers": 3, "eps": "0.1", "delta": "0.1"}  # type: ignore[type-arg]
    base.update(kw)
    with pytest.raises(ParameterError if fragment != "layers='x'" else TypeError) as info:
        setting(**base)
    assert fragment in str(info.value)
    assert not isinstance(info.value, ParameterError) or isinstance(info.value, ValueError)


def test_a_table_checks_its_parameters_once_at_the_entry() -> None:
    """``setting`` validates; ``rows`` only computes (no validator runs inside it), and L4's M is
    computed once per distinct layer, not once per layer."""
    import sys

    from logprune.bounds import batch

    checks: list[str] = []

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        code = frame.f_code
        if event == "call" and code.co_filename.endswith("validation.py") and code.co_name != "sympy_rational":
            checks.append(code.co_name)

    st = setting(n=37, layers=9, eps="0.0123", delta="0.0321")  # a setting no other test computes
    batch.M_checked.cache_clear()
    sys.setprofile(profile)
    try:
        table(st)
    finally:
        sys.setprofile(None)
    assert checks == []
    info = batch.M_checked.cache_info()
    assert info.misses == 2 and info.hits == 7  # layer 1 (two branches) and the 8 equal later layers


def test_layer_one_has_two_branches_unless_inputs_are_nonnegative() -> None:
    signed = _by_name(n=10, layers=3, eps="0.01", delta="0.01")["orseau2020"]
    nonneg = _by_name(n=10, layers=3, eps="0.01", delta="0.01", inputs_nonnegative=True)["orseau2020"]
    k = signed.extra["k"]
    assert signed.extra["events"] == (2 + 1 + 1) * 10 * 10 * k
    assert nonneg.extra["events"] == (1 + 1 + 1) * 10 * 10 * nonneg.extra["k"]
