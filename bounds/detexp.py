"""exp and log that give the same float64 bits on every machine (G's weights depend on them).

numpy's ``np.exp`` dispatches to CPU-specific SIMD code (AVX2, AVX-512, ...) whose results may differ in
the last bit, and libm's ``math.log`` is not correctly rounded either, so a G drawn as exp(U[ln α, ln β])
could differ from one machine to another and a Ĝ file built on one would not verify on the other.  Here:

- :func:`exp_det` evaluates exp with IEEE-754 basic operations only (each correctly rounded, in the
  same order on every machine: numpy never fuses a multiply and an add across ufuncs): x = (32m + j)·ln2/32
  + r with a two-part ln2/32 (Cody–Waite: m·hi exact), |r| <= ln2/64, exp(r) by a degree-6 Taylor
  polynomial (truncation below 2^-56 relative), times the table 2^(j/32) (correctly rounded constants),
  scaled by 2^m exactly.  Within 2 ulp of exp, and the same bits everywhere;
- :func:`log_cr` is the correctly rounded log of one float64 (python-flint ball, precision raised until
  the ball rounds to a single float64).

Used by the hyperbolic law's sampler (:mod:`~logprune.bounds.laws`) and the RSS engine.
"""

from __future__ import annotations

import math

import flint
import numpy as np

__all__ = ["exp_det", "log_cr"]

_N = 32
# 2^(j/32), j = 0..31, correctly rounded (computed once here from balls; see _table)
_LN2_32_HI = float.fromhex("0x1.62e42fefa0000p-6")  # ln2/32 with 17 trailing zero bits: m·hi is exact
_LN2_32_LO = float.fromhex("0x1.cf79abc9e3b3ap-45")  # ln2/32 - hi, rounded
_INV = 32 / math.log(2)  # only to pick k: any k works, r just grows slightly


def _round_ball(x: flint.arb) -> float | None:
    """The float64 nearest the real number in ball x, when every point of the ball rounds to it."""
    lo, hi = x.lower(), x.upper()
    a, b = float(lo), float(hi)  # python-flint rounds to nearest
    return a if a == b else None


def _cr(fn: str, x: float) -> float:
    prec = 80
    old = flint.ctx.prec
    try:
        while True:
            flint.ctx.prec = prec
            v = _round_ball(getattr(flint.arb(x), fn)())
            if v is not None:
                return v
            prec *= 2
    finally:
        flint.ctx.prec = old


def log_cr(x: float) -> float:
    """The correctly rounded natural log of a positive float64."""
    if not x > 0 or not math.isfinite(x):
        raise ValueError(f"x={x}: log needs a positive finite number")
    return _cr("log", x)


def _table() -> np.ndarray:
    old = flint.ctx.prec
    try:
        out = []
        for j in range(_N):
            prec = 80
            while True:
                flint.ctx.prec = prec
                v = _round_ball(flint.arb(2) ** (flint.arb(j) / _N))
                if v is not None:
                    out.append(v)
                    break
                prec *= 2
        return np.array(out)
    finally:
        flint.ctx.prec = old


_T = _table()
_C = (1.0, 1.0, 0.5, 1 / 6, 1 / 24, 1 / 120, 1 / 720)  # Taylor coefficients (each a fixed float64)


def exp_det(x: np.ndarray) -> np.ndarray:
    """exp(x) for float64 x with |x| <= 700, the same bits on every IEEE-754 machine (module doc)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size and not np.all(np.abs(x) <= 700):
        raise ValueError("exp_det: |x| must be at most 700")
    k = x * _INV
    np.rint(k, out=k)
    r = k * _LN2_32_HI  # exact (module doc)
    np.subtract(x, r, out=r)
    r -= k * _LN2_32_LO
    p = r * _C[6]  # Horner, in place: p = (((c6 r + c5) r + c4) r + ...) r + c0
    for c in _C[5:0:-1]:
        p += c
        p *= r
    p += _C[0]
    ki = k.astype(np.int64)
    j = ki & (_N - 1)  # two's complement: ki mod 32 for negative ki too
    ki -= j
    ki >>= 5  # exact division by 32
    p *= _T[j]
    return np.ldexp(p, ki.astype(np.int32), out=p)
