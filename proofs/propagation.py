"""Error propagation (docs/claims.md, propagation; the core of C3).  Mutation ``no-e-minus-1`` drops the
factor (e - 1)."""

from __future__ import annotations

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
MUTATIONS = {"no-e-minus-1": "eps_w = eps/(x_max·D·prod rho) without the factor (e - 1)"}


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
    ]
    return Proof(
        CLAIM,
        "Error propagation through the layers",
        "If every effective weight of layer i is within eps_w of W_i (two branches in layer 1 unless x >= 0), then "
        "sup_{||x|| <= x_max} ||Ĝ(x) - F(x)||_2 <= x_max[prod_i(a_i + eps_w d_i) - prod_i a_i] <= eps for "
        "eps_w = min(1/D, eps/((e-1) x_max D prod_i rho_i)), rho_i = max{1, a_i}, D = sum_i d_i/rho_i.",
        ("a_i >= ||W_i||_2", "d_1 = sqrt(2 n_1 n_0), d_i = sqrt(n_i n_(i-1))", "||x||_2 <= x_max"),
        tuple(steps),
        constants=(
            ("eps_w (n=100, l=10, Malach norms, eps=1/100)", str(enclose(res.eps_w))),
            ("certified bound at that eps_w", str(enclose(bound0))),
        ),
        differences=("The digest leaves the constants of '~l·n·x_max·eps_w·prod rho_i' open: ours are (e-1) and D.",),
        mutation=mutation,
    )
