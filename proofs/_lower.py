"""Steps shared by the lower-bound proofs (docs/claims.md, counting, param-counting, entropy).

Every lower bound is a volume count: averaging over G (some outcome covers a (1 - delta) fraction of the
targets), one pruning covers a set of bounded volume, a union over the prunings, then a logarithm.  The
builders below return those steps; the claim modules add their own volume and agreement steps.
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp

from logprune.proofs.framework import Step, argued, decide, identity, tested

__all__ = [
    "averaging_steps",
    "exact_least_exponent",
    "log_monotone_step",
    "triangle_steps",
    "union_step",
]


def _averaging_trial(rng: random.Random) -> str | None:
    """A finite model: outcomes of G with rational probabilities, targets with rational masses, a random
    'covers' relation; delta := 1 - min over targets of P(covered).  Some outcome must cover a mass
    >= 1 - delta (the average of the covered mass over G is >= 1 - delta)."""
    a, b = rng.randint(1, 5), rng.randint(1, 6)
    pw = [Fraction(rng.randint(1, 9)) for _ in range(a)]
    mw = [Fraction(rng.randint(1, 9)) for _ in range(b)]
    prob = [x / sum(pw) for x in pw]
    mass = [x / sum(mw) for x in mw]
    cover = [[rng.random() < 0.7 for _ in range(b)] for _ in range(a)]
    delta = 1 - min(sum(prob[g] for g in range(a) if cover[g][t]) for t in range(b))
    best = max(sum(mass[t] for t in range(b) if cover[g][t]) for g in range(a))
    return None if best >= 1 - delta else f"best covered mass {best} < 1 - delta = {1 - delta}"


def averaging_steps() -> tuple[Step, ...]:
    """Averaging: a G that works w.p. >= 1 - delta for each fixed target has an outcome covering a
    (1 - delta) fraction of the targets."""
    return (
        tested(
            "Averaging (finite model): if every target is covered with probability >= 1 - delta over G, some "
            "outcome of G covers a mass >= 1 - delta of the targets (E_G[covered mass] = sum_t mass(t)·P(t "
            "covered) >= 1 - delta, and a maximum is >= its mean)",
            _averaging_trial,
            count=400,
            domain="finite probability spaces of G (1-5 outcomes) and finite target measures (1-6 atoms), "
            "rational weights",
            seed=10,
        ),
        argued(
            "Averaging (the targets' uniform measure mu, G on any probability space): "
            "E_G[mu(C_G)] = integral of P_G(F in C_G) dmu(F) >= 1 - delta, so mu(C_G) >= 1 - delta for some "
            "outcome G, where C_G is the (closed) set of targets some pruning of G approximates",
            "Tonelli's theorem for the indicator of {(G, F): F in C_G}, measurable when the pruned networks "
            "are measurable functions of G's weights (the stated assumption); a maximum is >= its mean",
            would_prove="a formalised Tonelli theorem (e.g. Lean mathlib's MeasureTheory.lintegral_lintegral_swap)",
        ),
    )


def triangle_steps() -> tuple[Step, ...]:
    """The diameter lemma, per coordinate (z3) and in the Euclidean norm (Lagrange identity + test)."""
    a, b, g = sp.symbols("a b g", real=True)
    e = sp.Symbol("epsilon", positive=True)
    u = sp.symbols("u1:5", real=True)
    v = sp.symbols("v1:5", real=True)
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    nu, nv = sum(x * x for x in u), sum(y * y for y in v)
    lagrange = sum((u[i] * v[j] - u[j] * v[i]) ** 2 for i in range(4) for j in range(i + 1, 4))

    def trial(rng: random.Random) -> str | None:
        dim = rng.randint(1, 8)
        x = [Fraction(rng.randint(-50, 50), rng.randint(1, 20)) for _ in range(dim)]
        y = [Fraction(rng.randint(-50, 50), rng.randint(1, 20)) for _ in range(dim)]
        s = sum(p * q for p, q in zip(x, y, strict=True))
        sx, sy = sum(p * p for p in x), sum(q * q for q in y)
        # |x + y| <= |x| + |y|  <=>  x·y <= |x||y|  <=>  x·y <= 0 or (x·y)^2 <= |x|^2 |y|^2
        return None if s <= 0 or s * s <= sx * sy else f"x={x}, y={y}"

    return (
        decide(
            "Diameter lemma (one coordinate): |a - g| <= eps and |b - g| <= eps imply |a - b| <= 2 eps",
            sp.And(a - b <= 2 * e, b - a <= 2 * e),
            where=(a - g <= e, g - a <= e, b - g <= e, g - b <= e),
        ),
        identity(
            "Lagrange's identity |u|^2|v|^2 - (u·v)^2 = sum_{i<j} (u_i v_j - u_j v_i)^2 >= 0 (Cauchy-Schwarz, "
            "hence the triangle inequality |x - y| <= |x - z| + |z - y| of the Euclidean norm), in R^4",
            nu * nv - dot**2,
            lagrange,
        ),
        tested(
            "Cauchy-Schwarz / triangle inequality in R^dim, dim = 1..8 (exact rational vectors)",
            trial,
            count=300,
            domain="x, y rational vectors of dimension 1..8",
            seed=11,
        ),
    )


def _union_volume(boxes: list[list[tuple[Fraction, Fraction]]]) -> Fraction:
    """Exact volume of a union of axis-parallel boxes (coordinate compression)."""
    dim = len(boxes[0])
    cuts = [sorted({c for bx in boxes for c in bx[i]}) for i in range(dim)]
    total = Fraction(0)

    def rec(i: int, cell: list[tuple[Fraction, Fraction]]) -> None:
        nonlocal total
        if i == dim:
            if any(all(bx[j][0] <= cell[j][0] and cell[j][1] <= bx[j][1] for j in range(dim)) for bx in boxes):
                vol = Fraction(1)
                for lo, hi in cell:
                    vol *= hi - lo
                total += vol
            return
        for lo, hi in zip(cuts[i], cuts[i][1:], strict=False):
            rec(i + 1, [*cell, (lo, hi)])

    rec(0, [])
    return total


def union_step() -> Step:
    """Subadditivity of volume, tested on exact unions of boxes."""

    def trial(rng: random.Random) -> str | None:
        dim, count = rng.randint(1, 3), rng.randint(1, 5)
        boxes = []
        for _ in range(count):
            bx = []
            for _ in range(dim):
                lo = Fraction(rng.randint(-20, 20), rng.randint(1, 4))
                bx.append((lo, lo + Fraction(rng.randint(1, 20), rng.randint(1, 4))))
            boxes.append(bx)
        whole = _union_volume(boxes)
        parts = [_union_volume([bx]) for bx in boxes]
        return None if whole <= sum(parts) else f"union {whole} > sum {sum(parts)}"

    return tested(
        "Union over the prunings: the volume of a union is at most the sum of the volumes (exact unions of "
        "boxes by coordinate compression)",
        trial,
        count=150,
        domain="1-5 axis-parallel rational boxes in dimension 1-3",
        seed=12,
    )


def log_monotone_step() -> Step:
    """ln x = integral_1^x dt/t >= 0 for x >= 1 (positive integrand): the logarithm keeps the inequality."""
    x, t = sp.Symbol("x", positive=True), sp.Symbol("t", positive=True)
    return identity(
        "Taking log2 keeps the inequality: ln x = integral_1^x dt/t, >= 0 for x >= 1 (the integrand 1/t > 0)",
        sp.Integral(1 / t, (t, 1, x)),
        sp.log(x),
    )


def exact_least_exponent(num: int, den: int) -> int:
    """The least integer N >= 0 with 2^N·den >= num (exact integers; independent of bounds/)."""
    if den >= num:
        return 0
    n = max(0, num.bit_length() - den.bit_length() - 1)
    while (den << n) < num:
        n += 1
    return n
