"""L3: golden-ratio decomposition (docs/claims.md, L3).  Mutation ``base-2`` runs the same proof with b = 2."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import golden, symbols
from logprune.proofs.framework import Proof, agreement, boxes_nonneg, constant, identity, nonneg

CLAIM = "L3"
DEFAULTS: dict[str, Any] = {"eps": Fraction(1, 10**6), "scale": Fraction(1)}
MUTATIONS = {"base-2": "the decomposition base b = 2 instead of phi (the slides: 'base 2 not possible')"}


def proof(mutation: str | None = None) -> Proof:
    base: sp.Expr = sp.Integer(2) if mutation == "base-2" else sp.GoldenRatio
    b, s, epsilon, kk = symbols.b, symbols.s, symbols.eps, symbols.k
    mu, th = sp.symbols("p q", nonnegative=True)
    d = golden.derive_admissibility()
    eps, scale = DEFAULTS["eps"], DEFAULTS["scale"]
    k_def = golden.k_exact(eps=eps, scale=scale, base="phi" if base is sp.GoldenRatio else 2)
    steps = (
        identity(
            "Keeping x_i = s·b^(-i-1) from r = s·b^(-i+1) leaves s·b^(-i)·(b - 1/b)",
            d.worst_residual_after_keep / d.invariant_bound,
            b - 1 / b,
        ),
        identity(
            "b - 1/b <= 1 over b > 1 is exactly 1 < b <= phi (sympy's solveset; phi is sympy's GoldenRatio)",
            d.upper_end,
            sp.GoldenRatio,
        ),
        nonneg(
            f"The invariant step holds for the base used, b = {sp.sstr(base)}: 1 - (b - 1/b) >= 0",
            1 - (base - 1 / base),
        ),
        boxes_nonneg(
            "... and for every base in (1, phi]: 1 - (b - 1/b) >= 0 (certified on boxes)",
            1 - (b - 1 / b),
            {b: (1, sp.Rational(1618033, 1000000))},
        ),
        nonneg(
            "A skipped sample keeps the invariant: x_i = s·b^(-i)/(1+p) (p >= 0) and r = x_i/(1+q) (q >= 0), "
            "so s·b^(-i) - r = s·b^(-i)·(1 - 1/((1+p)(1+q))) >= 0",
            sp.together(1 - 1 / ((1 + mu) * (1 + th))),
        ),
        identity(
            "After k steps the bound is s·b^(-k); at k = log_b(s/eps) it equals eps",
            s * b ** (-sp.log(s / epsilon) / sp.log(b)),
            epsilon,
        ),
        identity(
            "Necessity (b > phi): the counterexample of bounds.golden leaves s·b^(-k) + s(b^2-b-1)/(2b^(k+1))",
            s * (b ** (-kk + 1) - b ** (-kk - 1) - (b**2 - b - 1) / (2 * b ** (kk + 1))) - s * b ** (-kk),
            s * (b**2 - b - 1) / (2 * b ** (kk + 1)),
        ),
        constant(
            f"k at eps = {eps}, s = 1: ceil(log_phi(1e6)) = {k_def}",
            sp.ceiling(sp.log(1 / sp.Rational(eps)) / sp.log(base)),
            expected=golden.k_exact(eps=eps),
        ),
        agreement(
            "The final statement k = max(0, ceil(log_b(s/eps))) is what bounds.golden computes",
            lambda: golden.k_symbolic(),
            lambda: sp.Max(0, sp.ceiling(sp.log(s / epsilon) / sp.log(b))),
        ),
    )
    return Proof(
        CLAIM,
        "Golden-ratio decomposition",
        "For 1 < b <= phi, v in [0, s] and x_t in [s·b^(-t-1), s·b^(-t)] (t = 1..k), the greedy rule leaves a residual "
        "0 <= r_k <= s·b^(-k); with k = max(0, ceil(log_b(s/eps))) the residual is <= eps.  "
        "For b > phi the bound fails.",
        ("b > 1", "s > 0", "one sample in each segment t = 1..k", "v in [0, s]"),
        steps,
        constants=(
            ("k(eps=1e-6, s=1, b=phi)", str(golden.k_exact(eps=eps))),
            ("residual bound phi^-k", str(golden.residual_bound(eps=eps))),
        ),
        differences=("The slides offer b = 3/2 or phi; both are admissible, phi is the largest (tight) base.",),
        mutation=mutation,
    )
