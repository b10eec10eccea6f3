"""Write the documentation pages generated from the code (each is checked by tests/test_docs_generated.py).

python docs/generate.py
"""

from __future__ import annotations

from pathlib import Path

from logprune.bounds.render import registry_markdown

DOCS = Path(__file__).resolve().parent
PAGES = {"rows.md": registry_markdown}


def main() -> None:
    for name, make in PAGES.items():
        (DOCS / name).write_text(make(), encoding="utf-8")
        print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
