"""C1: Malach et al. 2020 as published (docs/claims.md, C1; its constants are not available: steps we cannot
check are argued and say what would prove them)."""

from __future__ import annotations

from typing import Any

import sympy as sp

from logprune.bounds import symbols, theorems
from logprune.proofs.framework import Proof, agreement, argued

CLAIM = "C1"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"eps-power": "1/eps instead of 1/eps^2 per target weight"}


def _first_width(st: theorems.Setting) -> int | None:
    width = theorems.rows(st)[0].width
    return width[0] if width else None


def proof(mutation: str | None = None) -> Proof:
    n, ell, eps, delta = symbols.n, symbols.layers, symbols.eps, symbols.delta
    power = 1 if mutation == "eps-power" else 2
    per_weight = n**3 * ell**2 / eps**power * sp.log(n * ell / delta)
    st = theorems.setting(**DEFAULTS)
    vals = {n: 100, ell: 10, eps: sp.Rational(1, 100), delta: sp.Rational(1, 100)}
    at = "n = 100, l = 10, eps = delta = 1/100"
    steps = (
        argued(
            "L1's per-weight accuracy eps_w needs 1/eps_w^2 samples; Malach et al.'s error propagation gives "
            "eps_w ~ eps/(n^1.5 l) with its own constants, hence n^3 l^2/eps^2 per weight",
            "the paper's constants are not available to us; the slides state only the O(·) form",
            would_prove="the paper's explicit propagation constant, then an identity as in proofs/propagation.py",
        ),
        argued(
            "Its union bound gives the log(n l/delta) factor",
            "the paper's constant is not available to us",
            would_prove="the paper's explicit union-bound count, then an instance check as in proofs/l1_malach.py",
        ),
        agreement(
            "bounds.theorems' malach2020 row is ceil(n^3 l^2/eps^2 ln(n l/delta)) neurons per weight (constant 1), "
            "recomputed here",
            lambda: int(sp.ceiling(per_weight.subs(vals))) * 100 * 100,
            lambda: _first_width(st),
            at=at,
        ),
    )
    return Proof(
        CLAIM,
        "Malach et al. 2020 (published)",
        "A random network of depth 2l with uniform weights contains, w.p. >= 1 - delta, a pruning that "
        "eps-approximates "
        "every target under Malach's assumptions, with O(n^3 l^2/eps^2 · log(n l/delta)) neurons per target weight.",
        ("||W_i||_2 <= 1", "||W_i||_inf <= 1/sqrt(n)", "||W_i||_0 <= n", "||x||_2 <= 1"),
        steps,
        constants=(("neurons per target weight (constant 1)", str(theorems.rows(st)[0].neurons_per_weight)),),
        differences=("Shown with the hidden constant set to 1, which under-states Malach et al.'s size.",),
        mutation=mutation,
    )
