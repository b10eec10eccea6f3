"""The theory sweep (check sweep): each bound scales as its claim says."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from logprune.checks.sweep import DEFAULT_AXES, figures, summary_line, sweep
from logprune.cli import main


@pytest.fixture(scope="module")
def points() -> list[dict[str, Any]]:
    return sweep({"n": [10, 100], "eps": ["1/100", "1/1000000"]})


def _npw(points: list[dict[str, Any]], axis: str, value: str, row: str) -> Fraction:
    (p,) = [p for p in points if p["axis"] == axis and p["value"] == value and p["row"] == row]
    return Fraction(p["sampled_weights_per_target_weight"])  # exact rational for every upper row with a number


def test_C1_is_polynomial_and_C2_logarithmic(points: list[dict[str, Any]]) -> None:
    """docs/claims.md, C1 and C2 (pooling-A, pooling-B), over the sweep's settings."""
    # Malach: polynomial in n (through eps_w ~ eps/(n l)) -> more than 10 times larger from n = 10 to n = 100
    assert _npw(points, "n", "100", "malach2020") / _npw(points, "n", "10", "malach2020") > 10
    # Orseau (A): logarithmic in n and 1/eps -> less than 3x from eps = 1e-2 to 1e-6
    assert _npw(points, "eps", "1/1000000", "orseau2020") / _npw(points, "eps", "1/100", "orseau2020") < 3
    # pooling (B) shares blocks across outputs: P·(1 + n)/n sampled weights per target weight, logarithmic in n
    assert _npw(points, "n", "100", "orseau2020_shared") / _npw(points, "n", "10", "orseau2020_shared") < 2


def test_summary_line_counts_rows_and_settings(points: list[dict[str, Any]]) -> None:
    rows = len({p["row"] for p in points})
    assert summary_line(points) == f"{4 * rows} rows over 4 settings"


def test_check_sweep_prints_its_summary_or_writes_every_point_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep.json"
    assert main(["check", "sweep", "--json", "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    doc = json.loads(out.read_text())["sweep"]
    settings = {(p["axis"], p["value"]) for p in doc}
    assert settings == {(a, str(v)) for a, values in DEFAULT_AXES.items() for v in values}
    assert main(["check", "sweep"]) == 0
    assert capsys.readouterr().out == summary_line(doc) + "\n"


def test_sweep_figures(points: list[dict[str, Any]], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    paths = figures(points, tmp_path / "s")
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths)
