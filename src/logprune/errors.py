"""The one exception family of logprune.

Every error a user can provoke with bad input, or with a file that does not hold what it claims, is a
:class:`LogpruneError`; the concrete classes also subclass :class:`ValueError`, :class:`TypeError` or
:class:`ArithmeticError` so that generic handlers keep working.  Messages name the offending parameter as
``param=value``.  This is the bottom of the package: every layer may import it, it imports nothing.
"""


class LogpruneError(Exception):
    """Base class of every error logprune raises on purpose."""


class ParameterError(LogpruneError, ValueError):
    """A parameter has the right type but a value outside its domain (``eps=0``, ``delta=1.5``)."""


class ParameterTypeError(LogpruneError, TypeError):
    """A parameter cannot be read as the kind of number it must be (``n=abc``, ``eps=nan``)."""


class CertificationError(LogpruneError, ArithmeticError):
    """Ball arithmetic could not decide a quantity at the highest precision tried.

    Raised instead of returning an uncertain answer: a certified number is either certain or absent.
    """


class ConstructionFailedError(LogpruneError, ValueError):
    """A Ĝ that does not meet its request is never written (``Construction.write``)."""


class VerificationError(LogpruneError, ValueError):
    """A Ĝ file does not hold what it claims (tampered weights, wrong seed, wrong target, bad bound)."""
