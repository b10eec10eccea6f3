"""``logprune construct`` and ``logprune demo``: build Ĝ from a seeded random G and a target, and certify it.

The construction flags are the option table's (:data:`logprune.construct.options.OPTIONS`: flag, help,
choices); the run flags (``--a-posteriori``, ``--attack``, ``--workers``, ``--scheduler``, ``--inputs``,
``--quiet``) are :func:`logprune.prune`'s keywords.  This module parses, calls :func:`logprune.api.prune`
and prints what the library formats (the summary, the failure message, the JSON).
"""

from __future__ import annotations

import argparse
from typing import Any

from logprune.cli.common import (
    add_attack,
    add_output,
    add_target_reading,
    attack_budget,
    emit_json,
    emit_lines,
    error,
    note,
)

__all__ = ["DEMO_EPS", "register", "run_construct", "run_demo"]

DEMO_EPS = "0.01"  # demo's output accuracy when neither --eps nor --weight-eps is given
_EPS_NOTE = {
    False: "; required unless --weight-eps is given, not both",
    True: f"; default {DEMO_EPS} unless --weight-eps",
}


def add_construction_options(p: argparse.ArgumentParser, *, demo: bool = False) -> None:
    """One flag per option of the table (dest = the option's name; not given: the table's default)."""
    from logprune.construct.options import OPTIONS

    for o in OPTIONS:
        help_text = o.help + (_EPS_NOTE[demo] if o.name == "eps" else "")
        if o.switch:
            p.add_argument(o.flag, dest=o.name, action="store_true", help=help_text)
        else:
            p.add_argument(o.flag, dest=o.name, default=None, choices=o.choices, metavar=o.metavar, help=help_text)


def request(args: argparse.Namespace) -> dict[str, Any]:
    """The construction options the user gave (the table's names), for :func:`logprune.api.prune`."""
    from logprune.construct.options import OPTIONS

    return {o.name: getattr(args, o.name) for o in OPTIONS if getattr(args, o.name) not in (None, False)}


def _add_options(p: argparse.ArgumentParser, *, demo: bool) -> None:
    if not demo:
        p.add_argument(
            "--target",
            required=True,
            help="target network: .npz (W1..Wl, optional b1..bl), PyTorch state_dict .pt/.pth, or .safetensors",
        )
        add_target_reading(p)
    add_construction_options(p, demo=demo)
    p.add_argument(
        "--a-posteriori",
        action="store_true",
        help="certified mode: choose k by certifying the Ĝ actually built (tight spectral norms of its exact "
        "errors), from below the a-priori k; every k tried is reported",
    )
    p.add_argument(
        "--data",
        default=None,
        metavar="X.npy",
        help="inputs (rows) that set the certified domain: ||x||_2 <= a rigorous bound of their largest norm, x >= 0 "
        "when every entry is; the error is measured on them and --attack searches within it",
    )
    p.add_argument(
        "--inputs",
        default=None,
        metavar="X.npy",
        help="extra inputs (rows) to measure the error on; those outside the certified domain are counted apart",
    )
    p.add_argument(
        "--out",
        action="append",
        default=None,
        help="write Ĝ here, atomically, by extension: .npz, .safetensors, .pt or .pth (a torch model); repeatable "
        "(one build, several files); nothing on failure",
    )
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--workers", default=None, help="parallel processes (default: all cores)")
    engine.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="run the blocks on the Dask scheduler at ADDRESS"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_attack(p)
    add_output(p, json_help="print a JSON summary of the construction instead of the text summary")


def register(sub: Any) -> None:
    c = sub.add_parser("construct", help="build Ĝ from a seeded random G and a target, and certify it")
    _add_options(c, demo=False)
    c.set_defaults(func=run_construct)
    d = sub.add_parser("demo", help="construct Ĝ for the small example target shipped with logprune")
    _add_options(d, demo=True)
    d.set_defaults(func=run_demo)


def _build(args: argparse.Namespace, target: Any, *, given: dict[str, Any], header: list[str]) -> int:
    from logprune.api import prune
    from logprune.construct.io.ghat_file import check_out_path
    from logprune.construct.io.targets import load_inputs

    outs = args.out or []
    for path in outs:
        check_out_path(path)  # an unknown format, or .pt without torch, is refused before any work
    inputs = None if args.inputs is None else load_inputs(args.inputs, target)
    data = None if args.data is None else load_inputs(args.data, target, param="data")
    built = prune(
        target,
        **given,
        workers=args.workers,
        scheduler=args.scheduler,
        inputs=inputs,
        data=data,
        progress=not args.quiet,
        a_posteriori=args.a_posteriori,
        attack=attack_budget(args),
    )
    if built.ok:
        for path in outs:
            built.write(path)  # first: a refused write (e.g. a .pt too large to be dense) prints no summary
    for n in built.notes:
        note(args, f"notice: {n}")
    if args.json:
        emit_json(args, built.as_json())
    else:
        emit_lines(args, [*header, *built.summary_lines(out=", ".join(outs) or None)])
    failure = built.failure_message()
    if failure is not None:
        error(failure)
        return 1
    return 0


def run_construct(args: argparse.Namespace) -> int:
    from logprune.construct.io.targets import load_target

    if args.eps is None and args.weight_eps is None:
        error("one of --eps (certified output mode) or --weight-eps (per-weight mode) is required")
        return 2
    target, notices = load_target(args.target, layer_order=args.layer_order, bn_eps=args.bn_eps)
    for n in notices:
        note(args, f"notice: {n}")
    return _build(args, target, given=request(args), header=[])


def run_demo(args: argparse.Namespace) -> int:
    from logprune.construct.io.targets import demo_target

    target, description = demo_target()
    given = request(args)
    if args.eps is None and args.weight_eps is None:
        given["eps"] = DEMO_EPS
    return _build(args, target, given=given, header=[f"demo target: {description}"])
