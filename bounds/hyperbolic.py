"""The hyperbolic (log-uniform) weight law and the coverage constant c (docs/claims.md, L3, L4).

Law.  |w| has density 1/(|w|·ln(beta/alpha)) on [alpha, beta]; the sign is fair and independent.  So
ln|w| is uniform on [ln alpha, ln beta] and any segment [x, b·x] inside [alpha, beta] has probability
ln(b)/ln(beta/alpha): logarithmic in the range (docs/claims.md, L3).  The law itself, with its density,
CDF, segment probabilities and sampler, is :class:`logprune.bounds.laws.HyperbolicLaw`; the functions
here are its generic (symbolic) formulas and keyword wrappers.

Product.  For independent hyperbolic a, b with the same log-width L = ln(beta/alpha), ln|a| + ln|b| is
triangular on [2 ln alpha, 2 ln beta] with half-width L (docs/claims.md, L3);
:func:`product_segment_probability` evaluates its CDF exactly.

Coverage.  The greedy decomposition of L3 at scale s uses the k segments
[s·b^(-t-1), s·b^(-t)], t = 1..k, i.e. a log-region of width R = k·h, h = ln b.  For a symmetric
triangle of half-width L centred on the region, the least likely segments are the two end segments,
each of probability g(L) = h·(L - R/2 + h/2)/L^2 (k >= 2).  sympy maximises g
(:func:`derive_coverage`): L* = R - h = (k-1)·ln b, g(L*) = 1/(2(k-1)).  With the sign conditions
(sign a fixed by the branch, sign ab = sign w: probability 1/4, independent of the magnitudes)
c = 1/(8(k-1)).  Shifting the centre by d with |d| <= R/2 - h keeps the sum of the two end masses
constant, so the minimum cannot rise above g(L); larger shifts lower the sum: the centred placement is
optimal.

Difference from the digest (docs/claims.md, L4): the digest takes ln(beta/alpha) = R, giving
(k+1)/(2k^2) >= 1/(2k) per segment and c >= 1/(8k).  The maximiser is ln(beta/alpha) = (k-1)·ln b,
which gives the larger c = 1/(8(k-1)) for k >= 2 (:func:`coverage_digest` keeps the digest's value for
comparison).  For k = 1 any L <= h/2 puts all the mass in the single segment: c = 1/4.

Separate supports (docs/claims.md, coverage).  For ANY laws of |a| and |b| the k segments partition
the region [s·b^(-k-1), s·b^(-1)], so the least segment probability is at most the average, <= 1/k: a
global optimum over all laws.  It is attained by |b| = m fixed and ln|a| uniform on an interval of
width exactly k·ln b aligned with the region (:func:`optimal_supports`): every segment has probability
1/k.  With fair signs c = 1/(4k) (:func:`coverage_separate`), about twice 1/(8(k-1)).  With designed
signs the in-weight's sign is the branch's by construction and only sign(ab) = sign(w) remains (1/2):
a neuron of the branch covers a segment w.p. 2c (:func:`coverage_designed`).  For k = 1 all three
agree with the shared support's c = 1/4 (fair) and 1/2 (designed).

ReLU is positively homogeneous, so only the product's centre ln(alpha_a·beta_a·alpha_b·beta_b)/2 matters:
(a, b) -> (t·a, b/t) leaves every product unchanged, and :func:`optimal_support` returns one law for
both factors (the same law for input and output weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from logprune.bounds import laws
from logprune.bounds.certified import Enclosure, arb_of, arb_to_interval, enclose
from logprune.bounds.symbols import L, alpha, beta, h, k
from logprune.errors import CertificationError, ParameterError
from logprune.validation import check_int, parse_base

__all__ = [
    "CoverageDerivation",
    "cdf",
    "coverage",
    "coverage_designed",
    "coverage_digest",
    "coverage_for_support",
    "coverage_separate",
    "coverage_separate_checked",
    "density",
    "derive_coverage",
    "inverse_cdf",
    "magnitude_cdf",
    "optimal_support",
    "optimal_supports",
    "product_segment_probability",
    "segment_probability",
]

_GENERIC = laws.HyperbolicLaw(alpha, beta)  # symbolic parameters: the formulas of the law


def density() -> sp.Expr:
    """Signed density 1/(2|w| ln(beta/alpha)) on alpha <= |w| <= beta, 0 elsewhere (symbols alpha, beta, w)."""
    return _GENERIC.density()


def magnitude_cdf() -> sp.Expr:
    """P(|w| <= x) = ln(x/alpha)/ln(beta/alpha) on [alpha, beta] (symbols alpha, beta, x)."""
    return _GENERIC.magnitude_cdf()


def cdf() -> sp.Expr:
    """P(W <= w) for the signed law (fair sign; symbols alpha, beta, w)."""
    return _GENERIC.cdf()


def inverse_cdf() -> sp.Expr:
    """The quantile function: -beta·(alpha/beta)^(2q) for q < 1/2, alpha·(beta/alpha)^(2q-1) else."""
    return _GENERIC.inverse_cdf()


def segment_probability(*, alpha: Any, beta: Any, base: Any = "phi", signed: bool = False) -> Enclosure:
    """P(|w| in [x, b·x]) = ln b / ln(beta/alpha) for any segment inside [alpha, beta] (docs/claims.md, L3).

    With ``signed`` the sign is also prescribed (probability halved).
    """
    law = laws.hyperbolic(alpha=alpha, beta=beta)
    b = parse_base(base)
    _, b_hi = arb_to_interval(arb_of(b))
    ratio_lo, _ = arb_to_interval(arb_of(law.beta / law.alpha))
    if not b_hi <= ratio_lo:  # certainly b <= beta/alpha
        raise ParameterError(f"base={base}: no segment of ratio b fits in [alpha, beta]=[{alpha}, {beta}]")
    p = law.segment_probability(law.alpha, law.alpha * b)
    return enclose(p.exact / 2) if signed else p


def product_segment_probability(lo: Any, hi: Any, *, alpha: Any, beta: Any) -> Enclosure:
    """P(|a·b| in [lo, hi]) for independent a, b of the hyperbolic law on [alpha, beta] (lo may be 0)."""
    return laws.hyperbolic(alpha=alpha, beta=beta).product_segment_probability(lo, hi)


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
    """Derive the optimal log-width of the hyperbolic support and c, symbolically (docs/claims.md, L4)."""
    R = k * h
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
    """The coverage constant c(k) = 1/(8(k-1)) (k >= 2), 1/4 (k = 1): exact rational (docs/claims.md, L4).

    >>> coverage(21), coverage_digest(21)
    (1/160, 11/1764)
    """
    return _coverage(check_int("k", k_segments, minimum=1))


def _coverage(k_: int) -> sp.Rational:
    """c(k) for an already checked k >= 1."""
    if k_ == 1:
        return sp.Rational(1, 4)
    return sp.Rational(1, 8 * (k_ - 1))


def coverage_digest(k_segments: int) -> sp.Rational:
    """The digest's placement ln(beta/alpha) = k ln b: c = (k+1)/(8k^2) (>= 1/(8k)), for comparison."""
    k_ = check_int("k", k_segments, minimum=1)
    return sp.Rational(k_ + 1, 8 * k_ * k_)


def optimal_support(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> laws.HyperbolicLaw:
    """The law maximising the coverage of the k segments of scale s (docs/claims.md, L4): alpha =
    sqrt(s)·b^(-3k/4), beta = sqrt(s)·b^((k-4)/4) (:func:`logprune.bounds.laws.optimal_support`)."""
    return laws.optimal_support(k_segments=k_segments, base=base, scale=scale)


def coverage_for_support(*, k_segments: int, alpha: Any, beta: Any, base: Any = "phi", scale: Any = 1) -> Enclosure:
    """c for a given support: (1/4)·min over the k segments of P(|ab| in segment), certified
    (docs/claims.md, L4).  The lower end of the returned enclosure is a valid coverage constant."""
    return laws.hyperbolic(alpha=alpha, beta=beta).coverage(k=k_segments, scale=scale, base=base)


def coverage_separate(k_segments: int) -> sp.Rational:
    """The coverage constant of the separate supports with fair signs, c = 1/(4k): exact rational
    (docs/claims.md, coverage; it is L4's c for G's default law).

    Assumptions: k >= 1 integer; in-weights log-uniform on a log-width of exactly k·ln b aligned with
    the k segments, out-weights of fixed magnitude (:func:`optimal_supports`), signs fair and independent
    (sign a fixed by the branch: 1/2; sign ab = sign w: 1/2).  1/k per segment is the largest least
    segment probability of any laws of |a| and |b|, so 1/(4k) is optimal for fair signs.

    >>> coverage_separate(9), coverage(9)
    (1/36, 1/64)
    """
    return coverage_separate_checked(check_int("k", k_segments, minimum=1))


def coverage_separate_checked(k_: int) -> sp.Rational:
    """1/(4k) for an already checked k >= 1."""
    return sp.Rational(1, 4 * k_)


def coverage_designed(k_segments: int, *, separate: bool = True) -> sp.Rational:
    """The coverage constant with designed in-weight signs: the probability that one neuron whose
    in-weight has the branch's sign by design covers a given segment with sign(ab) = sign(w)
    (docs/claims.md, coverage): twice the fair constant, 1/(2k) for the separate supports
    (``separate``), 1/(4(k-1)) (k >= 2) and 1/2 (k = 1) for the shared support of L4.

    Assumptions: k >= 1 integer; the out-weight's sign fair and independent of the magnitudes; which
    neurons a branch gets is fixed by design (all of a one-branch layer's block, every other neuron of a
    two-branch layer's block: :func:`logprune.bounds.sampling.block_failure`).

    >>> coverage_designed(9), coverage_designed(9, separate=False)
    (1/18, 1/32)
    """
    k_ = check_int("k", k_segments, minimum=1)
    return 2 * (coverage_separate_checked(k_) if separate else _coverage(k_))


def optimal_supports(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> laws.SeparateLaws:
    """The pair of laws attaining the coverage optimum 1/k per segment (docs/claims.md, coverage):
    in-weights log-uniform on [m·b^(-k/2), m·b^(k/2)], out-weights |b| = m = sqrt(s)·b^(-(k+2)/4)
    (:func:`logprune.bounds.laws.optimal_supports`; ``.inner`` and ``.outer`` are the two laws)."""
    return laws.optimal_supports(k_segments=k_segments, base=base, scale=scale)
