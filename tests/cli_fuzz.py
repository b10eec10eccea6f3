"""Fuzzing the command line: isolated runs of ``logprune.cli.main`` and a pool of malformed arguments.

Shared by the fuzz test (``tests/cli/test_hardening_cli.py``) and the campaign
(``benchmarks/campaign_cli.py``).  Each case runs in a forked child of an interpreter that has
already imported logprune (a subprocess per case would spend its time importing numpy and sympy), in
its own empty working folder, with stdout and stderr captured, a wall-clock limit (the child is killed
past it: a run that holds the GIL in C code cannot be interrupted from inside) and an address-space
limit that keeps a runaway allocation from taking the machine; its peak resident memory is read from
``wait4``.  The contract checked: exit status 0, 1 or 2 (never 3, never a signal), at most one line on
stderr when the status is not 0, and nothing left in the working folder unless the case wrote an
output it asked for.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BAD_INTS", "BAD_NUMBERS", "Outcome", "cli_cases", "run_isolated"]

# Numbers a user could type: malformed, out of range, huge in digits or exponent, or valid but extreme.
BAD_NUMBERS: tuple[str, ...] = (
    "",
    " ",
    "abc",
    "nan",
    "inf",
    "-inf",
    "NaN",
    "1/0",
    "0/0",
    "-1",
    "0",
    "-0",
    "1",
    "2",
    "1e400",
    "1e-400",
    "1e-5000",
    "1e5000",
    "1e-100000000",
    "1e100000000",
    "9" * 5000,
    "1" + "0" * 4400,
    "0." + "0" * 4999 + "1",
    "1e-16",
    "1e-300",
    "1e-30",
    "0x10",
    "1_000",
    "3/2",
    "-3/2",
    "1e",
    "e5",
    "1.5.2",
    "--1",
    "1e-6",
    "0.5",
    "0.99999999999999999999",
    "1.0000000000000000001",
    "1000000000",
    "1e9",
    "1e12",
    "2**10",
    "½",
    "١",
    "0.01",
    "1e-2",
    "10",
    "100",
    "1000000",
    "1e-1000000",
)
BAD_INTS: tuple[str, ...] = (
    "",
    "abc",
    "-1",
    "0",
    "1",
    "2",
    "3",
    "1.5",
    "1e400",
    "1e100000000",
    "9" * 5000,
    "1000000",
    "1000000000",
    "1e9",
    "3/1",
    "7/2",
    "nan",
    "inf",
    "20",
    "40",
    "64",
    "100",
    "2**31",
    "-0",
    "0x1f",
    "4097",
    "100001",
)
CHOICES_BAD: tuple[str, ...] = ("", "bogus", "GOLDEN", "l3", "exact ", "adaptive", "uniform-product")


@dataclass(frozen=True)
class Outcome:
    """What one isolated run did."""

    argv: tuple[str, ...]
    status: int | None  # exit status; None when killed (time limit) or ended by a signal
    signal: int | None
    seconds: float
    timed_out: bool
    stdout: str
    stderr: str
    peak_rss_mib: float
    left_files: tuple[str, ...]  # what the run left in its (initially empty) working folder

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def violations(self, *, time_limit: float, allowed_files: Sequence[str] = ()) -> list[str]:
        """The ways this run broke the contract (module doc); empty when it kept it."""
        out = []
        if self.timed_out:
            out.append(f"ran past {time_limit:g} s")
        elif self.signal is not None:
            out.append(f"ended by signal {self.signal}")
        elif self.status not in (0, 1, 2):
            out.append(f"exit status {self.status}: {self.stderr.strip()[:300]}")
        if self.status not in (0, None) and len(self.stderr_lines) > 1:
            out.append(f"{len(self.stderr_lines)} lines on stderr: {self.stderr.strip()[:300]}")
        stray = [f for f in self.left_files if f not in allowed_files]
        if stray:
            out.append(f"left {stray} in the working folder")
        return out


def _child(argv: Sequence[str], out_fd: int, err_fd: int, memory_bytes: int) -> None:
    import sys

    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    # a test runner may have replaced sys.stdout/sys.stderr by capture objects: write to the fds again
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    code = 3
    try:
        from logprune.cli import main

        code = main(list(argv))
    except SystemExit as exc:  # pragma: no cover - main returns its status; a stray exit is a bug too
        code = exc.code if isinstance(exc.code, int) else 3
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 4
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def run_isolated(argv: Sequence[str], *, time_limit: float = 60.0, memory_gib: float = 6.0) -> Outcome:
    """Run ``logprune argv`` in a forked child in an empty working folder (module doc)."""
    with tempfile.TemporaryDirectory(prefix="logprune-fuzz-") as work:
        out_path, err_path = Path(work, ".stdout"), Path(work, ".stderr")
        run_dir = Path(work, "cwd")
        run_dir.mkdir()
        with open(out_path, "wb") as out_f, open(err_path, "wb") as err_f:
            t0 = time.perf_counter()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                try:
                    os.setpgid(0, 0)
                    os.chdir(run_dir)
                    _child(argv, out_f.fileno(), err_f.fileno(), int(memory_gib * 2**30))
                finally:
                    os._exit(5)
            timed_out = False
            while True:
                wpid, status, usage = os.wait4(pid, os.WNOHANG)
                if wpid:
                    break
                if time.perf_counter() - t0 > time_limit:
                    os.killpg(pid, signal.SIGKILL)  # the child leads its group: its workers go too
                    _, status, usage = os.wait4(pid, 0)
                    timed_out = True
                    break
                time.sleep(0.005)
            seconds = time.perf_counter() - t0
        try:  # workers the child left behind (it was killed, or it leaked them)
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        left = tuple(sorted(p.name for p in run_dir.iterdir()))
        return Outcome(
            argv=tuple(argv),
            status=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) and not timed_out else None,
            seconds=seconds,
            timed_out=timed_out,
            stdout=out_path.read_text(errors="replace"),
            stderr=err_path.read_text(errors="replace"),
            peak_rss_mib=usage.ru_maxrss / 1024,
            left_files=left,
        )


# The options of every subcommand: (argv prefix, {option: pool of values}, flags).  A value pool mixes
# malformed values with valid ones so that a case is a mix of good and bad options.
def _commands(target: str, ghat: str) -> list[tuple[list[str], dict[str, tuple[str, ...]], tuple[str, ...]]]:
    eps = BAD_NUMBERS
    return [
        (
            ["bounds"],
            {
                "--n": BAD_INTS,
                "--layers": BAD_INTS,
                "--eps": eps,
                "--delta": eps,
                "--wmax": eps,
                "--xmax": eps,
                "--fmax": eps,
                "--base": (*eps, "phi", "golden", "3/2", "1.7"),
                "--norms": eps,
                "--widths": BAD_INTS,
                "--target": (target, "missing.npz", "/dev/null", ghat, "/"),
                "--data": ("missing.npy", "/dev/null", target),
            },
            ("--inputs-nonnegative", "--json", "--latex"),
        ),
        (["constants", "golden"], {"--eps": eps, "--scale": eps, "--base": (*eps, "phi")}, ("--json",)),
        (
            ["constants", "hyperbolic"],
            {"--alpha": eps, "--beta": eps, "--base": (*eps, "phi"), "--k": BAD_INTS, "--scale": eps},
            ("--json",),
        ),
        (["constants", "batch"], {"--c": eps, "--m": BAD_INTS, "--k": BAD_INTS, "--delta": eps}, ("--json",)),
        (
            ["construct"],
            {
                "--target": (target, target, "missing.npz", "/dev/null", ghat),
                "--eps": eps,
                "--delta": eps,
                "--seed": BAD_INTS,
                "--weight-eps": eps,
                "--xmax": eps,
                "--dist": CHOICES_BAD,
                "--pool": CHOICES_BAD,
                "--method": CHOICES_BAD,
                "--norm": CHOICES_BAD,
                "--width": (*BAD_INTS, "adaptive"),
                "--signs": CHOICES_BAD,
                "--context": CHOICES_BAD,
                "--inputs": ("missing.npy", target, "/dev/null"),
                "--workers": BAD_INTS,
                "--restarts": BAD_INTS,
                "--steps": BAD_INTS,
                "--out": ("g.txt", "/", "g.pt", "sub/g.npz"),
                "--scheduler": ("nowhere:1",),
            },
            ("--inputs-nonnegative", "--json", "--quiet", "--attack"),
        ),
        (
            ["demo"],
            {
                "--eps": eps,
                "--delta": eps,
                "--seed": BAD_INTS,
                "--weight-eps": eps,
                "--xmax": eps,
                "--width": (*BAD_INTS, "adaptive"),
                "--dist": CHOICES_BAD,
                "--method": CHOICES_BAD,
                "--workers": BAD_INTS,
                "--restarts": BAD_INTS,
                "--steps": BAD_INTS,
            },
            ("--inputs-nonnegative", "--json", "--quiet", "--attack"),
        ),
        (
            ["verify", ghat],
            {
                "--target": (target, "missing.npz", ghat),
                "--context": CHOICES_BAD,
                "--restarts": BAD_INTS,
                "--steps": BAD_INTS,
            },
            ("--json", "--attack"),
        ),
        (["proofs"], {"--only": ("", "L9", "l3", "C3 ", "bogus")}, ("--json",)),
        (
            ["check", "claims", "--quick"],  # the full run is minutes of Monte-Carlo by design (progress shown)
            {"--trials": BAD_INTS, "--confidence": eps, "--seed": BAD_INTS},
            ("--json",),
        ),
        (
            ["check", "rss"],
            {
                "--law": (*CHOICES_BAD, "uniform", "hyperbolic-product"),
                "--alpha": eps,
                "--beta": eps,
                "--n": BAD_INTS,
                "--eps": eps,
                "--target": (*eps, "uniform", "sup"),
                "--trials": BAD_INTS,
                "--seed": BAD_INTS,
                "--confidence": eps,
                "--delta": eps,
            },
            ("--least", "--json", "--quiet"),
        ),
        (["check", "sweep"], {"--figure": ("",)}, ("--json",)),
        (  # the full run is minutes of constructions by design (progress shown): the quick one is fuzzed
            ["check", "practice", "--quick"],
            {"--workers": BAD_INTS, "--report": ("", "/", "missing/r.md"), "--figure": ("", "missing/f")},
            ("--json",),
        ),
    ]


def cli_cases(rng: random.Random, count: int, *, target: str, ghat: str) -> list[list[str]]:
    """``count`` argument lists: a subcommand, 1-4 of its options with drawn values, maybe a flag.

    The first value of a case is always malformed or extreme (drawn from the pools), so that every case
    exercises validation; later options may be valid.  Deterministic given ``rng``.
    """
    commands = _commands(target, ghat)
    cases = []
    for _ in range(count):
        prefix, opts, flags = rng.choice(commands)
        names = rng.sample(sorted(opts), k=min(len(opts), rng.randint(1, 4)))
        argv = list(prefix)
        for name in names:
            argv += [name, rng.choice(opts[name])]
        if flags and rng.random() < 0.4:
            argv.append(rng.choice(flags))
        cases.append(argv)
    return cases
