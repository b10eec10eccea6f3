"""proofs/: every proof checks, every mutation is caught, the report is the committed one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from logprune.bounds import theorems
from logprune.cli import main
from logprune.proofs import CLAIMS, by_id
from logprune.proofs.framework import CHECKED, FAILED, UNCHECKED, nonneg, tally, unchecked
from logprune.proofs.report import as_json, latex, line, markdown, run_all

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("mod", CLAIMS, ids=[m.CLAIM for m in CLAIMS])
def test_every_proof_checks_and_ends_in_agreement_with_bounds(mod) -> None:  # type: ignore[no-untyped-def]
    pr = mod.proof()
    results = pr.run()
    t = tally(results)
    assert t.failed == 0, t.failures
    assert any(s.kind == "agreement" and ev.status == CHECKED for s, ev in results), "no agreement step"
    if mod.CLAIM != "C1":  # C1 is Malach et al.'s published bound: its constants are not available to us
        assert t.unchecked == 0


@pytest.mark.parametrize(
    ("mod", "mutation"), [(m, name) for m in CLAIMS for name in m.MUTATIONS], ids=lambda v: getattr(v, "CLAIM", v)
)
def test_every_mutation_is_caught(mod, mutation: str) -> None:  # type: ignore[no-untyped-def]
    assert tally(mod.proof(mutation).run()).failed >= 1


def test_each_proof_has_a_mutation() -> None:
    assert all(len(m.MUTATIONS) >= 1 for m in CLAIMS)


def test_unchecked_is_never_reported_as_passed() -> None:
    import sympy as sp

    x = sp.Symbol("x", real=True)
    assert nonneg("x^3 >= 0 for real x is false", x**3).run().status in {UNCHECKED, FAILED}
    assert unchecked("a published constant", "not available").run().status == UNCHECKED
    assert nonneg("sign undecidable without a domain", sp.sin(x) + 1).run().status in {CHECKED, UNCHECKED}


def test_pooling_B_is_reported_proven_only_because_its_proof_passes() -> None:
    rows = {r.name: r for r in theorems.rows(theorems.setting(n=10, layers=2, eps="0.1", delta="0.1"))}
    assert rows["orseau2020_shared"].status == "proven"
    assert tally(by_id("pooling-B").proof().run()).failed == 0


def test_report_is_the_committed_one_and_deterministic() -> None:
    results = run_all()
    text = markdown(results)
    assert text == markdown(run_all())
    committed = (ROOT / "proofs" / "report.md").read_text()
    assert text == committed, "proofs/report.md is stale: run `logprune proofs --report proofs/report.md`"


def test_latex_report_is_standalone(tmp_path: Path) -> None:
    tex = latex(run_all())
    assert tex.startswith(r"\documentclass{article}") and tex.rstrip().endswith(r"\end{document}")
    assert all(ord(ch) < 128 for ch in tex), "non-ASCII characters would need inputenc"
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed: compile check skipped")
    (tmp_path / "r.tex").write_text(tex)
    res = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "r.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stdout[-2000:]
    assert (tmp_path / "r.pdf").exists()


def test_cli_proofs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.md"
    assert main(["proofs", "--only", "L3", "--report", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("L3") and "mutation base-2: caught" in lines[0]
    assert out.read_text().startswith("# logprune: reproduction report")
    assert main(["proofs", "--only", "L9"]) == 2
    assert "only=L9" in capsys.readouterr().err


def test_proofs_json_has_every_step_and_mutation_of_every_claim() -> None:
    import json

    results = run_all()
    doc = json.loads(json.dumps(as_json(results)))  # plain JSON types only
    assert [c["id"] for c in doc["claims"]] == [m.CLAIM for m in CLAIMS]
    for claim, r in zip(doc["claims"], results, strict=True):
        assert (claim["checked"], claim["failed"], claim["unchecked"]) == (
            r.tally.checked,
            r.tally.failed,
            r.tally.unchecked,
        )
        assert claim["status"] in line(r)
        assert [s["statement"] for s in claim["steps"]] == [s.fact for s, _ in r.results]
        assert [s["status"] for s in claim["steps"]] == [ev.status for _, ev in r.results]
        assert all(s["evidence"] for s in claim["steps"])
        assert [m["name"] for m in claim["mutations"]] == list(by_id(claim["id"]).MUTATIONS)
        assert all(m["caught"] and m["failed_steps"] >= 1 for m in claim["mutations"])
