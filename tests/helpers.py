"""Assertions shared by the tests (after python-flint's test helper: closeness *and* a radius cap)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath

from logprune.bounds.certified import Enclosure


def assert_encloses(enc: Enclosure, reference: Any, *, max_radius: Fraction | float = Fraction(1, 10**12)) -> None:
    """``reference`` (an mpmath/int/Fraction value from independent code) lies in the enclosure, and the
    enclosure is tight: a blown-up ball fails instead of passing vacuously."""
    radius = enc.radius
    scale = max(abs(enc.lower), abs(enc.upper), Fraction(1))
    assert radius <= Fraction(max_radius) * scale, f"enclosure too wide: {enc} (radius {float(radius):.3g})"
    with mpmath.workdps(60):
        ref = (
            mpmath.mpf(reference)
            if not isinstance(reference, Fraction)
            else (mpmath.mpf(reference.numerator) / reference.denominator)
        )
        lo = mpmath.mpf(enc.lower.numerator) / enc.lower.denominator
        hi = mpmath.mpf(enc.upper.numerator) / enc.upper.denominator
        # the reference itself is a 60-digit float: allow its own rounding, nothing more
        slack = abs(ref) * mpmath.mpf(10) ** -50
        assert lo - slack <= ref <= hi + slack, f"{ref} not in [{lo}, {hi}]"
