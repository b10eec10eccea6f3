"""The certificate: a rigorous upper bound of sup_{||x||_2 <= x_max} ||Ĝ(x) - F(x)|| (C3, propagation).

Ĝ realises target layer i with effective matrices Ŵ_i = W_i + E_i (and, in the first layer when the
input may be negative, Ŵ⁺σ(x) - Ŵ⁻σ(-x) with error [E⁺, -E⁻] acting on (σ(x), σ(-x)), whose l2 norm is
||x||).  With a_i >= ||W_i||_2 (certified, construct.target.spectral_norm_upper) and
Delta_i >= ||E_i||_2 (here: min of the Frobenius norm and sqrt(||E||_1·||E||_inf), from the exact
errors), the telescoped recursion of bounds.propagation gives

    l2:  ||Ĝ(x) - F(x)||_2 <= x_max·[prod_i (a_i + Delta_i) - prod_i a_i]
    inf: ||Ĝ(x) - F(x)||_inf <= x_max·[Dinf_l·prod_(i<l)(a_i + Delta_i)
                                        + ainf_l·(prod_(i<l)(a_i + Delta_i) - prod_(i<l) a_i)]

where ainf_l, Dinf_l bound the largest row l2 norm of W_l and E_l (the 2 -> inf operator norm).  All
quantities are exact rationals (square roots rounded up exactly); no float rounding enters the bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from logprune.construct.numeric import Context, sqrt_up
from logprune.construct.target import Target

__all__ = ["Certificate", "certificate", "sqrt_up"]


@dataclass(frozen=True)
class Certificate:
    """The certified bound and its ingredients (exact rationals)."""

    bound: Fraction
    norm: str
    deltas: tuple[Fraction, ...]
    norms: tuple[Fraction, ...]
    x_max: Fraction
    certified: bool  # False only in the FLOAT context (an estimate)
    context: str

    def as_json(self) -> dict[str, Any]:
        return {
            "bound": str(self.bound),
            "bound_decimal": f"{float(self.bound):.6e}",
            "norm": self.norm,
            "error_norm_bounds": [f"{float(d):.6e}" for d in self.deltas],
            "layer_norm_bounds": [f"{float(a):.6g}" for a in self.norms],
            "x_max": str(self.x_max),
            "certified": self.certified,
            "context": self.context,
        }


def _layer_delta(ctx: Context, errs: Sequence[Sequence[Any]], n_out: int, n_in: int) -> tuple[Fraction, Fraction]:
    """(Delta >= ||E||_2, Dinf >= max row l2 norm of E) for E = [E_branch0, E_branch1, ...] (n_out × β·n_in)."""
    fro = ctx.zero()
    row_sq = [ctx.zero() for _ in range(n_out)]
    row_abs = [ctx.zero() for _ in range(n_out)]
    col_abs: list[Any] = []
    for br in errs:
        cols = [ctx.zero() for _ in range(n_in)]
        for o in range(n_out):
            base = o * n_in
            for j in range(n_in):
                e = br[base + j]
                if e == 0:
                    continue
                ae = abs(e)
                sq = e * e
                fro = fro + sq
                row_sq[o] = row_sq[o] + sq
                row_abs[o] = row_abs[o] + ae
                cols[j] = cols[j] + ae
        col_abs += cols
    fro_up = sqrt_up(ctx.upper(fro))
    one = max((ctx.upper(c) for c in col_abs), default=Fraction(0))
    inf = max((ctx.upper(r) for r in row_abs), default=Fraction(0))
    delta = min(fro_up, sqrt_up(one * inf))
    dinf = sqrt_up(max((ctx.upper(r) for r in row_sq), default=Fraction(0)))
    return delta, dinf


def certificate(
    ctx: Context,
    *,
    target: Target,
    errors: Sequence[Sequence[Sequence[Any]]],
    norms: Sequence[Fraction],
    x_max: Fraction,
    norm: str = "l2",
) -> Certificate:
    """The bound of the module doc from exact per-weight errors ``errors[layer][branch][o*n_in + j]``."""
    deltas: list[Fraction] = []
    dinf_last = Fraction(0)
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        d, dinf = _layer_delta(ctx, errors[i], n_out, n_in)
        deltas.append(d)
        dinf_last = dinf
    prod_hat = Fraction(1)
    prod = Fraction(1)
    for a, d in zip(norms, deltas, strict=True):
        prod_hat *= a + d
        prod *= a
    if norm == "l2":
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
    return Certificate(bound, norm, tuple(deltas), tuple(norms), x_max, ctx.certified, ctx.name)
