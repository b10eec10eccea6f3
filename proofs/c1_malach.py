"""C1: Malach et al.'s construction with logprune's own constants (docs/claims.md, C1; it uses L1 and
propagation).  Every step of the construction is proven (z3, sympy), tested on exact random instances, or
checked at the default parameters; the published O(n^3 l^2/eps^2 · log(n l/delta)) form is shown beside it.

Mutations: ``one-part`` (the union bound over one part per target weight), ``error-no-eps2`` (the per-part
error without its eps_a^2 term), ``branch-factor`` (propagation's dims with two branches in layer 1, which the
two-part identity makes unnecessary)."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from logprune.bounds import malach
from logprune.bounds.certified import certified_ceiling
from logprune.bounds.setting import setting
from logprune.proofs._orseau import independence_step
from logprune.proofs.framework import Proof, Step, agreement, decide, identity, nonneg, probability, tested

CLAIM = "C1"
DEFAULTS: dict[str, Any] = {"n": 100, "layers": 10, "eps": "0.01", "delta": "0.01"}
MUTATIONS = {
    "one-part": "the union bound over one part per target weight (E = sum_i m_i instead of 2·sum_i m_i)",
    "error-no-eps2": "the per-part error eps_a(1 + |w|)|x| without the eps_a^2 term",
    "branch-factor": "propagation's dims with two branches in layer 1 (d_1 = sqrt(2 n_1 n_0))",
}

_AT = "n = 100, l = 10, eps = delta = 1/100 (Malach's assumptions: w_max = 1/10, norms 1, x_max = 1)"


def _abs(e: sp.Expr) -> sp.Expr:
    """|e| as Max(e, -e) (the z3 translation knows Max, not Abs)."""
    return sp.Max(e, -e, evaluate=False)


def _relu(e: sp.Expr) -> sp.Expr:
    return sp.Max(e, 0, evaluate=False)


def _unevaluated(d: sp.Expr, events: int, q: sp.Expr, n: int, sign: int = 1) -> sp.Expr:
    """sign·(delta - events·q^n), kept unevaluated (q^n is evaluated by arb balls, never expanded)."""
    power = sp.Mul(events, sp.Pow(q, n, evaluate=False), evaluate=False)
    if sign > 0:
        return sp.Add(d, sp.Mul(-1, power, evaluate=False), evaluate=False)
    return sp.Add(power, -d, evaluate=False)


# --- the independent recomputation (own code: no call of bounds.malach for the same quantity) ----------


def _ours(*, n: int, layers: int, eps: Fraction, delta: Fraction, mutation: str | None) -> dict[str, Any]:
    """eps_w, eps_a, p, E and N under Malach's assumptions, from the closed forms of docs/claims.md, C1."""
    eps_r = sp.Rational(eps)
    # propagation with a_i = rho_i = 1, x_max = 1 and one branch per layer: d_i = sqrt(n·n) = n, D = l·n
    d1 = sp.sqrt(2) * n if mutation == "branch-factor" else sp.Integer(n)
    D = d1 + (layers - 1) * n
    eps_w = sp.Min(1 / D, eps_r / ((sp.E - 1) * D))
    w_max = 1 / sp.sqrt(n)
    eps_a = (sp.sqrt((1 + w_max) ** 2 + 2 * eps_w) - (1 + w_max)) / 2
    if mutation == "error-no-eps2":
        eps_a = eps_w / (2 * (1 + w_max))
    m = n * n * layers
    events = m if mutation == "one-part" else 2 * m
    with mpmath.workdps(80):
        ea = mpmath.mpf(sp.N(eps_a, 100))
        p = ea**2 / 4
        pool = int(mpmath.ceil(mpmath.log(mpmath.mpf(delta.numerator) / delta.denominator / events) / mpmath.log1p(-p)))
    return {
        "D": D,
        "eps_w": eps_w,
        "w_max": w_max,
        "eps_a": eps_a,
        "p": eps_a**2 / 4,
        "events_true": 2 * m,
        "events": events,
        "pool": pool,
        "neurons": pool * m,
        "dense_weights": 2 * n * pool * m,  # per layer n_(i-1)·N·m_i + N·m_i·n_i with n_i = n
    }


# --- randomised exact tests -----------------------------------------------------------------------------


def _uniform(rng: random.Random, lo: Fraction, hi: Fraction) -> Fraction:
    """A random rational in [lo, hi] (end points included with positive probability)."""
    return lo + (hi - lo) * Fraction(rng.randint(0, 64), 64)


def _relu_q(v: Fraction) -> Fraction:
    return v if v > 0 else Fraction(0)


def _params(rng: random.Random) -> tuple[Fraction, Fraction, Fraction]:
    w_max = Fraction(rng.randint(1, 10), 10)
    e = Fraction(1, rng.randint(1, 40))
    eps_w = 2 * e * (1 + w_max + e)
    return w_max, e, eps_w


def _pool_map(rng: random.Random, w: Fraction, e: Fraction) -> tuple[Fraction, ...]:
    """(a1, o1, a2, o2): usable neurons for sigma(w·) (|a1 - w|, |o1 - 1| <= e) and -sigma(-w·)
    (|a2 + w|, |o2 + 1| <= e), inside [-1, 1]."""
    one = Fraction(1)
    a1 = _uniform(rng, max(-one, w - e), min(one, w + e))
    o1 = _uniform(rng, max(-one, 1 - e), one)
    a2 = _uniform(rng, max(-one, -w - e), min(one, -w + e))
    o2 = _uniform(rng, -one, min(one, -1 + e))
    return a1, o1, a2, o2


def _g(neurons: tuple[Fraction, ...], x: Fraction) -> Fraction:
    a1, o1, a2, o2 = neurons
    return o1 * _relu_q(a1 * x) + o2 * _relu_q(a2 * x)


def _layer_trial(rng: random.Random) -> str | None:
    """One nonlinear layer y_o = sum_j g_oj(x_j): ||y - Wx||^2 <= eps_w^2·n_out·n_in·||x||^2 (exact)."""
    w_max, e, eps_w = _params(rng)
    n_out, n_in = rng.randint(1, 4), rng.randint(1, 4)
    W = [[_uniform(rng, -w_max, w_max) for _ in range(n_in)] for _ in range(n_out)]
    pools = [[_pool_map(rng, W[o][j], e) for j in range(n_in)] for o in range(n_out)]
    x = [_uniform(rng, Fraction(-3), Fraction(3)) for _ in range(n_in)]
    err2 = sum((sum(_g(pools[o][j], x[j]) - W[o][j] * x[j] for j in range(n_in))) ** 2 for o in range(n_out))
    bound2 = eps_w**2 * n_out * n_in * sum(v * v for v in x)
    return None if err2 <= bound2 else f"n_out={n_out}, n_in={n_in}, eps_a={e}, ||err||^2={err2} > {bound2}"


def _norm_bound(W: list[list[Fraction]]) -> Fraction:
    """A rational a >= ||W||_F >= ||W||_2."""
    f2 = sum(v * v for row in W for v in row)
    k = math.ceil(f2 * 10**6)
    return Fraction(math.isqrt(k) + 1, 1000)


def _network_trial(rng: random.Random) -> str | None:
    """A random target with 1..3 layers of equal width n <= 3, every weight realised by its two pool neurons:
    ||Ĝ(x) - F(x)||^2 <= x_max^2·[prod(a_i + eps_w·n) - prod a_i]^2 with x_max = ||x||_2 (signed x)."""
    w_max, e, eps_w = _params(rng)
    width, depth = rng.randint(1, 3), rng.randint(1, 3)
    Ws = [[[_uniform(rng, -w_max, w_max) for _ in range(width)] for _ in range(width)] for _ in range(depth)]
    pools = [[[_pool_map(rng, W[o][j], e) for j in range(width)] for o in range(width)] for W in Ws]
    x = [_uniform(rng, Fraction(-2), Fraction(2)) for _ in range(width)]
    h, hh = list(x), list(x)
    for i, W in enumerate(Ws):
        h = [sum((W[o][j] * h[j] for j in range(width)), Fraction(0)) for o in range(width)]
        hh = [sum((_g(pools[i][o][j], hh[j]) for j in range(width)), Fraction(0)) for o in range(width)]
        if i < depth - 1:
            h, hh = [_relu_q(v) for v in h], [_relu_q(v) for v in hh]
    a = [_norm_bound(W) for W in Ws]
    grown, plain = Fraction(1), Fraction(1)
    for ai in a:
        grown *= ai + eps_w * width
        plain *= ai
    err2 = sum((u - v) ** 2 for u, v in zip(hh, h, strict=True))
    bound2 = sum(v * v for v in x) * (grown - plain) ** 2
    return None if err2 <= bound2 else f"width={width}, depth={depth}, eps_a={e}: ||err||^2={err2} > {bound2}"


# --- the proof ------------------------------------------------------------------------------------------


def _local_steps(mutation: str | None) -> list[Step]:
    """The construction's lemmas, over all reals (z3) or exact random instances."""
    a, w, x, o, a2, o2, r, t = sp.symbols("a w x o a2 o2 r t", real=True)
    e, u = sp.symbols("eps_a eps_w", positive=True)
    wm, v = sp.symbols("w_max v", nonnegative=True)
    sq = e**2 if mutation != "error-no-eps2" else sp.Integer(0)
    part_bound = e * _abs(w) * _abs(x) + sq * _abs(x) + e * _abs(x)
    g = o * _relu(a * x) + o2 * _relu(a2 * x)
    near_plus = (_abs(a - w) <= e, _abs(o - 1) <= e)
    near_minus = (_abs(a2 + w) <= e, _abs(o2 + 1) <= e)
    root = (sp.sqrt((1 + wm) ** 2 + 2 * u) - (1 + wm)) / 2
    return [
        decide(
            "Two parts: w·x = sigma(w·x) - sigma(-w·x) for all real w, x (so signed inputs need no second branch)",
            sp.Eq(_relu(w * x) - _relu(-w * x), w * x, evaluate=False),
        ),
        decide(
            "Per part: |a - w| <= eps_a and |o - 1| <= eps_a imply |o·sigma(a·x) - sigma(w·x)| <= "
            "eps_a(|w| + eps_a)|x| + eps_a|x| for all real a, w, x, o",
            _abs(o * _relu(a * x) - _relu(w * x)) <= part_bound,
            where=near_plus,
        ),
        decide(
            "Both parts: with also |a2 + w| <= eps_a and |o2 + 1| <= eps_a, g(x) = o·sigma(a·x) + o2·sigma(a2·x) "
            "satisfies |g(x) - w·x| <= 2·eps_a(1 + |w| + eps_a)|x| for all real a, a2, o, o2, w, x",
            _abs(g - w * x) <= 2 * part_bound,
            where=near_plus + near_minus,
        ),
        identity(
            "eps_a = (sqrt((1 + w_max)^2 + 2 eps_w) - (1 + w_max))/2 solves 2 eps_a (1 + w_max + eps_a) = eps_w",
            2 * root * (1 + wm + root),
            u,
        ),
        decide(
            "and every 0 < t <= eps_a (e.g. the cap t = 1) keeps the per-weight error within eps_w|x| for "
            "every |w| = v <= w_max: 2t(1 + v + t) <= eps_w (r = sqrt((1 + w_max)^2 + 2 eps_w)); eps_a > 0",
            sp.And(2 * t * (1 + v + t) <= u, r - (1 + wm) > 0),
            where=(r >= 0, sp.Eq(r**2, (1 + wm) ** 2 + 2 * u), t > 0, 2 * t <= r - (1 + wm), v <= wm),
        ),
        decide(
            "eps_a >= eps_w/(2(1 + w_max) + eps_w) (the rational lower bound behind the O-form: "
            "1/eps_a <= (2(1 + w_max) + eps_w)/eps_w)",
            (r - (1 + wm)) / 2 >= u / (2 * (1 + wm) + u),
            where=(r >= 0, sp.Eq(r**2, (1 + wm) ** 2 + 2 * u)),
        ),
        decide(
            "L1 (docs/claims.md, L1) for both parts: for |w| <= 1 and eps_a <= 1, with a, o i.i.d. U[-1, 1], "
            "P(|a - w| <= eps_a)·P(|o - 1| <= eps_a) and P(|a + w| <= eps_a)·P(|o + 1| <= eps_a) are >= eps_a^2/4 "
            "(window lengths over 2)",
            sp.And(
                (sp.Min(1, w + e) - sp.Max(-1, w - e)) * (sp.Min(1, 1 + e) - sp.Max(-1, 1 - e)) / 4 >= e**2 / 4,
                (sp.Min(1, -w + e) - sp.Max(-1, -w - e)) * (sp.Min(1, -1 + e) - sp.Max(-1, -1 - e)) / 4 >= e**2 / 4,
            ),
            where=(w >= -1, w <= 1, e <= 1),
        ),
        tested(
            "A layer of Ĝ maps x to y_o = sum_j g_oj(x_j) with |g_oj(x_j) - W_oj·x_j| <= eps_w|x_j|; by Cauchy-Schwarz "
            "||y - W x||_2 <= eps_w·sqrt(n_out·n_in)·||x||_2 for signed x: propagation's Delta_i with one branch",
            _layer_trial,
            count=300,
            domain="n_out, n_in in 1..4, w_max in (0, 1], eps_a = 1/k (k <= 40), eps_w = 2 eps_a(1 + w_max + eps_a), "
            "target weights in [-w_max, w_max], usable neurons anywhere in their windows (end points included), "
            "x in [-3, 3]^n_in",
            seed=1,
        ),
        tested(
            "Propagation's telescoped bound holds for these nonlinear layers (e_i <= Delta_i||ĥ_(i-1)|| + a_i e_(i-1) "
            "only uses ||Ĝ_i(y) - W_i y|| <= Delta_i||y||): ||Ĝ(x) - F(x)|| <= ||x||·[prod(a_i + eps_w n) - prod a_i]",
            _network_trial,
            count=200,
            domain="1..3 layers of equal width n in 1..3, w_max in (0, 1], eps_a = 1/k (k <= 40), a_i >= ||W_i||_F "
            "rational, x in [-2, 2]^n (signed), every weight realised by two usable pool neurons",
            seed=2,
        ),
    ]


def proof(mutation: str | None = None) -> Proof:
    st = setting(**DEFAULTS)
    mp = malach.malach_parameters(st)
    ours = _ours(n=st.n, layers=st.layers, eps=st.eps, delta=st.delta, mutation=mutation)
    d = sp.Rational(st.delta)
    N, E = ours["pool"], ours["events_true"]
    q = 1 - ours["p"]
    n, ell = st.n, st.layers
    published = certified_ceiling(sp.Integer(n) ** 3 * ell**2 / sp.Rational(st.eps) ** 2 * sp.log(n * ell / d))
    steps = [
        *_local_steps(mutation),
        agreement(
            "eps_w of propagation with one branch in every layer (D = l·n, a_i = 1, x_max = 1): "
            "min{1/D, eps/((e - 1)·D)}, recomputed here, is bounds.malach's eps_w",
            lambda: ours["eps_w"],
            lambda: mp.eps_w,
            at=_AT,
        ),
        nonneg(
            "and it suffices: eps - x_max·[(1 + eps_w·n)^l - 1] >= 0 (propagation's telescoped bound, a_i = 1)",
            sp.Rational(st.eps) - ((1 + ours["eps_w"] * n) ** ell - 1),
            at=_AT,
        ),
        nonneg("eps_a <= 1 (L1's domain) at the instance", 1 - ours["eps_a"], at=_AT),
        independence_step(
            "The N neurons of a pool are designated before sampling and have disjoint sets of weights: a part is "
            "missed by the whole pool w.p. (1 - p(w))^N <= (1 - eps_a^2/4)^N",
        ),
        probability(
            f"Union bound over E = 2·sum_i n_i n_(i-1) = {E} (target weight, part) events: E·(1 - p)^N <= delta at "
            f"N = {N}, p = eps_a^2/4",
            "union bound; each event fails w.p. <= (1 - p)^N",
            nonneg("delta - E(1 - p)^N", _unevaluated(d, E, q, N), at=_AT),
        ),
        nonneg(
            f"N = {N} is the least such count: E·(1 - p)^(N - 1) - delta >= 0",
            _unevaluated(d, E, q, N - 1, sign=-1),
            at=_AT,
        ),
        agreement(
            "N, recomputed here (mpmath, 80 digits, from the closed forms), is bounds.malach's pool",
            lambda: N,
            lambda: mp.pool,
            at=_AT,
        ),
        agreement(
            "G's intermediate neurons sum_i N·n_i·n_(i-1), recomputed here, are bounds.malach's",
            lambda: ours["neurons"],
            lambda: sum(mp.intermediate),
            at=_AT,
        ),
        agreement(
            "dense G's weights sum_i (n_(i-1) + n_i)·N·m_i, recomputed here, are bounds.malach's",
            lambda: ours["dense_weights"],
            lambda: mp.dense_weights,
            at=_AT,
        ),
    ]
    return Proof(
        claim=CLAIM,
        title="Malach et al. 2020, with logprune's constants",
        statement="A random network G of depth 2l with i.i.d. U[-1, 1] weights and one dedicated pool of N "
        "intermediate "
        "neurons per target weight contains, w.p. >= 1 - delta, a pruning with sup_{||x||<=x_max} "
        "||Ĝ(x) - F(x)||_2 <= eps, where eps_w is propagation's per-weight accuracy with one branch per layer, "
        "eps_a = (sqrt((1 + w_max)^2 + 2 eps_w) - (1 + w_max))/2, p = eps_a^2/4, E = 2·sum_i n_i n_(i-1) and "
        "N = min{N: E(1 - p)^N <= delta}: N neurons and 2N sampled weights per target weight.",
        assumptions=(
            "|w| <= w_max <= 1",
            "a_i >= ||W_i||_2",
            "||x||_2 <= x_max (or activations <= F_max)",
            "G's weights i.i.d. U[-1, 1]",
            "Malach's assumptions at the instance: w_max = 1/sqrt(n), a_i = 1, x_max = 1",
        ),
        steps=tuple(steps),
        constants=(
            ("eps_w", str(mp.eps_w_enclosure)),
            ("eps_a", str(mp.eps_a_enclosure)),
            ("E", str(mp.events)),
            ("N (neurons per target weight)", str(mp.pool)),
            ("sampled weights per target weight (2N)", str(mp.sampled_weights_per_target_weight)),
            ("published shape n^3 l^2/eps^2 ln(n l/delta) (constant 1)", str(published)),
        ),
        differences=(
            "Published (Malach et al., slides): O(n^3 l^2/eps^2 · log(n l/delta)) neurons per target weight, "
            "constant unknown.  Ours is explicit and O(n^2 l^2/eps^2 · log(n l/delta)) under Malach's assumptions: "
            "eps_w = eps/((e - 1) n l) (Frobenius per layer), 1/eps_a <= (2(1 + w_max) + eps_w)/eps_w, "
            "N <= 1 + (4/eps_a^2)·ln(2 n^2 l/delta).",
            f"At the instance: N = {mp.pool} against the published shape with constant 1, {published}.",
        ),
        mutation=mutation,
    )
