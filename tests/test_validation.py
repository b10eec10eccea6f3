"""Argument checks: exact parsing, one exception family, param=value messages."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from logprune.errors import LogpruneError, ParameterError, ParameterTypeError
from logprune.validation import (
    as_rational,
    check_int,
    check_open_unit,
    check_positive_expr,
    check_symbolic,
    parse_base,
)


def test_decimal_strings_are_exact_rationals() -> None:
    assert as_rational("eps", "1e-6") == Fraction(1, 10**6)
    assert as_rational("eps", "0.01") == Fraction(1, 100)
    assert as_rational("b", "3/2") == Fraction(3, 2)
    # a float argument is read as the number the user typed (its shortest repr), not its binary value
    assert as_rational("eps", 0.1) == Fraction(1, 10)
    assert as_rational("eps", 0.1) != Fraction(0.1)


@given(st.fractions(min_value=Fraction(-(10**6)), max_value=Fraction(10**6)))
def test_string_round_trip_is_exact(q: Fraction) -> None:
    assert as_rational("x", str(q)) == q


@pytest.mark.parametrize(
    ("call", "exc", "fragment"),
    [
        (lambda: check_open_unit("eps", "0"), ParameterError, "eps=0"),
        (lambda: check_open_unit("delta", "1"), ParameterError, "delta=1"),
        (lambda: check_open_unit("eps", "abc"), ParameterTypeError, "eps='abc'"),
        (lambda: check_open_unit("eps", float("nan")), ParameterTypeError, "eps=nan"),
        (lambda: check_int("n", "2.5"), ParameterTypeError, "n=2.5"),
        (lambda: check_int("n", 0), ParameterError, "n=0"),
        (lambda: check_int("n", True), ParameterTypeError, "n=True"),
        (lambda: parse_base("1"), ParameterError, "base=1"),
        (lambda: check_positive_expr("w_max", -sp.sqrt(2)), ParameterError, "w_max=-sqrt(2)"),
    ],
)
def test_bad_input_raises_one_family_naming_the_parameter(call, exc, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc) as info:
        call()
    assert isinstance(info.value, LogpruneError)
    assert isinstance(info.value, ValueError | TypeError)
    assert fragment in str(info.value)


def test_symbolic_check_raises_only_when_provably_false() -> None:
    x = sp.Symbol("x", positive=True)
    check_symbolic(x > 0, "never")  # provably true
    check_symbolic(sp.Symbol("y") > 0, "undecidable passes")
    with pytest.raises(ParameterError, match="x<0"):
        check_symbolic(x < 0, "x<0 is impossible for positive x")


def test_phi_spellings() -> None:
    assert parse_base("phi") is sp.GoldenRatio
    assert parse_base("PHI") is sp.GoldenRatio
    assert parse_base("3/2") == sp.Rational(3, 2)
