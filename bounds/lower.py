"""Lower bounds on the number of sampled weights of G (docs/claims.md, counting, param-counting, entropy).

The unit is the table's: sampled weights of G (weights a pruning may keep) per target weight.  Every bound
is a volume count for a random G that works with probability >= 1 - delta for each fixed target: by
averaging (Tonelli) some outcome of G covers a (1 - delta) fraction, by volume, of the targets, and a
pruning covers at most a set of volume V_1, so (number of prunings)·V_1 >= (1 - delta)·(volume of the
targets).  The factor (1 - delta) is the additive log2(1 - delta) of each bound.

- :func:`counting_lower_bound` (docs/claims.md, counting): per-weight approximation (every target weight
  within eps), m target weights in [-w_max, w_max], any depth: N >= m·log2(w_max/eps) + log2(1 - delta).
- :func:`parameter_counting_lower_bound` (docs/claims.md, param-counting; the statement of Pensia et al.
  2020): function approximation of one d×d layer x -> Wx, ||W||_2 <= norm, sup over ||x||_2 <= 1:
  N >= d^2·log2(norm/(2 eps)) + log2(1 - delta).
- :func:`entropy_lower_bound` (docs/claims.md, entropy; after Natale et al. 2024): the same targets, tickets
  of at most k kept weights among n sampled: sum_{j<=k} C(n, j) >= (1 - delta)·(norm/(2 eps))^(d^2), hence
  n·H2(k/n) >= d^2·log2(norm/(2 eps)) + log2(1 - delta) for k <= n/2.  ``total`` is the least n of the
  exact binomial condition (certified by exact integers), which is >= the least n of the H2 form.

Every integer is exact: a ceiling of a log2 is certified by arb balls, and a tie (the volume ratio a power
of 2) is settled by exact integer arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from logprune.bounds.certified import Enclosure, certainly_lt, certified_ceiling, enclose, precision
from logprune.errors import CertificationError, ParameterError
from logprune.search import least_true
from logprune.validation import MAX_SIZE, check_int, check_open_unit, check_positive, sympy_rational

__all__ = [
    "MAX_EXACT_BITS",
    "LowerBound",
    "binomial_prefix_sum",
    "counting_checked",
    "counting_lower_bound",
    "entropy_h2_checked",
    "entropy_lower_bound",
    "entropy_lower_bound_per_target_weight",
    "param_counting_checked",
    "parameter_counting_lower_bound",
]

#: The exact integer arithmetic of a bound is at most this many bits (a tie check, or the entropy bound's
#: exact binomial sums): 2^24 bits is a 2 MB integer, a fraction of a second per operation.
MAX_EXACT_BITS = 2**24

#: d of the one-layer bounds: d^2 <= MAX_SIZE target weights, as for every size of logprune.
MAX_D = math.isqrt(MAX_SIZE)

#: The entropy bound's least n is searched up to 2^62 (beyond, the bound is reported as too large).
MAX_N = 2**62


@dataclass(frozen=True, kw_only=True)
class LowerBound:
    """A lower bound on the sampled weights of G.

    ``total`` is the certified least integer N that the bound allows; ``per_target_weight`` is
    total / target_weights (exact, radius 0), the table's unit; ``bits`` is the closed real number
    log2(number of prunings) must reach; ``expression`` is the bound's inequality in N (or n);
    ``real_per_target_weight`` is bits / target_weights for the counting bounds; for the entropy bound
    the least real n of the H2 form over target_weights when that form binds (k <= n/2 there; located in
    floating point, informational), else bits / target_weights.
    """

    name: str
    claim: str
    total: int
    target_weights: int
    per_target_weight: Enclosure
    bits: sp.Expr
    expression: sp.Basic
    scope: str
    real_per_target_weight: Enclosure
    parameters: tuple[tuple[str, str], ...]
    bound: str = "lower"

    def ratio(self, sampled: int) -> Fraction:
        """An upper row's sampled weights over this bound's total (the table's ratio column)."""
        s = check_int("sampled", sampled, minimum=0)
        if self.total == 0:
            raise ParameterError(f"total={self.total}: the bound is 0, no ratio")
        return Fraction(s, self.total)


def _log2(x: sp.Expr) -> sp.Expr:
    return sp.log(x) / sp.log(2)


def _odd_part(x: int) -> tuple[int, int]:
    """(v, u) with x = 2^v·u, u odd (x > 0)."""
    v = (x & -x).bit_length() - 1
    return v, x >> v


def _power_times_le_pow2(base: Fraction, power: int, factor: Fraction, n: int) -> bool:
    """Exactly: base^power · factor <= 2^n (base, factor > 0 rationals, power >= 0).

    Equality (a power of 2) is decided without forming base^power; a strict comparison needs the full
    integers and is refused beyond :data:`MAX_EXACT_BITS`."""
    a_v, a = _odd_part(base.numerator)
    b_v, b = _odd_part(base.denominator)
    s_v, s = _odd_part(factor.numerator)
    t_v, t = _odd_part(factor.denominator)
    exponent = power * (a_v - b_v) + s_v - t_v
    # odd parts: a^power·s == b^power·t with gcd(a, b) = gcd(s, t) = 1 forces a^power = t, b^power = s
    if (a == 1 or power == 0 or power * (a.bit_length() - 1) <= t.bit_length()) and (
        b == 1 or power == 0 or power * (b.bit_length() - 1) <= s.bit_length()
    ):
        if a**power == t and b**power == s:
            return exponent <= n
    size = power * (base.numerator.bit_length() + base.denominator.bit_length())
    if size > MAX_EXACT_BITS:
        raise CertificationError(
            f"base={base}, power={power}: the comparison with 2^{n} needs {size} bits of exact arithmetic"
        )
    lhs: int = base.numerator**power * factor.numerator
    rhs: int = base.denominator**power * factor.denominator
    return lhs <= (rhs << n) if n >= 0 else (lhs << -n) <= rhs


def _least_bits(base: Fraction, power: int, one_minus_delta: Fraction) -> tuple[sp.Expr, int]:
    """bits = power·log2(base) + log2(1 - delta) and the least integer N >= max(0, bits), certified."""
    bits = power * _log2(sympy_rational(base)) + _log2(sympy_rational(one_minus_delta))
    n = certified_ceiling(bits, exact_resolver=lambda k: _power_times_le_pow2(base, power, one_minus_delta, k))
    return bits, max(0, n)


def _params(**kw: Any) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in kw.items())


def counting_lower_bound(*, m: int, eps: Any, delta: Any, w_max: Any = 1) -> LowerBound:
    """The counting bound (docs/claims.md, counting).

    Assumptions: a construction that, for every target with m weights in [-w_max, w_max], gives with
    probability >= 1 - delta (over G) a pruning whose m effective weights are each within eps of the
    target's (per-weight approximation; any depth, any law of G, any pruning rule).  Then G has
    N >= m·log2(w_max/eps) + log2(1 - delta) sampled weights.  0 < eps, delta < 1, w_max > 0, m >= 1.

    >>> b = counting_lower_bound(m=100_000, eps="1/100", delta="1/100", w_max="1/10")
    >>> b.total, b.per_target_weight.short()
    (332193, '3.32193')
    """
    return counting_checked(
        check_int("m", m, maximum=MAX_SIZE),
        check_open_unit("eps", eps),
        check_open_unit("delta", delta),
        check_positive("w_max", w_max),
    )


def counting_checked(m_: int, e: Fraction, d: Fraction, w: Fraction) -> LowerBound:
    """:func:`counting_lower_bound` for checked arguments (the table calls it with its setting's values)."""
    bits, total = _least_bits(w / e, m_, 1 - d)
    n = sp.Symbol("N", integer=True, nonnegative=True)
    return LowerBound(
        name="counting_lower_bound",
        claim="counting",
        total=total,
        target_weights=m_,
        per_target_weight=enclose(sp.Rational(total, m_)),
        bits=bits,
        expression=sp.GreaterThan(n, bits, evaluate=False),
        scope=(
            "every construction approximating each of the m target weights in [-w_max, w_max] within eps "
            "(any depth), w.p. >= 1 - delta for each target"
        ),
        real_per_target_weight=enclose(bits / m_),
        parameters=_params(m=m_, eps=e, delta=d, w_max=w),
    )


def parameter_counting_lower_bound(*, d: int, eps: Any, delta: Any, norm: Any = 1) -> LowerBound:
    """The parameter-counting bound of Pensia et al. 2020 (docs/claims.md, param-counting).

    Assumptions: one target layer x -> Wx, W a d×d matrix with ||W||_2 <= norm; a G whose prunings, for
    every such W, contain with probability >= 1 - delta (over G) one with
    sup_{||x||_2 <= 1} ||Ĝ(x) - Wx||_2 <= eps.  Then N >= d^2·log2(norm/(2 eps)) + log2(1 - delta)
    sampled weights (>= d^2·log2(norm/(2 eps)) - 1 for delta <= 1/2).  Nothing is claimed here for
    targets of several layers.

    >>> b = parameter_counting_lower_bound(d=100, eps="1/100", delta="1/100")
    >>> b.total, b.per_target_weight.short()
    (56439, '5.6439')
    """
    return param_counting_checked(
        check_int("d", d, maximum=MAX_D),
        check_open_unit("eps", eps),
        check_open_unit("delta", delta),
        check_positive("norm", norm),
    )


def param_counting_checked(d_: int, e: Fraction, dl: Fraction, r: Fraction) -> LowerBound:
    """:func:`parameter_counting_lower_bound` for checked arguments."""
    bits, total = _least_bits(r / (2 * e), d_ * d_, 1 - dl)
    n = sp.Symbol("N", integer=True, nonnegative=True)
    return LowerBound(
        name="pensia2020_lower_bound",
        claim="param-counting",
        total=total,
        target_weights=d_ * d_,
        per_target_weight=enclose(sp.Rational(total, d_ * d_)),
        bits=bits,
        expression=sp.GreaterThan(n, bits, evaluate=False),
        scope=(
            "function approximation (sup over ||x||_2 <= 1, error eps) of every one d×d layer x -> Wx with "
            "||W||_2 <= norm, w.p. >= 1 - delta for each W; one layer only"
        ),
        real_per_target_weight=enclose(bits / (d_ * d_)),
        parameters=_params(d=d_, eps=e, delta=dl, norm=r),
    )


def binomial_prefix_sum(n: int, k: int) -> int:
    """sum_{j=0}^{min(k, n)} C(n, j), exactly (the prunings keeping at most k of n weights)."""
    if k >= n:
        return 1 << n
    if 2 * k > n:  # the complement is shorter: 2^n - sum_{j <= n-k-1} C(n, j)
        return (1 << n) - binomial_prefix_sum(n, n - k - 1)
    term, total = 1, 1
    for j in range(1, k + 1):
        term = term * (n - j + 1) // j
        total += term
    return total


def _least_n(k: int, num: int, den: int) -> int:
    """The least n >= 0 with den·sum_{j<=k} C(n, j) >= num (exact; the sum increases with n).  A float
    guess from the H2 form only places the search: exact galloping, then exact bisection."""

    def ok(n: int) -> bool:
        return den * binomial_prefix_sum(n, k) >= num

    if ok(0):
        return 0
    # num/den >= 2^(num.bit_length() - 1 - den.bit_length()) and sum_{j<=k} C(n, j) <= (n + 1)^k
    if 63 * k < num.bit_length() - 1 - den.bit_length() or not ok(MAX_N):
        raise ParameterError(f"kept={k}: the least n is beyond {MAX_N} sampled weights (too few kept weights)")
    need = Fraction(num.bit_length() - den.bit_length())
    real = _least_n_h2(k, need)
    found = least_true(ok, start=1, cap=MAX_N, guess=max(1, int(need) if real is None else int(real)))
    assert found is not None  # ok(MAX_N) was checked above
    return found


def _least_n_h2(k: int, bits: Fraction) -> Fraction | None:
    """The least real n >= 2k with n·H2(k/n) >= ``bits``, located in floating point (a guess for the exact
    search and an informational companion of the exact total, never a certified number).  None when
    2k·H2(1/2) = 2k >= bits: then the H2 form (stated for k <= n/2) does not bind."""
    if k <= 0 or 2 * k >= bits:
        return None
    lo, hi = 2.0 * k, 2.0 * k
    while _entropy_bits_real(hi, k) < bits:  # n·H2(k/n) increases with n
        lo, hi = hi, 2 * hi
        if hi > MAX_N:
            return None
    for _ in range(200):
        mid = (lo + hi) / 2
        if _entropy_bits_real(mid, k) >= bits:
            hi = mid
        else:
            lo = mid
    return Fraction(hi).limit_denominator(1024)


def _entropy_bits_real(n: float, k: int) -> float:
    p = k / n
    return n * (-p * math.log2(p) - (1 - p) * math.log2(1 - p))


def entropy_lower_bound(*, d: int, eps: Any, delta: Any, kept: int, norm: Any = 1) -> LowerBound:
    """The entropy bound for sparse tickets (docs/claims.md, entropy; after Natale et al. 2024).

    Assumptions: the targets and the approximation of :func:`parameter_counting_lower_bound` (one d×d
    layer, ||W||_2 <= norm, sup over ||x||_2 <= 1, w.p. >= 1 - delta for each W), and prunings that keep at
    most ``kept`` = k of the n sampled weights.  Then sum_{j<=k} C(n, j)·(2 eps/norm)^(d^2) >= 1 - delta;
    ``total`` is the least such n, exactly.  Since sum_{j<=k} C(n, j) <= 2^(n·H2(k/n)) for k <= n/2, also
    n·H2(k/n) >= d^2·log2(norm/(2 eps)) + log2(1 - delta) (``expression``).

    >>> entropy_lower_bound(d=10, eps="1/100", delta="1/100", kept=100).total
    1949
    """
    return _entropy(
        check_int("d", d, maximum=MAX_D),
        check_open_unit("eps", eps),
        check_open_unit("delta", delta),
        check_int("kept", kept, maximum=MAX_SIZE),
        check_positive("norm", norm),
    )


def _entropy(d_: int, e: Fraction, dl: Fraction, k: int, r: Fraction) -> LowerBound:
    """:func:`entropy_lower_bound` for checked arguments."""
    dim = d_ * d_
    base = r / (2 * e)
    size = dim * max(base.numerator.bit_length(), base.denominator.bit_length())
    if size > MAX_EXACT_BITS:
        raise ParameterError(
            f"d={d_}, eps={e}: the exact entropy bound needs (norm/(2 eps))^(d^2), about {size} bits, "
            f"beyond {MAX_EXACT_BITS}"
        )
    need = (1 - dl) * base**dim  # prunings needed: sum_{j<=k} C(n, j) >= need
    if min(k, size) * size > 2**34:  # about min(k, n - k) terms of about ``size`` bits, per tried n
        raise ParameterError(f"kept={k}: the exact binomial sums for d={d_} are beyond the work logprune does")
    total = _least_n(k, need.numerator, need.denominator)
    bits = dim * _log2(sympy_rational(base)) + _log2(sympy_rational(1 - dl))
    n_sym = sp.Symbol("n", integer=True, positive=True)
    p = sp.Rational(k) / n_sym
    h2 = -p * _log2(p) - (1 - p) * _log2(1 - p)
    real_n = _least_n_h2(k, enclose(bits).lower)
    # the relaxations: n >= bits always (the sum is <= 2^n), n·H2(k/n) >= bits for k <= n/2
    real = enclose(sympy_rational(real_n) / dim) if real_n is not None else enclose(bits / dim)
    return LowerBound(
        name="natale2024_lower_bound",
        claim="entropy",
        total=total,
        target_weights=dim,
        per_target_weight=enclose(sp.Rational(total, dim)),
        bits=bits,
        expression=sp.GreaterThan(n_sym * h2, bits, evaluate=False),
        scope=(
            "as pensia2020_lower_bound (one d×d layer, function approximation) with tickets of at most "
            "kept weights among the n sampled"
        ),
        real_per_target_weight=real,
        parameters=_params(d=d_, eps=e, delta=dl, kept=k, norm=r),
    )


def entropy_lower_bound_per_target_weight(*, d: int, eps: Any, delta: Any, kappa: Any, norm: Any = 1) -> LowerBound:
    """:func:`entropy_lower_bound` with kappa kept weights per target weight: k = floor(kappa·d^2)
    (docs/claims.md, entropy; same assumptions).  Its ``per_target_weight`` is the least sampled weights
    per target weight for that sparsity."""
    d_ = check_int("d", d, maximum=MAX_D)
    kap = check_positive("kappa", kappa)
    k = math.floor(kap * d_ * d_)
    if k < 1:
        raise ParameterError(f"kappa={kappa}: keeps no weight of a {d_}×{d_} layer (kappa·d^2 < 1)")
    return entropy_lower_bound(d=d_, eps=eps, delta=delta, kept=k, norm=norm)


def _h2_certainly_below(n: int, k: int, bits_lo: Fraction) -> bool:
    """Certainly n·H2(k/n) < bits_lo (arb balls; n > k >= 1): k·log2(n/k) + (n-k)·log2(n/(n-k)) < bits_lo."""
    with precision(128):
        nn, kk = flint.arb(n), flint.arb(k)
        f = (kk * (nn / kk).log() + (nn - kk) * (nn / (nn - kk)).log()) / flint.arb(2).log()
        return certainly_lt(f, flint.arb(flint.fmpq(bits_lo.numerator, bits_lo.denominator)))


def entropy_h2_checked(d_: int, e: Fraction, dl: Fraction, k: int, r: Fraction) -> LowerBound:
    """The entropy bound in its H2 form, certified and fast (docs/claims.md, entropy; same assumptions as
    :func:`entropy_lower_bound`): every n that the exact count allows satisfies n >= bits (the sum is at most
    2^n) and, when k <= n/2, n·H2(k/n) >= bits (the sum is at most 2^(n·H2(k/n))).  ``total`` is the least n
    that is not certainly excluded by these two relaxations, so it is at most the exact least n (a valid,
    slightly weaker lower bound; e.g. 62,347 against 62,360 at d = 100, eps = delta = 1/100, k = 2·d^2)."""
    dim = d_ * d_
    bits = dim * _log2(sympy_rational(r / (2 * e))) + _log2(sympy_rational(1 - dl))
    lo_enc = enclose(bits)
    bits_lo = lo_enc.lower
    n_small = max(0, math.ceil(bits_lo))  # from n >= bits: every n < ceil(bits_lo) is excluded
    if n_small <= 2 * k:
        total = n_small  # the H2 form binds only from n = 2k on
    else:
        # f(n) = n·H2(k/n) increases in n (derivative log2(n/(n-k)) > 0): the least n >= 2k that is not
        # certainly below bits (2k itself is: 2k·H2(1/2) = 2k < bits)
        found = least_true(lambda n: not _h2_certainly_below(n, k, bits_lo), start=2 * k + 1, cap=MAX_N, guess=4 * k)
        if found is None:
            raise ParameterError(f"kept={k}: the entropy bound's n exceeds 2^62")
        total = found
    n_sym = sp.Symbol("n", integer=True, positive=True)
    p = sp.Rational(k) / n_sym
    h2 = -p * _log2(p) - (1 - p) * _log2(1 - p)
    return LowerBound(
        name="natale2024_lower_bound",
        claim="entropy",
        total=total,
        target_weights=dim,
        per_target_weight=enclose(sp.Rational(total, dim)),
        bits=bits,
        expression=sp.GreaterThan(n_sym * h2, bits, evaluate=False),
        scope=(
            "as pensia2020_lower_bound (one d×d layer, function approximation) with tickets of at most "
            "kept weights among the n sampled; H2 relaxation of the exact count"
        ),
        real_per_target_weight=enclose(sp.Rational(total, dim)),
        parameters=_params(d=d_, eps=e, delta=dl, kept=k, norm=r),
    )
