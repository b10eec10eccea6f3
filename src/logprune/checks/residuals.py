"""Worst-case hunt for the golden-ratio residual (docs/claims.md, L3; issue #5): hypothesis ``target()`` maximises
residual/(s·b^-k) over values and samples in the segments.  For b <= phi every example is checked exactly
to stay <= 1 (and the hunt should approach 1); for b > phi it must find examples above 1."""

from __future__ import annotations

import tempfile
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import golden
from logprune.validation import parse_base

__all__ = ["hunt"]


def hunt(*, base: str, k: int, max_examples: int) -> dict[str, Any]:
    from hypothesis import HealthCheck, Phase, given, settings, target
    from hypothesis import strategies as st

    segs = [golden.segment_inner_rational(i, base=base) for i in range(1, k + 1)]
    bound_f = float(sp.N(parse_base(base) ** (-k), 30))
    state: dict[str, Any] = {"max_ratio": 0.0, "exceeded": 0, "examples": 0}

    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate, Phase.target],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.fractions(min_value=0, max_value=1, max_denominator=10**9),
        st.lists(st.fractions(min_value=0, max_value=1, max_denominator=10**6), min_size=k, max_size=k),
    )
    def probe(v: Fraction, ts: list[Fraction]) -> None:
        xs = [lo + (hi - lo) * t for (lo, hi), t in zip(segs, ts, strict=True)]
        _, r = golden.greedy(v, xs)
        ratio = float(r) / bound_f
        target(ratio)
        state["examples"] += 1
        state["max_ratio"] = max(state["max_ratio"], ratio)
        if not golden.residual_within_bound(r, scale=1, base=base, k_used=k):  # exact / certified comparison
            state["exceeded"] += 1

    # hypothesis keeps caches in a .hypothesis/ folder of the working directory even without a database:
    # a check writes nothing there unless asked, so the hunt runs with its home in a temporary folder
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    previous = storage_directory()
    with tempfile.TemporaryDirectory(prefix="logprune-hypothesis-") as home:
        set_hypothesis_home_dir(home)
        try:
            probe()
        finally:
            set_hypothesis_home_dir(str(previous))
    admissible = golden.admissibility(base).admissible
    ok = state["exceeded"] == 0 if admissible else state["exceeded"] > 0
    return {"claim": "L3 residual hunt", "base": base, "k": k, "admissible": admissible, **state, "ok": ok}
