"""entropy: sparse tickets need n·H2(k/n) >= d^2·log2(1/(2 eps)) + log2(1 - delta) (docs/claims.md, entropy;
after Natale et al. 2024).  Mutations ``entropy-half`` (the d^2/2 factor of the issue's restatement) and
``entropy-no-kept`` (2^n prunings, the sparsity constraint forgotten)."""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb
from typing import Any

import sympy as sp

from logprune.bounds import lower
from logprune.proofs._lower import averaging_steps, log_monotone_step, triangle_steps, union_step
from logprune.proofs.framework import FAILED, TESTED, Evidence, Proof, Step, agreement, argued, identity, tested

CLAIM = "entropy"
DEFAULTS: dict[str, Any] = {
    "n": 100,
    "eps": Fraction(1, 100),
    "delta": Fraction(1, 100),
    "kappa": Fraction(1),
}
MUTATIONS = {
    "entropy-half": "the bound n·H2(k/n) >= (d^2/2)·log2(1/(2 eps)) + log2(1 - delta) (the issue's d^2/2 factor)",
    "entropy-no-kept": "the number of tickets taken as 2^n (every subset), not sum_{j<=k} C(n, j)",
}
N0 = 70  # the binomial-sum bound is checked exactly for every n <= N0 and k <= n/2


def _binomial_exhaustive(mutation: str | None) -> str | None:
    """sum_{j<=k} C(n, j) <= 2^(n·H2(k/n)) = n^n / (k^k (n-k)^(n-k)) for all n <= N0, k <= n/2, exactly."""
    for n in range(1, N0 + 1):
        for k in range(0, n // 2 + 1):
            s = (1 << n) if mutation == "entropy-no-kept" else sum(comb(n, j) for j in range(k + 1))
            if s * k**k * (n - k) ** (n - k) > n**n:
                return f"n={n}, k={k}: sum {s} > 2^(n H2(k/n))"
    return None


def _exhaustive_evidence(mutation: str | None) -> Evidence:
    bad = _binomial_exhaustive(mutation)
    if bad is not None:
        return Evidence(FAILED, f"exhaustive exact check: counterexample {bad}")
    return Evidence(TESTED, f"exhaustive exact check of all {sum(n // 2 + 1 for n in range(1, N0 + 1))} pairs (n, k)")


def _least_n_independent(k: int, num: int, den: int) -> int:
    """The least n with den·sum_{j<=k} C(n, j) >= num, recomputed independently of bounds.lower: the sum from
    C(n, k) downwards (C(n, j-1) = C(n, j)·j/(n-j+1)), and a plain bisection over [0, 2^t]."""

    def prefix(n: int) -> int:
        if k >= n:
            return 1 << n
        term = comb(n, k)
        total = term
        for j in range(k, 0, -1):
            term = term * j // (n - j + 1)
            total += term
        return total

    # prefix(n) <= 2^n, so n >= log2(num/den) > lo: prefix(lo) < num/den
    lo = max(0, num.bit_length() - den.bit_length() - 2)
    if den * prefix(lo) >= num:  # only when num/den < 4
        lo = -1
    hi = max(2 * lo, 1)
    while den * prefix(hi) < num:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if den * prefix(mid) >= num:
            hi = mid
        else:
            lo = mid
    return hi


def stated_bits(d: sp.Expr, eps: sp.Expr, q: sp.Expr, mutation: str | None = None) -> sp.Expr:
    """The right side as the claim states it: d^2·log2(1/(2 eps)) + log2(1 - delta), q = 1 - delta."""
    dim = d**2 / 2 if mutation == "entropy-half" else d**2
    return dim * sp.log(1 / (2 * eps)) / sp.log(2) + sp.log(q) / sp.log(2)


def proof(mutation: str | None = None) -> Proof:
    n_, k_, d_, eps, q = sp.symbols("n k d epsilon q", positive=True)
    h = sp.Symbol("H", positive=True)  # n·H2(k/n), the exponent
    p = k_ / n_
    h2 = -p * sp.log(p, 2) - (1 - p) * sp.log(1 - p, 2)
    nn, e, dl, kap = DEFAULTS["n"], DEFAULTS["eps"], DEFAULTS["delta"], DEFAULTS["kappa"]
    kept = int(kap * nn * nn)
    at = f"d = {nn}, eps = {e}, delta = {dl}, kept k = {kept} (kappa = {kap})"
    need = (1 - dl) * (1 / (2 * e)) ** (nn * nn)
    total = lower.entropy_lower_bound(d=nn, eps=e, delta=dl, kept=kept)

    def trial(rng: random.Random) -> str | None:
        # the bound in the form of the argument: S·p^k (1-p)^(n-k) <= 1 at p = k/n, exactly
        n = rng.randint(2, 400)
        k = rng.randint(1, n // 2)
        lhs = Fraction(k, n) ** k * Fraction(n - k, n) ** (n - k)  # p^k (1-p)^(n-k) = 2^(-n H2(p))
        s = sum(comb(n, j) for j in range(k + 1))
        return None if s * lhs <= 1 else f"n={n}, k={k}"

    steps = (
        *averaging_steps(),
        triangle_steps()[1],
        union_step(),
        log_monotone_step(),
        identity(
            "The entropy exponent: log2(p^k (1-p)^(n-k)) = -n·H2(k/n) at p = k/n",
            sp.log(p**k_ * (1 - p) ** (n_ - k_), 2),
            -n_ * h2,
        ),
        argued(
            "sum_{j<=k} C(n, j) <= 2^(n·H2(k/n)) for k <= n/2",
            "1 = sum_j C(n, j) p^j (1-p)^(n-j) >= sum_{j<=k} C(n, j) p^j (1-p)^(n-j) >= "
            "p^k (1-p)^(n-k)·sum_{j<=k} C(n, j) (p/(1-p) <= 1 and j <= k), and p^k (1-p)^(n-k) = 2^(-n H2(p))",
            would_prove="the exhaustive and randomised exact checks below for the finite ranges; a formal proof "
            "of the binomial theorem step for all n",
        ),
        Step(
            f"sum_{{j<=k}} C(n, j) <= 2^(n·H2(k/n)), exhaustively for every n <= {N0} and k <= n/2 "
            "(exact: sum·k^k (n-k)^(n-k) <= n^n)",
            "tested",
            None,
            lambda: _exhaustive_evidence(mutation),
            f"every integer 1 <= n <= {N0}, 0 <= k <= n/2 (of all n >= 1: tested, not proven)",
        ),
        tested(
            "sum_{j<=k} C(n, j)·p^k (1-p)^(n-k) <= 1 at p = k/n, random n <= 400, k <= n/2 (exact)",
            trial,
            count=200,
            domain="2 <= n <= 400, 1 <= k <= n/2",
            seed=14,
        ),
        identity(
            "The volume count with at most k kept weights: sum_{j<=k} C(n, j)·(2 eps)^(d^2)·V >= (1 - delta)·V "
            "and the sum <= 2^H (H = n·H2(k/n)) give log2(2^H (2 eps)^(d^2) / q) >= 0, i.e. "
            "H - [stated right side] >= 0",
            sp.log(2**h * (2 * eps) ** (d_**2) / q) / sp.log(2),
            h - stated_bits(d_, eps, q, mutation),
        ),
        agreement(
            "The least n with sum_{j<=k} C(n, j) >= (1 - delta)(1/(2 eps))^(d^2), recomputed (downward sums, "
            "bisection), is bounds.lower.entropy_lower_bound's total",
            lambda: _least_n_independent(kept, need.numerator, need.denominator),
            lambda: total.total,
            at=at,
        ),
    )
    return Proof(
        claim=CLAIM,
        title="The entropy lower bound for sparse tickets (after Natale et al. 2024)",
        statement="With the targets of param-counting (one d×d layer, ||W||_2 <= 1, function approximation within eps, "
        "w.p. >= 1 - delta for each W) and tickets of at most k kept weights among n sampled: "
        "sum_{j<=k} C(n, j) >= (1 - delta)(1/(2 eps))^(d^2), hence n·H2(k/n) >= d^2·log2(1/(2 eps)) + "
        "log2(1 - delta) for k <= n/2.",
        assumptions=(
            "0 < eps < 1, 0 < delta < 1, d >= 1, 0 <= k",
            "function approximation of one layer on the Euclidean unit ball",
            "the pruned networks are measurable functions of G's weights",
        ),
        steps=steps,
        constants=(
            ("least n at the defaults", str(total.total)),
            ("n per target weight", total.per_target_weight.short()),
        ),
        differences=(
            "The issue quotes (d^2/2)·log2(k/eps) on the right; the volume count derived here gives "
            "d^2·log2(1/(2 eps)) + log2(1 - delta) (see docs/claims.md, entropy).",
        ),
        mutation=mutation,
    )
