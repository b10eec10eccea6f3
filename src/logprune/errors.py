"""The one exception family of logprune.

Every error a user can provoke with bad input is a :class:`LogpruneError`; the concrete classes also
subclass :class:`ValueError` or :class:`TypeError` so that generic handlers keep working.  Messages
name the offending parameter as ``param=value``.
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
