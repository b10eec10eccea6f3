"""The ``Ĝ.npz`` file format (other tools read it with numpy alone, ``allow_pickle=False``).

``layers`` = T = 2l (int64, 0-d); for t = 1..T: ``w{t}_shape`` (2 int64 >= 1), ``w{t}_row``, ``w{t}_col``
(int64, 1-d), ``w{t}_val`` (float64, 1-d, finite: the kept weights of G, unchanged), every (row, col) at
most once; ``append_one`` (bool, 0-d); ``meta`` (a JSON string: no NaN or Infinity, no key twice).  These
dtypes are the contract: :func:`read_ghat` refuses others rather than convert them (``append_one``
stored as the string "False" would read as true), and refuses arrays the contract does not name.
Forward rule: h0 = x (with 1 appended if append_one); h_t = relu(W_t h_(t-1)) for t < T; output
W_T h_(T-1).  (Ĝ carries biases through the appended 1, so no ``b{t}`` is written.)

``meta`` (format ``logprune.ghat/2``) is composed of the objects' own records: ``options`` (the request,
:class:`~logprune.construct.options.Options`), ``plan`` (eps_w, k, the law of G, the block size, ...),
``certified_bound`` (the certificate), ``target`` (its sha256 and widths), ``sizes``, the measured error
and the versions.  ``verify`` recomputes everything it can from the seed, the target and the arrays.

Formats, by the extension of the path (:data:`SUFFIXES`):

- ``.npz``: the contract above (``meta`` as a 0-d string array);
- ``.safetensors``: the same arrays, and ``meta`` as the JSON string under the header metadata key
  ``meta`` (safetensors holds numbers only); read back by :func:`read_ghat`, so ``verify`` takes it;
- ``.pt`` (or ``.pth``): not a Ĝ file but a plain PyTorch model: the ``state_dict`` of a ``torch.nn.Sequential`` of
  Linear and ReLU layers that computes Ĝ on F's own input (:mod:`~logprune.construct.io.torch_export`);
  written only, never verified (G's indices are compacted away).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from logprune.atomic import write_bytes_atomic
from logprune.construct.forward import SparseNet
from logprune.construct.io.containers import check_safetensors, read_npz
from logprune.errors import LogpruneError, ParameterError

__all__ = ["FORMAT", "SUFFIXES", "GhatArrays", "check_out_path", "read_ghat", "write_ghat"]

FORMAT = "logprune.ghat/2"
SUFFIXES = (".npz", ".safetensors", ".pt", ".pth")
TORCH_OUT = (".pt", ".pth")  # a plain torch model, written only


@dataclass(frozen=True)
class GhatArrays:
    """The arrays of a Ĝ file and its meta."""

    net: SparseNet
    append_one: bool
    meta: dict[str, Any]


def check_out_path(path: str | Path) -> None:
    """Refuse, before any work, an output path whose format is unknown or whose writer is missing."""
    suffix = Path(path).suffix
    if suffix not in SUFFIXES:
        raise ParameterError(f"out={path}: unknown format {suffix!r} (expected {', '.join(SUFFIXES)})")
    if suffix in TORCH_OUT:
        from logprune.construct.io.torch_export import require_torch

        require_torch(f"out={path}")


def _arrays(g: GhatArrays) -> dict[str, np.ndarray]:
    """The numeric arrays of the contract (everything but ``meta``)."""
    arrays: dict[str, np.ndarray] = {
        "layers": np.asarray(len(g.net.shapes), dtype=np.int64),
        "append_one": np.asarray(g.append_one),
    }
    net = g.net
    for t, (shape, r, c, v) in enumerate(zip(net.shapes, net.rows, net.cols, net.vals, strict=True), start=1):
        arrays[f"w{t}_shape"] = np.asarray(shape, dtype=np.int64)
        arrays[f"w{t}_row"] = np.asarray(r, dtype=np.int64)
        arrays[f"w{t}_col"] = np.asarray(c, dtype=np.int64)
        arrays[f"w{t}_val"] = np.asarray(v, dtype=np.float64)
    return arrays


def write_ghat(path: str | Path, g: GhatArrays) -> None:
    """Write Ĝ atomically (temporary file, then rename) in the format of the path's extension (module doc)."""
    check_out_path(path)
    meta = json.dumps(g.meta, sort_keys=True)
    suffix = Path(path).suffix
    if suffix in TORCH_OUT:
        from logprune.construct.io.torch_export import torch_bytes

        write_bytes_atomic(path, torch_bytes(g.net, append_one=g.append_one, meta=meta))
        return
    arrays = _arrays(g)
    if suffix == ".safetensors":
        from safetensors.numpy import save

        write_bytes_atomic(path, save(arrays, metadata={"meta": meta}))
        return
    head = {"layers": arrays.pop("layers"), "append_one": arrays.pop("append_one"), "meta": np.asarray(meta)}
    buf = io.BytesIO()
    np.savez_compressed(buf, **head, **arrays)  # type: ignore[arg-type]  # the order of format 2's files
    write_bytes_atomic(path, buf.getvalue())


def _load(p: Path) -> tuple[Any, str]:
    """The arrays (a mapping) and the meta text of a .npz or .safetensors Ĝ file."""
    if p.suffix == ".safetensors":
        from safetensors import safe_open
        from safetensors.numpy import load_file

        check_safetensors(p, "ghat")  # header length, dtypes, shapes and byte ranges, before the reader
        with safe_open(str(p), "np") as fh:
            meta = (fh.metadata() or {}).get("meta")
        if meta is None:
            raise ParameterError(f"ghat={p}: no meta in the safetensors header")
        return load_file(str(p)), meta
    # every header checked before any data; meta the one text array; only the kept weights (floats) are
    # held to the inflation ratio, since the integer indices of Ĝ are legitimately near-constant
    z = read_npz(p, "ghat", text={"meta"}, ratio_kinds="f")
    if "meta" not in z:
        raise KeyError("meta")
    return z, str(z["meta"])


# the dtype of every array of the contract (module doc): kind ("i" signed integer, "f" float, "b" bool)
# and item size; a file is read as it was written, never converted (bool("False") is True)
_DTYPES = {
    "layers": ("i", 8),
    "append_one": ("b", 1),
    "shape": ("i", 8),
    "row": ("i", 8),
    "col": ("i", 8),
    "val": ("f", 8),
}
_PARTS = ("shape", "row", "col", "val")
MAX_LAYER_WEIGHTS = 2**62  # rows x cols of one layer of G: row·cols + col stays an exact int64


def _contract(z: Any, name: str, path: str | Path, *, ndim: int) -> np.ndarray:
    """Array ``name`` with the contract's dtype (either byte order) and number of dimensions, as int64,
    float64 or bool in native order; anything else is refused, not converted."""
    a = np.asarray(z[name])
    kind, size = _DTYPES[name if name in _DTYPES else name.rsplit("_", 1)[1]]
    if a.dtype.kind != kind or a.dtype.itemsize != size or a.ndim != ndim:
        want = {"i": "int64", "f": "float64", "b": "bool"}[kind]
        raise ParameterError(
            f"ghat={path}: {name}.dtype={a.dtype}, ndim={a.ndim}; the format holds {want} with ndim={ndim}"
        )
    return a.astype(a.dtype.newbyteorder("="), copy=False)


def _strict_json(text: str) -> Any:
    """The meta as JSON, refusing what Python's reader lets through: NaN and Infinity, numbers that
    overflow to inf (1e999), and a key given twice (the last one would win silently)."""

    def pairs(kv: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for k, _ in kv:
            if k in seen:
                raise ValueError(f"meta: key {k!r} given twice")
            seen.add(k)
        return dict(kv)

    def constant(name: str) -> Any:
        raise ValueError(f"meta: {name} is not a JSON number")

    def number(text: str) -> float:
        v = float(text)
        if not math.isfinite(v):
            raise ValueError(f"meta: {text} is not a finite number")
        return v

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=number)


def read_ghat(path: str | Path) -> GhatArrays:
    """Read and check the format of a Ĝ file (numpy only, no pickle)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"ghat={path}: no such file")
    if p.suffix in TORCH_OUT:
        raise ParameterError(
            f"ghat={path}: a {p.suffix} export is a plain torch model (G's indices compacted away); verify the .npz "
            "or .safetensors file"
        )
    try:
        z, meta_text = _load(p)
        with contextlib.closing(z) if hasattr(z, "close") else contextlib.nullcontext():
            T = int(_contract(z, "layers", path, ndim=0)[()])
            if T < 2 or T % 2:
                raise ParameterError(f"ghat={path}: layers={T}; expected an even count 2l >= 2 (two per target layer)")
            if 4 * T + 3 > len(z.keys()) + 1:  # bounded by the file's own arrays before any name is built
                raise ParameterError(f"ghat={path}: layers={T} but the file holds only {len(z.keys())} arrays")
            names = {"layers", "append_one"} | {f"w{t}_{s}" for t in range(1, T + 1) for s in _PARTS}
            unknown = sorted(str(k) for k in z.keys() if k not in names and k != "meta")
            if unknown:
                raise ParameterError(
                    f"ghat={path}: unknown array {unknown[0]!r} (a Ĝ file holds layers, append_one, meta and "
                    f"w1..w{T}_shape/_row/_col/_val)"
                )
            shapes, rows, cols, vals = [], [], [], []
            for t in range(1, T + 1):
                sh = tuple(int(v) for v in _contract(z, f"w{t}_shape", path, ndim=1))
                r, c, v = (_contract(z, f"w{t}_{s}", path, ndim=1) for s in ("row", "col", "val"))
                if len(sh) != 2 or not (r.shape == c.shape == v.shape):
                    raise ParameterError(f"ghat={path}: layer {t} arrays are inconsistent")
                if min(sh) < 1 or sh[0] * sh[1] > MAX_LAYER_WEIGHTS:
                    raise ParameterError(
                        f"ghat={path}: w{t}_shape={list(sh)}: expected two sizes >= 1 with at most "
                        f"{MAX_LAYER_WEIGHTS} weights"
                    )
                if r.size and (r.min() < 0 or r.max() >= sh[0] or c.min() < 0 or c.max() >= sh[1]):
                    raise ParameterError(f"ghat={path}: layer {t} indices outside its shape {sh}")
                if not np.all(np.isfinite(v)):
                    raise ParameterError(f"ghat={path}: w{t}_val has non-finite entries (nan or inf)")
                if np.unique(r * sh[1] + c).size != r.size:  # a weight of G is kept once
                    raise ParameterError(f"ghat={path}: layer {t} holds an edge twice")
                shapes.append((sh[0], sh[1]))
                rows.append(r)
                cols.append(c)
                vals.append(v)
            meta = _strict_json(meta_text)
            append_one = bool(_contract(z, "append_one", path, ndim=0)[()])
    except KeyError as exc:
        raise ParameterError(f"ghat={path}: missing array {exc}") from None
    except Exception as exc:  # numpy and safetensors raise OSError, ValueError, EOFError, SafetensorError
        if isinstance(exc, LogpruneError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ParameterError(f"ghat={path}: not a readable Ĝ file ({first})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fmt = meta.get("format") if isinstance(meta, dict) else None
        raise ParameterError(f"ghat={path}: format={fmt}; expected {FORMAT}")
    return GhatArrays(SparseNet(tuple(shapes), tuple(rows), tuple(cols), tuple(vals)), append_one, meta)
