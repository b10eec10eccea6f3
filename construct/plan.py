"""Everything decided before G is sampled: eps_w, k, the law of G, the block size P, the norm bounds.

- Per-weight mode: eps_w = weight_eps and k = the least k with s·φ^-k <= eps_w (docs/claims.md, L3).
- Certified output mode: eps_w and k from C3's closed form (docs/claims.md, propagation) with certified
  bounds a_i >= ||W_i||_2, then tightened: the least k whose accuracy s·φ^-k satisfies the exact
  telescoped bound x_max·[prod(a_i + eps_w·d_i) - prod a_i] <= eps (certified).  The closed form is a
  sufficient condition; the telescoped bound is what the certificate uses, so any k passing it keeps the
  a-priori guarantee and samples fewer segments.
- The law: hyperbolic on the separate supports that attain the coverage optimum of the k segments at
  scale s = w_max (docs/claims.md, coverage: in-weights log-uniform on exactly the k segments' log-width,
  out-weights of fixed magnitude, c = 1/(4k); ``support="shared"``: one law for both with
  c = 1/(8(k-1)), docs/claims.md, L4), or uniform with the range the method needs.
- The signs of G's in-weights (``signs``): the golden bound is the designed one when signs are designed
  (docs/claims.md, coverage): on a one-branch layer every neuron has the branch's sign (failure
  (1 - 2c)^P per event), on a two-branch layer each branch gets floor(P/2) neurons of its sign (failure
  (1 - 2c)^floor(P/2), never above the fair (1 - c)^P: 1 - 2c <= (1 - c)^2).
- ``width="adaptive"`` (the slides' "sample until"): P is the largest block a block may grow to (the
  method's cap), and each block uses the least prefix of its P neurons that covers every weight it serves
  (blocks are nested prefixes, so coverage is monotone in the prefix and the least one is found by
  doubling and bisection); the sizes are recorded in Ĝ's meta.
- The block size P: ``width`` if given, else the method's bound (a union bound over every (weight,
  branch, event) of the whole target, docs/claims.md, pooling-B), else the method's default.
- A k per target layer (``segments`` a tuple; the a-posteriori search): each layer gets its own
  :class:`LayerPlan` (k, eps_w = s·φ^-k, the law of k segments, P from the method's bound over the
  layer's own pairs at delta_i = delta·e_i/E, e_i its events: step 4 of docs/claims.md, pooling-B), and
  the plan's own k, eps_w, law and P are the finest layer's (:meth:`Plan.layer` gives each layer's).  With
  one k for every layer the plan is the single union bound above.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from logprune.bounds import golden, propagation
from logprune.bounds.certified import enclose
from logprune.bounds.laws import hyperbolic_law, separate_law, uniform_law
from logprune.choices import Dist, Signs, Support
from logprune.construct.certificate.norms import spectral_norm_upper
from logprune.construct.gsample import block_weights
from logprune.construct.methods import BoundRequest, Selection, strategy
from logprune.construct.options import Options
from logprune.construct.pooling import PoolGeometry, geometry
from logprune.construct.target import Target
from logprune.errors import ParameterError
from logprune.validation import sympy_rational

__all__ = ["NORM_FLOOR", "LayerPlan", "Plan", "plan"]

NORM_FLOOR = Fraction(1, 2**60)


@dataclass(frozen=True, kw_only=True)
class LayerPlan:
    """One target layer's part of a plan: its k and eps_w, the law of its blocks of G and their size."""

    k: int
    eps_w: Fraction  # rational lower bound of s·φ^-k (certified mode), or weight_eps
    law: Any
    block: int  # P (the cap when adaptive)
    block_from_bound: int | None
    coverage: str | None
    block_source: str | None
    adaptive: bool
    delta: Fraction | None = None  # the layer's share of delta (a k per layer); None: the plan's one union bound

    def as_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            **({} if self.delta is None else {"delta": str(self.delta)}),
            "eps_w": str(self.eps_w),
            "eps_w_decimal": f"{float(self.eps_w):.6g}",
            "law": self.law.as_json(),
            "block_size": self.block,
            "block_size_from_bound": self.block_from_bound,
            "coverage": self.coverage,
            **({} if self.block_source is None else {"block_source": self.block_source}),
        }


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The decisions of :func:`plan`, with the strategies that carry them out."""

    eps_w: Fraction  # rational lower bound of the per-weight accuracy aimed at
    k: int
    scale: float  # s = w_max of F
    law: Any
    block: int
    block_from_bound: int | None
    coverage: str | None
    norms: tuple[Fraction, ...]  # certified upper bounds of ||W_i||_2
    x_max_eff: Fraction  # bound of the rewritten input's norm (with the appended 1)
    branches: tuple[int, ...]
    events: int
    pool: PoolGeometry
    selection: Selection
    signs: Signs = Signs.IID  # of G's in-weights (recorded in the request; G is regenerated with them)
    adaptive: bool = False  # ``block`` is the cap; each block uses the least prefix that covers its weights
    block_source: str | None = None  # set when the method's default decided P (e.g. an EMPIRICAL calibration)
    per_layer: tuple[LayerPlan, ...] = ()  # one per target layer when their k differ; () when one k serves all

    def layer(self, i: int) -> LayerPlan:
        """Target layer i's k, eps_w, law and block size (the plan's own when one k serves every layer)."""
        if self.per_layer:
            return self.per_layer[i]
        return LayerPlan(
            k=self.k,
            eps_w=self.eps_w,
            law=self.law,
            block=self.block,
            block_from_bound=self.block_from_bound,
            coverage=self.coverage,
            block_source=self.block_source,
            adaptive=self.adaptive,
        )

    def draw_block(self, *, seed: int, layer: int, block: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
        """Block ``block`` of target layer ``layer`` of G as this plan draws it: (a as an (n_out, P) view,
        b), P = the layer's block size (the cap when adaptive), with the layer's law and the plan's signs."""
        lp = self.layer(layer)
        a, b = block_weights(
            seed=seed,
            law=lp.law,
            layer=layer,
            block=block,
            n_out=n_out,
            size=lp.block,
            pool=self.pool,
            signs=self.signs,
            branches=self.branches[layer],
        )
        return self.pool.in_view(a, n_out), b

    def as_json(self) -> dict[str, Any]:
        return {
            "eps_w": str(self.eps_w),
            "eps_w_decimal": f"{float(self.eps_w):.6g}",
            "k": self.k,
            "scale": self.scale,
            "law": self.law.as_json(),
            "block_size": self.block,
            "adaptive": self.adaptive,
            "block_size_from_bound": self.block_from_bound,
            "coverage": self.coverage,
            **({} if self.block_source is None else {"block_source": self.block_source}),
            "norm_upper_bounds": [str(a) for a in self.norms],
            "x_max_effective": str(self.x_max_eff),
            "branches": list(self.branches),
            "events": self.events,
            **({"layers": [lp.as_json() for lp in self.per_layer]} if self.per_layer else {}),
        }


# Checked before any sampling, so that a width of 10^8 is refused in one line rather than by the machine:
# one block of G as drawn (P neurons with their in- and out-weights, float64, and temporaries of the same
# size) within MEMORY_LIMIT_BYTES (fc2's certified blocks use 0.3 % of it), and the index map of G's
# widest layer (construct.forward, 8 bytes a neuron) within half of this machine's memory (at least
# 1 GiB): pooling (A) on fc2 per weight needs 3.8 GiB for it.
MEMORY_LIMIT_BYTES = 1 << 29
LAYER_MEMORY_LIMIT_BYTES = max(1 << 30, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)


def _resolution(w_max: float) -> Fraction:
    """One ulp of the largest weight, 2^-52·w_max: the finest accuracy G's float64 weights resolve."""
    return Fraction(w_max) * Fraction(1, 2**52)


def _check_resolution(eps_w: Fraction, w_max: float, name: str, value: Any) -> None:
    """Refuse an accuracy below the float64 resolution of F's weights (:func:`_resolution`).

    G's weights are float64 numbers drawn from a law scaled to w_max; the golden decomposition sums k
    exact products of them, and below one ulp of the largest weight the last segments cannot be resolved:
    every segment is "covered" yet the residual stays (measured on the demo target: every weight within
    1e-15, 97.7 % within 1e-16 with 2^-52·w_max = 6.6e-16).  Refused before any sampling.
    """
    if eps_w < _resolution(w_max):
        raise _below_resolution(w_max, name, value)


def _below_resolution(w_max: float, name: str, value: Any) -> ParameterError:
    via = "" if name == "weight_eps" else " (the per-weight accuracy the certificate would need is finer)"
    return ParameterError(
        f"{name}={float(value):g}: below the float64 resolution of F's weights{via}: 2^-52·w_max = "
        f"{float(_resolution(w_max)):.3e}, and G's weights are float64"
    )


def _check_output_range(x_eff: Fraction, norms: tuple[Fraction, ...], x_max: Fraction) -> None:
    """Refuse an input domain on which F's outputs may leave float64: x_max_eff·∏a_i > 1e300 (certified
    a_i >= ||W_i||_2 bound every output norm on the domain), where the error could not even be measured."""
    reach = x_eff
    for a in norms:
        reach *= a
    if reach > 10**300:
        raise ParameterError(
            f"xmax={float(x_max):g}: F's outputs may reach x_max·prod(||W_i||) = "
            f"{float(min(reach, Fraction(10**308))):.3g} on the domain, beyond the float64 range (1e300) the "
            "error is measured in"
        )


def _check_memory(target: Target, pool: Any, blocks: list[int], name: str) -> None:
    """One block of G as drawn, and G's widest layer, within :data:`MEMORY_LIMIT_BYTES` (8 bytes a weight)."""
    for i, (W, block) in enumerate(zip(target.weights, blocks, strict=True)):
        n_out, n_in = W.shape
        for what, count, limit in (
            ("one block of G", pool.sampled_per_block(n_out, block), MEMORY_LIMIT_BYTES),
            ("G's layer", pool.width(n_in, n_out, block), LAYER_MEMORY_LIMIT_BYTES),
        ):
            if 8 * count > limit:
                raise ParameterError(
                    f"{name}={block}: {what} for target layer {i + 1} would hold {count} entries "
                    f"({8 * count / 2**30:.3g} GiB), above the limit of {limit / 2**30:.3g} GiB"
                )


def _layer_ks(segments: int | tuple[int, ...], layers: int) -> tuple[int, ...]:
    """``segments`` as one k per target layer (a tuple must have one value per layer)."""
    if isinstance(segments, int):
        return (segments,) * layers
    if len(segments) != layers:
        raise ParameterError(
            f"segments={','.join(map(str, segments))}: {len(segments)} values for a target of {layers} layers "
            "(give one k, or one per layer)"
        )
    return segments


def plan(target: Target, opt: Options) -> Plan:
    """Decide eps_w, k, the law and the block size (module doc)."""
    s = target.w_max
    if s == 0:
        raise ParameterError("target: every weight is 0; nothing to construct")
    # any upper bound of ||W_i||_2 is valid in C3 and in the certificate; an all-zero layer's bound 0 is
    # raised to the grid step of spectral_norm_upper so that the propagation's a_i > 0 holds
    norms = tuple(max(spectral_norm_upper(w), NORM_FLOOR) for w in target.weights)
    x_eff = target.input_norm_bound(opt.x_max)
    _check_output_range(x_eff, norms, opt.x_max)
    branches = opt.domain.branches(target.layers)
    s_q = Fraction(s)
    if opt.weight_eps is not None:
        eps_w = opt.weight_eps
        ks = (golden.k_exact(eps=eps_w, scale=s_q),) * target.layers
        eps_ws = (eps_w,) * target.layers
    else:
        assert opt.eps is not None  # options() demands one of the two modes
        tele = _Telescoped(s_q, target, norms, x_eff, opt.eps, opt.inputs_nonnegative)
        if opt.segments is not None:  # k fixed by the request: the certificate of the built Ĝ decides
            ks = _layer_ks(opt.segments, target.layers)
        else:
            prop = propagation.propagate(
                eps=opt.eps,
                widths=target.widths,
                norms=list(norms),
                w_max=sympy_rational(s_q),
                x_max=sympy_rational(x_eff),
                inputs_nonnegative=opt.inputs_nonnegative,
            )
            # the tightening starts at most at the finest k above G's float64 resolution: fits() is monotone
            # in k, so if that k does not fit no k does (and enclosing phi^-k for k in the thousands is slow)
            k_finest = golden.k_exact(eps=_resolution(s), scale=s_q) - 1
            if prop.k > k_finest and not tele.fits(k_finest):
                raise _below_resolution(s, "eps", opt.eps)
            ks = (tele.tighten(min(prop.k, k_finest))[0],) * target.layers
        eps_ws = tuple(tele.eps_w(k) for k in ks)
    _check_resolution(min(eps_ws), s, "weight_eps" if opt.weight_eps is not None else "eps", opt.weight_eps or opt.eps)
    ks = tuple(max(k, 1) for k in ks)
    sel = strategy(opt.method).configured(opt)
    layer_pairs = tuple((b, b * target.widths[i] * target.widths[i + 1]) for i, b in enumerate(branches))
    events_of = [p * sel.events_per_pair(k) for (_, p), k in zip(layer_pairs, ks, strict=True)]
    events = sum(events_of)
    if len(set(ks)) == 1:  # one k: one union bound over every (weight, branch, event) of the target
        one = _layer_plan(target, opt, ks[0], eps_ws[0], sum(p for _, p in layer_pairs), None, layer_pairs)
        layers = (one,) * target.layers
    else:  # a k per layer: a union bound per layer, delta shared in proportion to the layers' events
        layers = tuple(
            _layer_plan(target, opt, k, e, pairs, opt.delta * ev / events, (lp,))
            for k, e, lp, (_, pairs), ev in zip(ks, eps_ws, layer_pairs, layer_pairs, events_of, strict=True)
        )
    adaptive = layers[0].adaptive  # the same for every layer: it depends on the method and law, not on k
    pool = geometry(opt.pooling)
    _check_memory(target, pool, [lp.block for lp in layers], "width" if opt.block_width is not None else "block_size")
    fine = max(range(target.layers), key=lambda i: ks[i])  # the finest layer heads the plan (module doc)
    top = layers[fine]
    uniform = len(set(ks)) == 1
    return Plan(
        eps_w=top.eps_w,
        k=top.k,
        scale=s,
        law=top.law,
        block=top.block,
        block_from_bound=top.block_from_bound,
        coverage=top.coverage,
        norms=norms,
        x_max_eff=x_eff,
        branches=branches,
        events=events,
        pool=pool,
        selection=sel,
        signs=opt.signs,
        adaptive=adaptive,
        block_source=top.block_source,
        per_layer=() if uniform else layers,
    )


def _layer_plan(
    target: Target,
    opt: Options,
    k: int,
    eps_w: Fraction,
    pairs: int,
    share: Fraction | None,
    layer_pairs: tuple[tuple[int, int], ...],
) -> LayerPlan:
    """The law and the block size at k for ``pairs`` (weight, branch) pairs and the failure
    probability ``share`` (one layer's share of delta; None: the whole target's delta; module doc)."""
    s = target.w_max
    s_q = Fraction(s)
    sel = strategy(opt.method).configured(opt)
    law: Any = uniform_law(scale=sel.uniform_law_scale(s))
    if opt.dist is Dist.HYPERBOLIC:
        shared = opt.support is Support.SHARED
        law = hyperbolic_law(k_segments=k, scale=s) if shared else separate_law(k_segments=k, scale=s)
    delta = opt.delta if share is None else share
    req = BoundRequest(
        dist=opt.dist,
        law=law,
        k=k,
        eps_w=eps_w,
        scale=s_q,
        pairs=pairs,
        delta=delta,
        signs=opt.signs,
        layer_pairs=layer_pairs,
    )
    bound, cov = sel.block_bound(req)
    block = opt.block_width if opt.block_width is not None else bound
    source = None
    if block is None:
        block = sel.default_block(eps_w=eps_w, scale=s_q)
        source = sel.default_block_source(eps_w=eps_w, scale=s_q)
        if source is not None and opt.dist is not Dist.UNIFORM:  # the calibrations are of uniform G's products
            source += f"; not calibrated for dist={opt.dist.value}"
    if opt.calibrated and source is None:
        raise ParameterError(
            f"width=calibrated: no calibrated block size at weight accuracy eps_w/s = {float(eps_w / s_q):.3g} "
            "(outside the recorded grid); give --width"
        )
    adaptive = opt.adaptive or (
        opt.block_width is None and bound is None and sel.default_adaptive and not opt.calibrated
    )
    if adaptive:  # blocks grow up to the cap (the cap decides, not the default); G's index space has its stride
        source = None
        block = sel.adaptive_cap(bound=bound, default=sel.default_block(eps_w=eps_w, scale=s_q))
    if block is None:
        raise ParameterError(f"width=None: no bound for method={opt.method} with dist={opt.dist}; give --width")
    return LayerPlan(
        k=k,
        eps_w=eps_w,
        law=law,
        block=block,
        block_from_bound=bound,
        coverage=cov,
        block_source=source,
        adaptive=adaptive,
        delta=share,
    )


@dataclass(frozen=True)
class _Telescoped:
    """The certified mode's exact telescoped bound at one setting, as a function of k (docs/claims.md, C3)."""

    s: Fraction
    target: Target
    norms: tuple[Fraction, ...]
    x_max: Fraction
    eps: Fraction
    inputs_nonnegative: bool

    def _bound(self) -> propagation.Telescoped:
        # one definition of the bound and of its tightening: the Orseau rows of `logprune bounds` use it too
        return propagation.Telescoped(
            eps=self.eps,
            widths=tuple(self.target.widths),
            norms=tuple(sympy_rational(v) for v in self.norms),
            scale=sympy_rational(self.s),
            x_max=sympy_rational(self.x_max),
            base=sp.GoldenRatio,
            inputs_nonnegative=self.inputs_nonnegative,
        )

    def fits(self, k: int) -> bool:
        """Does the per-weight accuracy s·φ^-k satisfy the bound (its certified upper end <= eps)?"""
        return self._bound().fits(k)

    def tighten(self, k: int) -> tuple[int, Fraction]:
        """The least k, starting from the closed form's, whose s·φ^-k fits (fits is monotone in k)."""
        k = self._bound().tighten(k)
        return k, self.eps_w(k)

    def eps_w(self, k: int) -> Fraction:
        """The per-weight accuracy at k: a rational lower end of s·φ^-k (certified enclosure)."""
        return enclose(sympy_rational(self.s) * sp.GoldenRatio ** (-k)).lower
