"""The least integer with a monotone property, by doubling then bisection: the one search of logprune.

Used wherever a property only improves as an integer grows (a block prefix that covers every weight: larger
prefixes hold every smaller one's products; a sample count whose failures, on common random numbers, never
increase; b^k >= r; a binomial tail below delta): large values are costly, so they are reached by doubling,
never tried first.  A ``guess`` (a float estimate, say) places the search: it gallops down from the guess
when the property holds there, up otherwise, then bisects, so a good guess costs O(log |answer - guess|)
evaluations.  For a monotone property the answer is unique whatever the path.

>>> least_true(lambda n: n * n >= 50, cap=100)
8
>>> least_true(lambda n: False, cap=10) is None
True
>>> least_true(lambda n: n * n >= 50, guess=20)
8
>>> least_in(lambda n: n >= 3, -1, 10)
3
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["least_in", "least_true"]


def least_in(holds: Callable[[int], bool], lo: int, hi: int) -> int:
    """The least n in (lo, hi] with ``holds(n)``, given that ``holds(hi)`` is true and that every n <= lo
    fails (lo itself is never evaluated): bisection, O(log(hi - lo)) evaluations."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid
    return hi


def least_true(
    holds: Callable[[int], bool], *, cap: int | None = None, start: int = 0, guess: int | None = None
) -> int | None:
    """The least n in [start, cap] with ``holds(n)``, for ``holds`` monotone (false, then true); None if
    ``holds(cap)`` is false.  ``cap=None``: no upper end (the property must hold somewhere).  Without a
    guess, n = start is tried, then start + 1 and doubling values, then bisection (O(log answer)
    evaluations); with one, the search starts there (module doc)."""
    if cap is not None and cap < start:
        return None
    if guess is None:
        if holds(start):
            return start
        lo, hi = start, max(start + 1, 1)  # holds(lo) is false
        while True:
            if cap is not None and hi >= cap:
                hi = cap
                if hi == lo or not holds(hi):
                    return None
                break
            if holds(hi):
                break
            lo, hi = hi, 2 * hi
        return least_in(holds, lo, hi)
    g = max(guess, start) if cap is None else min(max(guess, start), cap)
    step = 1
    if holds(g):  # gallop down: every n below the answer fails
        hi, lo = g, g - step
        while lo >= start and holds(lo):
            hi, step = lo, 2 * step
            lo = hi - step
        return least_in(holds, max(lo, start - 1), hi)
    lo, hi = g, g + step  # gallop up from a failing guess
    while True:
        if cap is not None and hi >= cap:
            hi = cap
            if hi == lo or not holds(hi):
                return None
            break
        if holds(hi):
            break
        lo, step = hi, 2 * step
        hi = lo + step
    return least_in(holds, lo, hi)
