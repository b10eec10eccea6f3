"""Error propagation through the layers (docs/claims.md, propagation; the core of C3).

Setting.  F(x) = W_l σ(... σ(W_1 x)) with widths n_0 (input) .. n_l.  Ĝ realises each target layer i by
effective weights that differ entrywise from W_i by at most eps_w.  Layer 1 needs two branches when its
inputs may be negative (:mod:`~logprune.bounds.domain`): it computes Ŵ⁺σ(x) - Ŵ⁻σ(-x) with
Ŵ± = W_1 + E±, and since ||(σ(x), σ(-x))||_2 = ||x||_2 its error matrix [E⁺, -E⁻] has spectral norm
<= eps_w·sqrt(2·n_1·n_0) (Frobenius).  Other layers (and layer 1 with inputs >= 0): <= eps_w·sqrt(n_i·n_(i-1)).
Write Delta_i = eps_w·d_i for these bounds, a_i >= ||W_i||_2, rho_i = max(1, a_i).

Bound with x_max (||x||_2 <= x_max).  With e_i = ||ĥ_i - h_i|| and ||ĥ_i|| <= (a_i + Delta_i)||ĥ_(i-1)||
(σ is 1-Lipschitz, σ(0) = 0): e_i <= Delta_i·||ĥ_(i-1)|| + a_i·e_(i-1), which unrolls to the telescoping
identity  e_l <= x_max·[prod_i (a_i + Delta_i) - prod_i a_i]   (:func:`error_bound_x`, exact).
Since prod(a_i + Delta_i) - prod a_i <= prod rho_i·(exp(eps_w·D) - 1) with D = sum_i d_i/rho_i, and
exp(t) - 1 <= (e - 1)·t on [0, 1], the closed form

    eps_w = min(1/D, eps / ((e - 1)·x_max·D·prod_i rho_i))

guarantees ||Ĝ(x) - F(x)||_2 <= eps.

Bound with F_max (every neuron of F, inputs included, has |activation| <= F_max, so
||h_(i-1)|| <= sqrt(n_(i-1))·F_max): e_i <= Delta_i·sqrt(n_(i-1))·F_max + (a_i + Delta_i)·e_(i-1), so
e_l <= F_max·sum_i Delta_i·sqrt(n_(i-1))·prod_(j>i)(a_j + Delta_j) <= e·F_max·eps_w·S with
S = sum_i d_i·sqrt(n_(i-1))·prod_(j>i) rho_j (when eps_w·D <= 1), hence

    eps_w = min(1/D, eps / (e·F_max·S)).

When both x_max and F_max are known the larger eps_w is used (both are valid).  The number of segments
is then k = ceil(log_b(w_max/eps_w)) (L3 at scale w_max), which contains
sum_i log_b max{1, ||W_i||_2}: the extra term of C3, and grows with the depth through D.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds.certified import Enclosure, certified_ceiling, enclose
from logprune.bounds.domain import layer_branches
from logprune.bounds.golden import k_exact_checked
from logprune.errors import ParameterError
from logprune.validation import MAX_SIZE, check_int, check_open_unit, check_positive_expr, parse_base, sympy_rational

__all__ = [
    "Propagation",
    "Telescoped",
    "error_bound_x",
    "propagate",
    "propagate_checked",
]


@dataclass(frozen=True, kw_only=True)
class Propagation:
    """Per-weight accuracy eps_w and the resulting k (docs/claims.md, propagation), with the pieces of the
    formula."""

    eps_w: sp.Expr
    eps_w_enclosure: Enclosure
    k: int
    D: sp.Expr
    log_norm_sum: Enclosure  # sum_i ln max{1, ||W_i||_2}
    source: str  # "x_max" or "F_max"; "+ telescoped" once tightened
    closed_form_k: int | None = None  # the closed form's k, when k was tightened

    def tightened(self, k: int, eps_w: Callable[[int], sp.Expr]) -> Propagation:
        """The same propagation at the tightened k (:class:`Telescoped`), eps_w = w_max·b^(-k)."""
        ew = eps_w(k)
        return replace(
            self, eps_w=ew, eps_w_enclosure=enclose(ew), k=k, source=self.source + " + telescoped", closed_form_k=self.k
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "eps_w": self.eps_w_enclosure.as_json(),
            "k": self.k,
            "closed_form_k": self.closed_form_k,
            "D": enclose(self.D).as_json(),
            "sum_log_max1_norm": self.log_norm_sum.as_json(),
            "bound_from": self.source,
        }


def _dims(widths: Sequence[int], inputs_nonnegative: bool) -> list[sp.Expr]:
    """d_i = sqrt(branches_i·n_i·n_(i-1)): the Frobenius factor of layer i's error matrix."""
    br = layer_branches(len(widths) - 1, inputs_nonnegative=inputs_nonnegative)
    return [sp.sqrt(br[i] * widths[i] * widths[i + 1]) for i in range(len(widths) - 1)]


def _widths(widths: Sequence[Any]) -> list[int]:
    if len(widths) < 2:
        raise ParameterError(f"widths={list(widths)}: need at least an input and an output width")
    return [check_int("widths", v, maximum=MAX_SIZE) for v in widths]


def error_bound_x(
    *, eps_w: Any, widths: Sequence[int], norms: Sequence[Any], x_max: Any, inputs_nonnegative: bool = False
) -> sp.Expr:
    """x_max·[prod(a_i + eps_w·d_i) - prod a_i]: the exact telescoped bound (docs/claims.md, propagation)."""
    d = _dims(_widths(widths), inputs_nonnegative)
    a = [check_positive_expr("norm", v) for v in norms]
    ew = check_positive_expr("eps_w", eps_w)
    return check_positive_expr("x_max", x_max) * (
        sp.Mul(*[ai + ew * di for ai, di in zip(a, d, strict=True)]) - sp.Mul(*a)
    )


@dataclass(frozen=True, kw_only=True)
class Telescoped:
    """The exact telescoped bound as a function of k: eps_w(k) = scale·b^(-k) (L3 at that scale) and
    x_max·[prod(a_i + eps_w(k)·d_i) - prod a_i] <= eps (docs/claims.md, propagation; C2, C3).

    The closed form's k (:func:`propagate`) always fits, and the bound grows with eps_w, so it shrinks with
    k: :meth:`tighten` walks down from the closed form's k to the least k that fits.  This is the k that
    ``construct`` uses in the certified mode and that the Orseau rows of ``logprune bounds`` report.
    Arguments are checked exact values (widths n_0..n_l, a_i >= ||W_i||_2 > 0, scale = w_max > 0)."""

    eps: Fraction
    widths: tuple[int, ...]
    norms: tuple[sp.Expr, ...]
    scale: sp.Expr
    x_max: sp.Expr
    base: sp.Expr = sp.GoldenRatio
    inputs_nonnegative: bool = False

    def eps_w(self, k: int) -> sp.Expr:
        """The per-weight accuracy scale·b^(-k) at k segments (exact)."""
        return self.scale * self.base ** (-k)

    def fits(self, k: int) -> bool:
        """Is the certified upper end of the telescoped bound at eps_w(k) at most eps?"""
        d = _dims(self.widths, self.inputs_nonnegative)
        ew = self.eps_w(k)
        bound = self.x_max * (
            sp.Mul(*[ai + ew * di for ai, di in zip(self.norms, d, strict=True)]) - sp.Mul(*self.norms)
        )
        return bool(enclose(bound).upper <= self.eps)

    def tighten(self, k: int) -> int:
        """The least k' <= k (and >= 1) that fits, given that k fits (fits is monotone in k)."""
        k = max(k, 1)
        while k > 1 and self.fits(k - 1):
            k -= 1
        return k


def propagate(
    *,
    eps: Any,
    widths: Sequence[int],
    norms: Sequence[Any],
    w_max: Any,
    x_max: Any | None = None,
    f_max: Any | None = None,
    base: Any = "phi",
    inputs_nonnegative: bool = False,
) -> Propagation:
    """eps_w and k for a target with the given widths and layer-norm upper bounds (docs/claims.md,
    propagation and C3; module doc)."""
    e = check_open_unit("eps", eps)
    ws = _widths(widths)
    if len(norms) != len(ws) - 1:
        raise ParameterError(f"norms={list(norms)}: need one norm per layer ({len(ws) - 1})")
    wm = check_positive_expr("w_max", w_max)
    if x_max is None and f_max is None:
        raise ParameterError("x_max=None, f_max=None: one of them is needed to bound the activations")
    return propagate_checked(
        e,
        tuple(ws),
        tuple(check_positive_expr("norm", v) for v in norms),
        wm,
        None if x_max is None else check_positive_expr("x_max", x_max),
        None if f_max is None else check_positive_expr("f_max", f_max),
        parse_base(base),
        inputs_nonnegative,
    )


def propagate_checked(
    e: Fraction,
    widths: tuple[int, ...],
    norms: tuple[sp.Expr, ...],
    wm: sp.Expr,
    xm: sp.Expr | None,
    fm: sp.Expr | None,
    bb: sp.Expr,
    inputs_nonnegative: bool,
) -> Propagation:
    """:func:`propagate` for checked exact arguments (at least one of ``xm``, ``fm``)."""
    d = _dims(widths, inputs_nonnegative)
    rho = [sp.Max(1, v) for v in norms]
    D = sp.Add(*[di / ri for di, ri in zip(d, rho, strict=True)])
    cands: list[tuple[sp.Expr, str]] = []
    if xm is not None:
        cands.append((sympy_rational(e) / ((sp.E - 1) * xm * D * sp.Mul(*rho)), "x_max"))
    if fm is not None:
        S = sp.Add(*[d[i] * sp.sqrt(widths[i]) * sp.Mul(*rho[i + 1 :]) for i in range(len(d))])
        cands.append((sympy_rational(e) / (sp.E * fm * S), "F_max"))
    encl = [(enclose(c), c, src) for c, src in cands]
    best_enc, best, src = max(encl, key=lambda t: t[0].lower)
    cap = 1 / D
    cap_enc = enclose(cap)
    if cap_enc.upper <= best_enc.lower:
        best, best_enc = cap, cap_enc
    ratio = wm / best
    if isinstance(ratio, sp.Rational):
        q = Fraction(int(ratio.p), int(ratio.q))
        kk = k_exact_checked(q, bb)
    else:
        kk = max(0, certified_ceiling(sp.log(ratio) / sp.log(bb)))
    log_sum = enclose(sp.Add(*[sp.log(r) for r in rho]))
    return Propagation(eps_w=best, eps_w_enclosure=best_enc, k=kk, D=D, log_norm_sum=log_sum, source=src)
