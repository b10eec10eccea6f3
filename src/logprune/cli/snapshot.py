"""``logprune snapshot``: every constant and bound on a fixed grid, exact (the regression of the theory)."""

from __future__ import annotations

import argparse
from typing import Any

from logprune.cli.common import add_output, emit

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("snapshot", help="every constant and bound on a fixed grid, exact (regression of the theory)")
    add_output(p, json_help="print JSON (the snapshot is JSON either way: the switch is accepted for uniformity)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from logprune.bounds.snapshot import snapshot_json

    emit(args, snapshot_json())
    return 0
