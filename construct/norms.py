"""Certified upper bounds of the spectral norms of F's layers (docs/claims.md, propagation, certificate).

Every bound is an exact rational computed from float64 sums made rigorous by the a-priori bound
|fl(sum) - sum| <= gamma_n·sum|terms| (valid for any summation order, with or without FMA), inflated
accordingly before an exact upward square root.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from logprune.construct.numeric import sqrt_up

__all__ = ["spectral_norm_upper"]

_UNIT = 2.0**-53  # unit roundoff of float64


def _gamma(n: int) -> float:
    """gamma_n = n·u/(1 - n·u): the classical bound on the relative error of an n-term float sum."""
    nu = n * _UNIT
    return nu / (1 - nu)


SAFE_EXPONENT = 400  # max|W| in [2^-400, 2^400]: no product or sum of the bounds below under- or overflows
# far enough to matter (docs/claims.md, certificate): underflow loses at most k²·2^-1074 on a row, far below
# the 4u·max|W|² margin of the bounds; outside that range the matrix is first scaled by a power of two


def spectral_norm_upper(w: np.ndarray) -> Fraction:
    """A certified upper bound of ||W||_2, as an exact rational (docs/claims.md, propagation, certificate).

    For max|W| outside [2^-400, 2^400] the bound is that of W·2^-e (max|W·2^-e| in [1/2, 1)) times 2^e,
    exactly; the scaling is exact except for entries it pushes below the float64 range, each off by at
    most 2^-1074, which adds at most sqrt(mn)·2^-1074 to the norm (added, rounded up).
    """
    a = np.abs(np.asarray(w, dtype=np.float64))
    amax = float(np.max(a)) if a.size else 0.0
    if amax == 0.0:
        return Fraction(0)
    if 2.0**-SAFE_EXPONENT <= amax <= 2.0**SAFE_EXPONENT:
        return _spectral_norm_upper(np.asarray(w, dtype=np.float64))
    _, e = math.frexp(amax)  # amax = f·2^e, f in [1/2, 1)
    scaled = np.ldexp(np.asarray(w, dtype=np.float64), -e)
    m, n = a.shape
    slack = Fraction(m * n, 2**1074)  # >= sqrt(mn)·2^-1074: the entries the scaling rounded
    return (_spectral_norm_upper(scaled) + slack) * Fraction(2) ** e


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
    small = a @ a.T if m <= n else a.T @ a  # |W||W|ᵀ: bounds the rounding of the signed Gram matrix
    gram = w @ w.T if m <= n else w.T @ w
    k = max(m, n)
    gk, gs = _gamma(k + 2), _gamma(g_in + 2)
    row_gram = np.sum(np.abs(gram), axis=1) + gk * np.sum(small, axis=1)
    cand_sq = [float(np.max(row_gram)) * (1 + gs) * (1 + 4 * _UNIT)]
    cand_sq.append(float(np.sum(a * a)) * (1 + _gamma(a.size + 2)))  # Frobenius^2 (squares of floats: exact
    # in float64 only for float32 inputs, so the product rounding is covered by gamma as well)
    one = float(np.max(np.sum(a, axis=0))) * (1 + _gamma(m + 2))
    inf = float(np.max(np.sum(a, axis=1))) * (1 + _gamma(n + 2))
    cand_sq.append(one * inf * (1 + 4 * _UNIT))
    # exact upper square root of the (float, hence rational) bound, on a 2^-60 grid
    return sqrt_up(Fraction(min(cand_sq)), bits=60)
