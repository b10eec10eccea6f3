"""Sweep the theorem-level sizes over eps, n, layers and delta (issue #5): JSON and figures.

Every point is bounds.theorems' table for one setting (exact integers, certified ratios), so the sweep shows
how each bound scales: Malach et al. (C1), Orseau et al. with pooling (A) and (B) and the slides' batch
accounting, Pensia et al. (drawn only with a constant), and the lower bounds, all in one unit: sampled
weights of G per target weight.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from logprune.bounds.certified import Enclosure
from logprune.bounds.rows import table
from logprune.bounds.setting import setting
from logprune.checks.figures import pyplot, save
from logprune.progress import progress as progress_bar

__all__ = ["DEFAULT_AXES", "as_json", "figures", "summary_line", "sweep"]

DEFAULT_AXES: dict[str, list[Any]] = {
    "eps": ["1/100", "1/1000", "1/10000", "1/100000", "1/1000000"],
    "n": [10, 30, 100, 300, 1000],
    "layers": [1, 2, 5, 10, 20],
    "delta": ["1/10", "1/100", "1/10000", "1/1000000"],
}
BASE: dict[str, Any] = {"n": 100, "layers": 10, "eps": "1/100", "delta": "1/100"}


def sweep(axes: dict[str, list[Any]] | None = None, *, progress: bool = False) -> list[dict[str, Any]]:
    """One point per (axis, value), the other parameters at :data:`BASE`."""
    axes = axes or DEFAULT_AXES
    jobs = [(axis, v) for axis, values in axes.items() for v in values]
    bar = progress_bar(total=len(jobs), desc="sweep", unit="point", show=progress)
    out = []
    for axis, v in jobs:
        params = {**BASE, axis: v}
        st = setting(**params)
        for r in table(st):
            out.append(
                {
                    "axis": axis,
                    "value": str(v),
                    **{k: str(x) for k, x in params.items()},
                    "row": r.name,
                    "bound": r.bound.value,
                    "applies": bool(r.extra.get("applies", True)),
                    "status": r.status.value,
                    "neurons": r.neurons,
                    "sampled_weights": r.sampled_weights,
                    "dense_weights": r.dense_weights,
                    "sampled_weights_per_target_weight": _exact(r.sampled_weights_per_target_weight),
                    "sampled_weights_per_target_weight_decimal": _short(r.sampled_weights_per_target_weight),
                }
            )
        bar.update()
    bar.close()
    return out


def _exact(e: Enclosure | None) -> str | None:
    return None if e is None else str(e.exact)


def _short(e: Enclosure | None) -> str | None:
    return None if e is None else e.short(6)


def as_json(points: list[dict[str, Any]]) -> dict[str, Any]:
    """The sweep's JSON document (docs/sweep.json)."""
    return {"sweep": points}


def summary_line(points: list[dict[str, Any]]) -> str:
    """How much the sweep computed: rows (one per bound) over settings (axis, value)."""
    return f"{len(points)} rows over {len({(p['axis'], p['value']) for p in points})} settings"


def figures(points: list[dict[str, Any]], stem: Path) -> list[Path]:
    """One panel per axis: sampled weights of G per target weight for every row with a number (PNG and SVG);
    upper bounds solid, lower bounds dashed."""
    plt = pyplot()

    axes_names = list(dict.fromkeys(p["axis"] for p in points))
    fig, axs = plt.subplots(1, len(axes_names), figsize=(4.2 * len(axes_names), 4.0), squeeze=False)
    for ax, name in zip(axs[0], axes_names, strict=True):
        pts = [p for p in points if p["axis"] == name]
        for row in dict.fromkeys(p["row"] for p in pts):
            mine = [p for p in pts if p["row"] == row and p["sampled_weights_per_target_weight_decimal"] is not None]
            if not mine:  # a row without a number (an unknown constant) is not drawn
                continue
            xs = [float(Fraction(p["value"])) for p in mine]
            ys = [float(p["sampled_weights_per_target_weight_decimal"]) for p in mine]
            lower, applies = mine[0]["bound"] == "lower", all(p["applies"] for p in mine)
            style = "o-" if not lower else "s--" if applies else "s:"
            what = "upper" if not lower else "lower" if applies else "lower, one layer: reference"
            ax.plot(xs, ys, style, label=f"{row} ({what})", markersize=3)
        ax.set_xscale("log")
        ax.set_yscale("log")
        if name in {"eps", "delta"}:
            ax.invert_xaxis()
        ax.set_xlabel(name)
        ax.grid(True, which="both", alpha=0.3)
    axs[0][0].set_ylabel("sampled weights of G per target weight")
    axs[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return save(fig, stem)
