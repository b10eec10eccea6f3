"""The options of logprune as enumerations, parsed once at the public entry points.

Every option that used to be a string compared in several modules is one of these enumerations; its
``value`` is the spelling the command line, Ĝ's meta and the JSON outputs use, so ``json.dumps`` of a
member writes the same text as before.  :func:`choice` reads a user's value (a member or its spelling)
and raises one :class:`~logprune.errors.ParameterError` naming ``param=value`` otherwise.

>>> choice(Pooling, "pool", "shared")
<Pooling.SHARED: 'shared'>
>>> choice(Method, "method", "simplex")
Traceback (most recent call last):
...
logprune.errors.ParameterError: method=simplex: expected golden, malach or subset-sum
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from logprune.errors import ParameterError

__all__ = ["Arithmetic", "Dist", "Method", "Norm", "Pooling", "Prune", "RssLaw", "Signs", "Support", "Width", "choice"]


class Dist(StrEnum):
    """The law of G's weights: hyperbolic (log-uniform magnitude, fair sign) or uniform on [-beta, beta]."""

    HYPERBOLIC = "hyperbolic"
    UNIFORM = "uniform"


class Pooling(StrEnum):
    """How G's intermediate neurons are shared (docs/claims.md, pooling-A and pooling-B)."""

    SHARED = "shared"  # (B): one block of P neurons per input neuron, shared by all outputs
    PER_WEIGHT = "per-weight"  # (A): a dedicated pool of P neurons per target weight


class Method(StrEnum):
    """The pruning rule that selects, per target weight, the kept neurons of a block."""

    GOLDEN = "golden"  # L3: one product per golden-ratio segment, greedy
    MALACH = "malach"  # L1/L2: the first single product within eps_w (Malach et al.'s baseline)
    SUBSET_SUM = "subset-sum"  # the subset of the block's products whose sum is closest (exact search)


class Prune(StrEnum):
    """What subset-sum's optimal pruner minimises, per target weight and branch."""

    # the fewest products whose exact sum is within eps_w (then the smallest error): the sparsest Ĝ
    FEWEST = "fewest"
    # the subset whose sum is closest to the weight (reported uncovered when that is not within eps_w):
    # the smallest errors, for the certified output mode, whose certificate is computed on the exact errors
    NEAREST = "nearest"


class Signs(StrEnum):
    """The signs of G's in-weights: fair i.i.d. coins (the theorems' setting) or designed for the target."""

    IID = "iid"
    # where a layer's inputs are >= 0 every in-weight is positive (a negative one would feed relu(a·x) = 0);
    # where they may be negative, neurons alternate + and - (each branch gets half of every block prefix)
    DESIGNED = "designed"
    # designed in-weights, and out-weights of alternating signs within each branch's neurons (every prefix
    # of a branch has as many + as - out-weights, to one): a weight's subset sum never lacks products of
    # its sign.  Subset-sum only (the coverage bounds of golden and Malach's rule assume fair out-signs)
    BALANCED = "balanced"


class Support(StrEnum):
    """The supports of G's hyperbolic weights (docs/claims.md, coverage and L4)."""

    SEPARATE = "separate"  # in-weights log-uniform on exactly the k segments' log-width, |out| fixed: 1/(4k)
    SHARED = "shared"  # one log-uniform law for in- and out-weights, log-width (k-1)·ln b: 1/(8(k-1))


class Width(StrEnum):
    """A block size rule instead of a number (``width``; docs/claims.md, pooling-B)."""

    ADAPTIVE = "adaptive"  # each block grows to the least prefix that covers its weights (the slides' "sample until")
    CALIBRATED = "calibrated"  # the method's recorded empirical default (subset-sum: the RSS calibration)


class Norm(StrEnum):
    """The output norm of the certificate."""

    L2 = "l2"
    INF = "inf"


class Arithmetic(StrEnum):
    """The numeric context of Ĝ's effective weights and errors (after mpmath's mp / iv / fp)."""

    EXACT = "exact"  # exact rationals (gmpy2.mpq or Fraction): the default, a certificate
    BALL = "ball"  # python-flint arb balls: rigorous, a certificate
    FLOAT = "float"  # float64: an estimate, never a certificate


class RssLaw(StrEnum):
    """The law of the samples of a random-subset-sum experiment (``logprune check rss``)."""

    UNIFORM = "uniform"  # U[-1, 1]
    UNIFORM_PRODUCT = "uniform-product"  # a·b, a and b independent U[-1, 1]
    HYPERBOLIC = "hyperbolic"  # |w| log-uniform on [alpha, beta], fair sign
    HYPERBOLIC_PRODUCT = "hyperbolic-product"  # a·b, a and b independent hyperbolic

    @property
    def hyperbolic(self) -> bool:
        return self in (RssLaw.HYPERBOLIC, RssLaw.HYPERBOLIC_PRODUCT)

    @property
    def product(self) -> bool:
        return self in (RssLaw.UNIFORM_PRODUCT, RssLaw.HYPERBOLIC_PRODUCT)


E = TypeVar("E", bound=StrEnum)


def _spellings(enum: type[StrEnum]) -> str:
    values = [m.value for m in enum]
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


def choice(enum: type[E], name: str, value: Any) -> E:
    """``value`` (a member of ``enum`` or its spelling) as a member; a clear error otherwise."""
    if isinstance(value, enum):
        return value
    try:
        return enum(str(value))
    except ValueError:
        raise ParameterError(f"{name}={value}: expected {_spellings(enum)}") from None
