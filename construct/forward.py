"""Ĝ on a batch of inputs, with cost proportional to Ĝ (not to G), in float64.

Forward rule of the Ĝ file (:mod:`~logprune.construct.ghat_file`): h_t = relu(W_t h_(t-1)) for t < T,
output W_T h_(T-1), with W_t given by (row, col, val) triples of kept weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sparse_forward"]


CHUNK = 16  # inputs per pass: the hidden activations of Ĝ take (kept neurons) x CHUNK floats


def sparse_forward(shapes: Any, rows: Any, cols: Any, vals: Any, x: np.ndarray) -> np.ndarray:
    """Ĝ on a batch x of shape (batch, n_0), CHUNK inputs at a time (memory proportional to Ĝ)."""
    xs = np.asarray(x, dtype=np.float64)
    if xs.shape[0] <= CHUNK:
        return _forward(shapes, rows, cols, vals, xs)
    return np.vstack([_forward(shapes, rows, cols, vals, xs[i : i + CHUNK]) for i in range(0, xs.shape[0], CHUNK)])


def _forward(shapes: Any, rows: Any, cols: Any, vals: Any, x: np.ndarray) -> np.ndarray:
    """h_t = relu(W_t h_(t-1)) for t < T, output W_T h_(T-1), with W_t given by (row, col, val) triples.

    Neurons of G with no kept in-edge output relu(0) = 0, so only the neurons that keep an in-edge are
    carried (compact indices): the cost is proportional to Ĝ, not to G."""
    h = np.asarray(x, dtype=np.float64).T  # (neurons of the previous layer, batch), full input width
    prev_map: np.ndarray | None = None  # G index -> compact index of the previous layer (-1: absent)
    T = len(shapes)
    for t in range(T):
        r, c, v = rows[t], cols[t], vals[t]
        if prev_map is not None:
            cc = prev_map[c]
            keep = cc >= 0
            r, cc, v = r[keep], cc[keep], v[keep]
        else:
            cc = c
        last = t == T - 1
        if last:
            used, rr = np.arange(shapes[t][0]), r
        else:
            used, rr = np.unique(r, return_inverse=True)
        # sums per row by reduceat over the edges sorted by row; the stable sort keeps each row's edges in
        # file order, so every sum is accumulated in the same order as a sequential pass would
        order = np.argsort(rr, kind="stable")
        rs = rr[order]
        contrib = v[order, None] * h[cc[order]]
        out = np.zeros((used.size, h.shape[1]))
        if rs.size:
            starts = np.flatnonzero(np.r_[True, rs[1:] != rs[:-1]])
            out[rs[starts]] = np.add.reduceat(contrib, starts, axis=0)
        h = out if last else np.maximum(out, 0.0)
        if not last:
            prev_map = np.full(shapes[t][0], -1, dtype=np.int64)
            prev_map[used] = np.arange(used.size)
    return np.asarray(h.T)
