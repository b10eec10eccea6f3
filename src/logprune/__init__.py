"""logprune: formal-bound verification toolkit for the strong lottery ticket hypothesis.

Subpackages: :mod:`logprune.bounds` (symbolic, certified bounds of the literature).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("logprune")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
