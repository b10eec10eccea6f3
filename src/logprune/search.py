"""The least integer with a monotone property, by doubling then bisection.

Used where a property only improves as an integer grows (a block prefix that covers every weight: larger
prefixes hold every smaller one's products; a sample count whose failures, on common random numbers,
never increase): large values are costly, so they are reached by doubling, never tried first.

>>> least_true(lambda n: n * n >= 50, cap=100)
8
>>> least_true(lambda n: False, cap=10) is None
True
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["least_true"]


def least_true(holds: Callable[[int], bool], *, cap: int, start: int = 0) -> int | None:
    """The least n in [start, cap] with ``holds(n)``, for ``holds`` monotone (false, then true); None if
    ``holds(cap)`` is false.  Evaluates ``holds`` O(log cap) times."""
    if holds(start):
        return start
    lo, hi = start, max(start + 1, 1)  # holds(lo) is false
    while not holds(hi):
        if hi >= cap:
            return None
        lo, hi = hi, min(2 * hi, cap)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid
    return hi
