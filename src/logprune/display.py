"""How results show themselves: one line as ``repr``, an HTML table in a notebook (``_repr_html_``).

Every public result of logprune (a target, a bounds table and its rows, a construction, a verification, an
RSS result) has a ``__repr__`` of one line (at most :data:`REPR_MAX` characters) and a ``_repr_html_`` built
here, so that typing it in a notebook shows a summary, never its arrays (Jupyter calls ``_repr_html_``; a
terminal ``repr``).  Values are escaped; the tables are plain HTML with no style sheet.

>>> one_line("Target", ["widths 2-16-16-2", "322 weights"])
'<Target: widths 2-16-16-2, 322 weights>'
>>> "<th>k</th><td>27</td>" in html_pairs("Plan", [("k", "27")])
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["REPR_MAX", "html_grid", "html_pairs", "one_line"]

REPR_MAX = 300  # characters of a repr: a line, whatever the size of the result


def one_line(kind: str, parts: Iterable[str]) -> str:
    """``<kind: part, part, ...>`` on one line, cut to :data:`REPR_MAX` characters."""
    text = f"<{kind}: {', '.join(p for p in parts if p)}>"
    text = " ".join(text.split())  # one line: newlines in a part become spaces
    return text if len(text) <= REPR_MAX else text[: REPR_MAX - 4] + "...>"


def _caption(title: str) -> str:
    return f"<caption style='text-align:left'><b>{html.escape(title)}</b></caption>"


def html_pairs(title: str, pairs: Sequence[tuple[str, str]]) -> str:
    """A two-column table: one (name, value) per row."""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in pairs)
    return f"<table>{_caption(title)}{body}</table>"


def html_grid(title: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table with a header row: one row per item."""
    top = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{_caption(title)}<thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"
