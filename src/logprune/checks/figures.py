"""Writing the checks' figures: PNG and SVG, byte-identical for the same data.

matplotlib stamps a date into SVG metadata and draws SVG element ids from a random salt; both are fixed
here, so that regenerating ``docs/`` from the same run changes no byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["pyplot", "save"]

SALT = "logprune"  # fixed SVG id salt (matplotlib's default is random per process)


def pyplot() -> Any:
    """matplotlib.pyplot on the non-interactive Agg backend (no display here or in CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, stem: Path) -> list[Path]:
    """Write ``fig`` as stem.png and stem.svg and close it; returns the paths."""
    plt = pyplot()
    out = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    with plt.rc_context({"svg.hashsalt": SALT}):
        for p in out:
            fig.savefig(p, metadata={"Date": None} if p.suffix == ".svg" else None)
    plt.close(fig)
    return out
