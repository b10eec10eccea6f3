"""Regression test of the theory: every constant and bound on a fixed grid, compared exactly."""

from __future__ import annotations

import json
from pathlib import Path

from logprune.bounds.snapshot import snapshot_json

SNAPSHOT = Path(__file__).resolve().parent / "data" / "theory_snapshot.json"


def test_theory_snapshot_is_unchanged() -> None:
    fresh = snapshot_json()
    committed = SNAPSHOT.read_text()
    if fresh != committed:  # name the first differing entries, so the diff is readable in CI
        a, b = json.loads(committed), json.loads(fresh)
        diffs = [
            f"{sec}/{key}: {a[sec].get(key)} -> {b[sec].get(key)}"
            for sec in sorted(set(a) | set(b))
            if isinstance(a.get(sec), dict) and isinstance(b.get(sec), dict)
            for key in sorted(set(a[sec]) | set(b[sec]))
            if a[sec].get(key) != b[sec].get(key)
        ]
        raise AssertionError(
            "theory snapshot changed (regenerate with `logprune snapshot --output "
            f"tests/bounds/data/theory_snapshot.json` if intended): {diffs[:5]}"
        )


def test_snapshot_holds_only_exact_values() -> None:
    def walk(v: object) -> None:
        assert not isinstance(v, float), v
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(json.loads(SNAPSHOT.read_text()))
