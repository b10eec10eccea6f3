"""Benchmark: construct Ĝ for the peer's real target (784-500-10, shared/targets/pensia_fc2.npz).

Runs each configuration in its own process (so that peak memory is that run's own) and prints, next to
the peer's published figures (Pensia et al.'s subset-sum code on the same target): wall time, peak RSS,
kept weights of Ĝ per target weight, G's sampled (keepable) weights per target weight, and the certified
output bound.  The baseline measured in the same run is the bare cost of drawing and classifying G's
products (no pruning, no exact arithmetic): the ratio says what the construction adds on top of sampling.

    python benchmarks/fc2.py [--target PATH] [--only weight|output]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PEER = {"time_s": 77266.0, "kept_per_target_weight": 9.39, "sampled_per_target_weight": 21.0, "weight_eps": 0.01}
DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "shared" / "targets" / "pensia_fc2.npz"
CONFIGS = {
    "weight": {
        "eps": "0.01",
        "delta": "0.01",
        "seed": 0,
        "pool": "shared",
        "weight_eps": "0.01",
        "inputs_nonnegative": True,
    },
    "output": {"eps": "0.1", "delta": "0.01", "seed": 0, "pool": "shared", "inputs_nonnegative": True, "x_max": 28},
}


def _child(target: str, name: str) -> None:
    import numpy as np

    from logprune.construct import build as cb
    from logprune.construct.export import measured_error
    from logprune.construct.gsample import block_weights
    from logprune.construct.target import load_target

    tgt, _ = load_target(target)
    opt = cb.options(**CONFIGS[name])  # type: ignore[arg-type]
    pl = cb.plan(tgt, opt)
    # baseline: draw and classify every product of G that the construction looks at
    t0 = time.perf_counter()
    products = 0
    for i, W in enumerate(tgt.weights):
        n_out, n_in = W.shape
        for j in range(n_in):
            a, b = block_weights(seed=opt.seed, law=pl.law, layer=i, block=j, n_out=n_out, size=pl.block, pool=opt.pool)
            q = (a[None, :] if a.ndim == 1 else a) * b
            np.floor(np.log(pl.scale / np.abs(q)) / cb.LOG_PHI)
            products += q.size
    base = time.perf_counter() - t0
    built = cb.build(tgt, opt)
    meas = measured_error(built.forward, tgt, x_max=opt.x_max, n=64, seed=0, norm="l2", nonnegative=True)
    print(
        json.dumps(
            {
                "config": name,
                "ok": cb.succeeded(built),
                "seconds": built.seconds,
                "baseline_seconds": base,
                "products": products,
                "k": pl.k,
                "block": pl.block,
                "eps_w": float(pl.eps_w),
                "kept_per_target_weight": built.kept / tgt.n_weights,
                "sampled_per_target_weight": built.sampled_per_target_weight,
                "max_weight_error": float(built.max_weight_error),
                "certified_bound": float(built.cert.bound),
                "measured_error": meas,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default=str(DEFAULT_TARGET))
    ap.add_argument("--only", choices=sorted(CONFIGS), default=None)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.target, args.child)
        return
    names = [args.only] if args.only else list(CONFIGS)
    print(f"target: {args.target}")
    print(
        f"peer (subset-sum, Gurobi): {PEER['time_s']:.0f} s, kept {PEER['kept_per_target_weight']} and "
        f"sampled {PEER['sampled_per_target_weight']} weights per target weight, every weight within 0.01"
    )
    for name in names:
        t = time.perf_counter()
        res = subprocess.run(
            [sys.executable, __file__, "--target", args.target, "--child", name],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(res.stdout.strip().splitlines()[-1])
        wall = time.perf_counter() - t
        print(f"\n[{name}] {json.dumps(CONFIGS[name])}")
        print(f"  ok={r['ok']}  k={r['k']}  block P={r['block']}  eps_w={r['eps_w']:.3g}")
        print(f"  construction {r['seconds']:.1f} s (process wall {wall:.1f} s), peak RSS {r['peak_rss_mib']:.0f} MiB")
        print(
            f"  baseline (draw+classify {r['products']:.3g} products): {r['baseline_seconds']:.1f} s, "
            f"{r['products'] / r['baseline_seconds']:.3g} products/s; construction/baseline = "
            f"{r['seconds'] / r['baseline_seconds']:.2f}"
        )
        print(
            f"  kept weights per target weight {r['kept_per_target_weight']:.3f} "
            f"(peer {PEER['kept_per_target_weight']}), sampled per target weight "
            f"{r['sampled_per_target_weight']:.0f} (peer {PEER['sampled_per_target_weight']:.0f})"
        )
        print(
            f"  max weight error {r['max_weight_error']:.3e}; certified output bound {r['certified_bound']:.3e}; "
            f"measured {r['measured_error']:.3e}; speed-up vs peer time x{PEER['time_s'] / r['seconds']:.0f}"
        )


if __name__ == "__main__":
    main()
