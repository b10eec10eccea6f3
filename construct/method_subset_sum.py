"""Subset-sum pruning, optimal: per target weight and branch, among the subsets of the block's usable
products whose exact sum is within eps_w of the weight, one with the fewest products (then the smallest
error); where no subset is within eps_w, the subset whose sum is closest (and the weight is reported
uncovered).

1. The nearest subset of every row, by exact search over all 2^P subsets in float64: enumeration of the
   2^P sums for P <= 20, meet in the middle (Horowitz–Sahni: both halves' sums, one sorted, nearest
   partner by binary search) up to P = 40.  Its float distance d* decides feasibility where it is
   farther than the rounding bound tol from eps_w (every float subset sum, of products rounded once, is
   within tol = 2·gamma_(P+2)·(sum |q| + |w|) of the exact sum of exact products); otherwise the nearest
   subset's exact error decides.
2. For the feasible rows, cardinality r = 0, 1, 2, ...: all C(P, r) subsets of size r at once (a 0/1
   matrix product, vectorised over the rows), the first r with a subset within eps_w (decided as in 1,
   exactly where the floats are not conclusive) is the least, and its nearest such subset is kept.  The
   search stops at the nearest subset's size (a feasible subset of that size exists); sizes with more
   than ``COMBINATIONS_MAX`` subsets are skipped, so the result is the fewest when P <= 22 (C(22, 11) is
   the largest count), and otherwise the fewest among the sizes searched, or the nearest subset.

The exact error of what is kept is computed afterwards by the build (:mod:`~logprune.construct.effective`),
whatever the search decided.

No explicit block-size bound (Lueker's O(log 1/eps) has no constant we can use): without ``width`` the
block size is the one of Pensia et al.'s experiment, P = round(3·ln(s/eps_w)), at least 1, at most 40.
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
    near_r, near_c = nearest_subsets(q, w)
    chosen: list[np.ndarray] = [near_c[near_r == o] for o in range(n_out)]

    def feasible(o: int, cols: np.ndarray, dist: float) -> bool:
        if dist <= eps_f - tol[o]:
            return True
        if dist > eps_f + tol[o]:
            return False
        return _exact_error(a, b, q, o, cols, float(w[o])) <= eps

    near_dist = [abs(float(np.sum(q[o, c])) - float(w[o])) for o, c in enumerate(chosen)]
    ok = np.array([feasible(o, chosen[o], near_dist[o]) for o in range(n_out)], dtype=bool)
    # the sizes to search: below the nearest subset's where it is feasible; every size where the floats
    # could not tell (another subset within the rounding band might be within eps exactly)
    cap = [chosen[o].size if ok[o] else (P + 1 if near_dist[o] <= eps_f + tol[o] else 0) for o in range(n_out)]
    pending = [o for o in range(n_out) if cap[o] > 0]
    for r in range(0, P + 1):
        pending = [o for o in pending if cap[o] > r]
        if not pending:
            break
        if math.comb(P, r) > COMBINATIONS_MAX:
            continue
        M = _combinations(P, r)
        done: set[int] = set()
        chunk = max(1, (1 << 22) // M.shape[0])  # rows per pass: (rows, C(P, r)) floats stay near 32 MiB
        for lo in range(0, len(pending), chunk):
            rows = np.asarray(pending[lo : lo + chunk])
            qr = q[rows]
            usable = (qr != 0).astype(np.float64) @ M.T >= r  # every column of the subset usable
            dist = np.where(usable, np.abs(qr @ M.T - w[rows, None]), np.inf)
            best = np.argmin(dist, axis=1)
            for i, o in enumerate(rows.tolist()):
                d = float(dist[i, best[i]])
                if d > eps_f + tol[o]:
                    continue  # no subset of size r
                if d <= eps_f - tol[o]:  # certain: the nearest subset of this size is within eps
                    chosen[o] = np.flatnonzero(M[best[i]])
                    ok[o] = True
                    done.add(o)
                    continue
                # borderline: nearest first, each decided exactly until one is within eps
                for j in np.argsort(dist[i], kind="stable").tolist():
                    if float(dist[i, j]) > eps_f + tol[o]:
                        break
                    cols = np.flatnonzero(M[j])
                    if feasible(o, cols, float(dist[i, j])):
                        chosen[o] = cols
                        ok[o] = True
                        done.add(o)
                        break
        pending = [o for o in pending if o not in done]
    rows_out = np.concatenate(
        [np.full(c.size, o, dtype=np.int64) for o, c in enumerate(chosen)] or [np.zeros(0, np.int64)]
    )
    cols_out = np.concatenate([c.astype(np.int64) for c in chosen] or [np.zeros(0, np.int64)])
    return rows_out, cols_out, np.flatnonzero(~ok)


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
        eps = prob.eps_exact if prob.eps_exact is not None else Fraction(prob.eps_w)
        o, p, uncovered = fewest_subsets(q, prob.w, eps, a=prob.a, b=prob.b)
        return Picked(o, p, [(int(r), 0) for r in uncovered])


SELECTION = SubsetSumSelection()
