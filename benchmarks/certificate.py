"""Benchmark (#12): how tight the certificate is, bracketed from below by the attack, and what the
a-posteriori mode saves.

For each small target (the demo, 2-16-16-2; a 4-10-10-3 and a 4-10-10-10-3 target with biases, seeded) and
each way of choosing k (``a-priori``: the least k of the telescoped bound; ``a-posteriori``: the cheapest
certified Ĝ of the model-driven search, one k or one k per layer), it prints k, G's sampled weights per
target weight, the certified bound, the worst input found by the attack (exact error, 32 restarts x 100
steps) and their ratio.  With
``--before PKG`` (a package tree of an older logprune on PYTHONPATH) the a-priori row is also run with
that code, in its own process.  ``--fc2 PATH`` adds the peer's target in the certified mode (eps 0.1,
x_max 28, x >= 0), per method of choosing k, with 2 workers: golden (fair and designed signs, fixed
and adaptive blocks) and subset-sum (uniform G with balanced signs, adaptive blocks, the nearest and the
fewest pruner), chosen by name with ``--fc2-runs``.

    python benchmarks/certificate.py [--before PKG [--fc2-before]] [--fc2 PATH [--fc2-runs NAME ...]]
        [--no-small | --small-how a-priori a-posteriori] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ATTACK = (32, 100)
SUBSET_SUM = {"method": "subset-sum", "dist": "uniform", "signs": "balanced", "width": "adaptive"}
FC2_RUNS: dict[str, tuple[str, dict[str, Any]]] = {  # name: (how k is chosen, options beyond the certified mode's)
    "golden": ("a-priori", {}),
    "golden-a-posteriori": ("a-posteriori", {}),
    "golden-designed": ("a-priori", {"signs": "designed"}),
    "golden-a-posteriori-adaptive-designed": ("a-posteriori", {"width": "adaptive", "signs": "designed"}),
    "subset-sum-nearest": ("a-posteriori", {**SUBSET_SUM, "prune": "nearest"}),
    "subset-sum-fewest": ("a-posteriori", {**SUBSET_SUM, "prune": "fewest"}),
}


def _targets() -> dict[str, Any]:
    import numpy as np

    from logprune.construct.io.targets import demo_target
    from logprune.construct.target import target_from_arrays

    out: dict[str, Any] = {"demo 2-16-16-2": (demo_target()[0], "0.01")}
    for name, widths, seed in [("4-10-10-3 biases", [4, 10, 10, 3], 7), ("4-10-10-10-3 biases", [4, 10, 10, 10, 3], 8)]:
        rng = np.random.default_rng(seed)
        ws = [rng.standard_normal((widths[i + 1], widths[i])) / np.sqrt(widths[i]) for i in range(len(widths) - 1)]
        bs = [0.3 * rng.standard_normal(widths[i + 1]) for i in range(len(widths) - 1)]
        out[name] = (target_from_arrays(ws, bs), "0.05")
    return out


def _row(name: str, how: str, c: Any, wall: float) -> dict[str, Any]:
    found = float(c.attack.error) if c.attack is not None else None
    bound = float(c.certificate.bound)
    return {
        "target": name,
        "k_choice": how,
        "ok": c.ok,
        "k": c.plan.k,  # the finest layer's when the layers have their own k (``segments``)
        "segments": c.options.segments if not isinstance(c.options.segments, tuple) else list(c.options.segments),
        "sampled_per_target_weight": c.sampled_per_target_weight,
        "kept_per_target_weight": c.kept / c.target.n_weights,
        "certified_bound": bound,
        "attack_found": found,
        "ratio": None if not found else bound / found,
        "seconds": wall,
        "construction_seconds": c.seconds,  # plan, build(s) and certificate(s): the error measurement excluded
        **({"tries": c.search.as_json()["tries"]} if getattr(c, "search", None) is not None else {}),
        **({"probe": c.search.probe.as_json()} if getattr(getattr(c, "search", None), "probe", None) else {}),
    }


def small(how: str) -> list[dict[str, Any]]:
    from logprune.construct import a_posteriori, pipeline
    from logprune.construct.options import options

    rows = []
    for name, (target, eps) in _targets().items():
        opt = options(eps=eps)
        t0 = time.perf_counter()
        if how == "a-posteriori":
            c = a_posteriori.construct_a_posteriori(target, opt, attack_budget=ATTACK)
        else:
            c = pipeline.construct(target, opt, attack_budget=ATTACK)
        rows.append(_row(name, how, c, time.perf_counter() - t0))
    return rows


def fc2(path: str, how: str, extra: dict[str, Any]) -> dict[str, Any]:
    from logprune.construct import a_posteriori, pipeline
    from logprune.construct.io.targets import load_target
    from logprune.construct.options import options

    target, _ = load_target(path)
    opt = options(eps="0.1", x_max="28", inputs_nonnegative=True, **extra)
    t0 = time.perf_counter()
    build = a_posteriori.construct_a_posteriori if how == "a-posteriori" else pipeline.construct
    c = build(target, opt, workers=2)
    row = _row("fc2 784-500-10" + (f" {extra}" if extra else ""), how, c, time.perf_counter() - t0)
    row["measured_error"] = c.measured_error
    return row


def _in_child(args: list[str], pythonpath: str | None = None) -> Any:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True, env=env, cwd="/"
    )
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=None, help="package tree of an older logprune (the a-priori row only)")
    ap.add_argument("--fc2", default=None, help="the peer's target (.npz)")
    ap.add_argument("--fc2-before", action="store_true", help="run fc2 with the --before code too (a minute)")
    ap.add_argument("--fc2-runs", nargs="+", default=list(FC2_RUNS), choices=list(FC2_RUNS), help="fc2 runs by name")
    ap.add_argument("--no-small", action="store_true", help="skip the small targets")
    ap.add_argument(
        "--small-how", nargs="+", default=["a-priori", "a-posteriori"], choices=["a-priori", "a-posteriori"]
    )
    ap.add_argument("--json", default=None)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "small":
            print(json.dumps(small(rest[0])))
        else:
            print(json.dumps(fc2(rest[0], rest[1], json.loads(rest[2]))))
        return
    rows: list[dict[str, Any]] = []
    if args.before:
        rows += [{**r, "code": "before"} for r in _in_child(["small", "a-priori"], args.before)]
    for how in () if args.no_small else args.small_how:
        rows += [{**r, "code": "after"} for r in _in_child(["small", how])]
    if args.fc2:
        if args.before and args.fc2_before:
            rows.append({**_in_child(["fc2", args.fc2, "a-priori", "{}"], args.before), "code": "before"})
        for name in args.fc2_runs:
            how, extra = FC2_RUNS[name]
            row = _in_child(["fc2", args.fc2, how, json.dumps(extra)])
            rows.append({**row, "run": name, "code": "after"})
            print(f"fc2 {name}: {row['seconds']:.1f} s", file=sys.stderr, flush=True)
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        found = "-" if r["attack_found"] is None else f"{r['attack_found']:.3e}"
        print(
            f"{r['code']:<6} {r['target']:<52} {r['k_choice']:<12} k={r['k']:<3} "
            f"sampled/w={r['sampled_per_target_weight']:9.2f} bound={r['certified_bound']:.3e} "
            f"found={found} ratio={ratio} ok={r['ok']} {r['seconds']:.1f}s"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
