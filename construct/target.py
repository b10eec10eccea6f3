"""The target network F: its type, the checks of its arrays and the exact bias rewrite.

F(x) = W_l σ(... σ(W_1 x + b_1) ...) + b_l with W_i of shape (out, in).  Biases are rewritten exactly as
weights from a constant-1 neuron carried through the layers (docs/claims.md, certificate: "a bias is a weight
from a constant-1 input neuron"): the input gets a 1 appended, every hidden layer gets one more neuron
σ(1·1) = 1, and W_i becomes [[W_i, b_i], [0, 1]] (last layer: [W_l, b_l]).  The rewritten network
computes exactly F on (x, 1).

Every float64 (or float32) weight is an exact dyadic rational; nothing here rounds a weight.  Reading F
from files is :mod:`~logprune.construct.io.targets`.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.construct.numeric import sqrt_up
from logprune.display import html_grid, one_line
from logprune.errors import ParameterError, ParameterTypeError

__all__ = ["Target", "check_inputs", "exact_float64", "fold_batchnorm", "target_from_arrays"]


@dataclass(frozen=True)
class Target:
    """A bias-free ReLU network (after the exact rewrite), weights as float64 arrays (exact dyadics)."""

    weights: tuple[np.ndarray, ...]  # W_i, shape (n_i, n_(i-1))
    append_one: bool  # True when biases were folded into a constant-1 input
    original_widths: tuple[int, ...]
    digest: str  # sha256 of the original arrays, recorded in Ĝ's meta
    notes: tuple[str, ...] = ()  # how it was read, where that matters (folded BatchNorm, an assumed ReLU, ...)

    @property
    def layers(self) -> int:
        return len(self.weights)

    @property
    def widths(self) -> list[int]:
        return [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]

    @property
    def w_max(self) -> float:
        return float(max(np.max(np.abs(w)) for w in self.weights))

    @property
    def n_weights(self) -> int:
        return int(sum(w.size for w in self.weights))

    def as_json(self) -> dict[str, Any]:
        """The record of the target in Ĝ's meta (its sha256 identifies it)."""
        return {
            "sha256": self.digest,
            "widths": list(self.original_widths),
            "weights": self.n_weights,
            "append_one": self.append_one,
        }

    def __repr__(self) -> str:
        widths = "-".join(map(str, self.original_widths))
        return one_line(
            "Target",
            [
                f"widths {widths}" + (" with biases" if self.append_one else ""),
                f"{self.n_weights:,} weights",
                f"w_max {self.w_max:.4g}",
                f"sha256 {self.digest[:12]}",
                *self.notes,
            ],
        )

    def _repr_html_(self) -> str:
        rows = []
        for i, w in enumerate(self.weights):
            out_w, in_w = self.original_widths[i + 1], self.original_widths[i]
            rows.append((str(i + 1), f"{out_w} × {in_w}", f"{float(np.max(np.abs(w))):.4g}" if w.size else "0"))
        title = f"target F: {len(self.weights)} layers, {self.n_weights:,} weights" + (
            " (biases folded into a constant-1 neuron)" if self.append_one else ""
        )
        table = html_grid(title, ["layer", "out × in", "max |weight|"], rows)
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return table + notes

    def input_norm_bound(self, x_max: Fraction) -> Fraction:
        """A rational bound of the rewritten input's l2 norm: ||(x, 1)|| <= sqrt(x_max^2 + 1) when a 1 is
        appended (rounded up exactly), else x_max."""
        return sqrt_up(x_max**2 + 1) if self.append_one else x_max

    def extended(self, x: np.ndarray) -> np.ndarray:
        """Rows of F's inputs with the constant 1 of the bias rewrite appended when F has biases (rows of the
        rewritten width, n_0 + 1, are taken as they are: the two widths differ, so nothing is ambiguous)."""
        a = np.asarray(x, dtype=np.float64)
        a = a.reshape(1, -1) if a.ndim == 1 else a
        if self.append_one and a.shape[1] == self.original_widths[0]:
            return np.hstack([a, np.ones((a.shape[0], 1))])
        return a

    def forward(self, x: np.ndarray) -> np.ndarray:
        """F on a batch x of shape (batch, n_0): F's own inputs, or inputs already extended by the 1 of the bias
        rewrite (:meth:`extended`)."""
        h = self.extended(x).T
        for i, w in enumerate(self.weights):
            h = w @ h
            if i < self.layers - 1:
                h = np.maximum(h, 0.0)
        return np.asarray(h.T)

    __call__ = forward


def _digest(arrays: Sequence[np.ndarray]) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(str(a.shape).encode())
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


def exact_float64(name: str, value: Any) -> np.ndarray:
    """``value`` as float64 without rounding: real dtypes only; float16/32/64 widen exactly, wider floats
    and integers beyond 2^53 are refused if they would round; non-finite entries are refused."""
    a: np.ndarray = np.asarray(value)
    if not np.issubdtype(a.dtype, np.floating) and not np.issubdtype(a.dtype, np.integer):
        raise ParameterTypeError(f"{name}.dtype={a.dtype}: expected real numbers")
    if np.issubdtype(a.dtype, np.integer) and a.size and int(np.max(np.abs(a.astype(object)))) > 2**53:
        raise ParameterError(f"{name}: integers beyond 2^53 are not exactly representable in float64")
    a64: np.ndarray = a.astype(np.float64)
    if np.issubdtype(a.dtype, np.floating) and a.dtype.itemsize > 8 and not np.array_equal(a64.astype(a.dtype), a):
        raise ParameterError(f"{name}: {a.dtype} entries not exactly representable in float64")
    if not np.all(np.isfinite(a64)):
        raise ParameterError(f"{name}: has non-finite entries (nan or inf)")
    return a64


def target_from_arrays(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray | None] | None = None) -> Target:
    """Check shapes and finiteness, then fold biases into a constant-1 neuron (exact rewrite)."""
    if len(weights) == 0:
        raise ParameterError("weights=[]: the target needs at least one layer")
    ws = []
    for i, w in enumerate(weights, start=1):
        a = np.asarray(w)
        if a.ndim != 2 or a.size == 0:
            raise ParameterError(f"W{i}.shape={a.shape}: expected a non-empty (out, in) matrix")
        ws.append(exact_float64(f"W{i}", a))
    for i in range(1, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ParameterError(
                f"W{i + 1}.shape={ws[i].shape}: its {ws[i].shape[1]} inputs do not match "
                f"W{i}'s {ws[i - 1].shape[0]} outputs"
            )
    bs: list[np.ndarray | None] = list(biases) if biases is not None else [None] * len(ws)
    if len(bs) != len(ws):
        raise ParameterError(f"biases: {len(bs)} given for {len(ws)} layers")
    checked_b: list[np.ndarray | None] = []
    for i, b in enumerate(bs, start=1):
        if b is None:
            checked_b.append(None)
            continue
        v = exact_float64(f"b{i}", b).reshape(-1)  # a complex or text bias is refused, never truncated
        if v.shape[0] != ws[i - 1].shape[0]:
            raise ParameterError(f"b{i}.shape={np.shape(b)}: expected ({ws[i - 1].shape[0]},)")
        checked_b.append(v)
    digest = _digest(ws + [b for b in checked_b if b is not None])
    widths = tuple([ws[0].shape[1]] + [w.shape[0] for w in ws])
    if all(b is None or not np.any(b) for b in checked_b):
        return Target(tuple(ws), False, widths, digest)
    out = []
    last = len(ws) - 1
    for i, (w, b) in enumerate(zip(ws, checked_b, strict=True)):
        col = (b if b is not None else np.zeros(w.shape[0]))[:, None]
        top = np.hstack([w, col])
        if i < last:  # carry the constant: one more neuron computing σ(1·1) = 1
            row = np.zeros((1, top.shape[1]))
            row[0, -1] = 1.0
            top = np.vstack([top, row])
        out.append(top)
    return Target(tuple(out), True, widths, digest)


def check_inputs(name: str, x: Any, target: Target) -> np.ndarray:
    """Inputs of F as rows of its input width, read exactly (real numbers only; rows of another width are
    refused, never re-cut into rows of the input width).  ``name`` is how the message names them (``inputs``,
    or ``inputs=PATH`` for a file)."""
    a = np.asarray(x)
    d = target.original_widths[0]
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ParameterTypeError(f"{name}: dtype {a.dtype}; expected real numbers")
    if a.ndim == 2 and a.shape[1] != d:
        raise ParameterError(f"{name}: shape {a.shape}; expected rows of the input width {d}")
    if a.size % d != 0:
        raise ParameterError(f"{name}: {a.size} numbers do not make rows of the input width {d}")
    return exact_float64(name, a).reshape(-1, d)


_FOLD_BITS = (128, 512, 4096)  # precisions of the ball of gamma/sqrt(var + eps), until every entry rounds once


def _rounded(lo: Fraction, hi: Fraction) -> float | None:
    """The float64 both ends of [lo, hi] round to (so the exact value in it does too: rounding is
    monotone), or None when they differ."""
    a, b = float(lo), float(hi)
    return a if a == b else None


def fold_batchnorm(
    w: np.ndarray,
    b: np.ndarray | None,
    *,
    gamma: np.ndarray | None,
    beta: np.ndarray | None,
    mean: np.ndarray,
    var: np.ndarray,
    eps: Fraction,
    after: bool,
    name: str,
) -> tuple[np.ndarray, np.ndarray]:
    """A BatchNorm1d (eval mode) folded into an adjacent Linear (W, b), each result rounded once.

    BatchNorm computes y = s·(x - mean) + beta with s = gamma/sqrt(var + eps) per feature.  ``after``: it
    follows the linear layer, so W' = diag(s)·W and b' = s·(b - mean) + beta; else it precedes it (on its
    input), so W' = W·diag(s) and b' = b + W·(beta - s·mean).  s is irrational in general: it is enclosed
    in an arb ball, every entry of W' and b' in an exact rational interval around the true fold, and each
    is the float64 both ends round to, i.e. the exact fold correctly rounded (the precision is raised until
    that holds).  The folded network is then F, exactly as read; it differs from the real-valued BatchNorm
    network by that one rounding per entry (docs/claims.md, C3: a target is float64 weights)."""
    import flint

    from logprune.bounds.certified import arb_to_interval, precision

    n = mean.shape[0]
    g = np.ones(n) if gamma is None else np.asarray(gamma, dtype=np.float64)
    be = np.zeros(n) if beta is None else np.asarray(beta, dtype=np.float64)
    for what, v in (("running_var", var), ("running_mean", mean), ("weight", g), ("bias", be)):
        if not np.all(np.isfinite(v)):
            raise ParameterError(f"{name}: {what} has non-finite entries")
    if any(Fraction(float(v)) + eps <= 0 for v in np.asarray(var, dtype=np.float64).tolist()):
        raise ParameterError(f"{name}: running_var + eps <= 0 somewhere: not a BatchNorm in eval mode")
    wq = [[Fraction(float(v)) for v in row] for row in w.tolist()]
    bq = [Fraction(0)] * w.shape[0] if b is None else [Fraction(float(v)) for v in b.tolist()]
    for bits in _FOLD_BITS:
        with precision(bits):
            e = flint.arb(flint.fmpq(eps.numerator, eps.denominator))
            s = [
                arb_to_interval(flint.arb(float(gi)) / (flint.arb(float(vi)) + e).sqrt())
                for gi, vi in zip(g, var, strict=True)
            ]
        mu = [Fraction(float(v)) for v in mean.tolist()]
        bt = [Fraction(float(v)) for v in be.tolist()]
        out_w = np.empty(w.shape, dtype=np.float64)
        out_b = np.empty(w.shape[0], dtype=np.float64)
        ok = True
        for i, row in enumerate(wq):
            for j, x in enumerate(row):
                lo, hi = s[i] if after else s[j]
                r = _rounded(*sorted((x * lo, x * hi)))
                if r is None:
                    ok = False
                    break
                out_w[i, j] = r
            if not ok:
                break
            if after:
                lo, hi = sorted(((bq[i] - mu[i]) * s[i][0], (bq[i] - mu[i]) * s[i][1]))
                rb = _rounded(lo + bt[i], hi + bt[i])
            else:  # b + sum_j W_ij (beta_j - s_j mean_j), an interval sum
                lo_sum = hi_sum = bq[i]
                for j, x in enumerate(row):
                    t_lo, t_hi = sorted((bt[j] - s[j][0] * mu[j], bt[j] - s[j][1] * mu[j]))
                    a, c = sorted((x * t_lo, x * t_hi))
                    lo_sum, hi_sum = lo_sum + a, hi_sum + c
                rb = _rounded(lo_sum, hi_sum)
            if rb is None:
                ok = False
                break
            out_b[i] = rb
        if ok:
            return out_w, out_b
    raise ParameterError(f"{name}: the folded weights could not be rounded once at {_FOLD_BITS[-1]} bits")
