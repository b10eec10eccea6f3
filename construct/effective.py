"""Ĝ's effective weights and their errors, computed once for ``construct`` and ``verify`` alike.

Target layer i is realised by G's layers 2i and 2i+1: an intermediate neuron u keeps one in-weight a
from input j and out-weights b towards outputs o, so (o, j) receives a·b on the branch of a's sign
(a > 0: σ(x_j); a < 0: σ(-x_j), docs/claims.md, propagation; a = 0 contributes nothing).  The effective
weight of (o, j) on a branch is the sum of its products, and its error e = sum - w_(o,j) (for the σ(-x)
branch this is minus the error of the coefficient -w: the same magnitude).  Products of float64 weights
are exact rationals, so in the exact context every e is exact.

:func:`edge_products` turns kept edges into products; :func:`column_errors` turns the products of one
column j into error statistics.  The build applies both to the edges it writes, ``verify`` to the edges
it reads: one computation.  Only sufficient statistics of the errors are kept (:class:`ErrorStats`), as
exact rational upper bounds: what the certificate needs (sums of squares and of magnitudes per row,
magnitudes per column, the largest magnitude) and the count within eps_w, plus the float64 roundings of
the errors themselves, one array per (column, branch), with a rigorous bound of the rounding (the tight
spectral norm of the certificate needs the matrix, docs/claims.md, certificate).  They merge over
columns in any order, so blocks may be computed in any process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from logprune.choices import Arithmetic
from logprune.construct.numeric import Context, as_fraction, rational

__all__ = ["ErrorBounds", "ErrorStats", "Products", "column_errors", "edge_products"]


class Products(NamedTuple):
    """Kept products a[t]·b[t], each serving output o[t] from input j[t] on branch ``branch[t]``."""

    o: np.ndarray
    j: np.ndarray
    branch: np.ndarray
    a: np.ndarray
    b: np.ndarray


def edge_products(
    *,
    in_u: np.ndarray,
    in_j: np.ndarray,
    in_a: np.ndarray,
    out_o: np.ndarray,
    out_u: np.ndarray,
    out_b: np.ndarray,
    width: int,
    branches: int,
) -> Products:
    """The products of one target layer's kept edges: in-edges (u <- j, a) of G's layer 2i and out-edges
    (o <- u, b) of layer 2i+1, u < ``width``; each u keeps at most one in-edge (checked by the caller).
    An out-edge of a neuron with no in-edge carries σ(0) = 0; a branch the layer does not have (a < 0 on
    nonnegative inputs: σ(a·x) = 0) contributes nothing."""
    in_of = np.full(width, -1, dtype=np.int64)
    in_of[in_u] = np.arange(in_u.size)
    e = in_of[out_u]
    has = e >= 0
    o, b, e = out_o[has], out_b[has], e[has]
    a, j = in_a[e], in_j[e]
    br = np.where(a > 0, 0, np.where(a < 0, 1, -1))
    live = (br >= 0) & (br < branches)
    return Products(o[live], j[live], br[live].astype(np.int64), a[live], b[live])


class ErrorBounds(NamedTuple):
    """What the certificate needs of a layer's error matrix E = [E_branch0, E_branch1, ...]."""

    fro_sq: Fraction  # ||E||_F^2
    max_col_l1: Fraction  # ||E||_1
    max_row_l1: Fraction  # ||E||_inf
    max_row_sq: Fraction  # (max row l2 norm)^2
    rounded: np.ndarray  # fl(E): the float64 roundings of the errors, columns in any order
    rounding_sq: Fraction  # >= ||E - fl(E)||_F^2


@dataclass(kw_only=True)
class ErrorStats:
    """Error statistics of some columns of one target layer (exact rationals, upper bounds)."""

    n_out: int
    row_sq: list[Any] = field(default_factory=list)  # per output o: sum of e^2
    row_abs: list[Any] = field(default_factory=list)  # per output o: sum of |e|
    col_abs: list[Any] = field(default_factory=list)  # per (column, branch): sum over outputs of |e|
    max_abs: Any = field(default_factory=lambda: rational(0))
    within: int = 0  # errors with |e| <= eps_w (exact comparison of the upper bound)
    count: int = 0
    columns: list[np.ndarray] = field(default_factory=list)  # fl(e) per (column, branch), as col_abs
    rounding_sq: Any = field(default_factory=lambda: rational(0))  # ball context: sum of |e - fl(e)|^2 bounds

    def __post_init__(self) -> None:
        if not self.row_sq:
            self.row_sq = [rational(0)] * self.n_out
            self.row_abs = [rational(0)] * self.n_out

    def merge(self, other: ErrorStats) -> None:
        """Fold in the statistics of other columns of the same layer (computed anywhere)."""
        for oo in range(self.n_out):
            self.row_sq[oo] += other.row_sq[oo]
            self.row_abs[oo] += other.row_abs[oo]
        self.col_abs.extend(other.col_abs)
        self.columns.extend(other.columns)
        self.rounding_sq += other.rounding_sq
        if other.max_abs > self.max_abs:
            self.max_abs = other.max_abs
        self.within += other.within
        self.count += other.count

    def bounds(self) -> ErrorBounds:
        """The statistics as exact rationals.  The rounding of fl(E): |e - fl(e)| <= 2^-52·|e| + 2^-1074
        for any float64 conversion of an exact e (nearest or truncated), so ||E - fl(E)||_F^2 <=
        2^-103·||E||_F^2 + 2·count·2^-2148 (with (a + b)^2 <= 2a^2 + 2b^2); in the ball context the
        per-entry bounds were summed as the columns were rounded, and are added."""
        zero = rational(0)
        fro_sq = as_fraction(sum(self.row_sq, zero))
        rounding = fro_sq / 2**103 + Fraction(2 * self.count, 2**2148) + as_fraction(self.rounding_sq)
        rounded = np.stack(self.columns, axis=1) if self.columns else np.zeros((self.n_out, 0))
        return ErrorBounds(
            fro_sq,
            as_fraction(max(self.col_abs, default=zero)),
            as_fraction(max(self.row_abs, default=zero)),
            as_fraction(max(self.row_sq, default=zero)),
            rounded,
            rounding,
        )


def column_errors(
    ctx: Context,
    *,
    w: np.ndarray,
    branches: int,
    products: Products,
    eps_w: Fraction,
    into: ErrorStats | None = None,
) -> ErrorStats:
    """The error statistics of column w (n_out target weights) from every kept product of the column,
    added to ``into`` when given (the statistics of the other columns of a run of blocks: folding in
    place saves a merge per column), else to fresh statistics; returns them."""
    n_out = w.shape[0]
    sums: list[dict[int, Any]] = [{} for _ in range(branches)]
    stats = ErrorStats(n_out=n_out) if into is None else into
    assert stats.n_out == n_out, "statistics of another layer"
    stats.count += branches * n_out
    exact = ctx.kind is Arithmetic.EXACT
    ball = ctx.kind is Arithmetic.BALL
    rounding_sq = stats.rounding_sq
    eps_q = rational(eps_w)
    num, upper = ctx.num, ctx.upper  # the loops below run once per target weight: no attribute look-ups
    row_sq, row_abs = stats.row_sq, stats.row_abs
    top, within = stats.max_abs, 0
    wl = w.tolist()
    with ctx.scope():
        p = products
        for oo, br, av, bv in zip(p.o.tolist(), p.branch.tolist(), p.a.tolist(), p.b.tolist(), strict=True):
            prod = num(av) * num(bv)
            d = sums[br]
            d[oo] = d[oo] + prod if oo in d else prod
        for br in range(branches):
            d = sums[br]
            col = rational(0)
            fcol = np.zeros(n_out)
            for oo, wf in enumerate(wl):
                s = d.get(oo)
                if s is None:
                    if wf == 0.0:  # e = 0 adds nothing to any sum
                        within += 1
                        continue
                    e = -num(wf)
                else:
                    e = s - num(wf)
                if exact:
                    ae, se = abs(e), e * e
                    fcol[oo] = float(e)
                else:  # a rigorous rational upper bound leaves the context (ball: the upper end)
                    ae, se = rational(upper(abs(e))), rational(upper(e * e))
                    f = float(e.mid()) if ball else float(e)
                    fcol[oo] = f
                    if ball:  # |e - f| over the whole ball, rounded up
                        rounding_sq += rational(upper(abs(e - num(f)))) ** 2
                row_sq[oo] += se
                row_abs[oo] += ae
                col += ae
                if ae > top:
                    top = ae
                if ae <= eps_q:
                    within += 1
            stats.col_abs.append(col)
            stats.columns.append(fcol)
    stats.max_abs = top
    stats.rounding_sq = rounding_sq
    stats.within += within
    return stats
