"""Malach, Yehudai, Shalev-Shwartz & Shamir, *Proving the Lottery Ticket Hypothesis: Pruning is All You Need*
(ICML 2020), with our own constants (docs/claims.md, C1).

- ``malach2020`` (proven): L1 per weight, a union bound over all weights, the propagation of errors
  (:mod:`~logprune.bounds.malach`); the published O-form n^3·l^2/eps^2·ln(n·l/delta) neurons per target weight
  beside, as on the slides (the paper's constant is not available to us).
"""

from __future__ import annotations

from logprune.bounds.malach import malach_parameters
from logprune.bounds.rows.row import Bound, Row, Source, Status, row_without_numbers, upper_row
from logprune.bounds.setting import Setting
from logprune.errors import ParameterError

__all__ = ["MALACH_PUBLISHED", "SOURCE", "rows"]


MALACH_PUBLISHED = "O(n^3 l^2/eps^2 log(n l/delta)) neurons per target weight (published)"


def malach_row(st: Setting) -> Row:
    """Malach et al.'s construction with our own constants (docs/claims.md, C1): L1 per weight, a union bound
    over all weights, the propagation of errors (:mod:`~logprune.bounds.malach`); the published O-form beside."""
    try:
        mp = malach_parameters(st)
    except ParameterError as err:  # w_max > 1: L1's windows need |w| <= 1
        return row_without_numbers(
            "malach2020",
            "C1",
            Bound.UPPER,
            Status.PROVEN,
            None,
            MALACH_PUBLISHED,
            f"does not apply to this setting: {err}",
        )
    return upper_row(
        "malach2020",
        "C1",
        Status.PROVEN,
        st,
        list(mp.intermediate),
        sum(2 * mp.pool * m for m in mp.layer_weights),
        MALACH_PUBLISHED,
        "uniform weights, two-neuron decomposition (L1) with our own constants: a dedicated pool of N neurons "
        "per target weight (2N sampled weights), union bound over 2 parts per weight, one branch"
        + ("" if st.malach else "; Malach's assumptions replaced by this setting's (C3 form)"),
        extra={"malach": mp.as_json()},
    )


def rows(st: Setting) -> list[Row]:
    """The one Malach row (module doc)."""
    return [malach_row(st)]


SOURCE = Source(
    order=10,
    rows=rows,
    names=("malach2020",),
    cite="Malach, Yehudai, Shalev-Shwartz & Shamir, Proving the Lottery Ticket Hypothesis (ICML 2020)",
)
