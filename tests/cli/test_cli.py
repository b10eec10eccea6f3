"""The command-line contract (names that scripts depend on), its output options and its error behaviour."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from logprune.bounds.rows import row_names
from logprune.cli import build_parser, main

DEMO = str(files("logprune") / "data" / "demo_target.npz")
FAST = ["--quiet", "--workers", "1"]  # one process: the tests measure the CLI, not the parallel engine


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("logprune: error:") and "Traceback" not in err


@pytest.fixture(scope="module")
def ghat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ghat") / "G.npz"
    assert main(["construct", "--target", DEMO, "--weight-eps", "0.1", "--out", str(path), *FAST]) == 0
    return path


def test_bounds_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "bounds", "--n", "100", "--layers", "10", "--eps", "0.01", "--delta", "0.01", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert [r["name"] for r in doc["rows"]] == list(row_names())  # every row of the registry, in its order
    keys = {"name", "bound", "status", "depth", "width", "neurons", "sampled_weights", "dense_weights"}
    keys |= {"neurons_per_target_weight", "sampled_weights_per_target_weight", "dense_weights_per_target_weight"}
    for r in doc["rows"]:
        assert keys <= set(r)
        assert r["status"] in {"proven", "published", "conjectural", "empirical"}
        assert r["bound"] in {"upper", "lower"}
        assert r["width"] is None or all(isinstance(w, int) for w in r["width"])


def test_bounds_text_and_latex(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "bounds")
    assert rc == 0 and "orseau2020" in out and "k = 20" in out  # the tightened k (closed form: 21)
    rc, out, _ = run(capsys, "bounds", "--n", "10", "--layers", "2", "--latex")
    rows = row_names()  # one LaTeX line per row of the registry, and the header's
    assert rc == 0 and out.count(r"\\") == len(rows) + 1 and r"\begin{tabular}" in out
    assert all(name.replace("_", "\\_") in out for name in rows)


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
    rc, out, _ = run(capsys, "constants", "batch", "--c", "0.05", "--m", "1", "--k", "20", "--delta", "0.01")
    assert rc == 0 and "M: 345\n" in out and "M_exact: 149\n" in out  # the text form: one `key: value` a line


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
        (["bounds", "--frobnicate"], "unrecognized arguments: --frobnicate (see logprune bounds --help)"),
        (["bounds", "--json", "PATH"], "unrecognized arguments: PATH"),  # --json is a switch: no file name
        (["check", "claims", "--confidence", "2"], "confidence=2"),
        (["construct", "--target", DEMO, "--weight-eps", "0.1", "--workers", "0"], "workers=0"),
        (["demo", "--pool", "both"], "argument --pool: invalid choice: 'both'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == ""
    assert one_line_error(err) and fragment in err


@pytest.mark.parametrize(
    "argv",
    [
        ["bounds", "--n", "5", "--layers", "2"],
        ["constants", "golden", "--eps", "0.1"],
        ["constants", "hyperbolic", "--alpha", "1e-3", "--beta", "1", "--k", "4"],
        ["constants", "batch", "--c", "0.05", "--m", "1", "--k", "20", "--delta", "0.01"],
        ["snapshot"],
        ["proofs", "--only", "L1"],
        ["construct", "--target", DEMO, "--weight-eps", "0.1", *FAST],
        ["demo", "--weight-eps", "0.1", *FAST],
        ["verify", "GHAT", "--target", DEMO],
    ],
    ids=lambda argv: "-".join(a for a in argv[:2] if not a.startswith("/")),
)
def test_every_command_prints_json_with_json_and_writes_it_to_output(
    argv: list[str], ghat: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--json` is a switch (JSON on stdout); `--output FILE` gets what stdout would, and stdout stays empty.
    (The check subcommands: tests/checks/test_check.py, test_practice.py, test_sweep.py.)"""
    argv = [str(ghat) if a == "GHAT" else a for a in argv]
    target = tmp_path / "out.json"
    if argv[0] == "snapshot":  # JSON with or without the switch; one run (the snapshot takes seconds)
        rc, out, _ = run(capsys, *argv, "--json", "--output", str(target))
        assert rc == 0 and out == "" and json.loads(target.read_text())
        return
    rc, out, _ = run(capsys, *argv, "--json")
    assert rc == 0 and isinstance(json.loads(out), dict)
    rc, again, _ = run(capsys, *argv, "--json", "--output", str(target))
    assert rc == 0 and again == ""
    assert json.loads(target.read_text()).keys() == json.loads(out).keys()
    rc, text, _ = run(capsys, *argv, "--output", str(target))  # without --json: the text goes to the file
    assert rc == 0 and text == "" and target.read_text() and not target.read_text().startswith("{")


def test_construct_demo_verify_and_proofs_print_a_json_summary(ghat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "demo", *FAST, "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] is True and doc["options"]["eps"] == "1/100" and doc["uncovered"] == []
    rc, out, _ = run(capsys, "verify", str(ghat), "--target", DEMO, "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] is True and doc["regenerated"] > 0
    rc, out, _ = run(capsys, "proofs", "--only", "L3", "--json")
    assert rc == 0 and "L3" in out and json.loads(out)


def test_construct_weight_eps_alone_is_a_complete_request(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "construct", "--target", DEMO, "--weight-eps", "0.1", *FAST)
    assert rc == 0 and err == ""
    assert "mode: per-weight tolerance weight_eps=1/10;" in out and "seed=0, delta=1/100" in out
    assert out.rstrip().endswith("result: OK")


def test_construct_refuses_eps_with_weight_eps_and_needs_one_of_them(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "construct", "--target", DEMO, "--eps", "0.1", "--weight-eps", "0.1", *FAST)
    assert rc == 2 and out == "" and one_line_error(err) and "eps=0.1" in err and "weight_eps=0.1" in err
    rc, out, err = run(capsys, "construct", "--target", DEMO, *FAST)
    assert rc == 2 and out == "" and one_line_error(err) and "--eps" in err and "--weight-eps" in err


def test_construct_help_states_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # no line wrapping inside the phrases looked for
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    text = " ".join(sub.choices["construct"].format_help().split())  # type: ignore[union-attr]
    assert "(default 0.01)" in text and "(default 0)" in text and "(default: all cores)" in text
    assert "--scheduler ADDRESS" in text and "--quiet" in text and "required unless --weight-eps" in text


def test_failed_construction_is_one_line_exit_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "G.npz"
    rc, out, err = run(capsys, "demo", "--width", "50", "--out", str(out_file), *FAST)
    assert rc == 1 and "result: FAILED" in out and not out_file.exists()
    assert one_line_error(err) and "construction failed (G too small for eps); uncovered: (layer 1" in err


def test_check_without_subcommand_is_one_line_listing_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(capsys, "check")
    assert rc == 2 and out == "" and one_line_error(err) and "{claims,practice,sweep,rss}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "claims", "--figure", "f"],
        ["check", "claims", "--workers", "2"],
        ["check", "claims", "--report", "r.md"],
        ["check", "practice", "--trials", "10"],
        ["check", "practice", "--seed", "1"],
        ["check", "practice", "--confidence", "0.9"],
        ["check", "sweep", "--quick"],
        ["check", "sweep", "--report", "r.md"],
        ["check", "sweep", "--workers", "2"],
        ["check", "--quick"],  # the options belong to the subcommands now
        ["check", "--practice"],
    ],
)
def test_check_subcommand_refuses_an_option_it_does_not_use(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and out == "" and one_line_error(err)


def test_check_practice_refuses_workers_with_scheduler(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "check", "practice", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert rc == 2 and one_line_error(err) and "not allowed with argument --workers" in err


def test_main_returns_the_status_of_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0 and capsys.readouterr().out.startswith("logprune ")
    assert main(["check", "practice", "--help"]) == 0 and "--report MD" in capsys.readouterr().out


def test_python_m_logprune_and_the_console_script_run_in_a_fresh_process(tmp_path: Path) -> None:
    """`python -m logprune bounds ...` (which replaces `python -m logprune.bounds`) and the installed script."""
    res = subprocess.run(
        [sys.executable, "-m", "logprune", "bounds", "--n", "5", "--layers", "2", "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=tmp_path,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["setting"]["n"] == 5
    script = shutil.which("logprune", path=str(Path(sys.executable).parent))
    assert script is not None
    res = subprocess.run([script, "bounds", "--eps", "2"], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert res.returncode == 2 and one_line_error(res.stderr) and "eps=2" in res.stderr


def test_output_is_written_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "table.json"
    rc, out, _ = run(capsys, "bounds", "--n", "5", "--layers", "2", "--json", "--output", str(target))
    assert rc == 0 and out == "" and json.loads(target.read_text())["rows"]
    before = target.read_text()
    rc, _, _ = run(capsys, "bounds", "--eps", "7", "--json", "--output", str(target))
    assert rc == 2 and target.read_text() == before  # a failed run leaves the old file intact
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]  # no temporary file left behind


def test_cli_only_parses_calls_and_prints() -> None:
    """No command module computes: none imports a numeric library (the numbers come from the library)."""
    import ast

    numeric = {"numpy", "sympy", "math", "fractions", "flint", "mpmath", "scipy", "statistics"}
    folder = Path(__file__).resolve().parents[2] / "src" / "logprune" / "cli"
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not {n.split(".")[0] for n in names} & numeric, f"{path.name} imports {names}"


def test_ctrl_c_ends_in_one_line_and_exit_130() -> None:
    """SIGINT: no traceback, the shell's status 130 (workers leave Ctrl-C to the parent)."""
    import signal

    from helpers import signal_long_run

    returncode, err = signal_long_run(signal.SIGINT)
    assert returncode == 130 and err == "logprune: interrupted\n"


def test_the_residual_hunt_writes_nothing_in_the_working_folder(tmp_path: Path) -> None:
    """In a fresh process (pytest's hypothesis plugin would pin the cache folder elsewhere): hypothesis
    keeps caches in ./.hypothesis unless told otherwise, and ``check claims`` must not leave them."""
    code = "from logprune.checks.residuals import hunt; assert hunt(base='phi', k=3, max_examples=20)['examples']"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPOTHESIS")}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, timeout=120)
    assert list(tmp_path.iterdir()) == []


def test_outputs_follow_links_write_through_devices_and_respect_the_umask(tmp_path: Path) -> None:
    import stat

    from logprune.atomic import write_text_atomic
    from logprune.errors import ParameterError

    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"  # the target replaced, the link kept
    write_text_atomic("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # written through, never replaced by a file
    with pytest.raises(ParameterError, match="is a directory"):
        write_text_atomic(tmp_path, "x")
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "new.txt", "x")
        assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640
        os.chmod(real, 0o600)
        write_text_atomic(real, "again")
        assert stat.S_IMODE(os.stat(real).st_mode) == 0o600  # a replaced file keeps its permissions
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "new.txt", "real.txt"]  # no temporary
