"""L3: golden-ratio decomposition (docs/claims.md, L3).  Mutation ``base-2`` runs the same proof with b = 2."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import golden, sampling, symbols
from logprune.proofs.framework import Proof, agreement, constant, decide, identity, nonneg, probability, tested

CLAIM = "L3"
DEFAULTS: dict[str, Any] = {
    "eps": Fraction(1, 10**6),
    "scale": Fraction(1),
    "k_segments": 21,  # the sample count's reference instance (docs/claims.md, L3: step 6)
    "delta": Fraction(1, 100),
}
# bases on both sides of phi = 1.6180339...: Fibonacci ratios alternate around it
BASES: tuple[Fraction, ...] = (
    Fraction(3, 2),
    Fraction(13, 8),
    Fraction(21, 13),
    Fraction(55, 34),
    Fraction(1618, 1000),
    Fraction(1619, 1000),
    Fraction(89, 55),
    Fraction(34, 21),
    Fraction(33, 20),
    Fraction(5, 3),
    Fraction(2),
)


def admissible_here(b: Fraction) -> bool:
    """The proven criterion (steps 1-2): a rational base b > 1 is admissible iff b^2 - b - 1 <= 0, decided
    exactly in integers (b = p/q, q > 0: p^2 - pq - q^2 <= 0); docs/claims.md, L3."""
    p, q = b.numerator, b.denominator
    return p > q and p * p - p * q - q * q <= 0


def _admissibility_trial(rng: random.Random) -> str | None:
    """bounds.golden.admissibility agrees with the proven criterion at a random rational base near phi."""
    q = rng.randint(1, 2000)
    b = Fraction(rng.randint(q + 1, 2 * q), q) if rng.random() < 0.8 else Fraction(rng.randint(q + 1, 4 * q), q)
    ours, theirs = admissible_here(b), golden.admissibility(b).admissible
    return None if ours == theirs else f"b = {b}: the proven criterion says {ours}, bounds.golden says {theirs}"


def least_samples_here(*, c: Fraction, k: int, delta: Fraction) -> int:
    """The least N with k·(1 - c)^N <= delta, by an exact upward scan (independent of bounds.sampling)."""
    n, miss = 0, Fraction(k)
    while miss > delta:
        miss *= 1 - c
        n += 1
    return n


MUTATIONS = {"base-2": "the decomposition base b = 2 instead of phi (the slides: 'base 2 not possible')"}


def proof(mutation: str | None = None) -> Proof:
    base: sp.Expr = sp.Integer(2) if mutation == "base-2" else sp.GoldenRatio
    b, s, epsilon, kk = symbols.b, symbols.s, symbols.eps, symbols.k
    i = sp.Symbol("i", integer=True)
    u = sp.Symbol("u", positive=True)  # s·b^(-t): the scale of segment t
    r, x, r_next = sp.symbols("r x r_next", real=True)
    c = sp.Symbol("c", positive=True)  # b = 1 + c
    t = sp.Symbol("t", integer=True, positive=True)
    phi = sp.GoldenRatio
    eps, scale = DEFAULTS["eps"], DEFAULTS["scale"]
    k_def = golden.k_exact(eps=eps, scale=scale, base="phi" if base is sp.GoldenRatio else 2)
    in_range = (b > 1, b**2 - b - 1 <= 0)  # b in (1, phi]
    kseg, delta = DEFAULTS["k_segments"], DEFAULTS["delta"]
    l3 = sampling.L3_samples(k_segments=kseg, delta=delta)
    c_cov = Fraction(str(l3["c"]))  # c is an input here (its derivation: C2/C3's coverage steps, coverage)
    n_ours = least_samples_here(c=c_cov, k=kseg, delta=delta)
    steps = (
        identity(
            "Keeping x_i = s·b^(-i-1) from r = s·b^(-i+1) leaves s·b^(-i)·(b - 1/b)",
            (s * b ** (-i + 1) - s * b ** (-i - 1)) / (s * b ** (-i)),
            b - 1 / b,
        ),
        decide(
            "For b > 1: b - 1/b <= 1 iff b^2 - b - 1 <= 0 iff b <= phi (phi^2 = phi + 1, phi > 0), so "
            "(1, phi] = {b > 1: b^2 - b - 1 <= 0}",
            sp.And(
                sp.Equivalent(b - 1 / b <= 1, b**2 - b - 1 <= 0),
                sp.Equivalent(b <= phi, b**2 - b - 1 <= 0),
            ),
            where=(b > 1,),
        ),
        decide(
            "The greedy invariant 0 <= r <= s·b^(-t) is kept, for every base b in (1, phi]: with u = s·b^(-t) > 0, "
            "0 <= r <= u·b and x in [u/b, u] (the sample of segment t), keeping x (x <= r) leaves 0 <= r - x <= u "
            "and skipping it (x > r) leaves 0 <= r <= u.  With the base case r_0 = v in [0, s] (the assumption), "
            "induction on t gives 0 <= r_k <= s·b^(-k) for every k",
            sp.And(
                sp.Implies(x <= r, sp.And(r - x >= 0, r - x <= u)),
                sp.Implies(x > r, sp.And(r >= 0, r <= u)),
            ),
            where=(*in_range, r >= 0, r <= u * b, x * b >= u, x <= u),
            domain="b in (1, phi] (b > 1, b^2 - b - 1 <= 0), u > 0, r and x real with 0 <= r <= u·b, u/b <= x <= u",
        ),
        nonneg(
            f"The base used, b = {sp.sstr(base)}, lies in (1, phi]: 1 - (b - 1/b) >= 0",
            1 - (base - 1 / base),
        ),
        identity(
            "After k steps the bound is s·b^(-k); at k = log_b(s/eps) it equals eps (and b^(-k) decreases in k)",
            sp.Subs(s * b ** (-kk), kk, sp.log(s / epsilon) / sp.log(b)),
            epsilon,
        ),
        identity(
            "Necessity (b > phi), a counterexample for every k: v = s and every sample at its segment's lower end "
            "x_t = s·b^(-t-1); these sum to s·sum_(t=1..k) b^(-t-1) = s(1 - b^(-k))/(b(b-1)) (b = 1 + c)",
            sp.Sum((1 + c) ** (-t - 1), (t, 1, kk)),
            (1 - (1 + c) ** (-kk)) / ((1 + c) * c),
        ),
        decide(
            "The greedy keeps a subset of the samples: D_t = r_t - (v - sum_(j<=t) x_j) has D_0 = 0 and never "
            "decreases (keep: r_t = r_(t-1) - x_t; skip: r_t = r_(t-1); x_t >= 0), so r_k >= v - sum_(t<=k) x_t",
            r_next + x - r >= 0,
            where=(x >= 0, sp.Or(sp.Eq(r_next, r - x), sp.Eq(r_next, r))),
            domain="r, x, r_next real with x >= 0 and r_next in {r - x, r}",
        ),
        nonneg(
            "So r_k >= s - s(1 - b^(-k))/(b(b-1)) >= s(1 - 1/(b(b-1))) for every k (b = 1 + c)",
            (s - s * (1 - (1 + c) ** (-kk)) / ((1 + c) * c)) - s * (1 - 1 / ((1 + c) * c)),
        ),
        decide(
            "and for b > phi this is > 0: b(b - 1) > 1, so the residual stays >= s(1 - 1/(b(b-1))) > 0 while "
            "s·b^(-k) -> 0: the greedy does not converge and the bound fails",
            1 - 1 / (b * (b - 1)) > 0,
            where=(b > 1, b**2 - b - 1 > 0),
            domain="b > phi (b > 1, b^2 - b - 1 > 0)",
        ),
        constant(
            f"k at eps = {eps}, s = 1: ceil(log_phi(1e6)) = {k_def}",
            sp.ceiling(sp.log(1 / sp.Rational(eps)) / sp.log(base)),
            expected=golden.k_exact(eps=eps),
            at=f"eps = {eps}, s = 1",
        ),
        agreement(
            "The final statement k = max(0, ceil(log_b(s/eps))) (written here) is what bounds.golden computes",
            lambda: sp.Max(0, sp.ceiling(sp.log(s / epsilon) / sp.log(b))),
            lambda: golden.k_symbolic(),
        ),
        agreement(
            "bounds.golden.admissibility decides the proven criterion (b > 1 and b^2 - b - 1 <= 0, exactly, here) "
            f"on bases on both sides of phi: {', '.join(str(v) for v in BASES)} and phi itself",
            lambda: [admissible_here(v) for v in BASES] + [True],
            lambda: [golden.admissibility(v).admissible for v in BASES] + [golden.admissibility("phi").admissible],
            at="the listed bases",
        ),
        tested(
            "bounds.golden.admissibility agrees with the proven criterion b > 1, b^2 - b - 1 <= 0 (decided here)",
            _admissibility_trial,
            count=40,
            domain="rational b = p/q > 1, q in 1..2000: p in q+1..2q (80 %), else p in q+1..4q",
        ),
        probability(
            f"Samples (k = {kseg}, delta = {delta}, c = {c_cov} the coverage bounds.sampling.L3_samples uses): "
            f"a segment is missed by N i.i.d. products w.p. <= (1 - c)^N, so N = {n_ours}, the least N with "
            "k·(1 - c)^N <= delta (scanned here, exactly), fills all k segments w.p. >= 1 - delta",
            "union bound over the k segments",
            agreement(
                "N recomputed here (least N with k·(1 - c)^N <= delta, exact) is bounds.sampling.L3_samples'",
                lambda: least_samples_here(c=c_cov, k=kseg, delta=delta),
                lambda: l3["samples"],
                at=f"k = {kseg}, delta = {delta}, c = {c_cov}",
            ),
        ),
    )
    return Proof(
        claim=CLAIM,
        title="Golden-ratio decomposition",
        statement="For 1 < b <= phi, v in [0, s] and x_t in [s·b^(-t-1), s·b^(-t)] (t = 1..k), the greedy rule "
        "leaves a residual "
        "0 <= r_k <= s·b^(-k); with k = max(0, ceil(log_b(s/eps))) the residual is <= eps.  "
        "For b > phi the bound fails for every k: v = s with every sample at its segment's lower end leaves "
        "r_k >= s(1 - 1/(b(b-1))) > 0.",
        assumptions=("b > 1", "s > 0", "one sample in each segment t = 1..k", "v in [0, s]"),
        steps=steps,
        constants=(
            ("k(eps=1e-6, s=1, b=phi)", str(golden.k_exact(eps=eps))),
            ("residual bound phi^-k", str(golden.residual_bound(eps=eps))),
        ),
        differences=("The slides offer b = 3/2 or phi; both are admissible, phi is the largest (tight) base.",),
        mutation=mutation,
    )
