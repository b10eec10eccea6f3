"""A composed certificate: the error of Ĝ bounded layer by layer on cells of the input domain
(docs/claims.md, certificate).

The telescoped bound x_max·[Π(a_i + Δ_i) − Π a_i] pays, for the error E_i of layer i, the norm of every
later layer of F and the norm of Ĝ's hidden vector at its worst, all aligned at once.  Here the same
hybrid argument is kept, Ĝ(x) − F(x) = Σ_i [F_(>i)(u_i) − F_(>i)(v_i)] with u_i = σ(Ŵ_i z_i),
v_i = σ(W_i z_i) and z_i Ĝ's input to layer i, but each term is bounded on a cell C of inputs from
interval boxes of the activations over C:

- boxes: Ĝ's layer inputs z_i (and F's pre-activations from them) are enclosed by rigorous interval
  arithmetic (float64 mid-radius products with the a-priori rounding bound γ_n, outward rounding),
  with layer 1's pre-activations also within the ball's exact range b_k ± x_max·‖w_k‖, and each box is
  intersected with the one of an affine form in x − x_c (x_c the cell's centre): a layer's input is
  A·(x − x_c) + s with s in an interval vector, W maps it to fl(W A)·(x − x_c) + s' with the rounding of
  fl(W A) moved into s' (:func:`affine_product`), σ keeps the form of an active neuron, zeroes a dead one and
  replaces an unstable one by [0, its upper bound]; the boxes of F's later layers (for the statuses
  below) are intersected in the same way, from the form shared by both pre-activations of layer i;
- u_i − v_i = D_i·E_i z_i exactly, D_i diagonal with entries in [0, 1] (difference quotients of σ), and
  an entry is 1 (0) where both pre-activations are ≥ 0 (≤ 0) on the whole box;
- through F's later layers the difference is D_j W_j (·) with D_j of the same kind, stable entries read
  off F's boxes propagated from the hull of u_i and v_i;
- the vector is carried as a centre c (an interval vector) plus an l2 ball of radius ρ: a linear map W
  sends (c, ρ) to (Wc, ‖W‖·ρ); a D with unstable set U sends it to (D°c, ρ + ‖c_U‖/2), where D° has 1/2 on
  U (D = D° + Δ with |Δ| ≤ 1/2 on U, and |D| ≤ 1 keeps the ball's radius); it starts from
  E_i z = fl(E_i)·ẑ + [E_i(z − ẑ) + (E_i − fl(E_i))·ẑ] with ẑ the box centre (or 0), radius
  Δ_i·sup‖z − ẑ‖ + τ_i·‖ẑ‖; alternatively (the smaller is taken, :meth:`Composer._carry_hull`) a D
  sends (c, ρ) to (the interval hull of {D c}, ρ): an unstable entry's interval widened to contain 0;
- the term is ‖c‖ + ρ (l2) or ‖c‖_∞ + ρ (inf: the last layer's ‖W_ℓ‖ is replaced by its largest row
  norm, and the last layer's own error E_ℓ(z − ẑ) is bounded by E_ℓ's largest row norm times ‖z − ẑ‖).

The bound of a cell is the sum of its terms; the certificate is the largest bound over cells that cover
the domain (boxes split in halves along their longest edge, the cell with the largest bound first, boxes
outside the ball dropped and the others shrunk to a box that still holds their part of the ball,
:func:`in_ball`), and never more than the telescoped bound.  Splitting is deterministic (a fixed budget of
cells, not of time), so ``verify`` recomputes the same number; it is used for inputs of at most
:data:`SPLIT_MAX_DIM` coordinates (beyond, halving boxes cannot shrink them in norm).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from logprune.bounds.domain import Domain
from logprune.choices import Norm
from logprune.construct.certificate.rules import (
    TINY,
    abs_max,
    add_up,
    affine_product,
    float_above,
    gamma,
    grid_up,
    in_ball,
    interval_product,
    mul_up,
    next_down,
    next_up,
    norm_up,
    relu_box,
)

__all__ = [
    "BATCH",
    "CELL_BUDGET",
    "SPLIT_MAX_DIM",
    "STALL",
    "CellDomain",
    "Composer",
    "Layer",
    "composed_bound",
    "worst_cells",
]

CELL_BUDGET = 8192  # cells evaluated at most: about 0.5-1 s on 4-input targets with three hidden layers of
# 10, where it brackets the worst input found within 2.9 (2,048 cells: 4.1; 32,768: 2.2 in 2.5 s)
STALL = Fraction(1, 100)  # stop when doubling the cells improved the bound by less than 1 % (plateau)
SPLIT_MAX_DIM = 8  # input coordinates up to which the domain is split into cells
BATCH = 128  # cells split per round (their halves are evaluated as one batch of array operations)


@dataclass(frozen=True, kw_only=True)
class Layer:
    """What the composition needs of target layer i (exact where it says so)."""

    w: np.ndarray  # W_i (float64, exact)
    err: np.ndarray  # fl(E_i), columns (input j, branch) in the order j·branches + branch
    branches: int
    tau: Fraction  # >= ||E_i - fl(E_i)||_F
    a: Fraction  # >= ||W_i||_2
    delta: Fraction  # >= ||E_i||_2
    row_a: Fraction  # >= the largest row l2 norm of W_i
    row_delta: Fraction  # >= the largest row l2 norm of E_i


@dataclass(frozen=True)
class CellDomain:
    """The domain as the cells' float arithmetic needs it."""

    x_max: float  # a float >= the rational x_max
    nonneg: bool
    append_one: bool
    x_eff: Fraction  # >= sup ||x'|| over the domain

    @classmethod
    def of(cls, domain: Domain, *, x_eff: Fraction, append_one: bool) -> CellDomain:
        """The cells' view of ``domain`` (x_max rounded up to a float)."""
        return cls(float_above(domain.x_max), domain.nonnegative, append_one, x_eff)


@dataclass(frozen=True)
class _Up:
    """A layer's scalars as floats rounded up (the composition's scalar arithmetic rounds upward)."""

    a: float
    delta: float
    tau: float
    row_a: float
    row_delta: float


class Composer:
    final: list[tuple[float, int, np.ndarray, np.ndarray]]  # the cells of the last bound(), as a heap

    def __init__(self, layers: Sequence[Layer], dom: CellDomain, norm: Norm) -> None:
        self.layers = layers
        self.up = [
            _Up(
                float_above(v.a),
                float_above(v.delta),
                float_above(v.tau),
                float_above(v.row_a),
                float_above(v.row_delta),
            )
            for v in layers
        ]
        self.dom = dom
        self.norm = norm
        self.x_eff = float_above(dom.x_eff)
        w0 = layers[0].w
        w_in = w0[:, :-1] if dom.append_one else w0
        self.bias = w0[:, -1] if dom.append_one else np.zeros(w0.shape[0])
        if dom.nonneg:  # sup over {||x|| <= r, x >= 0} of w·x = r·||w+||, inf = -r·||w-||
            pos = np.sqrt(np.sum(np.maximum(w_in, 0) ** 2, axis=1))
            neg = np.sqrt(np.sum(np.minimum(w_in, 0) ** 2, axis=1))
        else:
            pos = neg = np.sqrt(np.sum(w_in**2, axis=1))
        slack = 1 + 4 * gamma(w_in.shape[1] + 2)  # the norms' own rounding (squares, sum, root)
        xm = np.float64(dom.x_max)
        self.ball_hi = next_up(next_up(self.bias + next_up(next_up(pos * slack) * xm)) + TINY)
        self.ball_lo = next_down(next_down(self.bias - next_up(next_up(neg * slack) * xm)) - TINY)

    # -- cells, a batch at a time ------------------------------------------------------------------
    def cells(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The bound of the module doc on each cell [lo_c, hi_c] (∩ the domain) of inputs (no appended
        1): lo, hi of shape (cells, n_0)."""
        dom = self.dom
        b = lo.shape[0]
        one = np.ones((b, 1))
        xlo, xhi = (np.hstack([lo, one]), np.hstack([hi, one])) if dom.append_one else (lo, hi)
        corner = abs_max(lo, hi)
        h = np.minimum(self.x_eff, norm_up(np.hstack([corner, one]) if dom.append_one else corner))
        # z: the error's input; in layer 1, (σ(x'), min(x', 0)) interleaved on two branches, x' on one
        if self.layers[0].branches == 2:
            zlo = np.stack([np.maximum(xlo, 0), np.minimum(xlo, 0)], axis=2).reshape(b, -1)
            zhi = np.stack([np.maximum(xhi, 0), np.minimum(xhi, 0)], axis=2).reshape(b, -1)
        else:
            zlo, zhi = xlo, xhi
        total = np.zeros(b)
        ins_lo, ins_hi = xlo, xhi  # F's input to layer i (Ĝ's hidden vector; x' for layer 1)
        # the same input as an affine form in the offset from the cell's centre (affine_product)
        xc = lo + (hi - lo) / 2
        xr = next_up(np.maximum(hi - xc, xc - lo))  # |x - xc| <= xr on the cell (as in interval_product)
        n_in = xlo.shape[1]
        form = np.broadcast_to(np.eye(n_in, lo.shape[1]), (b, n_in, lo.shape[1]))
        c_in = np.hstack([xc, one]) if dom.append_one else xc
        s_lo, s_hi = c_in, c_in
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            up = self.up[i]
            pf_lo, pf_hi = interval_product(layer.w, ins_lo, ins_hi)
            if i == 0:
                pf_lo, pf_hi = np.maximum(pf_lo, self.ball_lo), np.minimum(pf_hi, self.ball_hi)
            form, sf_lo, sf_hi, q = affine_product(layer.w, form, s_lo, s_hi, xr)  # F's: form·(x - xc) + sf
            pf_lo, pf_hi = np.maximum(pf_lo, next_down(sf_lo - q)), np.minimum(pf_hi, next_up(sf_hi + q))
            e_lo, e_hi = interval_product(layer.err, zlo, zhi)
            slack = mul_up(up.tau, h)[:, None]  # (E - fl(E))·z, any coordinate: <= tau·||z||
            pg_lo, pg_hi = next_down(next_down(pf_lo + e_lo) - slack), next_up(next_up(pf_hi + e_hi) + slack)
            s_lo, s_hi = (
                next_down(next_down(sf_lo + e_lo) - slack),
                next_up(next_up(sf_hi + e_hi) + slack),
            )  # Ĝ's: form·(x - xc) + s
            pg_lo, pg_hi = np.maximum(pg_lo, next_down(s_lo - q)), np.minimum(pg_hi, next_up(s_hi + q))
            sym = (form, np.minimum(sf_lo, s_lo), np.maximum(sf_hi, s_hi), xr)
            total = add_up(total, self._term(i, zlo, zhi, h, pf_lo, pf_hi, pg_lo, pg_hi, sym))
            if i == last:
                break
            g_lo, g_hi = relu_box(pg_lo, pg_hi)  # Ĝ's hidden vector
            h = np.minimum(mul_up(add_up(up.a, up.delta), h), norm_up(g_hi))
            ins_lo, ins_hi, zlo, zhi = g_lo, g_hi, g_lo, g_hi
            # σ on the form: kept where the neuron is active on the cell, 0 where dead, else [0, g_hi]
            active = (pg_lo >= 0)[:, :, None]
            form = np.where(active, form, 0.0)
            s_lo = np.where(pg_lo >= 0, s_lo, 0.0)
            s_hi = np.where(pg_lo >= 0, s_hi, g_hi)
        return np.where(np.isfinite(total), total, np.inf)  # overflowed boxes (NaN, inf): no bound

    def _term(
        self,
        i: int,
        zlo: np.ndarray,
        zhi: np.ndarray,
        h: np.ndarray,
        pf_lo: np.ndarray,
        pf_hi: np.ndarray,
        pg_lo: np.ndarray,
        pg_hi: np.ndarray,
        sym: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """The bound of ||F_(>i)(u_i) - F_(>i)(v_i)|| per cell, the smaller of two centres (module doc)."""
        last = len(self.layers) - 1
        layer, up = self.layers[i], self.up[i]
        # stable neurons: of layer i from both pre-activations, of later layers from F's boxes propagated
        # from the hull of u_i = σ(pg) and v_i = σ(pf)
        statuses: list[tuple[np.ndarray, np.ndarray]] = []
        if i < last:
            d_lo, d_hi = np.minimum(pf_lo, pg_lo), np.maximum(pf_hi, pg_hi)
            statuses.append((d_lo >= 0, d_hi <= 0))
            b_lo, b_hi = relu_box(d_lo, d_hi)
            if sym is not None:  # both pre-activations are form·(x - xc) + s, s in [s_lo, s_hi]
                form, s_lo, s_hi, xr = sym
                form = np.where((d_lo >= 0)[:, :, None], form, 0.0)
                s_lo, s_hi = np.where(d_lo >= 0, s_lo, 0.0), np.where(d_lo >= 0, s_hi, b_hi)
            for j in range(i + 1, last):
                b_lo, b_hi = interval_product(self.layers[j].w, b_lo, b_hi)
                if sym is not None:
                    form, s_lo, s_hi, q = affine_product(self.layers[j].w, form, s_lo, s_hi, xr)
                    b_lo, b_hi = np.maximum(b_lo, next_down(s_lo - q)), np.minimum(b_hi, next_up(s_hi + q))
                act = b_lo >= 0
                statuses.append((act, b_hi <= 0))
                b_lo, b_hi = relu_box(b_lo, b_hi)
                if sym is not None:  # σ on the form, as in cells
                    form = np.where(act[:, :, None], form, 0.0)
                    s_lo, s_hi = np.where(act, s_lo, 0.0), np.where(act, s_hi, b_hi)
        zc = zlo + (zhi - zlo) / 2
        zr = next_up(np.maximum(zhi - zc, zc - zlo))
        # the last layer's own error in the inf norm is bounded coordinatewise: |(E v)_k| <= ||row_k E||·||v||
        delta = up.row_delta if (i == last and self.norm is Norm.INF) else up.delta
        # centre 0: the whole vector E_i z in the ball of radius Delta_i·h
        zero = np.zeros((zlo.shape[0], layer.err.shape[0]))
        best = self.carry(i, zero, zero, mul_up(delta, h), statuses)
        c_lo, c_hi = interval_product(layer.err, zc, zc)
        spread = np.minimum(norm_up(zr), add_up(h, norm_up(zc)))  # sup ||z - zc||
        rho = add_up(mul_up(delta, spread), mul_up(up.tau, norm_up(zc)))  # tau: an l2 bound, any coordinate too
        best = np.minimum(best, self.carry(i, c_lo, c_hi, rho, statuses))
        best = np.minimum(best, self.carry_hull(i, c_lo, c_hi, rho, statuses))
        return np.asarray(best)

    def carry_hull(
        self,
        i: int,
        c_lo: np.ndarray,
        c_hi: np.ndarray,
        rho: np.ndarray,
        statuses: list[tuple[np.ndarray, np.ndarray]],
    ) -> np.ndarray:
        """Like :meth:`carry`, with the difference quotients kept in the centre box instead of the ball:
        for d in [0, 1] and c in [c_lo, c_hi], d·c lies in [min(c_lo, 0), max(c_hi, 0)] (1·c on active
        entries, 0 on dead ones), and D(c + e) = D c + D e with ||D e|| <= ||e|| <= rho as |D| <= 1; so
        (c, rho) goes to (that hull, rho), then W (interval product) and ||W||·rho as in :meth:`carry`.
        Better than the halving when few entries are unstable (a column of |W| instead of ||W||_2)."""
        last = len(self.layers) - 1
        for step, (active, dead) in enumerate(statuses):
            j = i + step
            unstable = ~(active | dead)
            c_lo = np.where(dead, 0.0, np.where(unstable, np.minimum(c_lo, 0.0), c_lo))
            c_hi = np.where(dead, 0.0, np.where(unstable, np.maximum(c_hi, 0.0), c_hi))
            c_lo, c_hi = interval_product(self.layers[j + 1].w, c_lo, c_hi)
            nxt = self.up[j + 1]
            rho = mul_up(rho, nxt.row_a if (j + 1 == last and self.norm is Norm.INF) else nxt.a)
        mag = abs_max(c_lo, c_hi)
        if self.norm is Norm.INF:
            return np.asarray(add_up(np.max(mag, axis=-1, initial=0.0), rho))
        return np.asarray(add_up(norm_up(mag), rho))

    def carry(
        self,
        i: int,
        c_lo: np.ndarray,
        c_hi: np.ndarray,
        rho: np.ndarray,
        statuses: list[tuple[np.ndarray, np.ndarray]],
    ) -> np.ndarray:
        """Carry (centre box, radius) through σ of layer i and F's later layers; the final norm bound."""
        last = len(self.layers) - 1
        for step, (active, dead) in enumerate(statuses):
            j = i + step  # the layer whose σ this is
            unstable = ~(active | dead)
            rho = add_up(rho, norm_up(np.where(unstable, abs_max(c_lo, c_hi), 0.0)) / 2)  # halving is exact
            scale = np.where(active, 1.0, np.where(dead, 0.0, 0.5))  # exact scalings of the centre
            c_lo, c_hi = np.minimum(c_lo * scale, c_hi * scale), np.maximum(c_lo * scale, c_hi * scale)
            c_lo, c_hi = interval_product(self.layers[j + 1].w, c_lo, c_hi)
            nxt = self.up[j + 1]
            rho = mul_up(rho, nxt.row_a if (j + 1 == last and self.norm is Norm.INF) else nxt.a)
        mag = abs_max(c_lo, c_hi)
        if self.norm is Norm.INF:
            return np.asarray(add_up(np.max(mag, axis=-1, initial=0.0), rho))
        return np.asarray(add_up(norm_up(mag), rho))

    # -- the cells ----------------------------------------------------------------------------------
    def bound(self, budget: int) -> tuple[Fraction, int]:
        """max over cells covering the domain (module doc), and the number of cells evaluated: best
        first, :data:`BATCH` cells split per round (their halves evaluated together)."""
        dom = self.dom
        n0 = self.layers[0].w.shape[1] - int(dom.append_one)
        xm = float(dom.x_max)
        lo0 = np.zeros((1, n0)) if dom.nonneg else np.full((1, n0), -xm)
        hi0 = np.full((1, n0), xm)
        first = grid_up(float(self.cells(lo0, hi0)[0]))
        if not math.isfinite(first):
            raise OverflowError("the composed bound overflows float64")
        self.final = [(-first, 0, lo0[0], hi0[0])]
        if n0 > SPLIT_MAX_DIM or n0 == 0:
            return Fraction(first), 1
        heap: list[tuple[float, int, np.ndarray, np.ndarray]] = [(-first, 0, lo0[0], hi0[0])]
        done = order = 1
        checkpoint, last_best = 256, first  # the bound at the last power of two of cells evaluated
        while done < budget and heap:
            if done >= checkpoint:  # a plateau: splitting more does not pay (deterministic: counts only)
                best = -heap[0][0]
                if Fraction(last_best - best) < STALL * Fraction(last_best):
                    break
                checkpoint, last_best = 2 * checkpoint, best
            take = [heapq.heappop(heap) for _ in range(min(BATCH, len(heap), max(1, (budget - done) // 2)))]
            lo = np.array([t[2] for t in take])
            hi = np.array([t[3] for t in take])
            rows = np.arange(len(take))
            k = np.argmax(hi - lo, axis=1)  # the longest edge (the first of equals)
            mid = lo[rows, k] + (hi[rows, k] - lo[rows, k]) / 2  # any split point: the halves cover the box
            los, his = np.repeat(lo, 2, axis=0), np.repeat(hi, 2, axis=0)  # halves of box t: rows 2t, 2t + 1
            his[2 * rows, k] = mid
            los[2 * rows + 1, k] = mid
            meets, los, his = in_ball(los, his, xm)
            los, his = los[meets], his[meets]
            if not los.shape[0]:
                continue
            bounds = self.cells(los, his)
            for clo, chi, cb in zip(los, his, bounds.tolist(), strict=True):
                heapq.heappush(heap, (-grid_up(cb), order, clo, chi))
                order += 1
            done += los.shape[0]
        self.final = heap  # the cells left, for worst_cells
        top = -heap[0][0] if heap else 0.0
        if not math.isfinite(top):
            raise OverflowError("the composed bound overflows float64")
        return Fraction(top), done


def composed_bound(
    layers: Sequence[Layer],
    *,
    domain: Domain,
    x_eff: Fraction,
    append_one: bool,
    budget: int = CELL_BUDGET,
) -> tuple[Fraction, int]:
    """The composed bound of the module doc, and the number of cells it evaluated (at most ``budget``,
    give or take one batch's halves; 1: the whole domain as one cell)."""
    return Composer(layers, CellDomain.of(domain, x_eff=x_eff, append_one=append_one), domain.norm).bound(budget)


def worst_cells(
    layers: Sequence[Layer],
    *,
    domain: Domain,
    x_eff: Fraction,
    append_one: bool,
    budget: int = CELL_BUDGET,
    top: int = 32,
) -> np.ndarray:
    """The centres of the ``top`` cells with the largest bounds once :func:`composed_bound` (same
    arguments) has split its budget, the largest first, as an array (top, n_0): where the error can be
    largest, the starting points the attack may be given (:func:`~logprune.construct.certificate.attack.attack`,
    ``starts``).  Points to try, not a bound: a centre may lie outside the domain (the attack projects)."""
    comp = Composer(layers, CellDomain.of(domain, x_eff=x_eff, append_one=append_one), domain.norm)
    comp.bound(budget)
    best = heapq.nsmallest(max(top, 0), comp.final)
    n0 = layers[0].w.shape[1] - int(append_one)
    return np.array([lo + (hi - lo) / 2 for _, _, lo, hi in best]).reshape(-1, n0)
