"""Argument checks in one place (after hypothesis' ``validation`` module).

Numbers from users are read as exact rationals: ``"1e-6"`` is 1/1000000 exactly, never a float.  A
Python ``float`` argument is read through its shortest repr (``0.01`` -> 1/100), which is the number
the user typed; a float *weight* of a network is a different thing (an exact dyadic rational) and is
handled where networks are read.

Symbolic parameters follow sympy.stats: a check raises only when its condition is provably false.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Rational
from typing import Any

import sympy as sp

from logprune.errors import ParameterError, ParameterTypeError

__all__ = [
    "as_rational",
    "check_int",
    "check_open_unit",
    "check_positive",
    "check_positive_expr",
    "check_symbolic",
    "parse_base",
    "sympy_rational",
]


def as_rational(name: str, value: Any) -> Fraction:
    """Read ``value`` as an exact rational, naming ``name`` in any error.

    Accepts ints, Fractions, sympy Rationals, floats (via repr), and strings such as ``"1e-6"``,
    ``"3/2"``, ``"0.25"``.

    >>> as_rational("eps", "1e-6")
    Fraction(1, 1000000)
    >>> as_rational("eps", 0.1)  # the number typed, not the binary float 0.1000000000000000055...
    Fraction(1, 10)
    """
    if isinstance(value, bool):
        raise ParameterTypeError(f"{name}={value!r}: expected a number, got a boolean")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, sp.Rational):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterTypeError(f"{name}={value!r}: expected a finite number")
        return Fraction(repr(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ParameterTypeError(f"{name}={value!r}: not a number (write e.g. 0.01, 1e-6 or 3/2)") from None
    raise ParameterTypeError(f"{name}={value!r}: expected a number, got {type(value).__name__}")


def check_open_unit(name: str, value: Any) -> Fraction:
    """``value`` as a rational strictly between 0 and 1 (eps, delta, probabilities)."""
    q = as_rational(name, value)
    if not 0 < q < 1:
        raise ParameterError(f"{name}={value}: must satisfy 0 < {name} < 1")
    return q


def check_positive(name: str, value: Any) -> Fraction:
    """``value`` as a rational > 0 (scales, norms, w_max, x_max)."""
    q = as_rational(name, value)
    if q <= 0:
        raise ParameterError(f"{name}={value}: must be > 0")
    return q


def sympy_rational(q: Fraction) -> sp.Rational:
    """An exact Fraction as a sympy Rational."""
    return sp.Rational(q.numerator, q.denominator)


def check_positive_expr(name: str, value: Any) -> sp.Expr:
    """``value`` as an exact positive sympy number: a closed expression (``1/sqrt(n)``) or a rational."""
    if isinstance(value, sp.Expr) and not isinstance(value, sp.Rational):
        if not value.is_number or value.has(sp.Float):
            raise ParameterTypeError(f"{name}={value}: expected an exact closed number")
        if value.is_positive is False:
            raise ParameterError(f"{name}={value}: must be > 0")
        return value
    q = check_positive(name, value)
    return sympy_rational(q)


def check_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """``value`` as an integer >= ``minimum`` (sizes: n, layers, k, m)."""
    if isinstance(value, bool):
        raise ParameterTypeError(f"{name}={value!r}: expected an integer, got a boolean")
    if isinstance(value, int):
        out = value
    else:
        q = as_rational(name, value)
        if q.denominator != 1:
            raise ParameterTypeError(f"{name}={value}: expected an integer")
        out = q.numerator
    if out < minimum:
        raise ParameterError(f"{name}={value}: must be an integer >= {minimum}")
    return out


def check_symbolic(condition: Any, message: str) -> None:
    """Raise :class:`ParameterError` only if ``condition`` is provably false (sympy.stats' rule).

    ``condition`` is a sympy relational or boolean; an undecidable condition (free symbols) passes.
    """
    if sp.sympify(condition) is sp.false:
        raise ParameterError(message)


def parse_base(value: Any) -> sp.Expr:
    """A decomposition base: ``"phi"`` (the golden ratio) or a rational > 1.

    Returned as an exact sympy number.  Admissibility (b <= phi) is *not* checked here: an
    inadmissible base is an answer of :func:`logprune.bounds.golden.admissibility`, not an error.
    """
    if isinstance(value, str) and value.strip().lower() in {"phi", "golden", "φ"}:
        return sp.GoldenRatio
    if value is sp.GoldenRatio:
        return sp.GoldenRatio
    q = as_rational("base", value)
    if q <= 1:
        raise ParameterError(f"base={value}: must be > 1 (or phi)")
    return sympy_rational(q)
