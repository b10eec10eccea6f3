"""Numeric contexts: the Ĝ arithmetic is written once and run exactly, in balls, or in floats.

After mpmath's contexts.  ``EXACT`` uses gmpy2.mpq when it is installed, else fractions.Fraction: a
float weight of G is an exact dyadic rational, so sums of products of weights and their errors are
exact.  ``BALL`` uses python-flint arb balls (rigorous, faster for long sums).  ``FLOAT`` is plain float64:
a quick estimate, never a certificate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

__all__ = ["BALL", "EXACT", "FLOAT", "Context", "as_fraction", "get_context", "sqrt_up"]

try:  # pragma: no cover - depends on the optional extra
    import gmpy2

    _mpq: Any = gmpy2.mpq
    HAVE_GMPY2 = True
except ImportError:  # pragma: no cover
    _mpq = Fraction
    HAVE_GMPY2 = False


def sqrt_up(q: Fraction, *, bits: int = 64) -> Fraction:
    """A rational >= sqrt(q) on the grid 2^-bits, within one grid step (exact integer square root)."""
    if q < 0:
        raise ValueError("sqrt of a negative number")
    if q == 0:
        return Fraction(0)
    scale = 1 << bits
    r = math.isqrt(q.numerator * scale * scale // q.denominator)
    while Fraction(r, scale) ** 2 < q:
        r += 1
    return Fraction(r, scale)


def as_fraction(x: Any) -> Fraction:
    """An exact rational (mpq, Fraction, int or float) as a Fraction."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(x)
    return Fraction(int(x.numerator), int(x.denominator))


@dataclass(frozen=True)
class Context:
    """One arithmetic: how to read a float, take an upper square root, and decide a <= b."""

    name: str
    certified: bool

    def num(self, x: float | int | Fraction) -> Any:
        if self.name == "exact":
            return _mpq(x) if not isinstance(x, Fraction) else _mpq(x.numerator, x.denominator)
        if self.name == "ball":
            if isinstance(x, Fraction):
                return flint.arb(flint.fmpq(x.numerator, x.denominator))
            return flint.arb(x)
        return float(x)

    def zero(self) -> Any:
        return self.num(0)

    def sqrt_up(self, x: Any) -> Any:
        """An upper bound of sqrt(x) in this context (exact rational, ball, or float)."""
        if self.name == "exact":
            return self.num(sqrt_up(as_fraction(x)))
        if self.name == "ball":
            return x.sqrt()
        return math.sqrt(x)

    def upper(self, x: Any) -> Fraction:
        """A rational upper bound of x (exact for exact numbers, the ball's upper end for balls)."""
        if self.name == "exact":
            return as_fraction(x)
        if self.name == "ball":
            m, e = x.mid().man_exp()
            r, re_ = x.rad().man_exp()
            return Fraction(int(m)) * Fraction(2) ** int(e) + Fraction(int(r)) * Fraction(2) ** int(re_)
        return Fraction(x)

    def certainly_le(self, x: Any, y: Fraction) -> bool:
        """x <= y for sure (in FLOAT mode: as far as floats can tell)."""
        return self.upper(x) <= y


EXACT = Context("exact", True)
BALL = Context("ball", True)
FLOAT = Context("float", False)


def get_context(name: str) -> Context:
    for c in (EXACT, BALL, FLOAT):
        if c.name == name:
            return c
    from logprune.errors import ParameterError

    raise ParameterError(f"context={name}: expected exact, ball or float")
