"""Mutation score on the source (issue #11, item 5): unsound edits of the library's own code must make
``logprune proofs`` fail.

Each mutation is an exact replacement of one piece of text (which must occur exactly once) in one file of
bounds/, construct/ or src/logprune.  The harness builds the package tree the way Python imports it in a
temporary folder (``<tmp>/logprune`` = src/logprune, with bounds/, construct/ and proofs/ copied to
``<tmp>/logprune/bounds`` etc.), checks that the unedited copy passes, then for each mutation applies the
edit to a fresh copy and runs ``python -m logprune proofs --no-mutations`` with ``PYTHONPATH=<tmp>`` from
inside the temporary folder (so the editable install is not imported; a child process checks that every
``logprune`` package resolves inside the copy).  A mutation is caught when the run exits 1 (a proof step
failed); the score is caught / total.

    python benchmarks/mutation_score.py [--json benchmarks/mutation_score.json] [--only ID ...] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# where each source folder of the repository sits in the imported package tree
LAYOUT: tuple[tuple[str, str], ...] = (
    ("src/logprune", "logprune"),
    ("bounds", "logprune/bounds"),
    ("construct", "logprune/construct"),
    ("proofs", "logprune/proofs"),
)
TIMEOUT = 600.0


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str  # path in the repository, e.g. "bounds/hyperbolic.py"
    description: str
    old: str  # occurs exactly once in the file
    new: str


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "hyperbolic-c-doubled",
        "bounds/hyperbolic.py",
        "coverage constant c = 1/(8(k-1)) replaced by 1/(4(k-1)) (twice the proven value)",
        "    return sp.Rational(1, 8 * (k_ - 1))",
        "    return sp.Rational(1, 4 * (k_ - 1))",
    ),
    Mutation(
        "batch-M-halved",
        "bounds/batch.py",
        "batch size M = ceil((2/c)(m + ln(k/delta))) with the Chernoff factor 2 dropped (M halved)",
        "return certified_ceiling(2 / c * (m + sp.log(k / sympy_rational(delta))))",
        "return certified_ceiling(1 / c * (m + sp.log(k / sympy_rational(delta))))",
    ),
    Mutation(
        "batch-M-symbolic-halved",
        "bounds/batch.py",
        "the symbolic M of L4 with the factor 2 dropped: ceil((1/c)(m + ln(k/delta)))",
        "return sp.ceiling(2 / sym.c * (sym.m + sp.log(sym.k / sym.delta)))",
        "return sp.ceiling(1 / sym.c * (sym.m + sp.log(sym.k / sym.delta)))",
    ),
    Mutation(
        "batch-exact-no-union-bound",
        "bounds/batch.py",
        "M_exact's condition k·P[Bin(M, c) < m] <= delta without the union bound's factor k",
        "return bool(k * num * delta.denominator <= delta.numerator * c.denominator**M)",
        "return bool(num * delta.denominator <= delta.numerator * c.denominator**M)",
    ),
    Mutation(
        "golden-admissibility-loosened",
        "bounds/golden.py",
        "the admissibility test b^2 - b - 1 <= 0 (b <= phi) loosened to b^2 - b - 1 <= 1/10 (b up to ~1.66)",
        "ok = Fraction(int(bb.p), int(bb.q)) ** 2 - Fraction(int(bb.p), int(bb.q)) - 1 <= 0",
        "ok = Fraction(int(bb.p), int(bb.q)) ** 2 - Fraction(int(bb.p), int(bb.q)) - 1 <= Fraction(1, 10)",
    ),
    Mutation(
        "propagation-e-minus-1-dropped",
        "bounds/propagation.py",
        "eps_w = eps / ((e - 1)·x_max·D·prod rho) with the (e - 1) factor dropped (eps_w 1.72x too large)",
        'cands.append((sympy_rational(e) / ((sp.E - 1) * xm * D * sp.Mul(*rho)), "x_max"))',
        'cands.append((sympy_rational(e) / (xm * D * sp.Mul(*rho)), "x_max"))',
    ),
    Mutation(
        "propagation-norm-product-dropped",
        "bounds/propagation.py",
        "eps_w with the norm factor prod_i max(1, ||W_i||) dropped",
        'cands.append((sympy_rational(e) / ((sp.E - 1) * xm * D * sp.Mul(*rho)), "x_max"))',
        'cands.append((sympy_rational(e) / ((sp.E - 1) * xm * D), "x_max"))',
    ),
    Mutation(
        "propagation-branches-dropped",
        "bounds/propagation.py",
        "d_i = sqrt(branches_i·n_i·n_(i-1)) without the two branches of layer 1 (Frobenius factor sqrt(2) lost)",
        "return [sp.sqrt(br[i] * widths[i] * widths[i + 1]) for i in range(len(widths) - 1)]",
        "return [sp.sqrt(widths[i] * widths[i + 1]) for i in range(len(widths) - 1)]",
    ),
    Mutation(
        "propagation-fmax-e-dropped",
        "bounds/propagation.py",
        "the F_max variant eps_w = eps / (e·F_max·S) with the factor e dropped",
        'cands.append((sympy_rational(e) / (sp.E * fm * S), "F_max"))',
        'cands.append((sympy_rational(e) / (fm * S), "F_max"))',
    ),
    Mutation(
        "sampling-L3-no-union-bound",
        "bounds/sampling.py",
        "L3's sample count with the union bound over the k segments dropped (events = 1)",
        "    n = samples_checked(c, kk, d)\n",
        "    n = samples_checked(c, 1, d)\n",
    ),
    Mutation(
        "sampling-L1-no-union-bound",
        "bounds/sampling.py",
        "L1's sample count with the union bound over the two parts dropped (events = 1)",
        "    n = samples_checked(sympy_rational(p), 2, d)\n",
        "    n = samples_checked(sympy_rational(p), 1, d)\n",
    ),
    Mutation(
        "sampling-L1-probability-doubled",
        "bounds/sampling.py",
        "L1's success probability eps^2/4 replaced by eps^2/2",
        "    p = e * e / 4\n",
        "    p = e * e / 2\n",
    ),
    Mutation(
        "certify-layer1-error-dropped",
        "construct/certificate/certify.py",
        "the first layer's error Delta_1 dropped from the telescoped certificate prod(a_i + Delta_i) - prod a_i",
        "    for a, d in zip(norms, deltas, strict=True):\n        prod_hat *= a + d",
        "    for a, d in zip(norms, [Fraction(0), *deltas[1:]], strict=True):\n        prod_hat *= a + d",
    ),
    Mutation(
        "certify-last-layer-error-dropped",
        "construct/certificate/certify.py",
        "the last layer's error Delta_l dropped from the telescoped certificate",
        "    for a, d in zip(norms, deltas, strict=True):\n        prod_hat *= a + d",
        "    for a, d in zip(norms, [*deltas[:-1], Fraction(0)], strict=True):\n        prod_hat *= a + d",
    ),
    Mutation(
        "certify-inf-last-error-dropped",
        "construct/certificate/certify.py",
        "inf norm: the last layer's own error Dinf_l·prod(a_i + Delta_i) dropped from the certificate",
        "bound = x_max * (dinf_last * ph + ainf * (ph - p))",
        "bound = x_max * (ainf * (ph - p))",
    ),
    Mutation(
        "norms-rotation-eta-dropped",
        "construct/certificate/norms.py",
        "N2's rotation bound without the factor 1/sqrt(1 - eta) (||V^-1||_2 taken as 1)",
        "return _round_up((c_norm + rounding) * sqrt_up(1 / (1 - eta)))",
        "return _round_up(c_norm + rounding)",
    ),
    Mutation(
        "compose-carry-half-dropped",
        "construct/certificate/compose.py",
        "the carry rule through an unstable relu without the ||c_U||/2 added to the radius",
        "rho = add_up(rho, norm_up(np.where(unstable, abs_max(c_lo, c_hi), 0.0)) / 2)  # halving is exact",
        "rho = add_up(rho, 0.0 * norm_up(np.where(unstable, abs_max(c_lo, c_hi), 0.0)))",
    ),
    Mutation(
        "compose-matvec-radius-dropped",
        "construct/certificate/rules.py",
        "interval_product's enclosure without the box radius |W|·r (only the rounding term kept)",
        "rad = (r @ awt + g * (np.abs(m) @ awt)) / (1 - g)",
        "rad = (g * (np.abs(m) @ awt)) / (1 - g)",
    ),
    Mutation(
        "compose-matvec-rounding-dropped",
        "construct/certificate/rules.py",
        "interval_product's enclosure without the rounding term γ_n·|W||m| (exact float arithmetic assumed)",
        "rad = (r @ awt + g * (np.abs(m) @ awt)) / (1 - g)",
        "rad = r @ awt",
    ),
    Mutation(
        "compose-symbolic-rounding-dropped",
        "construct/certificate/rules.py",
        "affine_product's affine form without the term t >= |(W A - fl(W A))·(x - x_c)| (M = fl(W A) taken as exact)",
        "    t = next_up(next_up(np.matmul(err, col)[:, :, 0] * gn) + TINY)",
        "    t = 0.0 * np.matmul(err, col)[:, :, 0]",
    ),
    Mutation(
        "compose-hull-no-zero",
        "construct/certificate/compose.py",
        "carry_hull without widening an unstable entry's interval to contain 0 (d·c taken in [c_lo, c_hi])",
        "            c_lo = np.where(dead, 0.0, np.where(unstable, np.minimum(c_lo, 0.0), c_lo))\n"
        "            c_hi = np.where(dead, 0.0, np.where(unstable, np.maximum(c_hi, 0.0), c_hi))",
        "            c_lo = np.where(dead, 0.0, c_lo)\n            c_hi = np.where(dead, 0.0, c_hi)",
    ),
    # issue #10: the comparison table's new pieces
    Mutation(
        "coverage-separate-doubled",
        "bounds/hyperbolic.py",
        "the separate supports' coverage 1/(4k) replaced by 1/(2k) (the designed constant with fair signs)",
        "    return sp.Rational(1, 4 * k_)",
        "    return sp.Rational(1, 2 * k_)",
    ),
    Mutation(
        "telescoped-one-step-too-far",
        "bounds/propagation.py",
        "the tightened k one below the least k whose telescoped bound fits",
        "            k -= 1\n        return k\n",
        "            k -= 1\n        return max(k - 1, 1)\n",
    ),
    Mutation(
        "malach-probability-doubled",
        "bounds/malach.py",
        "L1's usable probability eps_a^2/4 replaced by eps_a^2/2 in Malach's pool size",
        "    p = eps_a**2 / 4",
        "    p = eps_a**2 / 2",
    ),
    Mutation(
        "counting-delta-dropped",
        "bounds/lower.py",
        "the counting lower bound without the log2(1 - delta) of the averaging step (a larger, unproven bound)",
        "    bits, total = _least_bits(w / e, m_, 1 - d)",
        "    bits, total = _least_bits(w / e, m_, Fraction(1))",
    ),
)


def source_text(m: Mutation, root: Path = ROOT) -> str:
    return (root / m.file).read_text(encoding="utf-8")


def occurrences(m: Mutation, root: Path = ROOT) -> int:
    """How often the mutation's ``old`` text occurs in its file (must be exactly once)."""
    return source_text(m, root).count(m.old)


def _package_path(file: str) -> str:
    for src, dst in LAYOUT:
        if file == src or file.startswith(src + "/"):
            return dst + file[len(src) :]
    raise ValueError(f"{file}: not under {[s for s, _ in LAYOUT]}")


def build_copy(tmp: Path, root: Path = ROOT) -> Path:
    """The package tree as Python imports it, under ``tmp``; returns ``tmp``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for src, dst in LAYOUT:
        shutil.copytree(root / src, tmp / dst, ignore=ignore, dirs_exist_ok=True)
    return tmp


def apply(m: Mutation, tmp: Path) -> None:
    """Apply the edit to the copy under ``tmp`` (exact replacement; the old text must occur once)."""
    path = tmp / _package_path(m.file)
    text = path.read_text(encoding="utf-8")
    n = text.count(m.old)
    if n != 1:
        raise ValueError(f"{m.id}: the old text occurs {n} times in {m.file}, expected exactly once")
    path.write_text(text.replace(m.old, m.new), encoding="utf-8")


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tmp)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


_CHECK_IMPORT = (
    "import json, logprune, logprune.bounds, logprune.construct, logprune.proofs; "
    "print(json.dumps([m.__file__ for m in (logprune, logprune.bounds, logprune.construct, logprune.proofs)]))"
)


def check_imports_copy(tmp: Path) -> None:
    """Every logprune package imported with ``PYTHONPATH=tmp`` resolves inside ``tmp`` (not the editable install)."""
    out = subprocess.run(
        [sys.executable, "-c", _CHECK_IMPORT], cwd=tmp, env=_env(tmp), capture_output=True, text=True, check=True
    )
    files = json.loads(out.stdout)
    base = tmp.resolve()
    outside = [f for f in files if not Path(f).resolve().is_relative_to(base)]
    if outside:
        raise RuntimeError(f"the copy is not what is imported: {outside} outside {base}")


@dataclass(frozen=True)
class Outcome:
    id: str
    file: str
    description: str
    exit_status: int
    failed_claims: tuple[str, ...]
    seconds: float
    stderr_tail: str

    @property
    def caught(self) -> bool:
        return self.exit_status == 1

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "description": self.description,
            "caught": self.caught,
            "exit_status": self.exit_status,
            "failed_claims": list(self.failed_claims),
            "seconds": round(self.seconds, 1),
            **({"stderr": self.stderr_tail} if self.stderr_tail else {}),
        }


def _failed_claims(stdout: str) -> tuple[str, ...]:
    return tuple(line.split()[0] for line in stdout.splitlines() if line.rstrip().endswith(": FAILED"))


def run_proofs(tmp: Path) -> tuple[int, tuple[str, ...], str]:
    """``python -m logprune proofs --no-mutations`` on the copy: (exit status, failed claims, stderr tail)."""
    check_imports_copy(tmp)
    try:
        p = subprocess.run(
            [sys.executable, "-m", "logprune", "proofs", "--no-mutations"],
            cwd=tmp,
            env=_env(tmp),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return -1, (), f"timeout after {TIMEOUT:.0f} s"
    tail = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    return p.returncode, _failed_claims(p.stdout), tail


def run_one(m: Mutation | None, root: Path = ROOT) -> Outcome:
    """Run the proofs on a fresh copy with ``m`` applied (``None``: the unedited baseline)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="logprune-mut-") as d:
        tmp = build_copy(Path(d), root)
        if m is not None:
            apply(m, tmp)
        rc, failed, tail = run_proofs(tmp)
    dt = time.perf_counter() - t0
    if m is None:
        return Outcome("baseline", "-", "the unedited copy (must pass)", rc, failed, dt, tail)
    return Outcome(m.id, m.file, m.description, rc, failed, dt, tail)


def _line(o: Outcome, baseline: bool = False) -> str:
    verdict = ("ok" if o.exit_status == 0 else "FAILED") if baseline else "caught" if o.caught else "NOT CAUGHT"
    extra = f" [failed: {', '.join(o.failed_claims)}]" if o.failed_claims else ""
    if o.exit_status not in (0, 1):
        extra += f" [exit {o.exit_status}: {o.stderr_tail}]"
    return f"{o.id:<34} {o.file:<22} {verdict:<10} {o.seconds:6.1f} s  {o.description}{extra}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--json", default=None, help="write the results here (benchmarks/mutation_score.json)")
    ap.add_argument("--only", nargs="*", default=None, help="mutation ids to run (default: all)")
    ap.add_argument("--jobs", type=int, default=1, help="mutations run in parallel (default 1)")
    args = ap.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.only is None or m.id in args.only]
    if args.only is not None and len(chosen) != len(set(args.only)):
        ap.error(f"unknown ids: {sorted(set(args.only) - {m.id for m in MUTATIONS})}")
    t0 = time.perf_counter()
    base = run_one(None)
    print(_line(base, baseline=True), flush=True)
    if base.exit_status != 0:
        print("the unedited copy does not pass `logprune proofs`: no score", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = []
        for o in pool.map(run_one, chosen):
            print(_line(o), flush=True)
            outcomes.append(o)
    caught = sum(o.caught for o in outcomes)
    total_s = time.perf_counter() - t0
    print(f"score: {caught}/{len(outcomes)} caught ({total_s:.0f} s)")
    if args.json:
        doc = {
            "score": {"caught": caught, "total": len(outcomes)},
            "command": "python -m logprune proofs --no-mutations (PYTHONPATH = a mutated copy of the package)",
            "baseline": base.as_json(),
            "mutations": [o.as_json() for o in outcomes],
            "seconds": round(total_s, 1),
        }
        Path(args.json).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if caught == len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
