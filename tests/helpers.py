"""Assertions shared by the tests (after python-flint's test helper: closeness *and* a radius cap)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath

from logprune.bounds.certified import Enclosure


def assert_encloses(enc: Enclosure, reference: Any, *, max_radius: Fraction | float = Fraction(1, 10**12)) -> None:
    """``reference`` (an mpmath/int/Fraction value from independent code) lies in the enclosure, and the
    enclosure is tight: a blown-up ball fails instead of passing vacuously."""
    radius = enc.radius
    scale = max(abs(enc.lower), abs(enc.upper), Fraction(1))
    assert radius <= Fraction(max_radius) * scale, f"enclosure too wide: {enc} (radius {float(radius):.3g})"
    with mpmath.workdps(60):
        ref = (
            mpmath.mpf(reference)
            if not isinstance(reference, Fraction)
            else (mpmath.mpf(reference.numerator) / reference.denominator)
        )
        lo = mpmath.mpf(enc.lower.numerator) / enc.lower.denominator
        hi = mpmath.mpf(enc.upper.numerator) / enc.upper.denominator
        # the reference itself is a 60-digit float: allow its own rounding, nothing more
        slack = abs(ref) * mpmath.mpf(10) ** -50
        assert lo - slack <= ref <= hi + slack, f"{ref} not in [{lo}, {hi}]"


def signal_long_run(sig: signal.Signals, *, extra: tuple[str, ...] = (), cwd: Path | None = None) -> tuple[int, str]:
    """Start a long ``logprune check rss`` (the default action for ``sig``, whatever the runner's), send
    ``sig`` after 3 s; its exit status and stderr."""
    script = shutil.which("logprune")
    assert script is not None
    argv = [script, "check", "rss", "--law", "uniform", "--n", "30", "--eps", "0.001", "--trials", "1000000"]
    proc = subprocess.Popen(
        [*argv, "--quiet", *extra],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL),
    )
    time.sleep(3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err
