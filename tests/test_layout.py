"""Project rules that code review would otherwise have to remember."""

from __future__ import annotations

import ast
import importlib.util
from importlib.resources import files
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _imports(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.level:
                    names.add(f"relative:{path.name}")
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
    return names


def test_bounds_never_imports_construct_and_imports_are_absolute() -> None:
    imported = _imports(ROOT / "bounds")
    assert not any(n.startswith("logprune.construct") or n.startswith("construct") for n in imported)
    assert not any(n.startswith("relative:") for n in imported | _imports(ROOT / "construct"))


def test_shipped_demo_target_is_what_the_training_script_makes() -> None:
    spec = importlib.util.spec_from_file_location("train_demo_target", ROOT / "examples" / "train_demo_target.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    params, acc = mod.train()
    assert acc >= 0.95
    with np.load(str(files("logprune") / "data" / "demo_target.npz"), allow_pickle=False) as z:
        assert sorted(z.files) == sorted(params)
        for k, v in params.items():
            assert np.array_equal(z[k], v), k
