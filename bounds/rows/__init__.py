"""The registry of the comparison table's rows: one module per source, each declaring its rows.

A source is a module of this package with a ``SOURCE`` (:class:`~logprune.bounds.rows.row.Source`): the
rows it computes for a setting, their names, the constants it takes from the user (``--pensia-c``) and its
citation.  The registry finds them by walking the package, orders them by ``Source.order`` and is what
:func:`~logprune.bounds.setting.setting`, ``logprune bounds``, the API, the docs and the tests read.  Adding a
row from a new paper is one module here plus a regenerated snapshot (``docs/development.md``).

- :mod:`~logprune.bounds.rows.malach2020` (C1), :mod:`~logprune.bounds.rows.orseau2020` (C2, C3, pooling-A,
  pooling-B, the slides' L4 accounting), :mod:`~logprune.bounds.rows.pensia2020` (its constant a symbol),
  :mod:`~logprune.bounds.rows.subset_sum` (empirical, the RSS calibration),
  :mod:`~logprune.bounds.rows.lower_bounds` (counting, param-counting, entropy);
- :mod:`~logprune.bounds.rows.row`: the row type and what a source declares.

>>> [s.names[0] for s in sources()]
['malach2020', 'orseau2020', 'pensia2020', 'subset_sum_calibrated', 'counting_lower_bound']
>>> [c.flag for c in user_constants()]
['--pensia-c']
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import replace

from logprune.bounds.certified import enclose
from logprune.bounds.rows.row import Bound, Row, Source, Status, UserConstant
from logprune.bounds.setting import Setting

__all__ = ["Bound", "Row", "Source", "Status", "UserConstant", "row_names", "sources", "table", "user_constants"]


@functools.cache
def sources() -> tuple[Source, ...]:
    """Every source of rows, in the table's order (module doc)."""
    found = []
    for info in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        module = importlib.import_module(info.name)
        source = getattr(module, "SOURCE", None)
        if isinstance(source, Source):
            found.append(source)
    return tuple(sorted(found, key=lambda s: s.order))


def row_names() -> tuple[str, ...]:
    """The names of every row, in the table's order."""
    return tuple(name for s in sources() for name in s.names)


def user_constants() -> tuple[UserConstant, ...]:
    """The constants the rows take from the user, in the table's order."""
    return tuple(c for s in sources() for c in s.constants)


def table(st: Setting) -> list[Row]:
    """Every row of the comparison table for one setting (each source's module doc states its rows), upper
    rows first, then the lower bounds; every upper row with a number carries its ratio to the best lower
    bound that applies (docs/claims.md, C1, C2, C3, pooling-A, pooling-B, counting)."""
    every = [r for s in sources() for r in s.rows(st)]
    uppers = [r for r in every if r.bound is Bound.UPPER]
    lowers = [r for r in every if r.bound is Bound.LOWER]
    best = max(
        (
            r
            for r in lowers
            if r.sampled_weights_per_target_weight is not None
            and r.extra.get("applies", True)
            and r.sampled_weights_per_target_weight.lower > 0  # a ratio to 0 says nothing
        ),
        key=lambda r: r.sampled_weights_per_target_weight.lower,  # type: ignore[union-attr]
        default=None,
    )
    out: list[Row] = []
    for r in uppers:
        if best is not None and r.sampled_weights_per_target_weight is not None:
            assert best.sampled_weights_per_target_weight is not None
            ratio = enclose(r.sampled_weights_per_target_weight.exact / best.sampled_weights_per_target_weight.exact)
            r = replace(r, ratio_to_lower_bound=ratio, lower_bound_used=best.name)
        out.append(r)
    return out + lowers
