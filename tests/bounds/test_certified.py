"""Certified arithmetic: ball evaluation of sympy expressions, certified integers, deterministic output."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from logprune.bounds.certified import (
    arb_of,
    arb_to_interval,
    certainly_le,
    certainly_lt,
    certified_ceiling,
    certified_integer,
    enclose,
    precision,
    rational_lower_bound,
)
from logprune.errors import CertificationError

from helpers import assert_encloses

rationals = st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(10**6), max_denominator=10**6)


def _mp(expr: sp.Expr) -> mpmath.mpf:
    """Independent reference: sympy's own arbitrary-precision evaluation (mpmath backend)."""
    return mpmath.mpf(str(sp.N(expr, 60)))


@given(rationals, rationals, st.integers(-5, 5))
def test_enclosure_contains_independent_reference(a: Fraction, b: Fraction, n: int) -> None:
    ra, rb = sp.Rational(a.numerator, a.denominator), sp.Rational(b.numerator, b.denominator)
    expr = sp.log(ra) * sp.exp(-rb / (1 + rb)) + sp.sqrt(ra + rb) * sp.GoldenRatio**n - sp.E * sp.pi / (1 + ra)
    with mpmath.workdps(60):
        assert_encloses(enclose(expr, digits=20), _mp(expr), max_radius=Fraction(1, 10**19))


def test_precision_context_is_scoped() -> None:
    with precision(300):
        assert flint.ctx.prec == 300
        with precision(80):
            assert flint.ctx.prec == 80
        assert flint.ctx.prec == 300
    assert flint.ctx.prec == 53


def test_certified_integer_and_its_failure() -> None:
    assert certified_integer(sp.ceiling(sp.log(1000) / sp.log(sp.GoldenRatio))) == 15
    assert certified_integer(sp.floor(sp.pi * 10**30)) == int(str(sp.floor(sp.N(sp.pi * 10**30, 50))))
    # log2(1024) = 10 exactly: no ball separates 10 from 10 + tiny; without a resolver: refuse
    with pytest.raises(CertificationError):
        certified_ceiling(sp.log(1024) / sp.log(2))
    assert certified_ceiling(sp.log(1024) / sp.log(2), exact_resolver=lambda n: 2**n >= 1024) == 10
    assert certified_ceiling(sp.log(1025) / sp.log(2)) == 11


def test_ball_comparisons_say_what_is_certain() -> None:
    with precision(64):
        third = arb_of(sp.Rational(1, 3))
        pi = arb_of(sp.pi)
        assert certainly_lt(third, pi) and certainly_le(third, pi)
        assert not certainly_lt(pi, third)
        wide = flint.arb(1, 1)  # [0, 2]
        assert not certainly_lt(wide, flint.arb(1)) and not certainly_lt(flint.arb(1), wide)


@given(rationals)
def test_rational_lower_bound_is_below(q: Fraction) -> None:
    expr = sp.log(1 + sp.Rational(q.numerator, q.denominator))
    lo = rational_lower_bound(expr)
    with precision(256):
        v_lo, _ = arb_to_interval(arb_of(expr))
    assert lo <= v_lo + Fraction(1, 2**60)
    assert lo <= Fraction(str(sp.N(expr, 40)))


def test_json_form_is_deterministic_and_exact_for_rationals() -> None:
    e1 = enclose(sp.log(sp.GoldenRatio) / sp.log(1000)).as_json()
    e2 = enclose(sp.log(sp.GoldenRatio) / sp.log(1000)).as_json()
    assert e1 == e2
    assert e1["mid"] == "0.0696625467499929"
    assert enclose(sp.Rational(1, 8)).as_json() == {"exact": "1/8", "mid": "0.125", "rad": "0"}


def test_floats_are_refused_in_expressions() -> None:
    with pytest.raises(CertificationError, match="float"):
        arb_of(sp.Float(0.1) + 1)
    with pytest.raises(CertificationError, match="free symbols"):
        arb_of(sp.Symbol("x") + 1)
