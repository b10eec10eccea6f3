"""A snapshot of every constant and bound on a fixed grid: the regression test of the theory.

Exact values only (integers, rationals as "p/q", exact sympy forms): a change in any formula of bounds/
shows as a diff of ``tests/bounds/data/theory_snapshot.json``, which a test regenerates and compares exactly.
Regenerate with ``logprune snapshot --output tests/bounds/data/theory_snapshot.json`` after an intended change.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import batch, golden, hyperbolic, sampling, uniform
from logprune.bounds.rows import table
from logprune.bounds.setting import setting

__all__ = ["GRID", "snapshot", "snapshot_json"]

GRID: dict[str, Any] = {
    "eps": ["1/100", "1/10000", "1/1000000"],
    "delta": ["1/100", "1/1000000"],
    "n": [10, 100],
    "layers": [2, 10],
    "bases": ["phi", "3/2", "2"],
    "k": [1, 2, 5, 10, 21, 40],
}


def _exact(v: Any) -> Any:
    if isinstance(v, bool | int | str) or v is None:
        return v
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, sp.Basic):
        return sp.sstr(v)
    if isinstance(v, dict):
        return {k: _exact(x) for k, x in v.items() if k not in {"mid", "rad"}}
    if isinstance(v, list | tuple):
        return [_exact(x) for x in v]
    if hasattr(v, "exact"):  # an Enclosure: its exact form is the regression value
        return sp.sstr(v.exact)
    return str(v)


def snapshot() -> dict[str, Any]:
    """Every constant of bounds/ on :data:`GRID`, as exact JSON values."""
    out: dict[str, Any] = {"grid": GRID}
    out["golden"] = {
        f"{b}|{e}": {"admissible": golden.admissibility(b).admissible, "k": golden.k_exact(eps=e, base=b)}
        for b in GRID["bases"]
        for e in GRID["eps"]
    }
    out["coverage"] = {
        str(k): {
            "hyperbolic": _exact(hyperbolic.coverage(k)),
            "separate": _exact(hyperbolic.coverage_separate(k)),
            "designed": _exact(hyperbolic.coverage_designed(k)),
            "digest": _exact(hyperbolic.coverage_digest(k)),
            "uniform_lower": str(uniform.coverage(k_segments=k).lower),
        }
        for k in GRID["k"]
    }
    out["batch"] = {
        f"k={k}|delta={d}": {
            "M": batch.M(c=hyperbolic.coverage(k), m=1, k=k, delta=d),
            "M_exact": batch.M_exact(c=hyperbolic.coverage(k), m=1, k=k, delta=d),
        }
        for k in GRID["k"][1:]
        for d in GRID["delta"]
    }
    out["samples"] = {
        f"eps={e}|delta={d}": {
            "L1": sampling.L1_samples(eps=e, delta=d)["samples"] if Fraction(e) >= Fraction(1, 10000) else None,
            "L2": sampling.L2_samples(eps=e, delta=d)["samples"],
            "L3": sampling.L3_samples(k_segments=golden.k_exact(eps=e), delta=d)["samples"],
        }
        for e in GRID["eps"]
        for d in GRID["delta"]
    }
    rows: dict[str, Any] = {}
    for n in GRID["n"]:
        for ll in GRID["layers"]:
            for e in GRID["eps"]:
                st = setting(n=n, layers=ll, eps=e, delta=GRID["delta"][0])
                for r in table(st):
                    j = r.as_json()
                    rows[f"n={n}|l={ll}|eps={e}|{r.name}"] = {
                        "bound": j["bound"],
                        "status": j["status"],
                        "depth": j["depth"],
                        "width": j["width"],
                        "neurons": j["neurons"],
                        "sampled_weights": j["sampled_weights"],
                        "dense_weights": j["dense_weights"],
                        "sampled_weights_per_target_weight": _exact(j["sampled_weights_per_target_weight"]),
                        "symbolic": j["symbolic"],
                        **({"k": j["k"], "c": j["c"]} if "k" in j else {}),
                    }
    out["theorems"] = rows
    return out


def snapshot_json() -> str:
    return json.dumps(snapshot(), indent=1, sort_keys=True) + "\n"
