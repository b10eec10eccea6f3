"""A row of the comparison table and what a source of rows declares (:mod:`logprune.bounds.rows`).

- :class:`Row`: one line of the table, in one unit for every row (sampled weights of G per target weight);
- :class:`Bound`, :class:`Status`: which side of the truth a row is on, and what stands behind its numbers;
- :class:`UserConstant`: a constant of a published statement that is not available to us, which the user
  may give (``--pensia-c``); without it the row shows its formula with the constant as a symbol;
- :class:`Source`: what one module of :mod:`logprune.bounds.rows` declares (its rows, in order, and its
  constants);
- :func:`upper_row`, :func:`row_without_numbers`, :func:`per_target_weight`: the rows' common arithmetic.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from logprune.bounds.certified import Enclosure, enclose
from logprune.bounds.domain import layer_branches
from logprune.bounds.setting import Setting
from logprune.display import html_pairs, one_line

__all__ = [
    "Bound",
    "Row",
    "Source",
    "Status",
    "UserConstant",
    "branches",
    "per_target_weight",
    "row_without_numbers",
    "upper_row",
]


class Bound(enum.StrEnum):
    """Which side of the truth a row is on."""

    UPPER = "upper"  # a construction: this many suffice
    LOWER = "lower"  # an impossibility: fewer never suffice


class Status(enum.StrEnum):
    """What stands behind a row's numbers."""

    PROVEN = "proven"  # derived here, with our own constants, and proven in proofs/
    PUBLISHED = "published"  # a published statement whose constant we take from the user (or show as a symbol)
    CONJECTURAL = "conjectural"  # an accounting we know not to be a proof (see the row's note)
    EMPIRICAL = "empirical"  # measured (with its confidence), not proven


@dataclass(frozen=True, kw_only=True)
class Row:
    """One line of the comparison table, in one unit for every row (docs/claims.md, C1, C2, C3, counting).

    Counts of G: ``depth``, ``width`` (its 2l layers), ``neurons`` (inputs excluded), ``sampled_weights``
    (the weights a pruning may keep: those the construction looks at), ``dense_weights`` (every weight of
    the fully connected G the theorem assumes), each also per target weight.  The primary unit is
    sampled weights of G per target weight.  A number is ``None`` where a constant is unknown (then
    ``symbolic`` gives the formula with the constant as a named symbol) or where a lower bound does not
    determine it (depth, width and neurons of a lower bound).
    """

    name: str
    claim: str
    bound: Bound
    status: Status
    depth: int | None
    width: tuple[int, ...] | None
    neurons: int | None
    sampled_weights: int | None
    dense_weights: int | None
    neurons_per_target_weight: Enclosure | None
    sampled_weights_per_target_weight: Enclosure | None
    dense_weights_per_target_weight: Enclosure | None
    asymptotic: str
    note: str
    pooling: str | None = None
    symbolic: sp.Expr | None = None  # the formula, with the unknown constant as a symbol (a sympy expression)
    ratio_to_lower_bound: Enclosure | None = None
    lower_bound_used: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def enc(e: Enclosure | None) -> dict[str, Any] | None:
            return None if e is None else e.as_json()

        return {
            "name": self.name,
            "claim": self.claim,
            "bound": self.bound.value,
            "status": self.status.value,
            "pooling": self.pooling,
            "depth": self.depth,
            "width": None if self.width is None else list(self.width),
            "neurons": self.neurons,
            "sampled_weights": self.sampled_weights,
            "dense_weights": self.dense_weights,
            "neurons_per_target_weight": enc(self.neurons_per_target_weight),
            "sampled_weights_per_target_weight": enc(self.sampled_weights_per_target_weight),
            "dense_weights_per_target_weight": enc(self.dense_weights_per_target_weight),
            "symbolic": None if self.symbolic is None else sp.sstr(self.symbolic),
            "ratio_to_lower_bound": enc(self.ratio_to_lower_bound),
            "lower_bound_used": self.lower_bound_used,
            "asymptotic": self.asymptotic,
            "note": self.note,
            **self.extra,
        }

    def _numbers(self) -> str:
        per = self.sampled_weights_per_target_weight
        if per is not None:
            return f"{per.short(6)} sampled weights of G per target weight"
        return "symbolic: " + sp.sstr(self.symbolic) if self.symbolic is not None else "no numbers here"

    def __repr__(self) -> str:
        return one_line(
            f"Row {self.name}", [f"{self.bound.value} bound", self.status.value, self.claim, self._numbers()]
        )

    def _repr_html_(self) -> str:
        def num(v: object) -> str:
            return "-" if v is None else str(v)

        ratio = self.ratio_to_lower_bound
        pairs = [
            ("bound, status, claim", f"{self.bound.value}, {self.status.value}, {self.claim}"),
            ("sampled weights of G per target weight", num(self.sampled_weights_per_target_weight)),
            ("x best lower bound", "-" if ratio is None else f"{ratio.short(4)} ({self.lower_bound_used})"),
            ("depth, neurons", f"{num(self.depth)}, {num(self.neurons)}"),
            ("sampled, dense weights", f"{num(self.sampled_weights)}, {num(self.dense_weights)}"),
            ("formula", "-" if self.symbolic is None else sp.sstr(self.symbolic)),
            ("asymptotic", self.asymptotic),
            ("note", self.note),
        ]
        return html_pairs(f"{self.name} (docs/claims.md, {self.claim})", pairs)

    def _repr_latex_(self) -> str | None:
        """The row's formula, for a row with a named constant (``symbolic``)."""
        if self.symbolic is None:
            return None
        name = self.name.replace("_", r"\_")
        return rf"$\mathrm{{{name}}} = {sp.latex(self.symbolic)}$"


@dataclass(frozen=True, kw_only=True)
class UserConstant:
    """A constant a row needs and the literature does not state: the user may give its value."""

    name: str  # the keyword of setting() and of the API (``pensia_c``), and the key in the table's JSON
    flag: str  # the ``logprune bounds`` flag (``--pensia-c``)
    symbol: sp.Symbol  # how the row's formula shows it without a value
    help: str


@dataclass(frozen=True, kw_only=True)
class Source:
    """One source of rows (a paper, or our lower bounds): its rows for a setting, in the table's order."""

    order: int  # the table lists the sources by this number (upper rows, then lower ones)
    rows: Callable[[Setting], list[Row]]
    names: tuple[str, ...]  # the names of its rows, in order (the generated docs list them)
    constants: tuple[UserConstant, ...] = ()
    cite: str = ""  # the paper, as the docs cite it


def dense_sizes(widths: Sequence[int], intermediate: Sequence[int]) -> tuple[tuple[int, ...], int, int]:
    """G's 2l layer widths, neurons (inputs excluded) and weights (fully connected)."""
    g: list[int] = []
    weights = 0
    for i, w_int in enumerate(intermediate):
        g += [w_int, widths[i + 1]]
        weights += widths[i] * w_int + w_int * widths[i + 1]
    return tuple(g), sum(g), weights


def per_target_weight(total: int, st: Setting) -> Enclosure:
    return enclose(sp.Rational(total, st.target_weights))


def upper_row(
    name: str,
    claim: str,
    status: Status,
    st: Setting,
    intermediate: Sequence[int],
    sampled: int,
    asym: str,
    note: str,
    pooling: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Row:
    """An upper row from G's intermediate widths and its count of sampled (keepable) weights."""
    widths, neurons, dense = dense_sizes(st.widths, intermediate)
    return Row(
        name=name,
        claim=claim,
        bound=Bound.UPPER,
        status=status,
        depth=2 * st.layers,
        width=widths,
        neurons=neurons,
        sampled_weights=sampled,
        dense_weights=dense,
        neurons_per_target_weight=per_target_weight(neurons, st),
        sampled_weights_per_target_weight=per_target_weight(sampled, st),
        dense_weights_per_target_weight=per_target_weight(dense, st),
        asymptotic=asym,
        note=note,
        pooling=pooling,
        extra=extra or {},
    )


def row_without_numbers(
    name: str, claim: str, bound: Bound, status: Status, depth: int | None, asym: str, note: str, **kw: Any
) -> Row:
    """A row whose numbers are unknown (a constant not available) or not computed (outside a stated domain):
    every count is null, ``note`` says why."""
    return Row(
        name=name,
        claim=claim,
        bound=bound,
        status=status,
        depth=depth,
        width=None,
        neurons=None,
        sampled_weights=None,
        dense_weights=None,
        neurons_per_target_weight=None,
        sampled_weights_per_target_weight=None,
        dense_weights_per_target_weight=None,
        asymptotic=asym,
        note=note,
        **kw,
    )


def branches(st: Setting) -> tuple[int, ...]:
    """The branches of every layer of the setting's target (docs/claims.md, propagation)."""
    return layer_branches(st.layers, inputs_nonnegative=st.inputs_nonnegative)
