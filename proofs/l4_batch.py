"""L4: batch sampling (docs/claims.md, L4).  Mutations: a Chernoff exponent off by a factor 2, a missing
union bound."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import batch, symbols
from logprune.proofs.framework import Proof, agreement, constant, identity, nonneg, probability

CLAIM = "L4"
DEFAULTS: dict[str, Any] = {"c": Fraction(1, 20), "m": 1, "k": 20, "delta": Fraction(1, 100)}
MUTATIONS = {
    "chernoff-factor": "the Chernoff exponent (mu-m)^2/(4 mu) instead of (mu-m)^2/(2 mu)",
    "no-union-bound": "L = ln(1/delta): the factor k of the union bound is missing",
}


def proof(mutation: str | None = None) -> Proof:
    m, L, mu, k, delta, c = symbols.m, symbols.L, symbols.mu, symbols.k, symbols.delta, symbols.c
    t = sp.Symbol("t", nonnegative=True)
    denom = 4 if mutation == "chernoff-factor" else 2
    exponent = (mu - m) ** 2 / (denom * mu)
    L_used = sp.log(1 / delta) if mutation == "no-union-bound" else sp.log(k / delta)
    d = DEFAULTS
    steps = (
        probability(
            "Each category count X_t ~ Bin(M, p_t), p_t >= c, dominates Bin(M, c)",
            "coupling: a Bernoulli(p) variable dominates a Bernoulli(c) one for p >= c",
            nonneg("p_t - c >= 0", sp.Symbol("p_minus_c", nonnegative=True)),
        ),
        probability(
            "P(X < m) <= exp(-(mu - m)^2/(2 mu)) for mu = M·c >= m",
            "multiplicative Chernoff bound, lower tail",
            identity(
                "exponent at mu = 2(m + L) minus L equals m^2/(4(m + L))",
                exponent.subs(mu, 2 * (m + L)) - L,
                m**2 / (4 * (m + L)),
            ),
        ),
        nonneg("m^2/(4(m + L)) >= 0, so the exponent is at least L", m**2 / (4 * (m + L))),
        nonneg(
            "The exponent grows with mu for mu = m + t >= m (so any M >= (2/c)(m + L) works)",
            sp.factor(sp.diff(exponent, mu).subs(mu, m + t) * (m + t) ** 2),
        ),
        probability(
            "Union bound over the k categories: k·exp(-L) = delta",
            "union bound",
            identity("k·exp(-L) = delta", k * sp.exp(-L_used), delta),
        ),
        constant(
            f"M at c={d['c']}, m={d['m']}, k={d['k']}, delta={d['delta']}",
            sp.ceiling(2 / sp.Rational(d["c"]) * (d["m"] + sp.log(d["k"] / sp.Rational(d["delta"])))),
            expected=batch.M(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"]),
        ),
        agreement(
            "The final statement M = ceil((2/c)(m + ln(k/delta))) is what bounds.batch computes",
            lambda: sp.ceiling(2 / c * (m + L_used)),
            lambda: batch.M_symbolic(),
        ),
    )
    me = batch.M_exact(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"])
    return Proof(
        CLAIM,
        "Batch sampling",
        "If each of M i.i.d. samples falls in category t (t = 1..k, disjoint) with probability >= c, then "
        "M = ceil((2/c)(m + ln(k/delta))) samples put at least m samples in every category w.p. >= 1 - delta.",
        ("categories disjoint", "samples i.i.d.", "0 < c, delta < 1", "m >= 1"),
        steps,
        constants=(
            ("M (Chernoff)", str(batch.M(c=d["c"], m=d["m"], k=d["k"], delta=d["delta"]))),
            ("M_exact (exact binomial tail, same union bound)", str(me)),
        ),
        differences=(
            "M_exact, the least M with k·P[Bin(M,c) < m] <= delta, is 1.5-2.4 times smaller than the slides' M.",
        ),
        mutation=mutation,
    )
