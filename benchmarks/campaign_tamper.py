"""Campaign: ``logprune verify`` against hundreds of tampered Ĝ files (issue #13, item 4).

Three genuine files are built on a tiny target (2 -> 3 -> 2 with a bias): the certified mode in exact
arithmetic, the certified mode in ball arithmetic with the inf norm and nonnegative inputs, and the
per-weight mode with subset-sum's adaptive blocks and designed signs.  Every tampered copy of each
(``tests/tamper.py``: one change per copy, over every meta path and every array) and two consistent
forgeries (every layer emptied with every record recomputed; blocks of 10^8 neurons with the plan, the
shapes and the indices moved to match), and both forgeries of a fourth request whose claim is vacuous
(weight_eps = 10000: its emptied forgery holds every claim, and must be flagged), together with the
genuine files as .npz and .safetensors, are verified in-process through ``logprune.cli.main``, as a user
would run ``logprune verify FILE --target F``.  Written to ``benchmarks/campaign_tamper.json``: the
counts of each outcome per class of change, every accepted tampered file with why (semantically
neutral, or a bug), the exit-3 count (must be 0), the slowest run and the peak memory.

The process's address space is capped (``--memory-gib``, default 6) so that a verification that tries
to allocate G's blocks beyond the machine ends as a MemoryError (counted as a bug), not as the machine's
memory.

    python benchmarks/campaign_tamper.py [--out benchmarks/campaign_tamper.json] [--before OLD.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from tamper import (  # the tests' generator, one folder over
    NOT_CHECKABLE,
    Tampered,
    forge_block,
    forge_emptied,
    load_arrays,
    oracle,
    tampered,
    tiny_target,
    write_arrays,
)

GENUINE: dict[str, dict[str, Any]] = {
    "exact-l2": {"eps": "0.1"},
    "ball-inf-nonnegative": {"eps": "0.1", "arithmetic": "ball", "norm": "inf", "inputs_nonnegative": True},
    "weight-eps-subset-sum-adaptive": {
        "weight_eps": "0.05",
        "method": "subset-sum",
        "dist": "uniform",
        "signs": "designed",
        "width": "adaptive",
    },
}
# a genuine request whose claim the zero network meets: its emptied forgery holds every claim it makes,
# so verify accepts it and must flag the claim as vacuous
VACUOUS: dict[str, Any] = {"weight_eps": "10000"}
OUTCOME = {0: "accepted", 1: "not-ok", 2: "rejected", 3: "internal-error"}


def run_verify(path: Path, target: Path) -> tuple[int, str, str, float]:
    """``logprune verify PATH --target TARGET`` in this process: (exit status, stdout, stderr, seconds)."""
    from logprune.cli import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["verify", str(path), "--target", str(target)])
    return rc, out.getvalue(), err.getvalue(), time.perf_counter() - t0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def campaign(folder: Path) -> dict[str, Any]:
    from logprune.construct.io.targets import load_target
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct

    tpath = tiny_target(folder)
    target, _ = load_target(tpath)
    rows: list[dict[str, Any]] = []
    genuine: list[dict[str, Any]] = []
    n = 0
    for label, kw in [*GENUINE.items(), ("vacuous-weight-eps", VACUOUS)]:
        c = construct(target, options(**kw), workers=1)
        assert c.ok, label
        for suffix in (".npz", ".safetensors"):
            path = folder / f"genuine-{label}{suffix}"
            c.write(path)
            rc, out, err, secs = run_verify(path, target=tpath)
            genuine.append(
                {
                    "file": path.name,
                    "exit": rc,
                    "seconds": round(secs, 4),
                    "stderr": err.strip(),
                    "flagged_vacuous": "vacuous claim" in out,
                }
            )
        emptied = Tampered(
            "forgery: every layer emptied, every record recomputed",
            "forgery:emptied",
            "accept" if kw is VACUOUS else "reject",  # the zero network meets only a vacuous claim
            forge_emptied(c),
        )
        if kw is VACUOUS:
            cases = [emptied]
        else:
            cases = [*tampered(load_arrays(folder / f"genuine-{label}.npz")), emptied]
        if not c.plan.adaptive:
            cases.append(
                Tampered(
                    "forgery: blocks of 10^8 neurons, request, plan, shapes and indices consistent",
                    "forgery:huge-block",
                    "reject",
                    forge_block(c, 10**8),
                )
            )
        for t in cases:
            n += 1
            path = folder / f"t{n}.npz"
            write_arrays(path, t.arrays)
            expect = oracle(t, target) if t.expect == "oracle" else t.expect
            peak0 = _peak_mib()
            rc, out, err, secs = run_verify(path, target=tpath)
            path.unlink()
            outcome = OUTCOME.get(rc, f"exit-{rc}")
            if rc == 2 and "MemoryError" in err:
                outcome = "memory-error"
            rows.append(
                {
                    "genuine": label,
                    "name": t.name,
                    "cls": t.cls,
                    "expect": expect,
                    "exit": rc,
                    "outcome": outcome,
                    "seconds": round(secs, 4),
                    "peak_rss_mib_grew_to": round(_peak_mib(), 1) if _peak_mib() > peak0 + 64 else None,
                    "stderr_lines": len(err.strip().splitlines()),
                    "flagged_vacuous": "vacuous claim" in out,
                    "message": err.strip()[:300],
                }
            )
    return {"genuine": genuine, "rows": rows}


def summary(result: dict[str, Any]) -> dict[str, Any]:
    rows = result["rows"]
    per_class: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        per_class[r["cls"]][r["outcome"]] += 1
    accepted = [r for r in rows if r["outcome"] == "accepted"]
    for r in accepted:
        if r["expect"] != "accept":
            r["why"] = "BUG: a tampered file accepted"
        elif r["cls"] == "forgery:emptied":
            r["why"] = "every claim holds for the zero network; the claim is flagged vacuous: " + str(
                r["flagged_vacuous"]
            )
        elif r["cls"].startswith("meta:") and r["name"].split()[1].rstrip(":").split(".")[0] in NOT_CHECKABLE:
            r["why"] = "semantically neutral: a record verify cannot check (reported as not checkable)"
        else:
            r["why"] = "semantically neutral: the changed request rebuilds this very file (checked by a build)"
    wrong = [
        r
        for r in rows
        if not (
            (r["expect"] == "reject" and r["outcome"] == "rejected")
            or (r["expect"] == "accept" and r["outcome"] == "accepted")
        )
    ]
    slowest = max(rows, key=lambda r: r["seconds"])
    return {
        "files": len(rows) + len(result["genuine"]),
        "tampered": len(rows),
        "genuine": {
            "files": len(result["genuine"]),
            "accepted": sum(g["exit"] == 0 for g in result["genuine"]),
            "runs": result["genuine"],
        },
        "outcomes": dict(Counter(r["outcome"] for r in rows)),
        "expected": dict(Counter(r["expect"] for r in rows)),
        "exit_3": sum(r["exit"] == 3 for r in rows),
        "memory_errors": sum(r["outcome"] == "memory-error" for r in rows),
        "multi_line_errors": sum(r["stderr_lines"] > 1 for r in rows if r["exit"] == 2),
        "wrong": len(wrong),
        "max_seconds": {"seconds": slowest["seconds"], "file": f"{slowest['genuine']}: {slowest['name']}"},
        "peak_rss_mib": round(_peak_mib(), 1),
        "per_class": {k: dict(v) for k, v in sorted(per_class.items())},
        "accepted_tampered": [{k: r[k] for k in ("genuine", "name", "expect", "why", "message")} for r in accepted],
        "wrong_answers": [{k: r[k] for k in ("genuine", "name", "expect", "outcome", "message")} for r in wrong],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(Path(__file__).with_suffix(".json")))
    p.add_argument("--before", default=None, help="a summary of an earlier run, kept under 'before'")
    p.add_argument("--memory-gib", type=float, default=6.0)
    args = p.parse_args()
    cap = int(args.memory_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = campaign(Path(tmp))
    doc = summary(result)
    doc["seconds"] = round(time.perf_counter() - t0, 1)
    if args.before:
        before = json.loads(Path(args.before).read_text())
        doc["before"] = {k: before[k] for k in before if k != "before"}
    Path(args.out).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: doc[k] for k in ("files", "tampered", "outcomes", "exit_3", "memory_errors", "wrong")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
