"""The certificate: a rigorous upper bound of sup_{||x||_2 <= x_max} ||Ĝ(x) - F(x)|| (docs/claims.md,
certificate), and the one decision of success shared by ``construct`` and ``verify``.

Ĝ realises target layer i with effective matrices Ŵ_i = W_i + E_i (and, in the first layer when the
input may be negative, Ŵ⁺σ(x) - Ŵ⁻σ(-x) with error [E⁺, -E⁻] acting on (σ(x), σ(-x)), whose l2 norm is
||x||).  With a_i >= ||W_i||_2 (certified, :mod:`~logprune.construct.certificate.norms`) and Delta_i >= ||E_i||_2
(the min of the Frobenius norm and sqrt(||E||_1·||E||_inf), from the exact errors of
:mod:`~logprune.construct.effective`), the telescoped recursion of C3 gives

    l2:  ||Ĝ(x) - F(x)||_2 <= x_max·[prod_i (a_i + Delta_i) - prod_i a_i]
    inf: ||Ĝ(x) - F(x)||_inf <= x_max·[Dinf_l·prod_(i<l)(a_i + Delta_i)
                                        + ainf_l·(prod_(i<l)(a_i + Delta_i) - prod_(i<l) a_i)]

where ainf_l, Dinf_l bound the largest row l2 norm of W_l and E_l (the 2 -> inf operator norm).  All
quantities are exact rationals (square roots rounded up exactly); no float rounding enters the bound.
The bound holds on the whole ball ||x||_2 <= x_max; with inputs declared nonnegative it is computed
for x >= 0 only (one branch in layer 1), and is stated so.

Delta_i is also bounded by the tight spectral norm of the float64 rounding of E_i plus the rounding's
Frobenius norm (:mod:`~logprune.construct.certificate.norms`, N2), and the certificate is the smaller of the
telescoped bound and the composed bound of :mod:`~logprune.construct.certificate.compose` (the hybrid argument on
cells of the input domain, with interval boxes of the activations); both are recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from logprune.bounds.domain import Domain
from logprune.choices import Arithmetic, Norm
from logprune.construct.certificate.compose import CELL_BUDGET, Layer, composed_bound
from logprune.construct.certificate.norms import spectral_norm_upper
from logprune.construct.effective import ErrorBounds, ErrorStats
from logprune.construct.numeric import Context, as_fraction, sqrt_up
from logprune.construct.target import Target

__all__ = ["Assessment", "Certificate", "assess", "certificate", "decide"]


@dataclass(frozen=True, kw_only=True)
class Certificate:
    """The certified bound and its ingredients (exact rationals)."""

    bound: Fraction
    domain: Domain  # the inputs the bound holds for, as the user declared them, and the output norm
    deltas: tuple[Fraction, ...]
    norms: tuple[Fraction, ...]
    x_max: Fraction  # >= sup ||x'|| of the rewritten input (with the appended 1) over the domain
    certified: bool  # False only in the float context (an estimate)
    arithmetic: Arithmetic
    telescoped: Fraction | None = None  # the two bounds whose minimum ``bound`` is
    composed: Fraction | None = None
    cells: int = 0  # cells of the input domain the composed bound evaluated
    cell_budget: int = CELL_BUDGET  # the most it could evaluate (a Ĝ file needs the default: verify's)
    row_norm_last: Fraction | None = None  # inf: ainf_l and Dinf_l of the module doc (the 2 -> inf norms)
    row_delta_last: Fraction | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "exact": str(self.bound),
            "decimal": f"{float(self.bound):.6e}",
            "certified": self.certified,
            "context": self.arithmetic.value,
            "domain": str(self.domain),
            "telescoped": None if self.telescoped is None else str(self.telescoped),
            "composed": None if self.composed is None else str(self.composed),
            "cells": self.cells,
        }

    @property
    def norm(self) -> Norm:
        """The norm of the output error the bound is stated in (the domain's)."""
        return self.domain.norm


def _layer_deltas(b: ErrorBounds) -> tuple[Fraction, Fraction]:
    """(Delta >= ||E||_2, Dinf >= max row l2 norm of E) for E = [E_branch0, E_branch1, ...]:
    ||E||_2 <= ||E||_F, ||E||_2 <= sqrt(||E||_1·||E||_inf), and ||E||_2 <= ||fl(E)||_2 + ||E - fl(E)||_F
    with ||fl(E)||_2 bounded by :func:`~logprune.construct.certificate.norms.spectral_norm_upper` (the tight one)."""
    tight = spectral_norm_upper(b.rounded) + sqrt_up(b.rounding_sq) if b.rounded.size else Fraction(0)
    return min(sqrt_up(b.fro_sq), sqrt_up(b.max_col_l1 * b.max_row_l1), tight), sqrt_up(b.max_row_sq)


def certificate(
    *,
    target: Target,
    errors: Sequence[ErrorStats],
    norms: Sequence[Fraction],
    x_eff: Fraction,
    domain: Domain,
    arithmetic: Arithmetic,
    certified: bool,
    cell_budget: int = CELL_BUDGET,
) -> Certificate:
    """The bound of the module doc from the error statistics of every layer: the smaller of the
    telescoped bound and the composed one (:mod:`~logprune.construct.certificate.compose`), on ``domain``
    (its norm is the output norm); ``x_eff`` >= sup ||x'|| of the rewritten input over the domain."""
    norm, x_max = domain.norm, x_eff
    stats = [e.bounds() for e in errors]
    pairs = [_layer_deltas(b) for b in stats]
    deltas = [d for d, _ in pairs]
    dinf_last = pairs[-1][1]
    ainf = (  # the largest row l2 norm of W_l, exactly (only the inf norm uses it)
        sqrt_up(max(sum((Fraction(float(v)) ** 2 for v in row), Fraction(0)) for row in target.weights[-1]))
        if norm is Norm.INF
        else norms[-1]
    )
    prod_hat = Fraction(1)
    prod = Fraction(1)
    for a, d in zip(norms, deltas, strict=True):
        prod_hat *= a + d
        prod *= a
    if norm is Norm.L2:
        bound = x_max * (prod_hat - prod)
    else:
        ph = Fraction(1)
        p = Fraction(1)
        for a, d in zip(norms[:-1], deltas[:-1], strict=True):
            ph *= a + d
            p *= a
        bound = x_max * (dinf_last * ph + ainf * (ph - p))
    layers = [
        Layer(
            w=w,
            err=b.rounded,
            branches=b.rounded.shape[1] // max(w.shape[1], 1),
            tau=sqrt_up(b.rounding_sq),
            a=a,
            delta=d,
            row_a=ainf if i == len(norms) - 1 else a,
            row_delta=dinf,
        )
        for i, (w, b, a, (d, dinf)) in enumerate(zip(target.weights, stats, norms, pairs, strict=True))
    ]
    try:
        composed, cells = composed_bound(
            layers, domain=domain, x_eff=x_eff, append_one=target.append_one, budget=cell_budget
        )
    except OverflowError:  # float64 boxes overflow (x_max near the top of the range): telescoped alone
        composed, cells = None, 0
    return Certificate(
        bound=bound if composed is None else min(bound, composed),
        domain=domain,
        deltas=tuple(deltas),
        norms=tuple(norms),
        x_max=x_eff,
        certified=certified,
        arithmetic=arithmetic,
        telescoped=bound,
        composed=composed,
        cells=cells,
        cell_budget=cell_budget,
        row_norm_last=ainf if norm is Norm.INF else None,
        row_delta_last=dinf_last if norm is Norm.INF else None,
    )


def decide(
    *,
    weight_eps: Fraction | None,
    eps: Fraction | None,
    max_weight_error: Fraction,
    bound: Fraction,
    certified: bool,
) -> tuple[bool, str]:
    """Success, and why: every weight within weight_eps (per-weight mode) or bound <= eps (output mode).
    In the float context the numbers are estimates, and the reason says so."""
    if weight_eps is not None:
        ok = max_weight_error <= weight_eps
        reason = f"max weight error {float(max_weight_error):.3e} vs weight_eps {weight_eps}"
    else:
        assert eps is not None
        ok, reason = bound <= eps, f"certified bound {float(bound):.3e} vs eps {eps}"
    return ok, reason if certified else reason + " (float estimate: not a certificate)"


@dataclass(frozen=True)
class Assessment:
    """The certificate of a Ĝ, its largest weight error, the share within eps_w, and the decision."""

    certificate: Certificate
    max_weight_error: Fraction
    within_eps_w: float
    ok: bool
    reason: str


def assess(
    ctx: Context,
    *,
    target: Target,
    errors: Sequence[ErrorStats],
    norms: Sequence[Fraction],
    x_eff: Fraction,
    domain: Domain,
    eps: Fraction | None,
    weight_eps: Fraction | None,
    cell_budget: int = CELL_BUDGET,
) -> Assessment:
    """Certificate, largest error and decision from the error statistics: what ``construct`` reports
    and what ``verify`` recomputes, by the same function."""
    cert = certificate(
        target=target,
        errors=errors,
        norms=norms,
        x_eff=x_eff,
        domain=domain,
        arithmetic=ctx.kind,
        certified=ctx.certified,
        cell_budget=cell_budget,
    )
    max_err = max(as_fraction(e.max_abs) for e in errors)
    within = sum(e.within for e in errors) / sum(e.count for e in errors)
    ok, reason = decide(
        weight_eps=weight_eps, eps=eps, max_weight_error=max_err, bound=cert.bound, certified=ctx.certified
    )
    return Assessment(cert, max_err, within, ok, reason)
