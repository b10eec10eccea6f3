"""Exit 3 is a bug: fuzzed arguments over every subcommand, bounded inputs, outputs checked first, SIGTERM.

The fuzz cases come from :mod:`cli_fuzz` (shared with ``benchmarks/campaign_cli.py``); each runs in an
isolated forked child with a wall-clock limit, and must end with status 0, 1 or 2, one line on stderr
when it fails, and nothing left in its working folder but the output it asked for.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from logprune.cli import main
from logprune.errors import ParameterError
from logprune.validation import as_rational, check_int

from cli_fuzz import cli_cases, run_isolated
from helpers import signal_long_run

FUZZ_TIME_LIMIT = 60.0


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("genuine")
    target = folder / "target.npz"
    target.write_bytes((files("logprune") / "data" / "demo_target.npz").read_bytes())
    ghat = folder / "ghat.npz"
    assert main(["construct", "--target", str(target), "--eps", "0.1", "--quiet", "--out", str(ghat)]) == 0
    yield str(target), str(ghat)


def _check(argv: list[str]) -> None:
    o = run_isolated(argv, time_limit=FUZZ_TIME_LIMIT)
    allowed = [argv[argv.index("--out") + 1]] if "--out" in argv else []
    assert not o.violations(time_limit=FUZZ_TIME_LIMIT, allowed_files=allowed), (argv, o.stderr[-500:])


# Seeded cases, not @given: a case may run hypothesis itself (check claims), which refuses to run nested
# inside a @given test (the child inherits the test's state); the campaign draws 1,000 more.
@pytest.mark.evidence
@pytest.mark.parametrize("seed", range(30))
def test_fuzzed_arguments_never_end_in_an_internal_error(genuine: tuple[str, str], seed: int) -> None:
    target, ghat = genuine
    (argv,) = cli_cases(random.Random(seed), 1, target=target, ghat=ghat)
    _check(argv)


# Each of these ran past 60 s, or ended in exit 3, in the campaigns of issue #13 (before the fix).
REGRESSIONS = [
    ["demo", "--width", "1e400", "--attack"],
    ["demo", "--width", "100000000"],
    ["demo", "--weight-eps", "1e-5000"],
    ["demo", "--eps", "1e-300"],
    ["demo", "--seed", "1e100000000"],
    ["demo", "--eps", "1e-100000000"],
    ["constants", "hyperbolic", "--alpha", "1e-3", "--beta", "1", "--k", "abc"],
    ["constants", "hyperbolic", "--alpha", "1e-3", "--beta", "1", "--k", "1000000"],
    ["constants", "golden", "--eps", "1e100000000"],
    ["constants", "golden", "--scale", "1e-5000", "--eps", "1_000"],
    ["constants", "batch", "--c", "1/8", "--m", "1e400", "--k", "20", "--delta", "1e-400"],
    ["bounds", "--n", "1000000000", "--layers", "1000000"],
    ["bounds", "--xmax", "1e-1000000", "--widths", "1e100000000"],
    ["check", "claims", "--quick", "--trials", "1e400"],
    ["check", "claims", "--quick", "--seed", "1e400", "--trials", "1000000000"],
    ["check", "practice", "--quick", "--workers", "1e400"],
    ["check", "practice", "--quick", "--workers", "100001"],
    ["check", "practice", "--quick", "--report", ""],
    ["check", "sweep", "--output", "missing/x.json"],
    ["check", "rss", "--law", "uniform", "--n", "10", "--eps", "0.1", "--trials", "1e400"],
    ["demo", "--weight-eps", "0.01", "--xmax", "1e299"],  # F's outputs could leave float64 on the domain
]


# ... and these are answered within seconds (M_exact beyond the exact search's budget is not computed).
ANSWERED = [
    ["constants", "batch", "--c", "1/8", "--m", "1000000", "--k", "20", "--delta", "0.01"],
    ["constants", "batch", "--c", "1e-300", "--m", "1", "--k", "1", "--delta", "0.5"],
]


@pytest.mark.parametrize("argv", ANSWERED, ids=[" ".join(a)[:60] for a in ANSWERED])
def test_campaign_regressions_answered_within_seconds(argv: list[str]) -> None:
    o = run_isolated(argv, time_limit=FUZZ_TIME_LIMIT)
    assert o.status == 0 and "M_exact: None" in o.stdout and "not computed" in o.stdout, o.stderr[-400:]
    assert o.seconds < 10


@pytest.mark.parametrize("argv", REGRESSIONS, ids=[" ".join(a)[:60] for a in REGRESSIONS])
def test_campaign_regressions_are_refused_in_one_line_within_seconds(argv: list[str]) -> None:
    o = run_isolated(argv, time_limit=FUZZ_TIME_LIMIT)
    assert o.status == 2 and len(o.stderr_lines) == 1 and o.stderr.startswith("logprune: error: "), o.stderr[-400:]
    assert o.seconds < 10, f"{argv} took {o.seconds:.1f} s"
    assert o.peak_rss_mib < 1024
    assert not o.left_files


def test_numbers_are_bounded_in_text_before_any_arithmetic() -> None:
    t0 = time.perf_counter()
    for text in ("1e-100000000", "1e100000000", "9" * 5000, "1/1e999999", "1e-400", "1e400"):
        with pytest.raises(ParameterError, match=r"^eps="):
            as_rational("eps", text)
    assert time.perf_counter() - t0 < 1
    assert as_rational("eps", "1e-300") == as_rational("eps", "1/" + "1" + "0" * 300)
    with pytest.raises(ParameterError, match=r"^n=1000001: at most 1000000"):
        check_int("n", "1000001", maximum=10**6)
    with pytest.raises(ParameterError, match=r"^n=<an integer of"):
        check_int("n", 10**5000)


def test_sigterm_ends_in_one_line_and_exit_143_leaving_no_file(tmp_path: Path) -> None:
    """SIGTERM runs the same clean-up as Ctrl-C (temporary files removed, queued work cancelled)."""
    returncode, err = signal_long_run(signal.SIGTERM, extra=("--output", "out.json"), cwd=tmp_path)
    assert returncode == 143 and err == "logprune: terminated\n"
    assert list(tmp_path.iterdir()) == []


def test_unwritable_outputs_are_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    for argv in (
        ["check", "sweep", "--output", str(tmp_path / "missing" / "x.json")],
        ["check", "sweep", "--output", str(tmp_path)],
        ["check", "sweep", "--figure", str(tmp_path / "missing" / "fig")],
        ["demo", "--output", ""],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("logprune: error: "), err
    assert time.perf_counter() - t0 < 2  # refused before the sweep or the construction ran


def test_M_exact_within_its_budget_is_computed() -> None:
    """The budget leaves out only what takes minutes: c = 1/8, m = 10^4 is computed (2 s)."""
    from logprune.bounds.reports import batch_report

    assert batch_report(c="1/8", m=10_000, k=10, delta="0.01").M_exact == 82334


def test_large_inputs_measure_without_overflow_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """x_max = 1e160: the squares of the error's entries overflow float64, its scaled norm does not; the file
    construct writes is one verify accepts (the measured error is a finite JSON number)."""
    out = tmp_path / "g.npz"
    assert main(["demo", "--quiet", "--weight-eps", "0.01", "--xmax", "1e160", "--out", str(out)]) == 0
    assert "measured error on sample inputs: inf" not in capsys.readouterr().out
    target = tmp_path / "t.npz"
    target.write_bytes((files("logprune") / "data" / "demo_target.npz").read_bytes())
    assert main(["verify", str(out), "--target", str(target)]) == 0
