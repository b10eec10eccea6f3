"""The weight laws of G as objects, after sympy.stats: one law, three uses (bounds/, construct/, the checks).

A law is a frozen dataclass holding its exact sympy parameters; the factories (:func:`hyperbolic`,
:func:`uniform`, :func:`law`) check them once, and the methods take them as given:

- :class:`HyperbolicLaw`: |w| log-uniform on [alpha, beta], fair independent sign (docs/claims.md, L3).
  ln|w| is uniform on [ln alpha, ln beta], so a segment [x, b·x] inside the support has probability
  ln(b)/ln(beta/alpha).  For two independent draws ln|a| + ln|b| is triangular on
  [2 ln alpha, 2 ln beta] with mode ln(alpha·beta) (half-width L = ln(beta/alpha)).
- :class:`UniformLaw`: W ~ U[-beta, beta] (docs/claims.md, L1, L2).  For two independent draws,
  B = beta^2: P(|ab| <= t) = (t/B)(1 - ln(t/B)) on (0, B].

Both give the symbolic density and CDF, the probability of a segment of |w| and of |a·b|, the coverage
constant c of the k segments of L3 (docs/claims.md, L3, L4: (1/4)·min over the segments, the factor
1/4 for the two sign conditions), and :meth:`sample`, the float64 sampler of G.  The float values a
sampler uses are ``float(enclose(parameter, digits=20).decimal)``: a fixed rule, so G is the same on
every machine, and :func:`law_from_json` can check a file's floats against its exact forms.

- :class:`SeparateLaws`: in-weights hyperbolic on [alpha, beta], out-weights of fixed magnitude m
  (:class:`FixedMagnitudeLaw`), fair independent signs (docs/claims.md, coverage).  |a·b| = m·|a| is
  log-uniform on [m·alpha, m·beta]; they give :meth:`~SeparateLaws.sample_in` and
  :meth:`~SeparateLaws.sample_out` (every law has both: G's in- and out-weights).

The laws the construction uses are :func:`separate_law` (the default: the optimal separate supports of
k segments at scale w_max, docs/claims.md, coverage: ln|a| uniform on a log-width of exactly k·ln b,
each segment of probability 1/k, c = 1/(4k)), :func:`hyperbolic_law` (one shared support of k segments
at scale w_max, docs/claims.md, L4: ln(beta/alpha) = (k-1)·ln b, ln(alpha·beta) = ln s - (k+2)/2·ln b,
c = 1/(8(k-1))) and :func:`uniform_law` (beta^2 = s/phi: the product range reaches the top segment).

>>> g = hyperbolic(alpha="1e-3", beta=1)
>>> g.segment_probability("1/100", "1/10").exact  # one decade of the three
log(10)/log(1000)
>>> g.as_json()
{'dist': 'hyperbolic', 'alpha': 0.001, 'beta': 1.0, 'exact': {'alpha': '1/1000', 'beta': '1'}}
>>> law_from_json(g.as_json()) == g
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sympy as sp

from logprune.bounds import symbols
from logprune.bounds.certified import Enclosure, arb_of, arb_to_interval, enclose, precision
from logprune.choices import Dist, choice
from logprune.errors import CertificationError, ParameterError, ParameterTypeError
from logprune.validation import check_int, check_positive_expr, parse_base

if TYPE_CHECKING:  # numpy is imported by the samplers only: the bounds never need it (100 ms at start-up)
    import numpy as np

__all__ = [
    "FixedMagnitudeLaw",
    "HyperbolicLaw",
    "Law",
    "SeparateLaws",
    "UniformLaw",
    "fixed_magnitude",
    "hyperbolic",
    "hyperbolic_law",
    "law",
    "law_from_json",
    "optimal_support",
    "optimal_supports",
    "separate_law",
    "uniform",
    "uniform_law",
]


def _float(expr: sp.Expr) -> float:
    """The float64 a sampler uses for an exact parameter (20 certified digits, then rounded once)."""
    return float(enclose(expr, digits=20).decimal)


def _equal(a: sp.Expr, b: sp.Expr) -> bool:
    return a == b or bool(sp.simplify(sp.expand_log(a - b, force=True)) == 0)


def _le(a: sp.Expr, b: sp.Expr) -> bool:
    """Exactly a <= b for closed real numbers: balls decide a strict order, sympy decides a tie."""
    if a == b:
        return True
    with precision(256):
        lo_a, hi_a = arb_to_interval(arb_of(a))
        lo_b, hi_b = arb_to_interval(arb_of(b))
    if hi_a <= lo_b:
        return True
    if hi_b <= lo_a:  # b <= a: a <= b only at a tie
        return _equal(a, b)
    if _equal(a, b):
        return True
    raise CertificationError(f"a={a}, b={b}: order not decided at 256 bits")


def _interval(lo: Any, hi: Any) -> tuple[sp.Expr, sp.Expr]:
    """A segment [lo, hi] of magnitudes (lo = 0 allowed), checked."""
    lo_ = sp.Integer(0) if lo == 0 else check_positive_expr("lo", lo)
    hi_ = check_positive_expr("hi", hi)
    if not _le(lo_, hi_):
        raise ParameterError(f"lo={lo}, hi={hi}: need lo <= hi")
    return lo_, hi_


def _min_over_segments(probs: list[Enclosure]) -> Enclosure:
    """(1/4)·min of the segment probabilities (docs/claims.md, L4): a certified coverage constant."""
    lo = min(p.lower for p in probs)
    hi = min(p.upper for p in probs)
    return Enclosure(sp.Min(*[p.exact for p in probs]) / 4, lo / 4, hi / 4, 15)


def _tri_cdf(uu: sp.Expr, lo: sp.Expr, width: sp.Expr) -> sp.Expr:
    """The triangular CDF of ln|a| + ln|b| at a closed point, the piece chosen by certified comparison."""
    t = sp.expand_log(uu - lo, force=True)
    if _le(t, sp.Integer(0)):
        return sp.Integer(0)
    if _le(t, width):
        return t**2 / (2 * width**2)
    if _le(t, 2 * width):
        return 1 - (2 * width - t) ** 2 / (2 * width**2)
    return sp.Integer(1)


def _F(z: sp.Expr) -> sp.Expr:
    """Normalised uniform product CDF z(1 - ln z) on [0, 1] (F(0) = 0 by continuity)."""
    if z == 0:
        return sp.Integer(0)
    if bool(z >= 1):
        return sp.Integer(1)
    return z * (1 - sp.log(z))


@dataclass(frozen=True)
class HyperbolicLaw:
    """|w| log-uniform on [alpha, beta], fair sign (docs/claims.md, L3).  Parameters: exact sympy numbers
    (or symbols, for the generic formulas); build it with :func:`hyperbolic`, which checks them."""

    alpha: sp.Expr
    beta: sp.Expr

    dist = Dist.HYPERBOLIC

    @cached_property
    def alpha_float(self) -> float:
        """The float64 of alpha the sampler uses."""
        return _float(self.alpha)

    @cached_property
    def beta_float(self) -> float:
        """The float64 of beta the sampler uses."""
        return _float(self.beta)

    def density(self) -> sp.Expr:
        """Signed density 1/(2|w| ln(beta/alpha)) on alpha <= |w| <= beta, 0 elsewhere (in ``symbols.w``)."""
        w, a, b = symbols.w, self.alpha, self.beta
        inside = sp.And(sp.Abs(w) >= a, sp.Abs(w) <= b)
        return sp.Piecewise((1 / (2 * sp.Abs(w) * sp.log(b / a)), inside), (0, True))

    def magnitude_cdf(self) -> sp.Expr:
        """P(|w| <= x) = ln(x/alpha)/ln(beta/alpha) on [alpha, beta] (in ``symbols.x``)."""
        x, a, b = symbols.x, self.alpha, self.beta
        return sp.Piecewise((0, x < a), (sp.log(x / a) / sp.log(b / a), x <= b), (1, True))

    def cdf(self) -> sp.Expr:
        """P(W <= w) for the signed law (fair sign, in ``symbols.w``)."""
        w, a, b = symbols.w, self.alpha, self.beta
        lr = sp.log(b / a)
        return sp.Piecewise(
            (0, w < -b),
            (sp.log(b / -w) / (2 * lr), w <= -a),
            (sp.Rational(1, 2), w < a),
            (sp.Rational(1, 2) + sp.log(w / a) / (2 * lr), w <= b),
            (1, True),
        )

    def inverse_cdf(self) -> sp.Expr:
        """The quantile function: -beta·(alpha/beta)^(2q) for q < 1/2, alpha·(beta/alpha)^(2q-1) else."""
        q, a, b = symbols.q, self.alpha, self.beta
        return sp.Piecewise((-b * (a / b) ** (2 * q), q < sp.Rational(1, 2)), (a * (b / a) ** (2 * q - 1), True))

    def _segment_exact(self, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        a = self.alpha if _le(lo, self.alpha) else lo
        z = hi if _le(hi, self.beta) else self.beta
        if _le(z, a):
            return sp.Integer(0)
        return sp.log(z / a) / sp.log(self.beta / self.alpha)

    def segment_probability(self, lo: Any, hi: Any) -> Enclosure:
        """P(lo <= |w| <= hi) = ln(hi/lo)/ln(beta/alpha) for [lo, hi] inside the support (clipped to it)."""
        lo_, hi_ = _interval(lo, hi)
        return enclose(self._segment_exact(lo_, hi_))

    def _product_exact(self, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        # logs expanded so that exact ties at the pieces' ends cancel symbolically (e.g. powers of phi)
        width = sp.expand_log(sp.log(self.beta / self.alpha), force=True)
        base_lo = sp.expand_log(2 * sp.log(self.alpha), force=True)
        below = sp.Integer(0) if lo == 0 else _tri_cdf(sp.log(lo), base_lo, width)
        p = _tri_cdf(sp.log(hi), base_lo, width) - below
        return sp.simplify(p) if p.is_Rational else p

    def product_segment_probability(self, lo: Any, hi: Any) -> Enclosure:
        """P(lo <= |a·b| <= hi) for independent a, b of this law (lo may be 0; docs/claims.md, L3)."""
        lo_, hi_ = _interval(lo, hi)
        return enclose(self._product_exact(lo_, hi_))

    def coverage(self, *, k: Any, scale: Any = 1, base: Any = "phi") -> Enclosure:
        """c for this support: (1/4)·min over the k segments [s·b^(-t-1), s·b^(-t)] of P(|ab| in segment),
        certified (docs/claims.md, L4); the lower end is a valid coverage constant."""
        kk = check_int("k", k, minimum=1)
        bb = parse_base(base)
        sc = check_positive_expr("scale", scale)
        return _min_over_segments(
            [enclose(self._product_exact(sc * bb ** (-t - 1), sc * bb ** (-t))) for t in range(1, kk + 1)]
        )

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """float64 draws: exp(U[ln alpha, ln beta]) times a fair sign, in this order (G's streams); the
        same bits on every machine (:mod:`~logprune.bounds.detexp`: np.exp and libm's log are not)."""
        import numpy as np

        from logprune.bounds.detexp import exp_det, log_cr

        mag = exp_det(rng.uniform(log_cr(self.alpha_float), log_cr(self.beta_float), size=shape))
        sign = rng.integers(0, 2, size=shape, dtype=np.int8) * 2 - 1
        return mag * sign

    def sample_in(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """G's in-weights: :meth:`sample` (one law for both factors: the shared support)."""
        return self.sample(rng, shape)

    def sample_out(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """G's out-weights: :meth:`sample` (one law for both factors: the shared support)."""
        return self.sample(rng, shape)

    def as_json(self) -> dict[str, Any]:
        """The law as Ĝ's meta records it (floats for the sampler, exact forms for the record)."""
        return {
            "dist": self.dist.value,
            "alpha": self.alpha_float,
            "beta": self.beta_float,
            "exact": {"alpha": sp.sstr(self.alpha), "beta": sp.sstr(self.beta)},
        }


@dataclass(frozen=True)
class UniformLaw:
    """W ~ U[-beta, beta] (docs/claims.md, L1, L2); build it with :func:`uniform`, which checks beta."""

    beta: sp.Expr

    dist = Dist.UNIFORM
    alpha_float = 0.0  # the lower end of |w|, as Ĝ's meta records it

    @cached_property
    def beta_float(self) -> float:
        """The float64 of beta the sampler uses."""
        return _float(self.beta)

    def density(self) -> sp.Expr:
        """1/(2 beta) on [-beta, beta] (in ``symbols.w``)."""
        w, b = symbols.w, self.beta
        return sp.Piecewise((1 / (2 * b), sp.And(w >= -b, w <= b)), (0, True))

    def magnitude_cdf(self) -> sp.Expr:
        """P(|W| <= x) = x/beta on [0, beta] (in ``symbols.x``)."""
        x = symbols.x
        return sp.Piecewise((x / self.beta, x <= self.beta), (1, True))

    def cdf(self) -> sp.Expr:
        """P(W <= w) = (w + beta)/(2 beta) on [-beta, beta] (in ``symbols.w``)."""
        w, b = symbols.w, self.beta
        return sp.Piecewise((0, w < -b), ((w + b) / (2 * b), w <= b), (1, True))

    def product_cdf(self) -> sp.Expr:
        """P(|ab| <= t) = (t/B)(1 - ln(t/B)) on (0, B], B = beta^2 (in ``symbols.t``; docs/claims.md, L2)."""
        big_b, t = self.beta**2, symbols.t
        z = t / big_b
        return sp.Piecewise((z * (1 - sp.log(z)), t <= big_b), (1, True))

    def _segment_exact(self, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        a = lo if _le(lo, self.beta) else self.beta
        z = hi if _le(hi, self.beta) else self.beta
        return (z - a) / self.beta

    def segment_probability(self, lo: Any, hi: Any) -> Enclosure:
        """P(lo <= |W| <= hi) = (hi - lo)/beta for [lo, hi] inside [0, beta] (clipped to it)."""
        lo_, hi_ = _interval(lo, hi)
        return enclose(self._segment_exact(lo_, hi_))

    def _product_exact(self, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        big_b = self.beta**2
        return _F(hi / big_b) - _F(lo / big_b)

    def product_segment_probability(self, lo: Any, hi: Any) -> Enclosure:
        """P(lo <= |a·b| <= hi) = F(hi/B) - F(lo/B), F(z) = z(1 - ln z), B = beta^2 (docs/claims.md, L2)."""
        lo_, hi_ = _interval(lo, hi)
        return enclose(self._product_exact(lo_, hi_))

    def coverage(self, *, k: Any, scale: Any = 1, base: Any = "phi") -> Enclosure:
        """(1/4)·min over the k segments [s·b^(-t-1), s·b^(-t)] of P(|ab| in segment), certified.

        The density -ln(t/B)/B of |ab| decreases in t, so the finest segment is the least likely: c
        shrinks like b^(-k) (docs/claims.md, L2), against 1/(8(k-1)) for the hyperbolic law.
        """
        kk = check_int("k", k, minimum=1)
        bb = parse_base(base)
        sc = check_positive_expr("scale", scale)
        ratio = sc / self.beta**2  # the segments in units of B
        return _min_over_segments(
            [enclose(_F(ratio * bb ** (-t)) - _F(ratio * bb ** (-t - 1))) for t in range(1, kk + 1)]
        )

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """float64 draws of U[-beta, beta] (G's streams)."""
        return rng.uniform(-self.beta_float, self.beta_float, size=shape)

    def sample_in(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """G's in-weights: :meth:`sample`."""
        return self.sample(rng, shape)

    def sample_out(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """G's out-weights: :meth:`sample`."""
        return self.sample(rng, shape)

    def as_json(self) -> dict[str, Any]:
        """The law as Ĝ's meta records it (alpha = 0: the lower end of |w|)."""
        return {"dist": self.dist.value, "alpha": 0.0, "beta": self.beta_float, "exact": {"beta": sp.sstr(self.beta)}}


def _uniform_cdf(u: sp.Expr, lo: sp.Expr, width: sp.Expr) -> sp.Expr:
    """The CDF at the closed point u of a uniform law on [lo, lo + width] (log coordinates), the piece
    chosen by certified comparison (exact ties decided symbolically, logs expanded)."""
    t = sp.expand_log(u - lo, force=True)
    if _cmp(t, sp.Integer(0)) <= 0:
        return sp.Integer(0)
    if _cmp(width, t) <= 0:
        return sp.Integer(1)
    return t / width


def _cmp(a: sp.Expr, b: sp.Expr) -> int:
    """The sign of a - b for closed real numbers: balls decide a strict order, sympy decides a tie (only
    when the balls overlap: cheaper than :func:`_le`, which also checks separated balls for a tie)."""
    if a == b:
        return 0
    with precision(256):
        lo_a, hi_a = arb_to_interval(arb_of(a))
        lo_b, hi_b = arb_to_interval(arb_of(b))
    if hi_a < lo_b:
        return -1
    if hi_b < lo_a:
        return 1
    if _equal(a, b):
        return 0
    raise CertificationError(f"a={a}, b={b}: order not decided at 256 bits")


@dataclass(frozen=True)
class FixedMagnitudeLaw:
    """|w| = m exactly, fair independent sign: the out-weight law of the separate supports
    (docs/claims.md, coverage).  The point mass is the limit alpha = beta = m of the hyperbolic law
    (which :func:`hyperbolic` refuses: ln(beta/alpha) = 0); build it with :func:`fixed_magnitude`."""

    magnitude: sp.Expr

    @cached_property
    def magnitude_float(self) -> float:
        """The float64 of m the sampler uses."""
        return _float(self.magnitude)

    def segment_probability(self, lo: Any, hi: Any) -> Enclosure:
        """P(lo <= |w| <= hi): 1 if m lies in [lo, hi], else 0 (exact)."""
        lo_, hi_ = _interval(lo, hi)
        return enclose(sp.Integer(1 if _le(lo_, self.magnitude) and _le(self.magnitude, hi_) else 0))

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """float64 draws: m times a fair sign (one integer draw per weight: the same bits everywhere)."""
        import numpy as np

        sign = rng.integers(0, 2, size=shape, dtype=np.int8) * 2 - 1
        return self.magnitude_float * sign.astype(np.float64)

    def as_json(self) -> dict[str, Any]:
        """The law as Ĝ's meta records it."""
        return {"dist": "fixed", "magnitude": self.magnitude_float, "exact": {"magnitude": sp.sstr(self.magnitude)}}


@dataclass(frozen=True)
class SeparateLaws:
    """G's hyperbolic weights with separate supports (docs/claims.md, coverage; L4 for c): the in-weights
    |a| log-uniform on [alpha, beta] (``inner``), the out-weights |b| = m (``outer``), both signs fair and
    independent.  |a·b| = m·|a| is log-uniform on [m·alpha, m·beta]; on the optimal supports
    (:func:`optimal_supports`) that is exactly the region of the k segments, each of probability 1/k."""

    inner: HyperbolicLaw
    outer: FixedMagnitudeLaw

    dist = Dist.HYPERBOLIC

    def sample_in(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """G's in-weights: the hyperbolic law on [alpha, beta] (:meth:`HyperbolicLaw.sample`)."""
        return self.inner.sample(rng, shape)

    def sample_out(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """G's out-weights: m times a fair sign (:meth:`FixedMagnitudeLaw.sample`)."""
        return self.outer.sample(rng, shape)

    def _product_exact(self, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        # ln|ab| = ln m + ln|a| is uniform on [ln(m·alpha), ln(m·beta)]; logs expanded so that ties cancel
        base_lo = sp.expand_log(sp.log(self.outer.magnitude * self.inner.alpha), force=True)
        width = sp.expand_log(sp.log(self.inner.beta / self.inner.alpha), force=True)
        below = sp.Integer(0) if lo == 0 else _uniform_cdf(sp.log(lo), base_lo, width)
        p = _uniform_cdf(sp.log(hi), base_lo, width) - below
        return p if p.is_Rational else sp.simplify(p)

    def product_segment_probability(self, lo: Any, hi: Any) -> Enclosure:
        """P(lo <= |a·b| <= hi) = P(lo/m <= |a| <= hi/m) (lo may be 0; docs/claims.md, coverage)."""
        lo_, hi_ = _interval(lo, hi)
        return enclose(self._product_exact(lo_, hi_))

    def segment_probabilities(self, *, k: Any, scale: Any = 1, base: Any = "phi") -> list[sp.Expr]:
        """The exact P(|ab| in [s·b^(-t-1), s·b^(-t)]) for t = 1..k (docs/claims.md, coverage)."""
        kk = check_int("k", k, minimum=1)
        bb = parse_base(base)
        sc = check_positive_expr("scale", scale)
        return [self._product_exact(sc * bb ** (-t - 1), sc * bb ** (-t)) for t in range(1, kk + 1)]

    def coverage(self, *, k: Any, scale: Any = 1, base: Any = "phi") -> Enclosure:
        """c for these supports with fair signs: (1/4)·min over the k segments of P(|ab| in segment),
        certified (docs/claims.md, L4 and coverage); 1/(4k) on the optimal supports."""
        return _min_over_segments([enclose(p) for p in self.segment_probabilities(k=k, scale=scale, base=base)])

    def as_json(self) -> dict[str, Any]:
        """The laws as Ĝ's meta records them: the in-weights' and the out-weights'."""
        return {"dist": self.dist.value, "support": "separate", "in": self.inner.as_json(), "out": self.outer.as_json()}


Law = HyperbolicLaw | UniformLaw | SeparateLaws


def _support(alpha: Any, beta: Any) -> tuple[sp.Expr, sp.Expr]:
    a = check_positive_expr("alpha", alpha)
    b = check_positive_expr("beta", beta)
    if _le(b, a):
        raise ParameterError(f"alpha={alpha}, beta={beta}: need 0 < alpha < beta")
    return a, b


def hyperbolic(*, alpha: Any, beta: Any) -> HyperbolicLaw:
    """The hyperbolic law on [alpha, beta], 0 < alpha < beta exact (``"1e-3"``, ``Fraction``, sympy)."""
    return HyperbolicLaw(*_support(alpha, beta))


def uniform(*, beta: Any) -> UniformLaw:
    """The uniform law on [-beta, beta], beta > 0 exact."""
    return UniformLaw(check_positive_expr("beta", beta))


def law(dist: Dist | str, *, alpha: Any = None, beta: Any) -> Law:
    """The law named by ``dist`` (a :class:`~logprune.choices.Dist`) with its parameters, checked."""
    d = choice(Dist, "dist", dist)
    if d is Dist.HYPERBOLIC:
        if alpha is None:
            raise ParameterError("alpha=None: the hyperbolic law needs 0 < alpha < beta")
        return hyperbolic(alpha=alpha, beta=beta)
    if alpha is not None and alpha != 0:
        raise ParameterError(f"alpha={alpha}: the uniform law on [-beta, beta] has no alpha")
    return uniform(beta=beta)


def _exact_scale(scale: Any) -> sp.Expr:
    """A construction's scale: a float is a network's weight, read as its exact binary value."""
    if isinstance(scale, float):
        if not (math.isfinite(scale) and scale > 0):
            raise ParameterError(f"scale={scale}: must be a finite number > 0")
        return sp.Rational(scale)
    return check_positive_expr("scale", scale)


def optimal_support(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> HyperbolicLaw:
    """The support maximising the coverage of the k segments of scale s (docs/claims.md, L4).

    ln(beta/alpha) = (k-1) ln b and ln(alpha·beta) = ln s - (k+2)/2·ln b, i.e.
    alpha = sqrt(s)·b^(-3k/4), beta = sqrt(s)·b^((k-4)/4).  For k = 1: ln(beta/alpha) = ln(b)/2.
    """
    kk = check_int("k", k_segments, minimum=1)
    bb = parse_base(base)
    sc = _exact_scale(scale)
    log_width = sp.Rational(1, 2) if kk == 1 else sp.Integer(kk - 1)  # in units of ln b
    centre = -sp.Rational(kk + 2, 2)  # ln(alpha·beta) - ln s, in units of ln b
    return HyperbolicLaw(sp.sqrt(sc) * bb ** ((centre - log_width) / 2), sp.sqrt(sc) * bb ** ((centre + log_width) / 2))


def fixed_magnitude(*, magnitude: Any) -> FixedMagnitudeLaw:
    """The law |w| = m (fair sign), m > 0 exact (docs/claims.md, coverage)."""
    return FixedMagnitudeLaw(check_positive_expr("magnitude", magnitude))


def optimal_supports(*, k_segments: int, base: Any = "phi", scale: Any = 1) -> SeparateLaws:
    """The separate supports attaining the coverage optimum of the k segments of scale s (docs/claims.md,
    coverage): out-weights |b| = m = sqrt(s)·b^(-(k+2)/4), in-weights log-uniform on
    [m·b^(-k/2), m·b^(k/2)] (log-width exactly k·ln b), so |ab| is log-uniform on the region
    [s·b^(-k-1), s·b^(-1)] of the k segments and each segment has probability exactly 1/k.

    Assumptions: k >= 1 integer, base b > 1, scale s > 0.  Only m·|a| matters (ReLU is positively
    homogeneous: (a, b) -> (t·a, b/t) changes no product); m is chosen so that ln m is the centre of
    ln|a|'s interval (the centre of the shared support's law, ln(s)/2 - (k+2)/4·ln b).  For k = 1 the
    region is the single segment [s/b^2, s/b].
    """
    kk = check_int("k", k_segments, minimum=1)
    bb = parse_base(base)
    sc = _exact_scale(scale)
    m = sp.sqrt(sc) * bb ** (-sp.Rational(kk + 2, 4))
    half = sp.Rational(kk, 2)  # half the log-width, in units of ln b
    return SeparateLaws(HyperbolicLaw(m * bb ** (-half), m * bb**half), FixedMagnitudeLaw(m))


def separate_law(*, k_segments: int, scale: Any) -> SeparateLaws:
    """G's hyperbolic weights on the separate supports (the construction's default, docs/claims.md,
    coverage): :func:`optimal_supports` of max(k, 1) golden-ratio segments at the target's scale w_max."""
    return optimal_supports(k_segments=max(k_segments, 1), scale=scale)


def hyperbolic_law(*, k_segments: int, scale: Any) -> HyperbolicLaw:
    """G's hyperbolic law: the optimal support of max(k, 1) golden-ratio segments at the target's scale
    w_max (ReLU is positively homogeneous, so input and output weights share one law)."""
    return optimal_support(k_segments=max(k_segments, 1), scale=scale)


def uniform_law(*, scale: Any) -> UniformLaw:
    """G's uniform law: beta^2 = scale/phi, the smallest product range that reaches the top segment."""
    return UniformLaw(sp.sqrt(_exact_scale(scale) / sp.GoldenRatio))


# an exact form in a file: integers, GoldenRatio, sqrt and arithmetic, nothing else is evaluated
_EXACT = re.compile(r"(?:GoldenRatio|sqrt|[0-9]+|[()*/+\- ])+")


def _parse_exact(name: str, text: Any) -> sp.Expr:
    if not isinstance(text, str) or not _EXACT.fullmatch(text):
        raise ParameterTypeError(f"{name}={text!r}: expected an exact form (integers, GoldenRatio, sqrt)")
    try:
        value = sp.sympify(text)
    except (sp.SympifyError, TypeError, SyntaxError):
        raise ParameterTypeError(f"{name}={text!r}: not an exact number") from None
    return check_positive_expr(name, value)


def law_from_json(doc: Any) -> Law:
    """The law of a ``law.as_json()`` document, checked: known ``dist``, exact forms that parse, and
    floats equal to the ones the exact forms give (so G regenerates as it was drawn)."""
    if not isinstance(doc, dict):
        raise ParameterTypeError(f"law={doc!r}: expected a JSON object")
    d = choice(Dist, "dist", doc.get("dist"))
    if d is Dist.HYPERBOLIC and "support" in doc:
        return _separate_from_json(doc)
    exact = doc.get("exact")
    if not isinstance(exact, dict):
        raise ParameterTypeError(f"exact={exact!r}: expected the exact forms of the parameters")
    out: Law
    if d is Dist.HYPERBOLIC:
        out = hyperbolic(alpha=_parse_exact("alpha", exact.get("alpha")), beta=_parse_exact("beta", exact.get("beta")))
    else:
        out = uniform(beta=_parse_exact("beta", exact.get("beta")))
    if out.as_json() != {**doc, "dist": d.value}:
        raise ParameterError(
            f"law={doc}: does not match the law of its exact forms, {out.as_json()} (G would not regenerate)"
        )
    return out


def _separate_from_json(doc: dict[str, Any]) -> SeparateLaws:
    """:func:`law_from_json` for the separate supports: both laws' exact forms, and the floats they give."""
    if doc.get("support") != "separate":
        raise ParameterError(f"support={doc.get('support')!r}: expected 'separate'")
    inner, outer = doc.get("in"), doc.get("out")
    if not isinstance(inner, dict) or not isinstance(outer, dict) or not isinstance(outer.get("exact"), dict):
        raise ParameterTypeError(f"law={doc!r}: expected the in- and out-weights' laws as JSON objects")
    a = law_from_json(inner)
    if not isinstance(a, HyperbolicLaw):
        raise ParameterError(f"in={inner}: the in-weights' law must be hyperbolic")
    out = SeparateLaws(a, fixed_magnitude(magnitude=_parse_exact("magnitude", outer["exact"].get("magnitude"))))
    if out.as_json() != {**doc, "dist": Dist.HYPERBOLIC.value}:
        raise ParameterError(
            f"law={doc}: does not match the law of its exact forms, {out.as_json()} (G would not regenerate)"
        )
    return out
