"""Pooling (A): a dedicated pool of P neurons per target weight (docs/claims.md, pooling-A).  Mutation
``no-union-bound``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from logprune.bounds.rows import table
from logprune.bounds.sampling import samples_for_confidence
from logprune.bounds.setting import setting
from logprune.proofs._orseau import (
    coverage_separate,
    events_count,
    independence_step,
    least_pool,
    orseau,
    union_step,
    width_agreement,
)
from logprune.proofs.framework import Proof, agreement

CLAIM = "pooling-A"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"no-union-bound": "P chosen for a single event instead of all E events"}


def proof(mutation: str | None = None) -> Proof:
    st = setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    used = samples_for_confidence(p=c, events=1, delta=st.delta) if mutation == "no-union-bound" else pool
    k, n, ell = prop.k, st.n, st.layers
    row = {r.name: r for r in table(st)}["orseau2020"]
    at = "n = 100, l = 10, eps = delta = 1/100"
    E_ours = events_count(n=n, layers=ell, k=k)
    P_ours = least_pool(E_ours, coverage_separate(k), Fraction(1, 100))
    steps = (
        agreement(
            "Events: (2 branches in layer 1 + 1 per other layer)·n^2 weights·k segments, counted here, are bounds' E",
            lambda: E_ours,
            lambda: events,
            at=at,
        ),
        independence_step(
            "Pools are designated before sampling, so the pools of different weights are independent, "
            "and within a pool the P products are i.i.d.",
        ),
        agreement(
            "a neuron's product lies in a given segment with the given signs w.p. >= c = 1/(4k) (separate "
            "supports, docs/claims.md coverage), recomputed here, is bounds' c",
            lambda: coverage_separate(k),
            lambda: c,
            at=at,
        ),
        union_step(events=events, c=c, pool=used, delta=st.delta, at=at),
        width_agreement(
            "G's intermediate width is P·n^2, P = min{N: E(1-c)^N <= delta} recomputed here in exact arithmetic "
            "(bounds.rows, row orseau2020)",
            P_ours * n * n,
            row,
            at,
        ),
    )
    return Proof(
        claim=CLAIM,
        title="Pooling (A): dedicated pools",
        statement="Each target weight owns P = min{N: E(1-c)^N <= delta} intermediate neurons; all k segments of every "
        "weight and "
        "branch are filled w.p. >= 1 - delta.",
        assumptions=("hyperbolic weights on the optimal support", "pools designated before sampling"),
        steps=steps,
        constants=(("E", str(events)), ("P", str(pool))),
        differences=(
            "The slides' accounting (one pool per layer with L4's m = #weights) is not used: a neuron's "
            "category depends on the weight it serves, so L4's i.i.d. categories do not apply (reported as "
            "orseau2020_batch, conjectural).",
        ),
        mutation=mutation,
    )
