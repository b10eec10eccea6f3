"""Subset-sum on a uniform G with designed signs and the optimal pruner, its block from the recorded RSS
calibration (empirical; :mod:`~logprune.bounds.rss_default`).

- ``subset_sum_calibrated`` (empirical): at the per-weight accuracy eps_w of the Orseau rows (tightened,
  docs/claims.md, propagation), n = the calibrated block at eps_w/w_max per input neuron and branch, each
  neuron with one in-weight and n_i out-weights.  Its guarantee is per weight (failure <= delta_w at the
  calibration's confidence), not a union bound over all weights.
"""

from __future__ import annotations

from logprune.bounds.certified import enclose
from logprune.bounds.propagation import Propagation
from logprune.bounds.rows.orseau2020 import orseau_parameters
from logprune.bounds.rows.row import Bound, Row, Source, Status, branches, row_without_numbers, upper_row
from logprune.bounds.rss_default import calibrated_row
from logprune.bounds.setting import Setting

__all__ = ["SOURCE", "rows"]


def subset_sum_row(st: Setting, prop: Propagation) -> Row:
    """Subset-sum on a uniform G with designed signs, blocks from the recorded RSS calibration (EMPIRICAL;
    :mod:`~logprune.bounds.rss_default`): at the per-weight accuracy eps_w of the Orseau rows (tightened,
    docs/claims.md, propagation), n = the calibrated block at eps_w/w_max per input neuron and branch, each
    neuron with one in-weight and n_i out-weights.  Its guarantee is per weight (failure <= delta_w at the
    calibration's confidence), not a union bound over all weights: a G of this size is expected to leave
    about delta_w of the weights uncovered."""
    ratio = enclose(prop.eps_w / st.resolved()["w_max"]).lower  # a smaller ratio: a finer, larger row
    row = calibrated_row(ratio)
    asym = "O(log 1/eps_w) products per target weight (Lueker), calibrated"
    if row is None:
        return row_without_numbers(
            "subset_sum_calibrated",
            "subset-sum",
            Bound.UPPER,
            Status.EMPIRICAL,
            None,
            asym,
            f"eps_w/w_max = {float(ratio):.3g} is finer than the recorded RSS calibration's grid",
        )
    br, wd, ll = branches(st), st.widths, st.layers
    block = int(row["n"])
    ints = [wd[i] * block * br[i] for i in range(ll)]
    return upper_row(
        "subset_sum_calibrated",
        "subset-sum",
        Status.EMPIRICAL,
        st,
        ints,
        sum(ints[i] * (1 + wd[i + 1]) for i in range(ll)),
        asym,
        f"uniform G, designed signs, optimal pruner; block n = {block} per input neuron and branch from the RSS "
        f"calibration at eps = {row['eps']} (<= eps_w/w_max): per-weight failure <= delta_w = {row['delta_w']} at "
        f"{100 * row['confidence']:g}% confidence (Clopper-Pearson, {row['trials']} trials), NOT a union bound over "
        "all weights",
        pooling="B",
        extra={"calibration": {k: row[k] for k in ("law", "eps", "n", "delta_w", "confidence", "trials", "seed")}},
    )


def rows(st: Setting) -> list[Row]:
    """The one subset-sum row (module doc), at the Orseau rows' eps_w."""
    return [subset_sum_row(st, orseau_parameters(st)[0])]


SOURCE = Source(
    order=40,
    rows=rows,
    names=("subset_sum_calibrated",),
    cite="logprune's RSS calibration (check rss --calibrate), after Lueker's random subset-sum bound",
)
