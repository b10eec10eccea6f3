"""How many sampled weights of G per target weight pruning needs *in practice* (the slides' questions).

For random targets (one dense layer, weights U[-1, 1], inputs >= 0) and per-weight accuracy eps, the
least block size P of G (blocks are nested in P, so success is monotone in P) such that every effective
weight is within eps, for:
- ``golden``: the golden-ratio greedy (docs/claims.md, L3), one product per segment, pooling (B);
- ``golden-A``: the same with pooling (A) (docs/claims.md, pooling-A);
- ``subset-sum``: the optimal pruner on the same G (exact subset-sum over the block's products);
each with hyperbolic and uniform weights.  Every run is a construction through the library API
(:func:`logprune.construct.options.options`, :func:`logprune.construct.pipeline.construct`); the sampled
weights of G per target weight come from the construction's pooling geometry (docs/claims.md,
pooling-A: 2P; pooling-B: P(1 + n_out)/n_out), against the counting limit log2(w_max/eps) (docs/claims.md,
counting: 2^N subsets of N sampled weights must reach every weight in [-w_max, w_max] within eps).
Configurations run in parallel processes or on a Dask cluster.  :func:`answers_markdown` writes the
README's answers from the runs alone: no figure in it is typed in.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from logprune.atomic import markers, write_block
from logprune.checks.figures import pyplot, save
from logprune.choices import Method, Pooling, Signs, choice
from logprune.progress import progress as progress_bar
from logprune.search import least_true

__all__ = [
    "EPS",
    "answers_markdown",
    "as_json",
    "figure",
    "least_block",
    "practice",
    "settings",
    "write_report",
]

EPS = ("1/100", "1/1000", "1/10000", "1/100000", "1/1000000")
DELTA = "1/100"  # the failure probability of the block size bound the runs report ('bound')
GOLDEN_CAP = 1 << 15  # the search limit of the least block: neurons per block (golden)
SUBSET_CAP = 32  # subset-sum: exact search, 2^16 sums per half at 32 products per target weight
START, END = markers("practice")  # the README's answers section


def settings(*, quick: bool) -> dict[str, Any]:
    """The sweep's grid: the full one (the README's answers) or the quick one (seconds)."""
    return {"eps": EPS[:2], "seeds": 1} if quick else {"eps": EPS, "seeds": 3}


def _target(seed: int, n: int) -> Any:
    from logprune.construct.target import target_from_arrays

    g = np.random.default_rng(seed)
    return target_from_arrays([g.uniform(-1, 1, size=(n, n))])


DESIGNED = "subset-sum-designed"  # subset-sum on a G with designed signs (every in-weight > 0 on inputs >= 0)
BALANCED = "subset-sum-balanced"  # and out-weights alternating in sign (run with uniform weights only)


def _method_pool(method: str) -> tuple[Method, Pooling, Signs]:
    """'golden-A' is the golden-ratio method with pooling (A), 'subset-sum-designed' subset-sum on a G with
    designed signs, 'subset-sum-balanced' with balanced signs; every other method runs with pooling (B)
    and fair signs."""
    if method == "golden-A":
        return Method.GOLDEN, Pooling.PER_WEIGHT, Signs.IID
    if method == DESIGNED:
        return Method.SUBSET_SUM, Pooling.SHARED, Signs.DESIGNED
    if method == BALANCED:
        return Method.SUBSET_SUM, Pooling.SHARED, Signs.BALANCED
    return choice(Method, "method", method), Pooling.SHARED, Signs.IID


def _construct(target: Any, eps: str, dist: str, method: str, P: int, seed: int) -> Any:
    """One construction through the library, per-weight tolerance eps on inputs >= 0 (no output eps)."""
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct

    m, pool, signs = _method_pool(method)
    opt = options(
        signs=signs,
        weight_eps=eps,
        delta=DELTA,
        seed=seed,
        pooling=pool,
        method=m,
        dist=dist,
        inputs_nonnegative=True,
        width=P,
    )
    return construct(target, opt, measure=False, cell_budget=1)  # the decision reads weight errors only


def least_block(target: Any, eps: str, dist: str, method: str, seed: int, cap: int) -> tuple[int | None, Any]:
    """Least P with success (success is monotone in P: nested blocks), None if not reached by ``cap``;
    with the construction at that P (at ``cap`` when not reached)."""
    built: dict[int, Any] = {}

    def ok(p: int) -> bool:
        built[p] = _construct(target, eps, dist, method, p, seed)
        return bool(built[p].ok)

    least = least_true(ok, start=1, cap=cap)
    return least, built[cap if least is None else least]


def _one(job: tuple[str, str, str, int, int]) -> dict[str, Any]:
    eps, dist, method, seed, n = job
    target = _target(seed, n)
    cap = SUBSET_CAP if _method_pool(method)[0] is Method.SUBSET_SUM else GOLDEN_CAP
    P, built = least_block(target, eps, dist, method, seed, cap)
    limit = math.log2(target.w_max / float(Fraction(eps)))
    # the counts come from the construction and its plan's pooling geometry, never from a formula here
    sampled = None if P is None else built.sampled_per_target_weight
    bound = built.plan.block_from_bound  # the block size bounds/ prescribes (None: no bound for the method)
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
        "bound_sampled_per_target_weight": None
        if bound is None
        else built.plan.pool.sampled_per_target_weight(target.widths, bound),
    }


def practice(
    *,
    eps: tuple[str, ...] = EPS,
    seeds: int = 3,
    n: int = 6,
    workers: int = 2,
    methods: tuple[str, ...] = ("golden", "golden-A", "subset-sum", DESIGNED, BALANCED),
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
        and not (m == BALANCED and d == "hyperbolic")  # balanced signs: the uniform law (the calibrated one)
    ]
    if scheduler is not None:
        return _on_dask(jobs, scheduler)
    bar = progress_bar(total=len(jobs), desc="practice", unit="run", show=progress)
    out: list[dict[str, Any]] = []
    if workers <= 1:
        for j in jobs:
            out.append(_one(j))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts) as ex:
            for r in ex.map(_one, jobs):
                out.append(r)
                bar.update()
    bar.close()
    return out


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent (one line, exit 130, no traceback from every process)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a worker terminated just ends; the parent cleans up


def as_json(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The sweep's JSON document (docs/practice.json)."""
    return {"practice": results}


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
    labels = {
        "golden": "golden (B)",
        "golden-A": "golden (A)",
        DESIGNED: "subset-sum, designed signs",
        BALANCED: "subset-sum, balanced signs",
    }
    return labels.get(method, method)


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


def _span(values: list[float], digits: int) -> str:
    """'lo-hi' (or one value) of measured ratios, at ``digits`` decimals."""
    lo, hi = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return lo if lo == hi else f"{lo}-{hi}"


def _ratios(
    s: dict[tuple[str, str, str], dict[str, Any]], eps_list: list[str], num: tuple[str, str], den: tuple[str, str]
) -> list[float]:
    """median(num) / median(den) at every eps where both configurations reach eps."""
    out = []
    for e in eps_list:
        a, b = s.get((e, *num)), s.get((e, *den))
        if a is not None and b is not None and a["median"] is not None and b["median"] is not None:
            out.append(a["median"] / b["median"])
    return out


def _eps_text(e: str) -> str:
    return f"{float(Fraction(e)):.0e}"


def answers_markdown(results: list[dict[str, Any]]) -> str:
    """The README section answering the slides' questions: every number in it is measured by the run
    ``results`` comes from (or is a setting of that run), none is typed in."""
    s = _summary(results)
    eps_list = sorted({k[0] for k in s}, key=lambda e: -float(Fraction(e)))
    cols = [
        ("hyperbolic", "golden"),
        ("hyperbolic", "golden-A"),
        ("uniform", "golden"),
        ("hyperbolic", "subset-sum"),
        ("uniform", "subset-sum"),
        ("hyperbolic", DESIGNED),
        ("uniform", DESIGNED),
        ("uniform", BALANCED),
    ]
    bnd: dict[str, list[float]] = {}
    for r in results:
        if r["method"] == "golden" and r["dist"] == "hyperbolic" and r["bound_sampled_per_target_weight"]:
            bnd.setdefault(r["eps"], []).append(r["bound_sampled_per_target_weight"])
    bound_median = {e: float(np.median(v)) for e, v in bnd.items()}
    lines = [
        "| eps | counting limit log2(w_max/eps) | bound (golden (B), hyperbolic) | "
        + " | ".join(f"{_label(m)}, {d}" for d, m in cols)
        + " |",
        "|---|---|---|" + "---|" * len(cols),
    ]
    for e in eps_list:
        row = [
            _eps_text(e),
            f"{s[(e, cols[0][0], cols[0][1])]['limit']:.1f}",
            f"{bound_median[e]:.1f}" if e in bound_median else "-",
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
    n = results[0]["n"] if results else 0
    notes = [
        f"- 'bound': the block size bounds/ prescribes for delta = {DELTA} (coverage c = 1/(4k) of G's separate "
        "supports and a union bound over every (weight, segment) event)"
    ]
    gold_b = [
        (bound_median[e], s[(e, "hyperbolic", "golden")]["median"])
        for e in eps_list
        if e in bound_median and s.get((e, "hyperbolic", "golden"), {}).get("median") is not None
    ]
    if gold_b:
        notes[0] += (
            ", against which the least block that works on these targets is "
            f"{_span([b / g for b, g in gold_b], 1)}x smaller (golden (B), hyperbolic)."
        )
    else:
        notes[0] += "."
    pool = _ratios(s, eps_list, ("hyperbolic", "golden-A"), ("hyperbolic", "golden"))
    if pool:
        notes.append(
            f"- Pooling (A) (a dedicated pool per weight) needs {_span(pool, 1)}x the sampled weights per target "
            f"weight of pooling (B) (blocks shared by all outputs) on these {n}x{n} targets; the bound's advantage "
            "of (B) grows with the number of outputs (n times fewer neurons, `logprune check sweep`)."
        )
    uni = _ratios(s, eps_list, ("uniform", "golden"), ("hyperbolic", "golden"))
    missed = [e for e in eps_list if (e, "uniform", "golden") in s and s[(e, "uniform", "golden")]["median"] is None]
    if uni or missed:
        measured = f"uniform weights need {_span(uni, 1)}x the sampled weights of hyperbolic ones" if uni else ""
        if missed:
            measured += (", and " if measured else "uniform weights ") + (
                "reach eps = " + ", ".join(_eps_text(e) for e in missed) + " in no run within the search limit"
            )
        notes.append(
            "- Hyperbolic against uniform sampling for the golden-ratio method: uniform weights rarely land in the "
            "fine segments (their probability shrinks like phi^-k), so the block must grow like 1/eps; "
            f"on these targets {measured}."
        )
    to_limit = [
        v["median"] / v["limit"]
        for e in eps_list
        if (v := s.get((e, "hyperbolic", "golden"))) is not None and v["median"] is not None
    ]
    if to_limit:
        notes.append(
            f"- The golden-ratio method samples {_span(to_limit, 0)}x the counting limit with hyperbolic weights "
            f"for eps from {_eps_text(eps_list[0])} to {_eps_text(eps_list[-1])}: logarithmic, as claimed, with a "
            "large constant (every one of the k segments needs its own product, each of probability 1/(4k) with fair "
            "signs)."
        )
    subset = [r for r in results if r["method"] == "subset-sum"]
    designed = [r for r in results if r["method"] == DESIGNED]
    if subset:
        reached = sum(r["block"] is not None for r in subset)
        text = (
            "- The optimal pruner (subset-sum: the fewest products within eps, searched exactly up to "
            f"{SUBSET_CAP} products per block) brings every weight within eps in {reached} of {len(subset)} "
            "runs with fair signs"
        )
        if reached < len(subset):
            text += (
                " (on inputs >= 0 only the neurons with a > 0 are usable, and a block can lack products of the "
                "sign a weight needs)"
            )
        if designed:
            got = sum(r["block"] is not None for r in designed)
            text += f", and in {got} of {len(designed)} runs with designed signs (every in-weight > 0)"
            ratios = [r["ratio_to_limit"] for r in designed if r["ratio_to_limit"] is not None]
            if ratios:
                text += f", sampling {_span(ratios, 2)}x the counting limit where it reaches eps"
        notes.append(text + ".")
    balanced = [r for r in results if r["method"] == BALANCED]
    if balanced:
        got = sum(r["block"] is not None for r in balanced)
        ratios = [r["ratio_to_limit"] for r in balanced if r["ratio_to_limit"] is not None]
        text = (
            f"- With balanced signs (designed in-weights, out-weights alternating in sign: a block never lacks "
            f"products of a weight's sign) and uniform weights, every weight is within eps in {got} of "
            f"{len(balanced)} runs"
        )
        if ratios:
            worst = max(ratios)
            at = next(r for r in balanced if r["ratio_to_limit"] == worst)
            text += (
                f", sampling {_span(ratios, 2)}x the counting limit over all targets and eps (the largest on one "
                f"target: {worst:.2f}x at eps = {_eps_text(at['eps'])})"
            )
        notes.append(text + ".")
    notes.append(
        f"- 'not reached': not within the search limit (golden: 2^{GOLDEN_CAP.bit_length() - 1} neurons per "
        f"block; subset-sum: {SUBSET_CAP} products per target weight)."
    )
    return (
        "\n".join(
            [
                f"Sampled weights of G per target weight (median over {runs} random {n}x{n} targets with U[-1, 1] "
                "weights of the least block size at which every weight is within eps, over the targets that reach "
                "it; in brackets: ratio to the counting limit; `logprune check practice`):",
                "",
                *lines,
                "",
                *notes,
            ]
        )
        + "\n"
    )


def write_report(path: str | Path, text: str) -> None:
    """Write the answers to ``path`` atomically.  A file that holds the README's markers
    (``<!-- practice:start -->`` ... ``<!-- practice:end -->``) keeps everything outside them: only the
    section between them is replaced (so ``--report README.md`` updates the README's answers); any other
    file is replaced by ``text``."""
    write_block(path, "practice", text)


def figure(results: list[dict[str, Any]], path: Path) -> list[Path]:
    """Sampled weights per target weight against eps, with the counting limit (PNG and SVG)."""
    plt = pyplot()

    s = _summary(results)
    eps_list = sorted({k[0] for k in s}, key=lambda e: float(Fraction(e)))
    xs = [float(Fraction(e)) for e in eps_list]
    fig, ax = plt.subplots(figsize=(9.6, 4.2))
    for d, m, style in (
        ("hyperbolic", "golden", "o-"),
        ("hyperbolic", "golden-A", "d-"),
        ("uniform", "golden", "o--"),
        ("hyperbolic", "subset-sum", "s-"),
        ("uniform", "subset-sum", "s--"),
        ("hyperbolic", DESIGNED, "v-"),
        ("uniform", DESIGNED, "v--"),
        ("uniform", BALANCED, "^--"),
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
            color="tab:gray",
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
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return save(fig, path)
