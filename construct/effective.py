"""Ĝ's effective weights and their errors, computed once for ``construct`` and ``verify`` alike.

Target layer i is realised by G's layers 2i and 2i+1: an intermediate neuron u keeps one in-weight a
from input j and out-weights b towards outputs o, so (o, j) receives a·b on the branch of a's sign
(a > 0: σ(x_j); a < 0: σ(-x_j), docs/claims.md, propagation).  The effective weight of (o, j) on a branch
is the sum of its products, and its error e = sum - w_(o,j) (for the σ(-x) branch this is minus the error
of the coefficient -w, the same magnitude).  Products of float64 weights are exact rationals, so in the
exact context every e is exact.

Per column j (one block of G) only sufficient statistics of the errors are kept
(:class:`ColumnErrors`), as exact rational upper bounds: what the certificate needs (sums of squares and
of magnitudes per row, magnitudes per column, the largest magnitude) and the count within eps_w.  They
add up over columns in any order (:class:`LayerErrors`), so blocks may be computed in any process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.choices import Arithmetic
from logprune.construct.numeric import Context, as_fraction, rational

__all__ = ["ColumnErrors", "LayerErrors", "column_errors"]


@dataclass(frozen=True)
class ColumnErrors:
    """Error statistics of column j of one target layer (exact rationals, upper bounds)."""

    sq: tuple[Any, ...]  # per output o: sum over branches of e^2
    abs: tuple[Any, ...]  # per output o: sum over branches of |e|
    col_abs: tuple[Any, ...]  # per branch: sum over outputs of |e|
    max_abs: Any
    within: int  # errors with |e| <= eps_w (exact comparison of the upper bound)
    count: int


def column_errors(
    ctx: Context,
    *,
    w: np.ndarray,
    branches: int,
    o: np.ndarray,
    branch: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    eps_w: Fraction,
) -> ColumnErrors:
    """The errors of column w (n_out target weights) given every kept product a[t]·b[t] of the column,
    each serving output o[t] on branch ``branch[t]`` (module doc)."""
    n_out = w.shape[0]
    sums: list[dict[int, Any]] = [{} for _ in range(branches)]
    with ctx.scope():
        for oo, br, av, bv in zip(o.tolist(), branch.tolist(), a.tolist(), b.tolist(), strict=True):
            prod = ctx.num(av) * ctx.num(bv)
            d = sums[br]
            d[oo] = d[oo] + prod if oo in d else prod
        zero = rational(0)
        sq = [zero] * n_out
        ab = [zero] * n_out
        col: list[Any] = []
        top = zero
        within = 0
        eps_q = rational(eps_w)
        exact = ctx.kind is Arithmetic.EXACT
        for br in range(branches):
            d = sums[br]
            c = zero
            for oo in range(n_out):
                wv = ctx.num(float(w[oo]))
                s = d.get(oo)
                e = s - wv if s is not None else -wv
                if e == 0:
                    within += 1
                    continue
                if exact:
                    ae, se = abs(e), e * e
                else:  # a rigorous rational upper bound leaves the context (ball: the upper end)
                    ae, se = rational(ctx.upper(abs(e))), rational(ctx.upper(e * e))
                sq[oo] = sq[oo] + se
                ab[oo] = ab[oo] + ae
                c = c + ae
                if ae > top:
                    top = ae
                if ae <= eps_q:
                    within += 1
            col.append(c)
    return ColumnErrors(tuple(sq), tuple(ab), tuple(col), top, within, branches * n_out)


@dataclass
class LayerErrors:
    """The statistics of a whole target layer, accumulated column by column (any order)."""

    n_out: int
    fro_sq: Any = field(default_factory=lambda: rational(0))
    row_sq: list[Any] = field(default_factory=list)
    row_abs: list[Any] = field(default_factory=list)
    col_abs: list[Any] = field(default_factory=list)
    max_abs: Any = field(default_factory=lambda: rational(0))
    within: int = 0
    count: int = 0

    def __post_init__(self) -> None:
        if not self.row_sq:
            self.row_sq = [rational(0)] * self.n_out
            self.row_abs = [rational(0)] * self.n_out

    def add(self, c: ColumnErrors) -> None:
        for oo in range(self.n_out):
            self.row_sq[oo] += c.sq[oo]
            self.row_abs[oo] += c.abs[oo]
            self.fro_sq += c.sq[oo]
        self.col_abs.extend(c.col_abs)
        if c.max_abs > self.max_abs:
            self.max_abs = c.max_abs
        self.within += c.within
        self.count += c.count

    def merge(self, other: LayerErrors) -> None:
        """Fold in the statistics of other columns of the same layer (computed elsewhere)."""
        for oo in range(self.n_out):
            self.row_sq[oo] += other.row_sq[oo]
            self.row_abs[oo] += other.row_abs[oo]
        self.fro_sq += other.fro_sq
        self.col_abs.extend(other.col_abs)
        if other.max_abs > self.max_abs:
            self.max_abs = other.max_abs
        self.within += other.within
        self.count += other.count

    def bounds(self) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """(||E||_F^2, max column l1 norm, max row l1 norm, max row l2 norm squared) as Fractions."""
        return (
            as_fraction(self.fro_sq),
            as_fraction(max(self.col_abs, default=rational(0))),
            as_fraction(max(self.row_abs, default=rational(0))),
            as_fraction(max(self.row_sq, default=rational(0))),
        )
