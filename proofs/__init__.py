"""Executable proofs: every claim of docs/claims.md as an ordered list of steps, each with a stated domain and
a status saying what its evidence establishes (proven, tested, instance, argued, failed; see
:mod:`logprune.proofs.framework`).

Each module ``proofs/<claim>.py`` exports ``CLAIM``, ``MUTATIONS`` (deliberately wrong variants, each of
which must make a step fail) and ``proof(mutation=None) -> Proof``.  :data:`CLAIMS` lists them in the
order of the report.
"""

from __future__ import annotations

from types import ModuleType

from logprune.proofs import (
    c1_malach,
    c2_orseau,
    c3_general,
    certificate,
    counting,
    coverage,
    entropy,
    l1_malach,
    l2_product,
    l3_golden,
    l4_batch,
    param_counting,
    pooling_a,
    pooling_b,
    propagation,
    transfer,
)

CLAIMS: tuple[ModuleType, ...] = (
    l1_malach,
    l2_product,
    l3_golden,
    l4_batch,
    coverage,
    propagation,
    pooling_a,
    pooling_b,
    c1_malach,
    c2_orseau,
    c3_general,
    certificate,
    transfer,
    counting,
    param_counting,
    entropy,
)


def by_id(claim: str) -> ModuleType:
    for m in CLAIMS:
        if m.CLAIM.lower() == claim.lower():
            return m
    from logprune.errors import ParameterError

    raise ParameterError(f"only={claim}: expected one of {', '.join(m.CLAIM for m in CLAIMS)}")
