"""Reading an MLP out of a checkpoint's named arrays (a PyTorch ``state_dict``, a safetensors file, a dict).

A target F is a chain of linear layers with ReLU between them (docs/claims.md, C3).  In a checkpoint
each linear layer is a module prefix ``P`` with ``P.weight`` (out × in) and optionally ``P.bias`` (out);
the prefixes are whatever the model named them: ``fc1``, ``0`` (``torch.nn.Sequential``),
``layers.3``, ``net.2``, ``module.fc1`` (DataParallel).  A layer pruned with ``torch.nn.utils.prune``
stores ``P.weight_orig`` and ``P.weight_mask`` instead of ``P.weight`` (and likewise for the bias): the
effective weight is their product, computed exactly here (the mask is 0 or 1).  A BatchNorm1d is a prefix
with ``running_mean`` and ``running_var`` (and ``weight``, ``bias``, ``num_batches_tracked``): it is folded
into its neighbouring linear layer (:mod:`~logprune.construct.io.layers`) when its ``eps`` is given
(``bn_eps``; a state_dict does not hold it, torch's default is 1e-5), else refused saying so.

Order, in this precedence:

1. the order given (``--layer-order fc1,fc2,out``, ``layer_order=``): the linear layers' prefixes in forward
   order, every one named once;
2. the shapes: when exactly one order of the linear layers chains (each layer's input width is the previous
   one's output width), that order;
3. several orders chain (square layers): the file's order when it is one (a state_dict lists modules in
   registration order, the forward order of a ``torch.nn.Sequential``), with a note saying so; safetensors
   sorts its keys as text, so there the natural order of the names (digit runs as numbers) is used when
   the names differ only in their numbers (``fc1``, ``fc2``; ``layers.3``, ``layers.11``), else the order
   is asked for (``layers``).

Nothing else is guessed: a key that is not a linear layer's or a BatchNorm's parameter (a 4-D convolution
weight), or shapes that do not chain (a missing layer), is refused in one line that names the key.  What a
checkpoint cannot show is not checked but said: the activations (ReLU between the layers is assumed,
:data:`~logprune.construct.io.layers.RELU_ASSUMED`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np

from logprune.construct.io.layers import MlpLayers, Op, assemble
from logprune.errors import ParameterError

__all__ = ["BN_EPS_DEFAULT", "MlpLayers", "chain_orders", "mlp_layers"]

BN_EPS_DEFAULT = "1e-5"  # torch.nn.BatchNorm1d's default eps (stated in the hint; never assumed)
_SUFFIXES = ("weight", "bias", "weight_orig", "weight_mask", "bias_orig", "bias_mask")
_BN_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")
_ORDER_BUDGET = 200_000  # search steps for the orders that chain (a handful of layers needs a few dozen)


def _natural(prefix: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of a prefix: digit runs as numbers (``layers.10`` after ``layers.2``)."""
    return tuple((0, int(t)) if t.isdigit() else (1, t) for t in re.findall(r"\d+|\D+", prefix))


def _split(key: str) -> tuple[str, str]:
    prefix, _, suffix = key.rpartition(".")
    if suffix not in _SUFFIXES and suffix not in _BN_SUFFIXES:
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


def _key(prefix: str, name: str) -> str:
    """The key of parameter ``name`` of the layer at ``prefix`` (a bare name for a lone Linear)."""
    return f"{prefix}.{name}" if prefix else name


def _skeleton(prefix: str) -> str:
    return re.sub(r"\d+", "#", prefix)


def chain_orders(shapes: Sequence[tuple[int, int]], *, limit: int = 2) -> list[tuple[int, ...]]:
    """Up to ``limit`` orders of the layers (each (out, in)) in which every layer's input width is the
    previous one's output width, found by a depth-first search that stops at ``limit`` (a bounded number of
    steps: beyond it the orders found so far are returned, never more than ``limit``).

    >>> chain_orders([(10, 500), (500, 784)])
    [(1, 0)]
    >>> len(chain_orders([(8, 8), (8, 8), (8, 4)]))
    2
    """
    n = len(shapes)
    found: list[tuple[int, ...]] = []
    steps = 0

    def extend(path: list[int], used: list[bool]) -> None:
        nonlocal steps
        if len(found) >= limit or steps > _ORDER_BUDGET:
            return
        steps += 1
        if len(path) == n:
            found.append(tuple(path))
            return
        width = shapes[path[-1]][0] if path else None
        for i in range(n):
            if not used[i] and (width is None or shapes[i][1] == width):
                used[i] = True
                path.append(i)
                extend(path, used)
                path.pop()
                used[i] = False

    extend([], [False] * n)
    return found


def _order(
    prefixes: Sequence[str],
    shapes: Sequence[tuple[int, int]],
    *,
    source: str,
    ordered: bool,
    layers: Sequence[str] | None,
) -> tuple[list[int], list[str]]:
    """The forward order of the linear layers (module doc) and a note when it is not the only one."""
    if layers is not None:
        names = [str(x).strip() for x in layers]
        unknown = [x for x in names if x not in prefixes]
        if unknown:
            raise ParameterError(
                f"layer_order={','.join(names)}: {unknown[0]!r} is not a linear layer of {source} "
                f"({', '.join(prefixes)})"
            )
        if sorted(names) != sorted(prefixes):
            missing = [p for p in prefixes if p not in names]
            what = f"{missing[0]!r} is missing" if missing else "a layer is named twice"
            raise ParameterError(
                f"layer_order={','.join(names)}: {what} (name every linear layer once: {', '.join(prefixes)})"
            )
        order = [prefixes.index(x) for x in names]
        bad = _mismatch([shapes[i] for i in order])
        if bad is not None:
            cur, prev = order[bad], order[bad - 1]
            raise ParameterError(
                f"layer_order={','.join(names)}: {prefixes[cur]!r} takes {shapes[cur][1]} inputs but "
                f"{prefixes[prev]!r} gives {shapes[prev][0]}"
            )
        return order, []
    orders = chain_orders(shapes)
    if len(orders) == 1:
        return list(orders[0]), []
    file_order = list(range(len(prefixes)))
    natural = sorted(file_order, key=lambda i: _natural(prefixes[i]))
    if not orders:
        i = _mismatch([shapes[j] for j in (file_order if ordered else natural)])
        assert i is not None
        at = file_order if ordered else natural
        cur, prev = at[i], at[i - 1]
        raise ParameterError(
            f"key={_key(prefixes[cur], 'weight')!r}: shape {shapes[cur]} takes {shapes[cur][1]} inputs but "
            f"{_key(prefixes[prev], 'weight')!r} gives {shapes[prev][0]} (a missing layer, or not an MLP)"
        )
    hint = f"give the order (--layer-order {','.join(prefixes)}, or layer_order=) to choose"
    if ordered and _mismatch([shapes[i] for i in file_order]) is None:
        return file_order, [
            f"layer order: the file's ({' -> '.join(prefixes)}); several orders chain the shapes: {hint}"
        ]
    stems = {_skeleton(p) for p in prefixes}
    if len(stems) == 1 and any(c.isdigit() for c in prefixes[0]) and _mismatch([shapes[i] for i in natural]) is None:
        named = [prefixes[i] for i in natural]
        return natural, [
            f"layer order: by the names' numbers ({' -> '.join(named)}); several orders chain the shapes: {hint}"
        ]
    raise ParameterError(
        f"target={source}: the order of the layers cannot be read (several orders chain the shapes and the names "
        f"do not give one): {hint}"
    )


def _mismatch(shapes: Sequence[tuple[int, int]]) -> int | None:
    """The index of the first layer whose input width differs from the previous output width (None: chains)."""
    for i in range(1, len(shapes)):
        if shapes[i][1] != shapes[i - 1][0]:
            return i
    return None


def mlp_layers(
    arrays: Mapping[str, np.ndarray],
    *,
    source: str,
    ordered: bool = True,
    layers: Sequence[str] | None = None,
    bn_eps: Fraction | None = None,
) -> MlpLayers:
    """The linear layers of an MLP from its named arrays, in forward order, BatchNorms folded (module doc);
    ``ordered``: the mapping's order is the file's module order (a state_dict; not safetensors);
    ``source`` names the file in messages."""
    if not arrays:
        raise ParameterError(f"target={source}: holds no arrays")
    groups: dict[str, dict[str, np.ndarray]] = {}
    for key, value in arrays.items():
        prefix, suffix = _split(key)
        groups.setdefault(prefix, {})[suffix] = np.asarray(value)
    linear: list[Op] = []
    norms: dict[int, Op] = {}  # a BatchNorm, by the number of linear layers before it in the file
    folded: list[str] = []
    for prefix, parts in groups.items():
        if "running_mean" in parts or "running_var" in parts:
            norms[len(linear)] = _batchnorm(prefix, parts, bn_eps)
            continue
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
        linear.append(Op(kind="linear", name=prefix, weight=w, bias=b))
        if fw or fb:
            folded.append(prefix)
    if not linear:
        raise ParameterError(f"target={source}: no linear layer (PREFIX.weight of shape out × in)")
    prefixes = [op.name for op in linear]
    shapes = [(int(op.weight.shape[0]), int(op.weight.shape[1])) for op in linear if op.weight is not None]
    if norms and (layers is not None or not ordered):  # a BatchNorm's place is the file's order
        raise ParameterError(
            f"target={source}: BatchNorm layers are folded in the file's order of modules; "
            + ("give no layer order" if layers is not None else "a .safetensors file has none: save a state_dict (.pt)")
        )
    order, notes = _order(prefixes, shapes, source=source, ordered=ordered, layers=layers)
    if norms and order != list(range(len(linear))):
        raise ParameterError(f"target={source}: the linear layers do not chain in the file's order of modules")
    ops: list[Op] = []
    for pos, i in enumerate(order):
        if pos > 0:  # a BatchNorm between two linear layers: right after the first (Linear-BatchNorm1d-ReLU)
            if pos in norms:
                ops.append(norms[pos])
                notes.append(
                    f"BatchNorm1d {norms[pos].name} assumed right after Linear {linear[order[pos - 1]].name}, before "
                    "its ReLU (a state_dict does not say; pass the module itself to have it read)"
                )
            ops.append(Op(kind="relu", name=f"(ReLU before {linear[i].name})"))
        elif pos in norms:  # before the first linear layer: on the input
            ops.append(norms[pos])
        ops.append(linear[i])
    if len(linear) in norms:  # after the last linear layer
        ops.append(norms[len(linear)])
    return assemble(ops, source=source, relu_visible=False, notes=notes, folded_masks=folded)


def _batchnorm(prefix: str, parts: Mapping[str, np.ndarray], eps: Fraction | None) -> Op:
    """A BatchNorm1d's parameters (its running statistics), with the eps the user gives."""
    if eps is None:
        raise ParameterError(
            f"key={_key(prefix, 'running_mean')!r}: a BatchNorm layer; a state_dict does not hold its eps: give "
            f"bn_eps (--bn-eps; torch's default is {BN_EPS_DEFAULT}) to fold it into its linear layer"
        )
    extra = [k for k in parts if k not in ("weight", "bias", *_BN_SUFFIXES)]
    if extra:
        raise ParameterError(f"key={_key(prefix, extra[0])!r}: not a parameter of a BatchNorm layer")
    mean, var = parts.get("running_mean"), parts.get("running_var")
    if mean is None or var is None:
        missing = "running_var" if var is None else "running_mean"
        raise ParameterError(f"key={_key(prefix, missing)!r}: missing (a BatchNorm folds with both running statistics)")
    if mean.ndim != 1:
        raise ParameterError(f"key={_key(prefix, 'running_mean')!r}: shape {tuple(mean.shape)}; expected a vector")
    for k in ("running_var", "weight", "bias"):
        v = parts.get(k)
        if v is not None and tuple(v.shape) != tuple(mean.shape):
            raise ParameterError(f"key={_key(prefix, k)!r}: shape {tuple(v.shape)}; expected {tuple(mean.shape)}")
    return Op(
        kind="batchnorm",
        name=prefix,
        weight=parts.get("weight"),
        bias=parts.get("bias"),
        mean=np.asarray(mean, dtype=np.float64),
        var=np.asarray(var, dtype=np.float64),
        eps=eps,
    )
