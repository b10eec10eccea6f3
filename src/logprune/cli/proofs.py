"""``logprune proofs``: run the executable proofs of every claim and print one line (or JSON) per claim.

Each line counts the claim's steps per status (proven, tested, instance, argued, failed; see
:mod:`logprune.proofs.framework`) and says whether each mutation was caught; a last line gives the totals.
Exit status: 0 when no step failed and every mutation made a step fail, 1 otherwise, 2 on bad input.
``--no-mutations`` skips the mutations (a quicker run that still exits 1 when a step fails)."""

from __future__ import annotations

import argparse
from typing import Any

from logprune.atomic import write_block, write_text_atomic
from logprune.cli.common import add_output, emit_json, emit_lines

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "proofs",
        help="run the executable proofs of every claim (C1-C3, L1-L4, pooling); exit 1 if a step fails or a "
        "mutation is not caught",
    )
    p.add_argument("--only", default=None, help="one claim id (L1 .. L4, propagation, pooling-A, pooling-B, C1 .. C3)")
    p.add_argument(
        "--report",
        action="append",
        default=None,
        metavar="FILE",
        help="write the Markdown report here (repeatable); a file with the markers <!-- proofs:start --> ... "
        "<!-- proofs:end --> (the README) gets only the counts between them",
    )
    p.add_argument("--latex", default=None, help="write the standalone LaTeX report here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--no-mutations",
        dest="mutations",
        action="store_false",
        help="skip the proof modules' own mutations (faster; used by benchmarks/mutation_score.py); still exit 1 "
        "if a step fails",
    )
    add_output(
        p,
        json_help='print {"claims": [{"id", "steps": [{"statement", "status", "evidence", ...}]}, ...]} instead',
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from logprune.proofs import CLAIMS, by_id
    from logprune.proofs.report import counts_sentence, latex, line, markdown, ok, run_all, total_line

    results = run_all((by_id(args.only),) if args.only else CLAIMS, mutations=args.mutations, progress=not args.quiet)
    if args.json:
        from logprune.proofs.report import as_json

        emit_json(args, as_json(results))
    else:
        emit_lines(args, [*(line(r) for r in results), total_line(results)])
    for path in args.report or ():
        write_block(path, "proofs", counts_sentence(results), whole=markdown(results))
    if args.latex:
        write_text_atomic(args.latex, latex(results))
    bad = not ok(results)
    return 1 if bad else 0
