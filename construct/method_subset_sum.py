"""Subset-sum pruning (Pensia et al.'s rule): per target weight and branch, the subset of the block's
usable products whose sum is closest to the weight, by exact search over all 2^P subsets.

The search compares sums in float64 (the exact error of the chosen subset is computed afterwards, so a
near-tie decided one ulp wrong costs accuracy, never a false certificate): enumeration of the 2^P
sums for P <= 20, meet in the middle (Horowitz–Sahni: both halves' sums, one sorted, nearest partner
by binary search) up to P = 40.

No explicit block-size bound (Lueker's O(log 1/eps) has no constant we can use): without ``width`` the
block size is the one of Pensia et al.'s experiment, P = round(3·ln(s/eps_w)), at least 1, at most 40.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from logprune.choices import Method
from logprune.construct.methods import BlockProblem, Picked, Selection
from logprune.errors import ParameterError

__all__ = ["SELECTION", "SUBSET_MAX", "SubsetSumSelection", "nearest_subsets"]

SUBSET_MAX = 40  # exact search: enumeration of 2^P sums (P <= 20), meet in the middle up to 40
_ENUMERATE_MAX = 20

_SUBSETS: dict[int, np.ndarray] = {}


def nearest_subsets(q: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row o, the subset of columns whose sum of q[o, :] is closest to w[o] (module doc).
    Columns with q = 0 (unusable) are never kept.  Returns the kept (row, column) pairs."""
    n_out, P = q.shape
    if P > _ENUMERATE_MAX:
        return _meet_in_the_middle(q, w)
    if P not in _SUBSETS:
        _SUBSETS[P] = ((np.arange(2**P)[:, None] >> np.arange(P)[None, :]) & 1).astype(np.float64)
    M = _SUBSETS[P]
    best = np.zeros(n_out, dtype=np.int64)
    chunk = max(1, (1 << 22) // (2**P))
    for lo in range(0, n_out, chunk):
        sums = M @ q[lo : lo + chunk].T  # (2^P, chunk)
        best[lo : lo + chunk] = np.argmin(np.abs(sums - w[None, lo : lo + chunk]), axis=0)
    picks = ((best[:, None] >> np.arange(P)[None, :]) & 1).astype(bool) & (q != 0)
    rows, cols = np.nonzero(picks)
    return rows, cols


def _sums(v: np.ndarray) -> np.ndarray:
    """All 2^len(v) subset sums of v, subset i = bits of i."""
    s = np.zeros(1)
    for x in v:
        s = np.concatenate([s, s + x])
    return s


def _meet_in_the_middle(q: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Meet in the middle, per row: exact search over all 2^P subsets (module doc)."""
    n_out, P = q.shape
    h = P // 2
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for o in range(n_out):
        left, right = _sums(q[o, :h]), _sums(q[o, h:])
        order = np.argsort(right, kind="stable")
        rs = right[order]
        target = w[o] - left
        idx = np.clip(np.searchsorted(rs, target), 1, rs.size - 1)
        cand = np.where(np.abs(rs[idx - 1] - target) <= np.abs(rs[idx] - target), idx - 1, idx)
        err = np.abs(rs[cand] - target)
        i = int(np.argmin(err))
        li, ri = i, int(order[cand[i]])
        bits = np.concatenate([(li >> np.arange(h)) & 1, (ri >> np.arange(P - h)) & 1]).astype(bool) & (q[o] != 0)
        c = np.nonzero(bits)[0]
        rows.append(np.full(c.size, o, dtype=np.int64))
        cols.append(c.astype(np.int64))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


class SubsetSumSelection(Selection):
    method = Method.SUBSET_SUM

    def uniform_law_scale(self, scale: float) -> float:
        return scale * (1 + math.sqrt(5)) / 2  # as Malach's: single products may reach w itself (beta^2 = s)

    def default_block(self, *, eps_w: Fraction, scale: Fraction) -> int | None:
        return max(1, min(SUBSET_MAX, round(3 * math.log(float(scale) / float(eps_w)))))

    def check_width(self, width: int) -> None:
        if width > SUBSET_MAX:
            raise ParameterError(f"width={width}: subset-sum enumerates 2^width subsets; use width <= {SUBSET_MAX}")

    def select(self, prob: BlockProblem) -> Picked:
        q = np.where(prob.usable & (prob.w != 0)[:, None], prob.q, 0.0)
        o, p = nearest_subsets(q, prob.w)
        return Picked(o, p, [])


SELECTION = SubsetSumSelection()
