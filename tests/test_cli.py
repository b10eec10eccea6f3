"""The command-line contract (names that scripts depend on) and its error behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from logprune.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_bounds_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "bounds", "--n", "100", "--layers", "10", "--eps", "0.01", "--delta", "0.01", "--json")
    assert rc == 0
    doc = json.loads(out)
    names = {r["name"] for r in doc["rows"]}
    assert {"malach2020", "orseau2020", "pensia2020", "counting_lower_bound"} <= names
    for r in doc["rows"]:
        assert {"name", "depth", "width", "neurons", "weights", "neurons_per_weight", "status"} <= set(r)
        assert r["status"] in {"proven", "published", "conjectural"}
        assert r["width"] is None or all(isinstance(w, int) for w in r["width"])


def test_bounds_text_and_latex(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "bounds")
    assert rc == 0 and "orseau2020" in out and "k = 21" in out
    rc, out, _ = run(capsys, "bounds", "--n", "10", "--layers", "2", "--latex")
    assert rc == 0 and out.count(r"\\") == 7 and r"\begin{tabular}" in out and "orseau2020\\_shared" in out


def test_constants_golden_contract(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "constants", "golden", "--eps", "1e-6", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["admissible"] is True and doc["k"] == 29
    assert doc["residual_bound"]["exact"] == "GoldenRatio**(-29)"
    rc, out, _ = run(capsys, "constants", "golden", "--eps", "1e-6", "--base", "2", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["admissible"] is False and "3/2 > 1" in doc["reason"]
    assert doc["counterexample"]["residual_exceeds_bound"] is True
    rc, out, _ = run(capsys, "constants", "golden", "--eps", "1e-6", "--base", "3/2", "--scale", "2", "--json")
    assert json.loads(out)["k"] == 36  # (3/2)^35 < 2e6 <= (3/2)^36


def test_constants_hyperbolic_and_batch_contract(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "constants", "hyperbolic", "--alpha", "1e-3", "--beta", "1", "--json")
    assert rc == 0 and json.loads(out)["segment_probability"]["mid"] == "0.0696625467499929"
    rc, out, _ = run(capsys, "constants", "batch", "--c", "0.05", "--m", "1", "--k", "20", "--delta", "0.01", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["M"] == 345 and doc["M_exact"] == 149


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["bounds", "--eps", "0"], "eps=0"),
        (["bounds", "--eps", "1"], "eps=1"),
        (["bounds", "--delta", "1.5"], "delta=1.5"),
        (["bounds", "--n", "-2"], "n=-2"),
        (["bounds", "--layers", "0"], "layers=0"),
        (["bounds", "--eps", "abc"], "eps='abc'"),
        (["constants", "hyperbolic", "--alpha", "1", "--beta", "1e-3"], "alpha=1, beta=1e-3"),
        (["constants", "batch", "--c", "0", "--m", "1", "--k", "2", "--delta", "0.1"], "c=0"),
        (["constants", "golden", "--eps", "-1"], "eps=-1"),
        (["bounds", "--frobnicate"], "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse's own errors
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("logprune: error:") and fragment in err
    assert "Traceback" not in err


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    """The installed script and ``python -m logprune.bounds`` run in a fresh process (no traceback)."""
    env = dict(os.environ)
    res = subprocess.run(
        [sys.executable, "-m", "logprune.bounds", "--n", "5", "--layers", "2", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["setting"]["n"] == 5
    res = subprocess.run(
        [sys.executable, "-m", "logprune", "bounds", "--eps", "2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_output_is_written_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "table.json"
    rc, out, _ = run(capsys, "bounds", "--n", "5", "--layers", "2", "--json", "--output", str(target))
    assert rc == 0 and out == "" and json.loads(target.read_text())["rows"]
    before = target.read_text()
    rc, _, _ = run(capsys, "bounds", "--eps", "7", "--json", "--output", str(target))
    assert rc == 2 and target.read_text() == before  # a failed run leaves the old file intact
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]  # no temporary file left behind
