"""The sampling claims as Monte-Carlo experiments (L1, L3 hyperbolic and uniform, L4, construction).

Each function draws from the same laws bounds/ assumes, computes coverage times
(:mod:`logprune.checks.coverage`) and returns validity and tightness against the bound bounds/ computes.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from logprune.bounds import batch, hyperbolic, sampling, uniform
from logprune.bounds.certified import enclose
from logprune.checks.coverage import ClaimCheck, check_claim, coverage_times_categories
from logprune.choices import Pooling, choice
from logprune.validation import sympy_rational

__all__ = ["check_L1", "check_L2", "check_L3", "check_L3_uniform", "check_L4", "check_construction"]

LOG_PHI = math.log((1 + math.sqrt(5)) / 2)


def check_L1(*, eps: Fraction, delta: Fraction, trials: int, confidence: float, rng: np.random.Generator) -> ClaimCheck:
    """L1 (docs/claims.md, L1) at the worst target weight w = 1: part + needs |a - 1| <= eps, |o - 1| <= eps;
    part - the mirror."""
    bound = int(sampling.L1_samples(eps=eps, delta=delta)["samples"])
    e = float(eps)

    def draw(g: np.random.Generator, size: int) -> np.ndarray:
        a, o = g.uniform(-1, 1, size), g.uniform(-1, 1, size)
        plus = (np.abs(a - 1) <= e) & (np.abs(o - 1) <= e)
        minus = (np.abs(a + 1) <= e) & (np.abs(o + 1) <= e)
        return np.where(plus, 0, np.where(minus, 1, -1))

    times = coverage_times_categories(draw, n_categories=2, m=1, n_max=3 * bound, trials=trials, rng=rng)
    return check_claim(
        "L1", {"eps": str(eps), "delta": str(delta)}, bound=bound, delta=delta, times=times, confidence=confidence
    )


def check_L2(
    *, eps: Fraction, delta: Fraction, w_max: Fraction, trials: int, confidence: float, rng: np.random.Generator
) -> ClaimCheck:
    """L2 (docs/claims.md, L2) with U[-1, 1] weights at the worst target weight of [0, w_max] (w_max for
    these parameters): the + part needs a > 0 and |ao - w| <= eps, the - part a < 0 and |ao - w| <= eps."""
    res = sampling.L2_samples(eps=eps, delta=delta, w_max=w_max)
    bound = int(res["samples"])
    p0 = sampling.L2_probability_uniform(w=0, eps=eps)
    w = 0.0 if p0.upper <= res["p"].upper and p0.lower >= res["p"].lower else float(w_max)
    e = float(eps)

    def draw(g: np.random.Generator, size: int) -> np.ndarray:
        a, o = g.uniform(-1, 1, size), g.uniform(-1, 1, size)
        close = np.abs(a * o - w) <= e
        return np.where(close & (a > 0), 0, np.where(close & (a < 0), 1, -1))

    times = coverage_times_categories(
        draw, n_categories=2, m=1, n_max=3 * bound, trials=trials, rng=rng, chunk=max(1, 2**22 // (3 * bound))
    )
    return check_claim(
        "L2",
        {"eps": str(eps), "delta": str(delta), "w": str(w)},
        bound=bound,
        delta=delta,
        times=times,
        confidence=confidence,
    )


def _segment_labels(prod: np.ndarray, ok: np.ndarray, k: int) -> np.ndarray:
    with np.errstate(divide="ignore"):
        seg = np.floor(-np.log(np.abs(prod)) / LOG_PHI).astype(np.int64)  # scale s = 1
    return np.where(ok & (seg >= 1) & (seg <= k), seg - 1, -1)


def check_L3(*, k: int, delta: Fraction, trials: int, confidence: float, rng: np.random.Generator) -> ClaimCheck:
    """L3 (docs/claims.md, L3) with hyperbolic weights on the optimal support: fill the k segments with
    a > 0 and ab > 0."""
    bound = int(sampling.L3_samples(k_segments=k, delta=delta)["samples"])
    sup = hyperbolic.optimal_support(k_segments=k)
    la, lb = math.log(float(enclose(sup.alpha).decimal)), math.log(float(enclose(sup.beta).decimal))

    def draw(g: np.random.Generator, size: int) -> np.ndarray:
        a = np.exp(g.uniform(la, lb, size)) * (g.integers(0, 2, size) * 2 - 1)
        o = np.exp(g.uniform(la, lb, size)) * (g.integers(0, 2, size) * 2 - 1)
        return _segment_labels(a * o, (a > 0) & (a * o > 0), k)

    times = coverage_times_categories(draw, n_categories=k, m=1, n_max=3 * bound, trials=trials, rng=rng)
    return check_claim(
        "L3",
        {"k": k, "delta": str(delta), "c": sp.sstr(hyperbolic.coverage(k))},
        bound=bound,
        delta=delta,
        times=times,
        confidence=confidence,
    )


def check_L3_uniform(
    *, k: int, delta: Fraction, trials: int, confidence: float, rng: np.random.Generator
) -> ClaimCheck:
    """The uniform counterpart of L3 (slides' open question): U[-beta, beta] with beta^2 = 1/phi."""
    cu = uniform.coverage(k_segments=k).lower
    bound = sampling.samples_for_confidence(p=sympy_rational(cu), events=k, delta=delta)
    beta = math.sqrt(2 / (1 + math.sqrt(5)))

    def draw(g: np.random.Generator, size: int) -> np.ndarray:
        a, o = g.uniform(-beta, beta, size), g.uniform(-beta, beta, size)
        return _segment_labels(a * o, (a > 0) & (a * o > 0), k)

    times = coverage_times_categories(
        draw, n_categories=k, m=1, n_max=3 * bound, trials=trials, rng=rng, chunk=max(1, 2**22 // (3 * bound))
    )
    return check_claim(
        "L3-uniform",
        {"k": k, "delta": str(delta), "c": f"{float(cu):.6g}"},
        bound=bound,
        delta=delta,
        times=times,
        confidence=confidence,
    )


def check_L4(
    *,
    c: Fraction,
    m: int,
    k: int,
    delta: Fraction,
    exact: bool,
    trials: int,
    confidence: float,
    rng: np.random.Generator,
) -> ClaimCheck:
    """L4 (docs/claims.md, L4) with k categories of probability exactly c each: M (Chernoff) or M_exact (exact tail)."""
    bound = (batch.M_exact if exact else batch.M)(c=c, m=m, k=k, delta=delta)
    cf = float(c)

    def draw(g: np.random.Generator, size: int) -> np.ndarray:
        u = g.random(size)
        return np.where(u < k * cf, np.floor(u / cf).astype(np.int64), -1)

    times = coverage_times_categories(
        draw, n_categories=k, m=m, n_max=2 * bound, trials=trials, rng=rng, chunk=max(1, 2**22 // (2 * bound))
    )
    return check_claim(
        "L4 (M_exact)" if exact else "L4 (M)",
        {"c": str(c), "m": m, "k": k, "delta": str(delta)},
        bound=bound,
        delta=delta,
        times=times,
        confidence=confidence,
    )


def check_construction(
    *, pooling: Pooling | str, delta: Fraction, seeds: int, confidence: float, target_name: str = "random"
) -> dict[str, Any]:
    """Success rate of construct over seeds at the bound's width (docs/claims.md, pooling-A / pooling-B),
    and the least width (halving the block size) at which the success rate is still >= 1 - delta.
    Targets: ``random`` (a fixed random 3-4-2 network) or ``demo`` (the 2-16-16-2 network shipped with
    logprune, biases included)."""
    from scipy import stats

    from logprune.construct.io.targets import demo_target
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct
    from logprune.construct.target import target_from_arrays

    pool = choice(Pooling, "pooling", pooling)

    if target_name == "demo":
        target, _ = demo_target()
    else:
        g = np.random.default_rng(2020)
        target = target_from_arrays([g.normal(size=(4, 3)) * 0.5, g.normal(size=(2, 4)) * 0.5])

    def rate(width: int | None) -> tuple[int, int, int]:
        ok, block, k = 0, 0, 0
        for s in range(seeds):
            opt = options(eps="0.05", delta=delta, seed=s, pooling=pool, width=width)
            built = construct(target, opt, measure=False, cell_budget=1)  # the decision only: one cell
            ok += built.ok
            block, k = built.plan.block, built.plan.k
        return ok, block, k

    ok, bound, k = rate(None)
    ci = stats.binomtest(seeds - ok, seeds).proportion_ci(confidence_level=confidence, method="exact")
    need = math.ceil((1 - float(delta)) * seeds)
    smallest, failing = bound, 0
    width = bound
    while width > 1:  # halve until the success rate drops below 1 - delta ...
        width //= 2
        if rate(width)[0] < need:
            failing = width
            break
        smallest = width
    while smallest - failing > max(1, smallest // 50):  # ... then bisect to 2 %
        mid = (smallest + failing) // 2
        if rate(mid)[0] >= need:
            smallest = mid
        else:
            failing = mid
    return {
        "claim": f"construction width, pooling {'B' if pool is Pooling.SHARED else 'A'}, {target_name} target",
        "pool": pool.value,
        "delta": str(delta),
        "seeds": seeds,
        "bound_width": bound,
        "successes": ok,
        "failure_rate_ci": [float(ci.low), float(ci.high)],
        "verdict": "valid" if ci.high <= float(delta) else ("refuted" if ci.low > float(delta) else "inconclusive"),
        "smallest_width_with_success_rate": smallest,
        "ratio_bound_over_smallest": bound / smallest,
        "k": k,
    }
