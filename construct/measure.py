"""The measured error of Ĝ against F (float64; a lower estimate, never a certificate), and the inputs'
relation to the certified domain.

The seeded inputs are drawn on the sphere ||x||_2 = x_max (in the nonnegative orthant when the inputs are
declared nonnegative: the certificate's domain), from ``SeedSequence(seed, spawn_key=(10**6,))`` — a key
no block of G uses.  Inputs a user gives are measured too, and each is placed, rigorously, inside or outside
the domain (:func:`inside`): the error on an input outside it is not covered by the certificate, and a
:class:`Measurement` keeps the two apart, so that a result never shows "measured > certified" beside a bare
OK.  :func:`data_domain` makes the domain of a data set (``--data``): the least short decimal above its
largest norm (:func:`data_x_max`, rigorous), and x >= 0 when every entry is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.bounds.domain import Domain
from logprune.choices import Norm
from logprune.construct.numeric import sqrt_up
from logprune.construct.target import Target, exact_float64
from logprune.errors import ParameterError

__all__ = ["MEASURE_KEY", "Measurement", "data_domain", "data_x_max", "inside", "measure", "sphere_inputs"]

MEASURE_KEY = 10**6  # the seed stream of the measured inputs (module doc)
_U = Fraction(1, 2**53)  # unit roundoff of float64
_TINY = Fraction(1, 2**1074)  # the smallest positive float64: what a square may lose to underflow


def sphere_inputs(d: int, *, domain: Domain, n: int, seed: int, key: int = MEASURE_KEY) -> np.ndarray:
    """n seeded inputs on the domain's sphere ||x||_2 = x_max in R^d (in the nonnegative orthant when the
    domain is)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))
    x = rng.standard_normal((n, d))
    if domain.nonnegative:
        x = np.abs(x)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x * (float(domain.x_max) / np.where(norms > 0, norms, 1.0)))


def _rows(x: np.ndarray) -> np.ndarray:
    """Data as a 2-D float64 array, unrounded (the error analysis below is float64's)."""
    a = exact_float64("data", x)
    if a.ndim != 2:
        raise ParameterError(f"data.shape={a.shape}: expected rows of inputs (2-D)")
    return a


def _sum_sq_bounds(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, floats below and above the exact sum of squares (squares rounded by at most u each,
    underflow losing at most 2^-1074 each, a float sum of n nonnegative terms off by at most gamma_(n-1))."""
    n = x.shape[1]
    with np.errstate(over="ignore"):
        s = np.einsum("ij,ij->i", x, x)
    nu = float((n + 4) * _U)
    slack = 2 * nu / (1 - nu) + 2.0**-50  # the float products and sums below round too: a wide margin
    tiny = 4 * n * 2.0**-1074
    return s * (1 - slack) - tiny, s * (1 + slack) + tiny


def data_x_max(x: np.ndarray) -> Fraction:
    """A rigorous upper bound of max_r ||x_r||_2 over the rows of x (float64).

    Each row's sum of squares S = sum x_j^2 is computed in floats; the exact sum is at most
    fl(S)/((1 - u)(1 - gamma_(n-1))) + n·2^-1074 (squares rounded by at most u each, underflow losing at
    most 2^-1074 each, a float sum of n nonnegative terms off by at most gamma_(n-1) of the exact sum),
    then the largest row's bound goes through an exact upward square root."""
    x = _rows(x)
    if x.size == 0:
        return Fraction(0)
    n = x.shape[1]
    s = float(np.max(np.einsum("ij,ij->i", x, x)))
    if not np.isfinite(s):
        raise ParameterError("data: squared row norms overflow float64")
    nu = (n - 1) * _U
    gamma = nu / (1 - nu)
    bound = Fraction(s) / ((1 - _U) * (1 - gamma)) + n * _TINY
    return sqrt_up(bound)


def _short_up(q: Fraction, digits: int = 3) -> Fraction:
    """The least decimal with ``digits`` significant digits that is >= q > 0 (a domain easy to read)."""
    e = math.floor(math.log10(q)) - digits + 1 if q > 0 else 0
    step = Fraction(10) ** e
    return -((-q) // step) * step


def data_domain(x: np.ndarray, *, norm: Norm = Norm.L2) -> Domain:
    """The domain of a data set: ||x||_2 <= the least 3-digit decimal above its largest row norm (rigorous,
    :func:`data_x_max`), and x >= 0 when every entry is (docs/claims.md, certificate)."""
    rows = _rows(x)
    if rows.shape[0] == 0:
        raise ParameterError("data: no rows")
    top = data_x_max(rows)
    if top == 0:
        raise ParameterError("data: every row is 0; the domain would be the point 0")
    return Domain(x_max=_short_up(top), nonnegative=bool(np.all(rows >= 0)), norm=norm)


def inside(x: np.ndarray, domain: Domain) -> np.ndarray:
    """Which rows lie in the domain, decided rigorously: ||x||_2^2 <= x_max^2 from float bounds of each
    row's exact sum of squares, in exact rationals where they cannot tell; and x >= 0 where declared."""
    rows = _rows(x)
    if rows.size == 0:
        return np.ones(rows.shape[0], dtype=bool)
    lo, hi = _sum_sq_bounds(rows)
    xm2 = domain.x_max**2
    limit = float(xm2)
    ok = hi <= limit * (1 - 2.0**-48)  # certainly inside (the float limit is within an ulp of x_max^2)
    out = lo > limit * (1 + 2.0**-48)  # certainly outside
    for r in np.nonzero(~ok & ~out)[0].tolist():
        ok[r] = sum((Fraction(float(v)) ** 2 for v in rows[r]), Fraction(0)) <= xm2
    if domain.nonnegative:
        ok &= np.all(rows >= 0, axis=1)
    return np.asarray(ok)


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """The measured error: on the domain (the seeded inputs and the given ones inside it) and, apart, on the
    given inputs outside it, which the certificate does not cover."""

    error: float  # max over the inputs in the domain
    given: int = 0  # inputs the user gave
    outside: int = 0  # of them, outside the domain
    error_outside: float | None = None  # max over those outside (None: none)

    def as_json(self) -> dict[str, Any]:
        return {
            "inputs_given": self.given,
            "inputs_outside_domain": self.outside,
            "measured_error_outside_domain": self.error_outside,
        }

    def line(self, domain: Domain) -> str:
        """The measured-error line of a summary."""
        text = f"measured error on sample inputs in the domain: {self.error:.4e}"
        if self.given:
            text += f" ({self.given - self.outside} of the {self.given} given inputs among them)"
        if self.outside:
            text += (
                f"; {self.outside} given inputs lie outside {domain} (error up to {self.error_outside:.4e}), "
                "where the certificate says nothing"
            )
        return text


def _errors(forward_hat: Any, target: Target, x: np.ndarray, norm: Norm, domain: Domain) -> np.ndarray:
    if target.append_one:
        x = np.hstack([x, np.ones((x.shape[0], 1))])
    with np.errstate(over="ignore", invalid="ignore"):
        diff = forward_hat(x) - target.forward(x)
        top = np.max(np.abs(diff), axis=1) if diff.size else np.zeros(0)
        if norm is Norm.L2:  # scaled by the row's largest entry: the squares cannot overflow
            safe = np.where(top > 0, top, 1.0)
            ords = top * np.linalg.norm(diff / safe[:, None], axis=1)
        else:
            ords = top
    if not np.all(np.isfinite(ords)):
        raise ParameterError(
            f"xmax={domain.x_max}: the error at these inputs (or at --inputs) overflows float64 in F's or Ĝ's forward "
            "pass; it cannot be measured"
        )
    return np.asarray(ords)


def measure(
    forward_hat: Any, target: Target, *, domain: Domain, n: int, seed: int, extra: np.ndarray | None = None
) -> Measurement:
    """The largest error, in the domain's norm, over n seeded inputs on its sphere and the given inputs
    ``extra`` in the domain, and apart over the given inputs outside it (module doc)."""
    d = target.original_widths[0]
    seeded = _errors(forward_hat, target, sphere_inputs(d, domain=domain, n=n, seed=seed), domain.norm, domain)
    top = float(np.max(seeded)) if seeded.size else 0.0
    if extra is None:
        return Measurement(error=top)
    x = np.asarray(extra, dtype=np.float64).reshape(-1, d)
    if x.shape[0] == 0:
        return Measurement(error=top)
    errs = _errors(forward_hat, target, x, domain.norm, domain)
    within = inside(x, domain)
    if np.any(within):
        top = max(top, float(np.max(errs[within])))
    outside = int(np.sum(~within))
    return Measurement(
        error=top,
        given=int(x.shape[0]),
        outside=outside,
        error_outside=float(np.max(errs[~within])) if outside else None,
    )


def measured_error(
    forward_hat: Any, target: Target, *, domain: Domain, n: int, seed: int, extra: np.ndarray | None = None
) -> float:
    """:func:`measure`'s error on the domain (what Ĝ's meta records)."""
    return measure(forward_hat, target, domain=domain, n=n, seed=seed, extra=extra).error
