"""Benchmark: construct Ĝ for the peer's real target (784-500-10, shared/targets/pensia_fc2.npz).

Every run goes through the library's one entry point (``logprune.construct.pipeline.construct``), in its
own process (so that peak memory is that run's own), once per number of workers; it prints (wall time of
``construct``, which includes measuring the error on 256 seeded inputs, and the construction's own time
without that measurement, as the previous benchmark reported it), next to the
peer's published figures (Pensia et al.'s subset-sum code on the same target): wall time, peak RSS
(the parent's and its workers'), kept weights of Ĝ per target weight, G's sampled (keepable) weights per
target weight, the certified output bound, and the sha256 of the Ĝ file written, which must be the same
for every number of workers.

    python benchmarks/fc2.py [--target PATH] [--only CONFIG ...] [--workers 1 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEER = {"time_s": 77266.0, "kept_per_target_weight": 9.39, "sampled_per_target_weight": 21.0, "weight_eps": 0.01}
DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "shared" / "targets" / "pensia_fc2.npz"
CONFIGS: dict[str, dict[str, object]] = {
    "weight": {"seed": 0, "pooling": "shared", "weight_eps": "0.01", "inputs_nonnegative": True},
    # issue #10: G's law on separate supports (c = 1/(4k), the default) against the shared support of before
    # (c = 1/(8(k-1))), and designed signs (c = 1/(2k) on one-branch layers; issue #9)
    "weight-shared-support": {
        "seed": 0,
        "pooling": "shared",
        "weight_eps": "0.01",
        "inputs_nonnegative": True,
        "support": "shared",
    },
    "weight-designed": {
        "seed": 0,
        "pooling": "shared",
        "weight_eps": "0.01",
        "inputs_nonnegative": True,
        "signs": "designed",
    },
    "output": {"eps": "0.1", "seed": 0, "pooling": "shared", "inputs_nonnegative": True, "x_max": 28},
    # issue #12's aim (at most 2,000 sampled weights per target weight in at most 30 s), with designed signs
    "output-designed": {
        "eps": "0.1",
        "seed": 0,
        "pooling": "shared",
        "inputs_nonnegative": True,
        "x_max": 28,
        "signs": "designed",
    },
}


def _child(target: str, name: str, workers: int) -> None:
    from logprune.construct.io.targets import load_target
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct

    tgt, _ = load_target(target)
    opt = options(**CONFIGS[name])  # type: ignore[arg-type]
    t0 = time.perf_counter()
    c = construct(tgt, opt, workers=workers)
    wall = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "ghat.npz"
        c.write(out)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "config": name,
                "workers": workers,
                "ok": c.ok,
                "seconds": wall,
                "construction_seconds": c.seconds,
                "k": c.plan.k,
                "block": c.plan.block,
                "eps_w": float(c.plan.eps_w),
                "kept_per_target_weight": c.kept / tgt.n_weights,
                "sampled_per_target_weight": c.sampled_per_target_weight,
                "max_weight_error": float(c.max_weight_error),
                "certified_bound": float(c.certificate.bound),
                "measured_error": c.measured_error,
                "peak_rss_mib": rss_self,
                "peak_rss_worker_mib": rss_children,
                "ghat_sha256": digest,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--target", default=str(DEFAULT_TARGET))
    ap.add_argument("--only", choices=sorted(CONFIGS), nargs="+", default=None)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", default=None, help="write every run's record here")
    ap.add_argument("--child", nargs=2, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.target, args.child[0], int(args.child[1]))
        return
    names = list(args.only) if args.only else list(CONFIGS)
    print(f"target: {args.target}; {os.cpu_count()} cores")
    print(
        f"peer (subset-sum, Gurobi): {PEER['time_s']:.0f} s, kept {PEER['kept_per_target_weight']} and "
        f"sampled {PEER['sampled_per_target_weight']} weights per target weight, every weight within 0.01"
    )
    records = []
    for name in names:
        print(f"\n[{name}] {json.dumps(CONFIGS[name])}")
        runs = []
        for w in args.workers:
            res = subprocess.run(
                [sys.executable, __file__, "--target", args.target, "--child", name, str(w)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(res.stdout.strip().splitlines()[-1])
            runs.append(r)
            print(
                f"  workers={w}: ok={r['ok']}  {r['seconds']:.1f} s (construction without the measured error "
                f"{r['construction_seconds']:.1f} s)  peak RSS {r['peak_rss_mib']:.0f} MiB "
                f"(workers {r['peak_rss_worker_mib']:.0f} MiB)  k={r['k']}  P={r['block']}  eps_w={r['eps_w']:.3g}"
            )
        r = runs[0]
        print(
            f"  kept weights per target weight {r['kept_per_target_weight']:.3f} "
            f"(peer {PEER['kept_per_target_weight']}), sampled per target weight "
            f"{r['sampled_per_target_weight']:.0f} (peer {PEER['sampled_per_target_weight']:.0f})"
        )
        print(
            f"  max weight error {r['max_weight_error']:.3e}; certified output bound {r['certified_bound']:.3e}; "
            f"measured {r['measured_error']:.3e}"
        )
        base = runs[0]["seconds"]
        for q in runs[1:]:
            print(f"  workers={q['workers']}: {q['seconds'] / base:.2f}x the {runs[0]['workers']}-worker wall time")
        same = len({q["ghat_sha256"] for q in runs}) == 1
        print(f"  Ĝ files identical for every number of workers: {same} ({runs[0]['ghat_sha256'][:16]}...)")
        records += runs
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    main()
