"""The 'in practice' sweep: nested blocks make the least block size well defined; hyperbolic beats uniform."""

from __future__ import annotations

from pathlib import Path

import pytest

from logprune.checks.practice import _succeeds, _target, answers_markdown, figure, practice, smallest_block


def test_least_block_is_the_threshold_of_a_monotone_success() -> None:
    target = _target(0, 4)
    P = smallest_block(target, "1/100", "hyperbolic", "golden", 0, 1 << 12)
    assert P is not None and P > 1
    assert _succeeds(target, "1/100", "hyperbolic", "golden", P, 0)
    assert not _succeeds(target, "1/100", "hyperbolic", "golden", P - 1, 0)
    assert all(_succeeds(target, "1/100", "hyperbolic", "golden", p, 0) for p in (P + 1, 2 * P))


@pytest.fixture(scope="module")
def small_sweep() -> list[dict]:  # type: ignore[type-arg]
    return practice(eps=("1/100", "1/1000"), seeds=1, n=4, workers=1, methods=("golden",), progress=False)


def test_hyperbolic_needs_fewer_samples_than_uniform(small_sweep: list[dict]) -> None:  # type: ignore[type-arg]
    by = {(r["eps"], r["dist"]): r["sampled_per_target_weight"] for r in small_sweep}
    assert by[("1/1000", "hyperbolic")] < by[("1/1000", "uniform")]
    assert all(r["sampled_per_target_weight"] >= r["counting_limit"] for r in small_sweep)


def test_answers_and_figures(small_sweep: list[dict], tmp_path: Path) -> None:  # type: ignore[type-arg]
    text = answers_markdown(small_sweep)
    assert "| 1e-03 |" in text and "counting limit" in text
    pytest.importorskip("matplotlib")
    paths = figure(small_sweep, tmp_path / "fig")
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 1000 for p in paths)


def test_readme_shows_the_committed_practice_answers() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    section = readme.split("<!-- practice:start -->\n", 1)[1].split("<!-- practice:end -->", 1)[0]
    assert section == (root / "docs" / "practice.md").read_text()


def test_dask_cluster_gives_the_same_results_for_the_same_seeds() -> None:
    distributed = pytest.importorskip("dask.distributed")
    kw = {"eps": ("1/100",), "seeds": 1, "n": 3, "methods": ("golden",), "progress": False}
    local = practice(workers=1, **kw)  # type: ignore[arg-type]
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = practice(scheduler=cluster.scheduler_address, **kw)  # type: ignore[arg-type]
    assert remote == local
