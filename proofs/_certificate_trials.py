"""The randomised trials and the end-to-end instance of the certificate's proof (:mod:`logprune.proofs.certificate`).

Each trial draws an exact random instance (``Fraction``s, or floats checked exactly) from the ``random.Random``
it is given and returns None when the statement holds on it, or the counterexample as text.  The ``*_code``
trials check construct's own functions (:mod:`logprune.construct.certificate.rules`,
:mod:`~logprune.construct.certificate.compose`, :mod:`~logprune.construct.certificate.norms`), the others the
lemmas on their own; the instance builds one Ĝ with construct and recomputes its certificate here.  A mutation
of the proof reaches a trial through its ``mutation`` argument.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product

import numpy as np
import sympy as sp

from logprune.proofs.framework import FAILED, INSTANCE, Evidence

__all__ = [
    "AT",
    "INSTANCE_AT",
    "applies_trial",
    "bounds_a_priori",
    "carry_trial",
    "cells_trial",
    "construct_carry_trial",
    "construct_hull_trial",
    "enclose",
    "gershgorin_trial",
    "in_ball_trial",
    "instance",
    "instance_inf",
    "matvec_trial",
    "n2_trial",
    "rotation_trial",
    "rounding_trial",
    "soundness_check",
    "soundness_inf_check",
    "start_trial",
    "symbolic_trial",
    "telescope_trial",
    "telescoped_here",
    "telescoped_inf_recomputed",
    "telescoped_recomputed",
    "trial",
]

Vec = list[Fraction]
Mat = list[list[Fraction]]
TINY = Fraction(1, 2**1074)


# --- exact helpers --------------------------------------------------------------------------------------


def _rf(rng: random.Random, p: int = 21, q: int = 7) -> Fraction:
    return Fraction(rng.randint(-p, p), rng.randint(1, q))


def _mv(A: Mat, v: Vec) -> Vec:
    return [sum((a * z for a, z in zip(row, v, strict=True)), Fraction(0)) for row in A]


def _mm(A: Mat, B: Mat) -> Mat:
    cols = [list(c) for c in zip(*B, strict=True)]
    return [[sum((a * b for a, b in zip(row, c, strict=True)), Fraction(0)) for c in cols] for row in A]


def _tr(A: Mat) -> Mat:
    return [list(c) for c in zip(*A, strict=True)]


def _sq(v: Vec) -> Fraction:
    return sum((z * z for z in v), Fraction(0))


def _frob2(A: Mat) -> Fraction:
    return sum((_sq(r) for r in A), Fraction(0))


def _relu(v: Vec) -> Vec:
    return [max(Fraction(0), z) for z in v]


def _sqrt_le_sum(lhs2: Fraction, x2: Fraction, y2: Fraction) -> bool:
    """sqrt(lhs2) <= sqrt(x2) + sqrt(y2), decided exactly (all arguments >= 0)."""
    slack = lhs2 - x2 - y2  # sqrt(lhs2) <= X + Y  iff  slack <= 2XY
    return slack <= 0 or slack * slack <= 4 * x2 * y2


def _det(A: Mat) -> Fraction:
    """Exact determinant by fraction-valued Gaussian elimination."""
    M = [row[:] for row in A]
    n, det = len(M), Fraction(1)
    for k in range(n):
        piv = next((r for r in range(k, n) if M[r][k] != 0), None)
        if piv is None:
            return Fraction(0)
        if piv != k:
            M[k], M[piv] = M[piv], M[k]
            det = -det
        det *= M[k][k]
        for r in range(k + 1, n):
            f = M[r][k] / M[k][k]
            M[r] = [a - f * b for a, b in zip(M[r], M[k], strict=True)]
    return det


def _psd(A: Mat) -> bool:
    """A symmetric matrix is positive semidefinite iff every principal minor is >= 0 (exact)."""
    n = len(A)
    return all(
        _det([[A[i][j] for j in idx] for i in idx]) >= 0 for k in range(1, n + 1) for idx in combinations(range(n), k)
    )


def _max_row_sum(S: Mat) -> Fraction:
    return max(sum((abs(v) for v in row), Fraction(0)) for row in S)


# --- step 1: N2 -------------------------------------------------------------------------------------------


def _near_orthogonal(rng: random.Random, n: int) -> Mat:
    """A rational near-orthogonal n×n matrix: a product of rational plane rotations (Pythagorean
    (1 - t^2, 2t)/(1 + t^2)) with a small rational perturbation of every entry."""
    V = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for i, j in combinations(range(n), 2):
        t = Fraction(rng.randint(-9, 9), rng.randint(1, 9))
        c, s = (1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)
        R = [[Fraction(int(a == b)) for b in range(n)] for a in range(n)]
        R[i][i], R[i][j], R[j][i], R[j][j] = c, -s, s, c
        V = _mm(V, R)
    return [[v + Fraction(rng.randint(-8, 8), 100) for v in row] for row in V]


def gershgorin_trial(rng: random.Random) -> str | None:
    """||S||_2 <= r = max row sum |S| for symmetric S: r·I - S and r·I + S are PSD (exact minors)."""
    n = rng.randint(1, 4)
    S = [[Fraction(0)] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            S[i][j] = S[j][i] = _rf(rng)
    r = _max_row_sum(S)
    for sign in (1, -1):
        M = [[(r if i == j else 0) - sign * S[i][j] for j in range(n)] for i in range(n)]
        if not _psd(M):
            return f"r·I {'-' if sign == 1 else '+'} S is not PSD for S={S}, r={r}"
    return None


def n2_trial(rng: random.Random, mutation: str | None) -> str | None:
    """eta = max row sum |VᵀV - I| < 1 gives VᵀV - (1 - eta)I PSD (sigma_min(V)^2 >= 1 - eta), and for
    random x: ||Wx||^2·(1 - eta) <= ||WV||_F^2·||x||^2 (||WV||_F >= ||WV||_2)."""
    n, m = rng.randint(1, 3), rng.randint(1, 3)
    V = _near_orthogonal(rng, n)
    G = _mm(_tr(V), V)
    eta = _max_row_sum([[G[i][j] - int(i == j) for j in range(n)] for i in range(n)])
    if eta >= 1:
        return None  # outside the lemma's domain (N2 makes no claim; norms.py requires eta < 1/2)
    if not _psd([[G[i][j] - (1 - eta) * int(i == j) for j in range(n)] for i in range(n)]):
        return f"sigma_min(V)^2 < 1 - eta for V={V}, eta={eta}"
    W = [[_rf(rng) for _ in range(n)] for _ in range(m)]
    wv2 = _frob2(_mm(W, V))
    factor = Fraction(1) if mutation == "no-eta-factor" else 1 - eta
    for _ in range(4):
        x = [_rf(rng) for _ in range(n)]
        if _sq(_mv(W, x)) * factor > wv2 * _sq(x):
            return f"||Wx|| > ||WV||_F·||x||/sqrt(1 - eta) for W={W}, V={V}, x={x}"
    return None


# --- step 2: rounding -------------------------------------------------------------------------------------


def _toward_zero(e: Fraction) -> float:
    f = float(e)  # correctly rounded to nearest (Fraction.__float__ divides integers exactly)
    if abs(Fraction(f)) > abs(e):
        f = math.nextafter(f, 0.0)
    return f


def rounding_trial(rng: random.Random, mutation: str | None) -> str | None:
    """A random exact matrix of 1..6 entries p/q·2^k, k in [-1120, 40] (subnormal range included), rounded to
    float64 both to nearest and toward zero: per entry |e - fl(e)| <= 2^-52|e| + 2^-1074, and
    ||E - fl(E)||_F^2 <= 2^-103||E||_F^2 + 2·count·2^-2148 (by (a + b)^2 <= 2a^2 + 2b^2)."""
    tiny = Fraction(0) if mutation == "no-underflow-term" else TINY
    es = [
        Fraction(rng.randint(-(10**9), 10**9), rng.choice([1, 3, 7, 10**9 + 7])) * Fraction(2) ** rng.randint(-1120, 40)
        for _ in range(rng.randint(1, 6))
    ]
    for rnd in (lambda e: float(e), _toward_zero):
        diffs = [e - Fraction(rnd(e)) for e in es]
        for e, d in zip(es, diffs, strict=True):
            if abs(d) > abs(e) / 2**52 + tiny:
                return f"|e - fl(e)| = {float(abs(d)):.3e} exceeds the bound for e = {e}"
        if _sq(diffs) > _sq(es) / 2**103 + 2 * len(es) * tiny * tiny:
            return f"the Frobenius rounding bound fails for E = {es}"
    return None


# --- step 4: the carry rule --------------------------------------------------------------------------------


def carry_trial(rng: random.Random, mutation: str | None) -> str | None:
    """||D(c + e)|| <= ||D°c|| + ||c_U||/2 + ||e|| via (i) ||D(c + e) - D°c|| <= || |c_U|/2 + |e| ||
    coordinatewise and the triangle inequality, (ii) || |c_U|/2 + |e| || <= ||c_U||/2 + ||e||."""
    n = rng.randint(1, 5)
    c = [_rf(rng) for _ in range(n)]
    e = [_rf(rng) if rng.random() < 0.7 else Fraction(0) for _ in range(n)]
    if rng.random() < 0.2:
        e = [Fraction(0)] * n
    unstable = [rng.random() < 0.5 for _ in range(n)]
    d = [Fraction(rng.randint(0, 12), 12) if u else Fraction(rng.randint(0, 1)) for u in unstable]
    d0 = [Fraction(1, 2) if u else di for u, di in zip(unstable, d, strict=True)]
    half = Fraction(0) if mutation == "no-carry-half" else Fraction(1, 2)
    lhs2 = _sq([di * (ci + ei) for di, ci, ei in zip(d, c, e, strict=True)])
    cen2 = _sq([a * ci for a, ci in zip(d0, c, strict=True)])
    cu2 = _sq([ci for ci, u in zip(c, unstable, strict=True) if u])
    mid = [half * abs(ci) * int(u) + abs(ei) for ci, ei, u in zip(c, e, unstable, strict=True)]
    if not _sqrt_le_sum(lhs2, cen2, _sq(mid)):
        return f"||D(c+e)|| > ||D°c|| + || |c_U|/2 + |e| || for c={c}, e={e}, D={d}, U={unstable}"
    if not _sqrt_le_sum(_sq(mid), half * half * cu2, _sq(e)):
        return f"|| |c_U|/2 + |e| || > ||c_U||/2 + ||e|| for c={c}, e={e}, U={unstable}"
    return None


def start_trial(rng: random.Random, mutation: str | None) -> str | None:
    """E z = fl(E)ẑ + [E(z - ẑ) + (E - fl(E))ẑ] with ||[...]|| <= Delta·||z - ẑ|| + tau·||ẑ||, Delta = ||E||_F,
    tau = ||E - fl(E)||_F (exact squares; fl rounds each exact entry to the nearest float64)."""
    m, n = rng.randint(1, 3), rng.randint(1, 4)
    E = [[Fraction(rng.randint(-999, 999), rng.choice([3, 7, 11, 10**6 + 3])) for _ in range(n)] for _ in range(m)]
    F = [[Fraction(float(v)) for v in row] for row in E]
    zc = [_rf(rng) for _ in range(n)]
    z = zc[:] if rng.random() < 0.3 else [v + Fraction(rng.randint(-3, 3), 1000) for v in zc]
    rest = [a - b for a, b in zip(_mv(E, z), _mv(F, zc), strict=True)]
    tau2 = (
        Fraction(0)
        if mutation == "no-tau"
        else _frob2([[a - b for a, b in zip(r, s, strict=True)] for r, s in zip(E, F, strict=True)])
    )
    spread2 = _frob2(E) * _sq([a - b for a, b in zip(z, zc, strict=True)])
    if not _sqrt_le_sum(_sq(rest), spread2, tau2 * _sq(zc)):
        return f"||E z - fl(E)ẑ|| exceeds Delta||z - ẑ|| + tau||ẑ|| for E={E}, z={z}, ẑ={zc}"
    return None


# --- step 5: the hybrid telescoping ------------------------------------------------------------------------


def _f_after(Ws: list[Mat], i: int, y: Vec) -> Vec:
    """F_(>i)(y): layers i+1..l of F (0-based: Ws[i:]), relu after every layer but the last; identity if
    i = l."""
    for j in range(i, len(Ws)):
        y = _mv(Ws[j], y)
        if j < len(Ws) - 1:
            y = _relu(y)
    return y


def telescope_trial(rng: random.Random, mutation: str | None) -> str | None:
    """A random ReLU net of l in 1..4 layers (widths 1..3, entries p/q), Ĝ = W + E: the sum
    Σ_i [F_(>i)(u_i) - F_(>i)(v_i)] equals Ĝ(x) - F(x), and each term equals
    W_l D_(l-1) ⋯ W_(i+1) D_i E_i z_i with D_j the difference quotients of relu, all in [0, 1]."""
    layers = rng.randint(1, 4)
    widths = [rng.randint(1, 3) for _ in range(layers + 1)]
    Ws = [[[_rf(rng) for _ in range(widths[i])] for _ in range(widths[i + 1])] for i in range(layers)]
    Es = [[[_rf(rng, 5, 9) for _ in range(widths[i])] for _ in range(widths[i + 1])] for i in range(layers)]
    Gs = [
        [[w + e for w, e in zip(rw, re, strict=True)] for rw, re in zip(W, E, strict=True)]
        for W, E in zip(Ws, Es, strict=True)
    ]
    x = [_rf(rng) for _ in range(widths[0])]
    ghat = _f_after(Gs, 0, x)
    f = _f_after(Ws, 0, x)
    z = x
    total = [Fraction(0)] * widths[-1]
    for i in range(layers):
        last = i == layers - 1
        pg, pf = _mv(Gs[i], z), _mv(Ws[i], z)
        u, v = (pg, pf) if last else (_relu(pg), _relu(pf))
        term = [a - b for a, b in zip(_f_after(Ws, i + 1, u), _f_after(Ws, i + 1, v), strict=True)]
        total = [a + b for a, b in zip(total, term, strict=True)]
        # the same term as a product of difference quotients: D_i E_i z_i, then W_j, D_j of F's later layers
        vec, p_hat, p_f = _mv(Es[i], z), pg, pf
        for j in range(i, layers):
            if j > i:
                vec, p_hat, p_f = _mv(Ws[j], vec), _mv(Ws[j], _relu(p_hat)), _mv(Ws[j], _relu(p_f))
            if j == layers - 1:
                break
            ds = [
                (max(Fraction(0), a) - max(Fraction(0), b)) / (a - b) if a != b else Fraction(0)
                for a, b in zip(p_hat, p_f, strict=True)
            ]
            if any(not 0 <= dq <= 1 for dq in ds):
                return f"a difference quotient of relu outside [0, 1]: {ds}"
            vec = [dq * t for dq, t in zip(ds, vec, strict=True)]
        if vec != term:
            return f"term {i + 1} differs from W_l D ⋯ D_i E_i z_i: {term} vs {vec}"
        z = v if mutation == "telescope-off-by-one" else u
    diff = [a - b for a, b in zip(ghat, f, strict=True)]
    if total != diff:
        return f"Σ_i terms = {total} but Ĝ(x) - F(x) = {diff} (l = {layers}, x = {x})"
    return None


# --- step 6: the interval product --------------------------------------------------------------------------


def _rand_float(rng: random.Random) -> float:
    return rng.choice([1.0, -1.0]) * rng.random() * 2.0 ** rng.randint(-30, 10)


_U = 2.0**-53
_SLACK = 2.0**-1000


def _gamma(n: int) -> float:
    return n * _U / (1 - n * _U)


def enclose(w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mid-radius rule of the certificate's interval products, stated here on its own (the proofs
    do not import construct/; a trial checks that construct.certificate.rules applies this very rule): m a point
    of the box, r >= its half-widths (rounded up), y = fl(W m); the radius [fl(r|W|ᵀ) + γ_n·fl(|m||W|ᵀ)]
    /(1 - γ_n), times 1 + 4u, plus 2^-1000 for underflow, rounded up; ends rounded outward."""
    n = w.shape[1]
    m = lo + (hi - lo) / 2
    r = np.nextafter(np.maximum(hi - m, m - lo), np.inf)
    awt = np.abs(w).T
    y = m @ w.T
    g = _gamma(n + 2)
    rad = (r @ awt + g * (np.abs(m) @ awt)) / (1 - g)
    rad = np.nextafter(np.nextafter(rad * (1 + 4 * _U), np.inf) + _SLACK, np.inf)
    return np.nextafter(y - rad, -np.inf), np.nextafter(y + rad, np.inf)


def matvec_trial(rng: random.Random, mutation: str | None) -> str | None:
    """The rule :func:`enclose` on random float boxes (2 cells) and a float matrix: every exact W x with x at
    a box corner or a random rational interior point lies in the returned [lo', hi'] (exact comparisons)."""
    _matvec = enclose

    m, n = rng.randint(1, 4), rng.randint(1, 3)
    w = np.array([[_rand_float(rng) for _ in range(n)] for _ in range(m)])
    a = np.array([[_rand_float(rng) for _ in range(n)] for _ in range(2)])
    b = np.array([[_rand_float(rng) for _ in range(n)] for _ in range(2)])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    out_lo, out_hi = _matvec(w, lo, hi)
    if mutation == "no-radius":
        out_lo = out_hi = (lo + (hi - lo) / 2) @ w.T
    W = [[Fraction(float(v)) for v in row] for row in w]
    for cell in range(2):
        ends = [(Fraction(float(lo[cell, k])), Fraction(float(hi[cell, k]))) for k in range(n)]
        pts = [list(p) for p in product(*ends)]
        pts += [[p + Fraction(rng.randint(0, 64), 64) * (q - p) for p, q in ends] for _ in range(4)]
        for x in pts:
            for k, y in enumerate(_mv(W, x)):
                if not Fraction(float(out_lo[cell, k])) <= y <= Fraction(float(out_hi[cell, k])):
                    return f"W x = {float(y)!r} outside [{out_lo[cell, k]!r}, {out_hi[cell, k]!r}] (W={w.tolist()})"
    return None


# --- the proof --------------------------------------------------------------------------------------------


_WIDTHS = (3, 4, 5, 2)
_NORMS = (sp.Rational(3, 2), sp.Integer(2), sp.Rational(5, 4))
_EPS_W, _X = sp.Rational(1, 1000), sp.Rational(7, 5)
AT = "widths 3-4-5-2, a = (3/2, 2, 5/4), eps_w = 1/1000, x_max = 7/5, signed inputs"


def telescoped_here(mutation: str | None) -> sp.Expr:
    """x·[Π(a_i + eps_w·d_i) - Π a_i] with d_i = sqrt(b_i·n_(i-1)·n_i), b = (2, 1, 1, ...), exactly."""
    d = [sp.sqrt((2 if i == 0 else 1) * _WIDTHS[i] * _WIDTHS[i + 1]) for i in range(len(_WIDTHS) - 1)]
    hat = sp.Mul(*[ai + _EPS_W * di for ai, di in zip(_NORMS, d, strict=True)])
    return _X * (hat - sp.Mul(*_NORMS))


def bounds_a_priori() -> sp.Expr:
    from logprune.bounds import propagation

    return propagation.error_bound_x(eps_w=_EPS_W, widths=list(_WIDTHS), norms=list(_NORMS), x_max=_X)


# --- construct's own certificate (the one module of proofs/ that reads construct/, tests/test_layout.py) ---

INSTANCE_AT = "a 2-3-1 target with biases, eps = 1/2, k = 3 segments, seed 0, ||x||_2 <= 1, l2"


def applies_trial(rng: random.Random, mutation: str | None) -> str | None:
    from logprune.construct.certificate.rules import interval_product

    g = np.random.default_rng(rng.randint(0, 2**32 - 1))
    m, n = (int(v) for v in g.integers(1, 6, size=2))
    w = g.standard_normal((m, n)) * 2.0 ** int(g.integers(-20, 21))
    a, b = g.standard_normal((2, 3, n))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    mine, theirs = interval_product(w, lo, hi), enclose(w, lo, hi)
    if not (np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])):
        return f"rules.interval_product differs from the proven rule on W={w.tolist()}"
    return None


def rotation_trial(rng: random.Random, mutation: str | None) -> str | None:
    from logprune.construct.certificate.norms import rotation_bound

    m, n = rng.randint(1, 4), rng.randint(1, 4)
    w = np.array([[rng.randint(-24, 24) / 8 for _ in range(n)] for _ in range(m)])
    k = min(m, n)
    scale = rng.choice([0.75, 0.8, 0.9, 1.0, 1.1, 1.2])
    v = np.eye(k) * scale + np.array([[rng.randint(-4, 4) / 64 for _ in range(k)] for _ in range(k)])
    bound = rotation_bound(w, v)
    if bound is None:  # eta >= 1/2: no claim made
        return None
    a = w.T if m < n else w
    A = [[Fraction(float(x)) for x in row] for row in a]
    gram = _mm(_tr(A), A)
    shifted = [[(bound * bound if i == j else Fraction(0)) - gram[i][j] for j in range(k)] for i in range(k)]
    if not _psd(shifted):
        return f"N2 bound {float(bound)!r} < ||W||_2 for W={w.tolist()}, V={v.tolist()}"
    return None


def _float_up(q: Fraction) -> float:
    """A float >= q (rational)."""
    f = float(q)
    return f if Fraction(f) >= q else float(np.nextafter(f, np.inf))


def _sqrt_up(x: Fraction) -> Fraction:
    """A rational >= sqrt(x), x >= 0 (within 2^-40)."""
    n = math.ceil(x * 4**40)
    r = math.isqrt(n)
    return Fraction(r + (r * r < n), 2**40)


def _sqrt_low(x: Fraction) -> Fraction:
    """A rational <= sqrt(x), x >= 0 (within 2^-40)."""
    return Fraction(math.isqrt(math.floor(x * 4**40)), 2**40)


def construct_carry_trial(rng: random.Random, mutation: str | None) -> str | None:
    """construct.certificate.compose's carry (``Composer.carry``) on a random exact instance contains every exact image
    it claims: for every c in the centre box, ||e||_2 <= rho and difference quotients D_j (1 on active, 0 on
    dead, any d in [0, 1] on unstable coordinates, the relu lemma above), the exact
    v = W_s D_(s-1) ⋯ W_1 D_0 (c + e) has ||v||_2 (l2) or max_k |v_k| (inf) <= the bound construct returns."""
    return _carry_code_trial(rng, mutation, hull=False)


def construct_hull_trial(rng: random.Random, mutation: str | None) -> str | None:
    """The same exact check of construct.certificate.compose's second carry (``Composer.carry_hull``: unstable entries
    of the centre widened to contain 0, the radius kept).  Mutation ``hull-no-zero``: construct's own code is
    given the unstable entries as active (so their intervals are not widened to contain 0)."""
    return _carry_code_trial(rng, mutation, hull=True)


def _carry_code_trial(rng: random.Random, mutation: str | None, *, hull: bool) -> str | None:
    """The check of :func:`construct_carry_trial` on ``Composer.carry`` or (``hull``) ``_carry_hull``."""
    from types import SimpleNamespace

    from logprune.choices import Norm
    from logprune.construct.certificate.compose import Composer

    s = rng.randint(1, 2)  # relus carried through (layer i's and, for s = 2, one later layer of F)
    dims = [rng.randint(1, 4) for _ in range(s + 1)]
    Ws = [[[Fraction(rng.randint(-24, 24), 8) for _ in range(dims[t])] for _ in range(dims[t + 1])] for t in range(s)]
    norm = rng.choice((Norm.L2, Norm.INF))
    ups = [SimpleNamespace(a=0.0, row_a=0.0)]
    for W in Ws:  # a >= ||W||_F >= ||W||_2, row_a >= the largest row l2 norm (floats rounded up)
        ups.append(SimpleNamespace(a=_float_up(_sqrt_up(_frob2(W))), row_a=_float_up(max(_sqrt_up(_sq(r)) for r in W))))
    fake = SimpleNamespace(
        layers=[SimpleNamespace(w=None)]
        + [SimpleNamespace(w=np.array([[float(v) for v in r] for r in W])) for W in Ws],
        up=ups,
        norm=norm,
    )
    kinds = [[rng.choice(("active", "dead", "unstable", "unstable")) for _ in range(dims[t])] for t in range(s)]
    statuses = [(np.array([[k == "active" for k in ks]]), np.array([[k == "dead" for k in ks]])) for ks in kinds]
    lo = [Fraction(rng.randint(-32, 32), 16) for _ in range(dims[0])]
    hi = [v + Fraction(rng.randint(0, 8), 16) if rng.random() < 0.5 else v for v in lo]
    rho = Fraction(0) if rng.random() < 0.3 else Fraction(rng.randint(1, 32), 16)
    method = Composer.carry_hull if hull else Composer.carry
    passed = statuses
    if hull and mutation == "hull-no-zero":  # unstable entries treated as active: c kept, not widened to 0
        passed = [(~dead, dead) for _, dead in statuses]
    out = method(
        fake,  # type: ignore[arg-type]  # the carries read only layers[j].w, up[j].a/row_a and norm
        0,
        np.array([[float(v) for v in lo]]),
        np.array([[float(v) for v in hi]]),
        np.array([float(rho)]),
        passed,
    )
    bound = Fraction(float(out[0]))
    for _ in range(6):
        c = [
            a if rng.random() < 0.4 else (b if rng.random() < 0.67 else a + (b - a) * Fraction(rng.randint(0, 8), 8))
            for a, b in zip(lo, hi, strict=True)
        ]
        direction = c if rng.random() < 0.5 and _sq(c) > 0 else [_rf(rng) for _ in c]
        n2 = _sq(direction)
        scale = rho * _sqrt_low(1 / n2) if n2 > 0 else Fraction(0)  # ||e|| <= rho
        v = [ci + scale * di for ci, di in zip(c, direction, strict=True)]
        for t in range(s):
            d = [
                Fraction(1)
                if k == "active"
                else Fraction(0)
                if k == "dead"
                else Fraction(rng.choice((0, 12, rng.randint(0, 12))), 12)
                for k in kinds[t]
            ]
            v = _mv(Ws[t], [di * vi for di, vi in zip(d, v, strict=True)])
        if norm is Norm.INF:
            if max(abs(z) for z in v) > bound:
                return f"inf: max|v| = {max(abs(z) for z in v)} > construct's carry bound {bound} (W={Ws}, c={c})"
        elif _sq(v) > bound * bound:
            return f"l2: ||v||^2 = {_sq(v)} > construct's carry bound^2 {bound * bound} (W={Ws}, c={c}, rho={rho})"
    return None


def _fr(x: float) -> Fraction:
    return Fraction(float(x))


def symbolic_trial(rng: random.Random, mutation: str | None) -> str | None:
    """construct.certificate.rules' affine forms (``affine_product``) on random float instances: for y = A·d + s with
    |d_j| <= xr_j and s in [s_lo, s_hi], the EXACT range of W y - M d over all such d and s (its ends
    Σ_t min/max(W_ot·s_lo_t, W_ot·s_hi_t) ∓ Σ_j |(W A - M)_oj|·xr_j, attained at corners, computed in
    rationals) lies in the returned [lo, hi], and the exact sup of |M d| (Σ_j |M_oj|·xr_j) is <= q.
    Mutation ``symbolic-no-gamma``: the returned interval replaced by the interval product of W and
    [s_lo, s_hi] alone (construct's interval_product), i.e. the term t >= |(W A - fl(W A))·(x - x_c)| dropped."""
    from logprune.construct.certificate.rules import affine_product, interval_product

    b, m, k, n0 = rng.randint(1, 2), rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 3)

    def val() -> float:
        return 0.0 if rng.random() < 0.1 else _rand_float(rng)

    w = np.array([[val() for _ in range(k)] for _ in range(m)])
    a = np.array([[[val() for _ in range(n0)] for _ in range(k)] for _ in range(b)])
    if rng.random() < 0.4:  # a point s (e.g. 0, or the cell's centre in layer 1): no radius to hide in
        s_lo = np.array([[0.0 if rng.random() < 0.5 else val() for _ in range(k)] for _ in range(b)])
        s_hi = s_lo.copy()
    else:
        s_lo = np.array([[val() for _ in range(k)] for _ in range(b)])
        s_hi = s_lo + np.abs(np.array([[val() for _ in range(k)] for _ in range(b)]))
    xr = np.abs(np.array([[val() for _ in range(n0)] for _ in range(b)]))
    M, lo, hi, q = affine_product(w, a, s_lo, s_hi, xr)
    if mutation == "symbolic-no-gamma":
        lo, hi = interval_product(w, s_lo, s_hi)
    W = [[_fr(v) for v in row] for row in w]
    for c in range(b):
        A = [[_fr(v) for v in row] for row in a[c]]
        WA = _mm(W, A)
        for o in range(m):
            err = sum((abs(WA[o][j] - _fr(M[c, o, j])) * _fr(xr[c, j]) for j in range(n0)), Fraction(0))
            ends = [(W[o][t] * _fr(s_lo[c, t]), W[o][t] * _fr(s_hi[c, t])) for t in range(k)]
            low = sum((min(e) for e in ends), Fraction(0)) - err
            high = sum((max(e) for e in ends), Fraction(0)) + err
            if not _fr(lo[c, o]) <= low or not high <= _fr(hi[c, o]):
                return (
                    f"W y - M d ranges over [{float(low)!r}, {float(high)!r}], outside [{lo[c, o]!r}, "
                    f"{hi[c, o]!r}] (W={w.tolist()}, A={a[c].tolist()}, s=[{s_lo[c].tolist()}, {s_hi[c].tolist()}])"
                )
            md = sum((abs(_fr(M[c, o, j])) * _fr(xr[c, j]) for j in range(n0)), Fraction(0))
            if md > _fr(q[c, o]):
                return f"sup |M d| = {float(md)!r} > q = {q[c, o]!r} (M={M[c].tolist()}, xr={xr[c].tolist()})"
    return None


def cells_trial(rng: random.Random, mutation: str | None) -> str | None:
    """construct.certificate.compose's bound of one cell (``Composer.cells``: interval and affine-form boxes, σ on the
    forms, the stable sets, both carries) on a random exact net F (float W_i) and Ĝ = W_i + E_i (exact
    rational E_i, given to construct as fl(E_i) and tau >= ||E_i - fl(E_i)||_F): the exact
    ||Ĝ(x) - F(x)|| (l2, or max coordinate) at the cell's corners in the ball and random rational points of
    cell ∩ ball is <= the cell's bound; the cell is clipped by construct's in_ball first, as bound() does."""
    from logprune.choices import Norm
    from logprune.construct.certificate.compose import CellDomain, Composer, Layer
    from logprune.construct.certificate.rules import in_ball

    depth = rng.randint(2, 3)
    widths = [rng.randint(1, 3) for _ in range(depth + 1)]
    norm = rng.choice((Norm.L2, Norm.INF))
    Ws = [
        [[Fraction(rng.randint(-24, 24), 16) for _ in range(widths[i])] for _ in range(widths[i + 1])]
        for i in range(depth)
    ]
    Es = [
        [
            [Fraction(rng.randint(-99, 99), rng.choice((300, 700, 1100))) for _ in range(widths[i])]
            for _ in range(widths[i + 1])
        ]
        for i in range(depth)
    ]
    layers = []
    for W, E in zip(Ws, Es, strict=True):
        flE = [[Fraction(float(v)) for v in row] for row in E]
        rows_w = max(_sqrt_up(_sq(r)) for r in W)
        rows_e = max(_sqrt_up(_sq(r)) for r in E)
        layers.append(
            Layer(
                w=np.array([[float(v) for v in r] for r in W]),
                err=np.array([[float(v) for v in r] for r in flE]),
                branches=1,
                tau=_sqrt_up(_frob2([[a - b for a, b in zip(r, s, strict=True)] for r, s in zip(E, flE, strict=True)])),
                a=_sqrt_up(_frob2(W)),
                delta=_sqrt_up(_frob2(E)),
                row_a=rows_w,
                row_delta=rows_e,
            )
        )
    xm = Fraction(rng.choice((1, 2, 3)), rng.choice((1, 2)))
    comp = Composer(layers, CellDomain(float(xm), False, False, xm), norm)
    n0 = widths[0]
    width = Fraction(1, 2 ** rng.randint(0, 6))
    ctr = [Fraction(rng.randint(-16, 16), 16) * xm for _ in range(n0)]
    lo = np.array([[float(c - width * Fraction(rng.randint(1, 4), 4)) for c in ctr]])
    hi = np.array([[float(c + width * Fraction(rng.randint(1, 4), 4)) for c in ctr]])
    meets, lo, hi = in_ball(lo, hi, float(xm))
    if not meets[0]:
        return None
    bound = Fraction(float(comp.cells(lo, hi)[0]))
    ends = [(_fr(lo[0, j]), _fr(hi[0, j])) for j in range(n0)]
    pts = [list(p) for p in product(*ends)]
    pts += [[a + (b - a) * Fraction(rng.randint(0, 32), 32) for a, b in ends] for _ in range(12)]
    Gs = [
        [[w + e for w, e in zip(rw, re, strict=True)] for rw, re in zip(W, E, strict=True)]
        for W, E in zip(Ws, Es, strict=True)
    ]
    for x in pts:
        if _sq(x) > xm * xm:
            continue
        diff = [a - b for a, b in zip(_f_after(Gs, 0, x), _f_after(Ws, 0, x), strict=True)]
        if norm is Norm.INF:
            if max(abs(z) for z in diff) > bound:
                worst = float(max(abs(z) for z in diff))
                return f"inf: the exact error {worst!r} > the cell's bound {float(bound)!r} at x={x}"
        elif _sq(diff) > bound * bound:
            return f"l2: the exact error^2 {float(_sq(diff))!r} > the cell's bound^2 {float(bound * bound)!r} at x={x}"
    return None


def _in_ball_unrounded(lo: np.ndarray, hi: np.ndarray, xm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mutation ``ball-no-rounding``: construct's in_ball with every float operation to nearest and no
    margin (the sums as computed, xm·xm, the root)."""
    n = lo.shape[1]
    near = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
    sq = near * near
    xm2 = np.float64(xm) * np.float64(xm)
    meets = np.sum(sq, axis=1) <= xm2
    others = np.sum(np.where(np.eye(n, dtype=bool)[None], 0.0, sq[:, None, :]), axis=2)
    r = np.sqrt(np.maximum(xm2 - others, 0.0))
    return meets, np.maximum(lo, -r), np.minimum(hi, r)


def _ball_box(rng: random.Random, n: int, xm: float, tight: bool) -> tuple[list[float], list[float]]:
    """A box [lo, hi] of n coordinates: random, or (``tight``) with its nearest point to 0 near the sphere of
    radius xm (the near values scaled so that Σ near^2 is xm^2 up to rounding), some sides straddling 0 and
    some reaching far beyond the ball (so that the clip bites)."""
    near = [0.0 if rng.random() < 0.2 else rng.random() for _ in range(n)]
    if tight:
        s = math.sqrt(sum(v * v for v in near)) or 1.0
        near = [v * xm / s for v in near]
    else:
        near = [v * xm * rng.choice((0.3, 0.7, 1.0, 1.5)) for v in near]
    lo, hi = [], []
    for v in near:
        width = rng.choice((0.0, rng.random() * xm, 3 * xm))
        if v == 0.0:
            lo.append(-rng.random() * xm * 2)
            hi.append(rng.random() * xm * 2)
        elif rng.random() < 0.5:
            lo.append(v)
            hi.append(v + width)
        else:
            lo.append(-v - width)
            hi.append(-v)
    return lo, hi


def in_ball_trial(rng: random.Random, mutation: str | None) -> str | None:
    """construct.certificate.rules' drop and clip (``in_ball``) on random float boxes, checked exactly: a dropped box
    has Σ_j near_j^2 > xm^2 (near_j = the least |x_j| on the box: no point of the ball), and for a kept box
    meeting the ball each clipped end still holds every x_k of box ∩ ball: hi'_k = hi_k or (hi'_k >= 0 and
    hi'_k^2 >= xm^2 - Σ_(j != k) near_j^2), lo'_k likewise (the largest x_k on box ∩ ball is
    min(hi_k, sqrt(xm^2 - Σ_(j != k) near_j^2)), attained with the other coordinates at their near points).
    Boxes are random or tight (nearest point on the sphere up to rounding), n up to 8 coordinates, scales
    down to 2^-540 (squares underflow)."""
    from logprune.construct.certificate.rules import in_ball

    n, boxes = rng.randint(1, 8), rng.randint(1, 3)
    scale = 2.0 ** rng.choice((0, 0, 0, rng.randint(-40, 40), rng.randint(-560, -500)))
    xm = rng.choice((1.0, 0.875, 3.0, rng.random() + 0.01)) * scale
    tight = rng.random() < 0.7
    rows = [_ball_box(rng, n, xm, tight) for _ in range(boxes)]
    lo = np.array([r[0] for r in rows])
    hi = np.array([r[1] for r in rows])
    if tight and rng.random() < 0.5:  # move xm by a few ulps around the nearest point's norm
        for _ in range(rng.randint(1, 3)):
            xm = float(np.nextafter(xm, rng.choice((0.0, np.inf))))
    elif tight:  # xm the least float with xm^2 >= Σ near^2 of the first box (it meets the ball, just)
        s0 = sum((_fr(min(abs(a), abs(b))) ** 2 for a, b in zip(lo[0], hi[0], strict=True) if a * b > 0), Fraction(0))
        if s0 > Fraction(1, 2**900):  # math.sqrt is within an ulp there: a few steps reach the least float
            xm = math.sqrt(float(s0))
            while _fr(np.nextafter(xm, 0.0)) ** 2 >= s0:
                xm = float(np.nextafter(xm, 0.0))
            while _fr(xm) ** 2 < s0:
                xm = float(np.nextafter(xm, np.inf))
    meets, clo, chi = (_in_ball_unrounded if mutation == "ball-no-rounding" else in_ball)(lo, hi, xm)
    x2 = _fr(xm) ** 2
    for c in range(boxes):
        near = [
            Fraction(0) if lo[c, j] <= 0 <= hi[c, j] else min(abs(_fr(lo[c, j])), abs(_fr(hi[c, j]))) for j in range(n)
        ]
        total = sum((v * v for v in near), Fraction(0))
        if not meets[c]:
            if total <= x2:
                box = f"[{lo[c].tolist()}, {hi[c].tolist()}]"
                return f"a box meeting the ball dropped: Σ near^2 = {total} <= xm^2 (xm={xm!r}, box={box})"
            continue
        if total > x2:
            continue  # kept although it misses the ball: allowed (no point to keep)
        for j in range(n):
            need = x2 - (total - near[j] ** 2)  # x_j^2 <= need on box ∩ ball
            top, bottom = _fr(chi[c, j]), _fr(clo[c, j])
            if not (top == _fr(hi[c, j]) or (top >= 0 and top * top >= need)):
                return f"the clip cuts ball points: hi'={chi[c, j]!r}, need {float(need)!r} (xm={xm!r}, box {c}, k={j})"
            if not (bottom == _fr(lo[c, j]) or (bottom <= 0 and bottom * bottom >= need)):
                return f"the clip cuts ball points: lo'={clo[c, j]!r}, need {float(need)!r} (xm={xm!r}, box {c}, k={j})"
    return None


@dataclass(frozen=True, kw_only=True)
class _Instance:
    bound: Fraction
    telescoped: Fraction
    composed: Fraction | None
    norms: tuple[Fraction, ...]
    deltas: tuple[Fraction, ...]
    x_eff: Fraction
    worst: Fraction  # max of the exact errors at the grid points and the attack's input (rational <=)
    points: int

    @property
    def telescoped_and_bound(self) -> tuple[Fraction, Fraction]:
        return self.telescoped, self.bound


@functools.lru_cache(maxsize=1)
def instance() -> _Instance:
    from logprune.bounds.domain import Domain
    from logprune.choices import Norm
    from logprune.construct.certificate.attack import attack, exact_error
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct
    from logprune.construct.target import target_from_arrays

    w1 = np.array([[0.5, -0.25], [0.75, 0.5], [-0.5, 0.25]])
    w2 = np.array([[0.5, -0.75, 0.25]])
    target = target_from_arrays([w1, w2], [np.array([0.125, -0.25, 0.5]), np.array([0.125])])
    c = construct(target, options(eps="1/2", segments=3), measure=False)
    cert, net, k = c.certificate, c.built.net, 12
    pts = [np.array([i / k, j / k]) for i in range(-k, k + 1) for j in range(-k, k + 1) if i * i + j * j <= k * k]
    worst = max(exact_error(net, target, x, Norm.L2)[0] for x in pts)
    found = attack(net, target, domain=Domain(x_max=Fraction(1), norm=Norm.L2), seed=0, restarts=8, steps=40)
    assert cert.telescoped is not None
    return _Instance(
        bound=cert.bound,
        telescoped=cert.telescoped,
        composed=cert.composed,
        norms=cert.norms,
        deltas=cert.deltas,
        x_eff=cert.x_max,
        worst=max(worst, found.error),
        points=len(pts),
    )


@dataclass(frozen=True, kw_only=True)
class _InfInstance:
    bound: Fraction
    telescoped: Fraction
    norms: tuple[Fraction, ...]
    deltas: tuple[Fraction, ...]
    ainf: Fraction
    dinf: Fraction
    x_eff: Fraction
    worst: Fraction


@functools.lru_cache(maxsize=1)
def instance_inf() -> _InfInstance:
    from logprune.bounds.domain import Domain
    from logprune.choices import Norm
    from logprune.construct.certificate.attack import attack, exact_error
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct
    from logprune.construct.target import target_from_arrays

    w1 = np.array([[0.5, -0.25], [0.75, 0.5], [-0.5, 0.25]])
    w2 = np.array([[0.5, -0.75, 0.25], [-0.25, 0.5, 0.75]])
    target = target_from_arrays([w1, w2], [np.array([0.125, -0.25, 0.5]), np.array([0.125, -0.125])])
    c = construct(target, options(eps="1/2", segments=3, norm="inf"), measure=False)
    cert, net, k = c.certificate, c.built.net, 12
    pts = [np.array([i / k, j / k]) for i in range(-k, k + 1) for j in range(-k, k + 1) if i * i + j * j <= k * k]
    worst = max(exact_error(net, target, x, Norm.INF)[0] for x in pts)
    found = attack(net, target, domain=Domain(x_max=Fraction(1), norm=Norm.INF), seed=0, restarts=8, steps=40)
    assert cert.telescoped is not None and cert.row_norm_last is not None and cert.row_delta_last is not None
    return _InfInstance(
        bound=cert.bound,
        telescoped=cert.telescoped,
        norms=cert.norms,
        deltas=cert.deltas,
        ainf=cert.row_norm_last,
        dinf=cert.row_delta_last,
        x_eff=cert.x_max,
        worst=max(worst, found.error),
    )


def soundness_inf_check() -> Evidence:
    inst = instance_inf()
    if inst.worst <= inst.bound:
        return Evidence(INSTANCE, f"max exact inf error {float(inst.worst):.6g} <= certificate {float(inst.bound):.6g}")
    return Evidence(FAILED, f"an input's exact inf error {float(inst.worst):.6g} exceeds {float(inst.bound):.6g}")


def telescoped_inf_recomputed() -> Fraction:
    inst = instance_inf()
    ph, p = Fraction(1), Fraction(1)
    for a, d in zip(inst.norms[:-1], inst.deltas[:-1], strict=True):
        ph, p = ph * (a + d), p * a
    return inst.x_eff * (inst.dinf * ph + inst.ainf * (ph - p))


def soundness_check() -> Evidence:
    inst = instance()
    if inst.worst <= inst.bound:
        return Evidence(
            INSTANCE,
            f"exact error on {inst.points} grid points and at the attack's input: max {float(inst.worst):.6g} "
            f"<= certificate {float(inst.bound):.6g}",
        )
    return Evidence(FAILED, f"an input's exact error {float(inst.worst):.6g} exceeds {float(inst.bound):.6g}")


def telescoped_recomputed() -> tuple[Fraction, Fraction]:
    inst = instance()
    ph, p = Fraction(1), Fraction(1)
    for a, d in zip(inst.norms, inst.deltas, strict=True):
        ph, p = ph * (a + d), p * a
    tele = inst.x_eff * (ph - p)
    return tele, tele if inst.composed is None else min(tele, inst.composed)


def trial(
    f: Callable[[random.Random, str | None], str | None], mutation: str | None
) -> Callable[[random.Random], str | None]:
    return lambda rng: f(rng, mutation)
