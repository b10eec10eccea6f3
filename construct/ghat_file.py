"""The ``Ĝ.npz`` file format (other tools read it with numpy alone, ``allow_pickle=False``).

``layers`` = T = 2l; for t = 1..T: ``w{t}_shape`` (2 ints), ``w{t}_row``, ``w{t}_col`` (int64),
``w{t}_val`` (float64, the kept weights of G, unchanged); ``append_one`` (bool); ``meta`` (a JSON string).
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
- ``.pt``: not a Ĝ file but a plain PyTorch model: the ``state_dict`` of a ``torch.nn.Sequential`` of
  Linear and ReLU layers that computes Ĝ on F's own input (:mod:`~logprune.construct.torch_export`);
  written only, never verified (G's indices are compacted away).
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from logprune.atomic import write_bytes_atomic
from logprune.construct.forward import SparseNet
from logprune.errors import LogpruneError, ParameterError

__all__ = ["FORMAT", "SUFFIXES", "GhatArrays", "check_out_path", "read_ghat", "write_ghat"]

FORMAT = "logprune.ghat/2"
SUFFIXES = (".npz", ".safetensors", ".pt")


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
    if suffix == ".pt":
        from logprune.construct.torch_export import require_torch

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
    if suffix == ".pt":
        from logprune.construct.torch_export import torch_bytes

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

        with safe_open(str(p), "np") as fh:
            meta = (fh.metadata() or {}).get("meta")
        if meta is None:
            raise ParameterError(f"ghat={p}: no meta in the safetensors header")
        return load_file(str(p)), meta
    z = np.load(p, allow_pickle=False)
    if "meta" not in z.files:
        z.close()
        raise KeyError("meta")
    return z, str(z["meta"])


def read_ghat(path: str | Path) -> GhatArrays:
    """Read and check the format of a Ĝ file (numpy only, no pickle)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"ghat={path}: no such file")
    if p.suffix == ".pt":
        raise ParameterError(
            f"ghat={path}: a .pt export is a plain torch model (G's indices compacted away); verify the .npz "
            "or .safetensors file"
        )
    try:
        z, meta_text = _load(p)
        with contextlib.closing(z) if hasattr(z, "close") else contextlib.nullcontext():
            T = int(z["layers"])
            shapes, rows, cols, vals = [], [], [], []
            for t in range(1, T + 1):
                sh = tuple(int(v) for v in z[f"w{t}_shape"])
                r, c, v = z[f"w{t}_row"], z[f"w{t}_col"], z[f"w{t}_val"]
                if len(sh) != 2 or not (r.shape == c.shape == v.shape) or r.ndim != 1:
                    raise ParameterError(f"ghat={path}: layer {t} arrays are inconsistent")
                if r.size and (r.min() < 0 or r.max() >= sh[0] or c.min() < 0 or c.max() >= sh[1]):
                    raise ParameterError(f"ghat={path}: layer {t} indices outside its shape {sh}")
                if np.unique(r.astype(np.int64) * sh[1] + c).size != r.size:  # a weight of G is kept once
                    raise ParameterError(f"ghat={path}: layer {t} holds an edge twice")
                shapes.append((sh[0], sh[1]))
                rows.append(r.astype(np.int64))
                cols.append(c.astype(np.int64))
                vals.append(v.astype(np.float64))
            meta = json.loads(meta_text)
            append_one = bool(z["append_one"])
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
