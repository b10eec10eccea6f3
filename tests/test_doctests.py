"""Doctests of the package, collected by dotted name (not --doctest-modules on the mapped folders)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import logprune


def _modules() -> list[str]:
    """Every module of the package, subpackages included (logprune.construct and logprune.proofs are
    mapped folders: walk_packages follows the package's own __path__ into them)."""
    names = [m.name for m in pkgutil.walk_packages(logprune.__path__, prefix="logprune.")]
    return sorted(n for n in names if not n.endswith("__main__"))


def test_every_subpackage_is_walked() -> None:
    names = _modules()
    for pkg in ("logprune.bounds.", "logprune.construct.", "logprune.proofs.", "logprune.checks."):
        assert any(n.startswith(pkg) for n in names), pkg


def test_there_are_doctests_to_run() -> None:
    total = sum(len(doctest.DocTestFinder().find(importlib.import_module(n))) for n in _modules())
    assert total > 0


@pytest.mark.parametrize("name", _modules())
def test_module_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
