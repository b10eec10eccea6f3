"""Error propagation (docs/claims.md, propagation; the core of C3).  Mutation ``no-e-minus-1`` drops the
factor (e - 1)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import propagation as prop
from logprune.bounds import symbols
from logprune.bounds.branches import branches
from logprune.bounds.certified import enclose
from logprune.proofs.framework import Proof, Step, agreement, identity, nonneg, probability

CLAIM = "propagation"
DEFAULTS: dict[str, Any] = {
    "eps": Fraction(1, 100),
    "widths": [100] * 11,
    "norms": [Fraction(1)] * 10,
    "x_max": Fraction(1),
    "w_max": Fraction(1, 10),
}
MUTATIONS = {"no-e-minus-1": "eps_w = eps/(x_max·D·prod rho) without the factor (e - 1)"}


def _telescope(ell: int) -> tuple[sp.Expr, sp.Expr]:
    a = sp.symbols(f"a1:{ell + 1}", positive=True)
    d = sp.symbols(f"d1:{ell + 1}", positive=True)
    lhs = sp.Mul(*[ai + di for ai, di in zip(a, d, strict=True)]) - sp.Mul(*a)
    rhs = sp.Add(*[d[i] * sp.Mul(*[a[j] + d[j] for j in range(i)]) * sp.Mul(*a[i + 1 :]) for i in range(ell)])
    return lhs, rhs


def proof(mutation: str | None = None) -> Proof:
    x, tt = symbols.x, symbols.t
    eps, xm, D, R = symbols.eps, symbols.x_max, symbols.D, symbols.R
    factor = 1 if mutation == "no-e-minus-1" else (sp.E - 1)
    eps_w_formula = eps / (factor * xm * D * R)
    d = DEFAULTS
    n = d["widths"][0]
    res = prop.propagate(eps=d["eps"], widths=d["widths"], norms=d["norms"], w_max=d["w_max"], x_max=d["x_max"])
    D0 = res.D
    ew0 = sp.Min(1 / D0, eps_w_formula.subs({eps: sp.Rational(d["eps"]), xm: 1, D: D0, R: 1}))
    bound0 = prop.error_bound_x(eps_w=ew0, widths=d["widths"], norms=d["norms"], x_max=d["x_max"])
    steps: list[Step] = []
    for ell in (1, 2, 3, 4):
        lhs, rhs = _telescope(ell)
        steps.append(
            identity(
                f"Telescoping, l = {ell}: prod(a_i + d_i) - prod a_i = sum_i d_i·prod_(j<i)(a_j+d_j)"
                "·prod_(j>i) a_j (the unrolled recursion e_i <= Delta_i||h||+a_i e_(i-1))",
                lhs,
                rhs,
            )
        )
    steps += [
        probability(
            "The recursion e_i <= Delta_i·||ĥ_(i-1)|| + a_i·e_(i-1) and ||ĥ_i|| <= (a_i + Delta_i)||ĥ_(i-1)||",
            "triangle inequality; sigma is 1-Lipschitz with sigma(0) = 0",
            identity(
                "(a + Delta)h - a h = Delta h",
                (sp.Symbol("a") + sp.Symbol("Delta")) * sp.Symbol("h") - sp.Symbol("a") * sp.Symbol("h"),
                sp.Symbol("Delta") * sp.Symbol("h"),
            ),
        ),
        identity(
            "Two branches in layer 1: ||[E+, -E-]||_F = eps_w·sqrt(2 n_1 n_0) when every entry is eps_w",
            sp.sqrt(
                branches(0, inputs_nonnegative=False)
                * sp.Symbol("n1", positive=True)
                * sp.Symbol("n0", positive=True)
                * sp.Symbol("e_w", positive=True) ** 2
            ),
            sp.Symbol("e_w", positive=True)
            * sp.sqrt(2 * sp.Symbol("n1", positive=True) * sp.Symbol("n0", positive=True)),
        ),
        identity(
            "1 + x <= e^x for x >= 0 (so prod(rho_i + eps_w d_i) <= prod rho_i·exp(eps_w D)): "
            "e^x - 1 - x = integral_0^x (e^t - 1) dt",
            sp.integrate(sp.exp(tt) - 1, (tt, 0, x)),
            sp.exp(x) - 1 - x,
        ),
        nonneg("and e^t - 1 = integral_0^t e^s ds >= 0 since e^s > 0", sp.exp(sp.Symbol("s", real=True))),
        identity("g(t) = (e-1)t - e^t + 1 vanishes at t = 0", ((sp.E - 1) * tt - sp.exp(tt) + 1).subs(tt, 0), 0),
        identity("and at t = 1", ((sp.E - 1) * tt - sp.exp(tt) + 1).subs(tt, 1), 0),
        nonneg("g is concave (-g'' = e^t >= 0), hence g >= 0 on [0, 1]: e^t - 1 <= (e-1)t", sp.exp(tt)),
        identity(
            "At the closed-form eps_w the bound x_max·prod(rho)·(e-1)·eps_w·D equals eps",
            xm * R * (sp.E - 1) * eps_w_formula * D,
            eps,
        ),
        nonneg(
            f"Certified at n = {n}, l = 10, ||W_i|| <= 1, eps = {d['eps']}: eps - x_max[prod(a+eps_w d) - prod a] >= 0",
            sp.Rational(d["eps"]) - bound0,
        ),
        agreement("eps_w is what bounds.propagation computes", lambda: ew0, lambda: res.eps_w),
    ]
    return Proof(
        CLAIM,
        "Error propagation through the layers",
        "If every effective weight of layer i is within eps_w of W_i (two branches in layer 1 unless x >= 0), then "
        "sup_{||x|| <= x_max} ||Ĝ(x) - F(x)||_2 <= x_max[prod_i(a_i + eps_w d_i) - prod_i a_i] <= eps for "
        "eps_w = min(1/D, eps/((e-1) x_max D prod_i rho_i)), rho_i = max{1, a_i}, D = sum_i d_i/rho_i.",
        ("a_i >= ||W_i||_2", "d_1 = sqrt(2 n_1 n_0), d_i = sqrt(n_i n_(i-1))", "||x||_2 <= x_max"),
        tuple(steps),
        constants=(
            ("eps_w (n=100, l=10, Malach norms, eps=1/100)", str(enclose(res.eps_w))),
            ("certified bound at that eps_w", str(enclose(bound0))),
        ),
        differences=("The digest leaves the constants of '~l·n·x_max·eps_w·prod rho_i' open: ours are (e-1) and D.",),
        mutation=mutation,
    )
