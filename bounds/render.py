"""Renderings of the comparison table: plain text, JSON and LaTeX (deterministic: no float noise)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import sympy as sp

from logprune.bounds.certified import Enclosure
from logprune.bounds.rows import Row
from logprune.bounds.setting import Setting
from logprune.display import html_grid, one_line

__all__ = ["registry_markdown", "table_html", "table_json", "table_latex", "table_repr", "table_text"]

_HEAD = (
    "name",
    "claim",
    "bound",
    "status",
    "sampled/target weight",
    "x best lower",
    "depth",
    "neurons",
    "sampled weights",
    "dense weights",
)
_NUMERIC_FROM = 4  # columns from here on are right-aligned


def _shape(st: Setting) -> str:
    """The target's shape as the header states it: n and layers, or a real model's widths."""
    if st.layer_widths is not None:
        return f"widths={'-'.join(str(w) for w in st.layer_widths)} layers={st.layers}"
    return f"n={st.n} layers={st.layers}"


def _sci(v: int | None) -> str:
    """Integers up to 10 digits in full, larger ones as d.ddde+NN (exact value in --json)."""
    if v is None:
        return "-"
    s = str(v)
    if len(s) <= 10:
        return s
    return f"{s[0]}.{s[1:4]}e+{len(s) - 1:02d}"


def _enc(e: Enclosure | None, digits: int = 6) -> str:
    return "-" if e is None else e.short(digits)


def _cells(r: Row) -> tuple[str, ...]:
    primary = _enc(r.sampled_weights_per_target_weight)
    if r.sampled_weights_per_target_weight is None and r.symbolic is not None:
        primary = "symbolic"
    return (
        r.name,
        r.claim,
        r.bound.value,
        r.status.value,
        primary,
        _enc(r.ratio_to_lower_bound, 4),
        "-" if r.depth is None else str(r.depth),
        _sci(r.neurons),
        _sci(r.sampled_weights),
        _sci(r.dense_weights),
    )


def table_text(st: Setting, rows: Sequence[Row]) -> str:
    """A fixed-width table, then the asymptotic forms and the notes."""
    cells = [_HEAD, *[_cells(r) for r in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_HEAD))]
    lines = [
        _header(st),
        "unit: sampled weights of G (the weights a pruning may keep) per target weight; "
        "'x best lower' = that count over the best lower bound's",
    ]
    for j, c in enumerate(cells):
        lines.append(
            "  ".join(x.rjust(widths[i]) if i >= _NUMERIC_FROM else x.ljust(widths[i]) for i, x in enumerate(c))
        )
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    orseau = next((r for r in rows if r.name == "orseau2020"), None)
    if orseau is not None:
        lines.append(
            f"k = {orseau.extra['k']} segments per weight, coverage c = {orseau.extra['c']}, "
            f"pool P = {orseau.extra['pool']} per (A) weight / (B) block"
        )
    lines.append("")
    for r in rows:
        lines.append(f"{r.name} ({r.bound.value}, {r.status.value}): {r.asymptotic}; {r.note}")
        if r.sampled_weights_per_target_weight is None and r.symbolic is not None:
            lines.append(f"  sampled weights per target weight = {sp.sstr(r.symbolic)}")
    return "\n".join(lines) + "\n"


def _header(st: Setting) -> str:
    return (
        f"logprune bounds: {_shape(st)} eps={st.eps} delta={st.delta} "
        f"assumptions={'malach' if st.malach else 'general'} base={st.base}"
    )


def table_html(st: Setting, rows: Sequence[Row]) -> str:
    """The table as HTML (a notebook's display): the text table's columns, the unit stated."""
    return html_grid(_header(st) + "; unit: sampled weights of G per target weight", _HEAD, [_cells(r) for r in rows])


def table_repr(st: Setting, rows: Sequence[Row]) -> str:
    """The table on one line: its setting and the fewest sampled weights of an upper row with numbers."""
    numeric = [r for r in rows if r.bound.value == "upper" and r.sampled_weights_per_target_weight is not None]
    best = min(numeric, key=lambda r: r.sampled_weights_per_target_weight.lower, default=None)  # type: ignore[union-attr]
    fewest = (
        ""
        if best is None or best.sampled_weights_per_target_weight is None
        else f"fewest sampled weights per target weight: {best.name} {best.sampled_weights_per_target_weight.short(6)}"
    )
    return one_line("BoundsTable", [f"{_shape(st)} eps={st.eps} delta={st.delta}", f"{len(rows)} rows", fewest])


def table_json(st: Setting, rows: Sequence[Row]) -> str:
    """``{"setting": ..., "rows": [...]}`` with exact integers and certified enclosures."""
    doc: dict[str, Any] = {"setting": st.as_json(), "rows": [r.as_json() for r in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _tex(s: str) -> str:
    return s.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("&", r"\&").replace("%", r"\%")


_SCI = re.compile(r"^(-?\d+(?:\.\d+)?)e([+-]\d+)$")


def _tex_cell(text: str) -> str:
    r"""A table cell in LaTeX: d.ddde+NN as $d.ddd \times 10^{NN}$, anything else escaped."""
    m = _SCI.match(text)
    if m:
        return rf"${m.group(1)} \times 10^{{{int(m.group(2))}}}$"
    return _tex(text)


def table_latex(st: Setting, rows: Sequence[Row]) -> str:
    r"""A LaTeX tabular with booktabs rules (``\usepackage{booktabs}``): numbers in LaTeX notation, and a row
    without numbers shows its formula (``sympy.latex``, the unknown constant as a symbol)."""
    out = [
        "% generated by logprune bounds; needs \\usepackage{booktabs}",
        f"% {_shape(st)}, eps={st.eps}, delta={st.delta}; unit: sampled weights of G per target weight",
        r"\begin{tabular}{llll" + "r" * (len(_HEAD) - _NUMERIC_FROM) + "}",
        r"\toprule",
        " & ".join(_tex(h) for h in _HEAD) + r" \\",
        r"\midrule",
    ]
    for r in rows:
        cells = [_tex_cell(c) for c in _cells(r)]
        if r.sampled_weights_per_target_weight is None and r.symbolic is not None:
            cells[_NUMERIC_FROM] = f"${sp.latex(r.symbolic)}$"
        out.append(" & ".join(cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(out) + "\n"


def registry_markdown() -> str:
    """``docs/rows.md``: every source of the table's rows and what each row is (no numbers: those are
    ``logprune bounds``'s, for a setting), generated from the registry (:mod:`logprune.bounds.rows`)."""
    from logprune.bounds.rows import sources, table
    from logprune.bounds.setting import setting

    default = {r.name: r for r in table(setting(n=100, layers=10, eps="1/100", delta="1/100"))}
    out = [
        "# The rows of the comparison table",
        "",
        "Generated from the registry `logprune.bounds.rows` by `python docs/generate.py`; checked by",
        "`tests/test_docs_generated.py`.  One module of `bounds/rows/` per source; `logprune bounds` prints",
        "the numbers of every row for a setting, in one unit (sampled weights of G per target weight).  The",
        "claim is the one at the default setting (Malach's assumptions: C2; with `--wmax`, `--xmax`, `--norms`",
        "or a model: C3).",
        "",
        "| row | source | claim | bound | status | asymptotic form |",
        "|---|---|---|---|---|---|",
    ]
    for s in sources():
        for name in s.names:
            r = default[name]
            module = s.rows.__module__
            cells = (f"`{name}`", f"{s.cite} (`{module}`)", r.claim, r.bound.value, r.status.value, r.asymptotic)
            out.append("| " + " | ".join(cells) + " |")
    constants = [(c, s) for s in sources() for c in s.constants]
    if constants:
        out += ["", "Constants a row takes from the user (without one, the row is its formula with the symbol):", ""]
        out += [f"- `{c.flag}` (`{c.name}=`, the symbol `{c.symbol}`): {c.help}." for c, _ in constants]
    return "\n".join(out) + "\n"
