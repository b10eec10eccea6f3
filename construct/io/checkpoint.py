"""Named arrays from a PyTorch checkpoint (``.pt``/``.pth``) or a ``.safetensors`` file, never unpickling code.

- ``.pt``/``.pth``: ``torch.load(..., weights_only=True, map_location="cpu")`` (torch's restricted
  unpickler: tensors and plain containers only, never arbitrary objects).  A bare ``state_dict`` is
  read, or one nested under ``state_dict``, ``model_state_dict`` or ``model`` (what training scripts
  save).  torch is optional (``pip install 'logprune[torch]'``); without it the file is refused in one line.
- ``.safetensors``: the ``safetensors`` package's numpy reader (no torch needed).

Before either reader runs, what the file declares is checked (:mod:`~logprune.construct.io.containers`): a
zip checkpoint's member sizes (within a limit, no zip bomb) and CRCs (torch's reader skips them); a
safetensors header's length, dtypes, shapes and byte ranges.  Only real tensors are read: complex,
quantized, float8, sparse tensors and anything else numpy cannot hold exactly are refused in one line,
never converted.

Tensors become numpy arrays without rounding: bfloat16 widens exactly to float32.  What the arrays mean
is decided by :mod:`~logprune.construct.io.state_dict`.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from logprune.construct.io.containers import check_safetensors, check_zip_members
from logprune.errors import ParameterError, ParameterTypeError

__all__ = ["TORCH_SUFFIXES", "read_named_arrays"]

TORCH_SUFFIXES = (".pt", ".pth")
_NESTED = ("state_dict", "model_state_dict", "model")
# torch dtypes read (numpy holds them exactly; bfloat16 via float32); complex, quantized, float8 are not
_REAL_DTYPES = (
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
)


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def _tensor_to_numpy(torch: Any, key: str, t: Any, source: str) -> np.ndarray:
    if not isinstance(t, torch.Tensor):
        raise ParameterError(f"target={source}: key={key!r} holds a {type(t).__name__}, not a tensor")
    if t.layout != torch.strided:
        raise ParameterError(f"target={source}: key={key!r} is a {t.layout} tensor; expected a dense one")
    real = {getattr(torch, name) for name in _REAL_DTYPES if hasattr(torch, name)}
    if t.dtype not in real:  # checked before any conversion: complex is refused, never truncated
        raise ParameterTypeError(f"target={source}: key={key!r} has dtype {t.dtype}; expected real numbers")
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16; every bfloat16 is exactly a float32
        t = t.to(torch.float32)
    return np.asarray(t.numpy())


def _state_dict(obj: Any, source: str) -> dict[str, Any]:
    if isinstance(obj, dict):
        for name in _NESTED:
            inner = obj.get(name)
            if isinstance(inner, dict) and inner:
                return inner
        return obj
    raise ParameterError(f"target={source}: holds a {type(obj).__name__}, not a state_dict (save model.state_dict())")


_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _refusal(p: Path, message: str) -> str:
    """One line for a file torch's restricted unpickler refused.  A pickled object (``torch.save(model)``)
    names the class it would have to import, and is never unpickled: the line says to save a state_dict
    (torch's own advice to lift the restriction is not repeated: it runs the file's code)."""
    found = _GLOBAL.search(message)
    if found:
        return (
            f"target={p}: holds a pickled {found.group(1)} (torch.save(model)), not a state_dict; logprune never "
            "unpickles code: save torch.save(model.state_dict(), PATH), or pass the module itself in Python"
        )
    lines = [x.strip() for x in _ANSI.sub("", message).splitlines() if x.strip()]
    return f"target={p}: not a readable PyTorch state_dict ({lines[0] if lines else 'unreadable'})"


def _read_torch(p: Path) -> dict[str, np.ndarray]:
    torch = _torch()
    if torch is None:
        raise ParameterError(f"target={p}: reading PyTorch files needs torch (pip install 'logprune[torch]')")
    check_zip_members(p, "target")  # sizes, zip bombs and CRCs, before torch reads anything
    try:
        with warnings.catch_warnings():  # torch's deprecation notices are not the user's; errors stay one line
            warnings.simplefilter("ignore")
            obj = torch.load(p, weights_only=True, map_location="cpu")
    except Exception as exc:  # torch raises many kinds (UnpicklingError, RuntimeError, zipfile errors)
        raise ParameterError(_refusal(p, str(exc) or type(exc).__name__)) from None
    sd = _state_dict(obj, str(p))
    return {str(k): _tensor_to_numpy(torch, str(k), v, str(p)) for k, v in sd.items()}


def _read_safetensors(p: Path) -> dict[str, np.ndarray]:
    try:
        from safetensors.numpy import load_file
    except ImportError:  # pragma: no cover - safetensors is a dependency
        raise ParameterError(f"target={p}: reading .safetensors needs the safetensors package") from None
    check_safetensors(p, "target")  # header length, dtypes, shapes and byte ranges, before the reader
    try:
        return {str(k): np.asarray(v) for k, v in load_file(str(p)).items()}
    except Exception as exc:  # the reader raises SafetensorError, TypeError (bfloat16), OSError
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ParameterError(f"target={p}: not a readable .safetensors file ({first})") from None


def read_named_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """The named arrays of a ``.pt``/``.pth`` or ``.safetensors`` file, in the file's order (module doc)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"target={path}: no such file")
    if p.suffix in TORCH_SUFFIXES:
        return _read_torch(p)
    if p.suffix == ".safetensors":
        return _read_safetensors(p)
    raise ParameterError(f"target={path}: unknown format (expected .npz, .pt, .pth or .safetensors)")
