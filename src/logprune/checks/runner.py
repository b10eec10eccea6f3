"""The battery of ``logprune check claims``: every sampling claim, the samplers, the construction."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from logprune.checks import claims
from logprune.checks.distributions import check_distributions
from logprune.checks.residuals import hunt
from logprune.choices import Pooling
from logprune.extras import require
from logprune.progress import progress as progress_bar

__all__ = ["run_checks"]


def run_checks(
    *, quick: bool, trials: int | None, confidence: float, seed: int, progress: bool = False
) -> dict[str, Any]:
    """Run the battery; ``quick`` is the version the test suite runs (seconds), the full one takes minutes;
    ``progress``: a bar over the checks."""
    require("scipy", extra="check", what="check claims")  # the checks' statistics
    ks = (2, 8) if quick else (2, 8, 21, 40)
    steps = 2 + len(ks) + 1 + 4 + 3 + 1 + 2 + 2  # L1, L2, L3 per k, L3-uniform, L4 x4, construction x3, dists, hunts
    with progress_bar(total=steps, desc="check claims", unit="check", show=progress) as bar:
        return _battery(quick=quick, trials=trials, confidence=confidence, seed=seed, ks=ks, tick=bar.update)


def _battery(
    *, quick: bool, trials: int | None, confidence: float, seed: int, ks: tuple[int, ...], tick: Any
) -> dict[str, Any]:
    T = trials or (400 if quick else 4000)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    d = Fraction(1, 20)
    results: list[dict[str, Any]] = []
    results.append(
        claims.check_L1(
            eps=Fraction(1, 5) if quick else Fraction(1, 10), delta=d, trials=T, confidence=confidence, rng=rng
        ).as_json()
    )
    tick()
    results.append(
        claims.check_L2(
            eps=Fraction(1, 20) if quick else Fraction(1, 50),
            delta=d,
            w_max=Fraction(1, 2),
            trials=T,
            confidence=confidence,
            rng=rng,
        ).as_json()
    )
    tick()
    for k in ks:
        results.append(claims.check_L3(k=k, delta=d, trials=T, confidence=confidence, rng=rng).as_json())
        tick()
    results.append(
        claims.check_L3_uniform(k=4 if quick else 8, delta=d, trials=T, confidence=confidence, rng=rng).as_json()
    )
    tick()
    for exact in (False, True):
        for c, m, k in ((Fraction(1, 20), 1, 20), (Fraction(1, 64), 5, 10)):
            results.append(
                claims.check_L4(c=c, m=m, k=k, delta=d, exact=exact, trials=T, confidence=confidence, rng=rng).as_json()
            )
            tick()
    construction = []
    for p, name in ((Pooling.SHARED, "random"), (Pooling.PER_WEIGHT, "random"), (Pooling.SHARED, "demo")):
        construction.append(
            claims.check_construction(
                pooling=p, delta=Fraction(1, 5), seeds=10 if quick else 60, confidence=confidence, target_name=name
            )
        )
        tick()
    dists = check_distributions(n=20_000 if quick else 200_000, rng=rng)
    tick()
    # admissible bases: a long hunt that should approach 1 without exceeding it.  Bases above phi: the
    # violating region shrinks fast (margin (b^2 - b - 1)/b^(k+1)), so the hunt runs k = 1..6 and reports
    # the k with the most counterexamples
    n_ex = 200 if quick else 2000
    hunts = []
    for b in ("phi", "3/2"):
        hunts.append(hunt(base=b, k=6 if quick else 12, max_examples=n_ex))
        tick()
    for b in ("2", "13/8"):
        tries = [hunt(base=b, k=kk, max_examples=n_ex) for kk in range(1, 7)]
        hunts.append(max(tries, key=lambda h: h["exceeded"]))
        tick()
    return {
        "seed": seed,
        "quick": quick,
        "trials": T,
        "confidence": confidence,
        "claims": results,
        "construction": construction,
        "distributions": dists,
        "residual_hunts": hunts,
    }


def failed(doc: dict[str, Any]) -> list[str]:
    """What refutes the theory or the samplers (inconclusive verdicts are not failures)."""
    bad = [f"{r['claim']} {r['params']}" for r in doc["claims"] if r["verdict"] == "refuted"]
    bad += [r["claim"] for r in doc["construction"] if r["verdict"] == "refuted"]
    bad += [r["test"] for r in doc["distributions"] if not r["ok"]]
    bad += [f"{r['claim']} base={r['base']}" for r in doc.get("residual_hunts", []) if not r["ok"]]
    return bad


def lines(doc: dict[str, Any]) -> list[str]:
    out = [f"logprune check: seed={doc['seed']}, {doc['trials']} trials per claim, confidence {doc['confidence']}"]
    for r in doc["claims"]:
        lo, hi = r["failure_rate_ci"]
        rlo, rhi = r["ratio_ci"]
        out.append(
            f"{r['claim']:<14} {r['params']!s:<52} bound {r['bound']:>7}  failures {r['failures_at_bound']:>4}"
            f"/{r['trials']} CI [{lo:.4f}, {hi:.4f}] vs delta {r['delta']:.3g}: {r['verdict']:<12} "
            f"empirical min {r['empirical_min']:>7} (CI {r['empirical_min_ci'][0]}..{r['empirical_min_ci'][1]}), "
            f"bound/empirical {r['ratio_bound_over_empirical']:.2f} [{rlo:.2f}, {rhi:.2f}]"
        )
    for r in doc["construction"]:
        out.append(
            f"{r['claim']:<40} width {r['bound_width']}: {r['successes']}/{r['seeds']} seeds succeed, "
            f"failure CI {r['failure_rate_ci'][0]:.3f}..{r['failure_rate_ci'][1]:.3f} vs delta {r['delta']}: "
            f"{r['verdict']}; smallest width still >= 1 - delta: {r['smallest_width_with_success_rate']} "
            f"(bound/smallest {r['ratio_bound_over_smallest']:.1f})"
        )
    for r in doc["distributions"]:
        extra = f", re-drawn: p = {r['redraw_p_value']:.3g}" if r["redraw_p_value"] is not None else ""
        out.append(f"{r['test']:<72} p = {r['p_value']:.3g}{extra}: {'ok' if r['ok'] else 'FAILED'}")
    for r in doc.get("residual_hunts", []):
        what = "never above 1 (exact checks)" if r["admissible"] else f"{r['exceeded']} examples above 1"
        out.append(
            f"{r['claim']} base={r['base']:<4} k={r['k']}: max residual/(b^-k) = {r['max_ratio']:.6f} over "
            f"{r['examples']} examples, {what}: {'ok' if r['ok'] else 'FAILED'}"
        )
    return out
