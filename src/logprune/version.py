"""The installed version of logprune, at the bottom of the package: every layer may import it (a Ĝ file and
``logprune --version`` name it) without importing the package's API."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("logprune")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
