"""Project rules that code review would otherwise have to remember."""

from __future__ import annotations

import ast
import importlib.util
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

# The layers point one way (DEVELOPERS.md): what each folder may not import.
FORBIDDEN = {
    "bounds": ("logprune.construct", "logprune.proofs", "logprune.checks", "logprune.cli"),
    "construct": ("logprune.proofs", "logprune.checks", "logprune.cli"),
    "proofs": ("logprune.construct", "logprune.checks", "logprune.cli"),
}


def _imports(folder: Path) -> dict[str, set[str]]:
    """Every module each file of ``folder`` imports (absolute names; relative ones marked)."""
    base = folder.parent
    out: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names.add(f"relative:{node.module}" if node.level else str(node.module))
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        out[str(path.relative_to(base))] = names
    return out


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_layers_point_one_way(folder: str) -> None:
    """bounds knows nothing above it; construct never imports proofs, checks or the CLI; proofs stand on
    bounds, except the certificate's trials (proofs/_certificate_trials.py), which check construct's own
    certificate (an edit of it must make a proof fail: the mutation score)."""
    bad = [
        f"{path} imports {name}"
        for path, names in _imports(ROOT / folder).items()
        for name in names
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[folder])
        and not (path == "proofs/_certificate_trials.py" and name.startswith("logprune.construct"))
    ]
    assert not bad, bad


def _private_imports(folder: Path) -> list[str]:
    """``from logprune.X... import _name`` where X is not the importing file's own package."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        own = path.relative_to(ROOT).parts[0] if path.relative_to(ROOT).parts[0] != "src" else path.parent.name
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("logprune."):
                package = node.module.split(".")[1]
                for alias in node.names:
                    if alias.name.startswith("_") and alias.name != "__version__" and package != own:
                        out.append(f"{path.relative_to(ROOT)}: {node.module}.{alias.name}")
    return out


@pytest.mark.parametrize("folder", ["bounds", "construct", "proofs", "src"])
def test_no_package_imports_a_private_name_of_another(folder: str) -> None:
    """Packages meet on public ground: proofs check construct's public rules, not its private helpers."""
    assert not _private_imports(ROOT / folder)


def test_the_private_import_test_catches_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "proofs").mkdir()
    (tmp_path / "proofs" / "x.py").write_text("from logprune.construct.build import _tasks\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _private_imports(tmp_path / "proofs") == ["proofs/x.py: logprune.construct.build._tasks"]


def test_imports_are_absolute_everywhere() -> None:
    for folder in ("bounds", "construct", "proofs", "src", "tests", "benchmarks"):
        rel = [f"{p}: {n}" for p, ns in _imports(ROOT / folder).items() for n in ns if n.startswith("relative:")]
        assert not rel, rel


def test_the_layering_test_catches_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "bounds").mkdir()
    (tmp_path / "bounds" / "x.py").write_text("from logprune.construct.pipeline import construct\n")
    names = _imports(tmp_path / "bounds")
    assert any(n.startswith(FORBIDDEN["bounds"][0]) for ns in names.values() for n in ns)


def test_shipped_demo_target_is_what_the_training_script_makes() -> None:
    """The training script reproduces the shipped weights up to the rounding of its float arithmetic.

    Full-batch gradient descent in float64 is not bitwise reproducible across numpy/BLAS builds (the
    summation order of a matrix product is the library's choice): 4000 steps drift by a few ulps.  The
    shipped file is the reference every printed figure comes from; the script must land within
    1e-12 relative of it, which a change of data, seed, step count or learning rate cannot."""
    spec = importlib.util.spec_from_file_location("train_demo_target", ROOT / "examples" / "train_demo_target.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    params, acc = mod.train()
    assert acc >= 0.95
    with np.load(str(files("logprune") / "data" / "demo_target.npz"), allow_pickle=False) as z:
        assert sorted(z.files) == sorted(params)
        for k, v in params.items():
            assert z[k].shape == v.shape and z[k].dtype == np.float64, k
            assert np.max(np.abs(z[k] - v)) <= 1e-12 * np.max(np.abs(v)), k


def test_tests_mirror_the_source() -> None:
    """tests/bounds, tests/construct, tests/proofs, tests/cli, tests/checks; package-wide rules at the top."""
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders == {"bounds", "construct", "proofs", "cli", "checks"}
    top = sorted(p.name for p in (ROOT / "tests").glob("test_*.py"))
    assert top == [
        "test_claims_doc.py",
        "test_docs_generated.py",
        "test_doctests.py",
        "test_layout.py",
        "test_search.py",
        "test_validation.py",
    ]
