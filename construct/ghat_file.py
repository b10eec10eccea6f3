"""The ``Ĝ.npz`` file format (other tools read it with numpy alone, ``allow_pickle=False``).

``layers`` = T = 2l; for t = 1..T: ``w{t}_shape`` (2 ints), ``w{t}_row``, ``w{t}_col`` (int64),
``w{t}_val`` (float64, the kept weights of G, unchanged); ``append_one`` (bool); ``meta`` (a JSON string).
Forward rule: h0 = x (with 1 appended if append_one); h_t = relu(W_t h_(t-1)) for t < T; output
W_T h_(T-1).  (Ĝ carries biases through the appended 1, so no ``b{t}`` is written.)

``meta`` (format ``logprune.ghat/2``) is composed of the objects' own records: ``options`` (the request,
:class:`~logprune.construct.options.Options`), ``plan`` (eps_w, k, the law of G, the block size, ...),
``certified_bound`` (the certificate), ``target`` (its sha256 and widths), ``sizes``, the measured error
and the versions.  ``verify`` recomputes everything it can from the seed, the target and the arrays.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from logprune.atomic import write_bytes_atomic
from logprune.construct.forward import SparseNet
from logprune.errors import LogpruneError, ParameterError

__all__ = ["FORMAT", "GhatArrays", "read_ghat", "write_ghat"]

FORMAT = "logprune.ghat/2"


@dataclass(frozen=True)
class GhatArrays:
    """The arrays of a Ĝ file and its meta."""

    net: SparseNet
    append_one: bool
    meta: dict[str, Any]


def write_ghat(path: str | Path, g: GhatArrays) -> None:
    """Write Ĝ atomically (temporary file, then rename)."""
    arrays: dict[str, np.ndarray] = {
        "layers": np.asarray(len(g.net.shapes), dtype=np.int64),
        "append_one": np.asarray(g.append_one),
        "meta": np.asarray(json.dumps(g.meta, sort_keys=True)),
    }
    net = g.net
    for t, (shape, r, c, v) in enumerate(zip(net.shapes, net.rows, net.cols, net.vals, strict=True), start=1):
        arrays[f"w{t}_shape"] = np.asarray(shape, dtype=np.int64)
        arrays[f"w{t}_row"] = np.asarray(r, dtype=np.int64)
        arrays[f"w{t}_col"] = np.asarray(c, dtype=np.int64)
        arrays[f"w{t}_val"] = np.asarray(v, dtype=np.float64)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    write_bytes_atomic(path, buf.getvalue())


def read_ghat(path: str | Path) -> GhatArrays:
    """Read and check the format of a Ĝ file (numpy only, no pickle)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"ghat={path}: no such file")
    try:
        with np.load(p, allow_pickle=False) as z:
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
            meta = json.loads(str(z["meta"]))
            append_one = bool(z["append_one"])
    except KeyError as exc:
        raise ParameterError(f"ghat={path}: missing array {exc}") from None
    except (OSError, ValueError, EOFError) as exc:
        if isinstance(exc, LogpruneError):
            raise
        raise ParameterError(f"ghat={path}: not a readable Ĝ file ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fmt = meta.get("format") if isinstance(meta, dict) else None
        raise ParameterError(f"ghat={path}: format={fmt}; expected {FORMAT}")
    return GhatArrays(SparseNet(tuple(shapes), tuple(rows), tuple(cols), tuple(vals)), append_one, meta)
