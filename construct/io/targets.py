"""Reading the target network F and inputs from files (docs/claims.md, C3: biases folded exactly).

- :func:`load_target`: ``.npz`` (the contract ``W1..Wl``, ``b1..bl``, or a state_dict's keys), ``.pt``/``.pth``
  and ``.safetensors`` checkpoints (:mod:`~logprune.construct.io.checkpoint`, their layers ordered by
  :mod:`~logprune.construct.io.state_dict`); every container is read through the guards of
  :mod:`~logprune.construct.io.containers` before any data;
- :func:`demo_target`: the small trained target shipped with logprune;
- :func:`load_inputs`: rows of an ``.npy``, checked against F's input width and read exactly.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from logprune.construct.io.containers import read_npy, read_npz
from logprune.construct.target import Target, check_inputs, target_from_arrays
from logprune.errors import ParameterError

__all__ = ["DEMO_DESCRIPTION", "demo_target", "load_inputs", "load_target"]


def load_target(path: str | Path) -> tuple[Target, list[str]]:
    """Read F from a file; returns the target and notices (ignored arrays, folded pruning masks).

    - ``.npz``: ``W1..Wl`` of shape out × in and optional ``b1..bl`` (the contract), or, when there is no
      ``W1``, a state_dict's keys (``fc1.weight``, ...) as in a checkpoint;
    - ``.pt``/``.pth`` (PyTorch ``state_dict``, read with ``weights_only=True``) and ``.safetensors``: the
      linear layers of an MLP in forward order (:mod:`~logprune.construct.io.state_dict`).
    """
    p = Path(path)
    if p.suffix != ".npz":
        from logprune.construct.io.checkpoint import read_named_arrays

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
    from logprune.construct.io.state_dict import mlp_layers

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
    return check_inputs(f"{param}={path}", x, target)
