"""transfer: the golden bound transfers to the optimal subset-sum pruner on the same G (docs/claims.md,
transfer).  Mutations ``pruner-single-product`` and ``greedy-opposite-signs``.

Statement.  For one target weight w (one branch), let Q be the usable products of its block of G and
S ⊆ Q the products the golden greedy of L3 keeps.  If |ΣS − w| <= eps_w, the optimal pruner (among the
subsets of Q within eps_w, the fewest products) returns a subset S* with |ΣS* − w| <= eps_w and
|S*| <= |S|.  So the optimal pruner fails only where the greedy fails, on the same G, and every block
bound of golden (L3 with pooling-A/B) holds for ``--method subset-sum`` on a hyperbolic G.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import golden
from logprune.proofs.framework import Proof, decide, probability, tested

CLAIM = "transfer"
DEFAULTS: dict[str, Any] = {"trials": 150, "block_max": 10}
MUTATIONS = {
    "pruner-single-product": "the pruner searches only subsets of at most one product",
    "greedy-opposite-signs": "the pruner may not use the products the greedy keeps (sign(q) = sign(w))",
}


def _optimal(q: list[Fraction], w: Fraction, eps: Fraction, max_size: int) -> tuple[int, Fraction] | None:
    """Brute force: the fewest products of q whose exact sum is within eps of w (then the least error)."""
    for r in range(0, min(max_size, len(q)) + 1):
        best: Fraction | None = None
        for sub in itertools.combinations(q, r):
            err = abs(sum(sub, Fraction(0)) - w)
            if err <= eps and (best is None or err < best):
                best = err
        if best is not None:
            return r, best
    return None


def _trial(mutation: str | None) -> Any:
    phi_lo = Fraction(161803398, 100000000)  # < phi: rational segment ends inside the golden segments

    def trial(rng: random.Random) -> str | None:
        k = rng.randint(1, 5)
        s = Fraction(rng.randint(1, 8), rng.randint(1, 8))
        # one golden sample per segment t = 1..k, inside [s·phi^(-t-1), s·phi^(-t)] (golden.segment_inner_rational)
        greedy_samples = []
        for t in range(1, k + 1):
            lo, hi = golden.segment_inner_rational(t, scale=s)
            greedy_samples.append(lo + (hi - lo) * Fraction(rng.randint(0, 1000), 1000))
        others = [
            Fraction(rng.randint(-1000, 1000), 1000) * s for _ in range(rng.randint(0, DEFAULTS["block_max"] - k))
        ]
        v = s * Fraction(rng.randint(0, 1000), 1000)
        sign = rng.choice((1, -1))
        w = sign * v
        kept, residual = golden.greedy(v, greedy_samples)
        if not golden.residual_within_bound(residual, scale=s, base="phi", k_used=k):
            return f"L3 failed: residual {residual} above s·phi^-{k} (s = {s})"
        eps = max(residual, s * phi_lo ** (-k) / 2)  # any eps_w the greedy meets
        S = [sign * x for x, take in zip(greedy_samples, kept, strict=True) if take]
        if abs(sum(S, Fraction(0)) - w) > eps:
            return f"greedy's subset {S} not within eps = {eps} of w = {w}"
        q = [sign * x for x in greedy_samples] + others
        if mutation == "greedy-opposite-signs":
            q = [-x for x in greedy_samples] + others
        found = _optimal(q, w, eps, 1 if mutation == "pruner-single-product" else len(q))
        if found is None:
            return f"no subset of Q = {q} within eps = {eps} of w = {w}, yet the greedy's {S} is"
        if found[0] > len(S):
            return f"optimal size {found[0]} > greedy's {len(S)} (Q = {q}, w = {w}, eps = {eps})"
        return None

    return trial


def proof(mutation: str | None = None) -> Proof:
    r, t, e = sp.symbols("r t epsilon_w", real=True)
    inclusion = tested(
        "On the same block: whenever the golden greedy's kept products S are within eps_w of w, the optimal "
        "pruner's search over every subset of the block's usable products Q ⊇ S finds a subset within eps_w "
        "with at most |S| products (independent brute force on exact rationals; golden samples one per "
        "segment inside the golden segments, other products of both signs; both signs of w)",
        _trial(mutation),
        count=int(DEFAULTS["trials"]),
        domain=f"k in 1..5, s in (0, 8], |w| <= s, |Q| <= {DEFAULTS['block_max']}, b = phi",
    )
    steps = (
        decide(
            "The greedy's selection is feasible for the pruner: L3 leaves a residual 0 <= r <= s·b^(-k) <= eps_w, "
            "and the kept sum is w - r (w >= 0; w < 0 by symmetry), so |sum S - w| <= eps_w",
            sp.And(-e <= -r, -r <= e),  # the kept sum minus w is (w - r) - w = -r
            where=(r >= 0, r <= t, t <= e),
        ),
        inclusion,
        probability(
            "Hence {optimal pruner fails} ⊆ {greedy fails} on every G, so P(optimal fails) <= P(greedy fails) "
            "<= the golden bound's failure probability (delta), for the same block size",
            "monotonicity of probability under event inclusion",
            inclusion,
        ),
    )
    return Proof(
        claim=CLAIM,
        title="The golden bound transfers to the optimal subset-sum pruner",
        statement="On the same G, the optimal pruner succeeds (within eps_w, with at most as many products) wherever "
        "the golden greedy succeeds; golden's block bounds hold for subset-sum on a hyperbolic G.",
        assumptions=("b = phi (or any admissible b <= phi)", "the same usable products Q for both rules", "exact sums"),
        steps=steps,
        differences=(
            "The slides ask for Pensia et al.'s subset-sum next to golden; this lemma gives subset-sum on a "
            "hyperbolic G golden's explicit constants (no constant of Lueker's needed).",
        ),
        mutation=mutation,
    )
