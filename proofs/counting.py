"""counting: the counting lower bound with confidence 1 - delta (docs/claims.md, counting).  Mutations
``counting-no-log`` (w_max/eps without the logarithm) and ``counting-no-delta`` (the log2(1 - delta) term
dropped, as if G worked for every target at once)."""

from __future__ import annotations

import random
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
from logprune.proofs.framework import Proof, agreement, identity, tested

CLAIM = "counting"
DEFAULTS: dict[str, Any] = {
    "n": 100,
    "layers": 10,
    "eps": Fraction(1, 100),
    "delta": Fraction(1, 100),
    "w_max": Fraction(1, 10),
}
MUTATIONS = {
    "counting-no-log": "the bound m·(w_max/eps) + log2(1 - delta): the ratio without its logarithm",
    "counting-no-delta": "the bound m·log2(w_max/eps) without log2(1 - delta) (G working for all targets at once)",
}


def stated_bits(m: sp.Expr, eps: sp.Expr, w: sp.Expr, q: sp.Expr, mutation: str | None = None) -> sp.Expr:
    """The bound as the claim states it: N >= m·log2(w_max/eps) + log2(1 - delta), q = 1 - delta."""
    lg2 = sp.log(2)
    if mutation == "counting-no-log":
        return m * (w / eps) + sp.log(q) / lg2
    if mutation == "counting-no-delta":
        return m * sp.log(w / eps) / lg2
    return m * sp.log(w / eps) / lg2 + sp.log(q) / lg2


def _entry_trial(rng: random.Random) -> str | None:
    """|W_oj| <= ||W e_j||_2 <= ||W||_2 (e_j a unit vector, so the second is the operator norm's definition):
    W_oj^2 <= sum_o W_oj^2 exactly."""
    rows, cols = rng.randint(1, 6), rng.randint(1, 6)
    w = [[Fraction(rng.randint(-30, 30), rng.randint(1, 9)) for _ in range(cols)] for _ in range(rows)]
    for j in range(cols):
        col = sum(w[o][j] ** 2 for o in range(rows))
        if any(w[o][j] ** 2 > col for o in range(rows)):
            return f"W={w}, column {j}"
    return None


def proof(mutation: str | None = None) -> Proof:
    n_, m_, eps, w, q = sp.symbols("N m epsilon w_max q", positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    nn, ll = DEFAULTS["n"], DEFAULTS["layers"]
    m_def = ll * nn * nn
    e, d, wm = DEFAULTS["eps"], DEFAULTS["delta"], DEFAULTS["w_max"]
    at = f"m = {m_def} (n = {nn}, layers = {ll}), eps = {e}, delta = {d}, w_max = {wm}"
    ratio = wm / e
    num, den = ratio.numerator**m_def * (1 - d).numerator, ratio.denominator**m_def * (1 - d).denominator
    steps = (
        *averaging_steps(),
        triangle_steps()[0],
        identity(
            "One pruning's set: the targets whose every weight is within eps of its m effective weights lie in "
            "the box g + [-eps, eps]^m, of volume prod_{i<=m} 2 eps = (2 eps)^m",
            sp.Product(2 * eps, (i, 1, m_)),
            (2 * eps) ** m_,
        ),
        tested(
            "(ii) one-layer targets, function approximation: sup_{||x||_2<=1} ||(W - W')x||_2 = ||W - W'||_2 >= "
            "|W_oj - W'_oj| (x = e_j), so two targets of one pruning again differ by <= 2 eps in every entry",
            _entry_trial,
            count=200,
            domain="rational matrices of size 1..6 × 1..6",
            seed=13,
        ),
        union_step(),
        log_monotone_step(),
        identity(
            "2^N (2 eps)^m >= (1 - delta)(2 w_max)^m (q = 1 - delta) is log2(2^N (2 eps)^m / (q (2 w_max)^m)) "
            ">= 0, i.e. N - [stated bound] >= 0",
            sp.log(2**n_ * (2 * eps) ** m_ / (q * (2 * w) ** m_)) / sp.log(2),
            n_ - stated_bits(m_, eps, w, q, mutation),
        ),
        agreement(
            "The least integer N, by exact integers (least N with 2^N·den >= num for (w_max/eps)^m·(1 - delta) "
            "= num/den), is bounds.lower.counting_lower_bound's total",
            lambda: exact_least_exponent(num, den),
            lambda: lower.counting_lower_bound(m=m_def, eps=e, delta=d, w_max=wm).total,
            at=at,
        ),
        agreement(
            "and at instances where the averaging term log2(1 - delta) moves the ceiling (m = 10, w_max/eps = 2, "
            "delta = 1/2: 2^N >= 2^10/2, N = 9; m = 3, w_max/eps = 5, delta = 1/4: 125·3/4 = 93.75, N = 7)",
            lambda: [exact_least_exponent(2**10, 2), exact_least_exponent(125 * 3, 4)],
            lambda: [
                lower.counting_lower_bound(m=10, eps=Fraction(1, 2), delta=Fraction(1, 2), w_max=1).total,
                lower.counting_lower_bound(m=3, eps=Fraction(1, 5), delta=Fraction(1, 4), w_max=1).total,
            ],
            at="m = 10, eps = 1/2, delta = 1/2, w_max = 1; m = 3, eps = 1/5, delta = 1/4, w_max = 1",
        ),
    )
    total = lower.counting_lower_bound(m=m_def, eps=e, delta=d, w_max=wm)
    return Proof(
        claim=CLAIM,
        title="The counting lower bound",
        statement="If, for every target with m weights in [-w_max, w_max], G has with probability >= 1 - delta a "
        "pruning "
        "whose m effective weights are each within eps of the target's, then G has "
        "N >= m·log2(w_max/eps) + log2(1 - delta) sampled weights (any depth, any law, any pruning rule).",
        assumptions=(
            "0 < eps < 1, 0 < delta < 1, w_max > 0, m >= 1",
            "per-weight approximation (every target weight within eps)",
            "the pruned networks are measurable functions of G's weights",
        ),
        steps=steps,
        constants=(
            ("N (least integer) at the defaults", str(total.total)),
            ("N per target weight", total.per_target_weight.short()),
        ),
        mutation=mutation,
    )
