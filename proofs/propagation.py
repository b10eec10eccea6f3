"""Error propagation (docs/claims.md, propagation; the core of C3): the x_max form (steps 1-4) and the F_max
form (step 5).  Mutations: ``no-e-minus-1`` drops the factor (e - 1) of the x_max form, ``fmax-no-e`` the
factor e of the F_max form."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import propagation as prop
from logprune.bounds import symbols
from logprune.bounds.certified import enclose
from logprune.proofs.framework import Proof, Step, agreement, decide, identity, nonneg, tested

CLAIM = "propagation"
DEFAULTS: dict[str, Any] = {
    "eps": Fraction(1, 100),
    "widths": [100] * 11,
    "norms": [Fraction(1)] * 10,
    "x_max": Fraction(1),
    "w_max": Fraction(1, 10),
}
MUTATIONS = {
    "no-e-minus-1": "eps_w = eps/(x_max·D·prod rho) without the factor (e - 1)",
    "fmax-no-e": "the F_max form eps_w = eps/(F_max·S) without the factor e (prod(1 + eps_w d_j/rho_j) <= 1)",
}
# a second, small instance for the F_max form, with norms on both sides of 1 (so the rho products matter)
FMAX_SMALL: dict[str, Any] = {
    "eps": Fraction(1, 100),
    "widths": [3, 5, 4, 2],
    "norms": [Fraction(2), Fraction(1, 2), Fraction(3)],
    "f_max": Fraction(3, 2),
    "w_max": Fraction(1, 10),
}


Vec = list[Fraction]
Mat = list[list[Fraction]]


def _rand_frac(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(-21, 21), rng.randint(1, 7))


def _relu(v: Vec) -> Vec:
    return [max(Fraction(0), z) for z in v]


def _mv(A: Mat, v: Vec) -> Vec:
    return [sum((a * z for a, z in zip(row, v, strict=True)), Fraction(0)) for row in A]


def _sq(v: Vec) -> Fraction:
    return sum((z * z for z in v), Fraction(0))


def _frob2(A: Mat) -> Fraction:
    return sum((_sq(row) for row in A), Fraction(0))


def _sqrt_le_sum(lhs2: Fraction, x2: Fraction, y2: Fraction) -> bool:
    """sqrt(lhs2) <= sqrt(x2) + sqrt(y2), decided exactly (all arguments >= 0)."""
    slack = lhs2 - x2 - y2  # sqrt(lhs2) <= X + Y  iff  slack <= 2XY
    return slack <= 0 or slack * slack <= 4 * x2 * y2


def recursion_counterexample(W: Mat, E: Mat, h: Vec, hh: Vec) -> str | None:
    """None if layer i's recursion holds on this exact instance, else what fails: with Ŵ = W + E,
    e_i = ||relu(Ŵĥ) - relu(Wh)||, e_(i-1) = ||ĥ - h||, a = ||W||_F >= ||W||_2, Delta = ||E||_F >= ||E||_2:
    e_i <= Delta·||ĥ|| + a·e_(i-1) and ||relu(Ŵĥ)|| <= (a + Delta)||ĥ||, decided exactly."""
    What = [[w + e for w, e in zip(rw, re, strict=True)] for rw, re in zip(W, E, strict=True)]
    out_hat, out = _relu(_mv(What, hh)), _relu(_mv(W, h))
    e_i2 = _sq([p - q for p, q in zip(out_hat, out, strict=True)])
    e_prev2 = _sq([p - q for p, q in zip(hh, h, strict=True)])
    a2, d2, hh2 = _frob2(W), _frob2(E), _sq(hh)
    if not _sqrt_le_sum(e_i2, d2 * hh2, a2 * e_prev2):
        return f"e_i <= Delta||ĥ|| + a e_(i-1) fails for W={W}, E={E}, h={h}, ĥ={hh}"
    if not _sqrt_le_sum(_sq(out_hat), a2 * hh2, d2 * hh2):
        return f"||ĥ_i|| <= (a + Delta)||ĥ_(i-1)|| fails for W={W}, E={E}, ĥ={hh}"
    return None


def _recursion_trial(rng: random.Random) -> str | None:
    """One random exact layer: n0, n1 in 1..4, W, E, h, ĥ with entries p/q, |p| <= 21, 1 <= q <= 7."""
    n0, n1 = rng.randint(1, 4), rng.randint(1, 4)
    W = [[_rand_frac(rng) for _ in range(n0)] for _ in range(n1)]
    E = [[_rand_frac(rng) for _ in range(n0)] for _ in range(n1)]
    h = [_rand_frac(rng) for _ in range(n0)]
    hh = [_rand_frac(rng) for _ in range(n0)]
    return recursion_counterexample(W, E, h, hh)


_SQRT_BITS = 40


def _sqrt_low(x: Fraction) -> Fraction:
    """A rational <= sqrt(x), x >= 0 (within 2^-40)."""
    return Fraction(math.isqrt(math.floor(x * 4**_SQRT_BITS)), 2**_SQRT_BITS)


def _sqrt_up(x: Fraction) -> Fraction:
    """A rational >= sqrt(x), x >= 0 (within 2^-40)."""
    n = math.ceil(x * 4**_SQRT_BITS)
    r = math.isqrt(n)
    return Fraction(r + (r * r < n), 2**_SQRT_BITS)


E_LOW = Fraction(2718, 1000)  # < e


def fmax_counterexample(Ws: list[Mat], Es: list[Mat], x: Vec, eps_w: Fraction) -> str | None:
    """None if the F_max form holds on this exact network, else what fails.  F has layers W_i, Ĝ has W_i + E_i
    (relu between layers, none after the last), F_max = max |activation of F| over its inputs and hidden
    layers.  Per layer (exact): e_i <= Delta_i·||h_(i-1)|| + ||Ŵ_i||·e_(i-1) with Delta_i = ||E_i||_F,
    ||h_(i-1)||^2 <= n_(i-1)·F_max^2, ||Ŵ_i||_F <= ||W_i||_F + Delta_i and Delta_i <= eps_w·d_i when every
    entry of E_i is at most eps_w (d_i = sqrt(n_i n_(i-1))).  End to end (eps_w·D <= 1 is the caller's):
    e_l <= e·F_max·eps_w·S with rho_j = max{1, a_j}, a_j a rational >= ||W_j||_F, S = sum_i d_i·sqrt(n_(i-1))·
    prod_(j>i) rho_j, checked with rational lower bounds of e and of S (so a pass is a proof of the instance)."""
    h, hh = list(x), list(x)
    acts = [h]
    e2 = Fraction(0)
    l = len(Ws)
    for i, (W, E) in enumerate(zip(Ws, Es, strict=True)):
        What = [[w + d for w, d in zip(rw, re, strict=True)] for rw, re in zip(W, E, strict=True)]
        nh, nhh = _mv(W, h), _mv(What, hh)
        if i < l - 1:
            nh, nhh = _relu(nh), _relu(nhh)
        e2_new = _sq([p - q for p, q in zip(nhh, nh, strict=True)])
        d2, hn2, what2 = _frob2(E), _sq(h), _frob2(What)
        if not _sqrt_le_sum(e2_new, d2 * hn2, what2 * e2):
            return f"layer {i + 1}: e_i > Delta_i||h_(i-1)|| + ||Ŵ_i|| e_(i-1) (W={W}, E={E}, x={x})"
        if not _sqrt_le_sum(what2, _frob2(W), d2):
            return f"layer {i + 1}: ||W + E||_F > ||W||_F + ||E||_F (W={W}, E={E})"
        if d2 > eps_w**2 * len(W) * len(W[0]):
            return f"layer {i + 1}: ||E||_F > eps_w·sqrt(n_i n_(i-1)) (E={E}, eps_w={eps_w})"
        h, hh, e2 = nh, nhh, e2_new
        acts.append(h)
    f_max = max((abs(v) for a in acts[:-1] for v in a), default=Fraction(0))
    for i, W in enumerate(Ws):
        if _sq(acts[i]) > len(W[0]) * f_max**2:
            return f"||h_{i}||^2 > n_{i}·F_max^2 (h={acts[i]}, F_max={f_max})"
    rho = [max(Fraction(1), _sqrt_up(_frob2(W))) for W in Ws]
    s_low = Fraction(0)
    for i, W in enumerate(Ws):
        n_i, n_prev = len(W), len(W[0])
        tail = math.prod(rho[i + 1 :], start=Fraction(1))
        s_low += _sqrt_low(Fraction(n_i * n_prev)) * _sqrt_low(Fraction(n_prev)) * tail
    rhs = E_LOW * f_max * eps_w * s_low
    if e2 > rhs * rhs:
        return f"e_l^2 = {e2} > (e·F_max·eps_w·S)^2 >= {rhs * rhs} (Ws={Ws}, Es={Es}, x={x}, eps_w={eps_w})"
    return None


def _fmax_trial(rng: random.Random) -> str | None:
    """A random exact network: l in 1..3 layers, widths 1..3, W entries p/q (|p| <= 21, q <= 7), eps_w a
    random fraction of 1/D (D from rational upper bounds, so eps_w·D <= 1), E entries ±eps_w (2/3) or a
    random rational in [-eps_w, eps_w], x entries p/q."""
    l = rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(l + 1)]
    Ws = [[[_rand_frac(rng) for _ in range(widths[i])] for _ in range(widths[i + 1])] for i in range(l)]
    rho = [max(Fraction(1), _sqrt_up(_frob2(W))) for W in Ws]
    D_up = sum((_sqrt_up(Fraction(widths[i] * widths[i + 1])) / rho[i] for i in range(l)), Fraction(0))
    eps_w = Fraction(rng.randint(1, 10), 10) / D_up

    def entry() -> Fraction:
        if rng.random() < 2 / 3:
            return rng.choice((eps_w, -eps_w))
        return eps_w * Fraction(rng.randint(-12, 12), 12)

    Es = [[[entry() for _ in range(widths[i])] for _ in range(widths[i + 1])] for i in range(l)]
    x = [_rand_frac(rng) for _ in range(widths[0])]
    return fmax_counterexample(Ws, Es, x, eps_w)


def x_eps_w_here(*, eps: Fraction, widths: list[int], norms: list[Fraction], x_max: Fraction, factor: Any) -> sp.Expr:
    """The x_max form's eps_w = min(1/D, eps/((e - 1)·x_max·D·prod rho_i)) recomputed here (factor = e - 1),
    signed inputs: d_1 = sqrt(2 n_1 n_0), d_i = sqrt(n_i n_(i-1)), rho_i = max{1, a_i}, D = sum_i d_i/rho_i
    (docs/claims.md, propagation: step 4)."""
    ell = len(widths) - 1
    d = [sp.sqrt((2 if i == 0 else 1) * widths[i + 1] * widths[i]) for i in range(ell)]
    rho = [sp.Rational(max(Fraction(1), a)) for a in norms]
    D = sum((d[i] / rho[i] for i in range(ell)), sp.Integer(0))
    return sp.Min(1 / D, sp.Rational(eps) / (factor * sp.Rational(x_max) * D * sp.Mul(*rho)))


def fmax_eps_w_here(
    *, eps: Fraction, widths: list[int], norms: list[Fraction], f_max: Fraction, factor: sp.Expr
) -> sp.Expr:
    """The F_max form's eps_w = min(1/D, eps/(factor·F_max·S)) recomputed here (factor = e), signed inputs:
    d_1 = sqrt(2 n_1 n_0), d_i = sqrt(n_i n_(i-1)), rho_i = max{1, a_i}, D = sum_i d_i/rho_i,
    S = sum_i d_i·sqrt(n_(i-1))·prod_(j>i) rho_j (docs/claims.md, propagation: step 5)."""
    ell = len(widths) - 1
    d = [sp.sqrt((2 if i == 0 else 1) * widths[i + 1] * widths[i]) for i in range(ell)]
    rho = [sp.Rational(max(Fraction(1), a)) for a in norms]
    D = sum((d[i] / rho[i] for i in range(ell)), sp.Integer(0))
    S = sum((d[i] * sp.sqrt(widths[i]) * sp.Mul(*rho[i + 1 :]) for i in range(ell)), sp.Integer(0))
    return sp.Min(1 / D, sp.Rational(eps) / (factor * sp.Rational(f_max) * S))


def _fmax_steps(mutation: str | None, at: str) -> list[Step]:
    """Step 5 of docs/claims.md, propagation: the F_max form e_l <= e·F_max·eps_w·S when eps_w·D <= 1."""
    factor: sp.Expr = sp.Integer(1) if mutation == "fmax-no-e" else sp.E
    W, E, H, h = sp.symbols("W E hhat h", commutative=False)
    a, dl, rho, sn, fm = sp.symbols("a Delta rho sqrt_n F_max", nonnegative=True)
    e_prev, e_i, T_prev, P, Pr, Q, X, Y, u = sp.symbols("e_prev e_i T_prev P P_rho Q X Y u", real=True)
    g, R = sp.symbols("g R", real=True)
    cc = sp.Symbol("C", positive=True)  # the constant e (any C > 0)
    t = sp.Symbol("t", nonnegative=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    eps, fmax_s, S, ew = sp.symbols("epsilon F S e_w", positive=True)
    d = DEFAULTS
    small = FMAX_SMALL
    at_small = (
        f"widths {small['widths']}, norms {[str(v) for v in small['norms']]}, F_max = {small['f_max']}, "
        f"eps = {small['eps']}, signed inputs"
    )
    return [
        identity(
            "F_max form, the split around F's activation: Ŵĥ - Wh = E·h + Ŵ(ĥ - h) for Ŵ = W + E",
            (W + E) * H - W * h,
            E * h + (W + E) * (H - h),
            domain="W, E matrices and ĥ, h vectors of compatible shapes (a noncommutative ring)",
        ),
        tested(
            "F_max recursion on networks: e_i <= Delta_i·||h_(i-1)|| + ||Ŵ_i||·e_(i-1) with ||h_(i-1)|| <= "
            "sqrt(n_(i-1))·F_max and ||Ŵ_i|| <= a_i + Delta_i (so e_i <= Delta_i·sqrt(n_(i-1))·F_max + (a_i + "
            "Delta_i)·e_(i-1)), Delta_i <= eps_w·d_i; and end to end e_l <= e·F_max·eps_w·S when eps_w·D <= 1",
            _fmax_trial,
            count=200,
            domain="random exact networks: l in 1..3 layers, widths 1..3, W, x entries p/q (|p| <= 21, q <= 7), "
            "|E entries| <= eps_w <= 1/D; a_i = ||W_i||_F, Delta_i = ||E_i||_F (upper bounds of operator norms)",
            seed=5,
        ),
        decide(
            "Induction on l for the unrolled sum: with T_0 = e_0 = 0 and T_i = Delta_i·sqrt(n_(i-1))·F_max + "
            "(a_i + Delta_i)·T_(i-1), e_(i-1) <= T_(i-1) and the recursion give e_i <= T_i; T_l unrolls to "
            "F_max·sum_i Delta_i·sqrt(n_(i-1))·prod_(j>i)(a_j + Delta_j)",
            e_i <= dl * sn * fm + (a + dl) * T_prev,
            where=(e_prev >= 0, e_prev <= T_prev, e_i <= dl * sn * fm + (a + dl) * e_prev),
        ),
        decide(
            "prod_(j>i)(a_j + Delta_j) <= prod_(j>i) rho_j·prod_(j>i)(1 + Delta_j/rho_j) (a_j <= rho_j, "
            "rho_j >= 1), by induction on the factors: the step from P <= P_rho·Q",
            (a + dl) * P <= (rho * Pr) * (Q * (1 + dl / rho)),
            where=(a <= rho, rho >= 1, P >= 0, Pr >= 0, Q >= 0, P <= Pr * Q),
        ),
        decide(
            "prod_j (1 + x_j) <= exp(sum_j x_j) for x_j >= 0, by induction on the factors: from 0 <= Q <= X = "
            "exp(partial sum) and 1 + u <= Y = exp(u) (1 + u <= e^u, proven above), Q(1 + u) <= X·Y = "
            "exp(partial sum + u)",
            Q * (1 + u) <= X * Y,
            where=(u >= 0, Q >= 0, Q <= X, 1 + u <= Y),
        ),
        identity(
            f"exp(t) <= {sp.sstr(factor)} for t = eps_w·sum_(j>i) d_j/rho_j in [0, eps_w·D] ⊂ [0, 1]: "
            f"{sp.sstr(factor)} - e^t = sum_(j >= 0) (1 - t^j)/j!, whose terms are >= 0 (t^j in [0, 1], the "
            "step on t^j above); so prod_(j>i)(a_j + Delta_j) <= e·prod_(j>i) rho_j",
            sp.Sum((1 - t**j) / sp.factorial(j), (j, 0, sp.oo)),
            factor - sp.exp(t),
            domain="t >= 0 (the terms' signs need t <= 1)",
        ),
        decide(
            "Termwise: g_i = Delta_i·sqrt(n_(i-1))·F_max >= 0 and prod_(j>i)(a_j + Delta_j) <= C·R_i "
            "(R_i = prod_(j>i) rho_j, C = e) give g_i·prod_(j>i)(a_j + Delta_j) <= C·g_i·R_i; summed with "
            "Delta_i = eps_w·d_i: e_l <= e·F_max·eps_w·S",
            g * P <= cc * g * R,
            where=(g >= 0, P >= 0, P <= cc * R),
        ),
        identity(
            "At the F_max eps_w = eps/(e·F_max·S) (or below it) the bound e·F_max·eps_w·S equals eps",
            sp.Subs(sp.E * fmax_s * ew * S, ew, eps / (factor * fmax_s * S)),
            eps,
        ),
        agreement(
            f"The F_max eps_w = min(1/D, eps/(e·F_max·S)), D and S recomputed here at {at} with F_max = 1 (no "
            "x_max), is what bounds.propagation.propagate computes",
            lambda: fmax_eps_w_here(
                eps=d["eps"], widths=d["widths"], norms=d["norms"], f_max=Fraction(1), factor=factor
            ),
            lambda: prop.propagate(eps=d["eps"], widths=d["widths"], norms=d["norms"], w_max=d["w_max"], f_max=1).eps_w,
            at=f"{at}, F_max = 1",
        ),
        agreement(
            "The same at a small target with norms on both sides of 1 (the rho products of S matter)",
            lambda: fmax_eps_w_here(
                eps=small["eps"], widths=small["widths"], norms=small["norms"], f_max=small["f_max"], factor=factor
            ),
            lambda: (
                prop.propagate(
                    eps=small["eps"],
                    widths=small["widths"],
                    norms=small["norms"],
                    w_max=small["w_max"],
                    f_max=small["f_max"],
                ).eps_w
            ),
            at=at_small,
        ),
    ]


def proof(mutation: str | None = None) -> Proof:
    eps, xm, D, R = symbols.eps, symbols.x_max, symbols.D, symbols.R
    factor = 1 if mutation == "no-e-minus-1" else (sp.E - 1)
    eps_w_formula = eps / (factor * xm * D * R)
    d = DEFAULTS
    n = d["widths"][0]
    at = f"n = {n}, l = 10, ||W_i||_2 <= 1, eps = {d['eps']}, x_max = 1"
    res = prop.propagate(eps=d["eps"], widths=d["widths"], norms=d["norms"], w_max=d["w_max"], x_max=d["x_max"])
    D_ours = sp.sqrt(2 * n * n) + (len(d["widths"]) - 2) * sp.sqrt(n * n)  # rho_i = 1: D = sum_i d_i
    ew0 = sp.Min(1 / D_ours, eps_w_formula.subs({eps: sp.Rational(d["eps"]), xm: 1, D: D_ours, R: 1}))
    d_ours = [sp.sqrt(2 * n * n)] + [sp.sqrt(n * n)] * (len(d["widths"]) - 2)
    bound0 = sp.Mul(*[1 + ew0 * di for di in d_ours]) - 1  # x_max[prod(a_i + eps_w d_i) - prod a_i], a_i = 1
    W, E, H, h = sp.symbols("W E hhat h", commutative=False)
    x, y = sp.symbols("x y", real=True)
    a, dl, xx, rho = sp.symbols("a Delta x_max rho", nonnegative=True)
    P, Q, Pr, Qr, e_prev, H_prev, e_i, H_i = sp.symbols("P Q P_rho Q_rho e_prev H_prev e_i H_i", real=True)
    j = sp.Symbol("j", integer=True, positive=True)
    i1, i2 = sp.symbols("i1 i2", integer=True, positive=True)
    n0, n1 = sp.symbols("n0 n1", integer=True, positive=True)
    tt = sp.Symbol("t", nonnegative=True)
    u = sp.Symbol("u", nonnegative=True)
    t01, y01 = sp.symbols("t y", real=True)
    ew = sp.Symbol("e_w", positive=True)
    fmax_steps = _fmax_steps(mutation, at)
    steps: list[Step] = [
        identity(
            "The error of layer i splits: Ŵĥ - Wh = Eĥ + W(ĥ - h) for Ŵ = W + E (any matrices and vectors)",
            (W + E) * H - W * h,
            E * H + W * (H - h),
            domain="W, E matrices and ĥ, h vectors of compatible shapes (a noncommutative ring)",
        ),
        decide(
            "sigma = relu is 1-Lipschitz with sigma(0) = 0, coordinatewise: (relu x - relu y)^2 <= (x - y)^2 and "
            "relu(x)^2 <= x^2, hence ||sigma(u) - sigma(v)|| <= ||u - v|| and ||sigma(u)|| <= ||u||",
            sp.And((sp.Max(0, x) - sp.Max(0, y)) ** 2 <= (x - y) ** 2, sp.Max(0, x) ** 2 <= x**2),
        ),
        tested(
            "The recursion e_i <= Delta_i·||ĥ_(i-1)|| + a_i·e_(i-1) and ||ĥ_i|| <= (a_i + Delta_i)||ĥ_(i-1)|| "
            "(the split, the triangle inequality, ||Au|| <= ||A||·||u||, and the Lipschitz step above)",
            _recursion_trial,
            count=300,
            domain="random exact layers: n0, n1 in 1..4, entries p/q with |p| <= 21, 1 <= q <= 7; "
            "a_i = ||W_i||_F, Delta_i = ||E_i||_F (upper bounds of the operator norms)",
        ),
        decide(
            "Induction on l, base: e_0 = 0 and ||ĥ_0|| = ||x|| <= x_max give e_0 <= x_max(P_0 - Q_0) and "
            "||ĥ_0|| <= x_max·P_0 with P_0 = Q_0 = 1 (empty products)",
            sp.And(e_prev <= xx * (P - Q), H_prev <= xx * P),
            where=(sp.Eq(e_prev, 0), H_prev <= xx, sp.Eq(P, 1), sp.Eq(Q, 1)),
        ),
        decide(
            "Induction on l, step: if e_(i-1) <= x_max(P - Q) and ||ĥ_(i-1)|| <= x_max·P (P = prod_(j<i)(a_j + "
            "Delta_j), Q = prod_(j<i) a_j), the recursion gives e_i <= x_max((a_i + Delta_i)P - a_i Q) and "
            "||ĥ_i|| <= x_max(a_i + Delta_i)P; so e_l <= x_max[prod_i(a_i + Delta_i) - prod_i a_i] for every l",
            sp.And(e_i <= xx * ((a + dl) * P - a * Q), H_i <= xx * (a + dl) * P),
            where=(
                e_prev >= 0,
                H_prev >= 0,
                e_prev <= xx * (P - Q),
                H_prev <= xx * P,
                e_i <= dl * H_prev + a * e_prev,
                H_i <= (a + dl) * H_prev,
            ),
        ),
        decide(
            "The bound grows with the norms (a_i <= rho_i = max{1, a_i}), by induction on l with the invariants "
            "0 <= Q <= P, P - Q <= P_rho - Q_rho, P <= P_rho (the base P = Q = P_rho = Q_rho = 1 satisfies them)",
            sp.And(
                a * Q >= 0,
                a * Q <= (a + dl) * P,
                (a + dl) * P - a * Q <= (rho + dl) * Pr - rho * Qr,
                (a + dl) * P <= (rho + dl) * Pr,
            ),
            where=(a <= rho, Q >= 0, Q <= P, P - Q <= Pr - Qr, P <= Pr),
        ),
        identity(
            "Two branches in layer 1: ||[E+, -E-]||_F = eps_w·sqrt(2 n_1 n_0) when every entry is eps_w",
            sp.sqrt(sp.Sum(ew**2, (i1, 1, n1), (i2, 1, 2 * n0))),
            ew * sp.sqrt(2 * n1 * n0),
        ),
        identity(
            "1 + u <= e^u for u >= 0 (so prod(rho_i + eps_w d_i) <= prod rho_i·exp(eps_w D)): "
            "e^u - 1 - u = sum_(j >= 2) u^j/j!, a sum of terms >= 0",
            sp.Sum(u**j / sp.factorial(j), (j, 2, sp.oo)),
            sp.exp(u) - 1 - u,
        ),
        identity(
            "e^t - 1 <= (e - 1)t on [0, 1] (t = eps_w·D <= 1 since eps_w <= 1/D): (e - 1)t - (e^t - 1) = "
            "sum_(j >= 1) (t - t^j)/j!, whose terms are >= 0 (next step)",
            sp.Sum((tt - tt**j) / sp.factorial(j), (j, 1, sp.oo)),
            (sp.E - 1) * tt - (sp.exp(tt) - 1),
            domain="t >= 0 (the terms' signs need t <= 1)",
        ),
        decide(
            "t^j in [0, t] for t in [0, 1] and j >= 1, by induction on j (base t^1 = t): y in [0, t] gives "
            "t·y in [0, t]",
            sp.And(t01 * y01 >= 0, t01 * y01 <= t01),
            where=(t01 >= 0, t01 <= 1, y01 >= 0, y01 <= t01),
        ),
        identity(
            "At the closed-form eps_w (or below it: the bound grows with eps_w) x_max·prod(rho)·(e-1)·eps_w·D = eps",
            sp.Mul(xm, R, sp.E - 1, eps_w_formula, D, evaluate=False),
            eps,
        ),
        nonneg(
            f"Certified at n = {n}, l = 10, ||W_i|| <= 1, eps = {d['eps']}: eps - x_max[prod(a+eps_w d) - prod a] >= 0",
            sp.Rational(d["eps"]) - bound0,
            at=at,
        ),
        agreement(
            "That bound, recomputed here, is what bounds.propagation.error_bound_x gives at the same eps_w",
            lambda: bound0,
            lambda: prop.error_bound_x(eps_w=ew0, widths=d["widths"], norms=d["norms"], x_max=d["x_max"]),
            at=at,
        ),
        agreement(
            "eps_w = min(1/D, eps/((e-1) x_max D prod rho)), D recomputed here, is what bounds.propagation computes",
            lambda: ew0,
            lambda: res.eps_w,
            at=at,
        ),
        agreement(
            "The x_max eps_w = min(1/D, eps/((e-1) x_max D prod rho)), D and prod rho recomputed here, is what "
            "bounds.propagation computes at a small target with norms on both sides of 1 (prod rho = 6 matters)",
            lambda: x_eps_w_here(
                eps=FMAX_SMALL["eps"],
                widths=FMAX_SMALL["widths"],
                norms=FMAX_SMALL["norms"],
                x_max=Fraction(2),
                factor=factor,
            ),
            lambda: (
                prop.propagate(
                    eps=FMAX_SMALL["eps"],
                    widths=FMAX_SMALL["widths"],
                    norms=FMAX_SMALL["norms"],
                    w_max=FMAX_SMALL["w_max"],
                    x_max=Fraction(2),
                ).eps_w
            ),
            at=f"widths {FMAX_SMALL['widths']}, norms {[str(v) for v in FMAX_SMALL['norms']]}, x_max = 2, "
            f"eps = {FMAX_SMALL['eps']}, signed inputs",
        ),
        *fmax_steps,
    ]
    return Proof(
        claim=CLAIM,
        title="Error propagation through the layers",
        statement="If every effective weight of layer i is within eps_w of W_i (two branches in layer 1 unless x >= "
        "0), then "
        "sup_{||x|| <= x_max} ||Ĝ(x) - F(x)||_2 <= x_max[prod_i(a_i + eps_w d_i) - prod_i a_i] <= eps for "
        "eps_w = min(1/D, eps/((e-1) x_max D prod_i rho_i)), rho_i = max{1, a_i}, D = sum_i d_i/rho_i.",
        assumptions=("a_i >= ||W_i||_2", "d_1 = sqrt(2 n_1 n_0), d_i = sqrt(n_i n_(i-1))", "||x||_2 <= x_max"),
        steps=tuple(steps),
        constants=(
            ("eps_w (n=100, l=10, Malach norms, eps=1/100)", str(enclose(res.eps_w))),
            ("certified bound at that eps_w", str(enclose(bound0))),
        ),
        differences=("The digest leaves the constants of '~l·n·x_max·eps_w·prod rho_i' open: ours are (e-1) and D.",),
        mutation=mutation,
    )
