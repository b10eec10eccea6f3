"""Pensia, Rajput, Nagle, Vishwakarma & Papailiopoulos, *Optimal Lottery Tickets via SubsetSum* (NeurIPS 2020).

- ``pensia2020`` (published): layer 2i-1 of width n_(i-1)·C·ln(n_(i-1)·n_i·l/min(eps, delta)); the universal
  constant C is not available to us: the user may give it (``--pensia-c``, ``pensia_c=``), else the row is
  its formula with C as a symbol.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from logprune.bounds.certified import certified_ceiling
from logprune.bounds.rows.row import Bound, Row, Source, Status, UserConstant, row_without_numbers, upper_row
from logprune.bounds.setting import Setting
from logprune.validation import sympy_rational

__all__ = ["PENSIA_C", "SOURCE", "rows"]


PENSIA_C = sp.Symbol("C", positive=True)


def pensia_row(st: Setting) -> Row:
    """Pensia et al.'s row: blocks of C·ln(n_(i-1)·n_i·l/min(eps, delta)) neurons per input neuron, each
    neuron with one in-weight and n_i out-weights; C is their universal constant (published, not available
    to us): numeric only when the user gives it (``pensia_c``), else the formula with C as a symbol."""
    ll, e, d = st.layers, sympy_rational(st.eps), sympy_rational(st.delta)
    wd, lw = st.widths, [st.layer_weights(i) for i in range(st.layers)]
    logs = [sp.log(sp.Integer(m) * ll / sp.Min(e, d)) for m in lw]
    formula = sp.Add(*[wd[i] * (1 + wd[i + 1]) * PENSIA_C * logs[i] for i in range(ll)]) / st.target_weights
    asym = "O(log(n l/min(eps, delta))) width factor per target neuron"
    if st.constant("pensia_c") is None:
        return row_without_numbers(
            "pensia2020",
            "subset-sum",
            Bound.UPPER,
            Status.PUBLISHED,
            2 * ll,
            asym,
            "uniform weights, subset-sum; the universal constant C is not available to us: give --pensia-c C",
            symbolic=formula,
        )
    given = st.constant("pensia_c")
    assert given is not None
    cc = sympy_rational(given)
    blocks = [certified_ceiling(cc * lg) for lg in logs]
    row = upper_row(
        "pensia2020",
        "subset-sum",
        Status.PUBLISHED,
        st,
        [wd[i] * blocks[i] for i in range(ll)],
        sum(wd[i] * blocks[i] * (1 + wd[i + 1]) for i in range(ll)),
        asym,
        f"uniform weights, subset-sum; the universal constant C = {given} is the user's (--pensia-c)",
    )
    return replace(row, symbolic=formula)


def rows(st: Setting) -> list[Row]:
    """The one Pensia row (module doc)."""
    return [pensia_row(st)]


SOURCE = Source(
    order=30,
    rows=rows,
    names=("pensia2020",),
    constants=(
        UserConstant(
            name="pensia_c",
            flag="--pensia-c",
            symbol=PENSIA_C,
            help="Pensia et al.'s universal constant (not available to us; without it their row is symbolic)",
        ),
    ),
    cite="Pensia, Rajput, Nagle, Vishwakarma & Papailiopoulos, Optimal Lottery Tickets via SubsetSum (NeurIPS 2020)",
)
