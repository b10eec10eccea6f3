"""The ``logprune`` command line (argparse).  Scripts depend on the names here: keep them stable.

Every user error ends in one line on stderr (``logprune: error: ...``) and exit status 2; an unexpected
failure prints one line too (exit 3), never a traceback.  ``--output`` files are written atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import sympy as sp

from logprune import __version__
from logprune.atomic import write_text_atomic
from logprune.errors import LogpruneError, ParameterError

__all__ = ["main"]

DEFAULTS = {"n": "100", "layers": "10", "eps": "0.01", "delta": "0.01"}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"logprune: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _emit(args: argparse.Namespace, text: str) -> None:
    out = getattr(args, "output", None)
    if out:
        write_text_atomic(out, text)
    else:
        sys.stdout.write(text)


def _add_bounds_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n", default=DEFAULTS["n"], help="target width n (default 100)")
    p.add_argument("--layers", default=DEFAULTS["layers"], help="target depth l (default 10)")
    p.add_argument("--eps", default=DEFAULTS["eps"], help="output accuracy eps, exact (default 0.01)")
    p.add_argument("--delta", default=DEFAULTS["delta"], help="failure probability (default 0.01)")
    p.add_argument("--wmax", default=None, help="max |weight| of F (C3; default Malach: 1/sqrt(n))")
    p.add_argument("--xmax", default=None, help="bound on ||x||_2 (C3)")
    p.add_argument("--fmax", default=None, help="bound on every activation of F (C3)")
    p.add_argument("--norms", nargs="+", default=None, help="upper bounds of ||W_i||_2: one, or one per layer")
    p.add_argument("--base", default="phi", help="decomposition base: phi (default), 3/2, ...")
    p.add_argument("--inputs-nonnegative", action="store_true", help="inputs >= 0: one branch in layer 1")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON output")
    fmt.add_argument("--latex", action="store_true", help="LaTeX table")
    p.add_argument("--output", default=None, help="write to this file (atomically) instead of stdout")


def run_bounds(args: argparse.Namespace) -> int:
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
    if args.json:
        _emit(args, render.table_json(st, rows))
    elif args.latex:
        _emit(args, render.table_latex(st, rows))
    else:
        _emit(args, render.table_text(st, rows))
    return 0


def _dump(args: argparse.Namespace, doc: dict[str, Any]) -> None:
    if args.json:
        _emit(args, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        _emit(args, "".join(f"{k}: {_plain(v)}\n" for k, v in doc.items()))


def _plain(v: Any) -> str:
    if isinstance(v, dict) and "mid" in v:
        return f"{v['mid']} (exact: {v['exact']}, radius <= {v['rad']})"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def run_golden(args: argparse.Namespace) -> int:
    from logprune.bounds import golden
    from logprune.validation import check_positive, sympy_rational

    eps = check_positive("eps", args.eps)
    scale = check_positive("scale", args.scale)
    adm = golden.admissibility(args.base)
    k = golden.k_exact(eps=eps, scale=scale, base=args.base)
    doc: dict[str, Any] = {
        "claim": "L3",
        "base": sp.sstr(adm.base),
        "eps": str(eps),
        "scale": str(scale),
        "admissible": adm.admissible,
        "reason": adm.reason,
        "slack": adm.slack.as_json(),
        "k": k,
        "k_formula": "max(0, ceil(log_b(scale/eps)))",
        "residual_bound": golden.residual_bound(eps=eps, scale=scale, base=args.base).as_json()
        if adm.admissible
        else None,
    }
    if not adm.admissible and isinstance(adm.base, sp.Rational) and k >= 1:
        v, xs = golden.counterexample(base=adm.base, k_segments=k, scale=scale)
        _, r = golden.greedy(v, xs)
        bound = scale * (sp.Rational(1) / adm.base) ** k
        doc["counterexample"] = {
            "v": str(v),
            "samples": [str(x) for x in xs],
            "residual": str(r),
            "bound": sp.sstr(bound),
            "residual_exceeds_bound": bool(sympy_rational(r) > bound),
        }
    _dump(args, doc)
    return 0


def run_hyperbolic(args: argparse.Namespace) -> int:
    from logprune.bounds import hyperbolic

    seg = hyperbolic.segment_probability(alpha_=args.alpha, beta_=args.beta, base=args.base)
    signed = hyperbolic.segment_probability(alpha_=args.alpha, beta_=args.beta, base=args.base, signed=True)
    doc: dict[str, Any] = {
        "claim": "L3 (hyperbolic law)",
        "alpha": args.alpha,
        "beta": args.beta,
        "base": args.base,
        "segment_probability": seg.as_json(),
        "segment_probability_with_sign": signed.as_json(),
    }
    if args.k is not None:
        cov = hyperbolic.coverage_for_support(
            k_segments=int(args.k), alpha_=args.alpha, beta_=args.beta, base=args.base, scale=args.scale
        )
        best = hyperbolic.optimal_support(k_segments=int(args.k), base=args.base, scale=args.scale)
        doc["k"] = int(args.k)
        doc["coverage_for_this_support"] = cov.as_json()
        doc["optimal_support"] = best.as_json()
        doc["optimal_coverage"] = sp.sstr(hyperbolic.coverage(int(args.k)))
        doc["digest_coverage"] = sp.sstr(hyperbolic.coverage_digest(int(args.k)))
    _dump(args, doc)
    return 0


def run_batch(args: argparse.Namespace) -> int:
    from logprune.bounds import batch
    from logprune.validation import check_int, check_open_unit

    c = check_open_unit("c", args.c)
    m = check_int("m", args.m)
    k = check_int("k", args.k)
    d = check_open_unit("delta", args.delta)
    big = batch.M(c=c, m=m, k=k, delta=d)
    exact = batch.M_exact(c=c, m=m, k=k, delta=d)
    doc = {
        "claim": "L4",
        "c": str(c),
        "m": m,
        "k": k,
        "delta": str(d),
        "M": big,
        "M_formula": "ceil((2/c)(m + ln(k/delta)))",
        "M_exact": exact,
        "M_exact_definition": "least M with k*P[Bin(M,c) < m] <= delta (exact integer arithmetic)",
        "ratio_M_over_M_exact": str(sp.Rational(big, exact)) if exact else None,
    }
    _dump(args, doc)
    return 0


def _construct_common(p: argparse.ArgumentParser, *, demo: bool = False) -> None:
    if not demo:
        p.add_argument("--target", required=True, help="target network .npz (W1..Wl, optional b1..bl)")
    p.add_argument("--eps", default="0.01" if demo else None, required=not demo, help="output accuracy")
    p.add_argument("--delta", default="0.01" if demo else None, required=not demo, help="failure probability")
    p.add_argument("--seed", default="0" if demo else None, required=not demo, help="seed of G")
    p.add_argument("--dist", default="hyperbolic", choices=["hyperbolic", "uniform"])
    p.add_argument(
        "--pool",
        default="shared",
        choices=["shared", "per-weight"],
        help="pooling (B) shared (default, proven in proofs/pooling_b.py) or (A) per-weight",
    )
    p.add_argument("--method", default="golden", choices=["golden", "malach", "subset-sum"])
    p.add_argument("--weight-eps", default=None, help="per-weight tolerance mode (every weight within E)")
    p.add_argument("--inputs-nonnegative", action="store_true", help="declare x >= 0: one branch in layer 1")
    p.add_argument("--xmax", default="1", help="certify for ||x||_2 <= xmax (default 1)")
    p.add_argument("--norm", default="l2", choices=["l2", "inf"])
    p.add_argument("--width", default=None, help="block size P of G (overrides the bound)")
    p.add_argument("--context", default="exact", choices=["exact", "ball", "float"])
    p.add_argument("--inputs", default=None, help=".npy of extra inputs (rows) to measure the error on")
    p.add_argument("--out", default=None, help="write Ĝ here (.npz, atomically; nothing is written on failure)")


def _run_construction(args: argparse.Namespace, target_path: str) -> int:
    import numpy as np

    from logprune.construct import build as cb
    from logprune.construct.export import measured_error, write_ghat
    from logprune.construct.summary import summary_lines
    from logprune.construct.target import load_target

    target, notices = load_target(target_path)
    for n in notices:
        sys.stderr.write(f"logprune: notice: {n}\n")
    opt = cb.options(
        eps=args.eps,
        delta=args.delta,
        seed=args.seed,
        dist=args.dist,
        pool=args.pool,
        method=args.method,
        weight_eps=args.weight_eps,
        inputs_nonnegative=args.inputs_nonnegative,
        x_max=args.xmax,
        norm=args.norm,
        width=args.width,
        context=args.context,
    )
    extra = None
    if args.inputs:
        try:
            extra = np.load(args.inputs, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise ParameterError(f"inputs={args.inputs}: not a readable .npy ({exc})") from None
    built = cb.build(target, opt)
    measured = measured_error(
        built.forward,
        target,
        x_max=opt.x_max,
        n=256,
        seed=opt.seed,
        norm=opt.norm,
        nonnegative=opt.inputs_nonnegative,
        extra=extra,
    )
    ok = cb.succeeded(built)
    for line in summary_lines(built, measured=measured, out=args.out):
        sys.stdout.write(line + "\n")
    if not ok:
        shown = ", ".join(
            f"(layer {m[0] + 1}, output {m[1]}, input {m[2]}, branch {'+-'[m[3]]}, segment {m[4]})"
            for m in built.missing[:5]
        )
        more = f" and {len(built.missing) - 5} more" if len(built.missing) > 5 else ""
        what = f"uncovered: {shown}{more}" if built.missing else "every segment was covered, the bound is too weak"
        sys.stderr.write(f"logprune: error: construction failed (G too small for eps); {what}\n")
        return 1
    if args.out:
        write_ghat(args.out, built, measured=measured)
    return 0


def run_construct(args: argparse.Namespace) -> int:
    return _run_construction(args, args.target)


def run_demo(args: argparse.Namespace) -> int:
    from importlib.resources import as_file, files

    with as_file(files("logprune") / "data" / "demo_target.npz") as path:
        sys.stdout.write(
            f"demo target: {path.name} (2-16-16-2 ReLU MLP with biases, trained by examples/train_demo_target.py)\n"
        )
        return _run_construction(args, str(path))


def run_verify(args: argparse.Namespace) -> int:
    from logprune.construct.export import verify
    from logprune.construct.target import load_target

    target, _ = load_target(args.target)
    rep = verify(args.ghat, target, context=args.context)
    sys.stdout.write(
        f"regenerated and matched {rep.regenerated} kept weights of G from the seed\n"
        f"recomputed certified bound: {float(rep.certified_bound):.4e} (equal to the file's)\n"
        f"max weight error: {float(rep.max_weight_error):.4e}; measured error: {rep.measured_error:.4e}\n"
        f"{'OK' if rep.ok else 'NOT OK'}: {rep.reason}\n"
    )
    return 0 if rep.ok else 1


def run_proofs(args: argparse.Namespace) -> int:
    from logprune.proofs import CLAIMS, by_id
    from logprune.proofs.report import latex, line, markdown, run_all

    claims = (by_id(args.only),) if args.only else CLAIMS
    results = run_all(claims)
    for r in results:
        sys.stdout.write(line(r) + "\n")
    if args.report:
        write_text_atomic(args.report, markdown(results))
    if args.latex:
        write_text_atomic(args.latex, latex(results))
    bad = any(r.tally.failed for r in results) or any(f == 0 for r in results for _, _, f in r.mutations)
    return 1 if bad else 0


def run_snapshot(args: argparse.Namespace) -> int:
    from logprune.bounds.snapshot import snapshot_json

    _emit(args, snapshot_json())
    return 0


def _run_practice(args: argparse.Namespace) -> int:
    import json

    from logprune.checks.practice import answers_markdown, figure, practice
    from logprune.validation import check_int

    eps = ("1/100", "1/1000") if args.quick else ("1/100", "1/1000", "1/10000", "1/100000", "1/1000000")
    results = practice(
        eps=eps,
        seeds=1 if args.quick else 3,
        workers=check_int("workers", args.workers),
        progress=not args.quick,
        scheduler=args.scheduler,
    )
    text = answers_markdown(results)
    sys.stdout.write(text)
    if args.json:
        write_text_atomic(args.json, json.dumps({"practice": results}, indent=1, sort_keys=True) + "\n")
    if args.report:
        write_text_atomic(args.report, text)
    if args.figure:
        _write_figures(figure, results, args.figure)
    return 0


def _write_figures(draw: Any, data: Any, stem: str) -> None:
    from pathlib import Path

    try:
        paths = draw(data, Path(stem))
    except ImportError:
        raise ParameterError("figure: needs matplotlib (pip install 'logprune[plot]')") from None
    sys.stdout.write("figures: " + ", ".join(str(p) for p in paths) + "\n")


def _run_sweep(args: argparse.Namespace) -> int:
    import json

    from logprune.checks.sweep import figures, sweep

    points = sweep(progress=True)
    sys.stdout.write(f"{len(points)} rows over {len({(p['axis'], p['value']) for p in points})} settings\n")
    if args.json:
        write_text_atomic(args.json, json.dumps({"sweep": points}, indent=1, sort_keys=True) + "\n")
    if args.figure:
        _write_figures(figures, points, args.figure)
    return 0


def run_check(args: argparse.Namespace) -> int:
    import json

    from logprune.checks.runner import failed, lines, run_checks
    from logprune.validation import check_int, check_open_unit

    try:
        import scipy  # noqa: F401 - the checks' statistics need it
    except ImportError:
        raise ParameterError("check: needs scipy (pip install 'logprune[check]')") from None
    conf = float(check_open_unit("confidence", args.confidence))
    trials = None if args.trials is None else check_int("trials", args.trials, minimum=10)
    if args.practice or args.report:  # the README's answers section comes from the practice sweep
        return _run_practice(args)
    if args.sweep:
        return _run_sweep(args)
    doc = run_checks(quick=args.quick, trials=trials, confidence=conf, seed=check_int("seed", args.seed, minimum=0))
    for line_ in lines(doc):
        sys.stdout.write(line_ + "\n")
    if args.json:
        write_text_atomic(args.json, json.dumps(doc, indent=1, sort_keys=True) + "\n")
    bad = failed(doc)
    if bad:
        sys.stderr.write(f"logprune: error: refuted: {'; '.join(bad)}\n")
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="logprune", description="Certified bounds for the strong lottery ticket hypothesis.")
    p.add_argument("--version", action="version", version=f"logprune {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("bounds", help="size of G for every bound of the literature (C1, C2, C3, Pensia, counting)")
    _add_bounds_args(b)
    b.set_defaults(func=run_bounds)

    c = sub.add_parser("constants", help="one lemma's constants (golden, hyperbolic, batch)")
    csub = c.add_subparsers(dest="which", required=True, parser_class=_Parser)
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
    bt = csub.add_parser("batch", help="L4: batch size M and the exact-tail M_exact")
    bt.add_argument("--c", required=True)
    bt.add_argument("--m", required=True)
    bt.add_argument("--k", required=True)
    bt.add_argument("--delta", required=True)
    for q, fn in ((g, run_golden), (h, run_hyperbolic), (bt, run_batch)):
        q.add_argument("--json", action="store_true")
        q.add_argument("--output", default=None)
        q.set_defaults(func=fn)
    cs = sub.add_parser("construct", help="build Ĝ from a seeded random G and a target, and certify it")
    _construct_common(cs)
    cs.set_defaults(func=run_construct)
    dm = sub.add_parser("demo", help="construct Ĝ for the small example target shipped with logprune")
    _construct_common(dm, demo=True)
    dm.set_defaults(func=run_demo)
    vf = sub.add_parser("verify", help="re-derive a Ĝ file from its seed and the target")
    vf.add_argument("ghat")
    vf.add_argument("--target", required=True)
    vf.add_argument("--context", default="exact", choices=["exact", "ball", "float"])
    vf.set_defaults(func=run_verify)
    pr = sub.add_parser("proofs", help="run the executable proofs of every claim (C1-C3, L1-L4, pooling)")
    pr.add_argument("--only", default=None, help="one claim id (L1 .. L4, propagation, pooling-A, pooling-B, C1 .. C3)")
    pr.add_argument("--report", default=None, help="write the Markdown report here")
    pr.add_argument("--latex", default=None, help="write the standalone LaTeX report here")
    pr.set_defaults(func=run_proofs)
    sn = sub.add_parser("snapshot", help="every constant and bound on a fixed grid, exact (regression of the theory)")
    sn.add_argument("--output", default=None, help="write here (atomically) instead of stdout")
    sn.set_defaults(func=run_snapshot)
    ck = sub.add_parser("check", help="Monte-Carlo validity and tightness of every sampling bound")
    ck.add_argument("--quick", action="store_true", help="the quick version the test suite runs")
    ck.add_argument("--trials", default=None, help="trials per claim (default 400 quick, 4000 full)")
    ck.add_argument("--confidence", default="0.99", help="confidence of the Clopper-Pearson intervals")
    ck.add_argument("--seed", default="0")
    ck.add_argument("--json", default=None, help="write the results here (atomically)")
    ck.add_argument("--practice", action="store_true", help="sampled weights per target weight in practice (sweep)")
    ck.add_argument(
        "--sweep", action="store_true", help="theorem-level sizes over eps, n, layers, delta (JSON, figures)"
    )
    ck.add_argument(
        "--report", default=None, help="write the README's answers section (Markdown) here (runs the practice sweep)"
    )
    ck.add_argument("--figure", default=None, help="with --practice or --sweep: write PNG and SVG (path stem)")
    ck.add_argument("--workers", default="2", help="with --practice: parallel processes")
    ck.add_argument("--scheduler", default=None, help="with --practice: run on the Dask cluster at this address")
    ck.set_defaults(func=run_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except LogpruneError as exc:
        sys.stderr.write(f"logprune: error: {exc}\n")
        return 2
    except (OSError, MemoryError) as exc:
        sys.stderr.write(f"logprune: error: {type(exc).__name__}: {exc}\n")
        return 2
    except Exception as exc:  # never a traceback for the user; the message says where to look
        sys.stderr.write(f"logprune: internal error: {type(exc).__name__}: {exc}\n")
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
