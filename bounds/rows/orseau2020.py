"""Orseau, Hutter & Rivasplata, *Logarithmic Pruning is All You Need* (NeurIPS 2020): hyperbolic weights,
golden-ratio decomposition, with our own constants (docs/claims.md, C2, C3, pooling-A, pooling-B, L4).

- ``orseau2020`` (C2 under Malach's assumptions, else C3; pooling-A, proven here): k from
  :mod:`~logprune.bounds.propagation`, c = 1/(4k) (separate supports, :mod:`~logprune.bounds.hyperbolic`).
  Each target weight owns a dedicated pool of P intermediate neurons of G (designated in advance, so the pools
  are independent).  A weight needs, for each branch and each of the k segments, one neuron of its pool
  whose product (input·output weight towards that target weight) lies in the segment with the right signs:
  probability >= c per neuron, independently.  A union bound over all E = sum_i beta_i·n_i·n_(i-1)·k such
  events (beta_i the branch rule, :mod:`~logprune.bounds.domain`: 2 in layer 1 if inputs may be negative)
  gives P = least N with E·(1-c)^N <= delta; then L3 (golden ratio, greedy) and C3 (propagation) give
  ||Ĝ(x) - F(x)|| <= eps for all ||x|| <= x_max with probability >= 1 - delta.
- ``orseau2020_shared`` (pooling-B; proven by ``proofs/pooling_b.py``): intermediate neurons grouped in
  blocks by the input j they keep, one block of P neurons per input; each (o, j) pair picks its neurons
  from block j, and a neuron may serve several outputs.  For fixed (o, j) the products over the block are
  i.i.d., so the same union bound applies, with the block shared by the n_i outputs.
- ``orseau2020_batch`` (the slides' accounting with L4; conjectural): one pool per layer of
  M_i = ceil((2/c)(m_i + ln(K/delta))), m_i = beta_i·n_i·n_(i-1), K = sum_i 2·beta_i·k categories
  (segment × sign(ab) × branch).  Not proven here: the category of a neuron depends on the target weight
  it serves (its product differs for every (o, j)), so the counts per category are not the i.i.d.
  binomials L4 assumes.  Reported because it is what the slides count.
"""

from __future__ import annotations

import functools

import sympy as sp

from logprune.bounds.batch import M_checked
from logprune.bounds.hyperbolic import coverage_separate_checked
from logprune.bounds.propagation import Propagation, Telescoped, propagate_checked
from logprune.bounds.rows.row import Row, Source, Status, branches, upper_row
from logprune.bounds.sampling import samples_checked
from logprune.bounds.setting import Setting

__all__ = ["SOURCE", "orseau_parameters", "rows"]


@functools.lru_cache(maxsize=64)
def orseau_parameters(st: Setting) -> tuple[Propagation, sp.Rational, int, int]:
    """(propagation, c, number of events E, pool size P) shared by the Orseau rows (docs/claims.md, C2,
    C3, pooling-A, pooling-B); cached: the rows and the proofs ask it for the same setting.

    k is the TIGHTENED k (docs/claims.md, propagation): the least k whose exact telescoped bound at
    eps_w = w_max·b^(-k) is certainly <= eps, starting from the closed form's k, as ``construct`` does.
    With only F_max (no x_max) the closed form's k is used (the telescoped identity needs x_max)."""
    res = st.resolved()
    prop = propagate_checked(
        st.eps,
        tuple(st.widths),
        tuple(res["norms"]),
        res["w_max"],
        res["x_max"],
        res["f_max"],
        st.base_value,
        st.inputs_nonnegative,
    )
    if res["x_max"] is not None and prop.k >= 1:
        tele = Telescoped(
            eps=st.eps,
            widths=tuple(st.widths),
            norms=tuple(res["norms"]),
            scale=res["w_max"],
            x_max=res["x_max"],
            base=st.base_value,
            inputs_nonnegative=st.inputs_nonnegative,
        )
        prop = prop.tightened(tele.tighten(prop.k), tele.eps_w)
    k = max(prop.k, 1)
    c = coverage_separate_checked(k)  # separate supports for in- and out-weights, as construct draws G
    br = branches(st)
    events = sum(br[i] * st.layer_weights(i) * k for i in range(st.layers))
    pool = samples_checked(c, events, st.delta)
    return prop, c, events, pool


def rows(st: Setting) -> list[Row]:
    """The three Orseau rows (module doc): pooling A, pooling B, and the slides' batch accounting."""
    ll = st.layers
    wd, lw = st.widths, [st.layer_weights(i) for i in range(ll)]  # n_i, and n_(i+1)·n_i per layer
    out: list[Row] = []
    prop, c, events, pool = orseau_parameters(st)
    claim = "C2" if st.malach else "C3"
    asym = (
        "Õ(log(n l/eps)) sampled weights per target weight"
        if st.malach
        else "Õ(log(n l w_max F_max/eps) + Σ_i log max{1, ||W_i||_2}) sampled weights per target weight"
    )
    common = {"k": prop.k, "c": sp.sstr(c), "events": events, "pool": pool, "propagation": prop.as_json()}
    out.append(
        upper_row(
            "orseau2020",
            claim,
            Status.PROVEN,
            st,
            [pool * m for m in lw],
            sum(2 * pool * m for m in lw),  # each neuron of a dedicated pool: one in- and one out-weight
            asym,
            "hyperbolic weights, golden-ratio greedy; a dedicated pool of P neurons per target weight "
            "(2P sampled weights: one in-, one out-weight each)",
            pooling="A",
            extra=common,
        )
    )
    out.append(
        upper_row(
            "orseau2020_shared",
            claim,
            Status.PROVEN,
            st,
            [pool * wd[i] for i in range(ll)],
            sum(wd[i] * pool * (1 + wd[i + 1]) for i in range(ll)),  # a block: P in-weights, P·n_i out-weights
            asym,
            "pooling (B): one block of P neurons per input neuron, shared by all outputs "
            "(P·(1 + n_i) sampled weights per block; proofs/pooling_b.py)",
            pooling="B",
            extra=common,
        )
    )
    br = branches(st)
    k = max(prop.k, 1)
    categories = sum(2 * b * k for b in br)
    m_layer = [br[i] * lw[i] for i in range(ll)]
    batch_widths = [M_checked(c, m_layer[i], categories, st.delta) for i in range(ll)]
    out.append(
        upper_row(
            "orseau2020_batch",
            claim,
            Status.CONJECTURAL,
            st,
            batch_widths,
            sum(batch_widths[i] * (wd[i] + wd[i + 1]) for i in range(ll)),  # any neuron may serve any weight
            asym,
            "slides' L4 accounting: categories are not i.i.d. across target weights (see bounds.rows.orseau2020)",
            pooling="batch",
            extra={"k": prop.k, "c": sp.sstr(c), "categories": categories},
        )
    )
    return out


SOURCE = Source(
    order=20,
    rows=rows,
    names=("orseau2020", "orseau2020_shared", "orseau2020_batch"),
    cite="Orseau, Hutter & Rivasplata, Logarithmic Pruning is All You Need (NeurIPS 2020)",
)
