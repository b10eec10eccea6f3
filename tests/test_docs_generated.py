"""The documentation pages generated from the code are the committed ones (``python docs/generate.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GEN = _generator()


@pytest.mark.parametrize("name", sorted(GEN.PAGES))  # type: ignore[attr-defined]
def test_generated_page_is_the_committed_one(name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == GEN.PAGES[name](), f"docs/{name} is stale: run `python docs/generate.py`"  # type: ignore[attr-defined]


def test_the_rows_page_lists_every_row_of_the_registry() -> None:
    from logprune.bounds.rows import row_names

    text = (ROOT / "docs" / "rows.md").read_text(encoding="utf-8")
    assert all(f"| `{name}` |" in text for name in row_names())
