"""``logprune construct`` and ``logprune demo``: build Ĝ from a seeded random G and a target, and certify it.

The construction, its summary, its failure message and its JSON come from the library
(:func:`logprune.construct.pipeline.construct` and its :class:`~logprune.construct.pipeline.Construction`);
this module maps the command-line spellings to :func:`logprune.construct.options.options`
(``--pool`` -> ``pooling``, ``--context`` -> ``arithmetic``, ``--xmax`` -> ``x_max``) and prints.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from logprune.choices import Arithmetic, Dist, Method, Norm, Pooling, Prune, Signs, Support
from logprune.cli.common import add_attack, add_output, attack_budget, cpu_count, emit_json, emit_lines, error
from logprune.validation import MAX_WORKERS, check_int

__all__ = ["register", "run_construct", "run_demo"]

DEMO_EPS = "0.01"  # demo's output accuracy when neither --eps nor --weight-eps is given


def _values(enum: Any) -> list[str]:
    return [m.value for m in enum]


def _add_options(p: argparse.ArgumentParser, *, demo: bool) -> None:
    if not demo:
        p.add_argument(
            "--target",
            required=True,
            help="target network: .npz (W1..Wl, optional b1..bl), PyTorch state_dict .pt/.pth, or .safetensors",
        )
    p.add_argument(
        "--eps",
        default=None,
        help=f"certified output accuracy (default {DEMO_EPS} unless --weight-eps)"
        if demo
        else "certified output accuracy (required unless --weight-eps is given; not both)",
    )
    p.add_argument("--delta", default="0.01", help="failure probability the block size is computed for (default 0.01)")
    p.add_argument("--seed", default="0", help="seed of G (default 0)")
    p.add_argument(
        "--dist", default=Dist.HYPERBOLIC.value, choices=_values(Dist), help="law of G's weights (default hyperbolic)"
    )
    p.add_argument(
        "--pool",
        default=Pooling.SHARED.value,
        choices=_values(Pooling),
        help="pooling (B) shared (default, proven in proofs/pooling_b.py) or (A) per-weight",
    )
    p.add_argument(
        "--method", default=Method.GOLDEN.value, choices=_values(Method), help="pruning rule (default golden)"
    )
    p.add_argument(
        "--weight-eps",
        default=None,
        metavar="E",
        help="per-weight tolerance mode: every weight within E (a complete request without --eps)",
    )
    p.add_argument("--inputs-nonnegative", action="store_true", help="declare x >= 0: one branch in layer 1")
    p.add_argument("--xmax", default="1", help="certify for ||x||_2 <= xmax (default 1)")
    p.add_argument(
        "--norm", default=Norm.L2.value, choices=_values(Norm), help="output norm of the certificate (default l2)"
    )
    p.add_argument(
        "--width",
        default=None,
        help="block size P of G (overrides the bound); adaptive: each block grows until it covers its weights; "
        "calibrated (subset-sum): the recorded empirical RSS calibration's block size",
    )
    p.add_argument(
        "--signs",
        default=Signs.IID.value,
        choices=_values(Signs),
        help="signs of G: iid (fair coins, the theorems' setting), designed (in-weights all + on inputs >= 0, "
        "half and half otherwise) or balanced (designed, and out-weights alternating in sign; subset-sum only)",
    )
    p.add_argument(
        "--support",
        default=Support.SEPARATE.value,
        choices=_values(Support),
        help="supports of G's hyperbolic weights: separate (in-weights over the k segments, out-weights of fixed "
        "magnitude: c = 1/(4k), the default) or shared (one law for both: c = 1/(8(k-1)))",
    )
    p.add_argument(
        "--prune",
        default=Prune.FEWEST.value,
        choices=_values(Prune),
        help="subset-sum's pruner: fewest (the fewest products within eps_w, then the smallest error; the default) "
        "or nearest (each weight's closest subset sum: the smallest errors, for the certified mode)",
    )
    p.add_argument(
        "--context",
        default=Arithmetic.EXACT.value,
        choices=_values(Arithmetic),
        help="arithmetic of the errors (default exact)",
    )
    k_choice = p.add_mutually_exclusive_group()
    k_choice.add_argument(
        "--segments",
        default=None,
        metavar="K[,K2,...]",
        help="certified mode: build with k = K segments (eps_w = w_max·φ^-K), or one k per target layer "
        "(K1,K2,...); the certificate decides",
    )
    k_choice.add_argument(
        "--a-posteriori",
        action="store_true",
        help="certified mode: choose k by certifying the Ĝ actually built (tight spectral norms of its exact "
        "errors), from below the a-priori k; every k tried is reported",
    )
    p.add_argument("--inputs", default=None, help=".npy of extra inputs (rows) to measure the error on")
    p.add_argument(
        "--out",
        default=None,
        help="write Ĝ here, atomically, by extension: .npz, .safetensors, .pt (a torch model); nothing on failure",
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


def _build(args: argparse.Namespace, target: Any, *, eps: str | None, header: list[str]) -> int:
    from logprune.construct.ghat_file import check_out_path
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct, construct_a_posteriori
    from logprune.construct.target import load_inputs

    opt = options(
        eps=eps,
        delta=args.delta,
        seed=args.seed,
        dist=args.dist,
        pooling=args.pool,
        method=args.method,
        weight_eps=args.weight_eps,
        inputs_nonnegative=args.inputs_nonnegative,
        x_max=args.xmax,
        norm=args.norm,
        width=args.width,
        arithmetic=args.context,
        signs=args.signs,
        support=args.support,
        prune=args.prune,
        segments=args.segments,
    )
    if args.a_posteriori and opt.eps is None:
        error("--a-posteriori: only in the certified output mode (give --eps, not --weight-eps)")
        return 2
    workers = cpu_count() if args.workers is None else check_int("workers", args.workers, maximum=MAX_WORKERS)
    if args.out:
        check_out_path(args.out)  # an unknown format, or .pt without torch, is refused before any work
    inputs = None if args.inputs is None else load_inputs(args.inputs, target)
    budget = attack_budget(args)
    build = construct_a_posteriori if args.a_posteriori else construct
    built = build(
        target,
        opt,
        workers=workers,
        scheduler=args.scheduler,
        inputs=inputs,
        progress=not args.quiet,
        attack_budget=budget,
    )
    if args.out and built.ok:
        built.write(args.out)  # first: a refused write (e.g. a .pt too large to be dense) prints no summary
    if args.json:
        emit_json(args, built.as_json())
    else:
        emit_lines(args, [*header, *built.summary_lines(out=args.out)])
    failure = built.failure_message()
    if failure is not None:
        error(failure)
        return 1
    return 0


def run_construct(args: argparse.Namespace) -> int:
    from logprune.construct.target import load_target

    if args.eps is None and args.weight_eps is None:
        error("one of --eps (certified output mode) or --weight-eps (per-weight mode) is required")
        return 2
    target, notices = load_target(args.target)
    for n in notices:
        sys.stderr.write(f"logprune: notice: {n}\n")
    return _build(args, target, eps=args.eps, header=[])


def run_demo(args: argparse.Namespace) -> int:
    from logprune.construct.target import demo_target

    target, description = demo_target()
    eps = DEMO_EPS if args.eps is None and args.weight_eps is None else args.eps
    return _build(args, target, eps=eps, header=[f"demo target: {description}"])
