"""The a-posteriori mode's model of the certificate: which k, or which k per target layer, to build next
(docs/claims.md, certificate: "build coarse, certify exactly, refine only where the certificate needs it").

The model is a guess, never a certificate: every vector of k it proposes is built and certified
exactly by :func:`~logprune.construct.a_posteriori.construct_a_posteriori`, which keeps the cheapest Ĝ whose
certificate meets eps.  It rests on three observations of the builds:

- Target layer i's error matrix E_i depends only on that layer's k (its blocks of G are drawn and
  pruned with the layer's own law, k and eps_w = s·φ^-k), and its spectral norm scales like eps_w:
  Delta_i(k) ≈ Delta_i(k_0)·φ^(k_0 - k).  Measured on fc2: golden's Delta_1 grows by 1.61-1.63 a step
  from k = 23 down to 20; subset-sum's certificate (nearest pruner) by 1.53-1.64 a step.
- The certificate is at most the telescoped bound x_max·[prod(a_i + Delta_i) - prod(a_i)]
  (docs/claims.md, certificate; the inf norm's is of the same shape): the model predicts that formula
  at its Delta_i, scaled by the certificate's ratio to the formula at the last build (the composed
  bound's gain, or the inf norm's; 1 before any build).
- A probe (a few blocks per layer, float arithmetic) estimates Delta_i before any build:
  ||E_i||_2 ≈ ||E_S||_2·sqrt(n/|S|) for the columns S probed (exact for a low-rank E; on fc2 within
  5 % for golden, 2-3× above for subset-sum's nearly independent errors).  Estimates are used only
  until the layer's first build measures Delta_i exactly.

Layer i's sampled weights of G grow about linearly in its k (every method's block grows about linearly
in log(1/eps_w)); the slope is the last build's (or the probe's) sampled weights of the layer over its
k, so the pooling's geometry, the signs and adaptive blocks are in it.  :func:`propose` returns the
cheapest vector, in the box [c - DOWN, c + UP] of each layer's k around the least uniform k c predicted
to certify (uniform vectors only above MAX_LAYERS layers), whose predicted certificate is below
(1 - MARGIN)·eps and which is cheaper than the best Ĝ so far (a vector of unequal k by at least
MIN_GAIN).  On fc2 the 500×784 layer carries 98.7 % of the weights and about 91 % of the certificate:
per-layer k save little there (golden keeps (23, 22) from the first proposal; subset-sum, whose second
layer's errors weigh more, certifies (18, 20) where a uniform 18 fails).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from logprune.search import least_true

__all__ = ["DOWN", "MARGIN", "MIN_GAIN", "UP", "LayerModel", "propose"]

PHI = (1 + math.sqrt(5)) / 2
DOWN, UP = 3, 4  # the box of k searched per layer, around the least uniform k predicted to certify
# a vector is proposed if its predicted certificate is below (1 - MARGIN)·eps; 0: a build that fails
# teaches the model exact deltas (on the small targets of benchmarks/certificate.py a margin of 0.05
# stopped the search one k above the vectors that certify)
MARGIN = 0.0
MIN_GAIN = 0.02  # a vector of unequal k must save this share of the best cost so far (a build costs time)
MAX_LAYERS = 6  # the box is searched exhaustively: (DOWN + UP + 1)^layers vectors
MAX_K = 3_000  # the least uniform k is looked for up to here (the options' limit on k)


@dataclass
class LayerModel:
    """What the probe estimated and the builds measured: per layer, Delta_i at the k seen and the sampled
    weights of G per segment, and the certificate's ratio to the model's formula."""

    norms: tuple[float, ...]  # a_i >= ||W_i||_2
    x_max: float
    gain: float = 1.0  # certificate / formula() at the last build (module doc)
    exact: list[dict[int, float]] = field(init=False)  # Delta_i measured by a build, by k
    estimated: list[dict[int, float]] = field(init=False)  # Delta_i estimated by the probe, by k
    unit: list[float] = field(init=False)  # sampled weights of G of layer i per segment (sampled_i / k_i)

    def __post_init__(self) -> None:
        self.exact = [{} for _ in self.norms]
        self.estimated = [{} for _ in self.norms]
        self.unit = [1.0 for _ in self.norms]

    def estimate(self, k: int, deltas: Sequence[float], sampled: Sequence[float]) -> None:
        """The probe's estimates at k: every layer's Delta and sampled weights of G."""
        for i, (d, n) in enumerate(zip(deltas, sampled, strict=True)):
            self.estimated[i][k] = float(d)
            self.unit[i] = n / k

    def record(self, ks: Sequence[int], deltas: Sequence[Fraction], sampled: Sequence[int], bound: Fraction) -> None:
        """A built vector: its layers' Delta_i and sampled weights, and the certificate it got."""
        for i, (k, d, n) in enumerate(zip(ks, deltas, sampled, strict=True)):
            self.exact[i][k] = float(d)
            self.unit[i] = n / k
        raw = self.formula(ks)
        if raw > 0:
            self.gain = float(bound) / raw

    def delta(self, i: int, k: int) -> float:
        """Delta_i at k: measured, else scaled by φ from the nearest k measured (module doc; the larger of
        two equally near)."""
        seen = self.exact[i] or self.estimated[i]
        if k in seen:
            return seen[k]
        near = min(seen, key=lambda m: (abs(m - k), -seen[m] * PHI ** (m - k)))
        return seen[near] * PHI ** (near - k)

    def formula(self, ks: Sequence[int]) -> float:
        """x_max·[prod(a_i + Delta_i) - prod(a_i)] at the model's Delta_i, summed as
        x_max·sum_i prod_(j<i)(a_j + Delta_j)·Delta_i·prod_(j>i) a_j (no cancellation when Delta_i << a_i)."""
        deltas = [self.delta(i, k) for i, k in enumerate(ks)]
        total = 0.0
        for i, d in enumerate(deltas):
            before = math.prod(a + e for a, e in zip(self.norms[:i], deltas[:i], strict=True))
            total += before * d * math.prod(self.norms[i + 1 :])
        return self.x_max * total

    def predict(self, ks: Sequence[int]) -> float:
        """The certificate predicted at a vector of k: the formula, scaled by the last build's ratio (for
        either norm: the ratio calibrates the formula's shape to the certificate actually computed)."""
        return self.gain * self.formula(ks)

    def cost(self, ks: Sequence[int]) -> float:
        """Sampled weights of G predicted at a vector of k: linear in each layer's k, with the slope of the
        last build (or the probe) of that layer (module doc)."""
        return sum(u * k for u, k in zip(self.unit, ks, strict=True))

    def least_uniform(self, eps: float) -> int | None:
        """The least k predicted to certify with the margin when every layer has it (the prediction
        decreases in k), None below MAX_K."""
        layers = len(self.norms)
        return least_true(lambda k: self.predict((k,) * layers) <= (1 - MARGIN) * eps, cap=MAX_K, start=1)


def propose(
    model: LayerModel, *, eps: float, tried: set[tuple[int, ...]], best: tuple[int, ...] | None
) -> tuple[int, ...] | None:
    """The cheapest vector of k not yet tried, in the box around the least uniform k predicted to
    certify, whose predicted certificate is below (1 - MARGIN)·eps and which is cheaper than ``best``
    (the vector of the best Ĝ so far; unequal k must save MIN_GAIN of its cost); None if there is none.
    Targets of more than MAX_LAYERS layers get uniform vectors only.

    >>> m = LayerModel((1.0, 1.0), 1.0)
    >>> m.record((10, 10), (Fraction(1, 100), Fraction(1, 100)), (10000, 100), Fraction(2, 100))
    >>> propose(m, eps=0.03, tried={(10, 10)}, best=(10, 10))  # the wide layer coarser, the narrow one finer
    (8, 12)
    >>> propose(m, eps=0.03, tried={(10, 10), (8, 12)}, best=(8, 12)) is None
    True
    """
    layers = len(model.norms)
    centre = model.least_uniform(eps)
    if centre is None:
        return None
    top = math.inf if best is None else model.cost(best)
    if layers == 1 or layers > MAX_LAYERS:
        candidates: Sequence[tuple[int, ...]] = [(k,) * layers for k in range(max(1, centre - DOWN), centre + UP + 1)]
    else:
        candidates = list(itertools.product(range(max(1, centre - DOWN), centre + UP + 1), repeat=layers))
    choice: tuple[int, ...] | None = None
    key: tuple[float, float] | None = None
    for ks in candidates:
        if ks in tried:
            continue
        cost = model.cost(ks)
        limit = top if len(set(ks)) == 1 else top * (1 - MIN_GAIN)
        if cost >= limit or (key is not None and cost > key[0]):
            continue
        pred = model.predict(ks)
        if pred > (1 - MARGIN) * eps:
            continue
        if key is None or (cost, pred) < key:
            choice, key = ks, (cost, pred)
    return choice
