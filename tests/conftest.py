"""Shared test set-up: hypothesis profiles, precision reset, and the enclosure checker."""

from __future__ import annotations

import os
from collections.abc import Iterator

import flint
import mpmath
import pytest
from hypothesis import settings

# With CI set, hypothesis loads its derandomized built-in "ci" profile by itself.  Locally: no deadline
# (sympy's first call in a process is slow, which is not a property of the code under test).
if not os.environ.get("CI"):
    settings.register_profile("dev", deadline=None)
    settings.load_profile("dev")


@pytest.fixture(autouse=True)
def _reset_precision() -> Iterator[None]:
    """Every test starts and ends at the libraries' default precisions (after mpmath's own tests)."""
    flint.ctx.prec = 53
    mpmath.mp.dps = 15
    yield
    assert flint.ctx.prec == 53, "a test leaked a flint precision change"
    flint.ctx.prec = 53
    mpmath.mp.dps = 15
