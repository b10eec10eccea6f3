"""The recorded RSS calibration, read (EMPIRICAL: measured by ``logprune check rss --calibrate``, not proven).

:mod:`~logprune.bounds.rss_calibration` is generated: for the uniform-product law (a·b, a, b ~ U[-1, 1],
the products of a uniform G's block with designed signs on inputs >= 0) and a target z ~ U[-1, 1], the
least n whose upper Clopper-Pearson limit of the per-weight failure rate is <= delta_w, at each grid
accuracy eps = eps_w/s.  :func:`calibrated_row` picks the row for an accuracy, conservatively; the
subset-sum default block of ``construct`` and the ``subset_sum_calibrated`` row of ``logprune bounds`` both
read it here.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import logprune.bounds.rss_calibration as rss_calibration

__all__ = ["calibrated_row"]


def calibrated_row(ratio: Fraction) -> dict[str, Any] | None:
    """The row for eps_w/s = ``ratio`` > 0: the coarsest grid point with eps <= ratio (a finer eps needs a block
    at least as large; a ratio coarser than the whole grid gets the coarsest point).  None when ratio is
    finer than every grid point or that row has no n."""
    rows = sorted(rss_calibration.TABLE, key=lambda row: Fraction(row["eps"]), reverse=True)
    row = next((row for row in rows if Fraction(row["eps"]) <= ratio), None)
    return row if row is not None and row["n"] is not None else None
