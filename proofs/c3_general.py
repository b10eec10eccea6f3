"""C3: Orseau et al. in general (norms, w_max, x_max; docs/claims.md, C3).  Mutation ``drop-norm-term``."""

from __future__ import annotations

from typing import Any

import sympy as sp

from logprune.bounds import theorems
from logprune.bounds.certified import certified_ceiling, enclose
from logprune.proofs._orseau import orseau, union_step, width_agreement
from logprune.proofs.framework import Proof, agreement, identity

CLAIM = "C3"
DEFAULTS: dict[str, Any] = {
    "n": 50,
    "layers": 4,
    "eps": "0.01",
    "delta": "0.01",
    "w_max": "1/2",
    "x_max": "1",
    "norms": ["3"],
}
MUTATIONS = {"drop-norm-term": "k computed without the sum of log max{1, ||W_i||_2}"}


def proof(mutation: str | None = None) -> Proof:
    rho = sp.symbols("rho1:5", positive=True)
    st = theorems.setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    row = {r.name: r for r in theorems.rows(st)}["orseau2020"]
    D = prop.D
    base_arg = sp.Rational(1, 2) * (sp.E - 1) * 1 * D / sp.Rational(1, 100)  # w_max (e-1) x_max D / eps
    norm_prod = 1 if mutation == "drop-norm-term" else sp.Integer(3) ** 4

    def k_ours() -> int:
        return max(0, certified_ceiling(sp.log(base_arg * norm_prod) / sp.log(sp.GoldenRatio)))

    steps = (
        identity(
            "log_phi(prod_i rho_i) = sum_i log_phi rho_i: the extra term of C3",
            sp.log(sp.Mul(*rho)) / sp.log(sp.GoldenRatio),
            sp.Add(*[sp.log(r) for r in rho]) / sp.log(sp.GoldenRatio),
        ),
        agreement(
            "k = ceil(log_phi(w_max (e-1) x_max D/eps) + sum_i log_phi max{1, ||W_i||}) is bounds' k",
            k_ours,
            lambda: prop.k,
        ),
        union_step(events=events, c=c, pool=pool, delta=st.delta),
        width_agreement(
            "Width of G's intermediate layers = P·n^2 (pooling A), as bounds.theorems reports", pool * st.n * st.n, row
        ),
    )
    return Proof(
        CLAIM,
        "Orseau et al. 2020, general",
        "As C2 with eps_w from the propagation bound using a_i >= ||W_i||_2, x_max (or F_max) and w_max: "
        "Õ(log(n l w_max x_max/eps) + sum_i log max{1, ||W_i||_2}) neurons per target weight.",
        ("a_i >= ||W_i||_2", "||x||_2 <= x_max", "|w| <= w_max", "hyperbolic weights"),
        steps,
        constants=(
            ("k", str(prop.k)),
            ("eps_w", str(enclose(prop.eps_w))),
            ("P", str(pool)),
            ("k without the norm term", str(max(0, certified_ceiling(sp.log(base_arg) / sp.log(sp.GoldenRatio))))),
        ),
        mutation=mutation,
    )
