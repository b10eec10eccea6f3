"""The theory sweep: each bound scales as its claim says."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from logprune.checks.sweep import figures, sweep


@pytest.fixture(scope="module")
def points() -> list[dict]:  # type: ignore[type-arg]
    return sweep({"n": [10, 100], "eps": ["1/100", "1/1000000"]})


def _npw(points: list[dict], axis: str, value: str, row: str) -> Fraction:  # type: ignore[type-arg]
    (p,) = [p for p in points if p["axis"] == axis and p["value"] == value and p["row"] == row]
    return Fraction(p["neurons_per_weight"])  # exact rational for every row but the counting limit


def test_C1_is_polynomial_and_C2_logarithmic(points: list[dict]) -> None:  # type: ignore[type-arg]
    # Malach: n^3·log -> more than 10^3 times larger from n = 10 to n = 100
    assert _npw(points, "n", "100", "malach2020") / _npw(points, "n", "10", "malach2020") > 1000
    # Orseau (A): logarithmic in n and 1/eps -> less than 3x from eps = 1e-2 to 1e-6
    assert _npw(points, "eps", "1/1000000", "orseau2020") / _npw(points, "eps", "1/100", "orseau2020") < 3
    # pooling (B) shares blocks across outputs: per target weight it falls with n
    assert _npw(points, "n", "100", "orseau2020_shared") < _npw(points, "n", "10", "orseau2020_shared")


def test_sweep_figures(points: list[dict], tmp_path: Path) -> None:  # type: ignore[type-arg]
    pytest.importorskip("matplotlib")
    paths = figures(points, tmp_path / "s")
    assert all(p.exists() and p.stat().st_size > 1000 for p in paths)
