"""The proven arithmetic rules every certified bound of logprune is made of (docs/claims.md, certificate).

Each function encloses a real quantity by floats rounded outward, for any summation order, with or without
FMA: the a-priori bound |fl(sum) - sum| <= γ_n·sum|terms| (:func:`gamma`), one ulp up or down after a
rounded operation (:func:`up`, :func:`down`), and an absolute :data:`TINY` for underflow.  ``proofs/``
checks these very functions (``logprune proofs --only certificate``: exact randomised tests and z3), and
:mod:`~logprune.construct.certificate.compose` and :mod:`~logprune.construct.certificate.norms` apply them:
an unsound edit here makes a proof step fail.

- scalars and vectors: :func:`float_above`, :func:`add_up`, :func:`mul_up`, :func:`norm_up`, :func:`grid_up`;
- boxes: :func:`interval_product` (W applied to a box, mid-radius), :func:`relu_box`, :func:`abs_max`;
- affine forms: :func:`affine_product` (W applied to A·(x - x_c) + s, the dependence on x kept exactly);
- the input ball: :func:`in_ball` (which boxes may meet it, and each shrunk to a box that still holds its part).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = [
    "GRID_BITS",
    "TINY",
    "UNIT",
    "abs_max",
    "add_up",
    "affine_product",
    "float_above",
    "gamma",
    "grid_up",
    "in_ball",
    "interval_product",
    "mul_up",
    "next_down",
    "next_up",
    "norm_up",
    "relu_box",
]

UNIT = 2.0**-53  # unit roundoff of float64
TINY = 2.0**-1000  # absolute slack for underflow of a product or sum (far above n·2^-1074 for any n here)
GRID_BITS = 24  # bounds are rounded up to 24 significant bits and cells are ranked on that grid, so that
# another BLAS (other summation orders, last-bit differences) almost never changes the certificate


def gamma(n: int) -> float:
    """gamma_n = n·u/(1 - n·u): the classical bound on the relative error of an n-term float sum."""
    nu = n * UNIT
    return nu / (1 - nu)


def next_down(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.nextafter(x, -np.inf))


def next_up(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.nextafter(x, np.inf))


def interval_product(w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An enclosure [lo', hi'] of {W x : lo <= x <= hi} for each row of the (cells, n) boxes lo, hi
    (mid-radius form; every rounding bounded: |fl(Wm) - Wm| <= γ_n·|W||m| for any summation order, and
    the radius's own sums are divided by 1 - γ_n, then rounded up)."""
    n = w.shape[1]
    m = lo + (hi - lo) / 2  # any point of the box: the radius below is measured from it, rounded up
    r = next_up(np.maximum(hi - m, m - lo))
    awt = np.abs(w).T
    y = m @ w.T
    g = gamma(n + 2)
    rad = (r @ awt + g * (np.abs(m) @ awt)) / (1 - g)
    rad = next_up(next_up(rad * (1 + 4 * UNIT)) + TINY)
    return next_down(y - rad), next_up(y + rad)


def float_above(q: Fraction) -> float:
    """A float >= q (rational)."""
    f = float(q)
    return f if Fraction(f) >= q else float(np.nextafter(f, np.inf))


def add_up(a: Any, b: Any) -> Any:
    """>= a + b, elementwise (round to nearest is within an ulp; one step up covers it)."""
    return np.nextafter(np.add(a, b), np.inf)


def mul_up(a: Any, b: Any) -> Any:
    """>= a·b for a, b >= 0, elementwise."""
    return np.nextafter(np.multiply(a, b), np.inf)


def norm_up(v: np.ndarray) -> np.ndarray:
    """>= ||row||_2 for each row of v: the float sum of squares is within γ_(n+1) of the true one
    (squares round too), plus underflow; the square root rounded up."""
    a = np.abs(v)
    n = a.shape[-1]
    s = np.sum(a * a, axis=-1)
    if not np.all(np.isfinite(s)):
        raise OverflowError("norm overflow")
    s = add_up(mul_up(s, 1 + 2 * gamma(n + 2)), n * TINY)
    return np.asarray(np.nextafter(np.sqrt(s), np.inf))


def grid_up(x: float) -> float:
    """The least float >= x with at most GRID_BITS significant bits (x >= 0)."""
    if x <= 0 or not math.isfinite(x):
        return x
    m, e = math.frexp(x)
    return math.ldexp(math.ceil(math.ldexp(m, GRID_BITS)), e - GRID_BITS)


def abs_max(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.asarray(np.maximum(np.abs(lo), np.abs(hi)))


def relu_box(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(lo, 0.0), np.maximum(hi, 0.0)


def in_ball(lo: np.ndarray, hi: np.ndarray, xm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For boxes [lo_c, hi_c] (rows): which may meet the ball {||x||_2 <= xm}, and each box shrunk to a box
    that still holds every point of [lo_c, hi_c] ∩ ball (the rows that miss it are left as they are).

    near_j = the least |x_j| over the box (0 if the box straddles 0; exact in floats).  A point of the box
    and of the ball has sum_j near_j^2 <= ||x||^2 <= xm^2, so a box with sum_j near_j^2 > xm^2 misses the
    ball; and x_k^2 <= xm^2 - sum_(j != k) near_j^2 =: r_k^2, so x_k in [-r_k, r_k] (the clip).  Floats:
    the float sum fl of m nonnegative squares (any order; squares round too) is <= (1 + γ_m)·S + m
    underflows of at most 2^-1074 each for the exact sum S, hence s_lo = (1 - 2γ_(m+1))·fl - m·TINY <= S
    (proofs/certificate.py, "The ball's rounding margin"), so the sums are taken that much lower, xm^2
    and xm^2 - s_lo and the square root are each rounded up by one step:
    the test drops only boxes that miss the ball and r_k is >= the exact radius.  Sound for any float
    xm >= the domain's x_max (docs/claims.md, certificate: the cells cover the domain)."""
    n = lo.shape[1]
    near = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
    sq = near * near
    g = 2 * gamma(n + 1)
    xm2 = next_up(np.asarray(np.float64(xm) * np.float64(xm)))
    total = np.maximum(next_down(next_down(np.sum(sq, axis=1) * (1 - g)) - n * TINY), 0.0)
    meets = total <= xm2
    others = np.sum(np.where(np.eye(n, dtype=bool)[None], 0.0, sq[:, None, :]), axis=2)  # sum over j != k
    s_lo = np.maximum(next_down(next_down(others * (1 - g)) - n * TINY), 0.0)
    r = next_up(np.sqrt(np.maximum(next_up(xm2 - s_lo), 0.0)))
    return meets, np.maximum(lo, -r), np.minimum(hi, r)


def affine_product(
    w: np.ndarray, form: np.ndarray, s_lo: np.ndarray, s_hi: np.ndarray, xr: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W applied to an affine enclosure of a layer's input on each cell: if y = A·(x - xc) + s with
    s in [s_lo, s_hi] (A = ``form``, shape (cells, k, n_0); |x - xc| <= xr coordinatewise), then

        W y = M·(x - xc) + s',  M = fl(W A),  s' in [c_lo - t, c_hi + t],  |M·(x - xc)| <= q,

    with [c_lo, c_hi] = the interval product (interval_product, the proven rule) of W and [s_lo, s_hi];
    t >= |(W A - M)·(x - xc)|, from |fl(W A) - W A| <= γ_(k+2)·|W||A| elementwise (any summation order),
    the float |W||A| divided by 1 - γ_(k+2) (its own rounding), and the products and sums of t and
    q = |M|·xr made upward the same way (dot products of n_0 nonnegative terms: a relative γ_(n_0 + 2),
    plus TINY for underflow).  Returns (M, c_lo - t, c_hi + t, q), the bounds rounded outward: the
    input of the next layer is enclosed with no wrapping of the cell's own width (the dependence on x
    is carried exactly in M), only of the intervals s."""
    k, n0 = w.shape[1], xr.shape[1]
    m = np.matmul(w, form)
    g = gamma(k + 2)
    err = g * np.matmul(np.abs(w), np.abs(form)) / (1 - g)
    err = next_up(next_up(err * (1 + 4 * UNIT)) + TINY)
    gn = 1 + 2 * gamma(n0 + 2)
    col = xr[:, :, None]
    t = next_up(next_up(np.matmul(err, col)[:, :, 0] * gn) + TINY)
    q = next_up(next_up(np.matmul(np.abs(m), col)[:, :, 0] * gn) + TINY)
    c_lo, c_hi = interval_product(w, s_lo, s_hi)
    return m, next_down(c_lo - t), next_up(c_hi + t), q
