"""Empirical sample counts against the symbolic bounds (issue #5: validity and tightness of the sampling
claims of docs/claims.md, L1, L2, L3, L4).

For a sampling claim ("N samples fill every category w.p. >= 1 - delta") each Monte-Carlo trial draws a
long sequence of samples once and records its *coverage time*: the least N at which the claim's event
holds for the prefix of length N.  The failure rate at any N is then the share of trials whose coverage
time exceeds N (exactly monotone in N: common random numbers), so

- validity: failures at the bound's N, with a Clopper-Pearson interval at the stated confidence; the
  bound is ``valid`` if the upper limit is <= delta, ``refuted`` if the lower limit is > delta, else
  ``inconclusive`` (more trials needed: the bound is too tight to tell at this many trials);
- tightness: the empirical minimum N_emp is the (1 - delta)-quantile of the coverage times; its
  distribution-free confidence interval comes from order statistics (ranks from Bin(T, 1 - delta)),
  and the ratio bound/N_emp is reported with the interval it implies.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["ClaimCheck", "check_claim", "clopper_pearson", "coverage_times_categories", "first_hits"]


@dataclass(frozen=True, kw_only=True)
class ClaimCheck:
    """Validity and tightness of one bound, with the parameters that define it."""

    claim: str
    params: dict[str, Any]
    bound: int
    delta: float
    trials: int
    confidence: float
    failures_at_bound: int
    failure_ci: tuple[float, float]
    verdict: str  # valid | refuted | inconclusive
    empirical_min: int
    empirical_min_ci: tuple[int, int]
    ratio: float
    ratio_ci: tuple[float, float]

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "params": self.params,
            "bound": self.bound,
            "delta": self.delta,
            "trials": self.trials,
            "confidence": self.confidence,
            "failures_at_bound": self.failures_at_bound,
            "failure_rate_ci": list(self.failure_ci),
            "verdict": self.verdict,
            "empirical_min": self.empirical_min,
            "empirical_min_ci": list(self.empirical_min_ci),
            "ratio_bound_over_empirical": self.ratio,
            "ratio_ci": list(self.ratio_ci),
        }


def clopper_pearson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """The exact (Clopper-Pearson) two-sided interval of a binomial proportion k/n (scipy.stats)."""
    from scipy import stats

    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def _quantile_ci(times: np.ndarray, q: float, confidence: float) -> tuple[int, int, int]:
    """(estimate, lower, upper) of the q-quantile of ``times`` by order statistics (distribution-free)."""
    from scipy import stats

    s = np.sort(times)
    T = s.size
    est = int(s[min(T - 1, math.ceil(q * T) - 1)])
    alpha = 1 - confidence
    lo_rank = int(stats.binom.ppf(alpha / 2, T, q))  # P(Bin < lo_rank) <= alpha/2
    hi_rank = int(stats.binom.ppf(1 - alpha / 2, T, q)) + 1
    lo = int(s[max(0, min(T - 1, lo_rank - 1))])
    hi = int(s[min(T - 1, hi_rank - 1)]) if hi_rank <= T else int(np.iinfo(np.int64).max)
    return est, lo, hi


def check_claim(
    claim: str, params: dict[str, Any], *, bound: int, delta: Fraction | float, times: np.ndarray, confidence: float
) -> ClaimCheck:
    """Validity and tightness from the coverage times of the trials (module doc)."""
    d = float(delta)
    T = int(times.size)
    fails = int(np.count_nonzero(times > bound))
    lo, hi = clopper_pearson(fails, T, confidence)
    verdict = "valid" if hi <= d else ("refuted" if lo > d else "inconclusive")
    est, qlo, qhi = _quantile_ci(times, 1 - d, confidence)
    est = max(est, 1)
    ratio = bound / est
    rci = (bound / qhi if qhi > 0 else 0.0, bound / max(qlo, 1))
    return ClaimCheck(
        claim=claim,
        params=params,
        bound=bound,
        delta=d,
        trials=T,
        confidence=confidence,
        failures_at_bound=fails,
        failure_ci=(lo, hi),
        verdict=verdict,
        empirical_min=est,
        empirical_min_ci=(qlo, qhi),
        ratio=ratio,
        ratio_ci=rci,
    )


def first_hits(categories: np.ndarray, n_categories: int, m: int = 1) -> np.ndarray:
    """Coverage time of each trial: the least N such that the first N samples put at least m samples in
    every category 0..n_categories-1 (category -1: no category).  ``categories`` has shape (trials, N_max);
    trials never covered get N_max + 1."""
    trials, nmax = categories.shape
    out = np.zeros(trials, dtype=np.int64)
    for c in range(n_categories):
        hit = categories == c
        counts = np.cumsum(hit, axis=1)
        reached = counts >= m
        first = np.where(reached.any(axis=1), np.argmax(reached, axis=1) + 1, nmax + 1)
        out = np.maximum(out, first)
    return out


def coverage_times_categories(
    draw: Callable[[np.random.Generator, int], np.ndarray],
    *,
    n_categories: int,
    m: int,
    n_max: int,
    trials: int,
    rng: np.random.Generator,
    chunk: int = 256,
) -> np.ndarray:
    """Coverage times of ``trials`` sequences of ``n_max`` samples drawn by ``draw(rng, size)``, which
    returns category labels (0..n_categories-1, or -1) for ``size`` i.i.d. samples."""
    parts = []
    for lo in range(0, trials, chunk):
        t = min(chunk, trials - lo)
        cats = draw(rng, t * n_max).reshape(t, n_max)
        parts.append(first_hits(cats, n_categories, m))
    return np.concatenate(parts)
