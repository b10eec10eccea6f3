"""The hyperbolic (log-uniform) weight law and the coverage constant c (claims L3, L4; digest §3).

Law.  |w| has density 1/(|w|·ln(beta/alpha)) on [alpha, beta]; the sign is fair and independent.  So
ln|w| is uniform on [ln alpha, ln beta] and any segment [x, b·x] inside [alpha, beta] has probability
ln(b)/ln(beta/alpha): logarithmic in the range (digest §3, "Hyperbolic law").

Product.  For independent hyperbolic a, b with the same log-width L = ln(beta/alpha), ln|a| + ln|b| is
triangular on [ln(alpha_a·alpha_b), ln(beta_a·beta_b)] with half-width L (digest §3, "Product of two
hyperbolic weights"); its CDF is exact (:func:`product_log_cdf`).

Coverage.  The greedy decomposition of L3 at scale s uses the k segments
[s·b^(-t-1), s·b^(-t)], t = 1..k, i.e. a log-region of width R = k·h, h = ln b.  For a symmetric
triangle of half-width L centred on the region, the least likely segments are the two end segments,
each of probability g(L) = h·(L - R/2 + h/2)/L^2 (k >= 2).  sympy maximises g
(:func:`derive_coverage`): L* = R - h = (k-1)·ln b, g(L*) = 1/(2(k-1)).  With the sign conditions
(sign a fixed by the branch, sign ab = sign w: probability 1/4, independent of the magnitudes)
c = 1/(8(k-1)).  Shifting the centre by d with |d| <= R/2 - h keeps the sum of the two end masses
constant, so the minimum cannot rise above g(L); larger shifts lower the sum: the centred placement is
optimal.

Difference from the digest: the digest takes ln(beta/alpha) = R, giving (k+1)/(2k^2) >= 1/(2k) per
segment and c >= 1/(8k).  The maximiser is ln(beta/alpha) = (k-1)·ln b, which gives the larger
c = 1/(8(k-1)) for k >= 2 (:func:`coverage_digest` keeps the digest's value for comparison).  For
k = 1 any L <= h/2 puts all the mass in the single segment: c = 1/4.

ReLU is positively homogeneous, so only the product's centre ln(alpha_a·beta_a·alpha_b·beta_b)/2 matters:
(a, b) -> (t·a, b/t) leaves every product unchanged, and :func:`optimal_support` returns one support
for both factors (the same law for input and output weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from logprune.bounds.certified import Enclosure, arb_of, certainly_le, enclose, precision
from logprune.errors import CertificationError, ParameterError
from logprune.validation import check_int, check_positive_expr, parse_base

__all__ = [
    "CoverageDerivation",
    "Support",
    "cdf",
    "coverage",
    "coverage_digest",
    "coverage_for_support",
    "density",
    "derive_coverage",
    "inverse_cdf",
    "magnitude_cdf",
    "optimal_support",
    "product_log_cdf",
    "product_segment_probability",
    "segment_probability",
]

alpha, beta = sp.symbols("alpha beta", positive=True)
w = sp.Symbol("w", real=True)
u = sp.Symbol("u", real=True)
x = sp.Symbol("x", positive=True)
q = sp.Symbol("q", real=True)  # a probability level for the inverse CDF
L = sp.Symbol("L", positive=True)  # log-width ln(beta/alpha)
h = sp.Symbol("h", positive=True)  # ln(b), the log-width of a segment
kk = sp.Symbol("k", positive=True, integer=True)


def density() -> sp.Expr:
    """Signed density 1/(2|w| ln(beta/alpha)) on alpha <= |w| <= beta, 0 elsewhere."""
    inside = sp.And(sp.Abs(w) >= alpha, sp.Abs(w) <= beta)
    return sp.Piecewise((1 / (2 * sp.Abs(w) * sp.log(beta / alpha)), inside), (0, True))


def magnitude_cdf() -> sp.Expr:
    """P(|w| <= x) = ln(x/alpha)/ln(beta/alpha) on [alpha, beta]."""
    return sp.Piecewise((0, x < alpha), (sp.log(x / alpha) / sp.log(beta / alpha), x <= beta), (1, True))


def cdf() -> sp.Expr:
    """P(W <= w) for the signed law (fair sign)."""
    lr = sp.log(beta / alpha)
    return sp.Piecewise(
        (0, w < -beta),
        (sp.log(beta / -w) / (2 * lr), w <= -alpha),
        (sp.Rational(1, 2), w < alpha),
        (sp.Rational(1, 2) + sp.log(w / alpha) / (2 * lr), w <= beta),
        (1, True),
    )


def inverse_cdf() -> sp.Expr:
    """The quantile function: -beta·(alpha/beta)^(2q) for q < 1/2, alpha·(beta/alpha)^(2q-1) else."""
    return sp.Piecewise(
        (-beta * (alpha / beta) ** (2 * q), q < sp.Rational(1, 2)),
        (alpha * (beta / alpha) ** (2 * q - 1), True),
    )


def _check_support(a_: Any, b_: Any) -> tuple[sp.Expr, sp.Expr]:
    a = check_positive_expr("alpha", a_)
    bb = check_positive_expr("beta", b_)
    with precision(256):
        ok = certainly_le(arb_of(a), arb_of(bb)) and a != bb
    if not ok:
        raise ParameterError(f"alpha={a_}, beta={b_}: need 0 < alpha < beta")
    return a, bb


def segment_probability(*, alpha_: Any, beta_: Any, base: Any = "phi", signed: bool = False) -> Enclosure:
    """P(|w| in [x, b·x]) = ln b / ln(beta/alpha) for any segment inside [alpha, beta].

    With ``signed`` the sign is also prescribed (probability halved).  Digest §3, "Hyperbolic law".
    """
    a, bb = _check_support(alpha_, beta_)
    base_ = parse_base(base)
    if not certainly_le(arb_of(base_), arb_of(bb / a)):
        raise ParameterError(f"base={base}: no segment of ratio b fits in [alpha, beta]=[{alpha_}, {beta_}]")
    p = sp.log(base_) / sp.log(bb / a)
    return enclose(p / 2 if signed else p)


def product_log_cdf() -> sp.Expr:
    """CDF of U = ln|a| + ln|b| (triangular on [lo, lo + 2L], mode lo + L), as a function of u.

    Symbols: ``u``, ``L`` and ``lo`` = ln(alpha_a·alpha_b) (here written with ``alpha``, ``beta`` of
    a common law: lo = 2 ln alpha, L = ln(beta/alpha)).
    """
    lo = 2 * sp.log(alpha)
    width = sp.log(beta / alpha)
    t = u - lo
    return sp.Piecewise(
        (0, t < 0),
        (t**2 / (2 * width**2), t <= width),
        (1 - (2 * width - t) ** 2 / (2 * width**2), t <= 2 * width),
        (1, True),
    )


def _tri_cdf(uu: sp.Expr, lo: sp.Expr, width: sp.Expr) -> sp.Expr:
    """Exact triangular CDF at a closed point, the piece chosen by certified comparison."""
    t = sp.expand_log(uu - lo, force=True)
    with precision(256):
        tv = arb_of(t)
        wv = arb_of(width)

        def equal(ea: sp.Expr, eb: sp.Expr) -> bool:
            return bool(sp.simplify(sp.expand_log(ea - eb, force=True)) == 0)

        def le(a: Any, b: Any, ea: sp.Expr, eb: sp.Expr) -> bool:
            if certainly_le(a, b):
                return True
            if certainly_le(b, a):
                # b <= a: a <= b only if equal
                return equal(ea, eb)
            if equal(ea, eb):
                return True
            raise CertificationError(f"u={uu}: piece of the triangular CDF undecided")

        if le(tv, arb_of(sp.Integer(0)), t, sp.Integer(0)):
            return sp.Integer(0)
        if le(tv, wv, t, width):
            return t**2 / (2 * width**2)
        if le(tv, 2 * wv, t, 2 * width):
            return 1 - (2 * width - t) ** 2 / (2 * width**2)
        return sp.Integer(1)


def product_segment_probability(lo_: Any, hi_: Any, *, alpha_: Any, beta_: Any) -> Enclosure:
    """P(|a·b| in [lo, hi]) for independent a, b of the hyperbolic law on [alpha, beta] (lo may be 0)."""
    a, bb = _check_support(alpha_, beta_)
    lo = sp.Integer(0) if lo_ == 0 else check_positive_expr("lo", lo_)
    hi = check_positive_expr("hi", hi_)
    # logs expanded so that exact ties at the pieces' ends cancel symbolically (e.g. powers of phi)
    width = sp.expand_log(sp.log(bb / a), force=True)
    base_lo = sp.expand_log(2 * sp.log(a), force=True)
    below = sp.Integer(0) if lo == 0 else _tri_cdf(sp.log(lo), base_lo, width)
    p = _tri_cdf(sp.log(hi), base_lo, width) - below
    return enclose(sp.simplify(p) if p.is_Rational else p)


@dataclass(frozen=True)
class CoverageDerivation:
    """sympy's maximisation of the end-segment probability g(L) over the log-width L."""

    end_segment_probability: sp.Expr  # g(L) = h(L - R/2 + h/2)/L^2
    stationary_points: list[sp.Expr]
    optimal_log_width: sp.Expr  # (k-1) h
    optimal_segment_probability: sp.Expr  # 1/(2(k-1))
    coverage: sp.Expr  # 1/(8(k-1)) with the sign conditions
    second_derivative_at_optimum: sp.Expr  # < 0: a maximum


def derive_coverage() -> CoverageDerivation:
    """Derive the optimal log-width of the hyperbolic support and c, symbolically (L3/L4, digest §3)."""
    R = kk * h
    tt = sp.Symbol("t", real=True)
    # density of the triangle of half-width L at offset t >= 0 from its mode: (L - t)/L^2
    g = sp.integrate((L - tt) / L**2, (tt, R / 2 - h, R / 2))
    g = sp.factor(sp.simplify(g))
    crit = sp.solve(sp.diff(g, L), L)
    opt = [c for c in crit if sp.simplify(c - (R - h)) == 0]
    if len(opt) != 1:
        raise CertificationError(f"stationary points {crit}: expected L = (k-1)h")
    lstar = opt[0]
    gstar = sp.simplify(g.subs(L, lstar))
    d2 = sp.simplify(sp.diff(g, L, 2).subs(L, lstar))
    return CoverageDerivation(g, list(crit), sp.factor(lstar), gstar, sp.simplify(gstar / 4), d2)


def coverage(k_segments: int) -> sp.Rational:
    """The coverage constant c(k) = 1/(8(k-1)) (k >= 2), 1/4 (k = 1): exact rational (L4's c).

    >>> coverage(21), coverage_digest(21)
    (1/160, 11/1764)
    """
    k_ = check_int("k", k_segments, minimum=1)
    if k_ == 1:
        return sp.Rational(1, 4)
    return sp.Rational(1, 8 * (k_ - 1))


def coverage_digest(k_segments: int) -> sp.Rational:
    """The digest's placement ln(beta/alpha) = k ln b: c = (k+1)/(8k^2) (>= 1/(8k)), for comparison."""
    k_ = check_int("k", k_segments, minimum=1)
    return sp.Rational(k_ + 1, 8 * k_ * k_)


@dataclass(frozen=True)
class Support:
    """The hyperbolic support [alpha, beta] (same law for input and output weights)."""

    alpha: sp.Expr
    beta: sp.Expr

    def as_json(self) -> dict[str, Any]:
        return {"alpha": enclose(self.alpha).as_json(), "beta": enclose(self.beta).as_json()}


def optimal_support(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> Support:
    """The support maximising the coverage of the k segments of scale s (derivation in module doc).

    ln(beta/alpha) = (k-1) ln b and ln(alpha·beta) = ln s - (k+2)/2·ln b, i.e.
    alpha = sqrt(s)·b^(-3k/4), beta = sqrt(s)·b^((k-4)/4).  For k = 1: ln(beta/alpha) = ln(b)/2.
    """
    k_ = check_int("k", k_segments, minimum=1)
    bb = parse_base(base)
    sc = check_positive_expr("scale", scale)
    if k_ == 1:
        log_width = sp.Rational(1, 2)  # in units of ln b
    else:
        log_width = sp.Integer(k_ - 1)
    centre = -sp.Rational(k_ + 2, 2)  # ln(alpha·beta) - ln s, in units of ln b
    a = sp.sqrt(sc) * bb ** ((centre - log_width) / 2)
    bt = sp.sqrt(sc) * bb ** ((centre + log_width) / 2)
    return Support(a, bt)


def coverage_for_support(*, k_segments: int, alpha_: Any, beta_: Any, base: Any = "phi", scale: Any = 1) -> Enclosure:
    """c for a given support: (1/4)·min over the k segments of P(|ab| in segment), certified.

    The lower end of the returned enclosure is a valid (certified) coverage constant.
    """
    k_ = check_int("k", k_segments, minimum=1)
    bb = parse_base(base)
    sc = check_positive_expr("scale", scale)
    probs = [
        product_segment_probability(sc * bb ** (-t - 1), sc * bb ** (-t), alpha_=alpha_, beta_=beta_)
        for t in range(1, k_ + 1)
    ]
    lo = min(p.lower for p in probs)
    hi = min(p.upper for p in probs)
    exact = sp.Min(*[p.exact for p in probs]) / 4
    return Enclosure(exact, lo / 4, hi / 4, 15)
