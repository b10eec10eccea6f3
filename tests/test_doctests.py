"""Doctests of the package, collected by dotted name (not --doctest-modules on the mapped folders)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import logprune
import logprune.bounds


def _modules() -> list[str]:
    names = ["logprune." + m.name for m in pkgutil.iter_modules(logprune.__path__)]
    names += ["logprune.bounds." + m.name for m in pkgutil.iter_modules(logprune.bounds.__path__)]
    return sorted(n for n in names if not n.endswith("__main__"))


def test_there_are_doctests_to_run() -> None:
    total = sum(len(doctest.DocTestFinder().find(importlib.import_module(n))) for n in _modules())
    assert total > 0


@pytest.mark.parametrize("name", _modules())
def test_module_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
