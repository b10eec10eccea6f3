"""The one doubling-then-bisection search (logprune.search): the least n with a monotone property, whatever
the start, the cap and the guess, in O(log) evaluations, never beyond the cap."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from logprune.search import least_in, least_true


@given(
    start=st.integers(0, 50),
    span=st.integers(0, 10_000),
    threshold=st.integers(0, 20_000),
    guess=st.none() | st.integers(-10, 30_000),
    capped=st.booleans(),
)
def test_least_true_is_the_least_n_in_range_with_the_property(
    start: int, span: int, threshold: int, guess: int | None, capped: bool
) -> None:
    cap = start + span if capped else None
    seen: list[int] = []

    def holds(n: int) -> bool:
        seen.append(n)
        return n >= threshold

    found = least_true(holds, start=start, cap=cap, guess=guess)
    want = max(threshold, start)
    if cap is not None and want > cap:
        assert found is None
    else:
        assert found == want
    assert all(n >= start and (cap is None or n <= cap) for n in seen)
    far = abs(want - (start if guess is None else max(guess, start))) + 2
    assert len(seen) <= 4 * math.log2(far + 1) + 6


@given(lo=st.integers(-5, 100), width=st.integers(1, 1000), at=st.integers(0, 1000))
def test_least_in_bisects_a_bracket_without_evaluating_its_low_end(lo: int, width: int, at: int) -> None:
    hi = lo + width
    threshold = lo + 1 + at % width
    seen: list[int] = []

    def holds(n: int) -> bool:
        seen.append(n)
        return n >= threshold

    assert least_in(holds, lo, hi) == threshold
    assert lo not in seen and len(seen) <= math.ceil(math.log2(width)) + 1
