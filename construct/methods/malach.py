"""Malach et al.'s construction, the baseline (docs/claims.md, L1 and L2): per target weight and branch,
the first single product of the block within eps_w of the weight.

Block size (uniform weights): the least P with E·(1 - p)^P <= delta, p the certified lower bound of
L2's probability that one neuron is usable, at the worst weight |w| in {0, w_max} (L2's monotonicity),
E = one event per (weight, branch) pair.  No bound for hyperbolic weights: give the width.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp

from logprune.bounds import sampling
from logprune.bounds.certified import rational_lower_bound
from logprune.choices import Dist, Method
from logprune.construct.methods.protocol import BlockProblem, BoundRequest, Picked, Selection

__all__ = ["SELECTION", "MalachSelection"]


class MalachSelection(Selection):
    method = Method.MALACH

    def uniform_law_scale(self, scale: float) -> float:
        return scale * (1 + math.sqrt(5)) / 2  # a single product must reach w itself: beta^2 = s

    def block_bound(self, req: BoundRequest) -> tuple[int | None, str | None]:
        if req.dist is not Dist.UNIFORM:
            return None, None
        B = Fraction(req.law.beta_float) ** 2
        e = min(req.eps_w, Fraction(1, 2))
        p0 = sampling.L2_probability_uniform(w=0, eps=e, B=B).lower
        p1 = sampling.L2_probability_uniform(w=req.scale, eps=e, B=B).lower
        pw = min(p0, p1)
        if pw <= 0:
            return None, None
        p = rational_lower_bound(sp.Rational(pw.numerator, pw.denominator))
        return sampling.samples_for_confidence(p=p, events=req.pairs, delta=req.delta), None

    def select(self, prob: BlockProblem) -> Picked:
        nonzero = prob.w != 0
        ok = prob.usable & (np.sign(prob.q) == np.sign(prob.w)[:, None]) & nonzero[:, None]
        close = ok & (np.abs(prob.q - prob.w[:, None]) <= prob.eps_w)
        has = close.any(axis=1)
        first = np.argmax(close, axis=1)
        missing = [(int(o), 0) for o in np.nonzero(~has & nonzero)[0]]
        kept_o = np.nonzero(has & nonzero)[0]
        return Picked(kept_o, first[kept_o], missing)


SELECTION = MalachSelection()
