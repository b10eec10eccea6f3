"""``logprune bounds``: the size of G that every bound of the literature needs (C1, C2, C3, Pensia, counting)."""

from __future__ import annotations

import argparse
from typing import Any

from logprune.cli.common import emit

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("bounds", help="size of G for every bound of the literature (C1, C2, C3, Pensia, counting)")
    p.add_argument("--n", default="100", help="target width n (default 100)")
    p.add_argument("--layers", default="10", help="target depth l (default 10)")
    p.add_argument("--eps", default="0.01", help="output accuracy eps, exact (default 0.01)")
    p.add_argument("--delta", default="0.01", help="failure probability (default 0.01)")
    p.add_argument("--wmax", default=None, help="max |weight| of F (C3; default Malach: 1/sqrt(n))")
    p.add_argument("--xmax", default=None, help="bound on ||x||_2 (C3)")
    p.add_argument("--fmax", default=None, help="bound on every activation of F (C3)")
    p.add_argument("--norms", nargs="+", default=None, help="upper bounds of ||W_i||_2: one, or one per layer")
    p.add_argument("--base", default="phi", help="decomposition base: phi (default), 3/2, ...")
    p.add_argument("--inputs-nonnegative", action="store_true", help="inputs >= 0: one branch in layer 1")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON instead of the text table")
    fmt.add_argument("--latex", action="store_true", help="print a LaTeX table")
    p.add_argument("--output", default=None, metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from logprune.bounds import render, theorems

    st = theorems.setting(
        n=args.n,
        layers=args.layers,
        eps=args.eps,
        delta=args.delta,
        w_max=args.wmax,
        x_max=args.xmax,
        f_max=args.fmax,
        norms=args.norms,
        base=args.base,
        inputs_nonnegative=args.inputs_nonnegative,
    )
    rows = theorems.rows(st)
    draw = render.table_json if args.json else render.table_latex if args.latex else render.table_text
    emit(args, draw(st, rows))
    return 0
