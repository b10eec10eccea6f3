"""Sample complexities of single-weight decompositions (docs/claims.md, L1, L2, L3).

All counts are the least N with  events·(1 - p)^N <= delta  (a union bound over ``events``
independent "no usable sample" events of probability (1 - p)^N each), certified as
ceil(ln(delta/events)/ln(1 - p)); the slides' O(·) forms follow from -ln(1 - p) >= p:
N <= ceil(ln(events/delta)/p).

L1 (Malach et al.: w = 1·σ(w) + (-1)·σ(-w)).  One sample is an intermediate neuron with input weight a
and output weight o, both U[-1, 1].  It is usable for the σ(w) part of a target weight w in [-1, 1] if
|a - w| <= eps and |o - 1| <= eps: probability |[w-eps, w+eps] ∩ [-1, 1]|/2 · eps/2, at least eps^2/4
(attained at |w| = 1; eps <= 1).  Two parts (σ(w), σ(-w)): events = 2.  Hence O(1/eps^2·log 1/delta).

L2 (product weights: w ≈ o·σ(a·) with a > 0, o·a ≈ w).  One sample is usable for the + part if a > 0
and |o·a - w| <= eps: (1/4)·P(|oa| in [|w|-eps, |w|+eps]).  For uniform weights the density of |oa| is
decreasing, so the interval mass is nondecreasing in |w| on [0, eps] and nonincreasing on [eps, oo):
the worst |w| in [0, w_max] is 0 or w_max.  Hence O(1/eps·log 1/delta) when w_max is bounded away from
the edge of the support.  Hyperbolic weights: evaluated at a given |w| (triangular law in log space).

L3 (golden-ratio decomposition).  One hyperbolic sample lands in a given segment with the given signs
with probability >= c (:func:`logprune.bounds.hyperbolic.coverage`, docs/claims.md, L4); k segments:
events = k.
Hence ln(k/delta)/c = O(k·log(k/delta)) = Õ(log 1/eps · log 1/delta) samples per weight.

Blocks with designed signs (docs/claims.md, coverage).  :func:`block_failure` is the probability that
none of a block's P neurons covers one (weight, branch, segment) event: (1 - c)^P for fair signs;
(1 - 2c)^P for designed signs on a one-branch layer (every in-weight has the branch's sign);
(1 - 2c)^floor(P/2) on a two-branch layer (the block alternates +, -: each branch gets at least
floor(P/2) neurons).  :func:`block_size` is the least P whose union bound over every event is <= delta.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import hyperbolic, uniform
from logprune.bounds.certified import Enclosure, certified_ceiling, enclose
from logprune.choices import Signs, choice
from logprune.errors import ParameterError
from logprune.search import least_in
from logprune.validation import check_int, check_open_unit, check_positive, sympy_rational

__all__ = [
    "L1_probability",
    "L1_samples",
    "L2_probability_hyperbolic",
    "L2_probability_uniform",
    "L2_samples",
    "L3_samples",
    "block_failure",
    "block_size",
    "samples_checked",
    "samples_for_confidence",
]


def samples_for_confidence(*, p: Any, events: int, delta: Any) -> int:
    """Least N >= 0 with events·(1-p)^N <= delta, certified (exact tie-break for rational p)."""
    ev = check_int("events", events, minimum=1)
    d = check_open_unit("delta", delta)
    pe = sp.sympify(p) if isinstance(p, sp.Expr) else sympy_rational(check_open_unit("p", p))
    return samples_checked(pe, ev, d)


def samples_checked(pe: sp.Expr, ev: int, d: Fraction) -> int:
    """:func:`samples_for_confidence` for checked exact arguments (0 < p < 1, events >= 1, 0 < delta < 1)."""
    if Fraction(ev) <= d:
        return 0
    expr = sp.log(sympy_rational(d) / ev) / sp.log(1 - pe)
    resolver = None
    if isinstance(pe, sp.Rational):
        pq = Fraction(int(pe.p), int(pe.q))
        resolver = lambda n: ev * (1 - pq) ** n <= d  # noqa: E731 - exact check at a tie only
    return certified_ceiling(expr, exact_resolver=resolver)


def L1_probability(*, w: Any, eps: Any) -> Enclosure:
    """Exact probability that one U[-1,1] neuron is usable for the σ(w) part of w (docs/claims.md, L1)."""
    e = check_open_unit("eps", eps)
    ww = Fraction(w) if isinstance(w, (int, Fraction)) else Fraction(str(w))
    if abs(ww) > 1:
        raise ParameterError(f"w={w}: L1 assumes |w| <= 1")
    lo, hi = max(Fraction(-1), ww - e), min(Fraction(1), ww + e)
    return enclose(sympy_rational((hi - lo) / 2 * (e / 2)))


def L1_samples(*, eps: Any, delta: Any) -> dict[str, Any]:
    """Samples for L1 at the worst target weight |w| = 1: p = eps^2/4, events = 2 (two parts;
    docs/claims.md, L1)."""
    e = check_open_unit("eps", eps)
    d = check_open_unit("delta", delta)
    p = e * e / 4
    n = samples_checked(sympy_rational(p), 2, d)
    upper = certified_ceiling(sp.log(2 / sympy_rational(d)) / sympy_rational(p))
    return {
        "p": enclose(sympy_rational(p)),
        "samples": n,
        "slides_form": upper,
        "asymptotic": "O(1/eps^2 log(1/delta))",
    }


def L2_probability_uniform(*, w: Any, eps: Any, B: Any = 1) -> Enclosure:
    """(1/4)·P(|oa| in [|w|-eps, |w|+eps]) for uniform magnitudes with product range B (docs/claims.md, L2)."""
    e = check_open_unit("eps", eps)
    ww = abs(Fraction(str(w)) if not isinstance(w, (int, Fraction)) else Fraction(w))
    bb = check_positive("B", B)
    lo = max(Fraction(0), ww - e)
    hi = min(bb, ww + e)
    if hi <= lo:
        return enclose(sp.Integer(0))
    mass = uniform.product_segment_probability(sympy_rational(lo) if lo else 0, sympy_rational(hi), B=bb)
    return enclose(mass.exact / 4)


def L2_probability_hyperbolic(*, w: Any, eps: Any, alpha: Any, beta: Any) -> Enclosure:
    """(1/4)·P(|oa| in [|w|-eps, |w|+eps]) for hyperbolic weights on [alpha, beta] (docs/claims.md, L2)."""
    e = check_open_unit("eps", eps)
    ww = abs(Fraction(str(w)) if not isinstance(w, (int, Fraction)) else Fraction(w))
    lo = max(ww - e, Fraction(0))
    mass = hyperbolic.product_segment_probability(
        sympy_rational(lo) if lo else 0, sympy_rational(ww + e), alpha=alpha, beta=beta
    )
    return enclose(mass.exact / 4)


def L2_samples(*, eps: Any, delta: Any, w_max: Any = Fraction(1, 2), B: Any = 1) -> dict[str, Any]:
    """Samples for L2 with uniform weights, worst |w| in [0, w_max] (monotonicity in module doc;
    docs/claims.md, L2)."""
    e = check_open_unit("eps", eps)
    d = check_open_unit("delta", delta)
    wm = check_positive("w_max", w_max)
    p0 = L2_probability_uniform(w=0, eps=e, B=B)
    p1 = L2_probability_uniform(w=wm, eps=e, B=B)
    worst = p0 if p0.upper <= p1.lower else p1 if p1.upper <= p0.lower else None
    if worst is None:  # the two candidates overlap: take the certified smaller lower end
        worst = p0 if p0.lower <= p1.lower else p1
    n = samples_checked(worst.exact, 2, d)
    return {"p": worst, "samples": n, "asymptotic": "O(1/eps log(1/delta))"}


def L3_samples(*, k_segments: int, delta: Any) -> dict[str, Any]:
    """Hyperbolic samples to fill the k segments of one weight (with signs) w.p. >= 1 - delta
    (docs/claims.md, L3)."""
    kk = check_int("k", k_segments, minimum=1)
    d = check_open_unit("delta", delta)
    c = hyperbolic.coverage(kk)
    n = samples_checked(c, kk, d)
    upper = certified_ceiling(sp.log(kk / sympy_rational(d)) / c)
    return {"c": c, "samples": n, "slides_form": upper, "asymptotic": "Õ(log(1/eps) log(1/delta))"}


def _rational_c(c: Any) -> Fraction:
    """A coverage constant 0 < c <= 1/2, exact rational (the designed blocks use 1 - 2c >= 0)."""
    cc = sp.sympify(c) if isinstance(c, sp.Expr) else sympy_rational(check_open_unit("c", c))
    if not (isinstance(cc, sp.Rational) and 0 < cc <= sp.Rational(1, 2)):
        raise ParameterError(f"c={c}: need a rational coverage constant with 0 < c <= 1/2")
    return Fraction(int(cc.p), int(cc.q))


def _failure(c: Fraction, size: int, signs: Signs, branches: int) -> Fraction:
    if signs is Signs.IID:
        return (1 - c) ** size
    return (1 - 2 * c) ** (size if branches == 1 else size // 2)


def block_failure(*, c: Any, size: int, signs: Any = Signs.IID, branches: int = 2) -> sp.Rational:
    """P(no neuron of a block of ``size`` covers one (weight, branch, segment) event), exact upper bound
    (docs/claims.md, coverage): (1 - c)^P with fair signs, (1 - 2c)^P with designed signs on a one-branch
    layer, (1 - 2c)^floor(P/2) on a two-branch layer.

    Assumptions: c is the fair-sign coverage constant of G's law (a rational in (0, 1/2]), the P
    neurons independent; designed signs: a one-branch layer's in-weights all have the branch's sign,
    a two-branch layer's alternate (each branch gets ceil(P/2) or floor(P/2) neurons).  On two-branch
    layers (1 - 2c)^(P/2) <= (1 - c)^P (1 - 2c <= (1 - c)^2): designed signs never need more neurons.

    >>> block_failure(c="1/4", size=3), block_failure(c="1/4", size=3, signs="designed", branches=2)
    (27/64, 1/2)
    """
    cc = _rational_c(c)
    p = check_int("size", size, minimum=0)
    s = choice(Signs, "signs", signs)
    b = check_int("branches", branches, minimum=1, maximum=2)
    f = _failure(cc, p, s, b)
    return sp.Rational(f.numerator, f.denominator)


def block_size(*, c: Any, events: Sequence[tuple[int, int]], signs: Any = Signs.IID, delta: Any) -> int:
    """The least P with sum over ``events`` = [(branches, E), ...] of E·failure(P) <= delta, failure of
    :func:`block_failure` (docs/claims.md, coverage and pooling-B): one block size for every layer, E the
    (weight, branch, segment) events of the layers with that number of branches.

    Assumptions: as :func:`block_failure`; the union bound over every event (no independence needed).
    Fair signs: the sum is (sum E)·(1 - c)^P (:func:`samples_for_confidence`).

    >>> block_size(c="1/36", events=[(1, 100)], delta="1/100")
    327
    >>> block_size(c="1/36", events=[(1, 100)], signs="designed", delta="1/100")
    162
    """
    cc = _rational_c(c)
    s = choice(Signs, "signs", signs)
    d = check_open_unit("delta", delta)
    ev = [(check_int("branches", b, minimum=1, maximum=2), check_int("events", e, minimum=0)) for b, e in events]
    total = sum(e for _, e in ev)
    if total == 0:
        return 0
    if s is Signs.IID:
        return samples_checked(sp.Rational(cc.numerator, cc.denominator), total, d)

    def fits(p: int) -> bool:
        return sum(e * _failure(cc, p, s, b) for b, e in ev) <= d

    # (1 - 2c)^floor(P/2) bounds every term: twice the fair-sign count for 2c bounds P from above
    hi = 2 * samples_checked(sp.Rational(2 * cc.numerator, cc.denominator), total, d) if cc < Fraction(1, 2) else 2
    return least_in(fits, -1, hi)  # fits(hi), and fits is monotone in P
