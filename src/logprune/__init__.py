"""logprune: formal-bound verification toolkit for the strong lottery ticket hypothesis.

The Python API (:mod:`logprune.api`, re-exported here): :func:`load_target`, :func:`demo_target`,
:func:`bounds_table`, :func:`bounds_for_model`, :func:`prune` (construct Ĝ), :func:`verify`, :func:`rss`
(the names ``bounds`` and ``construct`` are the subpackages').  Subpackages:
:mod:`logprune.bounds` (symbolic, certified bounds of the literature), :mod:`logprune.construct` (Ĝ for
real, with a certificate), :mod:`logprune.proofs` (executable proofs), :mod:`logprune.checks`.
"""

from typing import TYPE_CHECKING, Any

from logprune.version import __version__

if TYPE_CHECKING:  # type checkers see the API's signatures; at run time it loads on first use
    from logprune.api import BoundsTable, bounds_for_model, bounds_table, demo_target, load_target, prune, rss, verify

__all__ = [
    "BoundsTable",
    "__version__",
    "bounds_for_model",
    "bounds_table",
    "demo_target",
    "load_target",
    "prune",
    "rss",
    "verify",
]

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    """The API, imported on first use: ``import logprune.bounds`` must not pull in the layers above it."""
    if name in _API:
        from logprune import api

        return getattr(api, name)
    raise AttributeError(f"module 'logprune' has no attribute {name!r}")
