"""The protocol of a pruning method: what the build loop asks of it, and what it answers.

The build loop hands a method one :class:`BlockProblem` per (block, branch): the products q = a·b of the
block's neurons towards every output, which of them the branch may use, and the target column; the
method answers with the kept (output, neuron) pairs and the items it could not cover (:class:`Picked`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from logprune.choices import Dist, Method, Signs

if TYPE_CHECKING:  # the request; options.py asks strategy() for its checks
    from logprune.construct.options import Options

__all__ = ["BlockProblem", "BoundRequest", "Picked", "Selection"]


@dataclass(frozen=True, kw_only=True)
class BlockProblem:
    """One block of G for one branch: q[o, p] = a·b, ``usable[o, p]`` (the neuron's in-weight has the
    branch's sign), the target column w[o], the scale s = w_max, k segments and eps_w (as a float: the
    exact errors are computed afterwards, whatever the method picks)."""

    q: np.ndarray
    usable: np.ndarray
    w: np.ndarray
    scale: float
    k: int
    eps_w: float
    eps_exact: Fraction | None = None  # eps_w exactly, for methods that decide feasibility exactly
    a: np.ndarray | None = None  # the factors of q (q = fl(a·b)), for exact products
    b: np.ndarray | None = None


@dataclass(frozen=True)
class Picked:
    """Kept (o, p) pairs, and the (o, segment) items left uncovered (segment 0: the weight itself)."""

    o: np.ndarray
    p: np.ndarray
    missing: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class BoundRequest:
    """What a block-size bound depends on: the law of G, k, eps_w, the scale, the number of (weight,
    branch) pairs it must serve at once and the failure probability delta; the signs of G's in-weights
    and, per layer, (branches, pairs) (designed signs: a two-branch layer gives each branch half a block)."""

    dist: Dist
    law: Any
    k: int
    eps_w: Fraction
    scale: Fraction
    pairs: int
    delta: Fraction
    signs: Signs = Signs.IID
    layer_pairs: tuple[tuple[int, int], ...] = ()  # (branches, pairs) per target layer; () = all two-branch


class Selection:
    """A pruning method (one subclass per module of :mod:`logprune.construct.methods`)."""

    method: Method

    def uniform_law_scale(self, scale: float) -> float:
        """The scale S of G's uniform law U[-beta, beta], beta^2 = S/phi, for a target of scale s = w_max."""
        raise NotImplementedError

    def events_per_pair(self, k: int) -> int:
        """Events of the union bound per (weight, branch) pair: k segments, or 1 for a single product."""
        return 1

    def block_bound(self, req: BoundRequest) -> tuple[int | None, str | None]:
        """(block size P from the method's bound, the coverage constant as text); (None, None) if none."""
        return None, None

    def default_block(self, *, eps_w: Fraction, scale: Fraction) -> int | None:
        """The block size to use when the method has no bound and no width is given."""
        return None

    def default_block_source(self, *, eps_w: Fraction, scale: Fraction) -> str | None:
        """Where :meth:`default_block` comes from (recorded in the plan when it decides P); None: no default."""
        return None

    default_adaptive: bool = False  # without a width or a bound: adaptive blocks instead of default_block
    calibrated_default: bool = False  # default_block comes from a recorded calibration (width="calibrated")
    min_block: int = 1  # the smallest block the selection can search (adaptive blocks start there)

    def adaptive_cap(self, *, bound: int | None, default: int | None) -> int | None:
        """The largest block an adaptive build may grow to: the bound, else the default size."""
        return bound if bound is not None else default

    def configured(self, opt: Options) -> Selection:
        """This method with the options of the request it reads (``prune`` for subset-sum); the plan asks it
        once, so a method's own option reaches it without passing through the plan or the build."""
        return self

    def check_width(self, width: int) -> None:
        """Refuse a block size the method cannot search (raise ParameterError)."""

    def select(self, prob: BlockProblem) -> Picked:
        raise NotImplementedError

    def least_covering(self, prob: BlockProblem) -> int | None:
        """The least prefix of the block (problem on the whole block) whose selection leaves nothing
        uncovered, when the method can tell it in one pass (None: search by doubling and bisection; a
        block no prefix covers: its full size).  Must agree with that search, which verify repeats."""
        return None
