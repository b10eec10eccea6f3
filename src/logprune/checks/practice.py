"""How many sampled weights of G per target weight pruning needs *in practice* (the slides' questions).

For random targets (one dense layer, weights U[-1, 1], inputs >= 0) and per-weight accuracy eps, the
least block size P of G (pooling B; blocks are nested in P, so success is monotone in P) such that every
effective weight is within eps, for:
- ``golden``: the golden-ratio greedy of L3, one product per segment;
- ``subset-sum``: the optimal pruner on the same G (exact subset-sum over the block's products);
each with hyperbolic and uniform weights.  Reported: sampled weights of G per target weight,
P·(1 + n_out)/n_out, against the counting limit log2(w_max/eps) (2^N subsets of N sampled weights must
reach every weight in [-w_max, w_max] within eps).  Configurations run in parallel processes.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["answers_markdown", "figure", "practice"]

EPS = ("1/100", "1/1000", "1/10000", "1/100000", "1/1000000")


def _target(seed: int, n: int) -> Any:
    from logprune.construct.target import target_from_arrays

    g = np.random.default_rng(seed)
    return target_from_arrays([g.uniform(-1, 1, size=(n, n))])


def _method_pool(method: str) -> tuple[str, str]:
    """'golden-A' is the golden-ratio method with pooling (A); every other method runs with pooling (B)."""
    return ("golden", "per-weight") if method == "golden-A" else (method, "shared")


def _per_target_weight(method: str, P: int, n: int) -> float:
    """Sampled weights of G per target weight: (A) 2P (P neurons, in and out weight); (B) P(1 + n)/n."""
    return 2.0 * P if method == "golden-A" else P * (1 + n) / n


def _options(eps: str, dist: str, method: str, seed: int, width: int | None) -> Any:
    """Per-weight tolerance eps on inputs >= 0 (the output eps is not used in this mode)."""
    from logprune.construct import build as cb

    m, pool = _method_pool(method)
    return cb.options(
        eps="1/2",
        delta="1/100",
        seed=seed,
        pool=pool,
        method=m,
        dist=dist,
        weight_eps=eps,
        inputs_nonnegative=True,
        width=width,
    )


def _succeeds(target: Any, eps: str, dist: str, method: str, P: int, seed: int) -> bool:
    from logprune.construct import build as cb

    return cb.succeeded(cb.build(target, _options(eps, dist, method, seed, P)))


def smallest_block(target: Any, eps: str, dist: str, method: str, seed: int, cap: int) -> int | None:
    """Least P with success (success is monotone in P: nested blocks); None if not reached by ``cap``."""
    hi = 1
    while not _succeeds(target, eps, dist, method, hi, seed):
        if hi >= cap:
            return None
        hi = min(cap, 2 * hi)
    lo = hi // 2  # fails (or 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _succeeds(target, eps, dist, method, mid, seed):
            hi = mid
        else:
            lo = mid
    return hi


def _bound_block(target: Any, eps: str, dist: str, method: str, seed: int) -> int | None:
    """The block size bounds/ prescribes for this run (golden; subset-sum has no explicit bound)."""
    from logprune.construct import build as cb

    if _method_pool(method)[0] != "golden":
        return None
    return cb.plan(target, _options(eps, dist, method, seed, None)).block_from_bound


def _one(job: tuple[str, str, str, int, int]) -> dict[str, Any]:
    eps, dist, method, seed, n = job
    target = _target(seed, n)
    cap = 32 if method == "subset-sum" else 1 << 15  # subset-sum: exact search, 2^16 sums per half at 32
    P = smallest_block(target, eps, dist, method, seed, cap)
    limit = math.log2(target.w_max / float(Fraction(eps)))
    sampled = None if P is None else _per_target_weight(method, P, n)
    bound = _bound_block(target, eps, dist, method, seed)
    return {
        "eps": eps,
        "dist": dist,
        "method": method,
        "seed": seed,
        "n": n,
        "block": P,
        "sampled_per_target_weight": sampled,
        "counting_limit": limit,
        "ratio_to_limit": None if sampled is None else sampled / limit,
        "bound_block": bound,
        "bound_sampled_per_target_weight": None if bound is None else _per_target_weight(method, bound, n),
    }


def practice(
    *,
    eps: tuple[str, ...] = EPS,
    seeds: int = 3,
    n: int = 6,
    workers: int = 2,
    methods: tuple[str, ...] = ("golden", "golden-A", "subset-sum"),
    progress: bool = True,
    scheduler: str | None = None,
) -> list[dict[str, Any]]:
    """Run every (eps, dist, method, seed) in parallel processes, or on the Dask cluster at ``scheduler``
    (the same jobs with the same seeds, hence the same results); results in a fixed order."""
    jobs = [
        (e, d, m, s, n)
        for e in eps
        for d in ("hyperbolic", "uniform")
        for m in methods
        for s in range(seeds)
        if not (m == "golden-A" and d == "uniform")  # pooling (A) vs (B) is compared with hyperbolic weights
    ]
    if scheduler is not None:
        return _on_dask(jobs, scheduler)
    bar: Any = None
    if progress:
        try:
            from tqdm import tqdm

            bar = tqdm(total=len(jobs), desc="practice", unit="run")
        except ImportError:
            bar = None
    out: list[dict[str, Any]] = []
    if workers <= 1:
        for j in jobs:
            out.append(_one(j))
            if bar is not None:
                bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            for r in ex.map(_one, jobs):
                out.append(r)
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.close()
    return out


def _on_dask(jobs: list[tuple[str, str, str, int, int]], scheduler: str) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client
    except ImportError:
        from logprune.errors import ParameterError

        raise ParameterError(f"scheduler={scheduler}: needs dask.distributed (pip install 'logprune[dask]')") from None
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        futures = client.map(_one, jobs, pure=False)
        return list(client.gather(futures))


def _label(method: str) -> str:
    return {"golden": "golden (B)", "golden-A": "golden (A)"}.get(method, method)


def _summary(results: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault((r["eps"], r["dist"], r["method"]), []).append(r)
    out = {}
    for key, rs in groups.items():
        vals = [r["sampled_per_target_weight"] for r in rs if r["sampled_per_target_weight"] is not None]
        out[key] = {
            "median": float(np.median(vals)) if vals else None,
            "reached": len(vals),
            "limit": rs[0]["counting_limit"],
            "runs": len(rs),
        }
    return out


def answers_markdown(results: list[dict[str, Any]]) -> str:
    """The README section answering the slides' questions with these measured numbers."""
    s = _summary(results)
    eps_list = sorted({k[0] for k in s}, key=lambda e: -float(Fraction(e)))
    cols = [
        ("hyperbolic", "golden"),
        ("hyperbolic", "golden-A"),
        ("uniform", "golden"),
        ("hyperbolic", "subset-sum"),
        ("uniform", "subset-sum"),
    ]
    bnd: dict[str, list[float]] = {}
    for r in results:
        if r["method"] == "golden" and r["dist"] == "hyperbolic" and r["bound_sampled_per_target_weight"]:
            bnd.setdefault(r["eps"], []).append(r["bound_sampled_per_target_weight"])
    lines = [
        "| eps | counting limit log2(w_max/eps) | bound (golden (B), hyperbolic) | "
        + " | ".join(f"{_label(m)}, {d}" for d, m in cols)
        + " |",
        "|---|---|---|" + "---|" * len(cols),
    ]
    for e in eps_list:
        row = [
            f"{float(Fraction(e)):.0e}",
            f"{s[(e, cols[0][0], cols[0][1])]['limit']:.1f}",
            f"{float(np.median(bnd[e])):.1f}" if e in bnd else "-",
        ]
        for d, m in cols:
            v = s.get((e, d, m))
            if v is None or v["median"] is None:
                row.append("not reached" if v is not None else "-")
            else:
                part = "" if v["reached"] == v["runs"] else f", {v['reached']}/{v['runs']} reached"
                row.append(f"{v['median']:.1f} ({v['median'] / v['limit']:.2f}x{part})")
        lines.append("| " + " | ".join(row) + " |")
    runs = next(iter(s.values()))["runs"] if s else 0
    return (
        "\n".join(
            [
                f"Sampled weights of G per target weight (median over {runs} random 6x6 targets with U[-1, 1] "
                "weights of the least block size at which every weight is within eps, over the targets that reach "
                "it; in brackets: ratio to the counting limit; `logprune check --practice`, about 25 s on 2 cores):",
                "",
                *lines,
                "",
                "- 'bound': the block size bounds/ prescribes for delta = 1/100 (L3 coverage c = 1/(8(k-1)) and a "
                "union bound over every (weight, segment) event), against which the least block that works on "
                "these targets is 3-4x smaller.",
                "- Pooling (B) (blocks shared by all outputs) needs 1.2-1.8x fewer sampled weights per target weight "
                "than pooling (A) (a dedicated pool per weight) on these 6x6 targets; its bound's advantage grows "
                "with the number of outputs (n times fewer neurons, `logprune check --sweep`).",
                "- Hyperbolic sampling is worth it for the golden-ratio method: uniform weights rarely land in the "
                "fine segments (their probability shrinks like phi^-k), so the block must grow like 1/eps.",
                "- The golden-ratio method samples 34-50x the counting limit with hyperbolic weights, roughly "
                "constant across eps: logarithmic, as claimed, with a large constant (every one of the k segments "
                "needs its own product, each of probability about 1/(8k)).",
                "- The optimal pruner (subset-sum over the same kind of G, searched exactly up to 32 products per "
                "target weight) does not bring every weight within eps on these targets: with fair signs and "
                "inputs >= 0 only the neurons with a > 0 are usable, and a block can lack products of the sign a "
                "weight needs.  Most weights are reached (on fc2 at eps = 0.01 with 14 products per target "
                "weight: 94 %, see benchmarks/); every weight needs a G designed for subset-sum (e.g. both signs "
                "of a per neuron pair), which logprune does not build yet.",
                "- 'not reached': not within the search limit (golden: 2^15 neurons per block; subset-sum: 32 "
                "products per target weight).",
            ]
        )
        + "\n"
    )


def figure(results: list[dict[str, Any]], path: Path) -> list[Path]:
    """Sampled weights per target weight against eps, with the counting limit (PNG and SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = _summary(results)
    eps_list = sorted({k[0] for k in s}, key=lambda e: float(Fraction(e)))
    xs = [float(Fraction(e)) for e in eps_list]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for d, m, style in (
        ("hyperbolic", "golden", "o-"),
        ("hyperbolic", "golden-A", "d-"),
        ("uniform", "golden", "o--"),
        ("hyperbolic", "subset-sum", "s-"),
        ("uniform", "subset-sum", "s--"),
    ):
        ys = [s[(e, d, m)]["median"] if (e, d, m) in s else None for e in eps_list]
        pts = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
        if pts:
            ax.plot(*zip(*pts, strict=True), style, label=f"{_label(m)}, {d}")
    bounds: dict[str, list[float]] = {}
    for r in results:
        if r["method"] == "golden" and r["dist"] == "hyperbolic" and r["bound_sampled_per_target_weight"]:
            bounds.setdefault(r["eps"], []).append(r["bound_sampled_per_target_weight"])
    if bounds:
        bx = [float(Fraction(e)) for e in eps_list if e in bounds]
        ax.plot(
            bx,
            [float(np.median(bounds[e])) for e in eps_list if e in bounds],
            "^-",
            color="tab:red",
            label="bound (L3 + union bound), golden, hyperbolic",
        )
    ax.plot(
        xs,
        [
            s[(e, "hyperbolic", "golden")]["limit"] if (e, "hyperbolic", "golden") in s else float("nan")
            for e in eps_list
        ],
        "k:",
        label="counting limit log2(w_max/eps)",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("per-weight accuracy eps")
    ax.set_ylabel("sampled weights of G per target weight")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    out = [path.with_suffix(".png"), path.with_suffix(".svg")]
    for p in out:
        fig.savefig(p, metadata={"Date": None} if p.suffix == ".svg" else None)
    plt.close(fig)
    return out
