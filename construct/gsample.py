"""The random network G, regenerable block by block from its seed (G is never materialised or stored).

G has 2l layers.  For target layer i (0-based), G's layer t = 2i is the intermediate layer and t + 1 is
aligned with the target's layer i; the intermediate neurons are grouped in blocks, one per input neuron
j of the target layer, laid out by the pooling (:mod:`~logprune.construct.pooling`).

The keepable weights of block j are drawn from ``SeedSequence(seed, spawn_key=(t, j, 0))`` (in-weights)
and ``SeedSequence(seed, spawn_key=(t + 1, j, 0))`` (out-weights), neuron-major, always at the plan's
block size P (build and verify draw the same P; adaptive blocks use prefixes of that one draw, so they
are nested).  Across two different P the draws are prefixes of each other only for laws that draw
element by element: the uniform law, the out-weights of fixed magnitude (one sign draw each), and the
hyperbolic in-weights with designed signs; the hyperbolic law with fair signs draws every magnitude,
then every sign, so a block of P is not the first P neurons of a block
of 2P, and success is not monotone in P across plans (it is within one plan's prefixes); every
other weight of G (never kept: an in-weight from another input, an out-weight of a per-weight neuron
towards another output) has its own stream ``(t, j, 1 + column)`` and is never drawn.  So any block
can be regenerated on its own, in any process, which is what the parallel build and ``verify`` do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logprune.choices import Signs
from logprune.construct.pooling import PoolGeometry

__all__ = ["balanced_out_signs", "block_rng", "block_weights", "designed_signs"]


def block_rng(seed: int, t: int, block: int, part: int = 0) -> np.random.Generator:
    """The generator of one block of G (see module doc for the spawn keys)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(t, block, part))))


def designed_signs(size: int, branches: int) -> np.ndarray:
    """The in-weight signs of a block's neurons 0..size-1 under ``signs=designed``: all + for a layer with
    one branch (inputs >= 0), alternating +, - for two (every prefix of the block splits evenly)."""
    if branches == 1:
        return np.ones(size)
    return np.where(np.arange(size) % 2 == 0, 1.0, -1.0)


def balanced_out_signs(size: int, branches: int) -> np.ndarray:
    """The out-weight signs of a block's neurons 0..size-1 under ``signs=balanced``: +, - alternating
    among the neurons of each branch (neuron p is in branch p mod ``branches``: designed in-weights), so
    every prefix of every branch's neurons has as many + as - out-weights, to one."""
    return np.where((np.arange(size) // branches) % 2 == 0, 1.0, -1.0)


def block_weights(
    *,
    seed: int,
    law: Any,
    layer: int,
    block: int,
    n_out: int,
    size: int,
    pool: PoolGeometry,
    signs: Signs = Signs.IID,
    branches: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Keepable weights of block ``block`` of target layer ``layer``: (a, b) with b of shape (n_out, P)
    and a of shape (P,) (shared) or (n_out, P) (per-weight); ``law`` has ``sample_in(rng, shape)`` and
    ``sample_out(rng, shape)`` (the separate supports draw in- and out-weights from different laws).
    ``signs=designed``: the in-weights keep their drawn magnitudes and take the designed signs
    (:func:`designed_signs`, ``branches`` of the layer); the out-weights keep their fair signs.
    ``signs=balanced``: designed in-weights, and the out-weights keep their drawn magnitudes and take the
    signs of :func:`balanced_out_signs`."""
    t = 2 * layer
    # drawn neuron-major, (P, ...) then transposed: a prefix of this draw is a smaller block of the same
    # draw (what adaptive blocks use); across draws of other sizes see the module doc
    a = law.sample_in(block_rng(seed, t, block), pool.in_shape(size, n_out))
    if signs is not Signs.IID:  # the same draws (magnitudes and the stream's state), other signs
        pattern = designed_signs(size, branches)
        a = np.abs(a) * (pattern if a.ndim == 1 else pattern[:, None])
    b = np.ascontiguousarray(law.sample_out(block_rng(seed, t + 1, block), (size, n_out)).T)  # row-major for speed
    if signs is Signs.BALANCED:
        b = np.abs(b) * balanced_out_signs(size, branches)[None, :]
    return (a if a.ndim == 1 else np.ascontiguousarray(a.T)), b
