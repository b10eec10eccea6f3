"""The optional dependencies, asked for before any work: a missing one is one line naming its extra.

>>> require("json", extra="check", what="check rss")  # present: nothing happens
"""

from __future__ import annotations

import importlib.util

from logprune.errors import ParameterError

__all__ = ["require"]


def require(module: str, *, extra: str, what: str) -> None:
    """Raise one line (``what: needs MODULE (pip install 'logprune[EXTRA]')``) when ``module`` is missing."""
    if importlib.util.find_spec(module) is None:
        raise ParameterError(f"{what}: needs {module} (pip install 'logprune[{extra}]')")
