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
  such events (beta_i from :mod:`~logprune.bounds.domain`: 2 in layer 1 if inputs may be negative) gives
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

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds.batch import _M
from logprune.bounds.certified import Enclosure, certified_ceiling, enclose
from logprune.bounds.domain import layer_branches
from logprune.bounds.hyperbolic import _coverage_separate
from logprune.bounds.lower import LowerBound, _counting, _entropy_h2, _param_counting
from logprune.bounds.malach import malach_parameters
from logprune.bounds.propagation import Propagation, Telescoped, _propagate
from logprune.bounds.rss_default import calibrated_row
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

__all__ = ["PENSIA_C", "Bound", "Row", "Setting", "Status", "rows", "setting"]


@dataclass(frozen=True, kw_only=True)
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
    pensia_c: Fraction | None = None  # Pensia et al.'s universal constant, if the user gives one

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
            "pensia_c": None if self.pensia_c is None else str(self.pensia_c),
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
    pensia_c: Any | None = None,
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
    pc = None if pensia_c is None else check_positive("pensia_c", pensia_c)
    base_s = "phi" if bb is sp.GoldenRatio else sp.sstr(bb)
    return Setting(
        n=nn,
        layers=ll,
        eps=e,
        delta=d,
        w_max=wm,
        x_max=xm,
        f_max=fm,
        norms=nm,
        base=base_s,
        inputs_nonnegative=inputs_nonnegative,
        layer_widths=lw,
        pensia_c=pc,
    )


class Bound(enum.StrEnum):
    """Which side of the truth a row is on."""

    UPPER = "upper"  # a construction: this many suffice
    LOWER = "lower"  # an impossibility: fewer never suffice


class Status(enum.StrEnum):
    """What stands behind a row's numbers."""

    PROVEN = "proven"  # derived here, with our own constants, and proven in proofs/
    PUBLISHED = "published"  # a published statement whose constant we take from the user (or show as a symbol)
    CONJECTURAL = "conjectural"  # an accounting we know not to be a proof (see the row's note)
    EMPIRICAL = "empirical"  # measured (with its confidence), not proven


@dataclass(frozen=True, kw_only=True)
class Row:
    """One line of the comparison table, in one unit for every row (docs/claims.md, C1, C2, C3, counting).

    Counts of G: ``depth``, ``width`` (its 2l layers), ``neurons`` (inputs excluded), ``sampled_weights``
    (the weights a pruning may keep: those the construction looks at), ``dense_weights`` (every weight of
    the fully connected G the theorem assumes), each also per target weight.  The primary unit is
    sampled weights of G per target weight.  A number is ``None`` where a constant is unknown (then
    ``symbolic`` gives the formula with the constant as a named symbol) or where a lower bound does not
    determine it (depth, width and neurons of a lower bound).
    """

    name: str
    claim: str
    bound: Bound
    status: Status
    depth: int | None
    width: tuple[int, ...] | None
    neurons: int | None
    sampled_weights: int | None
    dense_weights: int | None
    neurons_per_target_weight: Enclosure | None
    sampled_weights_per_target_weight: Enclosure | None
    dense_weights_per_target_weight: Enclosure | None
    asymptotic: str
    note: str
    pooling: str | None = None
    symbolic: str | None = None
    ratio_to_lower_bound: Enclosure | None = None
    lower_bound_used: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def enc(e: Enclosure | None) -> dict[str, Any] | None:
            return None if e is None else e.as_json()

        return {
            "name": self.name,
            "claim": self.claim,
            "bound": self.bound.value,
            "status": self.status.value,
            "pooling": self.pooling,
            "depth": self.depth,
            "width": None if self.width is None else list(self.width),
            "neurons": self.neurons,
            "sampled_weights": self.sampled_weights,
            "dense_weights": self.dense_weights,
            "neurons_per_target_weight": enc(self.neurons_per_target_weight),
            "sampled_weights_per_target_weight": enc(self.sampled_weights_per_target_weight),
            "dense_weights_per_target_weight": enc(self.dense_weights_per_target_weight),
            "symbolic": self.symbolic,
            "ratio_to_lower_bound": enc(self.ratio_to_lower_bound),
            "lower_bound_used": self.lower_bound_used,
            "asymptotic": self.asymptotic,
            "note": self.note,
            **self.extra,
        }


def _dense(widths: Sequence[int], intermediate: Sequence[int]) -> tuple[tuple[int, ...], int, int]:
    """G's 2l layer widths, neurons (inputs excluded) and weights (fully connected)."""
    g: list[int] = []
    weights = 0
    for i, w_int in enumerate(intermediate):
        g += [w_int, widths[i + 1]]
        weights += widths[i] * w_int + w_int * widths[i + 1]
    return tuple(g), sum(g), weights


def _per(total: int, st: Setting) -> Enclosure:
    return enclose(sp.Rational(total, st.target_weights))


def _upper(
    name: str,
    claim: str,
    status: Status,
    st: Setting,
    intermediate: Sequence[int],
    sampled: int,
    asym: str,
    note: str,
    pooling: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Row:
    """An upper row from G's intermediate widths and its count of sampled (keepable) weights."""
    widths, neurons, dense = _dense(st.widths, intermediate)
    return Row(
        name=name,
        claim=claim,
        bound=Bound.UPPER,
        status=status,
        depth=2 * st.layers,
        width=widths,
        neurons=neurons,
        sampled_weights=sampled,
        dense_weights=dense,
        neurons_per_target_weight=_per(neurons, st),
        sampled_weights_per_target_weight=_per(sampled, st),
        dense_weights_per_target_weight=_per(dense, st),
        asymptotic=asym,
        note=note,
        pooling=pooling,
        extra=extra or {},
    )


def _without_numbers(
    name: str, claim: str, bound: Bound, status: Status, depth: int | None, asym: str, note: str, **kw: Any
) -> Row:
    """A row whose numbers are unknown (a constant not available) or not computed (outside a stated domain):
    every count is null, ``note`` says why."""
    return Row(
        name=name,
        claim=claim,
        bound=bound,
        status=status,
        depth=depth,
        width=None,
        neurons=None,
        sampled_weights=None,
        dense_weights=None,
        neurons_per_target_weight=None,
        sampled_weights_per_target_weight=None,
        dense_weights_per_target_weight=None,
        asymptotic=asym,
        note=note,
        **kw,
    )


def _branches(st: Setting) -> tuple[int, ...]:
    return layer_branches(st.layers, inputs_nonnegative=st.inputs_nonnegative)


@functools.lru_cache(maxsize=64)
def orseau_parameters(st: Setting) -> tuple[Propagation, sp.Rational, int, int]:
    """(propagation, c, number of events E, pool size P) shared by the Orseau rows (docs/claims.md, C2,
    C3, pooling-A, pooling-B); cached: the rows and the proofs ask it for the same setting.

    k is the TIGHTENED k (docs/claims.md, propagation): the least k whose exact telescoped bound at
    eps_w = w_max·b^(-k) is certainly <= eps, starting from the closed form's k, as ``construct`` does.
    With only F_max (no x_max) the closed form's k is used (the telescoped identity needs x_max)."""
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
    c = _coverage_separate(k)  # separate supports for in- and out-weights, as construct draws G
    br = _branches(st)
    events = sum(br[i] * st.layer_weights(i) * k for i in range(st.layers))
    pool = _samples(c, events, st.delta)
    return prop, c, events, pool


def rows(st: Setting) -> list[Row]:
    """Every row of the comparison table for one setting (see module doc for each statement), upper rows
    first, then the lower bounds; every upper row with a number carries its ratio to the best lower bound."""
    uppers = _upper_rows(st)
    lowers = _lower_rows(st)
    best = max(
        (
            r
            for r in lowers
            if r.sampled_weights_per_target_weight is not None
            and r.extra.get("applies", True)
            and r.sampled_weights_per_target_weight.lower > 0  # a ratio to 0 says nothing
        ),
        key=lambda r: r.sampled_weights_per_target_weight.lower,  # type: ignore[union-attr]
        default=None,
    )
    out: list[Row] = []
    for r in uppers:
        if best is not None and r.sampled_weights_per_target_weight is not None:
            assert best.sampled_weights_per_target_weight is not None
            ratio = enclose(r.sampled_weights_per_target_weight.exact / best.sampled_weights_per_target_weight.exact)
            r = replace(r, ratio_to_lower_bound=ratio, lower_bound_used=best.name)
        out.append(r)
    return out + lowers


def _upper_rows(st: Setting) -> list[Row]:
    ll = st.layers
    wd, lw = st.widths, [st.layer_weights(i) for i in range(ll)]  # n_i, and n_(i+1)·n_i per layer
    out: list[Row] = []
    out.append(_malach(st))

    prop, c, events, pool = orseau_parameters(st)
    claim = "C2" if st.malach else "C3"
    asym = (
        "Õ(log(n l/eps)) sampled weights per target weight"
        if st.malach
        else "Õ(log(n l w_max F_max/eps) + Σ_i log max{1, ||W_i||_2}) sampled weights per target weight"
    )
    common = {"k": prop.k, "c": sp.sstr(c), "events": events, "pool": pool, "propagation": prop.as_json()}
    out.append(
        _upper(
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
        _upper(
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
    br = _branches(st)
    k = max(prop.k, 1)
    categories = sum(2 * b * k for b in br)
    m_layer = [br[i] * lw[i] for i in range(ll)]
    batch_widths = [_M(c, m_layer[i], categories, st.delta) for i in range(ll)]
    out.append(
        _upper(
            "orseau2020_batch",
            claim,
            Status.CONJECTURAL,
            st,
            batch_widths,
            sum(batch_widths[i] * (wd[i] + wd[i + 1]) for i in range(ll)),  # any neuron may serve any weight
            asym,
            "slides' L4 accounting: categories are not i.i.d. across target weights (see bounds.theorems)",
            pooling="batch",
            extra={"k": prop.k, "c": sp.sstr(c), "categories": categories},
        )
    )
    out.append(_pensia(st))
    out.append(_subset_sum_calibrated(st, prop))
    return out


def _subset_sum_calibrated(st: Setting, prop: Propagation) -> Row:
    """Subset-sum on a uniform G with designed signs, blocks from the recorded RSS calibration (EMPIRICAL;
    :mod:`~logprune.bounds.rss_default`): at the per-weight accuracy eps_w of the Orseau rows (tightened,
    docs/claims.md, propagation), n = the calibrated block at eps_w/w_max per input neuron and branch, each
    neuron with one in-weight and n_i out-weights.  Its guarantee is per weight (failure <= delta_w at the
    calibration's confidence), not a union bound over all weights: a G of this size is expected to leave
    about delta_w of the weights uncovered."""
    ratio = enclose(prop.eps_w / st.resolved()["w_max"]).lower  # a smaller ratio: a finer, larger row
    row = calibrated_row(ratio)
    asym = "O(log 1/eps_w) products per target weight (Lueker), calibrated"
    if row is None:
        return _without_numbers(
            "subset_sum_calibrated",
            "subset-sum",
            Bound.UPPER,
            Status.EMPIRICAL,
            None,
            asym,
            f"eps_w/w_max = {float(ratio):.3g} is finer than the recorded RSS calibration's grid",
        )
    br, wd, ll = _branches(st), st.widths, st.layers
    block = int(row["n"])
    ints = [wd[i] * block * br[i] for i in range(ll)]
    return _upper(
        "subset_sum_calibrated",
        "subset-sum",
        Status.EMPIRICAL,
        st,
        ints,
        sum(ints[i] * (1 + wd[i + 1]) for i in range(ll)),
        asym,
        f"uniform G, designed signs, optimal pruner; block n = {block} per input neuron and branch from the RSS "
        f"calibration at eps = {row['eps']} (<= eps_w/w_max): per-weight failure <= delta_w = {row['delta_w']} at "
        f"{100 * row['confidence']:g}% confidence (Clopper-Pearson, {row['trials']} trials), NOT a union bound over "
        "all weights",
        pooling="B",
        extra={"calibration": {k: row[k] for k in ("law", "eps", "n", "delta_w", "confidence", "trials", "seed")}},
    )


MALACH_PUBLISHED = "O(n^3 l^2/eps^2 log(n l/delta)) neurons per target weight (published)"


def _malach(st: Setting) -> Row:
    """Malach et al.'s construction with our own constants (docs/claims.md, C1): L1 per weight, a union bound
    over all weights, the propagation of errors (:mod:`~logprune.bounds.malach`); the published O-form beside."""
    try:
        mp = malach_parameters(st)
    except ParameterError as err:  # w_max > 1: L1's windows need |w| <= 1
        return _without_numbers(
            "malach2020",
            "C1",
            Bound.UPPER,
            Status.PROVEN,
            None,
            MALACH_PUBLISHED,
            f"does not apply to this setting: {err}",
        )
    return _upper(
        "malach2020",
        "C1",
        Status.PROVEN,
        st,
        list(mp.intermediate),
        sum(2 * mp.pool * m for m in mp.layer_weights),
        MALACH_PUBLISHED,
        "uniform weights, two-neuron decomposition (L1) with our own constants: a dedicated pool of N neurons "
        "per target weight (2N sampled weights), union bound over 2 parts per weight, one branch"
        + ("" if st.malach else "; Malach's assumptions replaced by this setting's (C3 form)"),
        extra={"malach": mp.as_json()},
    )


PENSIA_C = sp.Symbol("C", positive=True)


def _pensia(st: Setting) -> Row:
    """Pensia et al.'s row: blocks of C·ln(n_(i-1)·n_i·l/min(eps, delta)) neurons per input neuron, each
    neuron with one in-weight and n_i out-weights; C is their universal constant (published, not available
    to us): numeric only when the user gives it (``pensia_c``), else the formula with C as a symbol."""
    ll, e, d = st.layers, sympy_rational(st.eps), sympy_rational(st.delta)
    wd, lw = st.widths, [st.layer_weights(i) for i in range(st.layers)]
    logs = [sp.log(sp.Integer(m) * ll / sp.Min(e, d)) for m in lw]
    formula = sp.Add(*[wd[i] * (1 + wd[i + 1]) * PENSIA_C * logs[i] for i in range(ll)]) / st.target_weights
    asym = "O(log(n l/min(eps, delta))) width factor per target neuron"
    if st.pensia_c is None:
        return _without_numbers(
            "pensia2020",
            "subset-sum",
            Bound.UPPER,
            Status.PUBLISHED,
            2 * ll,
            asym,
            "uniform weights, subset-sum; the universal constant C is not available to us: give --pensia-c C",
            symbolic=sp.sstr(formula),
        )
    cc = sympy_rational(st.pensia_c)
    blocks = [certified_ceiling(cc * lg) for lg in logs]
    row = _upper(
        "pensia2020",
        "subset-sum",
        Status.PUBLISHED,
        st,
        [wd[i] * blocks[i] for i in range(ll)],
        sum(wd[i] * blocks[i] * (1 + wd[i + 1]) for i in range(ll)),
        asym,
        f"uniform weights, subset-sum; the universal constant C = {st.pensia_c} is the user's (--pensia-c)",
    )
    return replace(row, symbolic=sp.sstr(formula))


#: Kept weights per target weight of the entropy row: one in- and one out-weight per target weight, the
#: sparsest ticket of the two-layer realisation (docs/claims.md, entropy).
ENTROPY_KAPPA = 2


def _lower_row(lb: LowerBound, applies: bool, asym: str, note: str, extra: dict[str, Any] | None = None) -> Row:
    return Row(
        name=lb.name,
        claim=lb.claim,
        bound=Bound.LOWER,
        status=Status.PROVEN,
        depth=None,
        width=None,
        neurons=None,
        sampled_weights=lb.total,
        dense_weights=None,
        neurons_per_target_weight=None,
        sampled_weights_per_target_weight=lb.per_target_weight,
        dense_weights_per_target_weight=None,
        asymptotic=asym,
        note=note,
        symbolic=sp.sstr(lb.expression),
        extra={"applies": applies, "scope": lb.scope, **(extra or {})},
    )


def _lower_rows(st: Setting) -> list[Row]:
    """The lower bounds (docs/claims.md, counting, param-counting, entropy), in the table's unit.

    counting applies to every upper row (each approximates every target weight within eps_w <= eps).  The
    one-layer bounds (param-counting, entropy) are for function approximation of every d×d layer of
    spectral norm <= r: they apply to a one-layer square setting without Malach's sparsity assumption, with
    r = min(a_1, w_max) (that ball lies in the setting's class: |W_ij| <= ||W||_2); otherwise they are shown
    for one n×n layer with r = 1, for reference, and not used for the ratios."""
    res = st.resolved()
    e, d = st.eps, st.delta
    w_max = res["w_max"]
    wm = _rational_below(w_max)
    rows_out = [
        _lower_row(
            _counting(st.target_weights, e, d, wm),
            True,
            "Ω(log(w_max/eps)) sampled weights per target weight",
            "2^N prunings of N sampled weights must eps-cover every target weight in [-w_max, w_max] "
            "(w.p. >= 1 - delta): N >= m·log2(w_max/eps) + log2(1 - delta)",
        )
    ]
    square = st.layers == 1 and st.widths[0] == st.widths[1]
    applies = square and not st.malach
    dd = st.widths[0] if square else st.n
    r = min(_rational_below(res["norms"][0]), wm) if applies else Fraction(1)
    scope = "" if applies else f"; one {dd}×{dd} layer with ||W||_2 <= 1, shown for reference (not this setting)"
    rows_out.append(
        _lower_row(
            _param_counting(dd, e, d, r),
            applies,
            "Ω(d^2 log(1/eps)) sampled weights for a d×d layer",
            "Pensia et al.'s parameter counting: N >= d^2·log2(r/(2 eps)) + log2(1 - delta)" + scope,
            extra={"d": dd, "norm": str(r)},
        )
    )
    kept = ENTROPY_KAPPA * dd * dd
    try:
        ent = _entropy_h2(dd, e, d, kept, r)
    except ParameterError as err:  # the exact binomial search is beyond its stated budget
        rows_out.append(
            _without_numbers(
                "natale2024_lower_bound",
                "entropy",
                Bound.LOWER,
                Status.PROVEN,
                None,
                "n·H2(k/n) >= d^2 log2(r/(2 eps)) + log2(1 - delta)",
                f"not computed here: {err}",
                extra={"applies": False},
            )
        )
    else:
        rows_out.append(
            _lower_row(
                ent,
                applies,
                "n·H2(k/n) >= d^2 log2(r/(2 eps)) + log2(1 - delta) for tickets of k kept weights",
                f"Natale et al.'s entropy bound for sparse tickets, k = {ENTROPY_KAPPA} kept weights per target "
                "weight (H2 form, certified)" + scope,
                extra={"d": dd, "norm": str(r), "kept": kept, "kept_per_target_weight": ENTROPY_KAPPA},
            )
        )
    return rows_out


def _rational_below(x: sp.Expr) -> Fraction:
    """x itself if rational, else a certified rational lower bound (a smaller w_max or norm gives a valid,
    smaller lower bound: the class of targets shrinks)."""
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    return enclose(x).lower
