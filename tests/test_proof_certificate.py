"""proofs/certificate.py: each step's statement holds with the status its evidence allows, and each
mutation is caught by the step it targets."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from logprune.proofs import CLAIMS, by_id
from logprune.proofs import certificate as cert
from logprune.proofs.framework import FAILED, PROVEN, TESTED, Evidence, Step, tally


def _results(mutation: str | None = None) -> list[tuple[Step, Evidence]]:
    return cert.proof(mutation).run()


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
    assert (t.proven, t.tested, t.instance, t.argued) == (6, 7, 1, 0)


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
    ],
)
def test_each_statement_has_its_honest_status(prefix: str, status: str) -> None:
    assert _status(prefix) == status


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
    ],
)
def test_each_mutation_fails_the_step_it_targets(mutation: str, prefix: str) -> None:
    assert mutation in cert.MUTATIONS
    assert _status(prefix, mutation) == FAILED


def test_the_rounding_bound_needs_the_underflow_term_only_below_the_normal_range() -> None:
    e = Fraction(1, 3) * Fraction(2) ** -1070  # subnormal: relative error far above 2^-52
    d = abs(e - Fraction(float(e)))
    assert d > abs(e) / 2**52 and d <= abs(e) / 2**52 + cert.TINY


def test_the_toward_zero_rounding_never_increases_the_magnitude() -> None:
    rng = random.Random(1)
    for _ in range(200):
        e = Fraction(rng.randint(-(10**6), 10**6), rng.randint(1, 999)) * Fraction(2) ** rng.randint(-1100, 20)
        assert abs(Fraction(cert._toward_zero(e))) <= abs(e)


def test_the_hybrid_telescoping_holds_for_every_depth_1_to_4() -> None:
    rng = random.Random(7)
    assert all(cert._telescope_trial(rng, None) is None for _ in range(40))


def test_construct_applies_the_proven_interval_rule() -> None:
    """construct.compose's interval product is the rule the proof checks (proofs/ does not import it)."""
    from logprune.construct.compose import _matvec

    rng = np.random.default_rng(3)
    for _ in range(50):
        m, n = rng.integers(1, 6, size=2)
        w = rng.standard_normal((m, n)) * 2.0 ** rng.integers(-20, 20)
        a, b = rng.standard_normal((2, 3, n))
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        mine, theirs = _matvec(w, lo, hi), cert.enclose(w, lo, hi)
        assert np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])


def test_soundness_end_to_end_the_exact_error_is_within_the_certificate() -> None:
    """One instance: a 2-3-1 target with biases, k = 3: the exact error on a grid of the disk (rational
    inputs i/12, j/12) and at the attack's worst input is within the certificate, which is the smaller of
    the telescoped bound (recomputed here from a_i, Delta_i, x_max) and the composed one."""
    from logprune.choices import Norm
    from logprune.construct.attack import attack, exact_error
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct
    from logprune.construct.target import target_from_arrays

    w1 = np.array([[0.5, -0.25], [0.75, 0.5], [-0.5, 0.25]])
    w2 = np.array([[0.5, -0.75, 0.25]])
    target = target_from_arrays([w1, w2], [np.array([0.125, -0.25, 0.5]), np.array([0.125])])
    c = construct(target, options(eps="1/2", segments=3), measure=False)
    cb = c.certificate
    k = 12
    pts = [np.array([i / k, j / k]) for i in range(-k, k + 1) for j in range(-k, k + 1) if i * i + j * j <= k * k]
    worst = max(exact_error(c.built.net, target, x, Norm.L2)[0] for x in pts)
    found = attack(
        c.built.net, target, x_max=Fraction(1), nonnegative=False, norm=Norm.L2, seed=0, restarts=8, steps=40
    )
    assert len(pts) > 400
    assert max(worst, found.error) <= cb.bound
    ph, p = Fraction(1), Fraction(1)
    for a, d in zip(cb.norms, cb.deltas, strict=True):
        ph, p = ph * (a + d), p * a
    assert cb.telescoped == cb.x_max * (ph - p)
    assert cb.composed is not None and cb.bound == min(cb.telescoped, cb.composed)
