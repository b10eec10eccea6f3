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
from logprune.construct.effective import LayerErrors
from logprune.construct.numeric import sqrt_up
from logprune.construct.target import Target

__all__ = ["Certificate", "certificate", "decide"]


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

    def as_json(self) -> dict[str, Any]:
        return {
            "exact": str(self.bound),
            "decimal": f"{float(self.bound):.6e}",
            "certified": self.certified,
            "context": self.arithmetic.value,
        }


def _layer_deltas(errs: LayerErrors) -> tuple[Fraction, Fraction]:
    """(Delta >= ||E||_2, Dinf >= max row l2 norm of E) for E = [E_branch0, E_branch1, ...]."""
    fro_sq, one, inf, row_sq = errs.bounds()
    return min(sqrt_up(fro_sq), sqrt_up(one * inf)), sqrt_up(row_sq)


def certificate(
    *,
    target: Target,
    errors: Sequence[LayerErrors],
    norms: Sequence[Fraction],
    x_max: Fraction,
    norm: Norm,
    arithmetic: Arithmetic,
    certified: bool,
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
    return Certificate(bound, norm, tuple(deltas), tuple(norms), x_max, certified, arithmetic)


def decide(
    *, weight_eps: Fraction | None, eps: Fraction | None, max_weight_error: Fraction, bound: Fraction
) -> tuple[bool, str]:
    """Success, and why: every weight within weight_eps (per-weight mode) or bound <= eps (output mode)."""
    if weight_eps is not None:
        return (
            max_weight_error <= weight_eps,
            f"max weight error {float(max_weight_error):.3e} vs weight_eps {weight_eps}",
        )
    assert eps is not None
    return bound <= eps, f"certified bound {float(bound):.3e} vs eps {eps}"
