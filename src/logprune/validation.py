"""Argument checks in one place (after hypothesis' ``validation`` module).

Numbers from users are read as exact rationals: ``"1e-6"`` is 1/1000000 exactly, never a float.  A
Python ``float`` argument is read through its shortest repr (``0.01`` -> 1/100), which is the number
the user typed; a float *weight* of a network is a different thing (an exact dyadic rational) and is
handled where networks are read.

Symbolic parameters follow sympy.stats: a check raises only when its condition is provably false.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from numbers import Rational
from typing import Any

import sympy as sp

from logprune.errors import ParameterError, ParameterTypeError

__all__ = [
    "MAX_ABS",
    "MAX_K",
    "MAX_LAYERS",
    "MAX_SEED",
    "MAX_SIZE",
    "MAX_TEXT",
    "MAX_TRIALS",
    "MAX_WORKERS",
    "MIN_ABS",
    "as_rational",
    "check_bool",
    "check_int",
    "check_open_unit",
    "check_positive",
    "check_positive_expr",
    "check_symbolic",
    "parse_base",
    "sympy_rational",
]


# The numbers a user may give: 0, or a magnitude within the normal float64 range with a margin.  Every
# parameter of logprune is eventually compared with, or turned into, float64 weights of G and F (whose
# normal range is about 2.2e-308 .. 1.8e308); a number outside [MIN_ABS, MAX_ABS] cannot mean anything
# there, and exact arithmetic on it (10**100000000 for "1e-100000000") would run for minutes before any
# check.  So the text is bounded first (MAX_TEXT characters, a decimal exponent within +-MAX_EXPONENT),
# then the value.
MIN_ABS = Fraction(1, 10**300)
MAX_ABS = Fraction(10**300)
MAX_TEXT = 400

# Sizes bound the work they ask for; each limit is far beyond what a meaningful setting needs.
MAX_SIZE = 10**12  # a width n (or an m of L4): 10^12 neurons is beyond any network the bounds speak of
MAX_LAYERS = 10_000  # depth l: the bounds' per-layer products take about 5 s at l = 10^4
MAX_K = 3_000  # segments k: s·φ^-k spans 1e-300..1e300 (the numbers taken) with k <= 2,871
MAX_SEED = 2**63 - 1  # a seed is recorded in every output as a JSON integer that any reader can hold
MAX_TRIALS = 10**5  # trials per claim of check claims: 25 times the full run (4,000), already minutes
MAX_WORKERS = 256  # processes on one machine (or tasks in flight on a scheduler)
MAX_EXPONENT = 400
_NUMBER = re.compile(r"[+-]?(\d[\d_]*)?(\.[\d_]*)?(?:[eE]([+-]?\d[\d_]*))?")


def _short(value: Any) -> str:
    """``value`` as it may appear in a one-line message (a 5,000-digit number is cut)."""
    text = str(value)
    return text if len(text) <= 60 else f"{text[:24]}...({len(text)} characters)"


def _in_range(name: str, value: Any, q: Fraction) -> Fraction:
    if q != 0 and not MIN_ABS <= abs(q) <= MAX_ABS:
        raise ParameterError(
            f"{name}={_short(value)}: outside the numbers logprune takes (0 or 1e-300 <= |x| <= 1e300)"
        )
    return q


def as_rational(name: str, value: Any) -> Fraction:
    """Read ``value`` as an exact rational, naming ``name`` in any error.

    Accepts ints, Fractions, sympy Rationals, floats (via repr), and strings such as ``"1e-6"``,
    ``"3/2"``, ``"0.25"``; the value must be 0 or within 1e-300 <= |x| <= 1e300, and a string at most
    400 characters with a decimal exponent within +-400 (checked on the text, before any arithmetic).

    >>> as_rational("eps", "1e-6")
    Fraction(1, 1000000)
    >>> as_rational("eps", 0.1)  # the number typed, not the binary float 0.1000000000000000055...
    Fraction(1, 10)
    >>> as_rational("eps", "1e-100000000")
    Traceback (most recent call last):
    ...
    logprune.errors.ParameterError: eps=1e-100000000: exponent beyond +-400 (numbers are 0 or 1e-300 <= |x| <= 1e300)
    """
    if isinstance(value, bool):
        raise ParameterTypeError(f"{name}={value!r}: expected a number, got a boolean")
    if isinstance(value, Fraction):
        return _in_range(name, value, value)
    if isinstance(value, int):
        if value.bit_length() > 1000:  # before any str() of it: Python refuses > 4,300 digits
            raise ParameterError(f"{name}=<an integer of {value.bit_length()} bits>: beyond 1e300")
        return _in_range(name, value, Fraction(value))
    if isinstance(value, sp.Rational):
        return as_rational(name, Fraction(int(value.p), int(value.q)))
    if isinstance(value, Rational):
        return as_rational(name, Fraction(int(value.numerator), int(value.denominator)))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterTypeError(f"{name}={value!r}: expected a finite number")
        return _in_range(name, value, Fraction(repr(value)))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise ParameterError(f"{name}={_short(text)}: longer than {MAX_TEXT} characters")
        for part in text.split("/", 1):
            m = _NUMBER.fullmatch(part.strip())
            if m and m.group(3) is not None and abs(int(m.group(3).replace("_", ""))) > MAX_EXPONENT:
                raise ParameterError(
                    f"{name}={_short(text)}: exponent beyond +-{MAX_EXPONENT} (numbers are 0 or 1e-300 <= |x| <= 1e300)"
                )
        try:
            q = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ParameterTypeError(f"{name}={value!r}: not a number (write e.g. 0.01, 1e-6 or 3/2)") from None
        return _in_range(name, text, q)
    raise ParameterTypeError(f"{name}={_short(repr(value))}: expected a number, got {type(value).__name__}")


def check_open_unit(name: str, value: Any) -> Fraction:
    """``value`` as a rational strictly between 0 and 1 (eps, delta, probabilities)."""
    q = as_rational(name, value)
    if not 0 < q < 1:
        raise ParameterError(f"{name}={_short(value)}: must satisfy 0 < {name} < 1")
    return q


def check_positive(name: str, value: Any) -> Fraction:
    """``value`` as a rational > 0 (scales, norms, w_max, x_max)."""
    q = as_rational(name, value)
    if q <= 0:
        raise ParameterError(f"{name}={_short(value)}: must be > 0")
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
            raise ParameterError(f"{name}={_short(value)}: must be > 0")
        return value
    q = check_positive(name, value)
    return sympy_rational(q)


def check_int(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an integer in [``minimum``, ``maximum``] (sizes: n, layers, k, m).

    ``maximum`` bounds the work a size asks for (each caller states why its limit is what it is); an
    integer is never beyond 1e300 (:func:`as_rational`)."""
    if isinstance(value, bool):
        raise ParameterTypeError(f"{name}={value!r}: expected an integer, got a boolean")
    if isinstance(value, int):
        out = int(as_rational(name, value))
    else:
        q = as_rational(name, value)
        if q.denominator != 1:
            raise ParameterTypeError(f"{name}={_short(value)}: expected an integer")
        out = q.numerator
    if out < minimum:
        raise ParameterError(f"{name}={_short(value)}: must be an integer >= {minimum}")
    if maximum is not None and out > maximum:
        raise ParameterError(f"{name}={_short(value)}: at most {maximum} (bounds the work asked for)")
    return out


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a boolean: ``True``/``False`` (or numpy's booleans), never a truthy other thing (the text
    ``"False"`` is refused, not read as true).

    >>> check_bool("inputs_nonnegative", True)
    True
    >>> check_bool("inputs_nonnegative", "False")
    Traceback (most recent call last):
    ...
    logprune.errors.ParameterTypeError: inputs_nonnegative='False': expected True or False
    """
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool" and type(value).__module__ == "numpy":  # numpy.bool (numpy.bool_)
        return bool(value)
    raise ParameterTypeError(f"{name}={_short(repr(value))}: expected True or False")


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
