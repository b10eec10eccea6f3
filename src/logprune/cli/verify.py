"""``logprune verify``: re-derive a Ĝ file from its seed and the target (the library's VerifyReport prints itself)."""

from __future__ import annotations

import argparse
from typing import Any

from logprune.choices import Arithmetic
from logprune.cli.common import add_attack, add_output, add_target_reading, attack_budget, emit_json, emit_lines, note

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="re-derive a Ĝ file from its seed and the target")
    p.add_argument("ghat", help="the Ĝ file (.npz or .safetensors) written by construct --out")
    p.add_argument(
        "--target", required=True, help="the target network Ĝ was built for (.npz, .pt/.pth or .safetensors)"
    )
    p.add_argument(
        "--context",
        default=None,
        choices=[m.value for m in Arithmetic],
        help="arithmetic of the recomputed errors (default: the one the file was built with; another one gives "
        "another bound, which is not compared with the file's)",
    )
    accuracy = p.add_mutually_exclusive_group()
    accuracy.add_argument(
        "--eps",
        default=None,
        help="your output accuracy: OK when the recomputed certificate is <= EPS, whatever the file claims "
        "(default: check the file's own claim, and say so)",
    )
    accuracy.add_argument(
        "--weight-eps",
        default=None,
        metavar="E",
        help="your per-weight tolerance: OK when the recomputed largest weight error is <= E",
    )
    add_target_reading(p)
    p.add_argument(
        "--inputs",
        default=None,
        metavar="X.npy",
        help="extra inputs (rows) to measure the error on; those outside the file's certified domain are counted apart",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_attack(p)
    add_output(p, json_help="print a JSON summary of the verification instead of the text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from logprune.api import verify
    from logprune.construct.io.targets import load_inputs, load_target

    target, notices = load_target(args.target, layer_order=args.layer_order, bn_eps=args.bn_eps)
    for n in notices:
        note(args, f"notice: {n}")
    report = verify(
        args.ghat,
        target,
        arithmetic=args.context,
        eps=args.eps,
        weight_eps=args.weight_eps,
        attack=attack_budget(args),
        inputs=None if args.inputs is None else load_inputs(args.inputs, target),
        progress=not args.quiet,
    )
    if args.json:
        emit_json(args, report.as_json())
    else:
        emit_lines(args, report.lines())
    return 0 if report.ok else 1
