"""The subset-sum default block size is the RSS engine's recorded calibration (EMPIRICAL): the table in
bounds/rss_calibration.py is the output of ``logprune check rss --calibrate``, monotone in eps, consistent
with fresh samples, and what ``default_block`` and the plan use."""

from __future__ import annotations

import math
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

import pytest

from logprune.bounds import rss_calibration
from logprune.checks import rss
from logprune.checks.coverage import clopper_pearson
from logprune.construct.methods.subset_sum import SELECTION, calibrated_row

TABLE = rss_calibration.TABLE
MODULE = Path(rss_calibration.__file__)


def _eps(row: dict[str, object]) -> Fraction:
    return Fraction(str(row["eps"]))


def test_calibration_table_is_generated_by_the_command_and_labelled_empirical() -> None:
    text = MODULE.read_text()
    assert rss.CALIBRATION_COMMAND in text.split('"""')[1]
    assert "EMPIRICAL" in text
    assert len(TABLE) >= 5
    for row in TABLE:
        assert row["label"] == "empirical"
        assert row["law"] == "uniform-product" and row["confidence"] == 0.95
        assert row["delta_w"] == rss.CALIBRATION_DEFAULTS["delta"]


def test_calibration_least_n_is_monotone_in_eps() -> None:
    """A finer eps never gets a smaller n (exact under common random numbers: rss.calibrate's doc)."""
    rows = sorted(TABLE, key=_eps, reverse=True)
    ns = [row["n"] for row in rows]
    assert all(n is not None for n in ns[:-1])  # only the last (finest) row may have no n <= 40
    known = [n for n in ns if n is not None]
    assert known == sorted(known)


def test_calibration_rows_meet_delta_w_at_their_confidence() -> None:
    """Each recorded row: the upper Clopper-Pearson limit of its failures is <= delta_w."""
    for row in TABLE:
        if row["n"] is None:
            continue
        hi = clopper_pearson(int(row["failures"]), int(row["trials"]), float(row["confidence"]))[1]
        assert hi <= float(Fraction(str(row["delta_w"])))
        assert row["ci"][1] == hi


@pytest.mark.parametrize("index", [0, 1])
def test_calibration_recorded_points_hold_on_a_fresh_seed(index: int) -> None:
    """The recorded n, re-checked on 300 new trials (seed 12345): the Clopper-Pearson lower limit of the
    failure rate does not exceed delta_w (a recorded n far too small would fail this)."""
    row = sorted(TABLE, key=_eps, reverse=True)[index]
    st = rss.setting(law=row["law"], eps=row["eps"], target="uniform", trials=300, seed=12345, confidence="0.95")
    k = rss.failures(st, int(row["n"]))
    lo, _ = clopper_pearson(k, st.trials, st.confidence)
    assert lo <= float(Fraction(str(row["delta_w"])))


def test_calibration_search_equals_least_n() -> None:
    """calibrate's search (starting each point at the previous n) finds least_n's n at every point."""
    grid = ("1/10", "1/100", "1/1000")
    points = rss.calibrate(grid=grid, trials=40, delta="1/10", seed=3)
    assert [p.eps for p in points] == [Fraction(1, 10), Fraction(1, 100), Fraction(1, 1000)]
    for p in points:
        st = rss.setting(law="uniform-product", eps=p.eps, target="uniform", trials=40, seed=3, confidence="0.95")
        ref = rss.least_n(st, "1/10")
        assert (p.n, p.failures) == (ref.n, ref.failures)


def test_default_block_reads_the_table_not_the_rule_of_thumb() -> None:
    s = Fraction(3, 7)
    rows = sorted(TABLE, key=_eps, reverse=True)
    for row in rows:
        if row["n"] is None:
            continue
        assert SELECTION.default_block(eps_w=_eps(row) * s, scale=s) == row["n"]
    coarsest = rows[0]
    thumb = round(3 * math.log(1 / float(_eps(coarsest))))
    assert coarsest["n"] != thumb  # the old rule of thumb would give another number here
    # between two grid points: the finer one (conservative); coarser than the grid: the coarsest point
    a, b = rows[1], rows[2]
    mid = (_eps(a) + _eps(b)) / 2
    assert SELECTION.default_block(eps_w=mid * s, scale=s) == b["n"]
    assert SELECTION.default_block(eps_w=s / 2, scale=s) == coarsest["n"]
    # finer than the grid: no calibrated default
    assert SELECTION.default_block(eps_w=_eps(rows[-1]) * s / 2, scale=s) is None
    assert calibrated_row(eps_w=_eps(rows[-1]) * s / 2, scale=s) is None


def test_plan_records_the_calibrated_default_as_empirical() -> None:
    """With width="calibrated" the default decides P, and the plan (Ĝ's meta) says so; golden has no
    calibration; beyond the grid the request is refused, naming the accuracy."""
    from logprune.construct.io.targets import load_target
    from logprune.construct.options import options
    from logprune.construct.plan import plan
    from logprune.errors import ParameterError

    target, _ = load_target(str(files("logprune") / "data" / "demo_target.npz"))
    with pytest.raises(ParameterError, match="width=calibrated: method=golden"):
        options(weight_eps="0.01", width="calibrated")
    with pytest.raises(ParameterError, match="width=calibrated: no calibrated block size"):
        plan(target, options(weight_eps="1e-9", method="subset-sum", dist="uniform", width="calibrated"))
    pl = plan(target, options(weight_eps="0.01", method="subset-sum", dist="uniform", width="calibrated"))
    assert pl.as_json()["adaptive"] is False
    assert not pl.adaptive
    assert pl.block == SELECTION.default_block(eps_w=pl.eps_w, scale=Fraction(pl.scale))
    src = pl.as_json()["block_source"]
    assert src.startswith("rss-calibration (empirical:") and "uniform-product" in src
    hyp = plan(target, options(weight_eps="0.01", method="subset-sum", dist="hyperbolic", width="calibrated"))
    assert hyp.block_source is not None and hyp.block_source.endswith("not calibrated for dist=hyperbolic")
    adaptive = plan(target, options(weight_eps="0.01", method="subset-sum", dist="uniform"))
    assert adaptive.adaptive and "block_source" not in adaptive.as_json()


@pytest.mark.slow
def test_calibration_regenerated_by_the_command_equals_the_recorded_table(tmp_path: Path) -> None:
    """The header's command, run again, writes the recorded module byte for byte (about a minute)."""
    from logprune.cli import main

    out = tmp_path / "rss_calibration.py"
    assert main(["check", "rss", "--calibrate", "--module", str(out), "--quiet", "--output", str(tmp_path / "t")]) == 0
    assert out.read_text() == MODULE.read_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["--calibrate", "--law", "uniform"],
        ["--calibrate", "--eps", "0.1"],
        ["--calibrate", "--least"],
        ["--calibrate", "--target", "sup"],
        ["--law", "uniform", "--n", "5", "--eps", "0.1", "--module", "x.py"],
        ["--n", "5", "--eps", "0.1"],
    ],
)
def test_calibration_command_refuses_a_question_it_does_not_answer(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from logprune.cli import main

    assert main(["check", "rss", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("logprune: error:")
