"""Shared steps of the Orseau et al. theorems and the pooling proofs (docs/claims.md, C2, C3, pooling-A,
pooling-B), and the independent recomputations their agreement steps compare with ``bounds/``.

Every value an agreement step compares with ``bounds/`` is recomputed here from the statement's formula
(exact rationals, sympy, certified ceilings), never by calling the ``bounds/`` function that produced the
value it is compared with."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import hyperbolic
from logprune.bounds.certified import certified_ceiling, enclose
from logprune.bounds.rows import Row
from logprune.bounds.rows.orseau2020 import orseau_parameters
from logprune.bounds.setting import Setting
from logprune.proofs.framework import Step, agreement, identity, nonneg, probability, tested

DOMAIN_COVERAGE = "k integer >= 1, h > 0 (the log-width ln b of a segment), t in the in-weight's log-support"


def coverage_separate(k: int) -> Fraction:
    """c = (1/4)·(1/k): separate supports (in-weight log-uniform on exactly the k segments' log-width k·h,
    out-weight of fixed magnitude), fair signs; recomputed here from docs/claims.md, coverage."""
    return Fraction(1, 4 * k)


def coverage_steps(*, k_value: int, at: str, sign_factor: sp.Expr | None = None) -> list[Step]:
    """Separate supports (docs/claims.md, coverage; the global optimum over all laws is proofs/coverage.py):
    each segment has probability exactly 1/k, and c = (1/4)·(1/k) with the sign conditions."""
    sign_factor = sp.Rational(1, 4) if sign_factor is None else sign_factor
    k = sp.Symbol("k", integer=True, positive=True)
    h = sp.Symbol("h", positive=True)
    t = sp.Symbol("t", real=True)
    return [
        identity(
            "With ln|a| uniform on an interval of width k·h and |b| fixed, ln|ab| is uniform on the k segments' "
            "log-region: each segment (log-width h) has probability integral of 1/(k h) over h = 1/k",
            sp.Integral(1 / (k * h), (t, 0, h)),
            1 / k,
            domain=DOMAIN_COVERAGE,
        ),
        sign_step(),
        agreement(
            f"c = (1/4)·(1/k) (fair signs of in- and out-weight) at k = {k_value}, recomputed here, is the coverage "
            "bounds.hyperbolic gives for separate supports",
            lambda: sign_factor / k_value,
            lambda: hyperbolic.coverage_separate(k_value),
            at=at,
        ),
    ]


def tightened_k(
    *,
    closed_k: int,
    widths: list[int],
    norms: list[Fraction],
    eps: Fraction,
    w_max: Any,
    x_max: Fraction,
    inputs_nonnegative: bool = False,
) -> int:
    """The least k >= 1 (<= closed_k) with x_max·[prod(a_i + w_max·phi^(-k)·d_i) - prod a_i] <= eps, certified
    with arb balls (docs/claims.md, propagation: the telescoped bound), recomputed here: d_1 = sqrt(2 n_1 n_0)
    (two branches unless inputs >= 0), d_i = sqrt(n_i n_(i-1))."""
    b1 = 1 if inputs_nonnegative else 2
    d = [sp.sqrt(b1 * widths[1] * widths[0])] + [sp.sqrt(widths[i + 1] * widths[i]) for i in range(1, len(norms))]
    a = [sp.Rational(v.numerator, v.denominator) for v in norms]

    def fits(k: int) -> bool:
        ew = sp.sympify(w_max) * sp.GoldenRatio ** (-k)
        bound = sp.Rational(x_max) * (sp.Mul(*[ai + ew * di for ai, di in zip(a, d, strict=True)]) - sp.Mul(*a))
        return enclose(bound).upper <= eps

    k = closed_k
    while k > 1 and fits(k - 1):
        k -= 1
    return k


Law = list[tuple[Fraction, Fraction]]  # (value, probability)


def _symmetric_law(rng: random.Random, pairs: int = 4) -> Law:
    """A random symmetric law on 1..``pairs`` pairs of points ±v (v > 0 rational)."""
    vs = sorted({Fraction(rng.randint(1, 30), rng.randint(1, 6)) for _ in range(rng.randint(1, pairs))})
    ws = [Fraction(rng.randint(1, 9)) for _ in vs]
    tot = 2 * sum(ws)
    return [(sgn * v, w / tot) for v, w in zip(vs, ws, strict=True) for sgn in (1, -1)]


def _sign_trial(rng: random.Random) -> str | None:
    """P(a > 0, sign(ab) = s, |ab| in S) = (1/4)·P(|ab| in S) for independent symmetric a, b (exactly)."""
    la, lb = _symmetric_law(rng), _symmetric_law(rng)
    lo = Fraction(rng.randint(0, 60), rng.randint(1, 6))
    hi = lo + Fraction(rng.randint(0, 60), rng.randint(1, 6))
    s = rng.choice((1, -1))
    both = mass = Fraction(0)
    for (a, pa), (b, pb) in itertools.product(la, lb):
        if lo <= abs(a * b) <= hi:
            mass += pa * pb
            if a > 0 and (a * b > 0) == (s > 0):
                both += pa * pb
    return None if both == mass / 4 else f"a ~ {la}, b ~ {lb}, S = [{lo}, {hi}], s = {s}"


def sign_step() -> Step:
    """The fair-sign factor 1/4, tested exactly on random symmetric laws."""
    return tested(
        "Sign of a fixed by the branch and sign(ab) = sign(w): for independent symmetric a, b, "
        "P(a > 0, sign(ab) = s, |ab| in S) = (1/4)·P(|ab| in S), a factor 1/4",
        _sign_trial,
        count=300,
        domain="independent a, b with random symmetric laws on 2..8 nonzero rational points, random segments "
        "S = [lo, hi], s = ±1",
    )


def _independence_trial(rng: random.Random) -> str | None:
    """Functions of disjoint sets of independent weights are independent: P(f in A, g in B) =
    P(f in A)·P(g in B) for f of the weights I, g of the weights J, I and J disjoint (exactly)."""
    laws = [_symmetric_law(rng, 3) for _ in range(rng.randint(2, 4))]
    idx = list(range(len(laws)))
    rng.shuffle(idx)
    cut = rng.randint(1, len(idx) - 1)
    I, J = idx[:cut], idx[cut:]
    lo_f, lo_g = Fraction(rng.randint(-20, 20), 3), Fraction(rng.randint(-20, 20), 3)
    joint = pf = pg = Fraction(0)
    for pts in itertools.product(*laws):
        p = math.prod((q for _, q in pts), start=Fraction(1))
        f = math.prod((pts[i][0] for i in I), start=Fraction(1)) >= lo_f  # e.g. a product a·b in a segment
        g = sum((pts[j][0] for j in J), Fraction(0)) >= lo_g
        joint += p if f and g else 0
        pf += p if f else 0
        pg += p if g else 0
    return None if joint == pf * pg else f"laws {laws}, I = {I}, J = {J}"


def independence_step(fact: str) -> Step:
    """Independence of functions of disjoint sets of independent weights, tested exactly."""
    return tested(
        fact + " (functions of disjoint sets of independent weights are independent)",
        _independence_trial,
        count=200,
        domain="2..4 independent weights with random symmetric laws on 2..6 rational points, a random split "
        "into disjoint sets I, J, f = [prod of the weights of I >= t], g = [sum of the weights of J >= t']",
    )


def union_step(*, events: int, c: sp.Rational, pool: int, delta: Fraction, at: str) -> Step:
    return probability(
        f"Union bound over E = {events} (weight, branch, segment) events: E·(1-c)^P <= delta at P = {pool}",
        "union bound; each event fails w.p. (1-c)^P (P i.i.d. neurons, each in the segment w.p. >= c)",
        nonneg(
            "delta - E(1-c)^P",
            sp.Add(
                sp.Rational(delta), sp.Mul(-events, sp.Pow(1 - c, pool, evaluate=False), evaluate=False), evaluate=False
            ),
            at=at,
        ),
    )


def least_pool(events: int, c: Fraction, delta: Fraction) -> int:
    """min{N >= 0: E(1-c)^N <= delta}, recomputed here in exact rational arithmetic (a float estimate,
    then exact checks of N and N - 1)."""
    if Fraction(events) <= delta:
        return 0
    n = max(0, math.ceil(math.log(float(delta) / events) / math.log1p(-float(c))) - 2)
    while events * (1 - c) ** n > delta:
        n += 1
    while n > 0 and events * (1 - c) ** (n - 1) <= delta:
        n -= 1
    return n


def orseau_k(
    *,
    widths: list[int],
    norms: list[Fraction],
    eps: Fraction,
    w_max: Any,
    x_max: Fraction,
    norm_term: bool = True,
) -> int:
    """k = max(1, ceil(log_phi(w_max/eps_w))) with eps_w = min(1/D, eps/((e-1) x_max D prod rho)), rho_i =
    max(1, a_i), D = sum_i d_i/rho_i, d_1 = sqrt(2 n_1 n_0), d_i = sqrt(n_i n_(i-1)): recomputed here from
    docs/claims.md (propagation, C2, C3), with inputs of both signs; ``norm_term=False`` drops prod rho
    (a mutation)."""
    rho = [max(Fraction(1), a) for a in norms]
    d = [sp.sqrt(2 * widths[1] * widths[0])] + [sp.sqrt(widths[i + 1] * widths[i]) for i in range(1, len(norms))]
    D = sp.Add(*[di / sp.Rational(r.numerator, r.denominator) for di, r in zip(d, rho, strict=True)])
    pr = math.prod(rho) if norm_term else Fraction(1)
    prod_rho = sp.Rational(pr.numerator, pr.denominator)
    candidates = [1 / D, sp.Rational(eps.numerator, eps.denominator) / ((sp.E - 1) * sp.Rational(x_max) * D * prod_rho)]
    eps_w = min(candidates, key=lambda v: enclose(v).lower)
    return max(1, certified_ceiling(sp.log(sp.sympify(w_max) / eps_w) / sp.log(sp.GoldenRatio)))


def events_count(*, n: int, layers: int, k: int, inputs_nonnegative: bool = False) -> int:
    """E = (branches of layer 1 + one per other layer)·n^2·k for n×n layers: two branches sigma(x), sigma(-x)
    in layer 1 unless the inputs are nonnegative (recomputed here, not by bounds.branches)."""
    return ((1 if inputs_nonnegative else 2) + (layers - 1)) * n * n * k


def width_agreement(fact: str, ours: int, row: Row, at: str) -> Step:
    """G's intermediate width recomputed by the proof equals the width bounds.rows reports for ``row``."""
    return agreement(fact, lambda: ours, lambda: row.width[0] if row.width else None, at=at)


def orseau(st: Setting) -> tuple[Any, sp.Rational, int, int]:
    return orseau_parameters(st)
