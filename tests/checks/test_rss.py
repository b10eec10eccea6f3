"""The random-subset-sum engine (``logprune check rss``): exact decisions against brute force, common random
numbers, the least n, and the command-line contract."""

from __future__ import annotations

import json
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logprune.checks import rss
from logprune.cli import main
from logprune.errors import ParameterError


def _all_sums(x: list[float]) -> list[Fraction]:
    fr = [Fraction(v) for v in x]
    return [sum(c, Fraction(0)) for r in range(len(fr) + 1) for c in combinations(fr, r)]


def _brute_point(x: list[float], z: Fraction, eps: Fraction) -> bool:
    return any(abs(s - z) <= eps for s in _all_sums(x))


def _brute_sup(x: list[float], eps: Fraction) -> bool:
    """Every z in [-1, 1] within eps of a sum: the union of [s - eps, s + eps] covers [-1, 1]."""
    covered = Fraction(-1)  # [-1, covered] is covered by the sums so far (sorted)
    for s in sorted(_all_sums(x)):
        if covered >= 1:
            break
        if s - eps > covered:
            return False
        covered = max(covered, s + eps)
    return covered >= 1


floats = st.floats(-1, 1, allow_nan=False).filter(lambda v: v != 0)
dyadic = st.integers(-16, 16).map(lambda k: k / 16)  # sums that land exactly on the boundary


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(floats, dyadic), max_size=9),
    st.one_of(st.fractions(-2, 2, max_denominator=64), dyadic.map(Fraction)),
    st.fractions(Fraction(1, 1000), Fraction(1, 2), max_denominator=1000),
)
@example([0.25, 0.5], Fraction(19, 25), Fraction(1, 100))  # |0.75 - 0.76| = eps exactly; floats say 1e-2 + 9e-18
@example([0.1, 0.2], Fraction(3, 10) + Fraction(1, 100), Fraction(1, 100))  # 0.1 + 0.2 != 0.3 in floats
def test_point_decision_is_the_exact_one(x: list[float], z: Fraction, eps: Fraction) -> None:
    want = _brute_point(x, z, eps)
    a = np.asarray(x, dtype=np.float64)
    assert rss._point(a, z, eps) == want
    assert rss._exact_point(a, z, eps) == want


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(floats, dyadic), max_size=9), st.fractions(Fraction(1, 100), Fraction(1, 2), max_denominator=100)
)
@example([0.5, 0.5, -0.5, -0.5], Fraction(1, 4))  # gaps of exactly 2·eps and ends at exactly eps
@example([0.5, -0.5], Fraction(1, 4))
def test_sup_decision_is_the_exact_one(x: list[float], eps: Fraction) -> None:
    want = _brute_sup(x, eps)
    a = np.asarray(x, dtype=np.float64)
    assert rss._sup(a, eps) == want
    assert rss._exact_sup(a, eps) == want


@pytest.mark.parametrize("law", ["uniform", "uniform-product", "hyperbolic", "hyperbolic-product"])
def test_trials_against_brute_force_at_small_n(law: str) -> None:
    extra = {"alpha": "1/100", "beta": "1"} if "hyperbolic" in law else {}
    s = rss.setting(law=law, eps="0.05", target="uniform", trials=60, seed=7, **extra)
    n = 6
    want = sum(
        not _brute_point(rss.samples(s, t, n).tolist(), rss.target_of(s, t), s.eps)  # type: ignore[arg-type]
        for t in range(s.trials)
    )
    assert rss.failures(s, n) == want


def test_samples_are_nested_so_failures_never_increase_with_n() -> None:
    s = rss.setting(law="uniform-product", eps="0.02", target="uniform", trials=300, seed=1)
    for t in range(5):
        assert np.array_equal(rss.samples(s, t, 9)[:8], rss.samples(s, t, 8))
    counts = [rss.failures(s, n) for n in range(0, 16, 3)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_least_n_is_the_least_with_the_upper_limit_below_delta() -> None:
    s = rss.setting(law="uniform", eps="0.05", target="uniform", trials=400, seed=2)
    res = rss.least_n(s, "0.05")
    assert res.n is not None and res.ci[1] <= 0.05
    below = rss.rss(s, res.n - 1)
    assert below.ci[1] > 0.05


def test_a_sup_target_asks_more_than_a_point() -> None:
    point = rss.rss(rss.setting(law="uniform", eps="0.05", target="uniform", trials=300, seed=4), 10)
    sup = rss.rss(rss.setting(law="uniform", eps="0.05", target="sup", trials=300, seed=4), 10)
    assert sup.failures >= point.failures


def test_the_command_of_the_subset_sum_issue_prints_its_contract(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "rss", "--law", "uniform", "--n", "15", "--eps", "0.01", "--target", "uniform"]
    assert main([*argv, "--trials", "2000", "--seed", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"law", "n", "eps", "target", "trials", "failure_rate", "ci"} <= doc.keys()
    assert doc["law"] == "uniform" and doc["n"] == 15 and doc["trials"] == 2000 and doc["seed"] == 3
    lo, hi = doc["ci"]
    assert lo <= doc["failure_rate"] <= hi


@pytest.mark.parametrize(
    "argv",
    [
        ["--law", "hyperbolic", "--n", "5", "--eps", "0.1"],  # alpha and beta missing
        ["--law", "uniform", "--alpha", "0.1", "--beta", "1", "--n", "5", "--eps", "0.1"],
        ["--law", "uniform", "--eps", "0.1"],  # neither --n nor --least
        ["--law", "uniform", "--eps", "0.1", "--least"],  # --least without --delta
        ["--law", "uniform", "--n", "41", "--eps", "0.1"],  # past the exact search's limit
        ["--law", "uniform", "--n", "23", "--eps", "0.1", "--target", "sup"],
        ["--law", "gauss", "--n", "5", "--eps", "0.1"],
        ["--law", "uniform", "--n", "5", "--eps", "0.1", "--trials", "100000000"],
    ],
)
def test_bad_rss_requests_get_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "rss", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("logprune: error:")


def test_setting_refuses_a_huge_fixed_target() -> None:
    with pytest.raises(ParameterError, match="target="):
        rss.setting(law="uniform", eps="0.1", target="1e9")
