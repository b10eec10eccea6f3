"""The measured error of Ĝ against F on seeded inputs (float64; a lower estimate, never a certificate).

The inputs are drawn on the sphere ||x||_2 = x_max (in the nonnegative orthant when the inputs are
declared nonnegative: the certificate's domain), from ``SeedSequence(seed, spawn_key=(10**6,))`` — a key
no block of G uses — plus any inputs the user gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logprune.bounds.domain import Domain
from logprune.choices import Norm
from logprune.construct.target import Target
from logprune.errors import ParameterError

__all__ = ["MEASURE_KEY", "measured_error", "sphere_inputs"]

MEASURE_KEY = 10**6  # the seed stream of the measured inputs (module doc)


def sphere_inputs(d: int, *, domain: Domain, n: int, seed: int, key: int = MEASURE_KEY) -> np.ndarray:
    """n seeded inputs on the domain's sphere ||x||_2 = x_max in R^d (in the nonnegative orthant when the
    domain is)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))
    x = rng.standard_normal((n, d))
    if domain.nonnegative:
        x = np.abs(x)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x * (float(domain.x_max) / np.where(norms > 0, norms, 1.0)))


def measured_error(
    forward_hat: Any,
    target: Target,
    *,
    domain: Domain,
    n: int,
    seed: int,
    extra: np.ndarray | None = None,
) -> float:
    """Max error, in the domain's norm, over n seeded inputs on its sphere ||x|| = x_max (and any user
    inputs), in float64."""
    d = target.original_widths[0]
    x = sphere_inputs(d, domain=domain, n=n, seed=seed)
    if extra is not None:
        x = np.vstack([x, np.asarray(extra, dtype=np.float64).reshape(-1, d)])
    if target.append_one:
        x = np.hstack([x, np.ones((x.shape[0], 1))])
    with np.errstate(over="ignore", invalid="ignore"):
        diff = forward_hat(x) - target.forward(x)
        top = np.max(np.abs(diff), axis=1) if diff.size else np.zeros(0)
        if domain.norm is Norm.L2:  # scaled by the row's largest entry: the squares cannot overflow
            safe = np.where(top > 0, top, 1.0)
            ords = top * np.linalg.norm(diff / safe[:, None], axis=1)
        else:
            ords = top
    if not np.all(np.isfinite(ords)):
        raise ParameterError(
            f"xmax={domain.x_max}: the error at these inputs (or at --inputs) overflows float64 in F's or Ĝ's forward "
            "pass; it cannot be measured"
        )
    return float(np.max(ords)) if ords.size else 0.0
