"""bounds/ is the bottom layer and its formulas share one set of symbols (issue #8, items 2 and 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import sympy as sp

from logprune.bounds import batch, golden, hyperbolic, symbols, uniform

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_BELOW = {
    "logprune.errors",
    "logprune.validation",
    "logprune.choices",
    "logprune.search",
    "logprune.version",
    "logprune.display",
    "logprune.progress",
    "logprune.extras",
}


def _logprune_imports(folder: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        out[path.name] = {n for n in names if n.startswith("logprune")}
    return out


def test_bounds_imports_nothing_above_it() -> None:
    for name, imported in _logprune_imports(ROOT / "bounds").items():
        above = {n for n in imported if not n.startswith("logprune.bounds") and n not in ALLOWED_BELOW}
        assert not above, f"bounds/{name} imports {sorted(above)}"


def test_proofs_import_only_bounds_and_the_bottom_modules() -> None:
    """proofs/ stands on bounds/; only the certificate's trials also read construct/ (the certificate is
    construct's: its proof checks construct's public rules and one end-to-end instance).  Never checks/ or
    the CLI."""
    for name, imported in _logprune_imports(ROOT / "proofs").items():
        allowed = ("logprune.bounds", "logprune.proofs") + (
            ("logprune.construct",) if name == "_certificate_trials.py" else ()
        )
        above = {n for n in imported if not n.startswith(allowed) and n not in ALLOWED_BELOW | {"logprune"}}
        assert not above, f"proofs/{name} imports {sorted(above)}"


def test_bounds_has_no_main_module() -> None:
    """``python -m logprune bounds`` is the way: the bottom layer does not start the command line."""
    assert not (ROOT / "bounds" / "__main__.py").exists()


def test_one_k_cancels_across_the_modules() -> None:
    """L3's segments, L4's categories and the coverage derivation use the same k: their formulas
    combine without simplification."""
    d = hyperbolic.derive_coverage()
    assert d.optimal_log_width - (symbols.k - 1) * symbols.h == 0
    assert symbols.k in batch.M_symbolic().free_symbols
    assert symbols.k - sp.Symbol("k", positive=True) != 0  # what the old batch k_ was: it never cancelled


def test_formulas_use_only_the_shared_symbols() -> None:
    shared = {v for v in vars(symbols).values() if isinstance(v, sp.Symbol)}
    exprs = [
        golden.k_symbolic(),
        batch.M_symbolic(),
        *batch.chernoff_derivation().values(),
        hyperbolic.density(),
        hyperbolic.cdf(),
        hyperbolic.magnitude_cdf(),
        hyperbolic.inverse_cdf(),
        uniform.product_cdf(),
        uniform.magnitude_cdf(),
        hyperbolic.derive_coverage().coverage,
    ]
    for e in exprs:
        assert e.free_symbols <= shared, e
