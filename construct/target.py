"""The target network F: loading, checking, the exact bias rewrite, certified norm bounds.

F(x) = W_l σ(... σ(W_1 x + b_1) ...) + b_l with W_i of shape (out, in).  Biases are rewritten exactly as
weights from a constant-1 neuron carried through the layers (docs/claims.md, certificate: "a bias is a weight
from a constant-1 input neuron"): the input gets a 1 appended, every hidden layer gets one more neuron
σ(1·1) = 1, and W_i becomes [[W_i, b_i], [0, 1]] (last layer: [W_l, b_l]).  The rewritten network
computes exactly F on (x, 1).

Every float64 (or float32) weight is an exact dyadic rational; nothing here rounds a weight.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from logprune.construct.norms import spectral_norm_upper
from logprune.construct.npz_reader import read_npy, read_npz
from logprune.construct.numeric import sqrt_up
from logprune.errors import ParameterError, ParameterTypeError

__all__ = [
    "Target",
    "demo_target",
    "exact_float64",
    "load_inputs",
    "load_target",
    "spectral_norm_upper",
    "target_from_arrays",
]


@dataclass(frozen=True)
class Target:
    """A bias-free ReLU network (after the exact rewrite), weights as float64 arrays (exact dyadics)."""

    weights: tuple[np.ndarray, ...]  # W_i, shape (n_i, n_(i-1))
    append_one: bool  # True when biases were folded into a constant-1 input
    original_widths: tuple[int, ...]
    digest: str  # sha256 of the original arrays, recorded in Ĝ's meta

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

    def input_norm_bound(self, x_max: Fraction) -> Fraction:
        """A rational bound of the rewritten input's l2 norm: ||(x, 1)|| <= sqrt(x_max^2 + 1) when a 1 is
        appended (rounded up exactly), else x_max."""
        return sqrt_up(x_max**2 + 1) if self.append_one else x_max

    def forward(self, x: np.ndarray) -> np.ndarray:
        """F on a batch x of shape (batch, n_0) (inputs already extended by 1 if ``append_one``)."""
        h = x.T
        for i, w in enumerate(self.weights):
            h = w @ h
            if i < self.layers - 1:
                h = np.maximum(h, 0.0)
        return np.asarray(h.T)


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


def load_target(path: str | Path) -> tuple[Target, list[str]]:
    """Read F from a file; returns the target and notices (ignored arrays, folded pruning masks).

    - ``.npz``: ``W1..Wl`` of shape out × in and optional ``b1..bl`` (the contract), or, when there is no
      ``W1``, a state_dict's keys (``fc1.weight``, ...) as in a checkpoint;
    - ``.pt``/``.pth`` (PyTorch ``state_dict``, read with ``weights_only=True``) and ``.safetensors``: the
      linear layers of an MLP in forward order (:mod:`~logprune.construct.mlp_keys`).
    """
    p = Path(path)
    if p.suffix != ".npz":
        from logprune.construct.checkpoint import read_named_arrays

        return _from_checkpoint(read_named_arrays(p), p)
    arrays = read_npz(p, "target")  # headers, dtypes and sizes checked before any data is read
    layers = _layer_count(arrays, str(path))
    if layers == 0:
        if any("." in k for k in arrays):  # a state_dict saved with numpy
            return _from_checkpoint(arrays, p)
        raise ParameterError(f"target={path}: no arrays named W1..Wl")
    used = {f"W{i}" for i in range(1, layers + 1)} | {f"b{i}" for i in range(1, layers + 1)}
    ignored = [k for k in arrays if k not in used]
    notices = [f"ignored array {k!r} in {p.name}" for k in sorted(ignored)[:_NOTICES]]
    if len(ignored) > _NOTICES:  # a file of many stray arrays gives a few lines, not one per array
        notices.append(f"... and {len(ignored) - _NOTICES} more ignored arrays in {p.name}")
    ws = [arrays[f"W{i}"] for i in range(1, layers + 1)]
    bs = [arrays.get(f"b{i}") for i in range(1, layers + 1)]
    return target_from_arrays(ws, bs), notices


_NOTICES = 10  # ignored arrays named one by one
_WEIGHT_NAME = re.compile(r"W([0-9]+)", re.ASCII)
_CANONICAL = re.compile(r"W[1-9][0-9]{0,8}", re.ASCII)  # W1 .. W999999999


def _layer_count(arrays: dict[str, np.ndarray], path: str) -> int:
    """l, when the weight names are exactly W1..Wl; 0 when there are none.

    The names are bounded by the file's own arrays: l is the number of weight arrays present, so a file
    holding one array named ``W99999999`` is refused naming what is missing, and no list of the 99,999,998
    absent names is ever built.  A name that reads as a weight but is not one of W1..Wl as written
    (``W0``, ``W01``, a hundred digits) is refused, not guessed at; other names (``W²``, ``X``) are
    ignored, with a notice."""
    odd = sorted(k for k in arrays if _WEIGHT_NAME.fullmatch(k) and not _CANONICAL.fullmatch(k))
    if odd:
        shown = odd[0] if len(odd[0]) <= 24 else f"{odd[0][:20]}..."
        raise ParameterError(f"target={path}: array {shown!r} is not a layer name (W1..Wl, no leading zeros)")
    present = {int(k[1:]) for k in arrays if _CANONICAL.fullmatch(k)}
    layers = len(present)
    if layers and max(present) != layers:
        missing = [f"W{i}" for i in range(1, layers + 1) if i not in present]
        beyond = sorted(i for i in present if i > layers)
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        found = ", ".join(f"W{i}" for i in beyond[:3]) + (" ..." if len(beyond) > 3 else "")
        raise ParameterError(
            f"target={path}: missing {shown} ({layers} weight array{'s' if layers > 1 else ''} present, to be "
            f"named W1..W{layers}; found {found})"
        )
    return layers


def _from_checkpoint(arrays: dict[str, np.ndarray], p: Path) -> tuple[Target, list[str]]:
    from logprune.construct.mlp_keys import mlp_layers

    mlp = mlp_layers(arrays, source=str(p), ordered=p.suffix != ".safetensors")
    notices = [f"layers read from {p.name}: {', '.join(mlp.prefixes)}"]
    notices += [f"pruning mask folded into {prefix} (weight_orig · weight_mask)" for prefix in mlp.folded_masks]
    return target_from_arrays(mlp.weights, mlp.biases), notices


DEMO_DESCRIPTION = "2-16-16-2 ReLU MLP with biases, trained by examples/train_demo_target.py"


def demo_target() -> tuple[Target, str]:
    """The small example target shipped with logprune, and its description."""
    from importlib.resources import as_file, files

    with as_file(files("logprune") / "data" / "demo_target.npz") as path:
        target, _ = load_target(path)
    return target, f"demo_target.npz ({DEMO_DESCRIPTION})"


def load_inputs(path: str | Path, target: Target, *, param: str = "inputs") -> np.ndarray:
    """Inputs (rows of an ``.npy``) to measure the error on (``--inputs``) or to bound x_max and F_max
    from (``bounds --data``, ``param="data"``), checked against F's input width and read exactly."""
    x = read_npy(path, param)  # the header checked against the file's size before any data is read
    d = target.original_widths[0]
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise ParameterTypeError(f"{param}={path}: dtype {x.dtype}; expected real numbers")
    if x.ndim == 2 and x.shape[1] != d:  # rows of another width are refused, never re-cut into rows of d
        raise ParameterError(f"{param}={path}: shape {x.shape}; expected rows of the input width {d}")
    if x.size % d != 0:
        raise ParameterError(f"{param}={path}: {x.size} numbers do not make rows of the input width {d}")
    return exact_float64(f"{param}={path}", x).reshape(-1, d)
