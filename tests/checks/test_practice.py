"""The 'in practice' sweep (check practice): nested blocks make the least block size well defined,
hyperbolic beats uniform, and the answers it writes take every figure from the run."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from logprune.checks.practice import (
    END,
    START,
    _construct,
    _target,
    answers_markdown,
    figure,
    least_block,
    practice,
    write_report,
)
from logprune.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_least_block_is_the_threshold_of_a_monotone_success() -> None:
    target = _target(0, 4)
    P, built = least_block(target, "1/100", "hyperbolic", "golden", 0, 1 << 12)
    assert P is not None and P > 1 and built.ok and built.plan.block == P
    assert not _construct(target, "1/100", "hyperbolic", "golden", P - 1, 0).ok
    assert all(_construct(target, "1/100", "hyperbolic", "golden", p, 0).ok for p in (P + 1, 2 * P))


def test_sampled_weights_per_target_weight_come_from_the_construction() -> None:
    """(B): P(1 + n)/n per target weight, (A): 2P (docs/claims.md, pooling-A, pooling-B)."""
    target = _target(0, 4)
    assert _construct(target, "1/100", "hyperbolic", "golden", 10, 0).sampled_per_target_weight == 10 * 5 / 4
    assert _construct(target, "1/100", "hyperbolic", "golden-A", 10, 0).sampled_per_target_weight == 20


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One quick sweep through the CLI, writing its JSON, a report file and a copy of the README."""
    tmp = tmp_path_factory.mktemp("practice")
    readme = tmp / "README.md"
    readme.write_text(f"# title\n\nbefore\n{START}old answers\n{END}\n\nafter\n")
    argv = ["check", "practice", "--quick", "--workers", "2", "--json", "--output", str(tmp / "p.json")]
    assert main([*argv, "--report", str(tmp / "practice.md"), "--report", str(readme)]) == 0
    return {"results": json.loads((tmp / "p.json").read_text())["practice"], "dir": tmp}


def test_check_practice_json_output_holds_every_run(quick: dict[str, Any]) -> None:
    results = quick["results"]
    # 2 eps x (golden (B) and subset-sum with fair and designed signs with both laws, golden (A) with
    # hyperbolic weights, subset-sum with balanced signs with uniform weights), one seed
    assert len(results) == 16 and {r["eps"] for r in results} == {"1/100", "1/1000"}
    assert {(r["method"], r["dist"]) for r in results} == {
        ("golden", "hyperbolic"),
        ("golden", "uniform"),
        ("golden-A", "hyperbolic"),
        ("subset-sum", "hyperbolic"),
        ("subset-sum", "uniform"),
        ("subset-sum-designed", "hyperbolic"),
        ("subset-sum-designed", "uniform"),
        ("subset-sum-balanced", "uniform"),
    }


def test_hyperbolic_needs_fewer_samples_than_uniform(quick: dict[str, Any]) -> None:
    by = {(r["eps"], r["dist"]): r["sampled_per_target_weight"] for r in quick["results"] if r["method"] == "golden"}
    assert by[("1/1000", "hyperbolic")] < by[("1/1000", "uniform")]


def test_no_run_samples_fewer_weights_than_the_counting_limit(quick: dict[str, Any]) -> None:
    reached = [r for r in quick["results"] if r["sampled_per_target_weight"] is not None]
    assert reached and all(r["sampled_per_target_weight"] >= r["counting_limit"] for r in reached)


def test_report_is_the_answers_of_the_run_and_the_readme_keeps_the_rest(quick: dict[str, Any]) -> None:
    text = answers_markdown(quick["results"])
    assert (quick["dir"] / "practice.md").read_text() == text
    assert (quick["dir"] / "README.md").read_text() == f"# title\n\nbefore\n{START}{text}{END}\n\nafter\n"


def test_write_report_replaces_a_file_without_the_markers(tmp_path: Path) -> None:
    path = tmp_path / "answers.md"
    path.write_text("stale\n")
    write_report(path, "new\n")
    assert path.read_text() == "new\n"


def _run(eps: str, dist: str, method: str, sampled: float | None, limit: float, bound: float | None) -> dict[str, Any]:
    return {
        "eps": eps,
        "dist": dist,
        "method": method,
        "seed": 0,
        "n": 5,
        "block": None if sampled is None else 1,
        "sampled_per_target_weight": sampled,
        "counting_limit": limit,
        "ratio_to_limit": None if sampled is None else sampled / limit,
        "bound_block": None,
        "bound_sampled_per_target_weight": bound,
    }


def test_answers_take_every_figure_from_the_run() -> None:
    """Made-up runs with known ratios: every ratio in the notes is the one of these runs, and none of the
    figures once typed into the text (34-50x, 3-4x, fc2's 94 %) appears."""
    runs = [
        _run("1/10", "hyperbolic", "golden", 100.0, 4.0, 700.0),
        _run("1/10", "hyperbolic", "golden-A", 300.0, 4.0, 1400.0),
        _run("1/10", "uniform", "golden", 1100.0, 4.0, None),
        _run("1/10", "hyperbolic", "subset-sum", 20.0, 4.0, None),
        _run("1/100", "hyperbolic", "golden", 200.0, 8.0, 1000.0),
        _run("1/100", "hyperbolic", "golden-A", 500.0, 8.0, 2000.0),
        _run("1/100", "uniform", "golden", None, 8.0, None),
        _run("1/100", "hyperbolic", "subset-sum", None, 8.0, None),
    ]
    text = answers_markdown(runs)
    assert "median over 1 random 5x5 targets" in text and "on these 5x5 targets" in text
    assert "| 1e-01 | 4.0 | 700.0 | 100.0 (25.00x) | 300.0 (75.00x) | 1100.0 (275.00x) | 20.0 (5.00x) | - |" in text
    assert "is 5.0-7.0x smaller" in text  # 700/100 and 1000/200
    assert "Pooling (A) (a dedicated pool per weight) needs 2.5-3.0x the sampled weights" in text  # 500/200, 300/100
    assert "uniform weights need 11.0x the sampled weights of hyperbolic ones" in text  # 1100/100
    assert "and reach eps = 1e-02 in no run" in text
    assert "samples 25x the counting limit with hyperbolic weights for eps from 1e-01 to 1e-02" in text
    assert "brings every weight within eps in 1 of 2 runs" in text
    assert not re.search(r"\b(94 %|34-50x|3-4x|1\.2-1\.8x|fc2|about \d+ s)", text)


def test_committed_answers_are_generated_from_the_committed_run() -> None:
    """docs/practice.md is answers_markdown of docs/practice.json (no hand edits), and the README shows it."""
    results = json.loads((ROOT / "docs" / "practice.json").read_text())["practice"]
    committed = (ROOT / "docs" / "practice.md").read_text()
    assert committed == answers_markdown(results)
    readme = (ROOT / "README.md").read_text()
    assert readme.split(START, 1)[1].split(END, 1)[0] == committed


def test_figure_is_written_as_png_and_svg(quick: dict[str, Any], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    paths = figure(quick["results"], tmp_path / "fig")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 1000 for p in paths)


def test_dask_cluster_gives_the_same_results_for_the_same_seeds() -> None:
    distributed = pytest.importorskip("dask.distributed")
    kw: dict[str, Any] = {"eps": ("1/100",), "seeds": 1, "n": 3, "methods": ("golden",), "progress": False}
    local = practice(workers=1, **kw)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = practice(scheduler=cluster.scheduler_address, **kw)
    assert remote == local
    assert all(Fraction(r["eps"]) == Fraction(1, 100) for r in local)
