"""The lower bounds of the table (docs/claims.md, counting, param-counting, entropy; proven).

- ``counting_lower_bound``: a mask over N sampled weights realises at most 2^N values, so approximating every
  weight in [-w_max, w_max] within eps needs N >= m·log2(w_max/eps) + log2(1 - delta) sampled weights.
- ``pensia2020_lower_bound`` (Pensia et al.'s parameter counting) and ``natale2024_lower_bound`` (Natale et
  al.'s entropy bound for sparse tickets): for function approximation of one d×d layer.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds.certified import enclose
from logprune.bounds.lower import LowerBound, counting_checked, entropy_h2_checked, param_counting_checked
from logprune.bounds.rows.row import Bound, Row, Source, Status, row_without_numbers
from logprune.bounds.setting import Setting
from logprune.errors import ParameterError

__all__ = ["ENTROPY_KAPPA", "SOURCE", "rows"]


#: Kept weights per target weight of the entropy row: one in- and one out-weight per target weight, the
#: sparsest ticket of the two-layer realisation (docs/claims.md, entropy).
ENTROPY_KAPPA = 2


def _lower_row(lb: LowerBound, applies: bool, asym: str, note: str, extra: dict[str, Any] | None = None) -> Row:
    return Row(
        name=lb.name,
        claim=lb.claim,
        bound=Bound.LOWER,
        status=Status.PROVEN,
        depth=None,
        width=None,
        neurons=None,
        sampled_weights=lb.total,
        dense_weights=None,
        neurons_per_target_weight=None,
        sampled_weights_per_target_weight=lb.per_target_weight,
        dense_weights_per_target_weight=None,
        asymptotic=asym,
        note=note,
        symbolic=lb.expression,
        extra={"applies": applies, "scope": lb.scope, **(extra or {})},
    )


def rows(st: Setting) -> list[Row]:
    """The lower bounds (docs/claims.md, counting, param-counting, entropy), in the table's unit.

    counting applies to every upper row (each approximates every target weight within eps_w <= eps).  The
    one-layer bounds (param-counting, entropy) are for function approximation of every d×d layer of
    spectral norm <= r: they apply to a one-layer square setting without Malach's sparsity assumption, with
    r = min(a_1, w_max) (that ball lies in the setting's class: |W_ij| <= ||W||_2); otherwise they are shown
    for one n×n layer with r = 1, for reference, and not used for the ratios."""
    res = st.resolved()
    e, d = st.eps, st.delta
    w_max = res["w_max"]
    wm = _rational_below(w_max)
    rows_out = [
        _lower_row(
            counting_checked(st.target_weights, e, d, wm),
            True,
            "Ω(log(w_max/eps)) sampled weights per target weight",
            "2^N prunings of N sampled weights must eps-cover every target weight in [-w_max, w_max] "
            "(w.p. >= 1 - delta): N >= m·log2(w_max/eps) + log2(1 - delta)",
        )
    ]
    square = st.layers == 1 and st.widths[0] == st.widths[1]
    applies = square and not st.malach
    dd = st.widths[0] if square else st.n
    r = min(_rational_below(res["norms"][0]), wm) if applies else Fraction(1)
    scope = "" if applies else f"; one {dd}×{dd} layer with ||W||_2 <= 1, shown for reference (not this setting)"
    rows_out.append(
        _lower_row(
            param_counting_checked(dd, e, d, r),
            applies,
            "Ω(d^2 log(1/eps)) sampled weights for a d×d layer",
            "Pensia et al.'s parameter counting: N >= d^2·log2(r/(2 eps)) + log2(1 - delta)" + scope,
            extra={"d": dd, "norm": str(r)},
        )
    )
    kept = ENTROPY_KAPPA * dd * dd
    try:
        ent = entropy_h2_checked(dd, e, d, kept, r)
    except ParameterError as err:  # the exact binomial search is beyond its stated budget
        rows_out.append(
            row_without_numbers(
                "natale2024_lower_bound",
                "entropy",
                Bound.LOWER,
                Status.PROVEN,
                None,
                "n·H2(k/n) >= d^2 log2(r/(2 eps)) + log2(1 - delta)",
                f"not computed here: {err}",
                extra={"applies": False},
            )
        )
    else:
        rows_out.append(
            _lower_row(
                ent,
                applies,
                "n·H2(k/n) >= d^2 log2(r/(2 eps)) + log2(1 - delta) for tickets of k kept weights",
                f"Natale et al.'s entropy bound for sparse tickets, k = {ENTROPY_KAPPA} kept weights per target "
                "weight (H2 form, certified)" + scope,
                extra={"d": dd, "norm": str(r), "kept": kept, "kept_per_target_weight": ENTROPY_KAPPA},
            )
        )
    return rows_out


def _rational_below(x: sp.Expr) -> Fraction:
    """x itself if rational, else a certified rational lower bound (a smaller w_max or norm gives a valid,
    smaller lower bound: the class of targets shrinks)."""
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    return enclose(x).lower


SOURCE = Source(
    order=50,
    rows=rows,
    names=("counting_lower_bound", "pensia2020_lower_bound", "natale2024_lower_bound"),
    cite="counting (ours); Pensia et al. 2020, parameter counting; Natale et al. 2024, entropy of sparse tickets",
)
