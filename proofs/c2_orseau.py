"""C2: Orseau et al. under Malach's assumptions, with our explicit constants (docs/claims.md, C2).  Mutation
``no-sign-factor``."""

from __future__ import annotations

from typing import Any

import sympy as sp

from logprune.bounds import symbols, theorems
from logprune.bounds.certified import enclose
from logprune.proofs._orseau import coverage_steps, orseau, union_step, width_agreement
from logprune.proofs.framework import Proof, agreement, identity, nonneg

CLAIM = "C2"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"no-sign-factor": "c = 1/(2(k-1)): the sign conditions' factor 1/4 forgotten"}


def proof(mutation: str | None = None) -> Proof:
    n, ell, eps = symbols.n, symbols.layers, symbols.eps
    a, b, r = sp.symbols("a b r", nonnegative=True)
    st = theorems.setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    c_used = sp.Rational(1, 2 * (prop.k - 1)) if mutation == "no-sign-factor" else c
    row = {r.name: r for r in theorems.rows(st)}["orseau2020"]
    arg = (1 / sp.sqrt(n)) * (sp.E - 1) * (sp.sqrt(2) + ell - 1) * n / eps
    steps = [
        identity(
            "Under Malach's assumptions (rho_i = 1, x_max = 1, w_max = 1/sqrt(n), widths n): "
            "w_max(e-1)D/eps = (n l/eps)·(e-1)(sqrt2 + l - 1)/(l sqrt n)",
            arg,
            (n * ell / eps) * (sp.E - 1) * (sp.sqrt(2) + ell - 1) / (ell * sp.sqrt(n)),
        ),
        identity(
            "(sqrt2 + l - 1)/(l sqrt n) <= sqrt2 for n, l >= 1: with l = 1 + a, sqrt n = 1 + b, "
            "sqrt2(1+a)(1+b) - (sqrt2 + a) = (sqrt2 - 1)a + sqrt2·b(1+a)",
            sp.sqrt(2) * (1 + a) * (1 + b) - (sp.sqrt(2) + a),
            (sp.sqrt(2) - 1) * a + sp.sqrt(2) * b * (1 + a),
        ),
        nonneg("sqrt2 - 1 >= 0 (certified)", sp.sqrt(2) - 1),
        nonneg(
            "hence, with r = sqrt2 - 1 >= 0, r·a + (r + 1)·b(1+a) >= 0 for a, b >= 0", r * a + (r + 1) * b * (1 + a)
        ),
        *coverage_steps(sign_factor=sp.Rational(1, 4) if mutation != "no-sign-factor" else sp.Integer(1)),
        union_step(events=events, c=c_used, pool=pool, delta=st.delta),
        agreement(
            "So k <= log_phi(n l/eps) + log_phi(sqrt2 (e-1)) + 1 = O(log(n l/eps)); k is bounds' value",
            lambda: prop.k,
            lambda: row.extra["k"],
        ),
        width_agreement(
            "Width of G's intermediate layers (pooling A) = P·n^2, as bounds.theorems reports", pool * st.n * st.n, row
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
