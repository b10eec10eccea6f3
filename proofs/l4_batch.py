"""L4: batch sampling (docs/claims.md, L4).  Mutations: a Chernoff exponent off by a factor 2, a missing
union bound."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import batch, symbols
from logprune.proofs.framework import Proof, agreement, constant, decide, identity, probability, tested

CLAIM = "L4"
DEFAULTS: dict[str, Any] = {"c": Fraction(1, 20), "m": 1, "k": 20, "delta": Fraction(1, 100)}
MUTATIONS = {
    "chernoff-factor": "the Chernoff exponent (mu-m)^2/(4 mu) instead of (mu-m)^2/(2 mu)",
    "no-union-bound": "L = ln(1/delta): the factor k of the union bound is missing",
}


def _binomial_below(M: int, p: Fraction, m: int) -> Fraction:
    """P(Bin(M, p) < m), exactly."""
    return sum((Fraction(math.comb(M, j)) * p**j * (1 - p) ** (M - j) for j in range(min(m, M + 1))), Fraction(0))


def _domination_trial(rng: random.Random) -> str | None:
    """A random exact instance of P(Bin(M, p) < m) <= P(Bin(M, c) < m) for c <= p."""
    M = rng.randint(1, 40)
    m = rng.randint(1, M)
    q = rng.randint(2, 60)
    lo, hi = sorted((rng.randint(1, q - 1), rng.randint(1, q - 1)))
    c, p = Fraction(lo, q), Fraction(hi, q)
    if _binomial_below(M, p, m) <= _binomial_below(M, c, m):
        return None
    return f"M={M}, m={m}, c={c}, p={p}"


def _least_exact_M(*, c: Fraction, m: int, k: int, delta: Fraction) -> int:
    """The least M >= m with k·P(Bin(M, c) < m) <= delta, by a plain upward scan with the exact tail above
    (independent of bounds.batch: no float guess, no integer recurrence; the tail is nonincreasing in M)."""
    M = m
    while k * _binomial_below(M, c, m) > delta:
        M += 1
    return M


def _exact_defining_trial(rng: random.Random) -> str | None:
    """bounds.batch.M_exact satisfies its defining inequalities, decided with this module's exact tail:
    k·P(Bin(M, c) < m) <= delta and (M = m or k·P(Bin(M - 1, c) < m) > delta)."""
    q = rng.randint(2, 30)
    c = Fraction(rng.randint(1, q - 1), q)
    m = rng.randint(1, 3)
    k = rng.randint(1, 30)
    delta = Fraction(1, rng.randint(2, 200))
    got = batch.M_exact(c=c, m=m, k=k, delta=delta)
    if k * _binomial_below(got, c, m) > delta:
        return f"c={c}, m={m}, k={k}, delta={delta}: k·P(Bin({got}, c) < m) > delta at bounds' M_exact = {got}"
    if got > m and k * _binomial_below(got - 1, c, m) <= delta:
        return f"c={c}, m={m}, k={k}, delta={delta}: M_exact = {got} is not the least (M - 1 satisfies it)"
    return None


def proof(mutation: str | None = None) -> Proof:
    m, L, mu, k, delta, c = symbols.m, symbols.L, symbols.mu, symbols.k, symbols.delta, symbols.c
    denom = 4 if mutation == "chernoff-factor" else 2
    exponent = (mu - m) ** 2 / (denom * mu)
    L_used = sp.log(1 / delta) if mutation == "no-union-bound" else sp.log(k / delta)
    d = DEFAULTS
    at = f"c = {d['c']}, m = {d['m']}, k = {d['k']}, delta = {d['delta']}"
    steps = (
        probability(
            "Each category count X_t ~ Bin(M, p_t), p_t >= c, dominates Bin(M, c): P(X_t < m) <= P(Bin(M, c) < m)",
            "coupling: a Bernoulli(p) variable dominates a Bernoulli(c) one for p >= c",
            tested(
                "P(Bin(M, p) < m) <= P(Bin(M, c) < m) for c <= p",
                _domination_trial,
                count=300,
                domain="M in 1..40, m in 1..M, 0 < c <= p < 1 rationals with a common denominator <= 60",
            ),
        ),
        probability(
            "P(X < m) <= exp(-(mu - m)^2/(2 mu)) for mu = M·c >= m; at every mu >= 2(m + L) (every "
            "M >= (2/c)(m + L)) the exponent is >= L",
            "multiplicative Chernoff bound, lower tail: P(X <= (1 - d)mu) <= exp(-d^2 mu/2), d = 1 - m/mu in [0, 1]",
            decide(
                "mu >= m and (mu - m)^2/(2 mu) >= L for all m > 0, L > 0, mu >= 2(m + L)",
                sp.And(mu >= m, exponent >= L),
                where=(mu >= 2 * (m + L),),
            ),
        ),
        identity(
            "The slack: the exponent at mu = 2(m + L) minus L equals m^2/(4(m + L))",
            exponent.subs(mu, 2 * (m + L)) - L,
            m**2 / (4 * (m + L)),
        ),
        probability(
            "Union bound over the k categories: k·exp(-L) = delta",
            "union bound",
            identity("k·exp(-L) = delta at L = ln(k/delta)", sp.Subs(k * sp.exp(-L), L, L_used), delta),
        ),
        constant(
            f"M at c={d['c']}, m={d['m']}, k={d['k']}, delta={d['delta']}",
            sp.ceiling(2 / sp.Rational(d["c"]) * (d["m"] + sp.log(d["k"] / sp.Rational(d["delta"])))),
            expected=batch.M(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"]),
            at=at,
        ),
        agreement(
            "The final statement M = ceil((2/c)(m + ln(k/delta))) (written here) is what bounds.batch computes",
            lambda: sp.ceiling(2 / c * (m + L_used)),
            lambda: batch.M_symbolic(),
        ),
        probability(
            "M_exact: the union bound with the exact tail, k·P(Bin(M, c) < m) <= delta, also gives every category "
            ">= m samples w.p. >= 1 - delta (P(X_t < m) <= P(Bin(M, c) < m) by the domination step)",
            "union bound",
            tested(
                "bounds.batch.M_exact is the least M with k·P(Bin(M, c) < m) <= delta: the inequality holds at it "
                "and fails at M - 1, decided with the exact tail of this module",
                _exact_defining_trial,
                count=120,
                domain="c = p/q, q in 2..30; m in 1..3; k in 1..30; delta = 1/r, r in 2..200",
            ),
        ),
        agreement(
            f"M_exact at c={d['c']}, m={d['m']}, k={d['k']}, delta={d['delta']}, recomputed here by an upward scan "
            "with the exact binomial tail (union bound factor k included), is bounds.batch.M_exact's",
            lambda: _least_exact_M(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"]),
            lambda: batch.M_exact(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"]),
            at=at,
        ),
    )
    me = batch.M_exact(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"])
    return Proof(
        claim=CLAIM,
        title="Batch sampling",
        statement="If each of M i.i.d. samples falls in category t (t = 1..k, disjoint) with probability >= c, then "
        "M = ceil((2/c)(m + ln(k/delta))) samples put at least m samples in every category w.p. >= 1 - delta.",
        assumptions=("categories disjoint", "samples i.i.d.", "0 < c, delta < 1", "m >= 1"),
        steps=steps,
        constants=(
            ("M (Chernoff)", str(batch.M(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"]))),
            ("M_exact (exact binomial tail, same union bound)", str(me)),
        ),
        differences=(
            "M_exact, the least M with k·P[Bin(M,c) < m] <= delta, is 1.5-2.4 times smaller than the slides' M.",
        ),
        mutation=mutation,
    )
