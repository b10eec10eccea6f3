"""``logprune bounds``: the size of G that every bound of the literature needs (C1, C2, C3, Pensia, counting),
for an n×n stand-in (``--n``/``--layers``), given widths (``--widths``), or a real model (``--target``)."""

from __future__ import annotations

import argparse
from typing import Any

from logprune.bounds.rows import user_constants
from logprune.cli.common import add_target_reading, emit, note
from logprune.errors import ParameterError

__all__ = ["register", "run"]

_MODEL_FIXES = ("n", "layers", "widths", "wmax", "fmax", "norms")  # what --target computes itself


def register(sub: Any) -> None:
    p = sub.add_parser("bounds", help="size of G for every bound of the literature (C1, C2, C3, Pensia, counting)")
    p.add_argument("--n", default=None, help="target width n (default 100)")
    p.add_argument("--layers", default=None, help="target depth l (default 10)")
    p.add_argument(
        "--widths", nargs="+", default=None, help="the widths n_0 .. n_l of a target (instead of --n/--layers)"
    )
    p.add_argument(
        "--target", default=None, help="a real model (.npz, .pt/.pth, .safetensors): its widths, w_max and norms (C3)"
    )
    p.add_argument(
        "--data",
        default=None,
        metavar="X.npy",
        help="with --target: inputs (rows) that set the domain: x_max and F_max are rigorous bounds on them",
    )
    add_target_reading(p)
    p.add_argument("--eps", default="0.01", help="output accuracy eps, exact (default 0.01)")
    p.add_argument("--delta", default="0.01", help="failure probability (default 0.01)")
    p.add_argument("--wmax", default=None, help="max |weight| of F (C3; default Malach: 1/sqrt(n))")
    p.add_argument("--xmax", default=None, help="bound on ||x||_2 (C3)")
    p.add_argument("--fmax", default=None, help="bound on every activation of F (C3)")
    p.add_argument("--norms", nargs="+", default=None, help="upper bounds of ||W_i||_2: one, or one per layer")
    p.add_argument("--base", default="phi", help="decomposition base: phi (default), 3/2, ...")
    p.add_argument("--inputs-nonnegative", action="store_true", help="inputs >= 0: one branch in layer 1")
    for c in user_constants():  # the rows' constants, declared by their sources (logprune.bounds.rows)
        p.add_argument(c.flag, dest=c.name, default=None, metavar=str(c.symbol), help=c.help)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON instead of the text table")
    fmt.add_argument("--latex", action="store_true", help="print a LaTeX table")
    p.add_argument("--output", default=None, metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(func=run)


def _constants(args: argparse.Namespace) -> dict[str, Any]:
    """The values of the rows' constants given on the command line."""
    return {c.name: getattr(args, c.name) for c in user_constants() if getattr(args, c.name) is not None}


def _model_setting(args: argparse.Namespace) -> tuple[list[str], Any]:
    """The model's numbers (lines printed above the text table) and the table's setting."""
    from logprune.construct.io.targets import load_inputs, load_target
    from logprune.construct.model_bounds import model_numbers, model_setting
    from logprune.validation import check_positive

    given = [f"--{k}" for k in _MODEL_FIXES if getattr(args, k) is not None]
    if given:
        raise ParameterError(f"target={args.target}: {', '.join(given)} come from the model; drop them")
    target, notices = load_target(args.target, layer_order=args.layer_order, bn_eps=args.bn_eps)
    for n in notices:
        note(args, f"notice: {n}")
    data = None if args.data is None else load_inputs(args.data, target, param="data")
    x_max = None if args.xmax is None else check_positive("xmax", args.xmax)
    if x_max is not None and data is not None:
        raise ParameterError(f"xmax={args.xmax}: --data gives x_max (and F_max); give one of them")
    numbers = model_numbers(target, x_max=x_max, data=data)
    return numbers.lines(), model_setting(
        numbers,
        eps=args.eps,
        delta=args.delta,
        base=args.base,
        inputs_nonnegative=args.inputs_nonnegative,
        **_constants(args),
    )


def run(args: argparse.Namespace) -> int:
    from logprune.bounds import render
    from logprune.bounds.rows import table
    from logprune.bounds.setting import setting

    head: list[str] = []
    if args.target is not None:
        head, st = _model_setting(args)
    else:
        if args.layer_order is not None or args.bn_eps is not None:
            raise ParameterError("layer_order/bn_eps: they read a model; give --target")
        if args.data is not None:
            raise ParameterError(f"data={args.data}: goes with --target (the model it feeds)")
        if args.widths is not None and (args.n is not None or args.layers is not None):
            raise ParameterError(f"widths={' '.join(args.widths)}: give --widths, or --n and --layers, not both")
        shape: dict[str, Any] = (
            {"widths": args.widths}
            if args.widths is not None
            else {"n": args.n or "100", "layers": args.layers or "10"}
        )
        st = setting(
            **shape,
            eps=args.eps,
            delta=args.delta,
            w_max=args.wmax,
            x_max=args.xmax,
            f_max=args.fmax,
            norms=args.norms,
            base=args.base,
            inputs_nonnegative=args.inputs_nonnegative,
            **_constants(args),
        )
    rows = table(st)
    if args.json:
        emit(args, render.table_json(st, rows))
    elif args.latex:
        emit(args, render.table_latex(st, rows))
    else:  # the model's numbers head the text table (in the JSON they are the setting's)
        emit(args, "".join(f"{line}\n" for line in head) + render.table_text(st, rows))
    return 0
