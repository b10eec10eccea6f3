"""Which of logprune's modules and functions one ``logprune construct`` call passes through.

Runs the CLI in-process under cProfile on a target (default: the shipped demo target, certified mode),
after one warm-up run (so that import-time code is not counted), and counts the distinct logprune
functions called, the modules they live in, the module-to-module call edges, and the library functions
the CLI calls directly (how often control comes back to the CLI).  Works on any version of logprune that
has ``logprune.cli.main`` (to compare before and after a change).

    python benchmarks/call_graph.py [--target F.npz] [--list] [-- extra construct options]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import io
import pstats
import tempfile
from pathlib import Path


def _module_of(filename: str) -> str | None:
    parts = Path(filename).parts
    if "logprune" not in parts:
        return None
    i = len(parts) - 1 - parts[::-1].index("logprune")
    return ".".join(parts[i:]).removesuffix(".py")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--target", default=None)
    ap.add_argument("--list", action="store_true", help="print every function")
    ap.add_argument("extra", nargs="*", help="more construct options (after --), e.g. --workers 1")
    args = ap.parse_args()
    from importlib.resources import as_file, files

    from logprune.cli import main as cli

    with tempfile.TemporaryDirectory() as d, as_file(files("logprune") / "data" / "demo_target.npz") as demo:
        target = args.target or str(demo)
        argv = ["construct", "--target", target, "--eps", "0.01", "--delta", "0.01", "--seed", "0"]
        argv += ["--out", str(Path(d) / "g.npz"), *args.extra]
        prof = cProfile.Profile()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cli(argv)  # warm-up: imports and caches
            prof.enable()
            rc = cli(argv)
            prof.disable()
    stats = pstats.Stats(prof)
    funcs: dict[str, set[str]] = collections.defaultdict(set)
    for filename, _line, name in stats.stats:  # type: ignore[attr-defined]
        mod = _module_of(filename)
        if mod is not None and name not in {"<module>", "<genexpr>", "<listcomp>", "<lambda>", "<dictcomp>"}:
            funcs[mod].add(name)
    edges: set[tuple[str, str]] = set()
    from_cli: set[str] = set()
    for (filename, _line, name), (_cc, _nc, _tt, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        callee = _module_of(filename)
        if callee is None:
            continue
        for cfile, _cl, _cname in callers:
            caller = _module_of(cfile)
            if caller is not None and caller != callee:
                edges.add((caller, callee))
                if caller.startswith("logprune.cli") and not callee.startswith("logprune.cli"):
                    from_cli.add(f"{callee}.{name}")
    n_funcs = sum(len(v) for v in funcs.values())
    print(f"exit {rc}: {n_funcs} logprune functions in {len(funcs)} modules, {len(edges)} module-to-module edges")
    print(f"library functions the CLI calls directly ({len(from_cli)}): {', '.join(sorted(from_cli))}")
    layers = collections.Counter(m.split(".")[1] if m.count(".") else m for m in funcs)
    print("modules per subpackage: " + ", ".join(f"{k} {v}" for k, v in sorted(layers.items())))
    if args.list:
        for mod in sorted(funcs):
            print(f"  {mod}: {', '.join(sorted(funcs[mod]))}")


if __name__ == "__main__":
    main()
