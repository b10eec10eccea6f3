"""A target as a chain of layers, whatever it was read from (a module, a state_dict, a file), and the rules
that turn the chain into the linear layers of an MLP (docs/claims.md, C3).

The readers (:mod:`~logprune.construct.io.module` for an ``nn.Module``, :mod:`~logprune.construct.io.state_dict`
for named arrays) give a list of :class:`Op` in forward order: ``linear`` (W, b), ``relu``, ``batchnorm``
(γ, β, running mean and variance, eps), ``identity`` (Dropout, Identity, Flatten: nothing to compute).
:func:`assemble` checks the chain and folds it:

- every BatchNorm1d is folded into the adjacent linear layer (the one before it when nothing is between,
  else the one after it): an exact affine rewrite up to one rounding per folded weight and bias
  (:func:`~logprune.construct.target.fold_batchnorm`); the certificate is then for the folded network, and
  the notes say so;
- the activations: exactly one ReLU between consecutive linear layers, none before the first or after the
  last; where the reader could not see the activations (a state_dict holds none), ReLU is assumed and the
  notes say "ReLU between layers assumed".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from logprune.construct.target import fold_batchnorm
from logprune.errors import ParameterError

__all__ = ["RELU_ASSUMED", "MlpLayers", "Op", "assemble"]

RELU_ASSUMED = "ReLU between layers assumed (the activations are not visible in what was read)"


@dataclass(frozen=True, kw_only=True)
class Op:
    """One step of the chain: ``kind`` in linear, relu, batchnorm, identity; ``name`` as the model names it."""

    kind: str
    name: str
    weight: np.ndarray | None = None  # linear: (out, in); batchnorm: γ (None: 1)
    bias: np.ndarray | None = None  # linear: (out,); batchnorm: β (None: 0)
    mean: np.ndarray | None = None  # batchnorm: the running statistics
    var: np.ndarray | None = None
    eps: Fraction | None = None  # batchnorm: the module's eps, exactly
    what: str = ""  # identity: what it was (Dropout, Flatten, ...)


@dataclass(frozen=True, kw_only=True)
class MlpLayers:
    """The linear layers of an MLP in forward order (after folding), and how they were read."""

    prefixes: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray | None, ...]
    folded_masks: tuple[str, ...] = ()  # prefixes whose weight or bias was folded from a pruning mask
    notes: tuple[str, ...] = field(default_factory=tuple)


def _width(op: Op) -> int:
    assert op.mean is not None
    return int(op.mean.shape[0])


def assemble(
    ops: Sequence[Op], *, source: str, relu_visible: bool, notes: Sequence[str] = (), folded_masks: Sequence[str] = ()
) -> MlpLayers:
    """The linear layers of the chain ``ops`` (module doc); ``relu_visible``: the reader saw the activations
    (a module), else ReLU is assumed between the layers (a state_dict)."""
    chain = [op for op in ops if op.kind != "identity"]
    if not any(op.kind == "linear" for op in chain):
        raise ParameterError(f"target={source}: no Linear layer")
    out_notes = list(notes)
    # fold every batchnorm into its linear neighbour (before it when adjacent, else after it)
    weights: dict[int, np.ndarray] = {}
    biases: dict[int, np.ndarray | None] = {}
    for i, op in enumerate(chain):
        if op.kind == "linear":
            assert op.weight is not None
            weights[i], biases[i] = op.weight, op.bias
    for i, op in enumerate(chain):
        if op.kind != "batchnorm":
            continue
        before = i - 1 if i > 0 and chain[i - 1].kind == "linear" else None
        after = i + 1 if i + 1 < len(chain) and chain[i + 1].kind == "linear" else None
        into = before if before is not None else after
        if into is None:
            raise ParameterError(
                f"target={source}: {op.name} (BatchNorm1d) is not next to a Linear layer (between two ReLUs, say): "
                "it cannot be folded into a linear layer"
            )
        w, b = fold_batchnorm(
            weights[into],
            biases[into],
            gamma=op.weight,
            beta=op.bias,
            mean=_stat(op.mean, op, "running_mean"),
            var=_stat(op.var, op, "running_var"),
            eps=op.eps if op.eps is not None else Fraction(0),
            after=into == before,
            name=f"{op.name} into {chain[into].name}",
        )
        weights[into], biases[into] = w, b
        side = "after" if into == before else "before"
        out_notes.append(
            f"BatchNorm1d {op.name} (eps={float(op.eps or 0):g}) folded into Linear {chain[into].name} ({side} it): "
            "each folded weight and bias is the exact fold rounded once to float64"
        )
    linear = [i for i, op in enumerate(chain) if op.kind == "linear"]
    if relu_visible:
        _check_activations(chain, source)
    else:
        out_notes.append(RELU_ASSUMED)
    return MlpLayers(
        prefixes=tuple(chain[i].name for i in linear),
        weights=tuple(weights[i] for i in linear),
        biases=tuple(biases[i] for i in linear),
        folded_masks=tuple(folded_masks),
        notes=tuple(out_notes),
    )


def _stat(v: np.ndarray | None, op: Op, what: str) -> np.ndarray:
    if v is None:
        raise ParameterError(f"{op.name} (BatchNorm1d): no {what} (track_running_stats=False cannot be folded)")
    if v.shape != (_width(op),):
        raise ParameterError(f"{op.name}.{what}: shape {tuple(v.shape)}; expected ({_width(op)},)")
    return v


def _check_activations(chain: Sequence[Op], source: str) -> None:
    """One ReLU between consecutive linear layers, none before the first or after the last (batchnorms are
    folded and do not count)."""
    seq = [op for op in chain if op.kind != "batchnorm"]
    first = next(i for i, op in enumerate(seq) if op.kind == "linear")
    if first > 0:
        raise ParameterError(f"target={source}: {seq[0].name} (ReLU) before the first Linear layer: not an MLP F")
    relus = 0
    for op in seq[first + 1 :]:
        if op.kind == "relu":
            relus += 1
        elif op.kind == "linear":
            if relus != 1:
                what = "no activation" if relus == 0 else f"{relus} ReLUs"
                raise ParameterError(
                    f"target={source}: {what} before Linear {op.name}: logprune's targets have one ReLU between "
                    "consecutive Linear layers"
                )
            relus = 0
    if relus:
        raise ParameterError(
            f"target={source}: a ReLU after the last Linear layer: logprune's targets end with a linear layer "
            "(take the ReLU off the output, or certify the network before it)"
        )
