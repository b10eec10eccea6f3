"""Run the proofs and write the reproduction report (Markdown, standalone LaTeX, JSON).

The report is byte-identical across runs and machines: no timestamps, no float noise (every number is
an exact form, an integer, or a certified enclosure printed at a fixed number of digits), so it can be
committed (``proofs/report.md``) and diffed as a regression artefact of the theory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import sympy as sp

from logprune.progress import progress as progress_bar
from logprune.proofs import CLAIMS
from logprune.proofs.framework import (
    ARGUED,
    FAILED,
    INSTANCE,
    PROVEN,
    STATUSES,
    TESTED,
    Evidence,
    Proof,
    Step,
    Tally,
    tally,
)

__all__ = ["Result", "as_json", "latex", "line", "markdown", "ok", "run_all", "total_line", "totals"]


@dataclass(frozen=True)
class Result:
    proof: Proof
    results: tuple[tuple[Step, Evidence], ...]
    tally: Tally
    mutations: tuple[tuple[str, str, int], ...]  # (name, description, failed steps): each must be >= 1


def ok(results: Sequence[Result]) -> bool:
    """No step failed and every mutation caught (a proof whose mutations pass checks nothing).  This is the
    exit status of ``logprune proofs``: 0 if ok, else 1.  Argued, instance and tested steps do not make it
    fail: their status is reported as what it is."""
    return not any(r.tally.failed for r in results) and all(f > 0 for r in results for _, _, f in r.mutations)


def run_all(claims: Sequence[ModuleType] = CLAIMS, *, mutations: bool = True, progress: bool = False) -> list[Result]:
    """Every proof of ``claims`` and (``mutations``) each of its mutations, with a bar per run (``progress``)."""
    out = []
    runs = sum(1 + (len(mod.MUTATIONS) if mutations else 0) for mod in claims)
    with progress_bar(total=runs, desc="proofs: claims and mutations", unit="run", show=progress) as bar:
        for mod in claims:
            pr = mod.proof()
            res = tuple(pr.run())
            bar.update(1)
            muts = []
            for name, desc in mod.MUTATIONS.items() if mutations else ():
                muts.append((name, desc, tally(mod.proof(name).run()).failed))
                bar.update(1)
            out.append(Result(pr, res, tally(res), tuple(muts)))
    return out


def _status(t: Tally) -> str:
    return "FAILED" if t.failed else "ok"


def _counts(t: Tally) -> str:
    return ", ".join(f"{v} {k}" for k, v in t.counts().items())


def totals(results: Sequence[Result]) -> dict[str, int]:
    """The number of steps per status over all claims."""
    return {s: sum(r.tally.counts()[s] for r in results) for s in STATUSES}


def line(r: Result) -> str:
    """One line per claim: the step counts per status, the status and whether each mutation was caught."""
    t = r.tally
    muts = "; ".join(f"mutation {n}: {'caught' if f else 'NOT CAUGHT'}" for n, _, f in r.mutations)
    return f"{r.proof.claim:<12} {_counts(t)}: {_status(t)}" + (f" ({muts})" if muts else "")


def total_line(results: Sequence[Result]) -> str:
    """The last line of ``logprune proofs``: the counts per status over all claims."""
    return f"{'total':<12} " + ", ".join(f"{v} {k}" for k, v in totals(results).items())


def counts_sentence(results: Sequence[Result]) -> str:
    """The README's generated block: the steps per status and the mutations caught, in one sentence."""
    t = totals(results)
    muts = [bool(f) for r in results for _, _, f in r.mutations]
    return (
        f"Today: {t[PROVEN]} proven, {t[TESTED]} tested, {t[INSTANCE]} instance, {t[ARGUED]} argued, "
        f"{t[FAILED]} failed; {sum(muts)}/{len(muts)} mutations caught.\n"
    )


def as_json(results: Sequence[Result]) -> dict[str, Any]:
    """The results as one JSON document (``logprune proofs --json``): ``{"claims": [{"id", "steps":
    [{"statement", "status", "evidence", "kind", "domain"}, ...], "counts", "status", "title", "mutations"},
    ...], "counts": {status: n}, "ok": bool}``; the statuses are those of :data:`STATUSES`."""
    return {
        "claims": [
            {
                "id": r.proof.claim,
                "title": r.proof.title,
                "status": _status(r.tally),
                "counts": r.tally.counts(),
                "steps": [
                    {
                        "statement": s.fact,
                        "status": ev.status,
                        "evidence": ev.detail,
                        "kind": s.kind,
                        "domain": s.domain,
                    }
                    for s, ev in r.results
                ],
                "mutations": [
                    {"name": name, "description": desc, "failed_steps": failed, "caught": failed > 0}
                    for name, desc, failed in r.mutations
                ],
            }
            for r in results
        ],
        "counts": totals(results),
        "ok": ok(results),
    }


def _short(s: str, n: int = 400) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def markdown(results: Sequence[Result]) -> str:
    out = [
        "# logprune: reproduction report of the proofs",
        "",
        "Generated by `logprune proofs --report proofs/report.md`; byte-identical across runs.  Claim ids refer",
        "to `docs/claims.md`.  Each step states a fact over a stated domain and the evidence for it; its",
        "status says what that evidence establishes: `proven` (for every parameter of the domain: sympy,",
        "z3, or arb boxes covering the whole domain), `tested` (exact randomised tests, counted), `instance`",
        "(one numeric instance, the default parameters), `argued` (prose, saying what would prove it) or",
        "`failed`.  Each proof has deliberately wrong variants (mutations) that must make a step fail.",
        "",
        "| claim | " + " | ".join(STATUSES) + " | mutations caught |",
        "|---|" + "---|" * len(STATUSES) + "---|",
    ]
    for r in results:
        caught = sum(1 for _, _, f in r.mutations if f)
        cnt = r.tally.counts()
        out.append(
            f"| {r.proof.claim} | " + " | ".join(str(cnt[s]) for s in STATUSES) + f" | {caught}/{len(r.mutations)} |"
        )
    tot = totals(results)
    n_mut = sum(len(r.mutations) for r in results)
    n_caught = sum(1 for r in results for _, _, f in r.mutations if f)
    out.append("| **total** | " + " | ".join(str(tot[s]) for s in STATUSES) + f" | {n_caught}/{n_mut} |")
    for r in results:
        p = r.proof
        out += ["", f"## {p.claim}: {p.title}", "", f"**Statement.** {p.statement}", "", "**Assumptions.**", ""]
        out += [f"- {a}" for a in p.assumptions]
        out += ["", "**Steps.**", ""]
        for i, (s, ev) in enumerate(r.results, start=1):
            out.append(f"{i}. [{ev.status}] ({s.kind}) {s.fact}.  ")
            out.append(f"   Domain: {s.domain}.  ")
            if s.formula is not None:
                out.append(f"   Formula: `{_short(sp.sstr(s.formula))}`.  ")
            out.append(f"   Evidence: {ev.detail}.")
        if p.constants:
            out += ["", "**Constants at the default parameters.**", ""]
            out += [f"- {name}: {value}" for name, value in p.constants]
        if p.differences:
            out += ["", "**Where our constants differ from the slides or the digest.**", ""]
            out += [f"- {d}" for d in p.differences]
        if r.mutations:
            out += ["", "**Mutations.**", ""]
            out += [f"- `{n}` ({d}): {f} step(s) fail" for n, d, f in r.mutations]
    return "\n".join(out) + "\n"


_TEX = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
    "·": r"$\cdot$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "φ": r"$\varphi$",
    "Ĝ": r"$\hat G$",
    "‖": r"$\|$",
    "Õ": r"$\tilde O$",
    "Σ": r"$\Sigma$",
    "−": "-",
    "×": r"$\times$",
    "√": r"$\surd$",
    "±": r"$\pm$",
    "<": r"$<$",
    ">": r"$>$",
    "|": r"$|$",
}


def _tex(s: str) -> str:
    return "".join(_TEX.get(ch, ch if ord(ch) < 128 else "?") for ch in s)


def latex(results: Sequence[Result]) -> str:
    """A standalone LaTeX document (article, amsmath); formulas by sympy.latex."""
    out = [
        r"\documentclass{article}",
        r"\usepackage{amsmath}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\begin{document}",
        r"\title{logprune: reproduction report of the proofs}",
        r"\date{}",
        r"\maketitle",
        r"\begin{tabular}{l" + "r" * len(STATUSES) + "r}",
        "claim & " + " & ".join(STATUSES) + r" & mutations caught \\ \hline",
    ]
    for r in results:
        caught = sum(1 for _, _, f in r.mutations if f)
        cnt = r.tally.counts()
        out.append(
            f"{_tex(r.proof.claim)} & "
            + " & ".join(str(cnt[s]) for s in STATUSES)
            + f" & {caught}/{len(r.mutations)} \\\\"
        )
    tot = totals(results)
    n_mut = sum(len(r.mutations) for r in results)
    n_caught = sum(1 for r in results for _, _, f in r.mutations if f)
    out.append(r"\hline total & " + " & ".join(str(tot[s]) for s in STATUSES) + f" & {n_caught}/{n_mut} \\\\")
    out.append(r"\end{tabular}")
    for r in results:
        p = r.proof
        out += [
            f"\\section*{{{_tex(p.claim)}: {_tex(p.title)}}}",
            f"\\textbf{{Statement.}} {_tex(p.statement)}",
            "",
            r"\textbf{Assumptions.}",
            r"\begin{itemize}",
        ]
        out += [f"\\item {_tex(a)}" for a in p.assumptions]
        out += [r"\end{itemize}", r"\textbf{Steps.}", r"\begin{enumerate}"]
        for s, ev in r.results:
            out.append(f"\\item [{ev.status}] ({_tex(s.kind)}) {_tex(s.fact)}.  Domain: {_tex(s.domain)}.")
            if s.formula is not None:
                out.append(f"\\[ {sp.latex(s.formula)} \\]")
            out.append(f"Evidence: {_tex(ev.detail)}.")
        out.append(r"\end{enumerate}")
        if p.constants:
            out += [r"\textbf{Constants at the default parameters.}", r"\begin{itemize}"]
            out += [f"\\item {_tex(n)}: {_tex(v)}" for n, v in p.constants]
            out.append(r"\end{itemize}")
        if p.differences:
            out += [r"\textbf{Differences from the slides or the digest.}", r"\begin{itemize}"]
            out += [f"\\item {_tex(d)}" for d in p.differences]
            out.append(r"\end{itemize}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
