"""Pooling (B): one block of P neurons per input neuron, shared by all outputs (docs/claims.md, pooling-B).
Mutation ``per-block-events``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from logprune.bounds import theorems
from logprune.bounds.branches import layer_branches
from logprune.bounds.sampling import samples_for_confidence
from logprune.proofs._orseau import orseau, union_step, width_agreement
from logprune.proofs.framework import Proof, identity, probability

CLAIM = "pooling-B"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {"per-block-events": "the union bound counts (block, branch, segment) events, forgetting the outputs"}


def _cases(f: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    """f(t)^2 + f(-t)^2 for t >= 0: zero iff f vanishes for inputs of both signs."""
    t = sp.Symbol("t", nonnegative=True)
    return f(t) ** 2 + f(-t) ** 2


def proof(mutation: str | None = None) -> Proof:
    st = theorems.setting(**DEFAULTS)
    prop, c, events, pool = orseau(st)
    k, n, ell = prop.k, st.n, st.layers
    branch_count = sum(layer_branches(ell, inputs_nonnegative=st.inputs_nonnegative))  # 2 + (l - 1)
    if mutation == "per-block-events":
        used = samples_for_confidence(p=c, events=branch_count * n * k, delta=st.delta)
    else:
        used = pool
    row = {r.name: r for r in theorems.rows(st)}["orseau2020_shared"]
    b1, b2 = sp.symbols("b1 b2", real=True)
    ap = sp.Symbol("a_pos", positive=True)
    steps = (
        identity(
            "For a > 0, b·relu(a x) = (ab)·relu(x) (both signs of x: x = t and x = -t, t >= 0): a neuron "
            "of block j feeds every output o the product a·b_o times relu(x_j)",
            _cases(lambda z: sp.Max(0, ap * z) * b1 - ap * b1 * sp.Max(0, z)),
            0,
        ),
        identity(
            "So a neuron kept for outputs o1, o2 adds a·b_o1·relu(x_j) to o1 and a·b_o2·relu(x_j) to o2, "
            "exactly what each (o, j) decomposition counted",
            _cases(lambda z: sp.Max(0, ap * z) * (b1 + b2) - (ap * b1 * sp.Max(0, z) + ap * b2 * sp.Max(0, z))),
            0,
        ),
        identity(
            "For a < 0, b·relu(a x) = -(ab)·relu(-x): the sigma(-x) branch",
            _cases(lambda z: sp.Max(0, -ap * z) * b1 - ap * b1 * sp.Max(0, -z)),
            0,
        ),
        probability(
            "For a fixed pair (o, j) the products a_u·b_(u,o) over the P neurons u of block j are i.i.d.",
            "functions of disjoint sets of independent weights are independent",
            identity(
                "each lies in a given segment with the given signs w.p. >= c",
                sp.Rational(1, 4) * sp.Rational(1, 2 * (k - 1)),
                c,
            ),
        ),
        identity(
            "Events: one per (o, j, branch, segment), as in pooling (A)",
            sp.Integer(events),
            branch_count * n * n * k,
        ),
        union_step(events=events, c=c, pool=used, delta=st.delta),
        width_agreement("G's intermediate width is P·n (bounds.theorems, row orseau2020_shared)", used * n, row),
    )
    return Proof(
        CLAIM,
        "Pooling (B): blocks shared by all outputs",
        "Intermediate neurons grouped in blocks of P = min{N: E(1-c)^N <= delta} per input neuron; each (o, j) picks "
        "its samples in block j, a neuron may serve several outputs.  All segments of every (o, j, branch) are filled "
        "w.p. >= 1 - delta, with n_in·P intermediate neurons per layer: Õ(log(n l/eps)/n) per target weight.",
        ("hyperbolic weights on the optimal support", "block j's neurons keep only the in-edge from input j"),
        steps,
        constants=(("E", str(events)), ("P", str(pool)), ("neurons per target weight", str(row.neurons_per_weight))),
        differences=("The same P as pooling (A), but shared by the n outputs: n times fewer intermediate neurons.",),
        mutation=mutation,
    )
