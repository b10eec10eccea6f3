"""The domain a statement is about: the inputs {x : ||x||_2 <= x_max, x >= 0 where declared} and the norm the
output error ||Ĝ(x) - F(x)|| is measured in (docs/claims.md, propagation, certificate).

A :class:`Domain` travels as one value from the request (the options of a construction) to everything that
depends on it: the branch rule, the certificate and its text, the measurement of the error and the attack.

The branch rule (:meth:`Domain.branches`, :func:`layer_branches`).  A ReLU network only passes nonnegative
values, so a target weight acting on an input that can be negative is realised on two branches, σ(x) and
σ(-x) (w·x = w·σ(x) - w·σ(-x)).  Only the first layer's input can be negative (every later layer reads
ReLU outputs), and only when the inputs are not declared nonnegative.  bounds/ (propagation, table rows),
construct/ (G's blocks, the certificate) and proofs/ all ask this module.

>>> d = Domain(x_max=Fraction(28), nonnegative=True)
>>> str(d), d.branches(3)
('||x||_2 <= 28, x >= 0', (1, 1, 1))
>>> layer_branches(3, inputs_nonnegative=False)
(2, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from logprune.choices import Norm

__all__ = ["Domain", "branches", "layer_branches"]


@dataclass(frozen=True, kw_only=True)
class Domain:
    """The inputs {||x||_2 <= x_max} (and x >= 0 when ``nonnegative``) and the output norm (module doc)."""

    x_max: Fraction
    nonnegative: bool = False
    norm: Norm = Norm.L2

    def branches(self, layers: int) -> tuple[int, ...]:
        """The branches of every layer of an ``layers``-layer target on this domain (the branch rule)."""
        return layer_branches(layers, inputs_nonnegative=self.nonnegative)

    def __str__(self) -> str:
        """The inputs, as a certificate states them (the norm of the error is stated beside it)."""
        return f"||x||_2 <= {self.x_max}" + (", x >= 0" if self.nonnegative else "")


def branches(layer: int, *, inputs_nonnegative: bool) -> int:
    """Branches of target layer ``layer`` (0-based): 2 for the first layer on signed inputs, else 1."""
    return 2 if (layer == 0 and not inputs_nonnegative) else 1


def layer_branches(layers: int, *, inputs_nonnegative: bool) -> tuple[int, ...]:
    """The branches of every layer of an ``layers``-layer target, in order."""
    return tuple(branches(i, inputs_nonnegative=inputs_nonnegative) for i in range(layers))
