"""param-counting: Pensia et al.'s parameter-counting lower bound, with confidence 1 - delta
(docs/claims.md, param-counting).  Mutations ``param-counting-eps`` (1/eps instead of 1/(2 eps): not what
the ball argument gives) and ``param-counting-dim`` (d instead of d^2 dimensions)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import lower
from logprune.proofs._lower import (
    averaging_steps,
    exact_least_exponent,
    log_monotone_step,
    triangle_steps,
    union_step,
)
from logprune.proofs.framework import Proof, agreement, identity

CLAIM = "param-counting"
DEFAULTS: dict[str, Any] = {"n": 100, "eps": Fraction(1, 100), "delta": Fraction(1, 100), "norm": Fraction(1)}
MUTATIONS = {
    "param-counting-eps": "the bound d^2·log2(1/eps) + log2(1 - delta): the radius-2 eps ball read as radius eps",
    "param-counting-dim": "the bound d·log2(1/(2 eps)) + log2(1 - delta): the d×d matrices counted as d dimensions",
}


def stated_bits(d: sp.Expr, eps: sp.Expr, r: sp.Expr, q: sp.Expr, mutation: str | None = None) -> sp.Expr:
    """The bound as the claim states it: N >= d^2·log2(norm/(2 eps)) + log2(1 - delta), q = 1 - delta."""
    lg2 = sp.log(2)
    if mutation == "param-counting-eps":
        return d**2 * sp.log(r / eps) / lg2 + sp.log(q) / lg2
    if mutation == "param-counting-dim":
        return d * sp.log(r / (2 * eps)) / lg2 + sp.log(q) / lg2
    return d**2 * sp.log(r / (2 * eps)) / lg2 + sp.log(q) / lg2


def proof(mutation: str | None = None) -> Proof:
    n_, d_, eps, r, q, vol = sp.symbols("N d epsilon rho q V", positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    dd = sp.Symbol("D", integer=True, positive=True)
    s = sp.Symbol("s", positive=True)
    nn, e, dl, rho = DEFAULTS["n"], DEFAULTS["eps"], DEFAULTS["delta"], DEFAULTS["norm"]
    at = f"d = {nn}, eps = {e}, delta = {dl}, norm = {rho}"
    base = rho / (2 * e)
    num = base.numerator ** (nn * nn) * (1 - dl).numerator
    den = base.denominator ** (nn * nn) * (1 - dl).denominator
    tri = triangle_steps()
    steps = (
        *averaging_steps(),
        tri[1],
        tri[2],
        identity(
            "Scaling: the ball {||W - W0||_2 <= s} is W0 + s·B in R^(D), D = d^2; x -> W0 + s x has Jacobian "
            "det(s·I_D) = prod_{i<=D} s = s^D, so its volume is s^D·vol(B)",
            sp.Product(s, (i, 1, dd)),
            s**dd,
        ),
        union_step(),
        log_monotone_step(),
        identity(
            "Two targets W, W' of one pruning: ||(W - W')x|| <= ||Wx - Ĝ(x)|| + ||Ĝ(x) - W'x|| <= 2 eps for all "
            "||x|| <= 1, i.e. ||W - W'||_2 <= 2 eps: the set lies in W' + 2 eps·B, volume (2 eps)^(d^2) V.  Then "
            "2^N (2 eps)^(d^2) V >= (1 - delta)·rho^(d^2) V is log2(2^N (2 eps/rho)^(d^2) / q) >= 0, i.e. "
            "N - [stated bound] >= 0",
            sp.log(2**n_ * (2 * eps) ** (d_**2) * vol / (q * r ** (d_**2) * vol)) / sp.log(2),
            n_ - stated_bits(d_, eps, r, q, mutation),
        ),
        agreement(
            "The least integer N, by exact integers (least N with 2^N·den >= num for (rho/(2 eps))^(d^2)·(1 - delta) "
            "= num/den), is bounds.lower.parameter_counting_lower_bound's total",
            lambda: exact_least_exponent(num, den),
            lambda: lower.parameter_counting_lower_bound(d=nn, eps=e, delta=dl, norm=rho).total,
            at=at,
        ),
    )
    total = lower.parameter_counting_lower_bound(d=nn, eps=e, delta=dl, norm=rho)
    return Proof(
        claim=CLAIM,
        title="The parameter-counting lower bound (Pensia et al. 2020)",
        statement="If, for every d×d matrix W with ||W||_2 <= rho, G has with probability >= 1 - delta a pruning with "
        "sup_{||x||_2 <= 1} ||Ĝ(x) - Wx||_2 <= eps, then G has N >= d^2·log2(rho/(2 eps)) + log2(1 - delta) "
        "sampled weights (>= d^2·log2(1/(2 eps)) - 1 for rho = 1, delta <= 1/2).  One layer only.",
        assumptions=(
            "0 < eps < 1, 0 < delta < 1, rho > 0, d >= 1",
            "function approximation of one layer x -> Wx on the Euclidean unit ball",
            "the pruned networks are measurable functions of G's weights",
        ),
        steps=steps,
        constants=(
            ("N (least integer) at the defaults", str(total.total)),
            ("N per target weight (d^2 of them)", total.per_target_weight.short()),
        ),
        mutation=mutation,
    )
