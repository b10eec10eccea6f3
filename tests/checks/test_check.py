"""logprune check claims: the quick battery runs, refutes nothing, and would refute a wrong bound."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from logprune.checks.coverage import check_claim, first_hits
from logprune.checks.runner import failed, lines
from logprune.cli import main


def test_first_hits_is_the_coverage_time() -> None:
    cats = np.array([[0, -1, 1, 0, 1], [1, 1, -1, -1, 0], [0, 0, 0, 0, 0]])
    assert first_hits(cats, 2).tolist() == [3, 5, 6]  # never covered: n_max + 1
    assert first_hits(cats, 2, m=2).tolist() == [5, 6, 6]


@pytest.mark.statistical
def test_a_wrong_bound_is_refuted_and_a_loose_one_is_valid() -> None:
    rng = np.random.default_rng(0)
    times = rng.geometric(0.01, size=2000)  # coverage times of a one-category claim with p = 0.01
    # the true (1 - 1/20)-quantile is ln(20)/0.01 ~ 299: 150 is far too small, 600 comfortably enough
    assert check_claim("x", {}, bound=150, delta=Fraction(1, 20), times=times, confidence=0.99).verdict == "refuted"
    ok = check_claim("x", {}, bound=600, delta=Fraction(1, 20), times=times, confidence=0.99)
    assert ok.verdict == "valid" and ok.empirical_min_ci[0] <= 300 <= ok.empirical_min_ci[1]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One quick battery, run through the CLI as a user would (`check claims --quick --json --output F`)."""
    path = tmp_path_factory.mktemp("claims") / "claims.json"
    assert main(["check", "claims", "--quick", "--json", "--output", str(path)]) == 0
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


@pytest.mark.evidence
def test_check_claims_json_output_holds_the_run(quick: dict[str, Any]) -> None:
    assert quick["seed"] == 0 and quick["quick"] is True and quick["trials"] == 400 and quick["confidence"] == 0.99
    assert {"claims", "construction", "distributions", "residual_hunts"} <= set(quick)
    text = lines(quick)  # what `check claims` prints without --json
    assert text[0].startswith("logprune check: seed=0, 400 trials per claim") and any(t.startswith("L3 ") for t in text)


@pytest.mark.evidence
@pytest.mark.statistical
def test_quick_battery_refutes_nothing(quick: dict[str, Any]) -> None:
    assert failed(quick) == []
    assert {r["claim"] for r in quick["claims"]} >= {"L1", "L3", "L3-uniform", "L4 (M)", "L4 (M_exact)"}


@pytest.mark.evidence
@pytest.mark.statistical
def test_chernoff_M_is_loose_and_M_exact_is_tight(quick: dict[str, Any]) -> None:
    """docs/claims.md, L4, measured: M/empirical well above 1, M_exact/empirical close to 1."""
    chern = [r for r in quick["claims"] if r["claim"] == "L4 (M)"]
    exact = [r for r in quick["claims"] if r["claim"] == "L4 (M_exact)"]
    assert all(r["ratio_ci"][0] > 1.3 for r in chern)
    assert all(r["ratio_ci"][0] <= 1.0 + 0.2 and r["ratio_ci"][1] >= 0.9 for r in exact)


@pytest.mark.evidence
@pytest.mark.statistical
def test_construction_succeeds_at_the_bound_width_for_both_poolings(quick: dict[str, Any]) -> None:
    """The construction check runs through the library API, pooling (B) and (A), random and demo targets."""
    rows = {r["claim"]: r for r in quick["construction"]}
    assert set(rows) == {
        "construction width, pooling B, random target",
        "construction width, pooling A, random target",
        "construction width, pooling B, demo target",
    }
    for r in rows.values():  # success rate >= 1 - delta at the bound's width, which is no smaller than needed
        assert r["successes"] >= (1 - Fraction(r["delta"])) * r["seeds"] and r["ratio_bound_over_smallest"] >= 1


@pytest.mark.evidence
@pytest.mark.statistical
def test_residual_hunt_finds_the_golden_ratio_threshold(quick: dict[str, Any]) -> None:
    hunts = {h["base"]: h for h in quick["residual_hunts"]}
    assert hunts["phi"]["exceeded"] == 0 and hunts["3/2"]["exceeded"] == 0  # exact checks, every example
    assert hunts["2"]["exceeded"] > 0 and hunts["13/8"]["exceeded"] > 0  # just above phi = 1.618...
    assert hunts["phi"]["max_ratio"] > 0.5  # target() pushes towards the bound


def test_check_claims_refuses_a_bad_confidence_or_trials_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "claims", "--confidence", "2"]) == 2
    assert main(["check", "claims", "--trials", "5"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "confidence=2" in err[0] and "trials=5" in err[1]
