"""What a proof is here: an ordered list of steps, each a fact over a stated domain and the evidence for it.

Statuses (issue #11): a step's status says what its evidence establishes, never more.

- ``proven``: the evidence establishes the statement for every parameter of the step's stated domain:
  sympy reduces an identity to 0 (symbols carry their declared assumptions) or decides an inequality's
  sign under those assumptions; z3 decides a universally quantified real-arithmetic formula (the
  negation is ``unsat``); arb balls certify an inequality on a subdivision covering the WHOLE stated
  domain; or the statement is about closed numbers and arb/exact arithmetic decides it;
- ``tested``: exact-arithmetic randomised tests over the domain (``Fraction``s, a seeded generator so the
  report is reproducible), all passed; the number of trials is recorded.  A box certification that
  covers only part of the stated domain is ``tested`` too (it says nothing about the rest);
- ``instance``: one numeric instance (the default parameters of the proof), e.g. an integer compared
  with what ``bounds/`` computes at those parameters;
- ``argued``: prose; the evidence says what would prove it;
- ``failed``: the evidence contradicts the statement, or the check could not establish it (sympy cannot
  decide, z3 answers ``unknown`` or times out, the boxes do not certify, a randomised test fails).

Evidence kinds: ``identity``, ``inequality``, ``inequality (boxes)``, ``smt`` (z3), ``tested``
(randomised), ``probability`` (a named inequality such as Chernoff or the union bound, cited, whose
instantiation is a step of one of the other kinds and carries its status), ``constant``, ``agreement``
(the proof's value, recomputed independently in the proof module, equals what ``bounds/`` computes:
``proven`` when both are symbolic formulas equal for every value of their symbols, ``instance`` when they
are numbers at the default parameters), ``argued``.

Every step declares its domain (derived from the symbols' assumptions unless given).

Refusals (raised as :class:`TautologyError` when the step is constructed, so a vacuous step cannot be written):

- an identity whose two sides are the same expression: structurally equal after ``sympify`` (so also
  ``Eq(1/160, 1/160)`` where both sides were computed to the same value, or ``x*y`` and ``y*x``), or whose
  difference sympy's automatic evaluation already makes 0.  Work that sympy would do eagerly (an integral,
  a derivative, a substitution) must be passed unevaluated (``sp.Integral``, ``sp.Derivative``,
  ``sp.Subs``): the check evaluates it;
- a nonnegativity step whose expression has free symbols and whose sign sympy's assumption system derives
  from the declarations alone, on the expression exactly as given (``expr.is_nonnegative is True`` before
  any rewriting: a bare symbol declared nonnegative, a product or sum of such symbols, ``exp`` of a real
  symbol).  Such a step only restates the assumptions; a real inequality needs sympy to rewrite
  (simplify, factor, expand, evaluate an unevaluated operation) or another kind of evidence;
- an agreement step whose two callables are the same object.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from logprune.bounds.certified import arb_eval, arb_to_interval, certified_integer, enclose, precision
from logprune.errors import CertificationError

__all__ = [
    "ARGUED",
    "FAILED",
    "INSTANCE",
    "PROVEN",
    "STATUSES",
    "TESTED",
    "Evidence",
    "Proof",
    "Step",
    "Tally",
    "TautologyError",
    "agreement",
    "argued",
    "boxes_nonneg",
    "constant",
    "decide",
    "identity",
    "nonneg",
    "probability",
    "tally",
    "tested",
]

PROVEN, TESTED, INSTANCE, ARGUED, FAILED = "proven", "tested", "instance", "argued", "failed"
STATUSES: tuple[str, ...] = (PROVEN, TESTED, INSTANCE, ARGUED, FAILED)


class TautologyError(ValueError):
    """A step that would establish nothing: both sides the same, or a restated assumption."""


@dataclass(frozen=True)
class Evidence:
    status: str  # one of STATUSES
    detail: str  # deterministic text (no timestamps, no float noise)


@dataclass(frozen=True)
class Step:
    """One step: the fact it states, the kind of evidence, the formula (for the report), the check, and the
    domain over which the fact is stated."""

    fact: str
    kind: str
    formula: sp.Basic | None
    check: Callable[[], Evidence]
    domain: str = ""

    def run(self) -> Evidence:
        try:
            ev = self.check()
        except (CertificationError, ValueError, TypeError, ZeroDivisionError, ArithmeticError) as exc:
            return Evidence(FAILED, f"the check raised {type(exc).__name__}: {exc}")
        if ev.status not in STATUSES:  # pragma: no cover - a framework bug
            return Evidence(FAILED, f"unknown status {ev.status!r}")
        return ev


@dataclass(frozen=True, kw_only=True)
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
    proven: int = 0
    tested: int = 0
    instance: int = 0
    argued: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The count per status, in the order of :data:`STATUSES`."""
        return {s: int(getattr(self, s)) for s in STATUSES}


def tally(results: Sequence[tuple[Step, Evidence]]) -> Tally:
    t = Tally()
    for step, ev in results:
        setattr(t, ev.status, getattr(t, ev.status) + 1)
        if ev.status == FAILED:
            t.failures.append(f"{step.fact}: {ev.detail}")
    return t


# --- domains -------------------------------------------------------------------------------------------


def _describe(sym: sp.Symbol) -> str:
    a = sym.assumptions0
    kind = "integer " if a.get("integer") else ""
    if a.get("positive"):
        return f"{sym} {kind}> 0".replace("  ", " ")
    if a.get("nonnegative"):
        return f"{sym} {kind}>= 0".replace("  ", " ")
    if a.get("negative"):
        return f"{sym} {kind}< 0".replace("  ", " ")
    if a.get("real") or a.get("extended_real"):
        return f"{sym} {'integer' if kind else 'real'}"
    if not sym.is_commutative:
        return f"{sym} (matrix/vector: noncommutative)"
    return f"{sym} complex"


def _domain_of(exprs: Iterable[sp.Basic], given: str | None, at: str | None) -> str:
    if at is not None:
        return f"the instance {at}"
    if given is not None:
        return given
    syms = sorted({s for e in exprs for s in e.free_symbols if isinstance(s, sp.Symbol)}, key=lambda z: z.name)
    return ", ".join(_describe(s) for s in syms) if syms else "closed numbers (no parameters)"


def _ok(at: str | None) -> str:
    return INSTANCE if at is not None else PROVEN


# --- identities ----------------------------------------------------------------------------------------


def _evaluated(e: sp.Expr) -> sp.Expr:
    return sp.sympify(e.doit()) if isinstance(e, sp.Basic) else sp.sympify(e)


def identity(fact: str, lhs: Any, rhs: Any, *, domain: str | None = None, at: str | None = None) -> Step:
    """lhs = rhs, checked by sympy: the simplified difference (after evaluating unevaluated integrals,
    derivatives, sums, substitutions) is exactly 0.  Refused if both sides are already the same."""
    lhs_, rhs_ = sp.sympify(lhs), sp.sympify(rhs)
    if lhs_ == rhs_ or sp.sympify(lhs_ - rhs_) == 0:
        raise TautologyError(f"{fact!r}: both sides are the same expression {sp.sstr(lhs_)}")

    def check() -> Evidence:
        raw = sp.expand(_evaluated(lhs_) - _evaluated(rhs_))
        diff = sp.simplify(sp.expand_log(raw, force=True))
        if diff == 0:
            return Evidence(_ok(at), "sympy: lhs - rhs simplifies to 0")
        return Evidence(FAILED, f"sympy: lhs - rhs simplifies to {sp.sstr(diff)}, not 0")

    dom = _domain_of((lhs_, rhs_), domain, at)
    return Step(fact, "identity", sp.Eq(lhs_, rhs_, evaluate=False), check, dom)


# --- inequalities --------------------------------------------------------------------------------------


def _sign_nonneg(expr: sp.Expr) -> bool | None:
    e = _evaluated(expr)
    for rewrite in (lambda z: z, sp.factor, sp.simplify, sp.together, sp.expand):
        v = rewrite(e).is_nonnegative
        if v is not None:
            return bool(v)
    return None


def _refuse_restated_assumption(fact: str, e: sp.Expr) -> None:
    if e.free_symbols and e.is_nonnegative is True:
        raise TautologyError(
            f"{fact!r}: {sp.sstr(e)} >= 0 follows from the symbols' declared assumptions alone "
            "(sympy's assumption system, no rewriting): it restates an assumption"
        )


def nonneg(
    fact: str,
    expr: Any,
    *,
    domain: str | None = None,
    at: str | None = None,
    box: dict[sp.Symbol, tuple[Any, Any]] | None = None,
) -> Step:
    """expr >= 0: symbolically under the symbols' assumptions (after rewriting), else by arb boxes over
    ``box`` if given (which must then be the whole stated domain).  Refused if the sign is a restated
    assumption (module doc)."""
    e = sp.sympify(expr)
    _refuse_restated_assumption(fact, e)
    fallback = boxes_nonneg(fact, e, box) if box is not None else None

    def check() -> Evidence:
        if not e.free_symbols:
            return _closed_nonneg(e, at)
        sign = _sign_nonneg(e)
        if sign is True:
            return Evidence(_ok(at), "sympy: nonnegative under the stated assumptions (after rewriting)")
        if sign is False:
            return Evidence(FAILED, "sympy: the expression can be negative under the stated assumptions")
        if fallback is not None:
            return fallback.run()
        return Evidence(FAILED, "not established: sympy cannot decide the sign and no bounded domain was given")

    dom = fallback.domain if fallback is not None else _domain_of((e,), domain, at)
    return Step(fact, "inequality", sp.GreaterThan(e, 0, evaluate=False), check, dom)


def _closed_nonneg(e: sp.Expr, at: str | None) -> Evidence:
    """A closed number >= 0: exact for rationals, else certified by balls (never sympy's floats)."""
    ok = _ok(at)
    if isinstance(e, sp.Rational):
        return Evidence(ok if e >= 0 else FAILED, f"exact rational {'>=' if e >= 0 else '<'} 0")
    for bits in (64, 256, 1024, 4096):
        with precision(bits):
            lo, hi = arb_to_interval(arb_eval(e, {}))
        if lo >= 0:
            return Evidence(ok, f"arb: certified >= 0 (enclosure [{float(lo):.6g}, {float(hi):.6g}])")
        if hi < 0:
            return Evidence(FAILED, f"arb: certified < 0 (enclosure [{float(lo):.6g}, {float(hi):.6g}])")
    if sp.simplify(e) == 0:
        return Evidence(ok, "sympy: exactly 0")
    return Evidence(FAILED, "not established: the sign is not decided at 4096 bits")


def boxes_nonneg(
    fact: str,
    expr: Any,
    box: dict[sp.Symbol, tuple[Any, Any]],
    *,
    stated_domain: str | None = None,
    max_boxes: int = 4096,
    bits: int = 128,
) -> Step:
    """expr >= 0 on the closed box ``box``, certified with arb balls by bisection (every box certified).

    The stated domain is the box itself (status ``proven``) unless ``stated_domain`` names a larger one, of
    which the box is only a part: then the certification is reported as ``tested``, never ``proven``."""
    e = sp.sympify(expr)
    _refuse_restated_assumption(fact, e)
    syms = list(box)
    dom = ", ".join(f"{z} in [{sp.Rational(box[z][0])}, {sp.Rational(box[z][1])}]" for z in syms)

    def check() -> Evidence:
        stack: list[dict[sp.Symbol, tuple[Fraction, Fraction]]] = [
            {s: (Fraction(str(sp.Rational(lo))), Fraction(str(sp.Rational(hi)))) for s, (lo, hi) in box.items()}
        ]
        done = 0
        with precision(bits):
            while stack:
                b = stack.pop()
                env = {s: _ball(lo, hi) for s, (lo, hi) in b.items()}
                lo_v, _ = arb_to_interval(arb_eval(e, env)) if _finite(e, env) else (None, None)
                if lo_v is not None and lo_v >= 0:
                    done += 1
                    continue
                if len(stack) + done >= max_boxes:
                    return Evidence(FAILED, f"not certified within {max_boxes} boxes (stuck near {_fmt_box(b)})")
                s = max(syms, key=lambda z: b[z][1] - b[z][0])  # split the widest side
                lo_s, hi_s = b[s]
                if hi_s - lo_s < Fraction(1, 2**40):
                    return Evidence(FAILED, f"expression < 0 or undecidable near {_fmt_box(b)}")
                mid = (lo_s + hi_s) / 2
                stack.append({**b, s: (lo_s, mid)})
                stack.append({**b, s: (mid, hi_s)})
        if stated_domain is not None:
            return Evidence(
                TESTED, f"arb: certified >= 0 on {done} boxes covering only {dom} of the stated domain {stated_domain}"
            )
        return Evidence(PROVEN, f"arb: certified >= 0 on {done} boxes covering the whole domain {dom}")

    return Step(fact, "inequality (boxes)", sp.GreaterThan(e, 0, evaluate=False), check, stated_domain or dom)


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


# --- SMT (z3) ------------------------------------------------------------------------------------------


class _Z3:
    """sympy -> z3 for real polynomial/rational arithmetic (+, ·, integer powers, rationals, sqrt of a
    positive rational and phi as algebraic numbers defined by their polynomial, Max/Min, relations)."""

    def __init__(self) -> None:
        import z3  # type: ignore[import-untyped]

        self.z3 = z3
        self.vars: dict[sp.Symbol, Any] = {}
        self.side: list[Any] = []  # defining constraints of algebraic constants and symbol assumptions
        self.consts: dict[sp.Expr, Any] = {}

    def var(self, s: sp.Symbol) -> Any:
        if s not in self.vars:
            v = self.z3.Real(s.name)
            self.vars[s] = v
            if s.is_positive:
                self.side.append(v > 0)
            elif s.is_nonnegative:
                self.side.append(v >= 0)
            elif s.is_negative:
                self.side.append(v < 0)
            elif not s.is_real:
                raise TypeError(f"z3 translation: symbol {s} is not declared real")
        return self.vars[s]

    def algebraic(self, e: sp.Expr) -> Any:
        if e not in self.consts:
            z3 = self.z3
            v = z3.Real(f"alg{len(self.consts)}")
            if e == sp.GoldenRatio:
                self.side += [v * v == v + 1, v > 0]
            elif isinstance(e, sp.Pow) and e.exp == sp.Rational(1, 2) and isinstance(e.base, sp.Rational):
                self.side += [v * v == self.tr(e.base), v >= 0]
            else:  # pragma: no cover - guarded by the caller
                raise TypeError(f"z3 translation: {e}")
            self.consts[e] = v
        return self.consts[e]

    def tr(self, e: Any) -> Any:
        z3 = self.z3
        e = sp.sympify(e)
        if isinstance(e, sp.Symbol):
            return self.var(e)
        if isinstance(e, sp.Rational):
            return z3.RealVal(f"{e.p}/{e.q}")
        if e == sp.GoldenRatio or (
            isinstance(e, sp.Pow) and e.exp == sp.Rational(1, 2) and isinstance(e.base, sp.Rational)
        ):
            return self.algebraic(e)
        if isinstance(e, sp.Add):
            return z3.Sum(*[self.tr(a) for a in e.args])
        if isinstance(e, sp.Mul):
            return z3.Product(*[self.tr(a) for a in e.args])
        if isinstance(e, sp.Pow) and isinstance(e.exp, sp.Integer):
            b, n = self.tr(e.base), int(e.exp)
            p = z3.RealVal(1)
            for _ in range(abs(n)):
                p = p * b
            return p if n >= 0 else 1 / p
        if isinstance(e, sp.Max | sp.Min):
            args = [self.tr(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = z3.If(a > out, a, out) if isinstance(e, sp.Max) else z3.If(a < out, a, out)
            return out
        if isinstance(e, sp.And):
            return z3.And(*[self.tr(a) for a in e.args])
        if isinstance(e, sp.Or):
            return z3.Or(*[self.tr(a) for a in e.args])
        if isinstance(e, sp.Not):
            return z3.Not(self.tr(e.args[0]))
        if isinstance(e, sp.Implies):
            return z3.Implies(self.tr(e.args[0]), self.tr(e.args[1]))
        if isinstance(e, sp.Equivalent):
            return z3.And(*[self.tr(a) == self.tr(e.args[0]) for a in e.args[1:]])
        rel: dict[type[sp.Basic], Callable[[Any, Any], Any]] = {
            sp.GreaterThan: lambda a, b: a >= b,
            sp.StrictGreaterThan: lambda a, b: a > b,
            sp.LessThan: lambda a, b: a <= b,
            sp.StrictLessThan: lambda a, b: a < b,
            sp.Equality: lambda a, b: a == b,
        }
        for cls, f in rel.items():
            if isinstance(e, cls):
                return f(self.tr(e.args[0]), self.tr(e.args[1]))
        raise TypeError(f"z3 translation: unsupported {type(e).__name__} in {sp.sstr(e)}")


def decide(
    fact: str,
    conclusion: Any,
    *,
    where: Sequence[Any] = (),
    domain: str | None = None,
    timeout_ms: int = 20000,
) -> Step:
    """∀ symbols (their declared assumptions ∧ ``where``) ⇒ ``conclusion``, decided by z3 over the reals:
    the negation is asserted and ``unsat`` means proven; ``sat`` gives a counterexample (failed);
    ``unknown`` (or the timeout) is reported as failed, never as proven."""
    concl = sp.sympify(conclusion)
    hyps = tuple(sp.sympify(w) for w in where)
    if not concl.free_symbols:
        raise TautologyError(f"{fact!r}: a closed conclusion needs no solver (use nonneg or identity)")
    if concl in hyps:
        raise TautologyError(f"{fact!r}: the conclusion is one of the hypotheses")

    def check() -> Evidence:
        t = _Z3()
        z3 = t.z3
        c = t.tr(concl)
        hs = [t.tr(h) for h in hyps]
        s = z3.Solver()
        s.set("timeout", timeout_ms)
        s.add(*t.side, *hs, z3.Not(c))
        r = s.check()
        if r == z3.unsat:
            return Evidence(PROVEN, "z3: the negation is unsat over the reals (the formula holds on the whole domain)")
        if r == z3.sat:
            m = s.model()
            cex = ", ".join(f"{k}={m.eval(v)}" for k, v in sorted(t.vars.items(), key=lambda kv: kv[0].name))
            return Evidence(FAILED, f"z3: counterexample {cex}")
        return Evidence(FAILED, f"not proven: z3 answers unknown ({s.reason_unknown()})")

    formula = sp.Implies(sp.And(*hyps), concl, evaluate=False) if hyps else concl
    dom = _domain_of((concl, *hyps), domain, None)
    if domain is None and hyps:
        dom += "; " + ", ".join(sp.sstr(h) for h in hyps)
    return Step(fact, "smt", formula, check, dom)


# --- randomised exact tests ----------------------------------------------------------------------------


def tested(
    fact: str,
    trial: Callable[[random.Random], str | None],
    *,
    count: int,
    domain: str,
    seed: int = 0,
) -> Step:
    """``count`` exact randomised trials (``trial`` draws its instance from the seeded generator and returns
    None if the statement holds there, or a description of the counterexample)."""

    def check() -> Evidence:
        rng = random.Random(seed)
        for i in range(count):
            bad = trial(rng)
            if bad is not None:
                return Evidence(FAILED, f"trial {i + 1} of {count} (seed {seed}) is a counterexample: {bad}")
        return Evidence(TESTED, f"{count} exact randomised trials (seed {seed}), all hold")

    return Step(fact, "tested", None, check, domain)


# --- the rest ------------------------------------------------------------------------------------------


def probability(fact: str, inequality: str, instantiation: Step) -> Step:
    """A probabilistic step by a named (cited) inequality; its instantiation is checked by
    ``instantiation``, whose status it carries."""

    def check() -> Evidence:
        ev = instantiation.run()
        return Evidence(ev.status, f"{inequality} (cited); instantiation: {ev.detail}")

    return Step(fact, "probability", instantiation.formula, check, instantiation.domain)


def constant(fact: str, expr: Any, *, at: str, expected: int | None = None, digits: int = 15) -> Step:
    """A numeric constant at the default parameters ``at`` certified as an enclosure; an integer
    ``expected`` (computed elsewhere, e.g. by bounds/) must be certified equal.  Always an ``instance``."""
    e = sp.sympify(expr)

    def check() -> Evidence:
        if expected is not None:
            got = certified_integer(e)
            if got == expected:
                return Evidence(INSTANCE, f"certified integer {got}")
            return Evidence(FAILED, f"certified integer {got}, expected {expected}")
        return Evidence(INSTANCE, f"certified enclosure {enclose(e, digits=digits)}")

    return Step(fact, "constant", e, check, f"the instance {at}")


def agreement(fact: str, ours: Callable[[], Any], theirs: Callable[[], Any], *, at: str | None = None) -> Step:
    """The proof's value (recomputed in the proof module, never by the function of bounds/ it is compared
    with) equals bounds/' value: ``proven`` for symbolic formulas equal for every value of their symbols,
    ``instance`` for values at the default parameters ``at``."""
    if ours is theirs:
        raise TautologyError(f"{fact!r}: both sides are computed by the same callable")

    def check() -> Evidence:
        a, b = ours(), theirs()
        symbolic = isinstance(a, sp.Basic) and isinstance(b, sp.Basic)
        same = (sp.simplify(sp.sympify(a) - sp.sympify(b)) == 0) if symbolic else a == b
        if not same:
            return Evidence(FAILED, f"proof gives {_short(a)}, bounds/ gives {_short(b)}")
        general = symbolic and bool(sp.sympify(a).free_symbols) and at is None
        status = PROVEN if general else INSTANCE
        return Evidence(status, f"proof and bounds/ agree{' as formulas' if general else ''}: {_short(a)}")

    return Step(fact, "agreement", None, check, f"the instance {at}" if at else "every value of the formulas' symbols")


def _short(v: Any) -> str:
    s = sp.sstr(v) if isinstance(v, sp.Basic) else str(v)
    return s if len(s) <= 80 else s[:77] + "..."


def argued(fact: str, argument: str, *, would_prove: str) -> Step:
    """A step argued in prose (e.g. a published constant we do not have); ``would_prove`` says what evidence
    would discharge it."""
    return Step(
        fact, "argued", None, lambda: Evidence(ARGUED, f"{argument}; would be proven by: {would_prove}"), "as stated"
    )
