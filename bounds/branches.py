"""How many branches a target layer needs (docs/claims.md, propagation): the one rule, used everywhere.

A ReLU network only passes nonnegative values, so a target weight acting on an input that can be
negative is realised on two branches, σ(x) and σ(-x) (w·x = w·σ(x) - w·σ(-x)).  Only the first layer's
input can be negative (every later layer reads ReLU outputs), and only when the inputs are not declared
nonnegative.  bounds/ (propagation, theorem rows), construct/ (G's blocks, the certificate) and proofs/
all ask this module.

>>> layer_branches(3, inputs_nonnegative=False)
(2, 1, 1)
>>> layer_branches(3, inputs_nonnegative=True)
(1, 1, 1)
"""

from __future__ import annotations

__all__ = ["branches", "layer_branches"]


def branches(layer: int, *, inputs_nonnegative: bool) -> int:
    """Branches of target layer ``layer`` (0-based): 2 for the first layer on signed inputs, else 1."""
    return 2 if (layer == 0 and not inputs_nonnegative) else 1


def layer_branches(layers: int, *, inputs_nonnegative: bool) -> tuple[int, ...]:
    """The branches of every layer of an ``layers``-layer target, in order."""
    return tuple(branches(i, inputs_nonnegative=inputs_nonnegative) for i in range(layers))
