"""Reading the target network F from what a user holds, and inputs from files (docs/claims.md, C3: biases
folded exactly).

- :func:`as_target`: a :class:`~logprune.construct.target.Target`, a path, a ``torch.nn.Module``
  (:mod:`~logprune.construct.io.module`), a state_dict (a mapping of tensors or arrays), or arrays (a sequence
  of weight matrices, or of (weight, bias) pairs);
- :func:`load_target`: ``.npz`` (the contract ``W1..Wl``, ``b1..bl``, or a state_dict's keys), ``.pt``/``.pth``
  and ``.safetensors`` checkpoints (:mod:`~logprune.construct.io.checkpoint`, their layers ordered by
  :mod:`~logprune.construct.io.state_dict`); every container is read through the guards of
  :mod:`~logprune.construct.io.containers` before any data;
- :func:`demo_target`: the small trained target shipped with logprune;
- :func:`load_inputs`: rows of an ``.npy``, checked against F's input width and read exactly.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from logprune.construct.io.containers import read_npy, read_npz
from logprune.construct.io.layers import MlpLayers
from logprune.construct.io.state_dict import mlp_layers
from logprune.construct.target import Target, check_inputs, target_from_arrays
from logprune.errors import ParameterError, ParameterTypeError
from logprune.validation import check_positive

__all__ = ["DEMO_DESCRIPTION", "as_target", "check_layer_order", "demo_target", "load_inputs", "load_target"]


def check_layer_order(layers: Any) -> tuple[str, ...] | None:
    """``layer_order``: the linear layers' names in forward order, as a sequence or a text ``"fc1,fc2,out"``."""
    if layers is None:
        return None
    items = layers.split(",") if isinstance(layers, str) else layers
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(x, str) and x.strip() for x in items):
        raise ParameterTypeError(
            f"layer_order={layers!r}: expected the linear layers' names in forward order (fc1,fc2,out)"
        )
    return tuple(x.strip() for x in items)


def _check_bn_eps(bn_eps: Any) -> Fraction | None:
    return None if bn_eps is None else check_positive("bn_eps", bn_eps)


def as_target(obj: Any, *, layer_order: Any = None, bn_eps: Any = None) -> tuple[Target, list[str]]:
    """The target F of what the user holds (module doc), and the notices of reading it.  ``layer_order``: the
    linear layers' order (names), where the shapes do not fix it; ``bn_eps``: the eps of the BatchNorm layers
    of a state_dict (a module holds its own)."""
    names, eps = check_layer_order(layer_order), _check_bn_eps(bn_eps)
    if isinstance(obj, Target):
        if names is not None or eps is not None:
            raise ParameterError("layer_order/bn_eps: they read a model; this target is read already")
        return obj, list(obj.notes)
    if isinstance(obj, (str, os.PathLike)):
        return load_target(obj, layer_order=names, bn_eps=eps)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.nn.Module):
        if names is not None or eps is not None:
            raise ParameterError("layer_order/bn_eps: a module's forward gives its order and its BatchNorms their eps")
        from logprune.construct.io.module import module_layers

        return _from_layers(module_layers(obj), f"module {type(obj).__name__}")
    if isinstance(obj, Mapping):
        arrays = {str(k): _plain(str(k), v) for k, v in obj.items()}
        if _layer_count(arrays, "state_dict") and not any("." in k for k in arrays):
            if names is not None or eps is not None:
                raise ParameterError(
                    "layer_order/bn_eps: arrays named W1..Wl give their own order and hold no BatchNorm"
                )
            return _from_w_arrays(arrays, "arrays")
        return _from_checkpoint(arrays, Path("state_dict"), layers=names, bn_eps=eps, ordered=True)
    if isinstance(obj, (list, tuple)) and obj:
        if names is not None or eps is not None:
            raise ParameterError(
                "layer_order/bn_eps: a sequence of arrays is in forward order already, with no BatchNorm"
            )
        if all(isinstance(x, (list, tuple)) and len(x) == 2 for x in obj):
            ws = [_plain(f"W{i + 1}", x[0]) for i, x in enumerate(obj)]
            bs = [None if x[1] is None else _plain(f"b{i + 1}", x[1]) for i, x in enumerate(obj)]
            return target_from_arrays(ws, bs), []
        return target_from_arrays([_plain(f"W{i + 1}", x) for i, x in enumerate(obj)]), []
    raise ParameterTypeError(
        f"target={_short_type(obj)}: expected a path (.npz, .pt, .pth, .safetensors), a torch.nn.Module, a "
        "state_dict, or a list of weight arrays"
    )


def _short_type(obj: Any) -> str:
    text = repr(obj)
    return f"<{type(obj).__name__}>" if len(text) > 60 else text


def _plain(name: str, v: Any) -> np.ndarray:
    """A tensor or array-like as a numpy array (tensors detached to the CPU; bfloat16 widened exactly)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(v, torch.Tensor):
        t = v.detach().cpu()
        if t.dtype == torch.bfloat16:
            t = t.to(torch.float32)
        if t.is_complex():
            raise ParameterTypeError(f"{name}: dtype {t.dtype}; expected real numbers")
        return np.asarray(t.numpy())
    a = np.asarray(v)
    if a.dtype == object:
        raise ParameterTypeError(f"{name}: holds {type(v).__name__}, not numbers")
    return a


def _from_layers(mlp: MlpLayers, source: str) -> tuple[Target, list[str]]:
    target = target_from_arrays(list(mlp.weights), list(mlp.biases))
    notes = [f"layers read from {source}: {', '.join(mlp.prefixes)}", *mlp.notes]
    return replace(target, notes=tuple(mlp.notes)), notes


def load_target(
    path: str | os.PathLike[str], *, layer_order: Any = None, bn_eps: Any = None
) -> tuple[Target, list[str]]:
    """Read F from a file; returns the target and notices (ignored arrays, folded pruning masks).

    - ``.npz``: ``W1..Wl`` of shape out × in and optional ``b1..bl`` (the contract), or, when there is no
      ``W1``, a state_dict's keys (``fc1.weight``, ...) as in a checkpoint;
    - ``.pt``/``.pth`` (PyTorch ``state_dict``, read with ``weights_only=True``) and ``.safetensors``: the
      linear layers of an MLP in forward order (:mod:`~logprune.construct.io.state_dict`).
    """
    names, eps = check_layer_order(layer_order), _check_bn_eps(bn_eps)
    p = Path(path)
    if p.suffix != ".npz":
        from logprune.construct.io.checkpoint import read_named_arrays

        return _from_checkpoint(read_named_arrays(p), p, layers=names, bn_eps=eps, ordered=p.suffix != ".safetensors")
    arrays = read_npz(p, "target")  # headers, dtypes and sizes checked before any data is read
    count = _layer_count(arrays, str(path))
    if count == 0:
        if any("." in k for k in arrays):  # a state_dict saved with numpy
            return _from_checkpoint(arrays, p, layers=names, bn_eps=eps, ordered=True)
        raise ParameterError(f"target={path}: no arrays named W1..Wl")
    if names is not None or eps is not None:
        raise ParameterError(f"layer_order/bn_eps: {p.name} holds W1..Wl, in forward order and with no BatchNorm")
    return _from_w_arrays(arrays, p.name)


def _from_w_arrays(arrays: dict[str, np.ndarray], name: str) -> tuple[Target, list[str]]:
    """F from arrays named W1..Wl (and b1..bl), the others ignored with a notice."""
    layers = _layer_count(arrays, name)
    used = {f"W{i}" for i in range(1, layers + 1)} | {f"b{i}" for i in range(1, layers + 1)}
    ignored = [k for k in arrays if k not in used]
    notices = [f"ignored array {k!r} in {name}" for k in sorted(ignored)[:_NOTICES]]
    if len(ignored) > _NOTICES:  # a file of many stray arrays gives a few lines, not one per array
        notices.append(f"... and {len(ignored) - _NOTICES} more ignored arrays in {name}")
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


def _from_checkpoint(
    arrays: dict[str, np.ndarray], p: Path, *, layers: tuple[str, ...] | None, bn_eps: Fraction | None, ordered: bool
) -> tuple[Target, list[str]]:
    mlp = mlp_layers(arrays, source=str(p), ordered=ordered, layers=layers, bn_eps=bn_eps)
    target, notices = _from_layers(mlp, p.name)
    notices += [f"pruning mask folded into {prefix} (weight_orig · weight_mask)" for prefix in mlp.folded_masks]
    return target, notices


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
    return check_inputs(f"{param}={path}", x, target)
