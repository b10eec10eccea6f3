"""L1: Malach et al.'s two-neuron decomposition with uniform weights (docs/claims.md, L1).  Mutation
``one-part``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import sampling
from logprune.proofs.framework import Proof, agreement, decide, identity, nonneg, probability

CLAIM = "L1"
DEFAULTS: dict[str, Any] = {"eps": Fraction(1, 10), "delta": Fraction(1, 100)}
MUTATIONS = {"one-part": "only one of the two parts sigma(w), sigma(-w) in the union bound"}


def _unevaluated(d: sp.Expr, events: int, q: sp.Expr, n: int) -> sp.Expr:
    """delta - events·q^n, kept unevaluated (the exact power has thousands of digits)."""
    return sp.Add(d, sp.Mul(-events, sp.Pow(q, n, evaluate=False), evaluate=False), evaluate=False)


def proof(mutation: str | None = None) -> Proof:
    eps, a, u = sp.symbols("epsilon a u", positive=True)
    v = sp.Symbol("v", nonnegative=True)
    p_sym = sp.Symbol("p", positive=True)
    e, d = sp.Rational(DEFAULTS["eps"]), sp.Rational(DEFAULTS["delta"])
    parts = 1 if mutation == "one-part" else 2
    p = e**2 / 4
    n = int(sp.ceiling(sp.log(d / parts) / sp.log(1 - p)).evalf(50))  # located here, checked exactly below
    at = f"eps = {e}, delta = {d}"
    p_unit = sp.Symbol("p", real=True)
    steps = (
        identity(
            "At |w| = 1: P(|a - w| <= eps)·P(|o - 1| <= eps) = (eps/2)(eps/2) for a, o ~ U[-1, 1]",
            sp.Integral(sp.Rational(1, 2), (a, 1 - eps, 1)) ** 2,
            eps**2 / 4,
        ),
        identity(
            "For w = 1 - v in [0, 1] (w < 0 is symmetric), eps <= 1, and v = eps + s >= eps: the window "
            "[w-eps, w+eps] has length min(1, w+eps) - (w-eps) = 2 eps >= eps inside [-1, 1]",
            sp.Min(1, 1 - (eps + v) + eps, evaluate=False) - (1 - (eps + v) - eps),
            2 * eps,
        ),
        identity(
            "and for v < eps (eps = v + s): length min(1, 1 + s) - (1 - 2v - s) = v + eps >= eps",
            sp.Min(1, 1 + u, evaluate=False) - (1 - 2 * v - u),
            v + (v + u),
        ),
        identity("-ln(1-p) - p vanishes at p = 0", sp.Subs(-sp.log(1 - p_sym) - p_sym, p_sym, 0), 0, domain="p = 0"),
        decide(
            "and grows on (0, 1): its derivative 1/(1-p) - 1 >= 0; hence -ln(1-p) >= p and N <= ln(2/delta)/p",
            1 / (1 - p_unit) - 1 >= 0,
            where=(p_unit > 0, p_unit < 1),
        ),
        probability(
            f"Union bound over the {parts} part(s): 2·(1-p)^N <= delta at N = {n} (eps = {e}, delta = {d})",
            "union bound over the parts sigma(w) and sigma(-w)",
            nonneg("delta - events·(1-p)^N", _unevaluated(d, parts, 1 - p, n), at=at),
        ),
        agreement(
            "N, located in the proof by its own formula, is the count bounds.sampling.L1_samples reports",
            lambda: n,
            lambda: sampling.L1_samples(eps=DEFAULTS["eps"], delta=DEFAULTS["delta"])["samples"],
            at=at,
        ),
    )
    return Proof(
        claim=CLAIM,
        title="Two-neuron decomposition (Malach et al.)",
        statement="With input and output weights i.i.d. U[-1, 1], one neuron is usable for a part of w in [-1, 1] with "
        "probability >= eps^2/4; N = ceil(ln(delta/2)/ln(1 - eps^2/4)) <= ceil((4/eps^2) ln(2/delta)) samples give "
        "both parts w.p. >= 1 - delta: O(1/eps^2 · log 1/delta).",
        assumptions=("|w| <= 1", "0 < eps <= 1", "weights i.i.d. U[-1, 1]"),
        steps=steps,
        constants=(
            (
                "N(eps=1/10, delta=1/100)",
                str(sampling.L1_samples(eps=DEFAULTS["eps"], delta=DEFAULTS["delta"])["samples"]),
            ),
        ),
        mutation=mutation,
    )
