"""logprune check: the quick battery runs, refutes nothing, and would refute a wrong bound."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from logprune.checks.coverage import check_claim, first_hits
from logprune.checks.runner import failed, run_checks
from logprune.cli import main


def test_first_hits_is_the_coverage_time() -> None:
    cats = np.array([[0, -1, 1, 0, 1], [1, 1, -1, -1, 0], [0, 0, 0, 0, 0]])
    assert first_hits(cats, 2).tolist() == [3, 5, 6]  # never covered: n_max + 1
    assert first_hits(cats, 2, m=2).tolist() == [5, 6, 6]


def test_a_wrong_bound_is_refuted_and_a_loose_one_is_valid() -> None:
    rng = np.random.default_rng(0)
    times = rng.geometric(0.01, size=2000)  # coverage times of a one-category claim with p = 0.01
    # the true (1 - 1/20)-quantile is ln(20)/0.01 ~ 299: 150 is far too small, 600 comfortably enough
    assert check_claim("x", {}, bound=150, delta=Fraction(1, 20), times=times, confidence=0.99).verdict == "refuted"
    ok = check_claim("x", {}, bound=600, delta=Fraction(1, 20), times=times, confidence=0.99)
    assert ok.verdict == "valid" and ok.empirical_min_ci[0] <= 300 <= ok.empirical_min_ci[1]


@pytest.fixture(scope="module")
def quick() -> dict:  # type: ignore[type-arg]
    return run_checks(quick=True, trials=None, confidence=0.99, seed=0)


def test_quick_battery_refutes_nothing(quick: dict) -> None:  # type: ignore[type-arg]
    assert failed(quick) == []
    assert {r["claim"] for r in quick["claims"]} >= {"L1", "L3", "L3-uniform", "L4 (M)", "L4 (M_exact)"}


def test_chernoff_M_is_loose_and_M_exact_is_tight(quick: dict) -> None:  # type: ignore[type-arg]
    """The digest's observation, measured: M/empirical well above 1, M_exact/empirical close to 1."""
    chern = [r for r in quick["claims"] if r["claim"] == "L4 (M)"]
    exact = [r for r in quick["claims"] if r["claim"] == "L4 (M_exact)"]
    assert all(r["ratio_ci"][0] > 1.3 for r in chern)
    assert all(r["ratio_ci"][0] <= 1.0 + 0.2 and r["ratio_ci"][1] >= 0.9 for r in exact)


def test_cli_check_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.json"
    assert main(["check", "--quick", "--trials", "100", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["trials"] == 100 and doc["seed"] == 0
    assert "L3" in capsys.readouterr().out
    assert main(["check", "--confidence", "2"]) == 2


def test_residual_hunt_finds_the_golden_ratio_threshold(quick: dict) -> None:  # type: ignore[type-arg]
    hunts = {h["base"]: h for h in quick["residual_hunts"]}
    assert hunts["phi"]["exceeded"] == 0 and hunts["3/2"]["exceeded"] == 0  # exact checks, every example
    assert hunts["2"]["exceeded"] > 0 and hunts["13/8"]["exceeded"] > 0  # just above phi = 1.618...
    assert hunts["phi"]["max_ratio"] > 0.5  # target() pushes towards the bound
