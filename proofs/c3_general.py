"""C3: Orseau et al. in general (norms, w_max, x_max; docs/claims.md, C3).  Mutation ``drop-norm-term``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds.certified import certified_ceiling, enclose
from logprune.bounds.rows import table
from logprune.bounds.setting import setting
from logprune.proofs._orseau import (
    coverage_separate,
    events_count,
    least_pool,
    orseau,
    orseau_k,
    tightened_k,
    union_step,
    width_agreement,
)
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
    st = setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    row = {r.name: r for r in table(st)}["orseau2020"]
    at = "n = 50, l = 4, eps = delta = 1/100, w_max = 1/2, x_max = 1, ||W_i||_2 <= 3"
    n_, l_ = st.n, st.layers
    k_closed = orseau_k(
        widths=[n_] * (l_ + 1),
        norms=[Fraction(3)] * l_,
        eps=Fraction(1, 100),
        w_max=sp.Rational(1, 2),
        x_max=Fraction(1),
        norm_term=mutation != "drop-norm-term",
    )
    k_ours = tightened_k(
        closed_k=k_closed,
        widths=[n_] * (l_ + 1),
        norms=[Fraction(3)] * l_,
        eps=Fraction(1, 100),
        w_max=sp.Rational(1, 2),
        x_max=Fraction(1),
    )
    E_ours = events_count(n=n_, layers=l_, k=k_ours)
    P_ours = least_pool(E_ours, coverage_separate(k_ours), Fraction(1, 100))
    steps = (
        identity(
            "log_phi(prod_i rho_i) = sum_i log_phi rho_i: the extra term of C3",
            sp.log(sp.Mul(*rho)) / sp.log(sp.GoldenRatio),
            sp.Add(*[sp.log(r) for r in rho]) / sp.log(sp.GoldenRatio),
        ),
        agreement(
            "The closed form's k = ceil(log_phi(w_max (e-1) x_max D/eps) + sum_i log_phi max{1, ||W_i||}) "
            "(D included), tightened to the least k whose exact telescoped bound is <= eps, recomputed here, is "
            "bounds' k",
            lambda: k_ours,
            lambda: prop.k,
            at=at,
        ),
        union_step(events=events, c=c, pool=pool, delta=st.delta, at=at),
        agreement(
            "E and P = min{N: E(1-c)^N <= delta}, recomputed here in exact arithmetic, are bounds' values",
            lambda: (E_ours, P_ours),
            lambda: (events, pool),
            at=at,
        ),
        width_agreement(
            "Width of G's intermediate layers = P·n^2 (pooling A), as bounds.rows reports",
            P_ours * n_ * n_,
            row,
            at,
        ),
    )
    base_arg = sp.Rational(1, 2) * (sp.E - 1) * 1 * prop.D / sp.Rational(1, 100)  # w_max (e-1) x_max D / eps
    return Proof(
        claim=CLAIM,
        title="Orseau et al. 2020, general",
        statement="As C2 with eps_w from the propagation bound using a_i >= ||W_i||_2, x_max (or F_max) and w_max: "
        "Õ(log(n l w_max x_max/eps) + sum_i log max{1, ||W_i||_2}) neurons per target weight.",
        assumptions=("a_i >= ||W_i||_2", "||x||_2 <= x_max", "|w| <= w_max", "hyperbolic weights"),
        steps=steps,
        constants=(
            ("k", str(prop.k)),
            ("eps_w", str(enclose(prop.eps_w))),
            ("P", str(pool)),
            ("k without the norm term", str(max(0, certified_ceiling(sp.log(base_arg) / sp.log(sp.GoldenRatio))))),
        ),
        mutation=mutation,
    )
