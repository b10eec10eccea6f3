"""The certificate: a rigorous upper bound of sup_{||x||_2 <= x_max} ||Ĝ(x) - F(x)|| (docs/claims.md,
certificate), and the one decision of success shared by ``construct`` and ``verify``.

Ĝ realises target layer i with effective matrices Ŵ_i = W_i + E_i (and, in the first layer when the
input may be negative, Ŵ⁺σ(x) - Ŵ⁻σ(-x) with error [E⁺, -E⁻] acting on (σ(x), σ(-x)), whose l2 norm is
||x||).  With a_i >= ||W_i||_2 (certified, :mod:`~logprune.construct.norms`) and Delta_i >= ||E_i||_2
(the min of the Frobenius norm and sqrt(||E||_1·||E||_inf), from the exact errors of
:mod:`~logprune.construct.effective`), the telescoped recursion of C3 gives

    l2:  ||Ĝ(x) - F(x)||_2 <= x_max·[prod_i (a_i + Delta_i) - prod_i a_i]
    inf: ||Ĝ(x) - F(x)||_inf <= x_max·[Dinf_l·prod_(i<l)(a_i + Delta_i)
                                        + ainf_l·(prod_(i<l)(a_i + Delta_i) - prod_(i<l) a_i)]

where ainf_l, Dinf_l bound the largest row l2 norm of W_l and E_l (the 2 -> inf operator norm).  All
quantities are exact rationals (square roots rounded up exactly); no float rounding enters the bound.
The bound holds on the whole ball ||x||_2 <= x_max; with inputs declared nonnegative it is computed
for x >= 0 only (one branch in layer 1), and is stated so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from logprune.choices import Arithmetic, Norm
from logprune.construct.effective import ErrorStats
from logprune.construct.norms import spectral_norm_upper
from logprune.construct.numeric import Context, as_fraction, sqrt_up
from logprune.construct.target import Target

__all__ = ["Assessment", "Certificate", "assess", "certificate", "decide", "domain"]


@dataclass(frozen=True)
class Certificate:
    """The certified bound and its ingredients (exact rationals)."""

    bound: Fraction
    norm: Norm
    deltas: tuple[Fraction, ...]
    norms: tuple[Fraction, ...]
    x_max: Fraction
    certified: bool  # False only in the float context (an estimate)
    arithmetic: Arithmetic
    domain: str  # the inputs the bound holds for, as the user declared them (module doc)

    def as_json(self) -> dict[str, Any]:
        return {
            "exact": str(self.bound),
            "decimal": f"{float(self.bound):.6e}",
            "certified": self.certified,
            "context": self.arithmetic.value,
            "domain": self.domain,
        }


def domain(*, x_max: Fraction, inputs_nonnegative: bool) -> str:
    """The input domain a certificate holds on: the ball ||x||_2 <= x_max, and x >= 0 where declared
    (layer 1 then has one branch, docs/claims.md, propagation: the bound says nothing of other inputs)."""
    return f"||x||_2 <= {x_max}" + (", x >= 0" if inputs_nonnegative else "")


def _layer_deltas(errs: ErrorStats) -> tuple[Fraction, Fraction]:
    """(Delta >= ||E||_2, Dinf >= max row l2 norm of E) for E = [E_branch0, E_branch1, ...]:
    ||E||_2 <= ||E||_F, ||E||_2 <= sqrt(||E||_1·||E||_inf), and ||E||_2 <= ||fl(E)||_2 + ||E - fl(E)||_F
    with ||fl(E)||_2 bounded by :func:`~logprune.construct.norms.spectral_norm_upper` (the tight one)."""
    b = errs.bounds()
    tight = spectral_norm_upper(b.rounded) + sqrt_up(b.rounding_sq) if b.rounded.size else Fraction(0)
    return min(sqrt_up(b.fro_sq), sqrt_up(b.max_col_l1 * b.max_row_l1), tight), sqrt_up(b.max_row_sq)


def certificate(
    *,
    target: Target,
    errors: Sequence[ErrorStats],
    norms: Sequence[Fraction],
    x_max: Fraction,
    norm: Norm,
    arithmetic: Arithmetic,
    certified: bool,
    domain: str,
) -> Certificate:
    """The bound of the module doc from the error statistics of every layer."""
    pairs = [_layer_deltas(e) for e in errors]
    deltas = [d for d, _ in pairs]
    dinf_last = pairs[-1][1]
    prod_hat = Fraction(1)
    prod = Fraction(1)
    for a, d in zip(norms, deltas, strict=True):
        prod_hat *= a + d
        prod *= a
    if norm is Norm.L2:
        bound = x_max * (prod_hat - prod)
    else:
        last = target.weights[-1]
        ainf = sqrt_up(max(sum((Fraction(float(v)) ** 2 for v in row), Fraction(0)) for row in last))
        ph = Fraction(1)
        p = Fraction(1)
        for a, d in zip(norms[:-1], deltas[:-1], strict=True):
            ph *= a + d
            p *= a
        bound = x_max * (dinf_last * ph + ainf * (ph - p))
    return Certificate(bound, norm, tuple(deltas), tuple(norms), x_max, certified, arithmetic, domain)


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
    x_max: Fraction,
    norm: Norm,
    eps: Fraction | None,
    weight_eps: Fraction | None,
    domain: str,
) -> Assessment:
    """Certificate, largest error and decision from the error statistics: what ``construct`` reports
    and what ``verify`` recomputes, by the same function."""
    cert = certificate(
        target=target,
        errors=errors,
        norms=norms,
        x_max=x_max,
        norm=norm,
        arithmetic=ctx.kind,
        certified=ctx.certified,
        domain=domain,
    )
    max_err = max(as_fraction(e.max_abs) for e in errors)
    within = sum(e.within for e in errors) / sum(e.count for e in errors)
    ok, reason = decide(
        weight_eps=weight_eps, eps=eps, max_weight_error=max_err, bound=cert.bound, certified=ctx.certified
    )
    return Assessment(cert, max_err, within, ok, reason)
