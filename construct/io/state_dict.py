"""Reading an MLP out of a checkpoint's named arrays (a PyTorch ``state_dict``, a safetensors file).

A target F is a chain of linear layers with ReLU between them (docs/claims.md, C3).  In a checkpoint
each linear layer is a module prefix ``P`` with ``P.weight`` (out × in) and optionally ``P.bias`` (out);
the prefixes are whatever the model named them: ``fc1``, ``0`` (``torch.nn.Sequential``),
``layers.3``, ``net.2``, ``module.fc1`` (DataParallel).  A layer pruned with ``torch.nn.utils.prune``
stores ``P.weight_orig`` and ``P.weight_mask`` instead of ``P.weight`` (and likewise for the bias): the
effective weight is their product, computed exactly here (the mask is 0 or 1).

Order.  A ``state_dict`` (``.pt``, ``.npz``) lists modules in registration order, which is the forward
order of an MLP: that order is used when it chains the shapes, else the natural order of the prefixes
(digit runs compared as numbers).  safetensors sorts its keys as text (``10`` before ``2``), so there the
order can only come from the names: the prefixes must differ only in their numbers (``fc1``, ``fc2``;
``0``, ``2``; ``layers.3``, ``layers.11``), in natural order; names such as ``input``, ``hidden``,
``output`` are refused, since square layers would chain in any order.  A bare ``weight``/``bias``
(``nn.Linear(...).state_dict()``) is a one-layer model.

Nothing else is guessed: a key that is not a linear layer's parameter (a 4-D convolution weight, a
normalisation layer's running statistics, a bias with no weight), or shapes that do not chain (a missing
layer), is refused in one line that names the key.  What a checkpoint cannot show is not checked: the
activations (logprune assumes ReLU between the layers, docs/claims.md, C3) and whether a 2-D weight
belongs to a Linear layer (an embedding table has one too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from logprune.errors import ParameterError

__all__ = ["MlpLayers", "mlp_layers"]

_SUFFIXES = ("weight", "bias", "weight_orig", "weight_mask", "bias_orig", "bias_mask")


@dataclass(frozen=True)
class MlpLayers:
    """The linear layers found, in forward order: prefixes, weights (out × in), biases (or None)."""

    prefixes: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray | None, ...]
    folded_masks: tuple[str, ...]  # prefixes whose weight or bias was folded from a pruning mask


def _natural(prefix: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of a prefix: digit runs as numbers (``layers.10`` after ``layers.2``)."""
    return tuple((0, int(t)) if t.isdigit() else (1, t) for t in re.findall(r"\d+|\D+", prefix))


def _split(key: str) -> tuple[str, str]:
    prefix, _, suffix = key.rpartition(".")
    if suffix not in _SUFFIXES:
        raise ParameterError(f"key={key!r}: not a parameter of a linear layer (expected PREFIX.weight or PREFIX.bias)")
    return prefix, suffix


def _fold(prefix: str, name: str, parts: Mapping[str, np.ndarray]) -> tuple[np.ndarray | None, bool]:
    """``name`` (weight or bias) of one layer: stored plainly, or as ``_orig`` times ``_mask``."""
    plain, orig, mask = parts.get(name), parts.get(f"{name}_orig"), parts.get(f"{name}_mask")
    if plain is not None and orig is None and mask is None:
        return plain, False
    if orig is None and mask is None:
        return None, False
    if orig is None or mask is None:
        have = _key(prefix, f"{name}_orig") if orig is not None else _key(prefix, f"{name}_mask")
        raise ParameterError(f"key={have!r}: a pruned parameter needs both {name}_orig and {name}_mask")
    if orig.shape != mask.shape:
        raise ParameterError(f"key={_key(prefix, name + '_mask')!r}: shape {mask.shape} differs from {orig.shape}")
    m = np.asarray(mask)
    if not np.all((m == 0) | (m == 1)):
        raise ParameterError(f"key={_key(prefix, name + '_mask')!r}: a pruning mask holds only 0 and 1")
    # a product with 0 or 1 is exact in every float format (the effective weight is not rounded), and a
    # non-finite weight under a 0 stays non-finite, as in torch (the target's checks then refuse it)
    return orig * m.astype(orig.dtype), True


def _chains(weights: Sequence[np.ndarray]) -> int | None:
    """The index of the first layer whose input width differs from the previous output width (None: chains)."""
    for i in range(1, len(weights)):
        if weights[i].shape[1] != weights[i - 1].shape[0]:
            return i
    return None


def _key(prefix: str, name: str) -> str:
    """The key of parameter ``name`` of the layer at ``prefix`` (a bare name for a lone Linear)."""
    return f"{prefix}.{name}" if prefix else name


def _skeleton(prefix: str) -> str:
    return re.sub(r"\d+", "#", prefix)


def mlp_layers(arrays: Mapping[str, np.ndarray], *, source: str, ordered: bool = True) -> MlpLayers:
    """The linear layers of an MLP from its named arrays, in forward order (module doc); ``ordered``:
    the mapping's order is the file's module order (a state_dict; not safetensors); ``source`` names the
    file in messages."""
    if not arrays:
        raise ParameterError(f"target={source}: holds no arrays")
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        prefix, suffix = _split(key)
        groups.setdefault(prefix, {})[suffix] = np.asarray(value)
    prefixes: list[str] = []
    weights: list[np.ndarray] = []
    biases: list[np.ndarray | None] = []
    folded: list[str] = []
    for prefix, parts in groups.items():
        w, fw = _fold(prefix, "weight", parts)
        b, fb = _fold(prefix, "bias", parts)
        if w is None:
            raise ParameterError(f"key={_key(prefix, 'bias')!r}: a bias with no weight (not a linear layer)")
        if w.ndim != 2:
            kind = "a convolution" if w.ndim >= 3 else "a normalisation layer or a vector"
            raise ParameterError(
                f"key={_key(prefix, 'weight')!r}: shape {tuple(w.shape)} is {kind}, not a linear layer "
                "(logprune reads MLPs of Linear and ReLU layers)"
            )
        if b is not None and tuple(b.shape) != (w.shape[0],):
            raise ParameterError(f"key={_key(prefix, 'bias')!r}: shape {tuple(b.shape)}; expected ({w.shape[0]},)")
        prefixes.append(prefix)
        weights.append(w)
        biases.append(b)
        if fw or fb:
            folded.append(prefix)
    file_order = list(range(len(prefixes)))
    natural = sorted(file_order, key=lambda i: _natural(prefixes[i]))
    if not ordered and len(prefixes) > 1:
        stems = {_skeleton(p) for p in prefixes}
        if len(stems) > 1 or not any(c.isdigit() for c in prefixes[0]):
            odd = next(p for p in prefixes if _skeleton(p) != _skeleton(prefixes[0]) or not any(c.isdigit() for c in p))
            raise ParameterError(
                f"key={_key(odd, 'weight')!r}: the order of the layers cannot be read from names that differ in more "
                "than their numbers (safetensors sorts keys); name them fc1, fc2, ... or 0, 2, ..."
            )
    for order in (file_order, natural) if ordered else (natural,):
        if _chains([weights[i] for i in order]) is None:
            break
    else:
        i = _chains([weights[j] for j in natural])
        assert i is not None
        cur, prev = natural[i], natural[i - 1]
        raise ParameterError(
            f"key={_key(prefixes[cur], 'weight')!r}: shape {tuple(weights[cur].shape)} takes "
            f"{weights[cur].shape[1]} inputs but {_key(prefixes[prev], 'weight')!r} gives {weights[prev].shape[0]} "
            "(a missing layer, or not an MLP)"
        )
    return MlpLayers(
        tuple(prefixes[i] for i in order),
        tuple(weights[i] for i in order),
        tuple(biases[i] for i in order),
        tuple(folded),
    )
