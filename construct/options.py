"""What to build: the typed options of a construction, declared once in a table and validated once by
:func:`options`.

Two modes (docs/claims.md, propagation and certificate):
- certified output mode (``eps``): sup over ||x||_2 <= x_max of ||Ĝ(x) - F(x)|| <= eps, with eps_w and
  k chosen from F's certified layer norms (C3);
- per-weight mode (``weight_eps``): every effective weight within weight_eps of its target weight (the
  tolerance of Pensia et al.'s experiment); no output accuracy is involved, so ``eps`` is refused there.

In the certified mode ``segments`` fixes k (and eps_w = s·φ^-k) instead of the least k the a-priori
telescoped bound allows; success is then decided by the certificate of the Ĝ actually built (the
a-posteriori mode of :func:`~logprune.construct.a_posteriori.construct_a_posteriori` searches this k).  A
tuple gives each target layer its own k (the plan checks that it has one value per layer; equal values
plan as the single k).

``delta`` is the failure probability the block size bound of the method is computed for (unused when
``width`` fixes the block size).  Exact values (Fractions) and enumeration members are passed inward;
nothing below this module validates again.

**The option table.**  Each field of :class:`Options` is one option, declared once with its
:class:`Option` (the parser that validates a user's value, the default, the JSON types Ĝ's meta writes it
with, the command-line flag and its help).  Everything else derives from it: :func:`options` (its keywords
and defaults), :meth:`Options.as_json`, the record types ``verify`` demands (:func:`json_types`), the flags
of ``logprune construct`` and ``demo`` and the keywords of :func:`logprune.prune`.  Adding an option is one
field here and its consumer.

>>> [o.name for o in OPTIONS][:4]
['eps', 'delta', 'seed', 'dist']
>>> OPTION["pooling"].flag, OPTION["pooling"].default
('--pool', <Pooling.SHARED: 'shared'>)
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from logprune.bounds.domain import Domain
from logprune.choices import Arithmetic, Dist, Method, Norm, Pooling, Prune, Signs, Support, Width, choice
from logprune.construct.methods import strategy
from logprune.errors import ParameterError
from logprune.validation import (
    MAX_K,
    MAX_SEED,
    MAX_SIZE,
    check_bool,
    check_int,
    check_open_unit,
    check_positive,
)

__all__ = ["OPTION", "OPTIONS", "Option", "Options", "check_segments", "json_types", "options"]


@dataclass(frozen=True, kw_only=True)
class Option:
    """One construction option, declared once (module doc)."""

    name: str  # the keyword of options() and logprune.prune, the field of Options, the key in Ĝ's meta
    default: Any  # what options() takes when the option is not given (a value its parser accepts)
    parse: Callable[[Any], Any]  # a user's value -> the validated value (raises one ParameterError)
    to_json: Callable[[Any], Any]  # the validated value -> its record in Ĝ's meta
    json_types: tuple[str, ...]  # the JSON types of that record (verify demands them)
    flag: str  # the command-line flag
    help: str  # the command-line help (and the API's documentation)
    choices: tuple[str, ...] | None = None  # the spellings an enumeration takes
    metavar: str | None = None
    switch: bool = False  # a command-line switch (store_true): present means True
    optional_record: bool = False  # may be absent from a Ĝ file (files written before the option existed)
    written: Callable[[Any], bool] = lambda value: True  # whether Ĝ's meta records the option at this value


def _option(**kw: Any) -> dict[str, Any]:
    """The metadata of a field of :class:`Options`: its :class:`Option` but the name (the field's own)."""
    return {"option": kw}


def _text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _enum_option(enum: Any, param: str, default: Any, flag: str, help: str) -> dict[str, Any]:
    return _option(
        default=default,
        parse=lambda v: choice(enum, param, v),
        to_json=lambda v: v.value,
        json_types=("string",),
        flag=flag,
        help=help,
        choices=tuple(m.value for m in enum),
    )


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


def _width(value: Any) -> int | Width | None:
    """``width``: a block size P, ``"adaptive"`` or ``"calibrated"``, or None (the method's bound)."""
    if value is None:
        return None
    if isinstance(value, Width) or (isinstance(value, str) and value in {w.value for w in Width}):
        return Width(value)
    return check_int("width", value, maximum=MAX_SIZE)


@dataclass(frozen=True, kw_only=True)
class Options:
    """A validated construction request (build with :func:`options`); each field is one option of the table."""

    eps: Fraction | None = field(
        metadata=_option(
            default=None,
            parse=lambda v: None if v is None else check_open_unit("eps", v),
            to_json=_text,
            json_types=("string", "null"),
            flag="--eps",
            help="certified output accuracy: sup over the domain of ||Ĝ(x) - F(x)|| <= EPS (the certified output mode)",
        )
    )
    delta: Fraction = field(
        metadata=_option(
            default="1/100",
            parse=lambda v: check_open_unit("delta", v),
            to_json=str,
            json_types=("string",),
            flag="--delta",
            help="failure probability the block size is computed for (default 0.01)",
        )
    )
    seed: int = field(
        metadata=_option(
            default=0,
            parse=lambda v: check_int("seed", v, minimum=0, maximum=MAX_SEED),
            to_json=lambda v: v,
            json_types=("integer",),
            flag="--seed",
            help="seed of G (default 0): G is regenerated from it, block by block",
        )
    )
    dist: Dist = field(
        metadata=_enum_option(Dist, "dist", Dist.HYPERBOLIC, "--dist", "law of G's weights (default hyperbolic)")
    )
    pooling: Pooling = field(
        metadata=_enum_option(
            Pooling,
            "pool",
            Pooling.SHARED,
            "--pool",
            "pooling (B) shared (default, proven in proofs/pooling_b.py) or (A) per-weight",
        )
    )
    method: Method = field(
        metadata=_enum_option(Method, "method", Method.GOLDEN, "--method", "pruning rule (default golden)")
    )
    weight_eps: Fraction | None = field(
        metadata=_option(
            default=None,
            parse=lambda v: None if v is None else check_positive("weight_eps", v),
            to_json=_text,
            json_types=("string", "null"),
            flag="--weight-eps",
            metavar="E",
            help="per-weight tolerance mode: every weight within E (a complete request without --eps)",
        )
    )
    inputs_nonnegative: bool = field(
        metadata=_option(
            default=False,
            parse=lambda v: check_bool("inputs_nonnegative", v),
            to_json=lambda v: v,
            json_types=("boolean",),
            flag="--inputs-nonnegative",
            switch=True,
            help="declare x >= 0: one branch in layer 1, and a certificate for x >= 0 only",
        )
    )
    x_max: Fraction = field(
        metadata=_option(
            default=1,
            parse=lambda v: check_positive("x_max", v),
            to_json=str,
            json_types=("string",),
            flag="--xmax",
            help="certify for ||x||_2 <= XMAX (default 1)",
        )
    )
    norm: Norm = field(
        metadata=_enum_option(Norm, "norm", Norm.L2, "--norm", "output norm of the certificate (default l2)")
    )
    width: int | Width | None = field(
        metadata=_option(
            default=None,
            parse=_width,
            to_json=lambda v: v.value if isinstance(v, Width) else v,
            json_types=("integer", "null", "string"),
            flag="--width",
            help="block size P of G (overrides the bound); adaptive: each block grows until it covers its weights; "
            "calibrated (subset-sum): the recorded empirical RSS calibration's block size",
        )
    )
    arithmetic: Arithmetic = field(
        metadata=_enum_option(
            Arithmetic, "arithmetic", Arithmetic.EXACT, "--context", "arithmetic of the errors (default exact)"
        )
    )
    signs: Signs = field(
        metadata=_enum_option(
            Signs,
            "signs",
            Signs.IID,
            "--signs",
            "signs of G: iid (fair coins, the theorems' setting), designed (in-weights all + on inputs >= 0, "
            "half and half otherwise) or balanced (designed, and out-weights alternating in sign; subset-sum only)",
        )
    )
    support: Support = field(
        metadata=_enum_option(
            Support,
            "support",
            Support.SEPARATE,
            "--support",
            "supports of G's hyperbolic weights: separate (in-weights over the k segments, out-weights of fixed "
            "magnitude: c = 1/(4k), the default) or shared (one law for both: c = 1/(8(k-1)))",
        )
    )
    prune: Prune = field(
        metadata=_option(
            default=Prune.FEWEST,
            parse=lambda v: choice(Prune, "prune", v),
            to_json=lambda v: v.value,
            json_types=("string",),
            flag="--prune",
            choices=tuple(m.value for m in Prune),
            optional_record=True,  # files written before it existed were pruned to the fewest
            help="subset-sum's pruner: fewest (the fewest products within eps_w, then the smallest error; the "
            "default) or nearest (each weight's closest subset sum: the smallest errors, for the certified mode)",
        )
    )
    segments: int | tuple[int, ...] | None = field(
        metadata=_option(
            default=None,
            parse=lambda v: None if v is None else check_segments(v),
            to_json=lambda v: v if isinstance(v, int) else list(v),
            json_types=("integer", "array"),
            flag="--segments",
            metavar="K[,K2,...]",
            optional_record=True,  # written only when k was fixed (one, or one per layer)
            written=lambda v: v is not None,
            help="certified mode: build with k = K segments (eps_w = w_max·φ^-K), or one k per target layer "
            "(K1,K2,...); the certificate decides",
        )
    )

    @property
    def domain(self) -> Domain:
        """The inputs the request is about (||x||_2 <= x_max, x >= 0 where declared) and the output norm."""
        return Domain(x_max=self.x_max, nonnegative=self.inputs_nonnegative, norm=self.norm)

    @property
    def per_weight(self) -> bool:
        """True in the per-weight mode (``weight_eps``), False in the certified output mode (``eps``)."""
        return self.weight_eps is not None

    @property
    def adaptive(self) -> bool:
        """``width="adaptive"``: each block grows until it covers its weights."""
        return self.width is Width.ADAPTIVE

    @property
    def calibrated(self) -> bool:
        """``width="calibrated"``: the method's recorded empirical default block size."""
        return self.width is Width.CALIBRATED

    @property
    def block_width(self) -> int | None:
        """The block size P the request fixes (None: the method's bound, its default or adaptive blocks)."""
        return self.width if isinstance(self.width, int) else None

    def as_json(self) -> dict[str, Any]:
        """The request as Ĝ's meta records it (every option of the table, in its order)."""
        out: dict[str, Any] = {}
        for o in OPTIONS:
            value = getattr(self, o.name)
            if o.written(value):
                out[o.name] = o.to_json(value)
        return out

    def with_segments(self, k: int | tuple[int, ...]) -> Options:
        """The same request with k fixed, or fixed per layer (certified mode)."""
        return options(**{**self.as_json(), "segments": k})


OPTIONS: tuple[Option, ...] = tuple(Option(name=f.name, **f.metadata["option"]) for f in dataclasses.fields(Options))
OPTION: dict[str, Option] = {o.name: o for o in OPTIONS}


def json_types() -> dict[str, tuple[str, ...]]:
    """The JSON types of every option's record in Ĝ's meta (what ``verify`` demands)."""
    return {o.name: o.json_types for o in OPTIONS}


def options(**request: Any) -> Options:
    """Validated :class:`Options`: the one place where a construction's arguments are checked (the keywords
    are the table's, :data:`OPTIONS`; a keyword not given takes the table's default).

    >>> options(weight_eps="0.01").per_weight
    True
    >>> options(eps="0.1", weight_eps="0.01")
    Traceback (most recent call last):
    ...
    logprune.errors.ParameterError: eps=0.1: not used in the per-weight mode (weight_eps=0.01); give one of them
    """
    unknown = [k for k in request if k not in OPTION]
    if unknown:
        raise ParameterError(f"{unknown[0]}={request[unknown[0]]!r}: not an option (the options: {', '.join(OPTION)})")
    raw = {o.name: request.get(o.name, o.default) for o in OPTIONS}
    eps, weight_eps, segments = raw["eps"], raw["weight_eps"], raw["segments"]
    if eps is None and weight_eps is None:
        raise ParameterError("eps=None: give eps (certified output mode) or weight_eps (per-weight mode)")
    if eps is not None and weight_eps is not None:
        raise ParameterError(f"eps={eps}: not used in the per-weight mode (weight_eps={weight_eps}); give one of them")
    if segments is not None and eps is None:
        raise ParameterError(f"segments={segments}: only in the certified output mode (give eps, not weight_eps)")
    # the method, the signs and the pruner first, then the width's number: the rules between them name the
    # user's words
    m = OPTION["method"].parse(raw["method"])
    rule = raw["width"] if isinstance(raw["width"], str) and raw["width"] in {r.value for r in Width} else None
    if rule == Width.CALIBRATED and not strategy(m).calibrated_default:
        raise ParameterError(f"width=calibrated: method={m.value} has no calibrated block size (subset-sum has)")
    sg = OPTION["signs"].parse(raw["signs"])
    if sg is Signs.BALANCED and m is not Method.SUBSET_SUM:
        raise ParameterError(
            f"signs=balanced: only for subset-sum (method={m.value}: its bound assumes fair out-weight signs)"
        )
    if sg is Signs.BALANCED and rule == Width.CALIBRATED:
        raise ParameterError("width=calibrated: the RSS calibration is for fair out-weight signs, not signs=balanced")
    pr = OPTION["prune"].parse(raw["prune"])
    if pr is not Prune.FEWEST and m is not Method.SUBSET_SUM:
        raise ParameterError(f"prune={pr.value}: only subset-sum chooses among subsets (method={m.value})")
    w = _width(raw["width"])
    if isinstance(w, int):
        strategy(m).check_width(w)  # a method may search only so many neurons per block
    checked = {"method": m, "width": w, "signs": sg, "prune": pr}
    return Options(**{o.name: checked[o.name] if o.name in checked else o.parse(raw[o.name]) for o in OPTIONS})


# help(options), IDEs and notebooks see the table's keywords and defaults
options.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default) for o in OPTIONS],
    return_annotation=Options,
)
