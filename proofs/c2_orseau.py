"""C2: Orseau et al. under Malach's assumptions, with our explicit constants (docs/claims.md, C2).  Mutation
``no-sign-factor``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import theorems
from logprune.bounds.certified import enclose
from logprune.proofs._orseau import (
    coverage_steps,
    events_count,
    least_pool,
    orseau,
    orseau_k,
    union_step,
    width_agreement,
)
from logprune.proofs.framework import Proof, agreement, decide

CLAIM = "C2"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"no-sign-factor": "c = 1/(2(k-1)): the sign conditions' factor 1/4 forgotten"}


def proof(mutation: str | None = None) -> Proof:
    ell, rn = sp.symbols("l r", real=True)  # r = sqrt(n)
    st = theorems.setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    c_used = sp.Rational(1, 2 * (prop.k - 1)) if mutation == "no-sign-factor" else c
    row = {r.name: r for r in theorems.rows(st)}["orseau2020"]
    at = "n = 100, l = 10, eps = delta = 1/100 (Malach's assumptions)"
    n_, l_ = st.n, st.layers
    k_ours = orseau_k(
        widths=[n_] * (l_ + 1),
        norms=[Fraction(1)] * l_,
        eps=Fraction(1, 100),
        w_max=1 / sp.sqrt(n_),
        x_max=Fraction(1),
    )
    c_ours = Fraction(1, 8 * (k_ours - 1))
    E_ours = events_count(n=n_, layers=l_, k=k_ours)
    P_ours = least_pool(E_ours, c_ours, Fraction(1, 100))
    steps = [
        decide(
            "Under Malach's assumptions (rho_i = 1, x_max = 1, w_max = 1/sqrt(n), widths n), w_max(e-1)D/eps = "
            "(n l/eps)·(e-1)(sqrt2 + l - 1)/(l sqrt n) and (sqrt2 + l - 1)/(l sqrt n) <= sqrt2 for all n, l >= 1 "
            "(r = sqrt n)",
            sp.sqrt(2) * ell * rn - (sp.sqrt(2) + ell - 1) >= 0,
            where=(ell >= 1, rn >= 1),
            domain="l >= 1, r = sqrt(n) >= 1",
        ),
        *coverage_steps(sign_factor=sp.Rational(1, 4) if mutation != "no-sign-factor" else sp.Integer(1)),
        union_step(events=events, c=c_used, pool=pool, delta=st.delta, at=at),
        agreement(
            "So k <= log_phi(n l/eps) + log_phi(sqrt2 (e-1)) + 1 = O(log(n l/eps)); k, recomputed here from the "
            "propagation formula, is bounds' value",
            lambda: k_ours,
            lambda: row.extra["k"],
            at=at,
        ),
        agreement(
            "E and P = min{N: E(1-c)^N <= delta}, recomputed here in exact arithmetic, are bounds' values",
            lambda: (E_ours, P_ours),
            lambda: (events, pool),
            at=at,
        ),
        width_agreement(
            "Width of G's intermediate layers (pooling A) = P·n^2, as bounds.theorems reports",
            P_ours * n_ * n_,
            row,
            at,
        ),
    ]
    return Proof(
        CLAIM,
        "Orseau et al. 2020 under Malach's assumptions (pooling A)",
        "With hyperbolic weights on the optimal support, k = ceil(log_phi(w_max/eps_w)) segments, "
        "c = 1/(8(k-1)) and P = min{N: E(1-c)^N <= delta} neurons per target weight, pruning G yields "
        "sup ||Ĝ(x) - F(x)|| <= eps w.p. >= 1 - delta: Õ(log(n l/eps)) neurons per target weight.",
        ("Malach's assumptions", "hyperbolic weights", "golden-ratio greedy (L3)", "error propagation (propagation)"),
        tuple(steps),
        constants=(
            ("k", str(prop.k)),
            ("c", sp.sstr(c)),
            ("E", str(events)),
            ("P", str(pool)),
            ("eps_w", str(enclose(prop.eps_w))),
            ("neurons per target weight", str(row.neurons_per_weight)),
        ),
        differences=("c = 1/(8(k-1)) (optimal support) instead of the digest's c >= 1/(8k).",),
        mutation=mutation,
    )
