"""The ``constants`` reports print exactly what ``logprune constants ... [--json]`` printed before they
became objects (tests/bounds/data/constants/: the command's output captured before the change)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from logprune.bounds.reports import batch_report, golden_report, hyperbolic_report
from logprune.errors import ParameterError, ParameterTypeError

DATA = Path(__file__).resolve().parent / "data" / "constants"

# file stem -> (report, its parameters as the command line passes them: strings)
CASES: dict[str, tuple[Any, dict[str, str]]] = {
    "golden_1e-6": (golden_report, {"eps": "1e-6"}),
    "golden_base2": (golden_report, {"eps": "1e-6", "base": "2"}),  # inadmissible: the counterexample
    "golden_1024": (golden_report, {"eps": "1/1024", "base": "2"}),  # log2(1024) = 10 exactly: a tie
    "golden_138": (golden_report, {"eps": "0.001", "base": "13/8"}),  # just above phi
    "golden_32": (golden_report, {"eps": "0.01", "scale": "3/7", "base": "3/2"}),
    "golden_k0": (golden_report, {"eps": "2"}),
    "golden_k0b2": (golden_report, {"eps": "2", "base": "2"}),  # inadmissible with k = 0: no counterexample
    "hyp_k5": (hyperbolic_report, {"alpha": "1e-3", "beta": "1", "k": "5"}),
    "hyp": (hyperbolic_report, {"alpha": "1e-3", "beta": "1"}),
    "hyp_k1": (hyperbolic_report, {"alpha": "0.01", "beta": "2", "base": "3/2", "k": "1", "scale": "2"}),
    "hyp_k3": (hyperbolic_report, {"alpha": "0.01", "beta": "2", "base": "3/2", "k": "3", "scale": "2"}),
    "batch": (batch_report, {"c": "0.05", "m": "1", "k": "20", "delta": "0.01"}),
    "batch2": (batch_report, {"c": "1/7", "m": "5", "k": "3", "delta": "1e-6"}),
}


def _outputs() -> list[tuple[str, str]]:
    return [(stem, ext) for stem in CASES for ext in ("json", "txt") if (DATA / f"{stem}.{ext}").exists()]


@pytest.mark.parametrize(("stem", "ext"), _outputs(), ids=lambda v: str(v))
def test_reports_print_what_the_command_printed(stem: str, ext: str) -> None:
    make, params = CASES[stem]
    report = make(**params)
    if ext == "json":
        text = json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(line + "\n" for line in report.lines())
    assert text == (DATA / f"{stem}.{ext}").read_text(encoding="utf-8")


def test_every_case_has_a_captured_output() -> None:
    assert {stem for stem, _ in _outputs()} == set(CASES)


def test_L3_counterexample_for_base_2_breaks_the_bound() -> None:
    report = golden_report(eps="1e-6", base=2)
    assert not report.admissibility.admissible and report.residual_bound is None
    assert report.counterexample is not None and report.counterexample.residual_exceeds_bound


def test_L3_report_at_an_exact_tie_gives_k_equal_to_the_logarithm() -> None:
    assert golden_report(eps="1/1024", base=2).k == 10


@pytest.mark.parametrize(
    ("k", "error", "fragment"),
    [("0", ParameterError, "k=0"), ("1.5", ParameterTypeError, "k=1.5"), ("abc", ParameterTypeError, "k='abc'")],
)
def test_hyperbolic_report_refuses_a_k_that_is_not_an_integer_at_least_1(k: str, error: type, fragment: str) -> None:
    with pytest.raises(error) as info:
        hyperbolic_report(alpha="1e-3", beta=1, k=k)
    assert fragment in str(info.value)


def test_reports_refuse_bad_parameters_naming_them() -> None:
    with pytest.raises(ParameterError, match="eps=0"):
        golden_report(eps=0)
    with pytest.raises(ParameterError, match=r"c=1\.05"):
        batch_report(c="1.05", m=1, k=20, delta="0.01")
    with pytest.raises(ParameterError, match="alpha=1, beta=1e-3"):
        hyperbolic_report(alpha="1", beta="1e-3")


def test_text_form_is_one_key_value_line_per_json_key() -> None:
    report = hyperbolic_report(alpha="1e-3", beta="1", k=5)
    doc, lines = report.as_json(), report.lines()
    assert [line.split(": ", 1)[0] for line in lines] == list(doc)
