"""Fingerprints of logprune's observable behaviour, for a change that must not alter it (a reorganisation).

Runs the command line only (its flags are the stable interface, so the same script runs before and after a
change of the package's modules) and prints one JSON object: for every configuration of
``benchmarks/fc2.py``, ``benchmarks/subset_sum.py`` and a set of demo runs covering the construction's options,
the sha256 of the kept-weight arrays of the Ĝ file and of its meta without ``versions``; and the sha256 of the
theory snapshot, of the proofs report and of ``logprune bounds --json`` on the default and two other settings.
Two runs whose JSON is equal behaved the same.

    python benchmarks/behaviour.py [--target PATH] [--only demo|fc2|subset-sum|theory ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "shared" / "targets" / "pensia_fc2.npz"

DEMO: dict[str, list[str]] = {
    "demo": [],
    "demo-a-posteriori": ["--a-posteriori"],
    "demo-segments": ["--segments", "21,19,22"],
    "demo-weight": ["--weight-eps", "0.01"],
    "demo-malach": ["--weight-eps", "0.05", "--method", "malach", "--dist", "uniform"],
    "demo-uniform": ["--weight-eps", "0.01", "--dist", "uniform"],
    "demo-per-weight-pool": ["--weight-eps", "0.05", "--pool", "per-weight"],
    "demo-subset-sum": ["--weight-eps", "0.01", "--method", "subset-sum", "--dist", "uniform", "--width", "adaptive"],
    "demo-subset-sum-nearest": [
        "--eps",
        "0.05",
        "--method",
        "subset-sum",
        "--signs",
        "balanced",
        "--prune",
        "nearest",
        "--width",
        "adaptive",
    ],
    "demo-inf": ["--eps", "0.02", "--norm", "inf", "--xmax", "2"],
    "demo-designed": ["--eps", "0.01", "--signs", "designed", "--support", "shared"],
    "demo-nonneg-ball": ["--eps", "0.01", "--inputs-nonnegative", "--context", "ball"],
}
FC2: dict[str, list[str]] = {  # benchmarks/fc2.py's CONFIGS, as flags
    "weight": ["--weight-eps", "0.01", "--pool", "shared", "--inputs-nonnegative"],
    "weight-shared-support": [
        "--weight-eps",
        "0.01",
        "--pool",
        "shared",
        "--inputs-nonnegative",
        "--support",
        "shared",
    ],
    "weight-designed": ["--weight-eps", "0.01", "--pool", "shared", "--inputs-nonnegative", "--signs", "designed"],
    "output": ["--eps", "0.1", "--pool", "shared", "--inputs-nonnegative", "--xmax", "28"],
    "output-designed": [
        "--eps",
        "0.1",
        "--pool",
        "shared",
        "--inputs-nonnegative",
        "--xmax",
        "28",
        "--signs",
        "designed",
    ],
}
SUBSET_SUM = {  # benchmarks/subset_sum.py's grid, as flags
    f"{signs}-{dist}-{width}": [
        "--weight-eps",
        "0.01",
        "--inputs-nonnegative",
        "--seed",
        "5",
        "--method",
        "subset-sum",
        "--signs",
        signs,
        "--dist",
        dist,
        "--width",
        width,
    ]
    for signs in ("designed", "balanced")
    for dist in ("uniform", "hyperbolic")
    for width in ("12", "16", "19", "21", "adaptive")
}
BOUNDS: dict[str, list[str]] = {
    "default": [],
    "widths": ["--widths", "784", "500", "10", "--eps", "0.1", "--xmax", "28", "--inputs-nonnegative"],
    "general": ["--n", "50", "--layers", "3", "--wmax", "0.2", "--norms", "2", "--pensia-c", "3", "--base", "3/2"],
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cli(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "logprune", *args], capture_output=True, check=False)


def _steady(doc: Any) -> Any:
    """A JSON summary without what changes from run to run (times, software versions)."""
    if isinstance(doc, dict):
        return {k: _steady(v) for k, v in doc.items() if k not in ("seconds", "versions")}
    if isinstance(doc, list):
        return [_steady(v) for v in doc]
    return doc


def _ghat(command: list[str], flags: list[str]) -> dict[str, Any]:
    """Build Ĝ with the CLI and fingerprint its file (the arrays, and the meta without ``versions``) and its
    JSON summary without times (what a failed construction reports, too)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "ghat.npz")
        t0 = time.perf_counter()
        run = _cli([*command, *flags, "--workers", "2", "--quiet", "--json", "--out", out])
        seconds = time.perf_counter() - t0
        rec: dict[str, Any] = {"exit": run.returncode, "seconds": round(seconds, 1)}
        try:
            rec["summary"] = _sha(json.dumps(_steady(json.loads(run.stdout)), sort_keys=True).encode())
        except ValueError:
            rec["stdout"] = run.stdout.decode()[-300:]
        rec["stderr"] = _sha(run.stderr)
        if not os.path.exists(out):
            return rec
        with zipfile.ZipFile(out) as z:
            names = sorted(z.namelist())
            meta = {}
            arrays = hashlib.sha256()
            for name in names:
                data = z.read(name)
                if name == "meta.npy" or name.startswith("meta"):
                    meta[name] = data
                else:
                    arrays.update(name.encode() + b"\0" + data)
        rec["arrays"] = arrays.hexdigest()
        if meta:
            import io

            import numpy as np

            (raw,) = meta.values()
            doc = json.loads(np.load(io.BytesIO(raw), allow_pickle=False).item())
            doc.pop("versions", None)
            rec["meta"] = _sha(json.dumps(doc, sort_keys=True).encode())
            rec["kept"] = doc["sizes"]["Ghat_weights"]
        return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--target", default=str(DEFAULT_TARGET))
    ap.add_argument("--only", nargs="+", default=["demo", "fc2", "subset-sum", "theory"])
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    doc: dict[str, Any] = {}
    if "demo" in a.only:
        doc["demo"] = {name: _ghat(["demo"], flags) for name, flags in DEMO.items()}
    if "fc2" in a.only and os.path.exists(a.target):
        doc["fc2"] = {name: _ghat(["construct", "--target", a.target], f) for name, f in FC2.items()}
    if "subset-sum" in a.only and os.path.exists(a.target):
        doc["subset_sum"] = {name: _ghat(["construct", "--target", a.target], f) for name, f in SUBSET_SUM.items()}
    if "theory" in a.only:
        theory: dict[str, Any] = {"snapshot": _sha(_cli(["snapshot"]).stdout)}
        for name, flags in BOUNDS.items():
            theory[f"bounds-{name}"] = _sha(_cli(["bounds", *flags, "--json"]).stdout)
        with tempfile.TemporaryDirectory() as d:
            report = os.path.join(d, "report.md")
            run = _cli(["proofs", "--report", report])
            theory["proofs-exit"] = run.returncode
            theory["proofs-report"] = _sha(Path(report).read_bytes()) if os.path.exists(report) else None
        doc["theory"] = theory
    text = json.dumps(doc, indent=1, sort_keys=True)
    if a.json:
        Path(a.json).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
