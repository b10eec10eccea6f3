"""``logprune proofs``: run the executable proofs of every claim and print one line (or JSON) per claim."""

from __future__ import annotations

import argparse
from typing import Any

from logprune.atomic import write_text_atomic
from logprune.cli.common import add_output, emit_json, emit_lines

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("proofs", help="run the executable proofs of every claim (C1-C3, L1-L4, pooling)")
    p.add_argument("--only", default=None, help="one claim id (L1 .. L4, propagation, pooling-A, pooling-B, C1 .. C3)")
    p.add_argument("--report", default=None, help="write the Markdown report here")
    p.add_argument("--latex", default=None, help="write the standalone LaTeX report here")
    add_output(p, json_help="print a JSON summary of every proof instead of one line per claim")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from logprune.proofs import CLAIMS, by_id
    from logprune.proofs.report import latex, line, markdown, ok, run_all

    results = run_all((by_id(args.only),) if args.only else CLAIMS)
    if args.json:
        from logprune.proofs.report import as_json

        emit_json(args, as_json(results))
    else:
        emit_lines(args, (line(r) for r in results))
    if args.report:
        write_text_atomic(args.report, markdown(results))
    if args.latex:
        write_text_atomic(args.latex, latex(results))
    bad = not ok(results)
    return 1 if bad else 0
