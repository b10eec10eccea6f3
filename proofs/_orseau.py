"""Shared steps of the Orseau et al. theorems and the pooling proofs (docs/claims.md, C2, C3, pooling-A,
pooling-B)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import hyperbolic, symbols, theorems
from logprune.proofs.framework import Step, agreement, identity, nonneg, probability


def coverage_steps(*, sign_factor: sp.Expr | None = None) -> list[Step]:
    sign_factor = sp.Rational(1, 4) if sign_factor is None else sign_factor
    d = hyperbolic.derive_coverage()
    k, h = symbols.k, symbols.h
    return [
        identity(
            "End-segment probability of the log-triangular product law is maximal at ln(beta/alpha) = (k-1) ln b",
            d.optimal_log_width,
            (k - 1) * h,
        ),
        identity(
            "where it equals 1/(2(k-1)) (digest: (k+1)/(2k^2) at ln(beta/alpha) = k ln b)",
            d.optimal_segment_probability,
            1 / (2 * (k - 1)),
        ),
        nonneg(
            "a maximum: -g''(L*) >= 0 for k >= 2 (k = 2 + j, j >= 0)",
            sp.simplify(-d.second_derivative_at_optimum.subs(k, 2 + sp.Symbol("j", nonnegative=True))) * h**2,
        ),
        probability(
            "Sign of a fixed by the branch and sign(ab) = sign(w): independent fair signs",
            "independence of the signs from the magnitudes",
            identity("c = (1/4)·1/(2(k-1)) = 1/(8(k-1))", sign_factor / (2 * (k - 1)), 1 / (8 * (k - 1))),
        ),
    ]


def union_step(*, events: int, c: sp.Rational, pool: int, delta: Fraction) -> Step:
    return probability(
        f"Union bound over E = {events} (weight, branch, segment) events: E·(1-c)^P <= delta at P = {pool}",
        "union bound; each event fails w.p. (1-c)^P (P i.i.d. neurons, each in the segment w.p. >= c)",
        nonneg(
            "delta - E(1-c)^P",
            sp.Add(
                sp.Rational(delta), sp.Mul(-events, sp.Pow(1 - c, pool, evaluate=False), evaluate=False), evaluate=False
            ),
        ),
    )


def width_agreement(fact: str, ours: int, row: theorems.Row) -> Step:
    """G's intermediate width from the proof equals the width bounds.theorems reports for ``row``."""
    return agreement(fact, lambda: ours, lambda: row.width[0] if row.width else None)


def orseau(st: theorems.Setting) -> tuple[Any, sp.Rational, int, int]:
    return theorems.orseau_parameters(st)
