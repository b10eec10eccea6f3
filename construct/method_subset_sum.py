"""Subset-sum pruning, optimal: per target weight and branch, among the subsets of the block's usable
products whose exact sum is within eps_w of the weight, one with the fewest products (then the smallest
error); where no subset is within eps_w, the subset whose sum is closest (and the weight is reported
uncovered).

Every float subset sum (of products rounded once) is within tol = 2·gamma_(P+2)·(sum |q| + |w|) of the
exact sum of exact products: a float distance farther than tol from eps_w decides, any other is decided
on the exact products.

1. Sizes r = 0, 1, 2, ... with at most ``SMALL_SIZES`` subsets, for every row at once: all C(P, r)
   subsets of size r (a 0/1 matrix product, vectorised over the rows); a row is done at the first size
   with a subset within eps_w, keeping the nearest such subset.  Most weights are done here.
2. The other rows: the nearest subset by exact search over all 2^P subsets in float64 (enumeration for
   P <= 20, meet in the middle — Horowitz–Sahni: both halves' sums, one sorted, nearest partner by binary
   search — up to P = 40).  Not within eps_w: the weight is uncovered and the nearest subset is kept.
   Within: the sizes between step 1's and the nearest subset's are searched as in step 1 (sizes with
   more than ``COMBINATIONS_MAX`` subsets are skipped, so the fewest is guaranteed for P <= 22), and
   the nearest subset is kept if none is smaller.

The exact error of what is kept is computed afterwards by the build (:mod:`~logprune.construct.effective`),
whatever the search decided.

No explicit block-size bound (Lueker's O(log 1/eps) has no constant we can use): without ``width`` the
blocks are adaptive (each grows to the least prefix that covers its weights, at most 40; the slides'
"sample until"); ``default_block`` (Pensia et al.'s experiment, P = round(3·ln(s/eps_w)), between 1 and
40) remains what the practice sweep starts from.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from logprune.choices import Method
from logprune.construct.methods import BlockProblem, Picked, Selection
from logprune.errors import ParameterError

__all__ = ["COMBINATIONS_MAX", "SELECTION", "SUBSET_MAX", "SubsetSumSelection", "fewest_subsets", "nearest_subsets"]

SUBSET_MAX = 40  # exact search: enumeration of 2^P sums (P <= 20), meet in the middle up to 40
_ENUMERATE_MAX = 20
COMBINATIONS_MAX = 705_432  # C(22, 11): subsets of one size searched at once, at the most
SMALL_SIZES = 8192  # sizes with at most this many subsets are searched for every row before the 2^P search
_U = 2.0**-53
_COMBOS: dict[tuple[int, int], np.ndarray] = {}

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


def _combinations(P: int, r: int) -> np.ndarray:
    """The C(P, r) subsets of size r of P columns as a 0/1 float matrix (C(P, r), P), cached."""
    key = (P, r)
    if key not in _COMBOS:
        m = np.zeros((math.comb(P, r), P))
        for i, c in enumerate(itertools.combinations(range(P), r)):
            m[i, list(c)] = 1.0
        _COMBOS[key] = m
    return _COMBOS[key]


def _exact_error(
    a: np.ndarray | None, b: np.ndarray | None, q: np.ndarray, o: int, cols: np.ndarray, w: float
) -> Fraction:
    """|sum of the exact products of row o over ``cols`` - w|, exactly (a·b where the factors are known)."""
    if a is not None and b is not None:
        total = sum((Fraction(float(a[o, c])) * Fraction(float(b[o, c])) for c in cols.tolist()), Fraction(0))
    else:
        total = sum((Fraction(float(q[o, c])) for c in cols.tolist()), Fraction(0))
    return abs(total - Fraction(w))


def fewest_subsets(
    q: np.ndarray,
    w: np.ndarray,
    eps: Fraction,
    *,
    a: np.ndarray | None = None,
    b: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row o, the kept columns (module doc); q[o, p] = 0 marks a column row o may not use; ``a``, ``b``
    (q = fl(a·b)) make the borderline decisions exact on the exact products.  Returns (rows, cols, the
    rows with no subset within eps)."""
    n_out, P = q.shape
    eps_f = float(eps)
    tol = 2 * ((P + 2) * _U / (1 - (P + 2) * _U)) * (np.sum(np.abs(q), axis=1) + np.abs(w)) + 4 * _U * eps_f
    chosen: list[np.ndarray | None] = [None] * n_out

    def feasible(o: int, cols: np.ndarray, dist: float) -> bool:
        if dist <= eps_f - tol[o]:
            return True
        if dist > eps_f + tol[o]:
            return False
        return _exact_error(a, b, q, o, cols, float(w[o])) <= eps

    def sizes(rows: list[int], r: int) -> None:
        """Search the subsets of size r for the rows (module doc, step 2); solved rows get ``chosen``."""
        M = _combinations(P, r)
        chunk = max(1, (1 << 22) // M.shape[0])  # rows per pass: (rows, C(P, r)) floats stay near 32 MiB
        for lo in range(0, len(rows), chunk):
            part = np.asarray(rows[lo : lo + chunk])
            qr = q[part]
            usable = (qr != 0).astype(np.float64) @ M.T >= r  # every column of the subset usable
            dist = np.where(usable, np.abs(qr @ M.T - w[part, None]), np.inf)
            best = np.argmin(dist, axis=1)
            for i, o in enumerate(part.tolist()):
                d = float(dist[i, best[i]])
                if d > eps_f + tol[o]:
                    continue  # no subset of size r
                if d <= eps_f - tol[o]:  # certain: the nearest subset of this size is within eps
                    chosen[o] = np.flatnonzero(M[best[i]])
                    continue
                for j in np.argsort(dist[i], kind="stable").tolist():  # borderline: exactly, nearest first
                    if float(dist[i, j]) > eps_f + tol[o]:
                        break
                    cols = np.flatnonzero(M[j])
                    if feasible(o, cols, float(dist[i, j])):
                        chosen[o] = cols
                        break

    # the small sizes first, for every row: most weights need a few products, and are done here
    r = 0
    while r <= P and math.comb(P, r) <= SMALL_SIZES:
        sizes([o for o in range(n_out) if chosen[o] is None], r)
        r += 1
    # the others: the nearest subset decides feasibility (an exact search over all 2^P subsets) and bounds
    # the sizes left to search; where the floats cannot tell, every size is searched
    rest = [o for o in range(n_out) if chosen[o] is None]
    uncovered: list[int] = []
    cap: dict[int, int] = {}
    nearest: dict[int, np.ndarray] = {}
    if rest:
        nr, nc = nearest_subsets(q[rest], w[rest])
        for i, o in enumerate(rest):
            cols = nc[nr == i]
            nearest[o] = cols
            d = abs(float(np.sum(q[o, cols])) - float(w[o]))
            if feasible(o, cols, d):
                cap[o] = cols.size
            elif d <= eps_f + tol[o]:
                cap[o] = P + 1
            else:
                uncovered.append(o)
    for size in range(r, P + 1):
        rows = [o for o, c in cap.items() if chosen[o] is None and c > size]
        if not rows:
            break
        if math.comb(P, size) <= COMBINATIONS_MAX:
            sizes(rows, size)
    for o in rest:
        if chosen[o] is None:
            chosen[o] = nearest[o]  # the least size (none below was within eps), or the closest subset
            if cap.get(o, 0) == P + 1:
                uncovered.append(o)  # the band was searched at every size: nothing within eps exactly
    kept = [c if c is not None else np.zeros(0, np.int64) for c in chosen]
    rows_out = np.concatenate(
        [np.full(c.size, o, dtype=np.int64) for o, c in enumerate(kept)] or [np.zeros(0, np.int64)]
    )
    cols_out = np.concatenate([c.astype(np.int64) for c in kept] or [np.zeros(0, np.int64)])
    return rows_out, cols_out, np.asarray(sorted(uncovered), dtype=np.int64)


class SubsetSumSelection(Selection):
    method = Method.SUBSET_SUM
    default_adaptive = True  # no bound with a usable constant: sample until every weight is covered
    min_block = 0  # the empty subset is a subset: a column of weights within eps needs no neuron

    def uniform_law_scale(self, scale: float) -> float:
        return scale * (1 + math.sqrt(5)) / 2  # as Malach's: single products may reach w itself (beta^2 = s)

    def default_block(self, *, eps_w: Fraction, scale: Fraction) -> int | None:
        return max(1, min(SUBSET_MAX, round(3 * math.log(float(scale) / float(eps_w)))))

    def adaptive_cap(self, *, bound: int | None, default: int | None) -> int | None:
        return SUBSET_MAX  # the exact search's limit: blocks grow as far as it reaches

    def check_width(self, width: int) -> None:
        if width > SUBSET_MAX:
            raise ParameterError(f"width={width}: subset-sum enumerates 2^width subsets; use width <= {SUBSET_MAX}")

    def select(self, prob: BlockProblem) -> Picked:
        q = np.where(prob.usable & (prob.w != 0)[:, None], prob.q, 0.0)
        eps = prob.eps_exact if prob.eps_exact is not None else Fraction(prob.eps_w)
        o, p, uncovered = fewest_subsets(q, prob.w, eps, a=prob.a, b=prob.b)
        return Picked(o, p, [(int(r), 0) for r in uncovered])


SELECTION = SubsetSumSelection()
