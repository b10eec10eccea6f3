"""The uniform weight law, for comparison with the hyperbolic one (docs/claims.md, L1, L2).

Single weight W ~ U[-beta, beta]: P(|W| in [x, b·x]) = (b - 1)·x/beta, proportional to x: the finest
of the k segments of L3 has probability of order eps, which is why uniform sampling costs 1/eps.

Product of two independent magnitudes |a| ~ U[0, beta_a], |b| ~ U[0, beta_b], B = beta_a·beta_b:
P(|ab| <= t) = (t/B)·(1 - ln(t/B)) for 0 < t <= B (density -ln(t/B)/B, decreasing in t).

Coverage of the k segments [s·b^(-t-1), s·b^(-t)] (with the sign conditions, factor 1/4): we take
B = s/b, the smallest product range that reaches the top segment; a larger B only lowers the density
-ln(t/B)/B at the fine segments (its derivative in B is negative for B > e·t).

The law itself is :class:`logprune.bounds.laws.UniformLaw`; the functions here are its generic
(symbolic) formulas and keyword wrappers.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from logprune.bounds import laws
from logprune.bounds.certified import Enclosure
from logprune.bounds.symbols import B, beta
from logprune.errors import ParameterError
from logprune.validation import check_positive_expr, parse_base

__all__ = [
    "coverage",
    "magnitude_cdf",
    "product_cdf",
    "product_segment_probability",
    "segment_probability",
]


def magnitude_cdf() -> sp.Expr:
    """P(|W| <= x) = x/beta on [0, beta] for W ~ U[-beta, beta] (symbols beta, x)."""
    return laws.UniformLaw(beta).magnitude_cdf()


def product_cdf() -> sp.Expr:
    """P(|ab| <= t) = (t/B)(1 - ln(t/B)) on (0, B] (B = beta_a·beta_b; symbols t, B)."""
    return laws.UniformLaw(sp.sqrt(B)).product_cdf()  # beta^2 = B


def segment_probability(*, x: Any, beta: Any = 1, base: Any = "phi") -> Enclosure:
    """P(|W| in [x, b·x]) = (b-1)·x/beta for W ~ U[-beta, beta], b·x <= beta (docs/claims.md, L1)."""
    law = laws.uniform(beta=beta)
    xx, bb = check_positive_expr("x", x), parse_base(base)
    if not bool(bb * xx <= law.beta):
        raise ParameterError(f"x={x}: segment [x, b*x] leaves [0, beta={beta}]")
    return law.segment_probability(xx, bb * xx)


def product_segment_probability(lo: Any, hi: Any, *, B: Any = 1) -> Enclosure:
    """P(|ab| in [lo, hi]) = F(hi/B) - F(lo/B), F(z) = z(1 - ln z): exact form and enclosure
    (docs/claims.md, L2); B = beta_a·beta_b is the product range."""
    return laws.uniform(beta=sp.sqrt(check_positive_expr("B", B))).product_segment_probability(lo, hi)


def coverage(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> Enclosure:
    """c for uniform products with B = s/b: (1/4)·min over the k segments (certified enclosure).

    In units of B the segments are [b^(-t), b^(1-t)], t = 1..k (docs/claims.md, L2).
    """
    bb = parse_base(base)
    sc = check_positive_expr("scale", scale)
    return laws.uniform(beta=sp.sqrt(sc / bb)).coverage(k=k_segments, scale=sc, base=bb)
