"""proofs/certificate.py: each step's statement holds with the status its evidence allows, and each
mutation is caught by the step it targets."""

from __future__ import annotations

import functools
import random
from fractions import Fraction

import pytest

from logprune.proofs import CLAIMS, by_id
from logprune.proofs import _certificate_trials as trials
from logprune.proofs import certificate as cert
from logprune.proofs.framework import FAILED, INSTANCE, PROVEN, TESTED, Evidence, Step, tally


@functools.cache
def _results(mutation: str | None = None) -> tuple[tuple[Step, Evidence], ...]:
    """One run of the proof per mutation (its tested steps are seeded: a rerun gives the same evidence),
    shared by the tests that read its statuses: each run takes seconds."""
    return tuple(cert.proof(mutation).run())


def _status(prefix: str, mutation: str | None = None) -> str:
    [ev] = [ev for s, ev in _results(mutation) if s.fact.startswith(prefix)]
    return ev.status


def test_the_certificate_proof_is_registered_after_c3() -> None:
    ids = [m.CLAIM for m in CLAIMS]
    assert ids.index("certificate") == ids.index("C3") + 1
    assert by_id("certificate") is cert


def test_the_proof_passes_with_its_statuses() -> None:
    t = tally(_results())
    assert t.failed == 0, t.failures
    assert (t.proven, t.tested, t.instance, t.argued) == (12, 14, 5, 0)


@pytest.mark.parametrize(
    ("prefix", "status"),
    [
        ("N2, scalar core", PROVEN),
        ("N2, the rotation", PROVEN),
        ("Row-sum bound", TESTED),
        ("N2 on matrices", TESTED),
        ("Rounding of the errors", TESTED),
        ("(a + b)^2 <= 2a^2 + 2b^2", PROVEN),
        ("ReLU difference quotient", PROVEN),
        ("Carry rule, an unstable coordinate", PROVEN),
        ("Carry rule, a stable coordinate", PROVEN),
        ("Carry rule: for D diagonal", TESTED),
        ("The start", TESTED),
        ("Hybrid telescoping", TESTED),
        ("Interval product", TESTED),
        ("construct.certificate.rules applies the rule", TESTED),
        ("Hull carry, one coordinate", PROVEN),
        ("σ on an affine form", PROVEN),
        ("Affine form through a layer", PROVEN),
        ("Affine form, the enclosure", PROVEN),
        ("The ball, drop and clip", PROVEN),
        ("The ball's rounding margin", PROVEN),
        ("construct.certificate.compose's hull carry", TESTED),
        ("construct.certificate.rules' affine forms", TESTED),
        ("construct.certificate.rules' drop and clip", TESTED),
        ("construct.certificate.compose's bound of one cell", TESTED),
        ("Soundness, end to end:", INSTANCE),
        ("Soundness, end to end, inf norm", INSTANCE),
        ("construct.certificate.norms' rotation bound", TESTED),
    ],
)
def test_each_statement_has_its_honest_status(prefix: str, status: str) -> None:
    assert _status(prefix) == status


@pytest.mark.evidence
@pytest.mark.parametrize(
    ("mutation", "prefix"),
    [
        ("no-eta-factor", "N2, scalar core"),
        ("no-underflow-term", "Rounding of the errors"),
        ("half-slope", "ReLU difference quotient"),
        ("no-carry-half", "Carry rule, an unstable coordinate"),
        ("no-carry-half", "Carry rule: for D diagonal"),
        ("no-tau", "The start"),
        ("telescope-off-by-one", "Hybrid telescoping"),
        ("no-radius", "Interval product"),
        ("hull-no-zero", "Hull carry, one coordinate"),
        ("hull-no-zero", "construct.certificate.compose's hull carry"),
        ("form-keeps-unstable", "σ on an affine form"),
        ("symbolic-no-gamma", "Affine form through a layer"),
        ("symbolic-no-gamma", "Affine form, the enclosure"),
        ("symbolic-no-gamma", "construct.certificate.rules' affine forms"),
        ("ball-near-no-straddle", "The ball, drop and clip"),
        ("ball-no-rounding", "The ball's rounding margin"),
        ("ball-no-rounding", "construct.certificate.rules' drop and clip"),
    ],
)
def test_each_mutation_fails_the_step_it_targets(mutation: str, prefix: str) -> None:
    assert mutation in cert.MUTATIONS
    assert _status(prefix, mutation) == FAILED


def test_the_rounding_bound_needs_the_underflow_term_only_below_the_normal_range() -> None:
    e = Fraction(1, 3) * Fraction(2) ** -1070  # subnormal: relative error far above 2^-52
    d = abs(e - Fraction(float(e)))
    assert d > abs(e) / 2**52 and d <= abs(e) / 2**52 + trials.TINY


def test_the_toward_zero_rounding_never_increases_the_magnitude() -> None:
    rng = random.Random(1)
    for _ in range(200):
        e = Fraction(rng.randint(-(10**6), 10**6), rng.randint(1, 999)) * Fraction(2) ** rng.randint(-1100, 20)
        assert abs(Fraction(trials._toward_zero(e))) <= abs(e)


def test_the_hybrid_telescoping_holds_for_every_depth_1_to_4() -> None:
    rng = random.Random(7)
    assert all(trials.telescope_trial(rng, None) is None for _ in range(40))
