"""The golden-ratio method (docs/claims.md, L3): one product per segment, kept by the greedy rule.

The products q = a·b of a block are classified into the k segments [s·φ^(-t-1), s·φ^(-t)], t = 1..k
(s = w_max of F).  For each target weight w and branch the first neuron of the block in each segment
with sign(q) = sign(w) is the segment's sample, and L3's greedy rule keeps sample t iff it fits the
remainder: the residual of |w| is then below s·φ^(-k).  A segment with no sample is uncovered.

Block size: the least P with E·(1 - c)^P <= delta (docs/claims.md, L3 and pooling-B), E = k events per
(weight, branch) pair, c the coverage constant of the law of G (hyperbolic on separate supports, the
default: 1/(4k); on one shared support: 1/(8(k-1)); uniform: the certified lower end of its coverage).
With designed signs (hyperbolic laws) the union bound is sum over layers of E_i·(1 - 2c)^P (one-branch
layers) or E_i·(1 - 2c)^floor(P/2) (two-branch layers), docs/claims.md, coverage
(:func:`logprune.bounds.sampling.block_size`).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from logprune.bounds import hyperbolic, laws, sampling, uniform
from logprune.choices import Dist, Method, Signs
from logprune.construct.methods.protocol import BlockProblem, BoundRequest, Picked, Selection

__all__ = ["SELECTION", "GoldenSelection", "greedy", "segment_samples"]

LOG_PHI = math.log((1 + math.sqrt(5)) / 2)


def _segments(q: np.ndarray, ok: np.ndarray, scale: float) -> np.ndarray:
    """The golden-ratio segment t of each product (-1 where not ``ok``), computed in floats."""
    with np.errstate(divide="ignore"):
        seg = np.floor(np.log(scale / np.abs(q)) / LOG_PHI)
    return np.where(ok, seg, -1)


def segment_samples(q: np.ndarray, ok: np.ndarray, scale: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first column whose |q| lies in segment t = 1..k (and ``ok``): values and indices.

    Segment membership is computed in floats; the exact errors computed later are what the certificate
    uses, so a product classified one ulp off a segment's end can never make a false certificate."""
    seg = _segments(q, ok, scale)
    n_out = q.shape[0]
    vals = np.full((n_out, k + 1), np.nan)
    idx = np.full((n_out, k + 1), -1, dtype=np.int64)
    rows = np.arange(n_out)
    for t in range(1, k + 1):
        hit = seg == t
        first = np.argmax(hit, axis=1)
        present = hit[rows, first]
        vals[present, t] = np.abs(q[rows[present], first[present]])
        idx[present, t] = first[present]
    return vals, idx


def greedy(vals: np.ndarray, v: np.ndarray) -> np.ndarray:
    """L3's greedy rule for all rows at once: keep sample t iff it fits the remainder."""
    r = v.astype(np.float64).copy()
    take = np.zeros(vals.shape, dtype=bool)
    for t in range(1, vals.shape[1]):
        x = vals[:, t]
        tk = x <= r  # NaN (no sample in this segment) compares False
        r = np.where(tk, r - x, r)
        take[:, t] = tk
    return take


class GoldenSelection(Selection):
    method = Method.GOLDEN

    def uniform_law_scale(self, scale: float) -> float:
        return scale  # products must reach the top segment s/phi: beta^2 = s/phi (docs/claims.md, L3)

    def events_per_pair(self, k: int) -> int:
        return k

    def block_bound(self, req: BoundRequest) -> tuple[int | None, str | None]:
        events = req.pairs * req.k
        if req.dist is Dist.HYPERBOLIC:
            separate = isinstance(req.law, laws.SeparateLaws)
            c = hyperbolic.coverage_separate(req.k) if separate else hyperbolic.coverage(req.k)
            if req.signs is Signs.IID:
                return sampling.samples_for_confidence(p=c, events=events, delta=req.delta), sp.sstr(c)
            layers = req.layer_pairs or ((2, req.pairs),)
            by_branches = [(b, pairs * req.k) for b, pairs in layers]
            size = sampling.block_size(c=c, events=by_branches, signs=req.signs, delta=req.delta)
            return size, sp.sstr(hyperbolic.coverage_designed(req.k, separate=separate))
        cu = uniform.coverage(k_segments=req.k).lower
        bound = sampling.samples_for_confidence(p=cu, events=events, delta=req.delta) if cu > 0 else None
        return bound, f"{float(cu):.6g}"

    def select(self, prob: BlockProblem) -> Picked:
        nonzero = (prob.w != 0)[:, None]
        ok = prob.usable & (np.sign(prob.q) == np.sign(prob.w)[:, None]) & nonzero
        sv, si = segment_samples(prob.q, ok, prob.scale, prob.k)
        take = greedy(sv, np.abs(prob.w))
        gaps = np.isnan(sv[:, 1:]) & nonzero
        missing = [(int(o), int(t) + 1) for o, t in zip(*np.nonzero(gaps), strict=True)]
        kept_o, kept_t = np.nonzero(take)
        return Picked(kept_o, si[kept_o, kept_t], missing)

    def least_covering(self, prob: BlockProblem) -> int | None:
        """A prefix leaves nothing uncovered iff every segment 1..k of every nonzero weight has a usable
        product of its sign in it (``select``'s ``missing``): the least such prefix is one more than the
        latest of the first hits, over rows and segments (the whole block if some segment has none)."""
        nonzero = prob.w != 0
        ok = prob.usable & (np.sign(prob.q) == np.sign(prob.w)[:, None]) & nonzero[:, None]
        seg = _segments(prob.q, ok, prob.scale)
        size = int(prob.q.shape[1])
        latest = 0
        for t in range(1, prob.k + 1):
            hit = seg == t
            first = np.argmax(hit, axis=1)
            present = hit[np.arange(hit.shape[0]), first]
            if np.any(nonzero & ~present):
                return size
            if np.any(nonzero):
                latest = max(latest, int(np.max(first[nonzero])) + 1)
        return latest


SELECTION = GoldenSelection()
