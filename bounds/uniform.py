"""The uniform weight law, for comparison with the hyperbolic one (digest §3, claims L1, L2).

Single weight W ~ U[-beta, beta]: P(|W| in [x, b·x]) = (b - 1)·x/beta, proportional to x: the finest
of the k segments of L3 has probability of order eps, which is why uniform sampling costs 1/eps.

Product of two independent magnitudes |a| ~ U[0, beta_a], |b| ~ U[0, beta_b], B = beta_a·beta_b:
P(|ab| <= t) = (t/B)·(1 - ln(t/B)) for 0 < t <= B (density -ln(t/B)/B, decreasing in t).

Coverage of the k segments [s·b^(-t-1), s·b^(-t)] (with the sign conditions, factor 1/4): we take
B = s/b, the smallest product range that reaches the top segment; a larger B only lowers the density
-ln(t/B)/B at the fine segments (its derivative in B is negative for B > e·t).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from logprune.bounds.certified import Enclosure, enclose
from logprune.errors import ParameterError
from logprune.validation import check_int, check_positive_expr, parse_base

__all__ = [
    "coverage",
    "magnitude_cdf",
    "product_cdf",
    "product_segment_probability",
    "segment_probability",
]

t, B, beta, x = sp.symbols("t B beta x", positive=True)


def magnitude_cdf() -> sp.Expr:
    """P(|W| <= x) = x/beta on [0, beta] for W ~ U[-beta, beta]."""
    return sp.Piecewise((x / beta, x <= beta), (1, True))


def product_cdf() -> sp.Expr:
    """P(|ab| <= t) = (t/B)(1 - ln(t/B)) on (0, B] (B = beta_a·beta_b)."""
    z = t / B
    return sp.Piecewise((z * (1 - sp.log(z)), t <= B), (1, True))


def _F(z: sp.Expr) -> sp.Expr:
    """Normalised product CDF z(1 - ln z) on [0, 1] (F(0) = 0 by continuity)."""
    if z == 0:
        return sp.Integer(0)
    if bool(z >= 1):
        return sp.Integer(1)
    return z * (1 - sp.log(z))


def segment_probability(*, x_: Any, beta_: Any = 1, base: Any = "phi") -> Enclosure:
    """P(|W| in [x, b·x]) = (b-1)·x/beta for W ~ U[-beta, beta], b·x <= beta (L1's law)."""
    xx, bt, bb = check_positive_expr("x", x_), check_positive_expr("beta", beta_), parse_base(base)
    if not bool(bb * xx <= bt):
        raise ParameterError(f"x={x_}: segment [x, b*x] leaves [0, beta={beta_}]")
    return enclose((bb - 1) * xx / bt)


def product_segment_probability(lo_: Any, hi_: Any, *, B_: Any = 1) -> Enclosure:
    """P(|ab| in [lo, hi]) = F(hi/B) - F(lo/B), F(z) = z(1 - ln z): exact form and enclosure."""
    bb = check_positive_expr("B", B_)
    lo = sp.Integer(0) if lo_ == 0 else check_positive_expr("lo", lo_)
    hi = check_positive_expr("hi", hi_)
    if not bool(lo <= hi):
        raise ParameterError(f"lo={lo_}, hi={hi_}: need lo <= hi")
    return enclose(_F(hi / bb) - _F(lo / bb))


def coverage(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> Enclosure:
    """c for uniform products with B = s/b: (1/4)·min over the k segments (certified enclosure).

    In units of B the segments are [b^(-t), b^(1-t)], t = 1..k.
    """
    k_ = check_int("k", k_segments, minimum=1)
    bb = parse_base(base)
    check_positive_expr("scale", scale)  # c does not depend on the scale once B = s/b; still validated
    probs = [enclose(_F(bb ** (1 - tt)) - _F(bb ** (-tt))) for tt in range(1, k_ + 1)]
    lo = min(p.lower for p in probs)
    hi = min(p.upper for p in probs)
    return Enclosure(sp.Min(*[p.exact for p in probs]) / 4, lo / 4, hi / 4, 15)
