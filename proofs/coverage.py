"""coverage: the optimal coverage constant over all laws, attained by separate supports (docs/claims.md,
coverage; the constant is L4's c of G's default law).

The k segments (s·b^(-t-1), s·b^(-t)], t = 1..k, are disjoint, so for ANY laws of the in- and
out-weights' magnitudes their probabilities sum to at most 1 and the least is at most 1/k.  Separate
supports attain it: |b| = m fixed, ln|a| uniform on a log-width of exactly k·ln b aligned with the
region, each segment of probability 1/k.  Signs: 1/4 (fair: sign a fixed by the branch, sign ab = sign w)
and 1/2 (designed: sign a is the branch's by construction), so c = 1/(4k) and 2c = 1/(2k); a designed
two-branch block gives each branch floor(P/2) neurons, and (1 - 2c)^(P/2) <= (1 - c)^P for even P.

Mutations: ``coverage-1/(2k)-iid`` (fair signs with the designed constant), ``support-too-wide`` (the
in-weight's log-width (k+1)·ln b), ``designed-half-block`` (one-branch designed blocks with P/2 neurons).
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import hyperbolic, laws, sampling
from logprune.proofs._orseau import independence_step, sign_step
from logprune.proofs.framework import (
    Proof,
    Step,
    agreement,
    decide,
    identity,
    probability,
    tested,
)

CLAIM = "coverage"
DEFAULTS: dict[str, Any] = {
    "k": 9,  # fc2 per weight at eps_w = 0.01
    "events": (784 * 500 + 500 * 10) * 9,  # fc2, inputs >= 0: one branch per layer, k events per weight
    "delta": Fraction(1, 100),
}
MUTATIONS = {
    "coverage-1/(2k)-iid": "fair signs with the designed constant 1/(2k) (the in-weight's sign is a coin flip)",
    "support-too-wide": "the in-weight's log-width (k+1)·ln b instead of k·ln b",
    "designed-half-block": "one-branch designed layers counted with P/2 neurons (as if they had two branches)",
}

_KS = (1, 2, 3, 5, 9, 21)
_BASES: tuple[sp.Expr, ...] = (sp.GoldenRatio, sp.Rational(3, 2))
_SCALES: tuple[sp.Expr, ...] = (sp.Integer(1), sp.Rational(37, 100))


def _enumerated_failure(p: int, k: int, designed: bool, branches: int, branch: int) -> Fraction:
    """P(no neuron of a block of p covers one (weight, branch, segment) event), by exact enumeration of
    every neuron's outcome: sign of a (fair coin, or designed: all + on one branch, alternating +, - on
    two), sign of b (fair coin), magnitude in the segment (probability 1/k).  A neuron covers the event
    iff sign a = the branch's, sign(ab) = sign w (+ here) and the magnitude is in the segment."""
    q = Fraction(1, k)
    per_neuron: list[list[tuple[bool, Fraction]]] = []
    for i in range(p):
        if designed:
            sa_law = [(1 if branches == 1 or i % 2 == 0 else -1, Fraction(1))]
        else:
            sa_law = [(1, Fraction(1, 2)), (-1, Fraction(1, 2))]
        outcomes = []
        for (sa, pa), sb, hit in itertools.product(sa_law, (1, -1), (True, False)):
            pr = pa * Fraction(1, 2) * (q if hit else 1 - q)
            outcomes.append((sa == branch and sa * sb == 1 and hit, pr))
        per_neuron.append(outcomes)
    none = Fraction(0)
    for combo in itertools.product(*per_neuron):
        if not any(cov for cov, _ in combo):
            none += math.prod((pr for _, pr in combo), start=Fraction(1))
    return none


def _designed_sign_trial(rng: random.Random) -> str | None:
    """P(sign(ab) = s, |ab| in S) = (1/2)·P(|ab| in S) for a > 0 by design and b symmetric, independent."""
    la = [
        (Fraction(rng.randint(1, 30), rng.randint(1, 6)), Fraction(rng.randint(1, 9))) for _ in range(rng.randint(1, 4))
    ]
    ta = sum(w for _, w in la)
    vs = sorted({Fraction(rng.randint(1, 30), rng.randint(1, 6)) for _ in range(rng.randint(1, 4))})
    ws = [Fraction(rng.randint(1, 9)) for _ in vs]
    lb = [(sg * v, w / (2 * sum(ws))) for v, w in zip(vs, ws, strict=True) for sg in (1, -1)]
    lo = Fraction(rng.randint(0, 60), rng.randint(1, 6))
    hi = lo + Fraction(rng.randint(0, 60), rng.randint(1, 6))
    s = rng.choice((1, -1))
    both = mass = Fraction(0)
    for (a, pa), (b, pb) in itertools.product(la, lb):
        if lo <= abs(a * b) <= hi:
            mass += pa / ta * pb
            if (a * b > 0) == (s > 0):
                both += pa / ta * pb
    return None if both == mass / 2 else f"a ~ {la}, b ~ {lb}, S = [{lo}, {hi}], s = {s}"


def _least_block(c: Fraction, events: int, delta: Fraction, per: int) -> int:
    """The least P with events·(1 - c)^(P // per) <= delta (per = 1, or 2 for half blocks), by a float
    guess corrected with exact Fractions (independent of bounds.sampling's certified ceiling)."""
    guess = max(0, math.ceil(math.log(delta / events) / math.log(1 - c)) * per - 2 * per)
    while events * (1 - c) ** (guess // per) > delta:
        guess += 1
    while guess > 0 and events * (1 - c) ** ((guess - 1) // per) <= delta:
        guess -= 1
    return guess


DOMAIN_SHARED = "k integer >= 2, h > 0 (the log-width of a segment), L >= k·h/2 (the segment inside the triangle)"


def _shared_segment_mass() -> tuple[sp.Expr, sp.Symbol, sp.Symbol, sp.Symbol]:
    """P(log|ab| - mode in the end segment [kh/2 - h, kh/2]) for the log-triangular law of half-width L (one
    hyperbolic law shared by both factors), as an unevaluated integral of its density (L - t)/L^2."""
    k = sp.Symbol("k", integer=True, positive=True)
    h, L = sp.symbols("h L", positive=True)
    t = sp.Symbol("t", real=True)
    return sp.Integral((L - t) / L**2, (t, k * h / 2 - h, k * h / 2)), k, h, L


def proof(mutation: str | None = None) -> Proof:
    g_shared, k_sh, h_sh, L_sh = _shared_segment_mass()
    k = sp.Symbol("k", integer=True, positive=True)
    h = sp.Symbol("h", positive=True)  # ln b, b > 1
    c0 = sp.Symbol("c0", real=True)  # ln s - ln m: the region in ln|a| coordinates is [c0 - (k+1)h, c0 - h]
    u = sp.Symbol("u", real=True)
    t = sp.Symbol("t", integer=True, positive=True)
    m, total, kr = sp.Symbol("m", real=True), sp.Symbol("S", real=True), sp.Symbol("kappa", positive=True)
    tr, t2, ur = sp.symbols("t t2 u", real=True)
    cc = sp.Symbol("c", positive=True)
    x, y, xn, yn = sp.symbols("x y X Y", real=True)
    p = sp.Function("p")

    width = k + 1 if mutation == "support-too-wide" else k  # in units of h: the in-weight's log-width
    fair_divisor = 2 if mutation == "coverage-1/(2k)-iid" else 4  # c = 1/(4k) for fair signs
    half_block = mutation == "designed-half-block"

    def fair_c(kk: sp.Expr) -> sp.Expr:
        return sp.Integer(1) / (fair_divisor * kk)

    def one_branch_exponent(pp: int) -> int:
        return pp // 2 if half_block else pp

    segment = sp.Integral(1 / (width * h), (u, c0 - (t + 1) * h, c0 - t * h))  # P(ln|a| in segment t)
    kk0, events, delta = DEFAULTS["k"], DEFAULTS["events"], DEFAULTS["delta"]

    def fair_failure(pp: int, kk: int) -> Fraction:
        return (1 - Fraction(1, fair_divisor * kk)) ** pp

    def one_branch_failure(pp: int, kk: int) -> Fraction:
        return (1 - 2 * Fraction(1, 4 * kk)) ** one_branch_exponent(pp)

    def two_branch_failure(pp: int, kk: int) -> Fraction:
        return (1 - 2 * Fraction(1, 4 * kk)) ** (pp // 2)

    def failure_trial(rng: random.Random) -> str | None:
        pp, kk = rng.randint(0, 4), rng.randint(1, 5)
        branch = rng.choice((1, -1))
        cases = (
            ("fair", _enumerated_failure(pp, kk, False, 2, branch), fair_failure(pp, kk), True),
            ("designed, one branch", _enumerated_failure(pp, kk, True, 1, 1), one_branch_failure(pp, kk), True),
            ("designed, two branches", _enumerated_failure(pp, kk, True, 2, branch), two_branch_failure(pp, kk), False),
        )
        for name, exact, claimed, equal in cases:
            if (exact != claimed) if equal else (exact > claimed):
                return f"{name}: P = {pp}, k = {kk}, branch {branch}: exact {exact}, claimed {claimed}"
        return None

    def supports_ours() -> list[tuple[Any, ...]]:
        return [
            (kk, sp.sstr(bb), sp.sstr(sc), sp.Integer(width.subs(k, kk)), [sp.Rational(1, int(width.subs(k, kk)))] * kk)
            for kk in _KS
            for bb in _BASES
            for sc in _SCALES
        ]

    def supports_bounds() -> list[tuple[Any, ...]]:
        out = []
        for kk in _KS:
            for bb in _BASES:
                for sc in _SCALES:
                    law = laws.optimal_supports(k_segments=kk, base=bb, scale=sc)
                    lw = sp.nsimplify(
                        sp.simplify(sp.expand_log(sp.log(law.inner.beta / law.inner.alpha), force=True) / sp.log(bb))
                    )
                    out.append((kk, sp.sstr(bb), sp.sstr(sc), lw, law.segment_probabilities(k=kk, scale=sc, base=bb)))
        return out

    steps: tuple[Step, ...] = (
        decide(
            "In u = log_b(s/|ab|) segment t is [t, t+1) (the half-open segments the construction classifies "
            "by, floor(log_b(s/|q|))): two segments t < t2 of integers (so t2 >= t + 1) are disjoint",
            ur < t2,
            where=(tr <= ur, ur < tr + 1, t2 >= tr + 1),
            domain="u, t, t2 real, t <= u < t + 1, t2 >= t + 1 (distinct integers t < t2)",
        ),
        identity(
            "If every segment probability p_t is >= m, then sum_t (p_t - m) = sum_t p_t - k·m is a sum of "
            "nonnegative terms: sum_t p_t >= k·m",
            sp.Sum(p(t) - m, (t, 1, k)),
            sp.Sum(p(t), (t, 1, k)) - k * m,
        ),
        probability(
            "For ANY laws of |a| and |b| the k disjoint segments have probabilities summing to "
            "P(|ab| in the region) <= 1, so min_t p_t <= 1/k: the max-min segment probability is at most 1/k "
            "(a global optimum over all laws, every k >= 1)",
            "finite additivity of probability over the disjoint segments",
            decide(
                "k·m <= S <= 1 with k >= 1 gives m <= 1/k",
                m <= 1 / kr,
                where=(total >= kr * m, total <= 1, kr >= 1),
                domain="kappa >= 1 (k), m, S real",
            ),
        ),
        decide(
            "Separate supports: |b| = m fixed and ln|a| uniform on [c0 - (k+1)h, c0 - (k+1)h + k·h] "
            "(c0 = ln s - ln m, h = ln b > 0): every segment t = 1..k of ln|a|, [c0 - (t+1)h, c0 - t·h], lies "
            "inside that interval",
            sp.And(c0 - (tr + 1) * h >= c0 - (kr + 1) * h, c0 - tr * h <= c0 - (kr + 1) * h + kr * h),
            where=(tr >= 1, tr <= kr),
            domain="h > 0, c0 real, 1 <= t <= kappa (k)",
        ),
        identity(
            "... and has probability exactly 1/k: the integral of the uniform density 1/(k·h) over the segment, "
            "for every k >= 1, every base b > 1 (h = ln b) and every scale (the optimum is attained)",
            segment,
            1 / k,
        ),
        sign_step(),
        tested(
            "Designed signs: sign a is the branch's by construction; for b symmetric and independent, "
            "P(sign(ab) = s, |ab| in S) = (1/2)·P(|ab| in S), a factor 1/2",
            _designed_sign_trial,
            count=300,
            domain="a > 0 on 1..4 random rational points, b symmetric on 2..8 nonzero rational points, random "
            "segments S = [lo, hi], s = ±1",
        ),
        identity(
            "Fair signs: c_sep = (1/4)·P(segment) = 1/(4k) (about twice 1/(8(k-1)))",
            sp.Rational(1, 4) * segment,
            fair_c(k),
        ),
        identity(
            "Designed signs: a neuron of the branch covers a segment w.p. (1/2)·P(segment) = 1/(2k) = 2·c_sep",
            sp.Rational(1, 2) * segment,
            1 / (2 * k),
        ),
        tested(
            "Block failure per (weight, branch, segment), by exact enumeration of every neuron's signs and "
            "segment: fair signs (1 - c)^P exactly; designed signs on a one-branch layer (1 - 2c)^P exactly "
            "(every neuron has the branch's sign); on a two-branch layer (alternating signs) at most "
            "(1 - 2c)^floor(P/2)",
            failure_trial,
            count=60,
            domain="P in 0..4 neurons, k in 1..5 (segment probability 1/k), c = 1/(4k), both branches",
        ),
        decide(
            "Two-branch designed blocks: 0 <= 1 - 2c <= (1 - c)^2 for c in (0, 1/2] ((1 - c)^2 - (1 - 2c) = c^2)",
            sp.And(1 - 2 * cc >= 0, 1 - 2 * cc <= (1 - cc) ** 2),
            where=(cc <= sp.Rational(1, 2),),
            domain="0 < c <= 1/2",
        ),
        decide(
            "Powers keep the order on [0, oo): from 0 <= x <= y and 0 <= X = x^n <= Y = y^n follows "
            "0 <= x^(n+1) <= y^(n+1); with x^0 = y^0 = 1, induction on n gives (1 - 2c)^n <= ((1 - c)^2)^n = "
            "(1 - c)^(2n): (1 - 2c)^(P/2) <= (1 - c)^P for every even P >= 0",
            sp.And(xn * x >= 0, xn * x <= yn * y),
            where=(x >= 0, x <= y, xn >= 0, xn <= yn),
            domain="x, y, X, Y real with 0 <= x <= y, 0 <= X <= Y",
        ),
        agreement(
            "k = 1: 1/(4k) at k = 1 is the shared support's c(1) = 1/4 (bounds.hyperbolic.coverage, L4): the "
            "single segment is covered alike by both",
            lambda: fair_c(sp.Integer(1)),
            lambda: hyperbolic.coverage(1),
            at="k = 1",
        ),
        agreement(
            "c_sep(k) = 1/(4k), recomputed here, is bounds.hyperbolic.coverage_separate for k = 1..60",
            lambda: [fair_c(sp.Integer(kk)) for kk in range(1, 61)],
            lambda: [hyperbolic.coverage_separate(kk) for kk in range(1, 61)],
            at="k = 1..60",
        ),
        agreement(
            "The designed constant 1/(2k) is bounds.hyperbolic.coverage_designed for k = 1..60",
            lambda: [sp.Rational(1, 2 * kk) for kk in range(1, 61)],
            lambda: [hyperbolic.coverage_designed(kk) for kk in range(1, 61)],
            at="k = 1..60",
        ),
        agreement(
            "bounds.laws.optimal_supports: the in-weight's log-width is k·ln b and each of the k segments has "
            "probability 1/k (bounds' exact segment probabilities of its law)",
            supports_ours,
            supports_bounds,
            at=f"k in {_KS}, b in (phi, 3/2), s in (1, 37/100)",
        ),
        agreement(
            "bounds.sampling.block_failure is the failure recomputed here (fair, designed one- and two-branch)",
            lambda: [
                (fair_failure(pp, kk), one_branch_failure(pp, kk), two_branch_failure(pp, kk))
                for kk in (1, 2, 9)
                for pp in (0, 1, 2, 7, 50)
            ],
            lambda: [
                tuple(
                    Fraction(str(sampling.block_failure(c=sp.Rational(1, 4 * kk), size=pp, signs=sg, branches=b)))
                    for sg, b in (("iid", 2), ("designed", 1), ("designed", 2))
                )
                for kk in (1, 2, 9)
                for pp in (0, 1, 2, 7, 50)
            ],
            at="k in (1, 2, 9), P in (0, 1, 2, 7, 50)",
        ),
        agreement(
            f"fc2 per weight (k = {kk0}, E = {events} one-branch events, delta = {delta}): the least P, recomputed "
            "here, is bounds.sampling.block_size's (fair signs, designed signs)",
            lambda: (
                _least_block(Fraction(1, fair_divisor * kk0), events, delta, 1),
                _least_block(2 * Fraction(1, 4 * kk0), events, delta, 2 if mutation == "designed-half-block" else 1),
            ),
            lambda: (
                sampling.block_size(c=sp.Rational(1, 4 * kk0), events=[(1, events)], delta=delta),
                sampling.block_size(c=sp.Rational(1, 4 * kk0), events=[(1, events)], signs="designed", delta=delta),
            ),
            at=f"k = {kk0}, E = {events}, delta = {delta}",
        ),
        # L3's shared support (option --support shared): its own optimum, and the constant bounds uses
        identity(
            "Shared support (L3, step 5): the end-segment probability g(L) of the log-triangular product law of "
            "half-width L has g'(L) = 0 at L* = (k-1) ln b",
            sp.Subs(sp.Derivative(g_shared, L_sh), L_sh, (k_sh - 1) * h_sh),
            0,
            domain=DOMAIN_SHARED,
        ),
        identity(
            "and a global maximum there: 1/(2(k-1)) - g(L) = ((k-1)/2)(h/L - 1/(k-1))^2 (a square) for every L, "
            "so g(L) <= 1/(2(k-1)) and c_shared = (1/4)/(2(k-1)) = 1/(8(k-1)), half of 1/(4k) or less for k >= 2",
            1 / (2 * (k_sh - 1)) - g_shared,
            (k_sh - 1) / 2 * (h_sh / L_sh - 1 / (k_sh - 1)) ** 2,
            domain=DOMAIN_SHARED,
        ),
        agreement(
            "bounds.hyperbolic.coverage (the shared support's c) is 1/(8(k-1)), recomputed here, for k = 2..40 "
            "(and 1/4 at k = 1)",
            lambda: [Fraction(1, 4)] + [Fraction(1, 8 * (kk - 1)) for kk in range(2, 41)],
            lambda: [Fraction(str(hyperbolic.coverage(kk))) for kk in range(1, 41)],
            at="k = 1..40",
        ),
        independence_step(
            "The P neurons of a block are independent draws (their own streams), so a block fails an event w.p. "
            "the product of its neurons' failures; the union bound over all events (no independence needed "
            "between them) gives sum_i E_i·failure_i(P) <= delta (bounds.sampling.block_size)"
        ),
    )
    return Proof(
        claim=CLAIM,
        title="Coverage optimum: separate supports, fair and designed signs",
        statement="For any laws of the in- and out-weight magnitudes, min over the k segments (s·b^(-t-1), s·b^(-t)] "
        "of "
        "P(|ab| in segment t) <= 1/k; separate supports (|b| = m fixed, ln|a| uniform on a log-width k·ln b "
        "aligned with the k segments) attain 1/k for every segment, every k >= 1 and base b > 1.  With fair "
        "signs c = 1/(4k); with designed signs a neuron of its branch covers w.p. 1/(2k).  A block of P fails "
        "an event w.p. (1 - c)^P (fair), (1 - 2c)^P (designed, one branch), <= (1 - 2c)^floor(P/2) (designed, "
        "two branches), and (1 - 2c)^(P/2) <= (1 - c)^P for even P.",
        assumptions=(
            "k >= 1 integer, b > 1, s > 0",
            "in-weight and out-weight magnitudes independent, signs fair and independent of them (fair) or the "
            "in-weight's sign fixed by the design (designed)",
            "segments classified half-open, as the construction does (closed segments: the same for laws "
            "without atoms at the segments' ends, as all of G's laws)",
        ),
        steps=steps,
        constants=(
            (f"c_sep(k={kk0})", sp.sstr(hyperbolic.coverage_separate(kk0))),
            (f"designed 2·c_sep(k={kk0})", sp.sstr(hyperbolic.coverage_designed(kk0))),
            (f"shared support c(k={kk0})", sp.sstr(hyperbolic.coverage(kk0))),
        ),
        differences=(
            "The shared support (one law for both factors) gives 1/(8(k-1)); the separate supports give 1/(4k), "
            "about twice as large, and 1/(4k) is optimal over all laws for fair signs.",
        ),
        mutation=mutation,
    )
