"""Pooling (B): one block of P neurons per input neuron, shared by all outputs (docs/claims.md, pooling-B).
Mutation ``per-block-events``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

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
from logprune.proofs.framework import Proof, agreement, decide

CLAIM = "pooling-B"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"per-block-events": "the union bound counts (block, branch, segment) events, forgetting the outputs"}


def proof(mutation: str | None = None) -> Proof:
    st = setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    k, n, ell = prop.k, st.n, st.layers
    if mutation == "per-block-events":
        used = samples_for_confidence(p=c, events=((2 + (ell - 1)) * n * k), delta=st.delta)
    else:
        used = pool
    row = {r.name: r for r in table(st)}["orseau2020_shared"]
    at = "n = 100, l = 10, eps = delta = 1/100"
    E_ours = events_count(n=n, layers=ell, k=k)
    P_ours = least_pool(E_ours, coverage_separate(k), Fraction(1, 100))
    x, b1, b2 = sp.symbols("x b1 b2", real=True)
    ap = sp.Symbol("a_pos", positive=True)
    dl, ev_i = sp.Symbol("delta", positive=True), sp.Symbol("e_i", positive=True)
    ev_a, ev_t = sp.Symbol("A", nonnegative=True), sp.Symbol("E", real=True)
    fail_a, fail_i, sh_a, sh_i = sp.symbols("F f_i D delta_i", real=True)
    steps = (
        decide(
            "For a > 0, b·relu(a x) = (ab)·relu(x) for every real x: a neuron of block j feeds every output o the "
            "product a·b_o times relu(x_j)",
            sp.Eq(sp.Max(0, ap * x) * b1, ap * b1 * sp.Max(0, x)),
        ),
        decide(
            "So a neuron kept for outputs o1, o2 adds a·b_o1·relu(x_j) to o1 and a·b_o2·relu(x_j) to o2, "
            "exactly what each (o, j) decomposition counted",
            sp.Eq(sp.Max(0, ap * x) * (b1 + b2), ap * b1 * sp.Max(0, x) + ap * b2 * sp.Max(0, x)),
        ),
        decide(
            "For a < 0, b·relu(a x) = -(ab)·relu(-x) with a = -a_pos: the sigma(-x) branch",
            sp.Eq(sp.Max(0, -ap * x) * b1, ap * b1 * sp.Max(0, -x)),
        ),
        independence_step(
            "For a fixed pair (o, j) the products a_u·b_(u,o) over the P neurons u of block j are i.i.d.",
        ),
        agreement(
            "each lies in a given segment with the given signs w.p. >= c = 1/(4k) (separate supports, "
            "docs/claims.md coverage), recomputed here, is bounds' c",
            lambda: coverage_separate(k),
            lambda: c,
            at=at,
        ),
        agreement(
            "Events: one per (o, j, branch, segment), as in pooling (A), counted here, are bounds' E",
            lambda: E_ours,
            lambda: events,
            at=at,
        ),
        union_step(events=events, c=c, pool=used, delta=st.delta, at=at),
        decide(
            "A k per layer (construct's --segments K1,K2,...): layer i gets delta_i = delta·e_i/E (e_i its "
            "events, E = sum_j e_j) and its own P_i with e_i(1 - c_i)^P_i <= delta_i.  The shares sum to delta, by "
            "induction over the layers: from the first layers' shares summing to delta·A/E (A their events), "
            "adding layer i gives delta·(A + e_i)/E; at the last layer A = E",
            sp.Eq(dl * ev_a / ev_t + dl * ev_i / ev_t, dl * (ev_a + ev_i) / ev_t),
            where=(ev_t > 0,),
        ),
        decide(
            "... and the union bound holds over the layers: from F <= D (the failure probability of the first "
            "layers and the sum of their shares) and f_i <= delta_i, F + f_i <= D + delta_i; so every (weight, "
            "branch, segment) of the target is filled w.p. >= 1 - delta",
            fail_a + fail_i <= sh_a + sh_i,
            where=(fail_a <= sh_a, fail_i <= sh_i),
        ),
        width_agreement(
            "G's intermediate width is P·n, P recomputed here in exact arithmetic (bounds.rows, row orseau2020_shared)",
            P_ours * n,
            row,
            at,
        ),
    )
    return Proof(
        claim=CLAIM,
        title="Pooling (B): blocks shared by all outputs",
        statement="Intermediate neurons grouped in blocks of P = min{N: E(1-c)^N <= delta} per input neuron; each "
        "(o, j) picks "
        "its samples in block j, a neuron may serve several outputs.  All segments of every (o, j, branch) are filled "
        "w.p. >= 1 - delta, with n_in·P intermediate neurons per layer: Õ(log(n l/eps)/n) per target weight.",
        assumptions=(
            "hyperbolic weights on the optimal support",
            "block j's neurons keep only the in-edge from input j",
        ),
        steps=steps,
        constants=(
            ("E", str(events)),
            ("P", str(pool)),
            ("sampled weights per target weight", str(row.sampled_weights_per_target_weight)),
        ),
        differences=("The same P as pooling (A), but shared by the n outputs: n times fewer intermediate neurons.",),
        mutation=mutation,
    )
