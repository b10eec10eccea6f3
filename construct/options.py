"""What to build: the typed options of a construction, validated once by :func:`options`.

Two modes (docs/claims.md, propagation and certificate):
- certified output mode (``eps``): sup over ||x||_2 <= x_max of ||Ĝ(x) - F(x)|| <= eps, with eps_w and
  k chosen from F's certified layer norms (C3);
- per-weight mode (``weight_eps``): every effective weight within weight_eps of its target weight (the
  tolerance of Pensia et al.'s experiment); no output accuracy is involved, so ``eps`` is refused there.

In the certified mode ``segments`` fixes k (and eps_w = s·φ^-k) instead of the least k the a-priori
telescoped bound allows; success is then decided by the certificate of the Ĝ actually built (the
a-posteriori mode of :func:`~logprune.construct.pipeline.construct_a_posteriori` searches this k).  A
tuple gives each target layer its own k (the plan checks that it has one value per layer; equal values
plan as the single k).

``delta`` is the failure probability the block size bound of the method is computed for (unused when
``width`` fixes the block size).  Exact values (Fractions) and enumeration members are passed inward;
nothing below this module validates again.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from logprune.choices import Arithmetic, Dist, Method, Norm, Pooling, Prune, Signs, Support, choice
from logprune.construct.methods import strategy
from logprune.errors import ParameterError
from logprune.validation import MAX_K, MAX_SEED, MAX_SIZE, check_int, check_open_unit, check_positive

__all__ = ["Options", "Support", "check_segments", "options"]


@dataclass(frozen=True)
class Options:
    """A validated construction request (build with :func:`options`)."""

    eps: Fraction | None
    delta: Fraction
    seed: int
    dist: Dist = Dist.HYPERBOLIC
    pooling: Pooling = Pooling.SHARED  # (B), proven in proofs/pooling_b.py; PER_WEIGHT is pooling (A)
    method: Method = Method.GOLDEN
    weight_eps: Fraction | None = None
    inputs_nonnegative: bool = False
    x_max: Fraction = Fraction(1)
    norm: Norm = Norm.L2
    width: int | None = None
    arithmetic: Arithmetic = Arithmetic.EXACT
    signs: Signs = Signs.IID
    adaptive: bool = False  # width "adaptive": each block grows until it covers its weights (``width`` None)
    calibrated: bool = False  # width "calibrated": the method's recorded empirical default (``width`` None)
    segments: int | tuple[int, ...] | None = None  # certified mode: k fixed, or one per layer (module doc)
    support: Support = Support.SEPARATE  # of G's hyperbolic weights (unused by the uniform law)
    prune: Prune = Prune.FEWEST  # what subset-sum's pruner minimises (the other methods have one rule)

    @property
    def per_weight(self) -> bool:
        """True in the per-weight mode (``weight_eps``), False in the certified output mode (``eps``)."""
        return self.weight_eps is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "eps": None if self.eps is None else str(self.eps),
            "delta": str(self.delta),
            "seed": self.seed,
            "dist": self.dist.value,
            "pooling": self.pooling.value,
            "method": self.method.value,
            "weight_eps": None if self.weight_eps is None else str(self.weight_eps),
            "inputs_nonnegative": self.inputs_nonnegative,
            "x_max": str(self.x_max),
            "norm": self.norm.value,
            "width": "adaptive" if self.adaptive else "calibrated" if self.calibrated else self.width,
            "arithmetic": self.arithmetic.value,
            "signs": self.signs.value,
            "support": self.support.value,
            "prune": self.prune.value,
            **({} if self.segments is None else {"segments": _segments_json(self.segments)}),
        }

    def with_segments(self, k: int | tuple[int, ...]) -> Options:
        """The same request with k fixed, or fixed per layer (certified mode)."""
        return options(**{**self.as_json(), "segments": k})


def _segments_json(k: int | tuple[int, ...]) -> int | list[int]:
    return k if isinstance(k, int) else list(k)


def check_segments(value: Any) -> int | tuple[int, ...]:
    """``segments`` as one k or one k per layer: an integer, a sequence of integers, or a text "23,21"
    (the CLI's).

    >>> check_segments("23,21"), check_segments([22, 22]), check_segments(7)
    ((23, 21), (22, 22), 7)
    """
    raw = value
    if isinstance(value, str) and "," in value:
        value = [v.strip() for v in value.split(",")]
    if isinstance(value, (list, tuple)):
        if not value:
            raise ParameterError(f"segments={raw!r}: expected one k, or one k per layer")
        return tuple(check_int("segments", v, maximum=MAX_K) for v in value)
    return check_int("segments", value, maximum=MAX_K)


def options(
    *,
    eps: Any = None,
    delta: Any = "1/100",
    seed: Any = 0,
    dist: Any = Dist.HYPERBOLIC,
    pooling: Any = Pooling.SHARED,
    method: Any = Method.GOLDEN,
    weight_eps: Any = None,
    inputs_nonnegative: bool = False,
    x_max: Any = 1,
    norm: Any = Norm.L2,
    width: Any = None,
    arithmetic: Any = Arithmetic.EXACT,
    signs: Any = Signs.IID,
    segments: Any = None,
    support: Any = Support.SEPARATE,
    prune: Any = Prune.FEWEST,
) -> Options:
    """Validated :class:`Options`: the one place where a construction's arguments are checked.

    >>> options(weight_eps="0.01").per_weight
    True
    >>> options(eps="0.1", weight_eps="0.01")
    Traceback (most recent call last):
    ...
    logprune.errors.ParameterError: eps=0.1: not used in the per-weight mode (weight_eps=0.01); give one of them
    """
    if eps is None and weight_eps is None:
        raise ParameterError("eps=None: give eps (certified output mode) or weight_eps (per-weight mode)")
    if eps is not None and weight_eps is not None:
        raise ParameterError(f"eps={eps}: not used in the per-weight mode (weight_eps={weight_eps}); give one of them")
    if segments is not None and eps is None:
        raise ParameterError(f"segments={segments}: only in the certified output mode (give eps, not weight_eps)")
    m = choice(Method, "method", method)
    adaptive = isinstance(width, str) and width == "adaptive"
    calibrated = isinstance(width, str) and width == "calibrated"
    if calibrated and not strategy(m).calibrated_default:
        raise ParameterError(f"width=calibrated: method={m.value} has no calibrated block size (subset-sum has)")
    sg = choice(Signs, "signs", signs)
    if sg is Signs.BALANCED and m is not Method.SUBSET_SUM:
        raise ParameterError(
            f"signs=balanced: only for subset-sum (method={m.value}: its bound assumes fair out-weight signs)"
        )
    if sg is Signs.BALANCED and calibrated:
        raise ParameterError("width=calibrated: the RSS calibration is for fair out-weight signs, not signs=balanced")
    pr = choice(Prune, "prune", prune)
    if pr is not Prune.FEWEST and m is not Method.SUBSET_SUM:
        raise ParameterError(f"prune={pr.value}: only subset-sum chooses among subsets (method={m.value})")
    w = None if width is None or adaptive or calibrated else check_int("width", width, maximum=MAX_SIZE)
    if w is not None:
        strategy(m).check_width(w)  # a method may search only so many neurons per block
    return Options(
        eps=None if eps is None else check_open_unit("eps", eps),
        delta=check_open_unit("delta", delta),
        seed=check_int("seed", seed, minimum=0, maximum=MAX_SEED),
        dist=choice(Dist, "dist", dist),
        pooling=choice(Pooling, "pool", pooling),
        method=m,
        weight_eps=None if weight_eps is None else check_positive("weight_eps", weight_eps),
        inputs_nonnegative=bool(inputs_nonnegative),
        x_max=check_positive("x_max", x_max),
        norm=choice(Norm, "norm", norm),
        width=w,
        arithmetic=choice(Arithmetic, "arithmetic", arithmetic),
        signs=sg,
        adaptive=adaptive,
        calibrated=calibrated,
        segments=None if segments is None else check_segments(segments),
        support=choice(Support, "support", support),
        prune=pr,
    )
