"""Benchmark: the peer's fc2 experiment in its own terms, next to logprune's constructions, in one table.

The peer (Pensia et al., *Optimal Lottery Tickets via SubsetSum*, official code; figures in
``shared/targets/README.md``) approximates every weight w of fc2 (784-500-10, 397,000 weights) on its
own: fresh coefficients c_1..c_n ~ U[-1, 1] (21 per weight by default: the peer's 21x sampled weights
per target weight) and the fewest of them whose sum is within eps = 0.01 of w, a mixed-integer program
(Gurobi there).  Here the same program is solved exactly by HiGHS (``scipy.optimize.milp``):

    min sum z_i  s.t.  w - eps <= sum c_i z_i <= w + eps,  z in {0, 1}^n,

on a seeded random subsample of the target's weights (``--sample``, default 2,000: the whole would take
hours, as it did for the peer), every solution re-checked in exact rational arithmetic (a float64 is an
exact dyadic); the time for all weights is extrapolated from the subsample and labelled so.

Next to it, logprune's constructions of one network Ĝ for the whole target, through the library's entry
point (``logprune.construct.pipeline.construct``, all cores): golden per-weight, subset-sum per-weight
(the optimal pruner, uniform weights, designed signs, 21 products per block: the peer's 21x; balanced
signs, 19 per block), and golden
in the certified output mode
(eps 0.1 over ||x||_2 <= 28, x >= 0).  Printed: time, sampled and kept weights of G per target weight,
the share of target weights within 0.01 (exact), and the certified output error where there is one.

    python benchmarks/peer_side_by_side.py [--target PATH] [--sample N] [--coefficients 21] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "shared" / "targets" / "pensia_fc2.npz"
EPS = Fraction(1, 100)


def peer_experiment(weights: np.ndarray, *, coefficients: int, sample: int, seed: int) -> dict[str, Any]:
    """The peer's per-weight subset-sum, solved exactly by HiGHS on a subsample (module doc)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
    flat = weights.ravel()
    idx = np.sort(rng.choice(flat.size, size=min(sample, flat.size), replace=False))
    coeff_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    eps = float(EPS)
    within = kept = infeasible = 0
    t0 = time.perf_counter()
    for i in idx:
        w = float(flat[i])
        c = coeff_rng.uniform(-1.0, 1.0, size=coefficients)
        res = milp(
            np.ones(coefficients),
            integrality=np.ones(coefficients),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(c[None, :], w - eps, w + eps),
        )
        if res.x is None:
            infeasible += 1
            continue
        z = np.round(res.x).astype(bool)
        err = abs(sum((Fraction(float(v)) for v in c[z]), Fraction(0)) - Fraction(w))
        if err <= EPS:  # HiGHS decides in floats with tolerances: the exact check decides here
            within += 1
            kept += int(z.sum())
    seconds = time.perf_counter() - t0
    n = idx.size
    return {
        "run": f"peer's experiment, HiGHS ({coefficients} U[-1,1] coefficients per weight, {n} sampled weights)",
        "seconds_sample": seconds,
        "seconds_all_extrapolated": seconds / n * flat.size,
        "sampled_per_target_weight": float(coefficients),
        "kept_per_target_weight": kept / n,
        "share_within_eps": within / n,
        "infeasible": infeasible,
        "certified_output_error": None,
    }


def logprune_run(path: str, name: str, request: dict[str, Any]) -> dict[str, Any]:
    from logprune.construct.io.targets import load_target
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct

    target, _ = load_target(path)
    t0 = time.perf_counter()
    c = construct(target, options(**request), workers=os.cpu_count() or 1, measure=False)
    seconds = time.perf_counter() - t0
    per_weight = c.options.weight_eps is not None
    share = (
        c.within_eps_w
        if per_weight and c.options.weight_eps == EPS
        else (1.0 if c.max_weight_error <= EPS else float("nan"))
    )
    return {
        "run": name,
        "seconds": seconds,
        "uncovered": len(c.built.missing),
        "every_weight_within_eps": bool(c.max_weight_error <= EPS),
        "sampled_per_target_weight": c.sampled_per_target_weight,
        "kept_per_target_weight": c.kept / target.n_weights,
        "share_within_eps": share,
        "ok": c.ok,
        "certified_output_error": None if per_weight else float(c.certificate.bound),
    }


RUNS: dict[str, dict[str, Any]] = {
    "logprune golden, per weight": {"weight_eps": "0.01", "inputs_nonnegative": True, "seed": 0},
    "logprune subset-sum, per weight (uniform, designed signs, 21 per block)": {
        "weight_eps": "0.01",
        "inputs_nonnegative": True,
        "seed": 5,
        "method": "subset-sum",
        "dist": "uniform",
        "signs": "designed",
        "width": 21,
    },
    "logprune subset-sum, per weight (uniform, balanced signs, 19 per block)": {
        "weight_eps": "0.01",
        "inputs_nonnegative": True,
        "seed": 5,
        "method": "subset-sum",
        "dist": "uniform",
        "signs": "balanced",
        "width": 19,
    },
    "logprune golden, certified (eps 0.1, ||x|| <= 28, x >= 0)": {
        "eps": "0.1",
        "x_max": 28,
        "inputs_nonnegative": True,
        "seed": 0,
    },
}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--target", default=str(DEFAULT_TARGET))
    ap.add_argument("--sample", type=int, default=2000, help="target weights in the peer's experiment")
    ap.add_argument("--coefficients", type=int, default=21, help="uniform coefficients per weight (peer)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="write the records here")
    ap.add_argument("--from-json", default=None, help="print the table of a records file, run nothing")
    args = ap.parse_args()
    if args.from_json:
        records = json.loads(Path(args.from_json).read_text())
    else:
        with np.load(args.target) as z:
            weights = np.concatenate([z[k].ravel() for k in sorted(z.files) if k.startswith("W")])
        print(f"target: {args.target} ({weights.size} weights); {os.cpu_count()} cores; eps = {EPS} per weight")
        records = [peer_experiment(weights, coefficients=args.coefficients, sample=args.sample, seed=args.seed)]
        print(f"  done: {records[0]['run']}")
        for name, request in RUNS.items():
            records.append(logprune_run(args.target, name, request))
            print(f"  done: {name}")
        print()
    print("| run | time | sampled / target weight | kept / target weight | within 0.01 | certified output error |")
    print("|---|---|---|---|---|---|")
    for r in records:
        t = (
            f"{r['seconds_all_extrapolated']:,.0f} s (extrapolated from {r['seconds_sample']:.1f} s)"
            if "seconds_all_extrapolated" in r
            else f"{r['seconds']:.1f} s"
        )
        cert = "–" if r["certified_output_error"] is None else f"{r['certified_output_error']:.3e}"
        if "uncovered" in r:
            within = "every weight" if r["every_weight_within_eps"] else f"all but {r['uncovered']} weights"
        else:
            within = f"{100 * r['share_within_eps']:.2f} % of the sample"
        print(
            f"| {r['run']} | {t} | {r['sampled_per_target_weight']:.2f} | {r['kept_per_target_weight']:.2f} | "
            f"{within} | {cert} |"
        )
    if args.json and not args.from_json:
        Path(args.json).write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    main()
