"""Theorem-level sizes of G (docs/claims.md, C1, C2, C3, pooling-A, pooling-B, counting).

For a target with l layers of width n (n_0 = ... = n_l = n, dense n×n layers), or of the widths
n_0, ..., n_l of a real model (``widths``; n is then the largest), every row gives G's depth, the width
of each of its 2l layers (intermediate layer i, then the layer aligned with target layer i), the total
number of neurons (inputs excluded) and of weights (G fully connected), and neurons per target weight =
neurons / sum_i n_i·n_(i-1), with the asymptotic form of the slides.  With equal widths every per-layer
count below reduces to the n×n one.

Rows.
- ``malach2020`` (docs/claims.md, C1; published): n^3·l^2/eps^2·ln(n·l/delta) neurons per target weight, as on the
  slides.  The paper's constant is not available to us: it is shown as 1 (an under-estimate).
- ``orseau2020`` (docs/claims.md, C2 under Malach's assumptions, else C3; pooling-A, proven here): k from
  :mod:`~logprune.bounds.propagation`, c = 1/(8(k-1)) (:mod:`~logprune.bounds.hyperbolic`).  Each target
  weight owns a dedicated pool of P intermediate neurons of G (designated in advance, so the pools are
  independent).  A weight needs, for each branch and each of the k segments, one neuron of its pool
  whose product (input·output weight towards that target weight) lies in the segment with the right
  signs: probability >= c per neuron, independently.  A union bound over all E = sum_i beta_i·n_i·n_(i-1)·k
  such events (beta_i from :mod:`~logprune.bounds.branches`: 2 in layer 1 if inputs may be negative) gives
  P = least N with E·(1-c)^N <= delta; then L3 (golden ratio, greedy) and C3 (propagation) give
  ||Ĝ(x) - F(x)|| <= eps for all ||x|| <= x_max with probability >= 1 - delta.
- ``orseau2020_shared`` (docs/claims.md, pooling-B; proven by ``proofs/pooling_b.py``): intermediate neurons grouped in
  blocks by the input j they keep, one block of P neurons per input; each (o, j) pair picks its neurons
  from block j, and a neuron may serve several outputs.  For fixed (o, j) the products over the block are
  i.i.d., so the same union bound applies, with the block shared by the n_i outputs.
- ``orseau2020_batch`` (slides' accounting with docs/claims.md, L4; conjectural): one pool per layer of
  M_i = ceil((2/c)(m_i + ln(K/delta))), m_i = beta_i·n_i·n_(i-1), K = sum_i 2·beta_i·k categories
  (segment × sign(ab) × branch).  Not proven here: the category of a neuron depends on the target weight
  it serves (its product differs for every (o, j)), so the counts per category are not the i.i.d.
  binomials L4 assumes.  Reported because it is what the slides count.
- ``pensia2020`` (published): layer 2i-1 of width n_(i-1)·C·ln(n_(i-1)·n_i·l/min(eps, delta)); the
  universal constant C is not available to us and is shown as 1.
- ``counting_lower_bound`` (docs/claims.md, counting; proven, elementary): a mask over N sampled weights
  realises at most 2^N values, so approximating every weight in [-1, 1] within eps needs N >= log2(1/eps)
  sampled weights per target weight.  Only a per-weight count: depth, width and neurons are not determined by it (null).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds.batch import _M
from logprune.bounds.branches import layer_branches
from logprune.bounds.certified import Enclosure, certified_ceiling, enclose
from logprune.bounds.hyperbolic import _coverage
from logprune.bounds.propagation import Propagation, _propagate
from logprune.bounds.sampling import _samples
from logprune.errors import ParameterError
from logprune.validation import (
    MAX_LAYERS,
    MAX_SIZE,
    check_int,
    check_open_unit,
    check_positive,
    parse_base,
    sympy_rational,
)

__all__ = ["Row", "Setting", "rows", "setting"]


@dataclass(frozen=True)
class Setting:
    """Validated parameters of a size question (:func:`setting` checks them once; everything below takes
    them as exact values).  ``malach`` when no general parameter is given."""

    n: int
    layers: int
    eps: Fraction
    delta: Fraction
    w_max: Fraction | None = None
    x_max: Fraction | None = None
    f_max: Fraction | None = None
    norms: tuple[Fraction, ...] | None = None
    base: str = "phi"
    inputs_nonnegative: bool = False
    layer_widths: tuple[int, ...] | None = None  # n_0..n_l of a real model (None: all n)

    @property
    def base_value(self) -> sp.Expr:
        """The checked base as an exact number (phi or a rational > 1)."""
        return sp.GoldenRatio if self.base == "phi" else sp.Rational(self.base)

    @property
    def malach(self) -> bool:
        return self.w_max is None and self.x_max is None and self.f_max is None and self.norms is None

    @property
    def widths(self) -> list[int]:
        return list(self.layer_widths) if self.layer_widths is not None else [self.n] * (self.layers + 1)

    def layer_weights(self, i: int) -> int:
        """n_(i+1)·n_i: the weights of target layer i (0-based)."""
        w = self.widths
        return w[i] * w[i + 1]

    @property
    def target_weights(self) -> int:
        return sum(self.layer_weights(i) for i in range(self.layers))

    def resolved(self) -> dict[str, Any]:
        """w_max, x_max, f_max, norms as used (Malach: w_max = 1/sqrt(n), norms 1, x_max 1;
        general: missing norms bounded by the Frobenius norm sqrt(n_i·n_(i-1))·w_max, missing x_max and
        f_max by 1 and none)."""
        if self.malach:
            return {
                "w_max": 1 / sp.sqrt(self.n),
                "x_max": sp.Integer(1),
                "f_max": None,
                "norms": [sp.Integer(1)] * self.layers,
            }
        w_max = sympy_rational(self.w_max) if self.w_max is not None else 1 / sp.sqrt(self.n)
        norms = (
            [sympy_rational(v) for v in self.norms]
            if self.norms is not None
            else [sp.sqrt(self.layer_weights(i)) * w_max for i in range(self.layers)]
        )
        x_max = (
            sympy_rational(self.x_max)
            if self.x_max is not None
            else (None if self.f_max is not None else sp.Integer(1))
        )
        f_max = sympy_rational(self.f_max) if self.f_max is not None else None
        return {"w_max": w_max, "x_max": x_max, "f_max": f_max, "norms": norms}

    def as_json(self) -> dict[str, Any]:
        res = self.resolved()
        return {
            "n": self.n,
            "layers": self.layers,
            **({} if self.layer_widths is None else {"widths": list(self.layer_widths)}),
            "eps": str(self.eps),
            "delta": str(self.delta),
            "assumptions": "malach" if self.malach else "general",
            "w_max": sp.sstr(res["w_max"]),
            "x_max": None if res["x_max"] is None else sp.sstr(res["x_max"]),
            "f_max": None if res["f_max"] is None else sp.sstr(res["f_max"]),
            "norms": [sp.sstr(v) for v in res["norms"]],
            "base": self.base,
            "inputs_nonnegative": self.inputs_nonnegative,
        }


def setting(
    *,
    n: Any = None,
    layers: Any = None,
    eps: Any,
    delta: Any,
    w_max: Any | None = None,
    x_max: Any | None = None,
    f_max: Any | None = None,
    norms: Sequence[Any] | None = None,
    base: Any = "phi",
    inputs_nonnegative: bool = False,
    widths: Sequence[Any] | None = None,
) -> Setting:
    """Validate a size question, once; ``norms`` has one upper bound of ||W_i||_2 per layer, or one for all.
    Either ``n`` and ``layers`` (dense n×n layers) or ``widths`` = [n_0, ..., n_l] (a real model)."""
    lw: tuple[int, ...] | None = None
    if widths is not None:
        if n is not None or layers is not None:
            raise ParameterError(f"widths={list(widths)}: give widths, or n and layers, not both")
        lw = tuple(check_int("widths", v, maximum=MAX_SIZE) for v in widths)
        if len(lw) < 2:
            raise ParameterError(f"widths={list(widths)}: give the input width and at least one layer's")
        nn, ll = max(lw), len(lw) - 1
    else:
        if n is None or layers is None:
            raise ParameterError(f"n={n}, layers={layers}: both are needed (or widths)")
        nn = check_int("n", n, maximum=MAX_SIZE)
        ll = check_int("layers", layers, maximum=MAX_LAYERS)
    e = check_open_unit("eps", eps)
    d = check_open_unit("delta", delta)
    wm = None if w_max is None else check_positive("w_max", w_max)
    xm = None if x_max is None else check_positive("x_max", x_max)
    fm = None if f_max is None else check_positive("f_max", f_max)
    nm: tuple[Fraction, ...] | None = None
    if norms is not None:
        vals = [check_positive("norms", v) for v in norms]
        if len(vals) == 1:
            vals = vals * ll
        if len(vals) != ll:
            raise ParameterError(f"norms={list(norms)}: give one value or one per layer (layers={ll})")
        nm = tuple(vals)
    bb = parse_base(base)
    return Setting(nn, ll, e, d, wm, xm, fm, nm, "phi" if bb is sp.GoldenRatio else sp.sstr(bb), inputs_nonnegative, lw)


@dataclass(frozen=True)
class Row:
    """One line of the comparison table."""

    name: str
    claim: str
    status: str  # "proven" | "published" | "conjectural"
    depth: int | None
    width: tuple[int, ...] | None
    neurons: int | None
    weights: int | None
    neurons_per_weight: Enclosure
    asymptotic: str
    note: str
    pooling: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "claim": self.claim,
            "status": self.status,
            "pooling": self.pooling,
            "depth": self.depth,
            "width": None if self.width is None else list(self.width),
            "neurons": self.neurons,
            "weights": self.weights,
            "neurons_per_weight": self.neurons_per_weight.as_json(),
            "asymptotic": self.asymptotic,
            "note": self.note,
            **self.extra,
        }


def _sizes(widths: Sequence[int], intermediate: Sequence[int]) -> tuple[tuple[int, ...], int, int]:
    """G's 2l layer widths, neurons (inputs excluded) and weights (fully connected)."""
    g: list[int] = []
    weights = 0
    for i, w_int in enumerate(intermediate):
        g += [w_int, widths[i + 1]]
        weights += widths[i] * w_int + w_int * widths[i + 1]
    return tuple(g), sum(g), weights


def _row(
    name: str,
    claim: str,
    status: str,
    st: Setting,
    intermediate: Sequence[int],
    asym: str,
    note: str,
    pooling: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Row:
    widths, neurons, weights = _sizes(st.widths, intermediate)
    npw = enclose(sp.Rational(neurons, st.target_weights))
    return Row(name, claim, status, 2 * st.layers, widths, neurons, weights, npw, asym, note, pooling, extra or {})


def _branches(st: Setting) -> tuple[int, ...]:
    return layer_branches(st.layers, inputs_nonnegative=st.inputs_nonnegative)


@functools.lru_cache(maxsize=64)
def orseau_parameters(st: Setting) -> tuple[Propagation, sp.Rational, int, int]:
    """(propagation, c, number of events E, pool size P) shared by the Orseau rows (docs/claims.md, C2,
    C3, pooling-A, pooling-B); cached: the rows and the proofs ask it for the same setting."""
    res = st.resolved()
    prop = _propagate(
        st.eps,
        tuple(st.widths),
        tuple(res["norms"]),
        res["w_max"],
        res["x_max"],
        res["f_max"],
        st.base_value,
        st.inputs_nonnegative,
    )
    k = max(prop.k, 1)
    c = _coverage(k)
    br = _branches(st)
    events = sum(br[i] * st.layer_weights(i) * k for i in range(st.layers))
    pool = _samples(c, events, st.delta)
    return prop, c, events, pool


def rows(st: Setting) -> list[Row]:
    """Every row of the comparison table for one setting (see module doc for each statement)."""
    n, ll, e, d = st.n, st.layers, sympy_rational(st.eps), sympy_rational(st.delta)
    wd, lw = st.widths, [st.layer_weights(i) for i in range(ll)]  # n_i, and n_(i+1)·n_i per layer
    out: list[Row] = []

    per_weight = certified_ceiling(sp.Integer(n) ** 3 * ll**2 / e**2 * sp.log(n * ll / d))
    out.append(
        _row(
            "malach2020",
            "C1",
            "published",
            st,
            [per_weight * m for m in lw],
            "O(n^3 l^2/eps^2 log(n l/delta)) neurons per target weight",
            "uniform weights; slides' form with the paper's constant shown as 1"
            + ("" if st.malach else "; Malach's assumptions are not those of this setting"),
        )
    )

    prop, c, events, pool = orseau_parameters(st)
    claim = "C2" if st.malach else "C3"
    asym = (
        "Õ(log(n l/eps)) neurons per target weight"
        if st.malach
        else "Õ(log(n l w_max F_max/eps) + Σ_i log max{1, ||W_i||_2}) neurons per target weight"
    )
    common = {"k": prop.k, "c": sp.sstr(c), "events": events, "pool": pool, "propagation": prop.as_json()}
    out.append(
        _row(
            "orseau2020",
            claim,
            "proven",
            st,
            [pool * m for m in lw],
            asym,
            "hyperbolic weights, golden-ratio greedy; a dedicated pool of P neurons per target weight",
            pooling="A",
            extra=common,
        )
    )
    out.append(
        _row(
            "orseau2020_shared",
            claim,
            "proven",
            st,
            [pool * wd[i] for i in range(ll)],
            asym,
            "pooling (B): one block of P neurons per input neuron, shared by all outputs (proofs/pooling_b.py)",
            pooling="B",
            extra=common,
        )
    )
    br = _branches(st)
    k = max(prop.k, 1)
    categories = sum(2 * b * k for b in br)
    m_layer = [br[i] * lw[i] for i in range(ll)]
    batch_widths = [_M(c, m_layer[i], categories, st.delta) for i in range(ll)]
    out.append(
        _row(
            "orseau2020_batch",
            claim,
            "conjectural",
            st,
            batch_widths,
            asym,
            "slides' L4 accounting: categories are not i.i.d. across target weights (see bounds.theorems)",
            pooling="batch",
            extra={"k": prop.k, "c": sp.sstr(c), "categories": categories},
        )
    )

    pensia_blocks = [certified_ceiling(sp.log(sp.Integer(m) * ll / sp.Min(e, d))) for m in lw]
    out.append(
        _row(
            "pensia2020",
            "subset-sum",
            "published",
            st,
            [wd[i] * pensia_blocks[i] for i in range(ll)],
            "O(log(n l/min(eps, delta))) width factor per target neuron",
            "uniform weights, subset-sum; the universal constant C is shown as 1",
        )
    )

    per_weight_lb = enclose(sp.log(1 / e) / sp.log(2))
    lb_weights = certified_ceiling(st.target_weights * sp.log(1 / e) / sp.log(2))
    out.append(
        Row(
            "counting_lower_bound",
            "counting",
            "proven",
            None,
            None,
            None,
            lb_weights,
            per_weight_lb,
            "Ω(log 1/eps) sampled weights per target weight",
            "2^N masks over N sampled weights: N >= log2(1/eps) per target weight (a count of sampled weights)",
        )
    )
    return out
