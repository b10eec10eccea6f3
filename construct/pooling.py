"""How G's intermediate neurons are pooled: the geometry of a block (docs/claims.md, pooling-A, pooling-B).

For target layer i with n_in inputs and n_out outputs, G's intermediate layer is cut into one block per
input neuron j, each block of P neurons per pool:

- :class:`SharedPool` (B, the default, proven): block j holds P neurons u = j·P + p; neuron p keeps
  the in-weight a[p] from input j and may keep out-weights b[o, p] towards every output o (the block is
  shared by the outputs).  Sampled (keepable) weights: P·(1 + n_out) per block.
- :class:`PerWeightPool` (A): block j holds n_out·P neurons u = (j·n_out + o)·P + p, the dedicated pool of
  target weight (o, j); neuron u keeps a[o, p] and only b[o, p] towards its own output o.  Sampled weights:
  2·n_out·P per block.

This module is the only place that knows these index maps: the build loop, the Ĝ file, ``verify`` and
the sampled-weight counts all ask the geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logprune.choices import Pooling

__all__ = ["PerWeightPool", "PoolGeometry", "SharedPool", "geometry"]


@dataclass(frozen=True)
class PoolGeometry:
    """The index maps of one pooling (subclasses below)."""

    kind: Pooling

    def in_shape(self, size: int, n_out: int) -> tuple[int, ...]:
        """Shape of a block's keepable in-weights as drawn (neuron-major, so blocks are nested in P)."""
        raise NotImplementedError

    def width(self, n_in: int, n_out: int, size: int) -> int:
        """Neurons of G's intermediate layer for a target layer n_in -> n_out with blocks of P = size."""
        raise NotImplementedError

    def in_view(self, a: np.ndarray, n_out: int) -> np.ndarray:
        """A block's in-weights as an (n_out, P) array: the in-weight that output o's neuron p carries."""
        raise NotImplementedError

    def neuron(self, block: int, o: np.ndarray, p: np.ndarray, n_out: int, size: int) -> np.ndarray:
        """G's index u of the neuron p of ``block`` serving output o."""
        raise NotImplementedError

    def block_of(self, u: np.ndarray, n_out: int, size: int) -> np.ndarray:
        """The block (input neuron j) of intermediate neurons u."""
        raise NotImplementedError

    def position(self, u: np.ndarray, n_out: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(o, p): the output a neuron is dedicated to (-1 when shared) and its place p in its pool."""
        raise NotImplementedError

    def sampled_per_block(self, n_out: int, size: int) -> int:
        """G's keepable (sampled) weights in one block: what the construction looks at."""
        raise NotImplementedError

    def sampled_per_target_weight(self, widths: Sequence[int], size: int) -> float:
        """Sampled weights of G per target weight over a whole target (widths n_0..n_l)."""
        total = sum(widths[i] * self.sampled_per_block(widths[i + 1], size) for i in range(len(widths) - 1))
        weights = sum(widths[i] * widths[i + 1] for i in range(len(widths) - 1))
        return total / weights


@dataclass(frozen=True)
class SharedPool(PoolGeometry):
    kind: Pooling = Pooling.SHARED

    def in_shape(self, size: int, n_out: int) -> tuple[int, ...]:
        return (size,)

    def width(self, n_in: int, n_out: int, size: int) -> int:
        return n_in * size

    def in_view(self, a: np.ndarray, n_out: int) -> np.ndarray:
        return np.broadcast_to(a[None, :], (n_out, a.shape[0]))  # one neuron, one in-weight, every output

    def neuron(self, block: int, o: np.ndarray, p: np.ndarray, n_out: int, size: int) -> np.ndarray:
        return block * size + np.asarray(p, dtype=np.int64)

    def block_of(self, u: np.ndarray, n_out: int, size: int) -> np.ndarray:
        return np.asarray(u, dtype=np.int64) // size

    def position(self, u: np.ndarray, n_out: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        uu = np.asarray(u, dtype=np.int64)
        return np.full(uu.shape, -1, dtype=np.int64), uu % size

    def sampled_per_block(self, n_out: int, size: int) -> int:
        return size * (1 + n_out)


@dataclass(frozen=True)
class PerWeightPool(PoolGeometry):
    kind: Pooling = Pooling.PER_WEIGHT

    def in_shape(self, size: int, n_out: int) -> tuple[int, ...]:
        return (size, n_out)

    def width(self, n_in: int, n_out: int, size: int) -> int:
        return n_in * n_out * size

    def in_view(self, a: np.ndarray, n_out: int) -> np.ndarray:
        return a  # already (n_out, P): output o's own pool

    def neuron(self, block: int, o: np.ndarray, p: np.ndarray, n_out: int, size: int) -> np.ndarray:
        return (block * n_out + np.asarray(o, dtype=np.int64)) * size + np.asarray(p, dtype=np.int64)

    def block_of(self, u: np.ndarray, n_out: int, size: int) -> np.ndarray:
        return np.asarray(u, dtype=np.int64) // (n_out * size)

    def position(self, u: np.ndarray, n_out: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        uu = np.asarray(u, dtype=np.int64)
        return (uu // size) % n_out, uu % size

    def sampled_per_block(self, n_out: int, size: int) -> int:
        return 2 * n_out * size


def geometry(kind: Pooling) -> PoolGeometry:
    """The geometry of a pooling."""
    return SharedPool() if kind is Pooling.SHARED else PerWeightPool()
