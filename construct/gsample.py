"""The random network G, regenerable block by block from its seed (G is never materialised or stored).

G has 2l layers.  For target layer i (0-based) with n_in inputs and n_out outputs, G's layer t = 2i is the
intermediate layer and t + 1 = 2i + 1 is aligned with the target's layer.  Its intermediate neurons are
grouped in blocks, one block per input neuron j of the target layer:

- pooling ``shared`` (B): block j holds P neurons u = j·P + p.  The weights of G that pruning can keep
  are the in-weights a[p] = G_t[u, j] and the out-weights b[o, p] = G_(t+1)[o, u];
- pooling ``per-weight`` (A): block j holds n_out·P neurons u = (j·n_out + o)·P + p, the P neurons of
  target weight (o, j); keepable weights a[o, p] = G_t[u, j] and b[o, p] = G_(t+1)[o, u].

The keepable weights of block j are drawn from ``SeedSequence(seed, spawn_key=(t, j, 0))`` (in-weights)
and ``SeedSequence(seed, spawn_key=(t + 1, j, 0))`` (out-weights), neuron by neuron (neuron p's weights
come after those of neurons 0..p-1, so a block of P neurons is a prefix of any larger block); every
other weight of G (never kept: an in-weight from another input, an out-weight of a
per-weight neuron towards another output) has its own stream ``(t, j, 1 + column)`` and is never drawn.
So any block can be regenerated on its own, which is what ``verify`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from logprune.bounds import hyperbolic
from logprune.bounds.certified import enclose
from logprune.errors import ParameterError

__all__ = ["Law", "block_rng", "block_weights", "hyperbolic_law", "uniform_law"]


@dataclass(frozen=True)
class Law:
    """Weight law of G: ``hyperbolic`` (|w| log-uniform on [alpha, beta], fair sign) or ``uniform`` on
    [-beta, beta] (alpha = 0).  ``exact`` keeps the exact forms of the support for the record."""

    dist: str
    alpha: float
    beta: float
    exact: dict[str, str]

    def draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        if self.dist == "hyperbolic":
            mag = np.exp(rng.uniform(math.log(self.alpha), math.log(self.beta), size=shape))
            sign = rng.integers(0, 2, size=shape, dtype=np.int8) * 2 - 1
            return mag * sign
        return rng.uniform(-self.beta, self.beta, size=shape)

    def as_json(self) -> dict[str, Any]:
        return {"dist": self.dist, "alpha": self.alpha, "beta": self.beta, "exact": self.exact}


def _float(expr: sp.Expr) -> float:
    return float(enclose(expr, digits=20).decimal)


def hyperbolic_law(*, k_segments: int, scale: float) -> Law:
    """The support of bounds.hyperbolic.optimal_support (maximal coverage of the k segments), at the
    target's scale w_max (ReLU homogeneity: both factors share one law)."""
    sup = hyperbolic.optimal_support(k_segments=max(k_segments, 1), scale=sp.Rational(scale))
    return Law(
        "hyperbolic", _float(sup.alpha), _float(sup.beta), {"alpha": sp.sstr(sup.alpha), "beta": sp.sstr(sup.beta)}
    )


def uniform_law(*, scale: float) -> Law:
    """U[-beta, beta] with beta^2 = scale/phi: the product range reaches the top segment (bounds.uniform)."""
    b = sp.sqrt(sp.Rational(scale) / sp.GoldenRatio)
    return Law("uniform", 0.0, _float(b), {"beta": sp.sstr(b)})


def law_from_json(doc: dict[str, Any]) -> Law:
    if doc.get("dist") not in {"hyperbolic", "uniform"}:
        raise ParameterError(f"dist={doc.get('dist')}: expected hyperbolic or uniform")
    return Law(str(doc["dist"]), float(doc["alpha"]), float(doc["beta"]), dict(doc.get("exact", {})))


def block_rng(seed: int, t: int, block: int, part: int = 0) -> np.random.Generator:
    """The generator of one block of G (see module doc for the spawn keys)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(t, block, part))))


def block_weights(
    *, seed: int, law: Law, layer: int, block: int, n_out: int, size: int, pool: str
) -> tuple[np.ndarray, np.ndarray]:
    """Keepable weights of block ``block`` of target layer ``layer``: (a, b) with b of shape (n_out, P)
    and a of shape (P,) (shared) or (n_out, P) (per-weight)."""
    t = 2 * layer
    # drawn neuron-major, (P, ...) then transposed: a block of size P is the first P neurons of any larger
    # block, so G grows by adding neurons (success in P is then monotone for every method)
    a = law.draw(block_rng(seed, t, block), (size,) if pool == "shared" else (size, n_out))
    b = np.ascontiguousarray(law.draw(block_rng(seed, t + 1, block), (size, n_out)).T)  # row-major for speed
    return (a if pool == "shared" else np.ascontiguousarray(a.T)), b
