"""Campaign: malformed and extreme arguments against every subcommand (issue #13's first campaign).

Draws ``--cases`` argument lists (:func:`cli_fuzz.cli_cases`, seeded) over every subcommand's options,
runs each in an isolated child (``tests/cli_fuzz.py``: forked, own empty working folder, a wall-clock
limit, peak memory read from ``wait4``), and counts exit statuses, runs past the limit, runs with more
than one line on stderr, and files left in the working folder.  The aim: 0 exit 3, 0 runs past 60 s.

    python benchmarks/campaign_cli.py [--cases 1000] [--seed 0] [--time-limit 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from cli_fuzz import cli_cases, run_isolated


def genuine_files(folder: Path) -> tuple[str, str]:
    """The demo target as a file and a small genuine Ĝ built for it (eps 0.1)."""
    from importlib.resources import files

    from logprune.cli import main

    target = folder / "target.npz"
    target.write_bytes((files("logprune") / "data" / "demo_target.npz").read_bytes())
    ghat = folder / "ghat.npz"
    if main(["construct", "--target", str(target), "--eps", "0.1", "--quiet", "--out", str(ghat)]) != 0:
        raise SystemExit("could not build the genuine Ĝ")
    return str(target), str(ghat)


def campaign(cases: int, seed: int, time_limit: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="campaign-cli-") as tmp:
        target, ghat = genuine_files(Path(tmp))
        argvs = cli_cases(random.Random(seed), cases, target=target, ghat=ghat)
        statuses: collections.Counter[str] = collections.Counter()
        bad: list[dict[str, Any]] = []
        slowest: list[tuple[float, list[str]]] = []
        peak = 0.0
        t0 = time.perf_counter()
        for i, argv in enumerate(argvs):
            o = run_isolated(argv, time_limit=time_limit)
            key = "timeout" if o.timed_out else (f"signal {o.signal}" if o.signal else str(o.status))
            statuses[key] += 1
            peak = max(peak, o.peak_rss_mib)
            slowest = sorted([*slowest, (o.seconds, argv)], reverse=True)[:10]
            allowed = [argv[argv.index("--out") + 1]] if "--out" in argv else []
            v = o.violations(time_limit=time_limit, allowed_files=allowed)
            if v:
                bad.append(
                    {
                        "argv": [a if len(a) < 80 else a[:40] + f"...({len(a)} chars)" for a in argv],
                        "violations": v,
                        "seconds": round(o.seconds, 2),
                    }
                )
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{i + 1}/{cases} cases, {len(bad)} violations")
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        return {
            "cases": cases,
            "seed": seed,
            "time_limit_s": time_limit,
            "wall_s": round(time.perf_counter() - t0, 1),
            "exit_statuses": dict(sorted(statuses.items())),
            "internal_errors": statuses.get("3", 0),
            "past_time_limit": statuses.get("timeout", 0),
            "violations": len(bad),
            "peak_rss_mib": round(peak, 1),
            "slowest": [{"seconds": round(s, 2), "argv": a} for s, a in slowest],
            "violating_cases": bad,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    result = campaign(a.cases, a.seed, a.time_limit)
    text = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    if a.json:
        Path(a.json).write_text(text)
    summary = {k: v for k, v in result.items() if k not in ("violating_cases", "slowest")}
    print(json.dumps(summary, indent=1))
    for case in result["violating_cases"][:40]:
        print(case)


if __name__ == "__main__":
    main()
