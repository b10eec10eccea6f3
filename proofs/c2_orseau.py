"""C2: Orseau et al. under Malach's assumptions, with our explicit constants (docs/claims.md, C2).  Mutation
``no-sign-factor``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds.certified import enclose
from logprune.bounds.rows import table
from logprune.bounds.setting import setting
from logprune.proofs._orseau import (
    coverage_separate,
    coverage_steps,
    events_count,
    least_pool,
    orseau,
    orseau_k,
    tightened_k,
    union_step,
    width_agreement,
)
from logprune.proofs.framework import Proof, agreement, decide

CLAIM = "C2"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"no-sign-factor": "c = 1/k: the sign conditions' factor 1/4 forgotten"}


def proof(mutation: str | None = None) -> Proof:
    ell, rn = sp.symbols("l r", real=True)  # r = sqrt(n)
    st = setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    c_used = sp.Rational(1, prop.k) if mutation == "no-sign-factor" else c
    row = {r.name: r for r in table(st)}["orseau2020"]
    at = "n = 100, l = 10, eps = delta = 1/100 (Malach's assumptions)"
    n_, l_ = st.n, st.layers
    k_closed = orseau_k(
        widths=[n_] * (l_ + 1),
        norms=[Fraction(1)] * l_,
        eps=Fraction(1, 100),
        w_max=1 / sp.sqrt(n_),
        x_max=Fraction(1),
    )
    k_ours = tightened_k(
        closed_k=k_closed,
        widths=[n_] * (l_ + 1),
        norms=[Fraction(1)] * l_,
        eps=Fraction(1, 100),
        w_max=1 / sp.sqrt(n_),
        x_max=Fraction(1),
    )
    c_ours = coverage_separate(k_ours)
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
        *coverage_steps(
            k_value=prop.k, at=at, sign_factor=sp.Rational(1, 4) if mutation != "no-sign-factor" else sp.Integer(1)
        ),
        union_step(events=events, c=c_used, pool=pool, delta=st.delta, at=at),
        agreement(
            "So the closed form's k <= log_phi(n l/eps) + log_phi(sqrt2 (e-1)) + 1 = O(log(n l/eps)); the "
            "tightened k (the least k whose exact telescoped bound is <= eps, from the closed form's down), "
            "recomputed here, is bounds' value",
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
            "Width of G's intermediate layers (pooling A) = P·n^2, as bounds.rows reports",
            P_ours * n_ * n_,
            row,
            at,
        ),
    ]
    return Proof(
        claim=CLAIM,
        title="Orseau et al. 2020 under Malach's assumptions (pooling A)",
        statement="With hyperbolic in-weights and fixed-magnitude out-weights on the optimal separate supports, k "
        "segments (the least k whose telescoped bound at eps_w = w_max·phi^-k is <= eps; at most "
        "ceil(log_phi(w_max/eps_w)) of the closed form), c = 1/(4k) and P = min{N: E(1-c)^N <= delta} "
        "neurons per target weight, pruning G yields "
        "sup ||Ĝ(x) - F(x)|| <= eps w.p. >= 1 - delta: Õ(log(n l/eps)) neurons per target weight.",
        assumptions=(
            "Malach's assumptions",
            "hyperbolic weights",
            "golden-ratio greedy (L3)",
            "error propagation (propagation)",
        ),
        steps=tuple(steps),
        constants=(
            ("k", str(prop.k)),
            ("c", sp.sstr(c)),
            ("E", str(events)),
            ("P", str(pool)),
            ("eps_w", str(enclose(prop.eps_w))),
            ("sampled weights per target weight", str(row.sampled_weights_per_target_weight)),
        ),
        differences=(
            "c = 1/(4k) (separate supports, the global optimum: proofs/coverage.py) instead of the digest's "
            "c >= 1/(8k); k tightened by the exact telescoped bound.",
        ),
        mutation=mutation,
    )
