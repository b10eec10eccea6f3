"""``logprune check claims|practice|sweep|rss``: the theory against samples.

Each subcommand is one function that registers its parser (:data:`SUBCOMMANDS`); a subcommand takes only
the options it uses, so argparse refuses the others with one line (exit 2) instead of ignoring them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from logprune.cli.common import Parser, add_output, cpu_count, emit, emit_json, emit_lines, error, note
from logprune.errors import ParameterError
from logprune.extras import require
from logprune.progress import progress
from logprune.validation import MAX_SEED, MAX_TRIALS, MAX_WORKERS, check_int, check_open_unit

__all__ = ["SUBCOMMANDS", "register"]


def _claims(sub: Any) -> None:
    p = sub.add_parser("claims", help="Monte-Carlo validity and tightness of every sampling claim (L1-L4, samplers)")
    p.add_argument("--quick", action="store_true", help="the quick version the test suite runs")
    p.add_argument("--trials", default=None, help="trials per claim (default 400 quick, 4000 full)")
    p.add_argument("--confidence", default="0.99", help="confidence of the Clopper-Pearson intervals (default 0.99)")
    p.add_argument("--seed", default="0", help="seed of the experiments (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_output(p, json_help="print the results as JSON instead of one line per check")
    p.set_defaults(func=run_claims)


def _practice(sub: Any) -> None:
    p = sub.add_parser("practice", help="sampled weights per target weight in practice (the README's answers)")
    p.add_argument("--quick", action="store_true", help="two eps, one seed (seconds)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--workers", default=None, help="parallel processes (default: all cores)")
    engine.add_argument("--scheduler", default=None, metavar="ADDRESS", help="run on the Dask cluster at ADDRESS")
    p.add_argument(
        "--report",
        action="append",
        default=None,
        metavar="MD",
        help="write the answers (Markdown) here; a file with the README's practice markers keeps the rest "
        "(--report README.md replaces the answers section only); may be repeated",
    )
    p.add_argument("--figure", default=None, metavar="STEM", help="write PNG and SVG figures (path stem)")
    add_output(p, json_help="print the runs as JSON instead of the answers (Markdown)")
    p.set_defaults(func=run_practice)


def _sweep(sub: Any) -> None:
    p = sub.add_parser("sweep", help="theorem-level sizes over eps, n, layers, delta (JSON, figures)")
    p.add_argument("--figure", default=None, metavar="STEM", help="write PNG and SVG figures (path stem)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_output(p, json_help="print every point as JSON instead of the one-line summary")
    p.set_defaults(func=run_sweep)


def _rss(sub: Any) -> None:
    p = sub.add_parser("rss", help="random subset sum: failure rate of n samples, exact search, Clopper-Pearson")
    p.add_argument(
        "--law", default=None, help="uniform | uniform-product | hyperbolic | hyperbolic-product (of the samples)"
    )
    p.add_argument("--alpha", default=None, help="hyperbolic laws: lower end of |w|")
    p.add_argument("--beta", default=None, help="hyperbolic laws: upper end of |w|")
    p.add_argument("--n", default=None, help="samples per trial (not with --least)")
    p.add_argument("--eps", default=None, help="accuracy, exact (required unless --calibrate)")
    p.add_argument(
        "--target", default="uniform", help="uniform (z ~ U[-1, 1] per trial) | sup (all z in [-1, 1]) | a number"
    )
    p.add_argument("--trials", default=None, help="trials (default 1000)")
    p.add_argument("--seed", default=None, help="seed (default 0)")
    p.add_argument("--confidence", default=None, help="confidence of the Clopper-Pearson interval (default 0.95)")
    p.add_argument("--least", action="store_true", help="find the least n whose upper confidence limit is <= --delta")
    p.add_argument(
        "--delta", default=None, help="with --least: the failure probability to certify (--calibrate: delta_w, 1/100)"
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="the subset-sum default block: least n per eps/s on a grid (uniform-product, z ~ U[-1, 1]; empirical)",
    )
    p.add_argument(
        "--module",
        default=None,
        metavar="PATH",
        help="with --calibrate: write the table module (bounds/rss_calibration.py)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_output(p, json_help="print the result as JSON")
    p.set_defaults(func=run_rss)


# adding a subcommand: one function that registers its parser (with ``func``), listed here
SUBCOMMANDS: tuple[Callable[[Any], None], ...] = (_claims, _practice, _sweep, _rss)


def register(sub: Any) -> None:
    c = sub.add_parser("check", help="the theory against samples: check claims, practice, sweep, rss")
    csub = c.add_subparsers(dest="check", required=True, parser_class=Parser)
    for add in SUBCOMMANDS:
        add(csub)
    csub.metavar = "{" + ",".join(csub.choices) + "}"  # the one-line error of a bare `check` lists them


def run_claims(args: argparse.Namespace) -> int:
    from logprune.checks.runner import failed, lines, run_checks

    conf = float(check_open_unit("confidence", args.confidence))
    trials = None if args.trials is None else check_int("trials", args.trials, minimum=10, maximum=MAX_TRIALS)
    seed = check_int("seed", args.seed, minimum=0, maximum=MAX_SEED)
    doc = run_checks(quick=args.quick, trials=trials, confidence=conf, seed=seed, progress=not args.quiet)
    if args.json:
        emit_json(args, doc, indent=1, sort_keys=True)
    else:
        emit_lines(args, lines(doc))
    bad = failed(doc)
    if bad:
        error(f"refuted: {'; '.join(bad)}")
        return 1
    return 0


def _figure_needs(args: argparse.Namespace, what: str) -> None:
    """``--figure`` needs matplotlib: asked before any work, not after it."""
    if getattr(args, "figure", None):
        require("matplotlib", extra="plot", what=f"{what} --figure")


def run_practice(args: argparse.Namespace) -> int:
    from logprune.checks.practice import answers_markdown, as_json, figure, practice, settings, write_report

    _figure_needs(args, "check practice")
    require("scipy", extra="check", what="check practice")
    workers = cpu_count() if args.workers is None else check_int("workers", args.workers, maximum=MAX_WORKERS)
    results = practice(**settings(quick=args.quick), workers=workers, scheduler=args.scheduler, progress=not args.quiet)
    text = answers_markdown(results)
    if args.json:
        emit_json(args, as_json(results), indent=1, sort_keys=True)
    else:
        emit(args, text)
    for path in args.report or ():
        write_report(path, text)
    if args.figure:
        _figures(args, figure, results, args.figure)
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    from logprune.checks.sweep import as_json, figures, summary_line, sweep

    _figure_needs(args, "check sweep")
    points = sweep(progress=not args.quiet)
    if args.json:
        emit_json(args, as_json(points), indent=1, sort_keys=True)
    else:
        emit_lines(args, [summary_line(points)])
    if args.figure:
        _figures(args, figures, points, args.figure)
    return 0


def _figures(args: argparse.Namespace, draw: Callable[[Any, Path], list[Path]], data: Any, stem: str) -> None:
    try:
        paths = draw(data, Path(stem))
    except ImportError:
        raise ParameterError("figure: needs matplotlib (pip install 'logprune[plot]')") from None
    note(args, "figures: " + ", ".join(str(p) for p in paths))


def run_rss(args: argparse.Namespace) -> int:

    from logprune.checks.rss import least_n, rss, setting

    if args.calibrate:
        return _calibrate(args)
    if args.module is not None:
        raise ParameterError(f"module={args.module}: only with --calibrate")
    for name in ("law", "eps"):
        if getattr(args, name) is None:
            raise ParameterError(f"{name}=None: give --{name} (or --calibrate)")
    st = setting(
        law=args.law,
        eps=args.eps,
        target=args.target,
        trials="1000" if args.trials is None else args.trials,
        seed="0" if args.seed is None else args.seed,
        confidence="0.95" if args.confidence is None else args.confidence,
        alpha=args.alpha,
        beta=args.beta,
    )
    if args.least:
        if args.delta is None or args.n is not None:
            raise ParameterError("least: give --delta and no --n (the least n is what --least finds)")
    elif args.n is None or args.delta is not None:
        raise ParameterError("n: give --n (or --least --delta D)")
    with progress(total=None, desc="rss: trials (exact subset-sum search)", unit="trial", show=not args.quiet) as bar:
        res = least_n(st, args.delta, progress=bar.update) if args.least else rss(st, args.n, progress=bar.update)
    if args.json:
        emit_json(args, res.as_json())
    else:
        emit_lines(args, res.lines())
    return 1 if res.n is None else 0


def _calibrate(args: argparse.Namespace) -> int:
    """``check rss --calibrate``: the table of :func:`logprune.checks.rss.calibrate`, written as a module
    with the command that made it in its header (``--module``)."""

    from logprune.atomic import write_text_atomic
    from logprune.checks.rss import CALIBRATION_DEFAULTS, CALIBRATION_MODULE, calibrate, calibration_module

    for name in ("law", "eps", "n", "alpha", "beta"):
        if getattr(args, name) is not None:
            raise ParameterError(f"{name}={getattr(args, name)}: not with --calibrate (its grid and law are fixed)")
    if args.least:
        raise ParameterError("least=True: not with --calibrate (it finds the least n itself)")
    if args.target != "uniform":
        raise ParameterError(f"target={args.target}: not with --calibrate (its target is z ~ U[-1, 1])")
    given = {k: getattr(args, k) for k in ("delta", "trials", "seed", "confidence") if getattr(args, k) is not None}
    kwargs = {**{k: v for k, v in CALIBRATION_DEFAULTS.items() if k != "law"}, **given}
    desc = "rss calibration: trials (exact subset-sum search)"
    with progress(total=None, desc=desc, unit="trial", show=not args.quiet) as bar:
        points = calibrate(**kwargs, progress=bar.update)
    if args.module is not None:
        flags = "".join(f" --{k} {v}" for k, v in given.items())
        write_text_atomic(
            args.module,  # the header names the repository's module, wherever this copy is written
            calibration_module(points, command=f"logprune check rss --calibrate{flags} --module {CALIBRATION_MODULE}"),
        )
    if args.json:
        emit_json(args, {"calibration": [p.as_json() for p in points]})
    else:
        emit_lines(
            args,
            [
                f"eps/s={p.eps}: n={p.n} ({p.failures}/{p.trials} failures, {100 * p.confidence:g} % Clopper-Pearson "
                f"[{p.ci[0]:.3g}, {p.ci[1]:.3g}], delta_w={p.delta}, {p.law}, seed={p.seed}; empirical)"
                for p in points
            ],
        )
    return 0 if all(p.n is not None for p in points) else 1
