"""Certified numbers: sympy expressions evaluated in python-flint ``arb`` balls.

Every real number logprune reports is an :class:`Enclosure` (an exact sympy form and a ball that
contains it); every integer it reports is certified: the expression is evaluated with ball arithmetic
at increasing precision until the enclosure pins the integer down (``arb.unique_fmpz``).  An integer
that stays undecided at the highest precision raises :class:`CertificationError` unless an exact
resolver (a decision procedure in exact arithmetic) is supplied.

Comparisons of balls are never written as a bare ``a < b``: :func:`certainly_le` and friends say what
must be certain.  ``mpmath.iv`` is not used: its exp/log are not certified enclosures.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from logprune.errors import CertificationError

__all__ = [
    "PRECISIONS",
    "Enclosure",
    "arb_eval",
    "arb_of",
    "arb_to_interval",
    "certainly_le",
    "certainly_lt",
    "certified_ceiling",
    "certified_integer",
    "enclose",
    "precision",
    "rational_lower_bound",
]

#: Working precisions (bits) tried in turn until a quantity is certain.
PRECISIONS: tuple[int, ...] = (64, 128, 256, 512, 1024, 2048, 4096, 8192)


@contextlib.contextmanager
def precision(bits: int) -> Iterator[None]:
    """Scope python-flint's working precision to ``bits`` and restore it afterwards."""
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield
    finally:
        flint.ctx.prec = old


def _arb_rational(q: sp.Rational) -> flint.arb:
    return flint.arb(flint.fmpq(int(q.p), int(q.q)))


def arb_eval(expr: Any, env: dict[sp.Symbol, flint.arb]) -> flint.arb:
    """Evaluate an expression whose free symbols are given balls (interval extension: every value of
    the expression for points of the balls lies in the result)."""
    e = sp.sympify(expr)
    missing = e.free_symbols - set(env)
    if missing:
        raise CertificationError(f"expr={e}: no ball for {sorted(map(str, missing))}")
    return _eval(e, env)


def arb_of(expr: Any) -> flint.arb:
    """Evaluate a closed sympy expression as a ball at the current precision.

    Supported: integers, rationals, ``GoldenRatio``, ``E``, ``pi``, ``+``, ``*``, powers, ``log``,
    ``exp``, ``Abs``, ``Max``, ``Min``, ``ceiling``, ``floor``.  Floats are refused (a float in an
    expression is a number that went through rounding).
    """
    e = sp.sympify(expr)
    if e.free_symbols:
        raise CertificationError(f"expr={e}: has free symbols {sorted(map(str, e.free_symbols))}")
    return _eval(e, {})


def _eval(e: sp.Basic, env: dict[sp.Symbol, flint.arb]) -> flint.arb:
    if isinstance(e, sp.Symbol) and e in env:
        return env[e]
    if isinstance(e, sp.Integer):
        return flint.arb(int(e))
    if isinstance(e, sp.Rational):
        return _arb_rational(e)
    if isinstance(e, sp.Float):
        raise CertificationError(f"expr={e}: floats are not exact; use Rational")
    if e is sp.GoldenRatio:
        return (1 + flint.arb(5).sqrt()) / 2
    if e is sp.E:
        return flint.arb.const_e()
    if e is sp.pi:
        return flint.arb.pi()
    if isinstance(e, sp.Add):
        acc = flint.arb(0)
        for a in e.args:
            acc += _eval(a, env)
        return acc
    if isinstance(e, sp.Mul):
        acc = flint.arb(1)
        for a in e.args:
            acc *= _eval(a, env)
        return acc
    if isinstance(e, sp.Pow):
        base, ex = e.args
        if isinstance(ex, sp.Integer):
            b = _eval(base, env)
            n = int(ex)
            return b**n if n >= 0 else 1 / (b ** (-n))
        if ex == sp.Rational(1, 2):
            return _eval(base, env).sqrt()
        if ex == sp.Rational(-1, 2):
            return _eval(base, env).rsqrt()
        return (_eval(ex, env) * _eval(base, env).log()).exp()
    if isinstance(e, sp.log):
        return _eval(e.args[0], env).log()
    if isinstance(e, sp.exp):
        return _eval(e.args[0], env).exp()
    if isinstance(e, sp.Abs):
        v = _eval(e.args[0], env)
        return v.max(-v)
    if isinstance(e, sp.Max):
        vals = [_eval(a, env) for a in e.args]
        out = vals[0]
        for v in vals[1:]:
            out = out.max(v)
        return out
    if isinstance(e, sp.Min):
        vals = [_eval(a, env) for a in e.args]
        out = vals[0]
        for v in vals[1:]:
            out = out.min(v)
        return out
    if isinstance(e, sp.ceiling):
        return _eval(e.args[0], env).ceil()
    if isinstance(e, sp.floor):
        return _eval(e.args[0], env).floor()
    raise CertificationError(f"expr={e}: no ball evaluation for {type(e).__name__}")


def arb_to_interval(x: flint.arb) -> tuple[Fraction, Fraction]:
    """The exact rational endpoints [mid - rad, mid + rad] of a finite ball."""
    if not x.is_finite():
        raise CertificationError(f"ball={x}: not finite")
    m, me = x.mid().man_exp()
    r, re_ = x.rad().man_exp()
    mid = Fraction(int(m)) * Fraction(2) ** int(me)
    rad = Fraction(int(r)) * Fraction(2) ** int(re_)
    return mid - rad, mid + rad


def certainly_lt(a: flint.arb, b: flint.arb) -> bool:
    """True only if every point of ``a`` is < every point of ``b``."""
    return bool(arb_to_interval(a)[1] < arb_to_interval(b)[0])


def certainly_le(a: flint.arb, b: flint.arb) -> bool:
    """True only if every point of ``a`` is <= every point of ``b``."""
    return bool(arb_to_interval(a)[1] <= arb_to_interval(b)[0])


def rational_lower_bound(expr: Any, *, bits: int = 64) -> Fraction:
    """A certified rational lower bound of a closed expression (exact if it is rational).

    Used where an exact algorithm needs a rational input and a smaller value is conservative
    (e.g. a coverage constant c in :func:`logprune.bounds.batch.M_exact`).
    """
    e = sp.nsimplify(expr) if isinstance(expr, float) else sp.sympify(expr)
    if isinstance(e, sp.Rational):
        return Fraction(int(e.p), int(e.q))
    with precision(bits + 32):
        lo, _ = arb_to_interval(arb_of(e))
    return lo


@dataclass(frozen=True)
class Enclosure:
    """A real number: its exact form and a certified ball around it.

    ``lower``/``upper`` are exact rationals with ``lower <= value <= upper``.
    """

    exact: sp.Expr
    lower: Fraction
    upper: Fraction
    digits: int

    @property
    def decimal(self) -> str:
        """Midpoint to ``digits`` significant digits (for display; the ball is the certificate)."""
        mid = (self.lower + self.upper) / 2
        return _fmt_fraction(mid, self.digits)

    @property
    def radius(self) -> Fraction:
        return (self.upper - self.lower) / 2

    def short(self, digits: int = 6) -> str:
        """The midpoint to ``digits`` significant digits (for tables)."""
        return _fmt_fraction((self.lower + self.upper) / 2, digits)

    def as_json(self) -> dict[str, Any]:
        """JSON form: exact expression, decimal midpoint, radius (upper bound, 3 digits)."""
        return {
            "exact": sp.sstr(self.exact),
            "mid": self.decimal,
            "rad": _fmt_fraction(self.radius, 3, up=True) if self.radius else "0",
        }

    def __str__(self) -> str:
        return self.decimal if not self.radius else f"{self.decimal} (± {_fmt_fraction(self.radius, 2, up=True)})"

    def __repr__(self) -> str:
        return f"<Enclosure {self} of {_short_expr(self.exact)}>"

    def __float__(self) -> float:
        """The float nearest the ball's midpoint (the ball, not this float, is the certificate)."""
        return float((self.lower + self.upper) / 2)


def _short_expr(e: sp.Expr, width: int = 60) -> str:
    text = str(sp.sstr(e))
    return text if len(text) <= width else text[: width - 3] + "..."


def _fmt_fraction(q: Fraction, digits: int, *, up: bool = False) -> str:
    """Deterministic decimal of a rational: ``digits`` significant digits (rounded up if ``up``)."""
    if q == 0:
        return "0"
    sign = "-" if q < 0 else ""
    a = abs(q)
    # exponent e with 10^e <= a < 10^(e+1), found exactly
    e = len(str(a.numerator)) - len(str(a.denominator))
    while Fraction(10) ** e > a:
        e -= 1
    while Fraction(10) ** (e + 1) <= a:
        e += 1
    scale = Fraction(10) ** (digits - 1 - e)
    scaled = a * scale
    n = -((-scaled.numerator) // scaled.denominator) if up else round(scaled)
    if n >= 10**digits:  # rounding carried into a new digit
        n //= 10
        e += 1
    s = str(n)
    point = e + 1  # digits before the decimal point
    if -5 <= e < digits + 6:
        if point <= 0:
            body = "0." + "0" * (-point) + s.rstrip("0")
        elif point >= len(s):
            body = s + "0" * (point - len(s))
        else:
            frac = s[point:].rstrip("0")
            body = s[:point] + ("." + frac if frac else "")
        return sign + body
    mant = s[0] + ("." + s[1:].rstrip("0") if s[1:].rstrip("0") else "")
    return f"{sign}{mant}e{e:+d}"


def enclose(expr: Any, *, digits: int = 15) -> Enclosure:
    """Certified enclosure of a closed expression with at least ``digits`` correct significant digits.

    Precision is raised until the ball's relative accuracy suffices; an exact rational is returned
    with radius 0.

    >>> str(enclose(sp.log(sp.GoldenRatio)))
    '0.481211825059603 (± 9.5e-20)'
    """
    e = sp.sympify(expr)
    if isinstance(e, sp.Rational):
        q = Fraction(int(e.p), int(e.q))
        return Enclosure(e, q, q, digits)
    want_bits = int(digits * 3.33) + 4
    last: flint.arb | None = None
    zero_tested = False
    for bits in PRECISIONS:
        with precision(bits):
            v = arb_of(e)
            if v.is_finite() and (v.is_zero() or v.rel_accuracy_bits() >= want_bits):
                lo, hi = arb_to_interval(v)
                return Enclosure(e, lo, hi, digits)
            last = v
        if v.is_finite() and v.contains(0) and not zero_tested:
            # an exact zero never reaches relative accuracy: ask sympy once whether it is one
            zero_tested = True
            if sp.simplify(sp.expand_log(e, force=True)) == 0:
                return Enclosure(e, Fraction(0), Fraction(0), digits)
    if last is not None and last.is_finite():
        # certified, but only to an absolute accuracy (the value is within the radius of 0)
        lo, hi = arb_to_interval(last)
        return Enclosure(e, lo, hi, digits)
    raise CertificationError(f"expr={e}: no {digits}-digit enclosure at {PRECISIONS[-1]} bits (got {last})")


def certified_integer(expr: Any) -> int:
    """The integer value of a closed, integer-valued expression (e.g. a ``ceiling``), certified.

    Raises :class:`CertificationError` if the ball never pins down one integer.
    """
    e = sp.sympify(expr)
    if isinstance(e, sp.Integer):
        return int(e)
    for bits in PRECISIONS:
        with precision(bits):
            z = arb_of(e).unique_fmpz()
        if z is not None:
            return int(z)
    raise CertificationError(f"expr={e}: integer not certified at {PRECISIONS[-1]} bits")


def certified_ceiling(expr: Any, *, exact_resolver: Callable[[int], bool] | None = None) -> int:
    """``ceil(expr)`` certified by balls.

    If ``expr`` is (or is indistinguishable from) an integer N at every precision, balls cannot decide
    between N and N+1; then ``exact_resolver(N)`` must decide exactly whether ``expr <= N``.  Without a
    resolver the function raises rather than guess.
    """
    e = sp.sympify(expr)
    if isinstance(e, sp.Rational):
        return int(sp.ceiling(e))
    v: flint.arb | None = None
    for bits in PRECISIONS:
        with precision(bits):
            v = arb_of(e)
            z = v.ceil().unique_fmpz()
        if z is not None:
            return int(z)
    assert v is not None
    lo, hi = arb_to_interval(v)
    n_lo, n_hi = -((-lo.numerator) // lo.denominator), hi.numerator // hi.denominator
    if exact_resolver is not None and n_lo == n_hi:
        return n_lo if exact_resolver(n_lo) else n_lo + 1
    raise CertificationError(f"expr={e}: ceiling not certified at {PRECISIONS[-1]} bits (ball {v})")
