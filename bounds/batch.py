"""Batch sampling (docs/claims.md, L4).

Statement.  M i.i.d. samples each fall in category t (t = 1..k, disjoint) with probability
p_t >= c.  If M >= (2/c)(m + ln(k/delta)) then every category receives at least m samples with
probability >= 1 - delta:  M = ceil((2/c)(m + ln(k/delta))).

Derivation (checked by sympy in :func:`chernoff_derivation`).  X_t ~ Bin(M, p_t) stochastically dominates
Bin(M, c), mean mu = M·c >= 2(m + L) with L = ln(k/delta).  The multiplicative Chernoff bound
P(X < m) <= exp(-(mu - m)^2/(2 mu)) (valid for m <= mu) and (mu - m)^2/(2 mu) - L = m^2/(4(m + L)) >= 0 at
mu = 2(m + L) (and the exponent grows with mu for mu >= m) give P(X_t < m) <= delta/k; a union bound over
the k categories ends the proof.

``M_exact``: the least M with k·P[Bin(M, c) < m] <= delta: the same union bound with the exact binomial
tail instead of Chernoff.  It is computed in exact integer arithmetic (c = p/q rational:
q^M·P[Bin(M, c) < m] = sum_{j<m} C(M, j) p^j (q-p)^(M-j)); the tail is nonincreasing in M, so a
guess located in floating point (log space) is confirmed or corrected by exact checks (at M and M - 1
when it is right).  An irrational c is replaced by a certified rational lower bound (the tail is
decreasing in c, so M stays valid).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import symbols as sym
from logprune.bounds.certified import certified_ceiling, rational_lower_bound
from logprune.search import least_true
from logprune.validation import MAX_SIZE, check_int, check_open_unit, sympy_rational

__all__ = [
    "EXACT_BITS_MAX",
    "EXACT_WORK_MAX",
    "M",
    "M_checked",
    "M_exact",
    "M_symbolic",
    "binomial_tail",
    "chernoff_derivation",
    "exact_affordable",
    "exact_condition",
]


def M_symbolic() -> sp.Expr:
    """M = ceil((2/c)(m + ln(k/delta))) (docs/claims.md, L4)."""
    return sp.ceiling(2 / sym.c * (sym.m + sp.log(sym.k / sym.delta)))


def chernoff_derivation() -> dict[str, sp.Expr]:
    """The symbolic steps of L4: the Chernoff exponent at mu = 2(m + L) exceeds L by m^2/(4(m+L))."""
    mu, m, L = sym.mu, sym.m, sym.L
    exponent = (mu - m) ** 2 / (2 * mu)
    at_choice = exponent.subs(mu, 2 * (m + L))
    excess = sp.factor(sp.simplify(at_choice - L))
    growth = sp.factor(sp.diff(exponent, mu))  # (mu^2 - m^2)/(2 mu^2) >= 0 for mu >= m
    return {"exponent": exponent, "at_mu_2(m+L)": at_choice, "excess_over_L": excess, "d_exponent_dmu": growth}


# The exact search decides k·P[Bin(M, c) < m] <= delta on integers of about M·log2(1/c) bits, m terms per
# decision: affordable (at most about 20 s) while M·bits <= 2^25 and m·M·bits <= 2e10 (measured: c = 1/8,
# m = 10^4: 2 s; c = 1/1000, m = 1000: 21 s; c = 1e-6, m = 1: over a minute).  Beyond, M_exact is not
# computed and the report says so.
EXACT_BITS_MAX = 2**25
EXACT_WORK_MAX = 2 * 10**10


def exact_affordable(*, c: Fraction, m: int, M_upper: int) -> bool:
    """Is the exact search for M_exact (at most ``M_upper``, the Chernoff M) within the budget above?"""
    bits = M_upper * max(c.denominator.bit_length(), 1)
    return bits <= EXACT_BITS_MAX and m * bits <= EXACT_WORK_MAX


def _c_rational(c: Any) -> Fraction:
    if isinstance(c, sp.Expr) and not isinstance(c, sp.Rational):
        return rational_lower_bound(c)
    return check_open_unit("c", c)


def M(*, c: Any, m: int, k: int, delta: Any) -> int:
    """The slides' batch size ceil((2/c)(m + ln(k/delta))), certified (docs/claims.md, L4).

    >>> M(c="0.05", m=1, k=20, delta="0.01")
    345
    """
    cc = sp.sympify(c) if isinstance(c, sp.Expr) else sympy_rational(check_open_unit("c", c))
    return M_checked(cc, check_int("m", m, maximum=MAX_SIZE), check_int("k", k), check_open_unit("delta", delta))


@functools.lru_cache(maxsize=256)
def M_checked(c: sp.Expr, m: int, k: int, delta: Fraction) -> int:
    """:func:`M` for checked exact arguments; cached (a table asks it once per layer, with equal values)."""
    return certified_ceiling(2 / c * (m + sp.log(k / sympy_rational(delta))))


def binomial_tail(*, M: int, c: Fraction, m: int) -> Fraction:
    """P[Bin(M, c) < m] as an exact rational."""
    num = _tail_numerator(M, c.numerator, c.denominator, m)
    return Fraction(num, c.denominator**M)


def _tail_numerator(M: int, p: int, q: int, m: int) -> int:
    """sum_{j < m} C(M, j) p^j (q - p)^(M - j), exactly (term ratio recurrence, exact divisions)."""
    if M < 0:
        raise ValueError("M must be >= 0")
    r = q - p
    term = r**M  # j = 0
    total = 0
    for j in range(min(m, M + 1)):
        total += term
        if j + 1 <= M:
            # C(M, j+1) p^(j+1) r^(M-j-1) = term·(M-j)·p / ((j+1)·r): an exact integer division
            term = term * (M - j) * p // ((j + 1) * r) if r else 0
    return total


def exact_condition(*, M: int, c: Fraction, m: int, k: int, delta: Fraction) -> bool:
    """Exactly decide k·P[Bin(M, c) < m] <= delta in integers (docs/claims.md, L4)."""
    num = _tail_numerator(M, c.numerator, c.denominator, m)
    return bool(k * num * delta.denominator <= delta.numerator * c.denominator**M)


def M_exact(*, c: Any, m: int, k: int, delta: Any) -> int:
    """Least M with k·P[Bin(M, c) < m] <= delta, decided in exact integer arithmetic (docs/claims.md, L4).

    >>> M_exact(c="0.05", m=1, k=20, delta="0.01")  # 20·0.95^149 <= 0.01 < 20·0.95^148
    149
    """
    cq = _c_rational(c)
    mm = check_int("m", m, maximum=MAX_SIZE)
    kk = check_int("k", k)
    d = check_open_unit("delta", delta)

    def ok(n: int) -> bool:
        return n >= mm and exact_condition(M=n, c=cq, m=mm, k=kk, delta=d)

    # the float guess places the exact search (a monotone predicate): a good guess costs two evaluations
    found = least_true(ok, start=mm, guess=_float_guess(cq, mm, kk, d))
    assert found is not None  # the tail tends to 0: some M meets delta
    return found


def _float_guess(c: Fraction, m: int, k: int, delta: Fraction) -> int:
    """Locate the threshold with a float log-space tail (a guess only: it is checked exactly)."""
    lc, l1c = math.log(c.numerator / c.denominator), math.log1p(-c.numerator / c.denominator)
    target = math.log(delta.numerator / delta.denominator / k)

    def log_tail(n: int) -> float:
        if n < m:
            return 0.0
        terms = [
            math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * lc + (n - j) * l1c for j in range(m)
        ]
        top = max(terms)
        return top + math.log(math.fsum(math.exp(x - top) for x in terms))

    found = least_true(lambda n: log_tail(n) <= target, start=m)
    assert found is not None
    return found
