"""``logprune constants golden|hyperbolic|batch``: one lemma's constants (L3, the hyperbolic law, L4).

The numbers and their text come from :mod:`logprune.bounds.reports`; this module only parses and prints.
"""

from __future__ import annotations

import argparse
from typing import Any

from logprune.cli.common import Parser, add_output, emit_json, emit_lines

__all__ = ["register", "run_batch", "run_golden", "run_hyperbolic"]


def register(sub: Any) -> None:
    c = sub.add_parser("constants", help="one lemma's constants (golden, hyperbolic, batch)")
    csub = c.add_subparsers(dest="which", required=True, parser_class=Parser, metavar="{golden,hyperbolic,batch}")
    g = csub.add_parser("golden", help="L3: admissibility, k, residual bound")
    g.add_argument("--eps", required=True)
    g.add_argument("--scale", default="1")
    g.add_argument("--base", default="phi")
    h = csub.add_parser("hyperbolic", help="hyperbolic law: segment probability, coverage")
    h.add_argument("--alpha", required=True)
    h.add_argument("--beta", required=True)
    h.add_argument("--base", default="phi")
    h.add_argument("--k", default=None, help="number of segments: also report coverage and the best support")
    h.add_argument("--scale", default="1")
    b = csub.add_parser("batch", help="L4: batch size M and the exact-tail M_exact")
    b.add_argument("--c", required=True)
    b.add_argument("--m", required=True)
    b.add_argument("--k", required=True)
    b.add_argument("--delta", required=True)
    for q, fn in ((g, run_golden), (h, run_hyperbolic), (b, run_batch)):
        add_output(q)
        q.set_defaults(func=fn)


def _print(args: argparse.Namespace, report: Any) -> int:
    if args.json:
        emit_json(args, report.as_json())
    else:
        emit_lines(args, report.lines())
    return 0


def run_golden(args: argparse.Namespace) -> int:
    from logprune.bounds.reports import golden_report

    return _print(args, golden_report(eps=args.eps, scale=args.scale, base=args.base))


def run_hyperbolic(args: argparse.Namespace) -> int:
    from logprune.bounds.reports import hyperbolic_report

    return _print(args, hyperbolic_report(alpha=args.alpha, beta=args.beta, base=args.base, k=args.k, scale=args.scale))


def run_batch(args: argparse.Namespace) -> int:
    from logprune.bounds.reports import batch_report

    return _print(args, batch_report(c=args.c, m=args.m, k=args.k, delta=args.delta))
