"""docs/claims.md is the repository's account of every claim, and the code cites it (issue #8, item 7).

What is checked:
(a) docs/claims.md has exactly one section per claim id, headed ``## <id>: <title>``, and each section
    has the parts Statement, Assumptions and domain, Derivation, Difference from the slides / digest,
    Status and Code;
(b) every citation of docs/claims.md in the docstrings and comments of the Python files under
    ``bounds/``, ``construct/``, ``proofs/`` and ``src/logprune/`` names ids that exist;
(c) none of those files still cites the external digest (``digest §`` or ``shared/paper``);
(d) the module paths, files and functions that docs/claims.md names exist (a backticked
    ``logprune.…`` path, and the backticked names in parentheses right after it), and its table
    "Reference values" holds the numbers the code computes.

The citation pattern of (b), applied to every string literal and to every block of consecutive comment
lines (joined, ``#`` removed)::

    docs/claims.md  SEP0  ID ( SEP ID )*

with ID = ``[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*`` (e.g. ``L3``, ``pooling-A``, ``propagation``),
SEP0 = ``,`` or ``:`` followed by optional white space, or white space alone, and
SEP = ``,`` (optionally followed by ``and``/``or``), `` and ``, `` or ``, ``/`` or ``&``.
So ``(docs/claims.md, L3 and L4)``, ``docs/claims.md, pooling-A, pooling-B`` and
``docs/claims.md L3/L4`` cite L3, L4, pooling-A, pooling-B.  With a comma or colon every token of the
list must be an id, so end a citation with other punctuation than ", word" (parentheses are the
habit: ``(docs/claims.md, C3)``).  Without a comma or colon (``docs/claims.md C3``) the text counts as
a citation only if its first token looks like an id (contains a digit or a hyphen, or is one of the
ids), so prose such as "see docs/claims.md for the derivation" is not a citation.  Ids are
case-sensitive.
"""

from __future__ import annotations

import importlib
import io
import re
import tokenize
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "claims.md"
SOURCES = ("bounds", "construct", "proofs", "src/logprune")
IDS = (
    "C1",
    "C2",
    "C3",
    "L1",
    "L2",
    "L3",
    "L4",
    "coverage",
    "propagation",
    "pooling-A",
    "pooling-B",
    "certificate",
    "counting",
    "param-counting",
    "entropy",
    "transfer",
)
PARTS = (
    "**Statement.**",
    "**Assumptions and domain.**",
    "**Derivation.**",
    "**Difference from the slides / digest.**",
    "**Status.**",
    "**Code.**",
)

_ID = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*[/&]\s*)"
CITATION = re.compile(rf"docs/claims\.md(?P<sep0>[,:]\s*|\s+)(?P<ids>{_ID}(?:{_SEP}{_ID})*)")
_SPLIT = re.compile(_SEP)
SECTION = re.compile(r"^## (?P<id>\S+): (?P<title>\S.*)$", re.MULTILINE)
LEVEL2 = re.compile(r"^## .*$", re.MULTILINE)


def cited_ids(text: str) -> list[str]:
    """The ids cited in ``text`` by the pattern of the module doc, in order."""
    out: list[str] = []
    for m in CITATION.finditer(text):
        ids = _SPLIT.split(m.group("ids"))
        if not m.group("sep0").strip():  # no comma or colon: only an id-shaped first token cites
            first = ids[0]
            if not (re.search(r"[0-9-]", first) or first in IDS):
                continue
        out.extend(ids)
    return out


def _prose(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal and every block of consecutive comment lines."""
    block: list[str] = []
    start = last = 0
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.COMMENT:
            line = tok.start[0]
            if block and line != last + 1:
                yield start, " ".join(block)
                block = []
            if not block:
                start = line
            block.append(tok.string.lstrip("#").strip())
            last = line
        elif tok.type == tokenize.STRING:
            yield tok.start[0], tok.string
    if block:
        yield start, " ".join(block)


def _python_files() -> list[Path]:
    return sorted(p for folder in SOURCES for p in (ROOT / folder).rglob("*.py"))


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _sections(text: str) -> dict[str, str]:
    """Claim id -> the text of its section (up to the next level-2 heading)."""
    heads = list(LEVEL2.finditer(text))
    out: dict[str, str] = {}
    for i, h in enumerate(heads):
        m = SECTION.match(h.group(0))
        if m:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            out[m.group("id")] = text[h.end() : end]
    return out


def test_claims_doc_has_exactly_one_section_per_claim_id() -> None:
    ids = [m.group("id") for m in SECTION.finditer(_doc())]
    assert sorted(ids) == sorted(IDS), f"sections {ids}, expected one each of {IDS}"


@pytest.mark.parametrize("claim", IDS)
def test_claim_section_states_assumptions_derivation_differences_status_and_code(claim: str) -> None:
    body = _sections(_doc())[claim]
    missing = [p for p in PARTS if p not in body]
    assert not missing, f"section {claim} lacks {missing}"
    positions = [body.index(p) for p in PARTS]
    assert positions == sorted(positions), f"section {claim}: parts out of order"


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("(docs/claims.md, L3 and L4)", ["L3", "L4"]),
        ("(docs/claims.md, pooling-A, pooling-B).", ["pooling-A", "pooling-B"]),
        ("Two modes (docs/claims.md, propagation and certificate):", ["propagation", "certificate"]),
        ("claim (docs/claims.md,\n    C3) in a wrapped docstring", ["C3"]),
        ("docs/claims.md C3", ["C3"]),
        ("docs/claims.md L3/L4", ["L3", "L4"]),
        ("docs/claims.md, L5", ["L5"]),
        ("docs/claims.md, section L3", ["section"]),
        ("see docs/claims.md for the derivation", []),
        ("the file docs/claims.md.", []),
        ("(docs/claims.md)", []),
    ],
)
def test_citation_pattern_reads_the_documented_forms(text: str, ids: list[str]) -> None:
    assert cited_ids(text) == ids


def test_every_cited_claim_id_exists() -> None:
    bad: list[str] = []
    seen = 0
    for path in _python_files():
        for line, text in _prose(path):
            for cid in cited_ids(text):
                seen += 1
                if cid not in IDS:
                    bad.append(f"{path.relative_to(ROOT)}:{line}: {cid!r}")
    assert seen > 0, "no citation of docs/claims.md found: the pattern or the file list is broken"
    assert not bad, "citations of ids docs/claims.md does not have:\n" + "\n".join(bad)


def test_no_python_file_cites_the_external_digest() -> None:
    stale = [
        str(p.relative_to(ROOT))
        for p in _python_files()
        if "digest §" in (t := p.read_text(encoding="utf-8")) or "shared/paper" in t
    ]
    assert not stale, "still citing the digest outside the repository (cite docs/claims.md):\n" + "\n".join(stale)


def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def test_paths_named_in_claims_doc_exist() -> None:
    text = _doc()
    dotted = sorted(set(re.findall(r"`(logprune(?:\.[A-Za-z_]\w*)+)`", text)))
    files = sorted(set(re.findall(r"`((?:proofs|tests|bounds|construct)/[\w/]+\.(?:py|md))`", text)))
    assert dotted and files
    missing: list[str] = []
    for d in dotted:
        try:
            _resolve(d)
        except (ImportError, AttributeError):
            missing.append(d)
    missing += [f for f in files if not (ROOT / f).is_file()]
    # `logprune.a.b` (`name`, `Class.method`): every backticked name in the parentheses is an attribute
    listed = 0
    for module, names in re.findall(r"`(logprune(?:\.[A-Za-z_]\w*)+)`\s*\(([^)]*)\)", text):
        for name in re.findall(r"`([A-Za-z_][\w.]*)`", names):
            listed += 1
            try:
                _resolve(f"{module}.{name}")
            except (ImportError, AttributeError):
                missing.append(f"{module}.{name}")
    assert listed > 0
    assert not missing, f"docs/claims.md names what does not exist: {missing}"


def _reference_values() -> dict[str, Callable[[], Any]]:
    from fractions import Fraction

    from logprune.bounds import batch, golden, hyperbolic, propagation, sampling
    from logprune.bounds.rows import Row, table
    from logprune.bounds.rows.orseau2020 import orseau_parameters
    from logprune.bounds.setting import Setting, setting
    from logprune.proofs import c3_general

    default = setting(n=100, layers=10, eps="1/100", delta="1/100")
    general = setting(**c3_general.DEFAULTS)

    def row(st: Setting, name: str) -> Row:
        return {r.name: r for r in table(st)}[name]

    def malach_per_weight() -> int:
        width = row(default, "malach2020").width
        assert width is not None
        return width[0] // (default.n * default.n)

    return {
        "L1.N": lambda: sampling.L1_samples(eps="1/10", delta="1/100")["samples"],
        "L2.N": lambda: sampling.L2_samples(eps="1/100", delta="1/100", w_max="1/2", B=1)["samples"],
        "L3.k": lambda: golden.k_exact(eps="1e-6"),
        "L3.k_3/2": lambda: golden.k_exact(eps="1e-6", base="3/2"),
        "L3.c": lambda: hyperbolic.coverage(21),
        "L3.c_digest": lambda: hyperbolic.coverage_digest(21),
        "L3.N": lambda: sampling.L3_samples(k_segments=21, delta="1/100")["samples"],
        "L4.M": lambda: batch.M(c="1/20", m=1, k=20, delta="1/100"),
        "L4.M_exact": lambda: batch.M_exact(c="1/20", m=1, k=20, delta="1/100"),
        "propagation.k": lambda: (
            propagation.propagate(eps="1/100", widths=[100] * 11, norms=[1] * 10, w_max=Fraction(1, 10), x_max=1).k
        ),
        "pooling.E": lambda: orseau_parameters(default)[2],
        "pooling.P": lambda: orseau_parameters(default)[3],
        "batch.K": lambda: row(default, "orseau2020_batch").extra["categories"],
        "C1.per_weight": malach_per_weight,
        "C2.k": lambda: orseau_parameters(default)[0].k,
        "C3.k": lambda: orseau_parameters(general)[0].k,
        "C3.k_no_norms": lambda: dict(c3_general.proof().constants)["k without the norm term"],
        "C3.P": lambda: orseau_parameters(general)[3],
        "counting.total": lambda: row(default, "counting_lower_bound").sampled_weights,
    }


def test_reference_values_in_claims_doc_are_what_the_code_computes() -> None:
    text = _doc()
    table = text[text.index("## Reference values") :]
    rows = re.findall(r"^\| (?P<key>[\w.]+(?:/\w+)?) \| [^|]+ \| [^|]+ \| (?P<value>[^|]+?) \|", table, re.MULTILINE)
    stated = {k: v for k, v in rows if k != "key"}
    compute = _reference_values()
    assert set(stated) == set(compute), f"table keys {sorted(stated)} != checked keys {sorted(compute)}"
    wrong = {k: (v, str(compute[k]())) for k, v in stated.items() if str(compute[k]()) != v}
    assert not wrong, f"docs/claims.md states (doc, code): {wrong}"
