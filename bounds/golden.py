"""Golden-ratio decomposition (docs/claims.md, L3).

Statement (docs/claims.md, L3).  Fix a base b > 1, a scale s > 0 and k >= 0.  For v in [0, s] and
samples x_i in the segment [s·b^(-i-1), s·b^(-i)], i = 1..k, the greedy rule
"keep x_i iff x_i <= r_(i-1)" with r_0 = v, r_i = r_(i-1) - [kept]·x_i keeps the invariant
0 <= r_i <= s·b^(-i) for *every* choice of samples iff b - 1/b <= 1, i.e. b <= phi.  Hence
k = ceil(log_b(s/eps)) samples, one per segment, approximate any v in [0, s] within s·b^(-k) <= eps.

Derivation of the condition (done by sympy in :func:`derive_admissibility`): if x_i is kept, the worst
case is r_(i-1) = s·b^(-i+1) and x_i = s·b^(-i-1), leaving s·(b^(-i+1) - b^(-i-1)); this is <= s·b^(-i)
iff b - 1/b <= 1.  If x_i is not kept, r_i = r_(i-1) < x_i <= s·b^(-i).  For b > phi the worst case is
attained (:func:`counterexample`), so the condition is necessary; base 2 (b - 1/b = 3/2) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from logprune.bounds.certified import (
    Enclosure,
    arb_of,
    arb_to_interval,
    certainly_le,
    certified_ceiling,
    enclose,
    precision,
)
from logprune.bounds.symbols import b, eps, i, s
from logprune.errors import ParameterError
from logprune.search import least_true
from logprune.validation import check_int, check_positive, parse_base, sympy_rational

__all__ = [
    "Admissibility",
    "AdmissibilityDerivation",
    "admissibility",
    "counterexample",
    "derive_admissibility",
    "greedy",
    "k_certified",
    "k_exact",
    "k_exact_checked",
    "k_symbolic",
    "residual_bound",
    "residual_within_bound",
    "segment",
    "segment_inner_rational",
]


@dataclass(frozen=True)
class AdmissibilityDerivation:
    """The symbolic derivation of L3's admissibility condition."""

    worst_residual_after_keep: sp.Expr  # s·(b^(-i+1) - b^(-i-1))
    invariant_bound: sp.Expr  # s·b^(-i)
    condition: sp.Expr  # b - 1/b <= 1, after dividing by s·b^(-i) > 0
    admissible_set: sp.Set  # solution set over b > 1
    upper_end: sp.Expr  # the largest admissible base (simplifies to GoldenRatio)


def derive_admissibility() -> AdmissibilityDerivation:
    """Derive b <= phi from the greedy invariant (docs/claims.md, L3), symbolically; nothing is hard-coded."""
    worst = s * (b ** (-i + 1) - b ** (-i - 1))
    bound = s * b ** (-i)
    # worst <= bound, divided by the positive bound s·b^(-i): an inequality in b alone
    reduced = sp.simplify(sp.expand(worst / bound))
    condition = sp.Le(reduced, 1)
    solset = sp.solveset(condition, b, domain=sp.Interval.open(1, sp.oo))
    upper = solset.sup
    return AdmissibilityDerivation(worst, bound, condition, solset, sp.nsimplify(upper))


@dataclass(frozen=True)
class Admissibility:
    """Whether a base is admissible for L3, with the slack 1 - (b - 1/b) and a reason."""

    base: sp.Expr
    admissible: bool
    slack: Enclosure
    reason: str


def admissibility(base: Any) -> Admissibility:
    """Decide b - 1/b <= 1 exactly (docs/claims.md, L3).  An inadmissible base is an answer, not an error."""
    bb = parse_base(base)
    slack_expr = sp.nsimplify(1 - (bb - 1 / bb))
    slack = enclose(slack_expr)
    if isinstance(bb, sp.Rational):
        ok = Fraction(int(bb.p), int(bb.q)) ** 2 - Fraction(int(bb.p), int(bb.q)) - 1 <= 0
    else:
        # b = phi: b^2 - b - 1 == 0 exactly (sympy proves it), so the invariant holds with no slack
        ok = sp.simplify(bb**2 - bb - 1) == 0 or slack.lower >= 0
    gap = sp.nsimplify(bb - 1 / bb)
    if ok:
        tight = "tight (b = phi: phi - 1/phi = 1 exactly)" if slack.upper == 0 else f"slack {slack}"
        reason = f"b - 1/b = {sp.sstr(gap)} <= 1: greedy invariant r_i <= s*b^-i holds; {tight}"
    else:
        reason = (
            f"b - 1/b = {sp.sstr(gap)} > 1: keeping x_i = s*b^(-i-1) from r = s*b^(-i+1) leaves "
            f"s*b^(-i)*{sp.sstr(gap)} > s*b^(-i); admissible bases are 1 < b <= phi = (1+sqrt(5))/2"
        )
    return Admissibility(bb, bool(ok), slack, reason)


def k_symbolic() -> sp.Expr:
    """k(eps, s, b) = max(0, ceil(log_b(s/eps))) (docs/claims.md, L3)."""
    return sp.Max(0, sp.ceiling(sp.log(s / eps) / sp.log(b)))


def _power_at_least(bb: sp.Expr, kk: int, r: Fraction) -> bool:
    """Exactly decide b^kk >= r for b rational or b = phi (no rounding anywhere)."""
    if isinstance(bb, sp.Rational):
        return Fraction(int(bb.p), int(bb.q)) ** kk >= r
    if bb is sp.GoldenRatio:
        # phi^k = F(k-1) + F(k)·phi for k >= 1 (Fibonacci; phi^2 = phi + 1), phi^0 = 1.
        if kk == 0:
            return Fraction(1) >= r
        f_prev, f_cur = 0, 1  # F(0), F(1)
        for _ in range(kk - 1):
            f_prev, f_cur = f_cur, f_prev + f_cur
        # F(k-1) + F(k)(1+sqrt5)/2 >= r  <=>  F(k)·sqrt5 >= 2r - 2F(k-1) - F(k)
        rhs = 2 * r - 2 * f_prev - f_cur
        return rhs <= 0 or 5 * f_cur * f_cur >= rhs * rhs
    raise ParameterError(f"base={bb}: exact comparison supports rationals and phi")


def k_exact(*, eps: Any, scale: Any = 1, base: Any = "phi") -> int:
    """Least k >= 0 with scale·b^(-k) <= eps, by exact arithmetic in Q or Q(sqrt 5) (docs/claims.md, L3).

    Equal to max(0, ceil(log_b(scale/eps))); :func:`k_certified` computes the same integer with
    balls, and the test suite checks that they agree.

    >>> k_exact(eps="1e-6")  # phi^-29 <= 1e-6 < phi^-28
    29
    >>> k_exact(eps="1/1024", base=2)  # an exact power: no rounding can move it
    10
    """
    return k_exact_checked(check_positive("scale", scale) / check_positive("eps", eps), parse_base(base))


def k_exact_checked(r: Fraction, bb: sp.Expr) -> int:
    """Least k >= 0 with b^k >= r (r = scale/eps), for checked exact arguments."""
    if r <= 1:
        return 0
    k = least_true(lambda k: _power_at_least(bb, k, r), start=1)  # b^k >= r is monotone in k
    assert k is not None  # b > 1: some power reaches r
    return k


def k_certified(*, eps: Any, scale: Any = 1, base: Any = "phi") -> int:
    """max(0, ceil(log_b(scale/eps))) from the symbolic formula, certified with balls (docs/claims.md, L3).

    When log_b(scale/eps) is an exact integer N (e.g. b = 2, scale/eps = 2^N) no ball can separate N
    from N + epsilon; then the exact decision b^N >= scale/eps settles it.
    """
    e = check_positive("eps", eps)
    sc = check_positive("scale", scale)
    bb = parse_base(base)
    r = sc / e
    if r <= 1:
        return 0
    x = sp.log(sympy_rational(r)) / sp.log(bb)
    return certified_ceiling(x, exact_resolver=lambda n: _power_at_least(bb, n, r))


def residual_bound(*, eps: Any, scale: Any = 1, base: Any = "phi") -> Enclosure:
    """Certified enclosure of scale·b^(-k) for k = :func:`k_exact` (always <= eps, docs/claims.md, L3)."""
    e = check_positive("eps", eps)
    sc = check_positive("scale", scale)
    bb = parse_base(base)
    return enclose(sympy_rational(sc) * bb ** (-k_exact_checked(sc / e, bb)))


def segment(index: int, *, scale: Any = 1, base: Any = "phi") -> tuple[sp.Expr, sp.Expr]:
    """The exact segment [s·b^(-i-1), s·b^(-i)] of index i >= 1 (docs/claims.md, L3)."""
    ii = check_int("index", index, minimum=1)
    sc = check_positive("scale", scale)
    bb = parse_base(base)
    sr = sympy_rational(sc)
    return sr * bb ** (-ii - 1), sr * bb ** (-ii)


def segment_inner_rational(index: int, *, scale: Any = 1, base: Any = "phi") -> tuple[Fraction, Fraction]:
    """Rationals [lo, hi] inside the segment of index ``index`` (exact when the segment is rational).

    For b = phi the ends are irrational: lo is a certified upper bound of the left end and hi a
    certified lower bound of the right end, so every rational in [lo, hi] is a valid sample.
    """
    left, right = segment(index, scale=scale, base=base)
    if isinstance(left, sp.Rational) and isinstance(right, sp.Rational):
        return Fraction(int(left.p), int(left.q)), Fraction(int(right.p), int(right.q))
    with precision(128):
        _, lo = arb_to_interval(arb_of(left))
        hi, _ = arb_to_interval(arb_of(right))
    return lo, hi


def greedy(v: Fraction, samples: Sequence[Fraction]) -> tuple[list[bool], Fraction]:
    """The greedy rule of L3 (docs/claims.md), exactly: keep x_i iff x_i <= remainder.  Returns (kept, residual)."""
    r = Fraction(v)
    kept: list[bool] = []
    for x in samples:
        take = x <= r
        kept.append(take)
        if take:
            r -= x
    return kept, r


def residual_within_bound(residual: Fraction, *, scale: Any, base: Any, k_used: int) -> bool:
    """Certainly residual <= scale·b^(-k_used) (exact for rational bases, balls for phi)."""
    sc = check_positive("scale", scale)
    bb = parse_base(base)
    bound = sympy_rational(sc) * bb ** (-k_used)
    if isinstance(bound, sp.Rational):
        return residual <= Fraction(int(bound.p), int(bound.q))
    for bits in (128, 512, 2048):
        with precision(bits):
            r = flint.arb(flint.fmpq(residual.numerator, residual.denominator))
            bv = arb_of(bound)
            if certainly_le(r, bv):
                return True
            if certainly_le(bv, r):
                # bound <= residual; equality impossible (rational vs irrational), so residual > bound
                return False
    raise ParameterError(f"residual={residual}: comparison with {bound} undecided")


def counterexample(*, base: Any, k_segments: int, scale: Any = 1) -> tuple[Fraction, list[Fraction]]:
    """Samples breaking the invariant for a rational base b > phi (docs/claims.md, L3: the condition is
    necessary).

    v = s·(b^(-(k-1)) - eta) with eta = (b^2 - b - 1)/(2·b^(k+1)) > 0; x_j = s·b^(-j) for j < k (too
    large: skipped) and x_k = s·b^(-k-1) (kept), leaving s·(b^(-k+1) - b^(-k-1) - eta) > s·b^(-k).
    """
    bb = parse_base(base)
    kk = check_int("k_segments", k_segments, minimum=1)
    sc = check_positive("scale", scale)
    if not isinstance(bb, sp.Rational):
        raise ParameterError(f"base={bb}: counterexample needs a rational base")
    q = Fraction(int(bb.p), int(bb.q))
    if q * q - q - 1 <= 0:
        raise ParameterError(f"base={bb}: admissible (b <= phi), no counterexample exists")
    eta = (q * q - q - 1) / (2 * q ** (kk + 1))
    v = sc * (q ** (-(kk - 1)) - eta)
    xs = [sc * q ** (-j) for j in range(1, kk)] + [sc * q ** (-kk - 1)]
    return v, xs
