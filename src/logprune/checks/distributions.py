"""The samplers of logprune against scipy.stats, with a stated test and significance (issue #5).

The samplers are those of G, :meth:`logprune.bounds.laws.HyperbolicLaw.sample` and
:meth:`logprune.bounds.laws.UniformLaw.sample`; the references are the laws of docs/claims.md, L3
(hyperbolic, and the triangular law of log|ab|) and L2 (uniform, and t(1 - ln t) for |ab|).

Kolmogorov-Smirnov tests at significance ``alpha`` (default 0.001); a test that rejects is re-drawn once
with fresh samples, and fails only if it rejects again (a correct sampler fails with probability about
alpha^2).  The signs are tested with an exact binomial test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from logprune.bounds import laws

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

    hyp = laws.hyperbolic(alpha="1e-3", beta=2)
    uni = laws.uniform(beta="0.75")
    a, b, u = hyp.alpha_float, hyp.beta_float, uni.beta_float
    la, lb = math.log(a), math.log(b)
    out = [
        _test(
            "hyperbolic |w| vs scipy.stats.loguniform (KS)",
            lambda g: float(stats.kstest(np.abs(hyp.sample(g, (n,))), stats.loguniform(a, b).cdf).pvalue),
            rng,
            alpha,
        ),
        _test(
            "hyperbolic sign fair (exact binomial test)",
            lambda g: float(stats.binomtest(int(np.count_nonzero(hyp.sample(g, (n,)) > 0)), n).pvalue),
            rng,
            alpha,
        ),
        _test(
            "log|ab| of hyperbolic a, b vs scipy.stats.triang (KS)",
            lambda g: float(
                stats.kstest(
                    np.log(np.abs(hyp.sample(g, (n,)) * hyp.sample(g, (n,)))),
                    stats.triang(c=0.5, loc=2 * la, scale=2 * (lb - la)).cdf,
                ).pvalue
            ),
            rng,
            alpha,
        ),
        _test(
            "uniform w vs scipy.stats.uniform (KS)",
            lambda g: float(stats.kstest(uni.sample(g, (n,)), stats.uniform(-u, 2 * u).cdf).pvalue),
            rng,
            alpha,
        ),
        _test(
            "|ab| of uniform a, b vs t(1 - ln t) (KS, bounds.uniform's product law)",
            lambda g: float(
                stats.kstest(
                    np.abs(uni.sample(g, (n,)) * uni.sample(g, (n,))) / u**2,
                    lambda t: np.where(t <= 0, 0.0, np.where(t >= 1, 1.0, t * (1 - np.log(np.maximum(t, 1e-300))))),
                ).pvalue
            ),
            rng,
            alpha,
        ),
    ]
    return out
