"""The samplers of logprune against scipy.stats, with a stated test and significance (issue #5).

Kolmogorov-Smirnov tests at significance ``alpha`` (default 0.001); a test that rejects is re-drawn once
with fresh samples, and fails only if it rejects again (a correct sampler fails with probability about
alpha^2).  The signs are tested with an exact binomial test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from logprune.construct.gsample import Law

__all__ = ["check_distributions"]


def _test(
    name: str, run: Callable[[np.random.Generator], float], rng: np.random.Generator, alpha: float
) -> dict[str, Any]:
    p1 = run(rng)
    redraw = p1 < alpha
    p2 = run(rng) if redraw else None
    ok = not redraw or (p2 is not None and p2 >= alpha)
    return {"test": name, "p_value": p1, "redraw_p_value": p2, "alpha": alpha, "ok": ok}


def check_distributions(*, n: int, rng: np.random.Generator, alpha: float = 1e-3) -> list[dict[str, Any]]:
    from scipy import stats

    hyp = Law("hyperbolic", 1e-3, 2.0, {})
    uni = Law("uniform", 0.0, 0.75, {})
    la, lb = math.log(hyp.alpha), math.log(hyp.beta)
    out = [
        _test(
            "hyperbolic |w| vs scipy.stats.loguniform (KS)",
            lambda g: float(stats.kstest(np.abs(hyp.draw(g, (n,))), stats.loguniform(hyp.alpha, hyp.beta).cdf).pvalue),
            rng,
            alpha,
        ),
        _test(
            "hyperbolic sign fair (exact binomial test)",
            lambda g: float(stats.binomtest(int(np.count_nonzero(hyp.draw(g, (n,)) > 0)), n).pvalue),
            rng,
            alpha,
        ),
        _test(
            "log|ab| of hyperbolic a, b vs scipy.stats.triang (KS)",
            lambda g: float(
                stats.kstest(
                    np.log(np.abs(hyp.draw(g, (n,)) * hyp.draw(g, (n,)))),
                    stats.triang(c=0.5, loc=2 * la, scale=2 * (lb - la)).cdf,
                ).pvalue
            ),
            rng,
            alpha,
        ),
        _test(
            "uniform w vs scipy.stats.uniform (KS)",
            lambda g: float(stats.kstest(uni.draw(g, (n,)), stats.uniform(-uni.beta, 2 * uni.beta).cdf).pvalue),
            rng,
            alpha,
        ),
        _test(
            "|ab| of uniform a, b vs t(1 - ln t) (KS, bounds.uniform's product law)",
            lambda g: float(
                stats.kstest(
                    np.abs(uni.draw(g, (n,)) * uni.draw(g, (n,))) / uni.beta**2,
                    lambda t: np.where(t <= 0, 0.0, np.where(t >= 1, 1.0, t * (1 - np.log(np.maximum(t, 1e-300))))),
                ).pvalue
            ),
            rng,
            alpha,
        ),
    ]
    return out
