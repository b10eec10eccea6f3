"""Numeric contexts: Ĝ's arithmetic is written once and run exactly, in balls, or in floats.

After mpmath's contexts (mp / iv / fp, each a class): the construction and ``verify`` call ``ctx.num``,
``+``, ``*`` and ``ctx.upper`` and never know which arithmetic runs.

- :class:`ExactContext` uses gmpy2.mpq when it is installed, else fractions.Fraction: a float weight of G
  is an exact dyadic rational, so sums of products of weights and their errors are exact.
- :class:`BallContext` uses python-flint arb balls at its own precision (``prec`` bits, scoped by
  :meth:`BallContext.scope`, restored afterwards): rigorous, and its upper ends are certified bounds.
- :class:`FloatContext` is plain float64: a quick estimate, never a certificate.

``upper`` turns a number of the context into an exact rational upper bound (the ball's upper end), the
only form in which numbers leave a context: partial results computed in worker processes travel as
exact rationals (arb balls cannot be pickled), and rationals are what the certificate is made of.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

from logprune.choices import Arithmetic, choice

__all__ = [
    "BallContext",
    "Context",
    "ExactContext",
    "FloatContext",
    "as_fraction",
    "context_for",
    "rational",
    "sqrt_up",
]

try:  # pragma: no cover - depends on the optional extra
    import gmpy2

    _mpq: Any = gmpy2.mpq
except ImportError:  # pragma: no cover
    _mpq = Fraction


def rational(x: float | int | Fraction) -> Any:
    """The fastest exact rational type available (gmpy2.mpq, else Fraction) holding ``x`` exactly."""
    if type(x) is float:  # the hot path (G's weights); isinstance(x, Fraction) goes through an ABC check
        return _mpq(x)
    if isinstance(x, Fraction):
        return _mpq(x.numerator, x.denominator)
    return _mpq(x)


def sqrt_up(q: Fraction, *, bits: int = 64) -> Fraction:
    """A rational >= sqrt(q) on the grid 2^-bits, within one grid step (exact integer square root).

    >>> sqrt_up(Fraction(4))
    Fraction(2, 1)
    >>> sqrt_up(Fraction(2), bits=4)  # 23/16 = 1.4375 >= 1.41421... > 22/16
    Fraction(23, 16)
    """
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
    """One arithmetic for Ĝ's effective weights and errors (subclasses below)."""

    @property
    def kind(self) -> Arithmetic:
        raise NotImplementedError

    @property
    def certified(self) -> bool:
        """Whether :meth:`upper` of a computed value is a rigorous bound (exact and ball: yes)."""
        return True

    @property
    def name(self) -> str:
        return self.kind.value

    def num(self, x: float | int | Fraction) -> Any:
        """``x`` (a float64 weight, an int or a rational) as a number of this context."""
        raise NotImplementedError

    def zero(self) -> Any:
        return self.num(0)

    def upper(self, x: Any) -> Fraction:
        """An exact rational upper bound of ``x`` (``x`` itself for exact numbers)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Whatever global state this arithmetic needs, set for the duration (ball: the precision)."""
        yield


@dataclass(frozen=True)
class ExactContext(Context):
    @property
    def kind(self) -> Arithmetic:
        return Arithmetic.EXACT

    def num(self, x: float | int | Fraction) -> Any:
        return rational(x)

    def upper(self, x: Any) -> Fraction:
        return as_fraction(x)


@dataclass(frozen=True)
class BallContext(Context):
    """arb balls at ``prec`` bits (python-flint's default is 53; :meth:`scope` sets and restores it)."""

    prec: int = 53

    @property
    def kind(self) -> Arithmetic:
        return Arithmetic.BALL

    def num(self, x: float | int | Fraction) -> Any:
        if isinstance(x, Fraction):
            return flint.arb(flint.fmpq(x.numerator, x.denominator))
        return flint.arb(x)

    def upper(self, x: Any) -> Fraction:
        m, e = x.mid().man_exp()
        r, re_ = x.rad().man_exp()
        return Fraction(int(m)) * Fraction(2) ** int(e) + Fraction(int(r)) * Fraction(2) ** int(re_)

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        old = flint.ctx.prec
        flint.ctx.prec = self.prec
        try:
            yield
        finally:
            flint.ctx.prec = old


@dataclass(frozen=True)
class FloatContext(Context):
    @property
    def kind(self) -> Arithmetic:
        return Arithmetic.FLOAT

    @property
    def certified(self) -> bool:
        return False  # float rounding is not accounted for: an estimate

    def num(self, x: float | int | Fraction) -> Any:
        return float(x)

    def upper(self, x: Any) -> Fraction:
        return Fraction(x)


def context_for(arithmetic: Arithmetic | str) -> Context:
    """The context of an :class:`~logprune.choices.Arithmetic` (or its spelling)."""
    kind = choice(Arithmetic, "arithmetic", arithmetic)
    if kind is Arithmetic.EXACT:
        return ExactContext()
    if kind is Arithmetic.BALL:
        return BallContext()
    return FloatContext()
