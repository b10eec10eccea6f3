"""proofs/framework.py: statuses mean what they say, and vacuous steps are refused (issue #11)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from logprune.proofs.framework import (
    FAILED,
    INSTANCE,
    PROVEN,
    TESTED,
    TautologyError,
    agreement,
    boxes_nonneg,
    constant,
    decide,
    identity,
    nonneg,
)
from logprune.proofs.framework import tested as randomised  # not collected as a test
from logprune.proofs.propagation import recursion_counterexample


def test_an_identity_whose_sides_are_the_same_number_is_refused() -> None:
    with pytest.raises(TautologyError):
        identity("c = 1/160", sp.Rational(1, 160), sp.Rational(1, 160))
    with pytest.raises(TautologyError):  # both sides computed to the same value: (1/4)·1/(2·20) and 1/160
        identity("c", sp.Rational(1, 4) * sp.Rational(1, 40), sp.Rational(1, 160))


def test_an_identity_whose_sides_come_from_the_same_function_is_refused() -> None:
    k = sp.Symbol("k", positive=True)

    def f() -> sp.Expr:
        return 1 / (8 * (k - 1))

    with pytest.raises(TautologyError):
        identity("the same function twice", f(), f())


def test_an_identity_equal_after_sympys_automatic_evaluation_is_refused() -> None:
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(TautologyError):
        identity("x y = y x", x * y, y * x)
    s, b, eps = sp.symbols("s b epsilon", positive=True)
    with pytest.raises(TautologyError):  # sympy evaluates b^(log(s/eps)/log b) eagerly
        identity("s b^(-log_b(s/eps)) = eps", s * b ** (-sp.log(s / eps) / sp.log(b)), eps)


def test_an_identity_with_unevaluated_work_is_accepted_and_proven() -> None:
    eps = sp.Symbol("epsilon", positive=True)
    a = sp.Symbol("a", real=True)
    step = identity("integral", sp.Integral(sp.Rational(1, 2), (a, 1 - eps, 1)) ** 2, eps**2 / 4)
    assert step.run().status == PROVEN and "epsilon > 0" in step.domain


def test_a_false_identity_fails() -> None:
    x = sp.Symbol("x", real=True)
    assert identity("(x+1)^2 = x^2 + 1", (x + 1) ** 2, x**2 + 1).run().status == FAILED


def test_nonnegativity_of_a_symbol_declared_nonnegative_is_refused() -> None:
    p_minus_c = sp.Symbol("p_minus_c", nonnegative=True)
    with pytest.raises(TautologyError):
        nonneg("p_t - c >= 0", p_minus_c)


def test_nonnegativity_that_follows_from_the_assumptions_without_rewriting_is_refused() -> None:
    m, L = sp.symbols("m L", positive=True)
    s = sp.Symbol("s", real=True)
    with pytest.raises(TautologyError):
        nonneg("m^2/(4(m + L)) >= 0", m**2 / (4 * (m + L)))
    with pytest.raises(TautologyError):
        nonneg("e^s >= 0", sp.exp(s))
    with pytest.raises(TautologyError):
        boxes_nonneg("m on a box", m, {m: (1, 2)})


def test_a_nonnegativity_that_needs_rewriting_is_accepted_and_proven() -> None:
    a = sp.Symbol("a", real=True)
    step = nonneg("(a + 1)^2 >= 2a + 1", (a + 1) ** 2 - 2 * a - 1)
    assert step.run().status == PROVEN


def test_an_agreement_with_the_same_callable_twice_is_refused() -> None:
    def f() -> int:
        return 3

    with pytest.raises(TautologyError):
        agreement("k", f, f)


def test_an_agreement_of_formulas_is_proven_and_of_numbers_an_instance() -> None:
    k = sp.Symbol("k", positive=True)
    assert agreement("formula", lambda: 1 / (8 * (k - 1)), lambda: sp.Rational(1, 8) / (k - 1)).run().status == PROVEN
    assert agreement("number", lambda: 345, lambda: 345, at="c = 1/20").run().status == INSTANCE
    assert agreement("number", lambda: 345, lambda: 346, at="c = 1/20").run().status == FAILED


def test_boxes_covering_only_part_of_the_stated_domain_are_tested_not_proven() -> None:
    b = sp.Symbol("b", positive=True)
    expr = 1 - (b - 1 / b)
    part = boxes_nonneg(
        "golden invariant", expr, {b: (1, sp.Rational(1618033, 1000000))}, stated_domain="b in (1, phi]"
    )
    assert part.run().status == TESTED
    whole = boxes_nonneg("golden invariant on [1, 8/5]", expr, {b: (1, sp.Rational(8, 5))})
    assert whole.run().status == PROVEN


def test_constants_at_the_default_parameters_are_instances() -> None:
    assert constant("M", sp.ceiling(sp.Rational(69, 2)), expected=35, at="c = 1/20").run().status == INSTANCE
    x = sp.Symbol("x", positive=True)
    assert identity("at x = 2", sp.Subs(x**2, x, 2), 4, at="x = 2").run().status == INSTANCE


def test_z3_proves_the_golden_invariant_up_to_phi_and_refutes_it_beyond() -> None:
    b, u = sp.symbols("b u", positive=True)
    r, x = sp.symbols("r x", real=True)
    concl = sp.And(sp.Implies(x <= r, r - x <= u), sp.Implies(x > r, r <= u))
    common = (b > 1, r >= 0, r <= u * b, x * b >= u, x <= u)
    assert decide("up to phi", concl, where=(*common, b**2 - b - 1 <= 0)).run().status == PROVEN
    ev = decide("up to 2", concl, where=(*common, b <= 2)).run()
    assert ev.status == FAILED and "counterexample" in ev.detail


def test_z3_on_a_formula_it_cannot_express_is_failed_not_proven() -> None:
    x = sp.Symbol("x", real=True)
    assert decide("sin", sp.sin(x) <= 1).run().status == FAILED


def test_randomised_tests_record_their_count_and_fail_on_a_counterexample() -> None:
    ok = randomised(
        "x^2 >= 0", lambda rng: None if Fraction(rng.randint(-9, 9), 7) ** 2 >= 0 else "neg", count=50, domain="x"
    )
    ev = ok.run()
    assert ev.status == TESTED and "50 exact randomised trials" in ev.detail

    def bad(rng: random.Random) -> str | None:
        v = Fraction(rng.randint(-9, 9), 7)
        return None if v >= 0 else f"x = {v}"

    assert randomised("x >= 0", bad, count=50, domain="x").run().status == FAILED


fractions = st.fractions(min_value=-5, max_value=5, max_denominator=9)


@st.composite
def layers(draw: st.DrawFn) -> tuple[list[list[Fraction]], list[list[Fraction]], list[Fraction], list[Fraction]]:
    n0, n1 = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    mat = st.lists(st.lists(fractions, min_size=n0, max_size=n0), min_size=n1, max_size=n1)
    vec = st.lists(fractions, min_size=n0, max_size=n0)
    return draw(mat), draw(mat), draw(vec), draw(vec)


@settings(max_examples=200, deadline=None)
@given(layers())
def test_the_layer_recursion_holds_on_random_exact_layers(
    layer: tuple[list[list[Fraction]], list[list[Fraction]], list[Fraction], list[Fraction]],
) -> None:
    """C3's matrix facts (propagation): e_i <= Delta_i||ĥ|| + a_i e_(i-1) and ||ĥ_i|| <= (a_i + Delta_i)||ĥ||."""
    assert recursion_counterexample(*layer) is None


def test_a_mutation_that_no_step_catches_makes_the_run_not_ok() -> None:
    """`logprune proofs` exits 1 (report.ok is False) when a mutation leaves every step passing."""
    import types

    from logprune.proofs import l1_malach
    from logprune.proofs.report import ok, run_all

    fake = types.ModuleType("fake")
    fake.CLAIM = "fake"  # type: ignore[attr-defined]
    fake.MUTATIONS = {"noop": "changes nothing"}  # type: ignore[attr-defined]
    fake.proof = lambda mutation=None: l1_malach.proof()  # type: ignore[attr-defined]
    assert not ok(run_all([fake]))
    assert ok(run_all([l1_malach]))
