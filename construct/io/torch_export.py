"""Ĝ as a plain PyTorch model: the ``state_dict`` of ``torch.nn.Sequential(Linear, ReLU, ..., Linear)``.

Ĝ's T = 2l layers are G's layers restricted to the kept weights (:mod:`~logprune.construct.forward`).
A neuron of G with no kept in-edge outputs relu(0) = 0, so only the neurons that keep an in-edge are
carried: layer t becomes a dense Linear from the kept neurons of layer t-1 to those of layer t (the last
layer keeps every output).  Ĝ takes (x, 1) when F has biases (the constant-1 neuron of the exact bias
rewrite, docs/claims.md, certificate); the first Linear's bias is the column of that constant, so the
model takes F's own input x.  Every other bias is 0.  Weights are float64 tensors, unchanged: the model
computes Ĝ exactly as the Ĝ file's forward rule does, up to the order of float summation.

Keys follow ``torch.nn.Sequential``: ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``, ... (the ReLUs
at odd indices hold no parameters).  Ĝ's JSON record (seed, plan, certificate) rides in the
state_dict's ``_metadata`` under ``logprune``, where ``load_state_dict`` never looks.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any

import numpy as np

from logprune.construct.forward import SparseNet
from logprune.errors import ParameterError

__all__ = ["DENSE_LIMIT", "dense_layers", "require_torch", "torch_bytes"]

DENSE_LIMIT = 1 << 27  # weights (float64: 1 GiB) of the dense model at the most


def require_torch(what: str) -> Any:
    """torch, or a one-line refusal naming ``what`` needed it."""
    try:
        import torch
    except ImportError:
        raise ParameterError(f"{what}: writing a PyTorch model needs torch (pip install 'logprune[torch]')") from None
    return torch


def dense_layers(net: SparseNet, *, append_one: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight, bias) per Linear layer of the compact dense model (module doc), float64."""
    T = len(net.shapes)
    n_in = net.shapes[0][1] - (1 if append_one else 0)
    prev_map = np.arange(net.shapes[0][1], dtype=np.int64)  # inputs: every column, the constant last
    prev_size = net.shapes[0][1]
    total = 0
    plans: list[tuple[np.ndarray, np.ndarray, np.ndarray, int, int]] = []
    for t in range(T):
        r, c, v = net.rows[t], net.cols[t], net.vals[t]
        cc = prev_map[c]
        live = cc >= 0  # an edge from a neuron that outputs 0 contributes nothing
        r, cc, v = r[live], cc[live], v[live]
        if t == T - 1:
            size, rr = net.shapes[t][0], r
            used = np.arange(size)
        else:
            used, rr = np.unique(r, return_inverse=True)
            size = used.size
        total += size * prev_size
        plans.append((rr, cc, v, size, prev_size))
        if t < T - 1:
            prev_map = np.full(net.shapes[t][0], -1, dtype=np.int64)
            prev_map[used] = np.arange(size)
            prev_size = size
    if total > DENSE_LIMIT:
        raise ParameterError(
            f"out=.pt: the dense torch model would hold {total} weights (limit {DENSE_LIMIT}); "
            "write .npz or .safetensors (sparse) instead"
        )
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for t, (rr, cc, v, size, prev) in enumerate(plans):
        W = np.zeros((size, prev), dtype=np.float64)
        np.add.at(W, (rr, cc), v)  # a sum, as the sparse forward's (each weight of G is kept once anyway)
        b = np.zeros(size, dtype=np.float64)
        if t == 0 and append_one:
            b = W[:, n_in].copy()
            W = np.ascontiguousarray(W[:, :n_in])
        out.append((W, b))
    return out


def torch_bytes(net: SparseNet, *, append_one: bool, meta: str) -> bytes:
    """The ``torch.save`` bytes of the state_dict (module doc); ``meta`` (Ĝ's JSON record) is kept in the
    state_dict's ``_metadata`` under the key ``logprune`` (``load_state_dict`` ignores unknown prefixes
    there, and ``torch.load(weights_only=True)`` reads it)."""
    torch = require_torch("out=.pt")
    sd: OrderedDict[str, Any] = OrderedDict()
    for t, (W, b) in enumerate(dense_layers(net, append_one=append_one)):
        sd[f"{2 * t}.weight"] = torch.from_numpy(W)
        sd[f"{2 * t}.bias"] = torch.from_numpy(b)
    sd._metadata = OrderedDict({"logprune": {"meta": meta}})  # type: ignore[attr-defined]
    buf = io.BytesIO()
    torch.save(sd, buf)
    return buf.getvalue()
