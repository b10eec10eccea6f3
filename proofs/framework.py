"""What a proof is here: an ordered list of steps, each a fact and the evidence that checks it.

Evidence kinds (issue #4):
- ``identity``: sympy simplifies lhs - rhs to exactly 0;
- ``inequality``: expr >= 0 proven symbolically (sympy decides the sign under the symbols' assumptions),
  or, where sympy cannot decide, certified with arb balls over an explicitly subdivided bounded box
  (every box certified; the number of boxes is recorded);
- ``probability``: a named, stated inequality (Chernoff, union bound, ...) whose instantiation is an
  identity or inequality checked as above;
- ``constant``: a numeric constant certified as an enclosure (and compared with what bounds/ computes);
- ``agreement``: the proof's final explicit bound equals what bounds/ computes (so they cannot drift).
A step whose evidence cannot be checked is ``unchecked``, never ``checked``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from logprune.bounds.certified import arb_eval, arb_to_interval, certified_integer, enclose, precision
from logprune.errors import CertificationError

__all__ = [
    "Evidence",
    "Proof",
    "Step",
    "agreement",
    "boxes_nonneg",
    "constant",
    "identity",
    "nonneg",
    "probability",
    "unchecked",
]

CHECKED, FAILED, UNCHECKED = "checked", "failed", "unchecked"


@dataclass(frozen=True)
class Evidence:
    status: str  # checked | failed | unchecked
    detail: str  # deterministic text (no timestamps, no float noise)


@dataclass(frozen=True)
class Step:
    """One step: the fact it states, the kind of evidence, the formula (for the report), the check."""

    fact: str
    kind: str
    formula: sp.Basic | None
    check: Callable[[], Evidence]

    def run(self) -> Evidence:
        try:
            return self.check()
        except (CertificationError, ValueError, TypeError, ZeroDivisionError, ArithmeticError) as exc:
            return Evidence(FAILED, f"the check raised {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class Proof:
    """A claim, its statement with all constants, its assumptions and its steps."""

    claim: str
    title: str
    statement: str
    assumptions: tuple[str, ...]
    steps: tuple[Step, ...]
    constants: tuple[tuple[str, str], ...] = ()  # (name, certified value at the default parameters)
    differences: tuple[str, ...] = ()  # where our explicit constant differs from the slides/digest
    mutation: str | None = None

    def run(self) -> list[tuple[Step, Evidence]]:
        return [(s, s.run()) for s in self.steps]


@dataclass
class Tally:
    checked: int = 0
    failed: int = 0
    unchecked: int = 0
    failures: list[str] = field(default_factory=list)


def tally(results: Sequence[tuple[Step, Evidence]]) -> Tally:
    t = Tally()
    for step, ev in results:
        if ev.status == CHECKED:
            t.checked += 1
        elif ev.status == FAILED:
            t.failed += 1
            t.failures.append(f"{step.fact}: {ev.detail}")
        else:
            t.unchecked += 1
    return t


def identity(fact: str, lhs: Any, rhs: Any) -> Step:
    """lhs = rhs, checked by sympy: the simplified difference is exactly 0."""
    lhs_, rhs_ = sp.sympify(lhs), sp.sympify(rhs)

    def check() -> Evidence:
        diff = sp.simplify(sp.expand_log(sp.expand(lhs_ - rhs_), force=True))
        if diff == 0:
            return Evidence(CHECKED, "sympy: lhs - rhs simplifies to 0")
        return Evidence(FAILED, f"sympy: lhs - rhs simplifies to {sp.sstr(diff)}, not 0")

    return Step(fact, "identity", sp.Eq(lhs_, rhs_, evaluate=False), check)


def _sign_nonneg(expr: sp.Expr) -> bool | None:
    for form in (expr, sp.factor(expr), sp.simplify(expr), sp.together(expr)):
        v = form.is_nonnegative
        if v is not None:
            return bool(v)
    return None


def boxes_nonneg(
    fact: str, expr: Any, domain: dict[sp.Symbol, tuple[Any, Any]], *, max_boxes: int = 4096, bits: int = 128
) -> Step:
    """expr >= 0 on the box ``domain``, certified with arb balls by bisection (every box certified)."""
    e = sp.sympify(expr)
    syms = list(domain)

    def check() -> Evidence:
        stack: list[dict[sp.Symbol, tuple[Fraction, Fraction]]] = [
            {s: (Fraction(str(sp.Rational(lo))), Fraction(str(sp.Rational(hi)))) for s, (lo, hi) in domain.items()}
        ]
        done = 0
        with precision(bits):
            while stack:
                box = stack.pop()
                env = {s: _ball(lo, hi) for s, (lo, hi) in box.items()}
                lo_v, _ = arb_to_interval(arb_eval(e, env)) if _finite(e, env) else (None, None)
                if lo_v is not None and lo_v >= 0:
                    done += 1
                    continue
                if len(stack) + done >= max_boxes:
                    return Evidence(FAILED, f"not certified within {max_boxes} boxes (stuck near {_fmt_box(box)})")
                # split the widest side
                s = max(syms, key=lambda z: box[z][1] - box[z][0])
                a, b = box[s]
                if b - a < Fraction(1, 2**40):
                    return Evidence(FAILED, f"expression < 0 or undecidable near {_fmt_box(box)}")
                mid = (a + b) / 2
                stack.append({**box, s: (a, mid)})
                stack.append({**box, s: (mid, b)})
        dom = ", ".join(f"{z} in [{sp.Rational(domain[z][0])}, {sp.Rational(domain[z][1])}]" for z in syms)
        return Evidence(CHECKED, f"arb: certified >= 0 on {done} boxes covering {dom}")

    return Step(fact, "inequality (boxes)", sp.GreaterThan(e, 0, evaluate=False), check)


def _ball(lo: Fraction, hi: Fraction) -> flint.arb:
    """A ball containing [lo, hi] (the hull of the two end balls)."""
    return flint.arb(flint.fmpq(lo.numerator, lo.denominator)).union(
        flint.arb(flint.fmpq(hi.numerator, hi.denominator))
    )


def _finite(e: sp.Expr, env: dict[sp.Symbol, flint.arb]) -> bool:
    try:
        return bool(arb_eval(e, env).is_finite())
    except (CertificationError, ValueError, ZeroDivisionError):
        return False


def _fmt_box(box: dict[sp.Symbol, tuple[Fraction, Fraction]]) -> str:
    return ", ".join(f"{s}~{float(a):.4g}" for s, (a, _) in box.items())


def nonneg(fact: str, expr: Any, *, domain: dict[sp.Symbol, tuple[Any, Any]] | None = None) -> Step:
    """expr >= 0: symbolically under the symbols' assumptions, else by boxes over ``domain`` if given."""
    e = sp.sympify(expr)
    fallback = boxes_nonneg(fact, e, domain) if domain is not None else None

    def check() -> Evidence:
        if not e.free_symbols:
            return _closed_nonneg(e)
        sign = _sign_nonneg(e)
        if sign is True:
            return Evidence(CHECKED, "sympy: nonnegative under the stated assumptions")
        if sign is False:
            return Evidence(FAILED, "sympy: the expression can be negative under the stated assumptions")
        if fallback is not None:
            return fallback.run()
        return Evidence(UNCHECKED, "sympy cannot decide the sign and no bounded domain was given")

    return Step(fact, "inequality", sp.GreaterThan(e, 0, evaluate=False), check)


def _closed_nonneg(e: sp.Expr) -> Evidence:
    """A closed number >= 0: exact for rationals, else certified by balls (never sympy's floats)."""
    if isinstance(e, sp.Rational):
        return Evidence(CHECKED if e >= 0 else FAILED, f"exact rational {'>=' if e >= 0 else '<'} 0")
    for bits in (64, 256, 1024, 4096):
        with precision(bits):
            lo, hi = arb_to_interval(arb_eval(e, {}))
        if lo >= 0:
            return Evidence(CHECKED, f"arb: certified >= 0 (enclosure [{float(lo):.6g}, {float(hi):.6g}])")
        if hi < 0:
            return Evidence(FAILED, f"arb: certified < 0 (enclosure [{float(lo):.6g}, {float(hi):.6g}])")
    if sp.simplify(e) == 0:
        return Evidence(CHECKED, "sympy: exactly 0")
    return Evidence(UNCHECKED, "the sign is not decided at 4096 bits")


def probability(fact: str, inequality: str, instantiation: Step) -> Step:
    """A probabilistic step by a named inequality; its instantiation is checked by ``instantiation``."""

    def check() -> Evidence:
        ev = instantiation.run()
        return Evidence(ev.status, f"{inequality}; instantiation: {ev.detail}")

    return Step(fact, "probability", instantiation.formula, check)


def constant(fact: str, expr: Any, *, expected: int | None = None, digits: int = 15) -> Step:
    """A numeric constant certified as an enclosure; an integer ``expected`` must be certified equal."""
    e = sp.sympify(expr)

    def check() -> Evidence:
        if expected is not None:
            got = certified_integer(e)
            if got == expected:
                return Evidence(CHECKED, f"certified integer {got}")
            return Evidence(FAILED, f"certified integer {got}, expected {expected}")
        return Evidence(CHECKED, f"certified enclosure {enclose(e, digits=digits)}")

    return Step(fact, "constant", e, check)


def agreement(fact: str, ours: Callable[[], Any], theirs: Callable[[], Any]) -> Step:
    """The proof's explicit value equals bounds/' value (exact comparison of integers, rationals, sympy)."""

    def check() -> Evidence:
        a, b = ours(), theirs()
        same = (sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0) if isinstance(a, sp.Basic) else a == b
        if same:
            return Evidence(CHECKED, f"proof and bounds/ agree: {_short(a)}")
        return Evidence(FAILED, f"proof gives {_short(a)}, bounds/ gives {_short(b)}")

    return Step(fact, "agreement", None, check)


def _short(v: Any) -> str:
    s = sp.sstr(v) if isinstance(v, sp.Basic) else str(v)
    return s if len(s) <= 80 else s[:77] + "..."


def unchecked(fact: str, why: str) -> Step:
    """A step we state but cannot check (e.g. a published constant we do not have)."""
    return Step(fact, "unchecked", None, lambda: Evidence(UNCHECKED, why))
