"""Random subset sum (RSS) statistics: how often do n random samples fail to eps-approximate a target?

A trial draws n samples x_1..x_n of a law and a target z; it *fails* when no subset sum (the empty one,
0, included) is within eps of z, decided exactly (below).  ``sup`` asks for every z in [-1, 1] at once.
Over T trials the failure rate comes with a Clopper-Pearson interval at the stated confidence.  This is
the random subset sum of Lueker (1998) behind Pensia et al.'s row ``pensia2020`` (no claim id of ours:
see "Neighbours without a claim id" in docs/claims.md); it measures, it proves nothing.

Laws (:class:`~logprune.choices.RssLaw`): ``uniform`` U[-1, 1]; ``uniform-product`` a·b with a, b
independent U[-1, 1]; ``hyperbolic`` |w| log-uniform on [alpha, beta] with a fair sign (docs/claims.md,
L3); ``hyperbolic-product`` a·b of two independent hyperbolic draws.  Targets: ``uniform`` (z ~ U[-1, 1]
per trial), ``sup`` (all z in [-1, 1]), or a fixed number.

Reproducibility and monotonicity: trial t draws from ``SeedSequence(seed, spawn_key=(t, stream))``, one
stream per ingredient (first factors, second factors, signs, target), and n samples are the first n of
each stream, so the samples of n are a prefix of those of n + 1 (common random numbers): the failure
count is non-increasing in n, exactly, and ``least_n`` may bisect.

Exact decisions.  Subset sums are computed in float64 (meet in the middle for a point target: the sums
of each half, the right half sorted, the nearest right sum to z - left for every left sum; all 2^n sums
sorted for ``sup``), with a rigorous bound on their rounding: every float sum of at most n + 2 terms
is within gamma_(n+2)·(sum |x_i| + |z|) of the exact one.  A trial whose float answer is farther than
that bound from the decision boundary is decided by the floats; any other trial is decided again in
exact integer arithmetic (every float64 is an integer multiple of a power of two), so the answer is
exact in every case.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.bounds import laws
from logprune.bounds.detexp import exp_det, log_cr
from logprune.checks.coverage import clopper_pearson
from logprune.choices import RssLaw, choice
from logprune.display import html_pairs, one_line
from logprune.errors import ParameterError
from logprune.extras import require
from logprune.search import least_true
from logprune.validation import MAX_SEED, as_rational, check_int, check_open_unit, check_positive

__all__ = [
    "CALIBRATION_COMMAND",
    "CALIBRATION_GRID",
    "CALIBRATION_MODULE",
    "MAX_N_POINT",
    "MAX_N_SUP",
    "MAX_TRIALS",
    "CalibrationPoint",
    "RssResult",
    "RssSetting",
    "calibrate",
    "calibration_module",
    "failures",
    "least_n",
    "rss",
    "setting",
]

MAX_N_POINT = 40  # meet in the middle: 2^20 sums per half
MAX_N_SUP = 22  # all 2^n sums
MAX_TRIALS = 10**7
_U = 2.0**-53


@dataclass(frozen=True, kw_only=True)
class RssSetting:
    """A checked RSS question (:func:`setting` validates it once)."""

    law: RssLaw
    eps: Fraction
    target: str  # "uniform", "sup", or the exact value as a string
    z: Fraction | None  # the fixed target, when one is given
    trials: int
    seed: int
    confidence: float
    alpha: float | None
    beta: float | None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"law": self.law.value, "eps": str(self.eps), "target": self.target}
        if self.law.hyperbolic:
            doc["alpha"], doc["beta"] = self.alpha, self.beta
        return doc


def setting(
    *,
    law: Any,
    eps: Any,
    target: Any = "uniform",
    trials: Any = 1000,
    seed: Any = 0,
    confidence: Any = "0.95",
    alpha: Any = None,
    beta: Any = None,
) -> RssSetting:
    """Validate an RSS question (module doc): ``alpha``/``beta`` for the hyperbolic laws only."""
    require("scipy", extra="check", what="check rss")  # the Clopper-Pearson intervals
    lw = choice(RssLaw, "law", law)
    e = check_positive("eps", eps)
    tr = check_int("trials", trials, maximum=MAX_TRIALS)
    if tr > MAX_TRIALS:
        raise ParameterError(f"trials={trials}: at most {MAX_TRIALS}")
    conf = float(check_open_unit("confidence", confidence))
    a = b = None
    if lw.hyperbolic:
        if alpha is None or beta is None:
            raise ParameterError(f"law={lw.value}: needs alpha and beta (the support of |w|)")
        h = laws.hyperbolic(alpha=alpha, beta=beta)
        a, b = h.alpha_float, h.beta_float
    elif alpha is not None or beta is not None:
        raise ParameterError(f"law={lw.value}: takes no alpha or beta (U[-1, 1])")
    t = str(target)
    z: Fraction | None = None
    if t not in ("uniform", "sup"):
        z = as_rational("target", target)
        if abs(z) > 10**6:
            raise ParameterError(f"target={target}: |z| <= 10^6")
        t = str(z)
    return RssSetting(
        law=lw,
        eps=e,
        target=t,
        z=z,
        trials=tr,
        seed=check_int("seed", seed, minimum=0, maximum=MAX_SEED),
        confidence=conf,
        alpha=a,
        beta=b,
    )


def _stream(seed: int, trial: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(trial, stream))))


def _factor(st: RssSetting, trial: int, first: int, n: int) -> np.ndarray:
    """n draws of one factor from streams ``first`` (magnitudes) and ``first + 1`` (signs)."""
    if not st.law.hyperbolic:
        return _stream(st.seed, trial, first).uniform(-1.0, 1.0, size=n)
    assert st.alpha is not None and st.beta is not None
    # the hyperbolic law's own sampler functions: the same bits on every machine (bounds/detexp.py)
    mag = exp_det(_stream(st.seed, trial, first).uniform(log_cr(st.alpha), log_cr(st.beta), size=n))
    sign = _stream(st.seed, trial, first + 1).integers(0, 2, size=n) * 2 - 1
    return mag * sign


def samples(st: RssSetting, trial: int, n: int) -> np.ndarray:
    """The n samples of a trial (a prefix of the trial's n + 1 samples)."""
    x = _factor(st, trial, 0, n)
    return x * _factor(st, trial, 2, n) if st.law.product else x


def target_of(st: RssSetting, trial: int) -> Fraction | None:
    """The trial's target z (None for ``sup``)."""
    if st.target == "sup":
        return None
    if st.z is not None:
        return st.z
    return Fraction(float(_stream(st.seed, trial, 4).uniform(-1.0, 1.0)))


def _sums(v: np.ndarray) -> np.ndarray:
    """All 2^len(v) subset sums in float64 (subset i = bits of i)."""
    s = np.zeros(1)
    for x in v:
        s = np.concatenate([s, s + x])
    return s


def _tolerance(x: np.ndarray, z: float) -> float:
    """A float >= the rounding error of any subset sum minus z (module doc), with room for its own rounding."""
    m = x.size + 2
    gamma = m * _U / (1 - m * _U)
    return 2.0 * gamma * (float(np.sum(np.abs(x))) + abs(z)) + 2.0**-1070


def _exact_ints(x: np.ndarray, z: Fraction | None) -> tuple[list[int], int | None, int]:
    """The samples (and z) as integers over a common denominator D: (ints, z·D, D), x = int / D.
    Float64 samples are dyadic, so D is a power of two unless z is not dyadic."""
    fr = [Fraction(float(v)) for v in x]
    big = math.lcm(*(f.denominator for f in fr), 1 if z is None else z.denominator)
    ints = [f.numerator * (big // f.denominator) for f in fr]
    zi = None if z is None else z.numerator * (big // z.denominator)
    return ints, zi, big


def _exact_point(x: np.ndarray, z: Fraction, eps: Fraction) -> bool:
    """Exact: is some subset sum within eps of z?  (Integer meet in the middle.)"""
    ints, zi, scale = _exact_ints(x, z)
    assert zi is not None
    e = eps * scale  # compare |S - z|·scale <= eps·scale exactly
    h = len(ints) // 2
    left, right = [0], [0]
    for v in ints[:h]:
        left += [s + v for s in left]
    for v in ints[h:]:
        right += [s + v for s in right]
    right.sort()
    for s in left:
        want = zi - s
        i = bisect.bisect_left(right, want)
        for j in (i - 1, i):
            if 0 <= j < len(right) and abs(s + right[j] - zi) <= e:
                return True
    return False


def _exact_sup(x: np.ndarray, eps: Fraction) -> bool:
    """Exact: does every z in [-1, 1] lie within eps of some subset sum?"""
    ints, _, scale = _exact_ints(x, None)
    sums = [0]
    for v in ints:
        sums += [s + v for s in sums]
    sums.sort()
    e, one = eps * scale, scale
    covered: Fraction = Fraction(-one)  # everything in [-1, covered] (scaled) is covered so far
    for s in sums:
        if s - e > covered:
            return False
        covered = max(covered, s + e)
        if covered >= one:
            return True
    return covered >= one


def _point(x: np.ndarray, z: Fraction, eps: Fraction) -> bool:
    """Is some subset sum within eps of z?  Floats where certain, else exact (module doc)."""
    zf, ef = float(z), float(eps)
    h = x.size // 2
    left, right = _sums(x[:h]), np.sort(_sums(x[h:]))
    want = zf - left
    i = np.clip(np.searchsorted(right, want), 1, right.size - 1) if right.size > 1 else np.zeros(left.size, int)
    d = np.abs(right[i] - want)
    if right.size > 1:
        d = np.minimum(d, np.abs(right[i - 1] - want))
    best = float(np.min(d))
    tol = _tolerance(x, zf) + abs(zf) * _U + ef * _U  # float(z), float(eps) are rounded too
    if best <= ef - tol:
        return True
    if best > ef + tol:
        return False
    return _exact_point(x, z, eps)


def _sup(x: np.ndarray, eps: Fraction) -> bool:
    """Does every z in [-1, 1] lie within eps of some subset sum?  Floats where certain, else exact."""
    ef = float(eps)
    s = np.sort(_sums(x))
    tol = _tolerance(x, 1.0) + ef * _U
    inside = s[(s >= -1.0 - ef - tol) & (s <= 1.0 + ef + tol)]
    if inside.size == 0:
        return False  # pragma: no cover - 0 is always a subset sum
    gaps = np.diff(inside)
    ends = (inside[0] + 1.0, 1.0 - inside[-1])  # how far the extreme sums are from the ends of [-1, 1]
    worst = max(float(np.max(gaps)) / 2 if gaps.size else 0.0, *ends)
    if worst <= ef - 2 * tol:
        return True
    if worst > ef + 2 * tol:
        return False
    return _exact_sup(x, eps)


def failures(st: RssSetting, n: int, *, progress: Callable[[int], None] | None = None) -> int:
    """The number of failed trials with n samples each."""
    limit = MAX_N_SUP if st.target == "sup" else MAX_N_POINT
    if n > limit:
        raise ParameterError(f"n={n}: at most {limit} samples for target={st.target} (exact search over 2^n sums)")
    fails = 0
    for t in range(st.trials):
        x = samples(st, t, n)
        z = target_of(st, t)
        ok = _sup(x, st.eps) if z is None else _point(x, z, st.eps)
        fails += not ok
        if progress is not None and (t + 1) % 1000 == 0:
            progress(1000)
    if progress is not None and st.trials % 1000:
        progress(st.trials % 1000)
    return fails


@dataclass(frozen=True)
class RssResult:
    """The failure rate of n samples over the trials, with its Clopper-Pearson interval."""

    setting: RssSetting
    n: int | None  # None: no n up to the limit reached the asked upper confidence limit (least_n)
    failures: int
    delta: Fraction | None = None  # the upper confidence limit asked of least_n

    @property
    def failure_rate(self) -> float:
        return self.failures / self.setting.trials

    @property
    def ci(self) -> tuple[float, float]:
        return clopper_pearson(self.failures, self.setting.trials, self.setting.confidence)

    def as_json(self) -> dict[str, Any]:
        st = self.setting
        lo, hi = self.ci
        doc: dict[str, Any] = {
            **st.as_json(),
            "n": self.n,
            "trials": st.trials,
            "failure_rate": self.failure_rate,
            "ci": [lo, hi],
            "confidence": st.confidence,
            "seed": st.seed,
        }
        if self.delta is not None:
            doc["delta"] = str(self.delta)
        return doc

    def __repr__(self) -> str:
        return one_line("RssResult", self.lines())

    def _repr_html_(self) -> str:
        return html_pairs("random subset sum (empirical)", [("", line) for line in self.lines()])

    def lines(self) -> list[str]:
        st = self.setting
        lo, hi = self.ci
        head = f"law={st.law.value} eps={st.eps} target={st.target} trials={st.trials} seed={st.seed}"
        if self.n is None:
            return [head, f"no n <= the search limit has an upper confidence limit <= delta={self.delta}"]
        what = f"least n with upper confidence limit <= {self.delta}: " if self.delta is not None else ""
        return [
            head,
            f"{what}n={self.n}: failure rate {self.failure_rate:.6g} "
            f"({self.failures}/{st.trials}), {100 * st.confidence:g} % Clopper-Pearson interval [{lo:.6g}, {hi:.6g}]",
        ]


def rss(st: RssSetting, n: Any, *, progress: Callable[[int], None] | None = None) -> RssResult:
    """The failure rate of ``n`` samples (module doc)."""
    nn = check_int("n", n, minimum=0)
    return RssResult(st, nn, failures(st, nn, progress=progress))


def least_n(st: RssSetting, delta: Any, *, progress: Callable[[int], None] | None = None) -> RssResult:
    """The least n whose upper Clopper-Pearson limit is <= delta, by doubling then bisection (the failure
    count is non-increasing in n: common random numbers, module doc); n = None past the search limit."""
    d = check_open_unit("delta", delta)
    limit = MAX_N_SUP if st.target == "sup" else MAX_N_POINT
    cache: dict[int, int] = {}

    def fails(n: int) -> int:
        if n not in cache:
            cache[n] = failures(st, n, progress=progress)
        return cache[n]

    def good(n: int) -> bool:
        return clopper_pearson(fails(n), st.trials, st.confidence)[1] <= d

    n = least_true(good, cap=limit)
    return RssResult(st, n, fails(limit if n is None else n), d)


# --- calibration of the subset-sum default block (bounds/rss_calibration.py is generated from it) ---

CALIBRATION_GRID: tuple[str, ...] = (
    "1/10",
    "1/30",
    "1/100",
    "1/300",
    "1/1000",
    "1/3000",
    "1/10000",
    "1/100000",
    "1/1000000",
)
CALIBRATION_DEFAULTS: dict[str, Any] = {
    "law": "uniform-product",
    "delta": "1/100",
    "trials": 1000,
    "seed": 0,
    "confidence": "0.95",
}
CALIBRATION_MODULE = "bounds/rss_calibration.py"
CALIBRATION_COMMAND = f"logprune check rss --calibrate --module {CALIBRATION_MODULE}"


@dataclass(frozen=True, kw_only=True)
class CalibrationPoint:
    """The least n at one relative accuracy eps/s (:func:`calibrate`), with its failure count and interval."""

    law: str
    eps: Fraction
    n: int | None  # None: no n <= MAX_N_POINT reaches the upper confidence limit delta
    failures: int  # at n (at MAX_N_POINT when n is None)
    trials: int
    seed: int
    confidence: float
    delta: Fraction
    ci: tuple[float, float]

    def as_json(self) -> dict[str, Any]:
        return {
            "law": self.law,
            "eps": str(self.eps),
            "n": self.n,
            "failures": self.failures,
            "trials": self.trials,
            "seed": self.seed,
            "confidence": self.confidence,
            "delta_w": str(self.delta),
            "failure_rate": self.failures / self.trials,
            "ci": [self.ci[0], self.ci[1]],
            "label": "empirical",
        }


def calibrate(
    *,
    grid: tuple[Any, ...] = CALIBRATION_GRID,
    law: Any = CALIBRATION_DEFAULTS["law"],
    delta: Any = CALIBRATION_DEFAULTS["delta"],
    trials: Any = CALIBRATION_DEFAULTS["trials"],
    seed: Any = CALIBRATION_DEFAULTS["seed"],
    confidence: Any = CALIBRATION_DEFAULTS["confidence"],
    progress: Callable[[int], None] | None = None,
) -> list[CalibrationPoint]:
    """For every eps/s of ``grid`` (finest last), the least n whose upper Clopper-Pearson limit of the
    failure rate is <= ``delta``: :func:`least_n` with target z ~ U[-1, 1] on the scale-normalised problem
    (samples of ``law`` on [-1, 1], accuracy eps/s).  One seed for every point: a subset within eps is
    within every coarser eps, so a trial failing at a finer eps fails at every coarser one and the least n
    is non-decreasing as eps gets finer, exactly (common random numbers, module doc): the first point is
    searched as by least_n, each next one steps up from the previous point's n (never evaluating the
    costly n far above the answer that doubling would).  After a point with no n <= MAX_N_POINT the finer
    ones are not searched.  It measures, it proves nothing: the table is labelled ``empirical``."""
    d = check_open_unit("delta", delta)
    eps_all = sorted({check_positive("eps", e) for e in grid}, reverse=True)
    points: list[CalibrationPoint] = []
    start = 0
    for e in eps_all:
        st = setting(law=law, eps=e, target="uniform", trials=trials, seed=seed, confidence=confidence)
        cache: dict[int, int] = {}

        def fails(n: int, st: RssSetting = st, cache: dict[int, int] = cache) -> int:
            if n not in cache:
                cache[n] = failures(st, n, progress=progress)
            return cache[n]

        def good(n: int, st: RssSetting = st) -> bool:
            return clopper_pearson(fails(n), st.trials, st.confidence)[1] <= d

        n: int | None = start
        if not points:  # the first point: doubling then bisection, as least_n
            n = least_true(good, cap=MAX_N_POINT, start=start)
        else:  # the next ones step up from the previous n (a few steps; the cost grows as 2^(n/2))
            while n is not None and not good(n):
                n = n + 1 if n < MAX_N_POINT else None
        k = fails(MAX_N_POINT if n is None else n)
        ci = clopper_pearson(k, st.trials, st.confidence)
        points.append(
            CalibrationPoint(
                law=st.law.value,
                eps=st.eps,
                n=n,
                failures=k,
                trials=st.trials,
                seed=st.seed,
                confidence=st.confidence,
                delta=d,
                ci=ci,
            )
        )
        if n is None:
            break
        start = n
    return points


def _literal(v: Any) -> str:
    """A JSON-like value as Python source in ruff's format (double quotes)."""
    if v is None or isinstance(v, (bool, int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v + '"'
    return "[" + ", ".join(_literal(x) for x in v) + "]"


def calibration_module(points: list[CalibrationPoint], *, command: str = CALIBRATION_COMMAND) -> str:
    """The text of ``bounds/rss_calibration.py``: a header naming the command, then the frozen table
    (formatted as ``ruff format`` leaves it, so that regenerating it reproduces the file byte for byte)."""
    rows = "".join(
        "    {\n" + "".join(f'        "{k}": {_literal(v)},\n' for k, v in p.as_json().items()) + "    },\n"
        for p in points
    )
    return (
        '"""The subset-sum default block size, calibrated by the RSS engine (EMPIRICAL: measured, not proven).\n\n'
        f"GENERATED by ``{command}``\n"
        "(logprune.checks.rss.calibrate); do not edit.  Each row: the least n whose upper Clopper-Pearson limit\n"
        "(two-sided, at ``confidence``) of the failure rate is <= delta_w, for n samples of ``law`` on [-1, 1]\n"
        "and a target z ~ U[-1, 1] at accuracy ``eps`` (= eps_w/s, the scale-normalised problem), over\n"
        "``trials`` trials from ``seed``; ``failures`` and ``ci`` are at that n.\n"
        '"""\n\n'
        "from typing import Any\n\n"
        "TABLE: tuple[dict[str, Any], ...] = (\n"
        f"{rows}"
        ")\n"
    )
