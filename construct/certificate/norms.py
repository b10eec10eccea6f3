"""Certified upper bounds of spectral norms (docs/claims.md, propagation, certificate: N1, N2).

Every bound is an exact rational computed from float64 sums made rigorous by the a-priori bound
|fl(sum) - sum| <= gamma_n·sum|terms| (valid for any summation order, with or without FMA), inflated
accordingly before an exact upward square root.

Two bounds are taken, and the smaller kept:

- N1 (cheap, loose by up to sqrt(rank)): sqrt(||WᵀW||_inf), ||W||_F, sqrt(||W||_1·||W||_inf);
- N2 (tight, a rotation): for any nonsingular V, W = (WV)V^-1, so ||W||_2 <= ||WV||_2·||V^-1||_2, and
  ||V^-1||_2 = 1/sigma_min(V) <= 1/sqrt(1 - eta) whenever eta >= ||VᵀV - I||_2 and eta < 1.  With V the
  float right singular vectors of W, C = fl(WV) has nearly orthogonal columns, so N1 applied to C (its
  Gram matrix is nearly diagonal) is within a factor 1 + O(n·u) of ||W||_2; the rounding of C is added
  as gamma_n·||W||_F·||V||_F >= ||WV - C||_F, and eta is a rigorous row-sum bound of VᵀV - I.  V comes
  from LAPACK and is not trusted: any V gives a valid bound, a bad V only a loose one.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from logprune.construct.certificate.rules import UNIT, gamma
from logprune.construct.numeric import sqrt_up

__all__ = ["ROTATION_MAX", "rotation_bound", "spectral_norm_upper"]

ROTATION_MAX = 2048  # N2 needs an SVD: cubic in min(m, n); beyond this side only N1 is used (seconds at
# 2048 on two cores, minutes at 8192)

SAFE_EXPONENT = 400  # max|W| in [2^-400, 2^400]: no product or sum of the bounds below under- or overflows
# far enough to matter (docs/claims.md, certificate): underflow loses at most k²·2^-1074 on a row, far below
# the 4u·max|W|² margin of the bounds; outside that range the matrix is first scaled by a power of two


def spectral_norm_upper(w: np.ndarray, *, rotate: bool = True) -> Fraction:
    """A certified upper bound of ||W||_2, as an exact rational: min(N1, N2) of the module doc
    (docs/claims.md, certificate; assumptions: W finite float64, any shape).

    For max|W| outside [2^-400, 2^400] the bound is that of W·2^-e (max|W·2^-e| in [1/2, 1)) times 2^e,
    exactly; the scaling is exact except for entries it pushes below the float64 range, each off by at
    most 2^-1074, which adds at most sqrt(mn)·2^-1074 to the norm (added, rounded up).  ``rotate=False``:
    N1 only (N2 applies N1 to its rotated matrix).
    """
    a = np.abs(np.asarray(w, dtype=np.float64))
    amax = float(np.max(a)) if a.size else 0.0
    if amax == 0.0:
        return Fraction(0)
    if 2.0**-SAFE_EXPONENT <= amax <= 2.0**SAFE_EXPONENT:
        w64 = np.asarray(w, dtype=np.float64)
        n1 = _spectral_norm_upper(w64)
        n2 = rotation_bound(w64) if rotate else None
        return n1 if n2 is None else min(n1, n2)
    _, e = math.frexp(amax)  # amax = f·2^e, f in [1/2, 1)
    scaled = np.ldexp(np.asarray(w, dtype=np.float64), -e)
    m, n = a.shape
    slack = Fraction(m * n, 2**1074)  # >= sqrt(mn)·2^-1074: the entries the scaling rounded
    return (spectral_norm_upper(scaled, rotate=rotate) + slack) * Fraction(2) ** e


def _spectral_norm_upper(w: np.ndarray) -> Fraction:
    """A certified upper bound of ||W||_2 for max|W| in [2^-400, 2^400], as an exact rational.

    min of sqrt(||G||_inf) with G = WᵀW or WWᵀ (whichever is smaller; ||W||_2^2 = rho(G) <= ||G||_inf),
    ||W||_F and sqrt(||W||_1·||W||_inf).  Float sums are made rigorous by the a-priori bound
    |fl(sum) - sum| <= gamma_n·sum|terms| (valid for any summation order, with or without FMA), and every
    bound is inflated accordingly before the square root, which is rounded up exactly.
    """
    a = np.abs(np.asarray(w, dtype=np.float64))
    m, n = a.shape
    g_in = min(m, n)
    k = max(m, n)
    gk, gs = gamma(k + 2), gamma(g_in + 2)
    cand_sq = []
    # the smaller Gram matrix; both when W is square (after a rotation WV only WᵀW is nearly diagonal)
    for rows in (True, False) if m == n else (m < n,):
        small = a @ a.T if rows else a.T @ a  # |W||W|ᵀ: bounds the rounding of the signed Gram matrix
        gram = w @ w.T if rows else w.T @ w
        row_gram = np.sum(np.abs(gram), axis=1) + gk * np.sum(small, axis=1)
        cand_sq.append(float(np.max(row_gram)) * (1 + gs) * (1 + 4 * UNIT))
    cand_sq.append(float(np.sum(a * a)) * (1 + gamma(a.size + 2)))  # Frobenius^2 (squares of floats: exact
    # in float64 only for float32 inputs, so the product rounding is covered by gamma as well)
    one = float(np.max(np.sum(a, axis=0))) * (1 + gamma(m + 2))
    inf = float(np.max(np.sum(a, axis=1))) * (1 + gamma(n + 2))
    cand_sq.append(one * inf * (1 + 4 * UNIT))
    # exact upper square root of the (float, hence rational) bound, on a 2^-60 grid
    return sqrt_up(Fraction(min(cand_sq)), bits=60)


def _sum_upper(total: float, terms: int) -> Fraction:
    """An upper bound of a sum of ``terms`` nonnegative reals whose float64 sum (any order) is ``total``:
    fl >= (1 - gamma_(n-1))·sum, so sum <= fl/(1 - gamma_n), exactly (underflow is added by callers)."""
    g = Fraction(terms * 1, 2**53 - terms)  # gamma_n = n·u/(1 - n·u) with u = 2^-53, exactly
    return Fraction(total) / (1 - g)


def rotation_bound(w: np.ndarray, v_given: np.ndarray | None = None) -> Fraction | None:
    """N2 of the module doc for max|W| in [2^-400, 2^400] (None when the SVD is too large or fails, or
    V is too far from orthogonal: eta >= 1/2).

    Underflow: an entry of WV, VᵀV or |V|ᵀ|V| sums at most n products, each off by at most 2^-1074 more
    than the relative bound says; these are added as n·2^-1074 per entry (Frobenius: sqrt(entries)·n·2^-1074).
    ``v_given``: use this V (n×n, n = min(m, n)) instead of LAPACK's; any V is valid (proofs/certificate.py
    checks the bound with far-from-orthogonal ones).
    """
    if min(w.shape) > ROTATION_MAX:
        return None
    a = w.T if w.shape[0] < w.shape[1] else w  # ||W|| = ||Wᵀ||; V is n×n with n = min(m, n)
    m, n = a.shape
    if v_given is not None:
        v = np.ascontiguousarray(np.asarray(v_given, dtype=np.float64))
    else:
        try:
            _, _, vt = np.linalg.svd(a, full_matrices=False)
        except np.linalg.LinAlgError:  # pragma: no cover - LAPACK did not converge: N1 stands
            return None
        v = np.ascontiguousarray(vt.T)
    if not np.all(np.isfinite(v)):  # pragma: no cover
        return None
    tiny = Fraction(1, 2**1074)
    g_n = Fraction(n, 2**53 - n)
    # eta >= ||VᵀV - I||_2 <= max row sum of |VᵀV - I| <= rows of |fl(VᵀV) - I| + gamma_n·|V|ᵀ|V| + underflow
    gram = v.T @ v
    gram[np.diag_indices(n)] -= 1.0  # exact: the diagonal is within [1/2, 2] (Sterbenz) or eta is large anyway
    dev = float(np.max(np.sum(np.abs(gram), axis=1)))
    absv = np.abs(v)
    agram = float(np.max(np.sum(absv.T @ absv, axis=1)))
    if not (math.isfinite(dev) and math.isfinite(agram)):  # pragma: no cover
        return None
    diag_ok = bool(np.all(np.abs(np.diagonal(gram)) <= 0.5))
    if not diag_ok:  # the subtraction above may have rounded: no claim
        return None
    eta = (
        _sum_upper(dev, n)
        + g_n * _sum_upper(agram, n) / (1 - g_n)  # |V|ᵀ|V| itself is a float sum: true <= fl/(1 - gamma_n)
        + n * n * tiny * 2  # underflow of the n products in each of the n entries of a row, in both Gram sums
    )
    if eta >= Fraction(1, 2):
        return None
    c = a @ v
    if not np.all(np.isfinite(c)):  # pragma: no cover
        return None
    fro_a = _sum_upper(float(np.sum(a * a)), a.size + 1) + a.size * tiny  # squares round too (+1), or underflow
    fro_v = _sum_upper(float(np.sum(v * v)), v.size + 1) + v.size * tiny
    # ||WV - C||_F <= gamma_n·|| |W||V| ||_F + sqrt(mn)·n·2^-1074 <= gamma_n·||W||_F·||V||_F + m·n·n·2^-1074
    rounding = g_n * sqrt_up(fro_a * fro_v) + m * n * n * tiny
    c_norm = spectral_norm_upper(c, rotate=False)
    return _round_up((c_norm + rounding) * sqrt_up(1 / (1 - eta)))


def _round_up(q: Fraction, bits: int = 24) -> Fraction:
    """The least rational >= q on the grid of 2^-bits relative to q's magnitude: short to print, and
    another LAPACK's last-bit differences in V (about 1e-13 relative in the bound) almost never cross a
    grid step, so the bound recomputed elsewhere is the same number.  The grid step is 2^(e-bits) with
    2^(e-1) <= q < 2^(e+1) (bit lengths of numerator and denominator), so the loss is below 2^(1-bits)
    relative: 1.2e-7 at 24 bits."""
    n, d = q.numerator, q.denominator
    shift = bits - (n.bit_length() - d.bit_length())
    if shift >= 0:
        return Fraction(-((-n << shift) // d), 1 << shift)
    step = d << -shift
    return Fraction(-(-n // step) << -shift)
