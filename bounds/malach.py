"""Malach et al.'s construction with logprune's own constants (docs/claims.md, C1; it uses L1 and propagation).

Construction.  F(x) = W_l σ(... σ(W_1 x)) with widths n_0 .. n_l, m_i = n_i·n_(i-1) weights in layer i.
G has 2l layers; its intermediate layer i holds one dedicated pool of N neurons per target weight (o, j)
of layer i (N·m_i neurons), every weight of G i.i.d. U[-1, 1].  Pool (o, j) keeps, of a neuron u, only
its in-weight a_u from input j and its out-weight o'_u to output o.

1. *Two parts, no branches* (docs/claims.md, L1).  w·x = σ(w·x) - σ(-w·x) for every real x, so a target
   weight acting on a signed input needs no second branch: one neuron u with |a_u - w| <= eps_a and
   |o'_u - 1| <= eps_a realises the part σ(w·x), one with |a_u + w| <= eps_a and |o'_u + 1| <= eps_a the
   part -σ(-w·x).  Each is usable with probability >= eps_a²/4 (L1, for |w| <= 1 and eps_a <= 1).
2. *Per-part error.*  |o'σ(a·x) - σ(w·x)| <= |o' - 1|·σ(a·x) + |σ(a·x) - σ(w·x)|
   <= eps_a(|w| + eps_a)|x| + eps_a|x| (σ(a·x) <= |a||x|, |a| <= |w| + eps_a, σ 1-Lipschitz), so the
   two kept neurons g(x) = o'_1σ(a_1·x) + o'_2σ(a_2·x) satisfy |g(x) - w·x| <= 2 eps_a(1 + |w| + eps_a)|x|
   for every real x.
3. *Choice of eps_a.*  The positive root of 2 t (1 + w_max + t) = eps_w,
   eps_a = (sqrt((1 + w_max)^2 + 2 eps_w) - (1 + w_max))/2 (the largest admissible value; capped at 1 for
   L1), makes every per-weight error <= eps_w·|x_j|.
4. *Propagation* (docs/claims.md, propagation).  Layer i of Ĝ computes y_o = Σ_j g_oj(x_j) with
   |g_oj(x_j) - W_oj x_j| <= eps_w|x_j|, so by Cauchy-Schwarz ||Ĝ_i(x) - W_i x||_2 <= eps_w·sqrt(n_i·n_(i-1))·||x||_2:
   the recursion e_i <= Delta_i·||ĥ_(i-1)|| + a_i·e_(i-1) of propagation holds with ONE branch in every
   layer (the dims of ``inputs_nonnegative=True``), whatever the sign of the inputs; its eps_w (x_max or
   F_max form) applies.
5. *Union bound.*  E = 2·Σ_i m_i events (two parts per target weight), each failing with probability
   <= (1 - p)^N, p = eps_a²/4: N = min{N : E(1 - p)^N <= delta}, certified.

Sizes: intermediate layer i has N·m_i neurons; N neurons and 2N sampled (keepable) weights per target
weight; the dense G has Σ_i (n_(i-1)·N·m_i + N·m_i·n_i) weights.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from logprune.bounds.certified import Enclosure, enclose
from logprune.bounds.propagation import Propagation, propagate_checked
from logprune.bounds.sampling import samples_checked
from logprune.errors import ParameterError
from logprune.validation import MAX_SIZE, check_int, check_open_unit, check_positive_expr

if TYPE_CHECKING:  # typing only: the setting's module reaches the rows, which import this module
    from logprune.bounds.setting import Setting

__all__ = ["MalachParameters", "eps_a_for", "malach_constants", "malach_parameters"]


@dataclass(frozen=True, kw_only=True)
class MalachParameters:
    """The constants of Malach et al.'s construction as logprune proves it (docs/claims.md, C1, L1 and
    propagation): per-weight accuracy eps_w, per-part window eps_a, p = eps_a²/4, events E, pool N."""

    eps_w: sp.Expr
    eps_w_enclosure: Enclosure
    eps_a: sp.Expr
    eps_a_enclosure: Enclosure
    p: sp.Expr
    p_enclosure: Enclosure
    events: int
    pool: int
    widths: tuple[int, ...]
    propagation: Propagation

    @property
    def layer_weights(self) -> tuple[int, ...]:
        """m_i = n_i·n_(i-1), the target weights of layer i."""
        w = self.widths
        return tuple(w[i] * w[i + 1] for i in range(len(w) - 1))

    @property
    def intermediate(self) -> tuple[int, ...]:
        """Width N·m_i of G's intermediate layer i (one pool of N neurons per target weight)."""
        return tuple(self.pool * m for m in self.layer_weights)

    @property
    def neurons_per_target_weight(self) -> int:
        """N: the intermediate neurons of one target weight's pool."""
        return self.pool

    @property
    def sampled_weights_per_target_weight(self) -> int:
        """2N: one in-weight and one out-weight per pool neuron (the weights a pruning may keep)."""
        return 2 * self.pool

    @property
    def dense_weights(self) -> int:
        """Σ_i (n_(i-1)·N·m_i + N·m_i·n_i): the weights of the fully connected G the theorem assumes."""
        w = self.widths
        return sum(w[i] * k + k * w[i + 1] for i, k in enumerate(self.intermediate))

    def as_json(self) -> dict[str, Any]:
        return {
            "eps_w": self.eps_w_enclosure.as_json(),
            "eps_a": self.eps_a_enclosure.as_json(),
            "p": self.p_enclosure.as_json(),
            "events": self.events,
            "pool": self.pool,
            "neurons_per_target_weight": self.neurons_per_target_weight,
            "sampled_weights_per_target_weight": self.sampled_weights_per_target_weight,
            "dense_weights": self.dense_weights,
            "propagation": {
                "eps_w": self.propagation.eps_w_enclosure.as_json(),
                "D": enclose(self.propagation.D).as_json(),
                "bound_from": self.propagation.source,
                "branches": "one in every layer (w·x = σ(w·x) - σ(-w·x))",
            },
        }


def eps_a_for(*, eps_w: Any, w_max: Any) -> sp.Expr:
    """The largest t with 2t(1 + w_max + t) <= eps_w (the positive root), capped at 1 for L1
    (docs/claims.md, C1 step 3).  Assumes eps_w > 0, 0 < w_max <= 1."""
    return _eps_a(check_positive_expr("eps_w", eps_w), check_positive_expr("w_max", w_max))


def _eps_a(ew: sp.Expr, wm: sp.Expr) -> sp.Expr:
    """:func:`eps_a_for` for checked arguments."""
    root = (sp.sqrt((1 + wm) ** 2 + 2 * ew) - (1 + wm)) / 2
    return sp.Integer(1) if enclose(root).lower >= 1 else root


def _check_w_max(wm: sp.Expr) -> sp.Expr:
    """w_max <= 1 (certified): target weights must lie in the support of U[-1, 1] (docs/claims.md, L1)."""
    if enclose(wm).upper > 1:
        raise ParameterError(f"w_max={sp.sstr(wm)}: Malach's construction needs w_max <= 1 (weights U[-1, 1])")
    return wm


def malach_constants(
    *,
    eps: Any,
    delta: Any,
    widths: Sequence[Any],
    norms: Sequence[Any],
    w_max: Any,
    x_max: Any | None = None,
    f_max: Any | None = None,
) -> MalachParameters:
    """Malach et al.'s construction with explicit constants (docs/claims.md, C1, L1 and propagation;
    module doc).  Assumes |target weights| <= w_max <= 1 (the support of U[-1, 1]), a_i = norms[i] >=
    ||W_i||_2, ||x||_2 <= x_max or activations <= f_max (at least one), 0 < eps, delta < 1."""
    e = check_open_unit("eps", eps)
    d = check_open_unit("delta", delta)
    ws = tuple(check_int("widths", v, maximum=MAX_SIZE) for v in widths)
    if len(ws) < 2:
        raise ParameterError(f"widths={list(widths)}: need at least an input and an output width")
    if len(norms) != len(ws) - 1:
        raise ParameterError(f"norms={list(norms)}: need one norm per layer ({len(ws) - 1})")
    wm = _check_w_max(check_positive_expr("w_max", w_max))
    if x_max is None and f_max is None:
        raise ParameterError("x_max=None, f_max=None: one of them is needed to bound the activations")
    return _malach(
        e,
        d,
        ws,
        tuple(check_positive_expr("norm", v) for v in norms),
        wm,
        None if x_max is None else check_positive_expr("x_max", x_max),
        None if f_max is None else check_positive_expr("f_max", f_max),
    )


def _malach(
    e: Fraction,
    d: Fraction,
    widths: tuple[int, ...],
    norms: tuple[sp.Expr, ...],
    wm: sp.Expr,
    xm: sp.Expr | None,
    fm: sp.Expr | None,
) -> MalachParameters:
    """:func:`malach_constants` for checked exact arguments."""
    # one branch in every layer: propagation's dims with inputs_nonnegative=True (module doc, step 4);
    # the base only sets propagation's k, which this construction does not use
    prop = propagate_checked(e, widths, norms, wm, xm, fm, sp.GoldenRatio, True)
    eps_a = _eps_a(prop.eps_w, wm)
    p = eps_a**2 / 4
    events = 2 * sum(widths[i] * widths[i + 1] for i in range(len(widths) - 1))
    pool = samples_checked(p, events, d)
    return MalachParameters(
        eps_w=prop.eps_w,
        eps_w_enclosure=prop.eps_w_enclosure,
        eps_a=eps_a,
        eps_a_enclosure=enclose(eps_a),
        p=p,
        p_enclosure=enclose(p),
        events=events,
        pool=pool,
        widths=widths,
        propagation=prop,
    )


@functools.lru_cache(maxsize=64)
def malach_parameters(st: Setting) -> MalachParameters:
    """:func:`malach_constants` for a validated setting, with its resolved w_max, x_max, f_max and norms
    (Malach's assumptions: w_max = 1/sqrt(n), norms 1, x_max 1; docs/claims.md, C1); cached."""
    res = st.resolved()
    wm = _check_w_max(res["w_max"])
    return _malach(st.eps, st.delta, tuple(st.widths), tuple(res["norms"]), wm, res["x_max"], res["f_max"])
