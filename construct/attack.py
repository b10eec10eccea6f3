"""A lower bracket for the certificate: the worst input an adversarial search finds, re-evaluated exactly.

The certificate bounds sup ||Ĝ(x) - F(x)|| over the declared domain D = {||x||_2 <= x_max} (and x >= 0
where declared; docs/claims.md, certificate).  Any x in D gives a lower bound of that sup; the search
looks for a large one by projected gradient ascent on ||Ĝ(x) - F(x)||^2 (l2) or on the largest
|coordinate| (inf).  Both networks are piecewise linear, so the gradient is the Jacobian of the current
linear piece applied to the error, computed by a backward pass (Ĝ's sparse layers, F's dense ones).
The restarts are the worst inputs of a pool on the sphere ||x|| = x_max: the 256 seeded inputs of the
measured error (:mod:`~logprune.construct.measure`) and 8 per restart from
``SeedSequence(seed, spawn_key=(10**6 + 1,))`` (a key no block of G uses); each step moves by a decreasing fraction of
x_max along the normalised gradient and projects back on D (clip to x >= 0, then scale into the ball:
the exact projection on the intersection).

The best input found is then re-evaluated exactly: its float64 coordinates are exact rationals, and
F(x) and Ĝ(x) are computed in exact rational arithmetic (gmpy2 ``mpq`` or Fraction), so ``found`` is a
rigorous lower bound of the sup (for l2, sqrt of an exact rational rounded down on a 2^-64 grid).  The
bracket [found, certified] brackets the true sup; their ratio says how loose the certificate is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.choices import Norm
from logprune.construct.forward import SparseNet
from logprune.construct.measure import sphere_inputs
from logprune.construct.numeric import as_fraction, rational
from logprune.construct.options import Options
from logprune.construct.target import Target

__all__ = ["Attack", "attack", "attack_request", "bracket_line", "exact_error"]

ATTACK_KEY = 10**6 + 1  # the seed stream of the extra starting points (module doc)
MEASURE_SAMPLES = 256  # the measured error's inputs are in the pool too: the attack never finds less


@dataclass(frozen=True)
class Attack:
    """The worst input found and its exact error (a rigorous lower bound of sup over the domain)."""

    x: tuple[float, ...]
    error: Fraction  # l2: a rational <= ||Ĝ(x) - F(x)||_2 (grid 2^-64); inf: the exact max |coordinate|
    error_sq: Fraction | None  # l2: ||Ĝ(x) - F(x)||_2^2 exactly
    norm: Norm
    restarts: int
    steps: int

    def as_json(self) -> dict[str, Any]:
        exact = f"sqrt({self.error_sq})" if self.error_sq is not None else str(self.error)
        return {
            "attack_error": float(self.error),
            "attack_error_exact": exact,
            "attack_error_lower": str(self.error),
            "attack_input": list(self.x),
            "restarts": self.restarts,
            "steps": self.steps,
        }


def _layers(net: SparseNet) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, bool]]:
    """Per layer of Ĝ: (src, val, row of each edge, rows, size, last), compact as in the forward."""
    out = []
    for layer in net._prepared:
        counts = np.diff(np.r_[layer.starts, layer.src.size])
        edge_rows = np.repeat(layer.rows, counts)
        out.append((layer.src, layer.val, edge_rows, layer.rows, layer.size, layer.last))
    return out


def _ghat_grad(
    layers: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, bool]], x: np.ndarray, g_of: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Ĝ(x) for a batch (rows) and the gradient of <g, Ĝ(x)> with g = g_of(Ĝ(x)), by a backward pass."""
    h = x.T
    acts: list[np.ndarray] = []
    for src, val, edge_rows, _rows, size, last in layers:
        acts.append(h)
        pre = np.zeros((size, h.shape[1]))
        np.add.at(pre, edge_rows, val[:, None] * h[src])
        h = pre if last else np.maximum(pre, 0.0)
    y = h.T
    g = np.asarray(g_of(y)).T
    for (src, val, edge_rows, _rows, _size, last), h_in in zip(reversed(layers), reversed(acts), strict=True):
        del last
        gin = np.zeros_like(h_in)
        np.add.at(gin, src, val[:, None] * g[edge_rows])
        g = gin * (h_in > 0) if h_in is not acts[0] else gin  # h_in = relu(pre): its derivative is 1 where > 0
    return y, g.T


def _f_grad(weights: tuple[np.ndarray, ...], x: np.ndarray, g_of: Any) -> tuple[np.ndarray, np.ndarray]:
    h = x.T
    acts = []
    for i, w in enumerate(weights):
        acts.append(h)
        h = w @ h
        if i < len(weights) - 1:
            h = np.maximum(h, 0.0)
    y = h.T
    g = np.asarray(g_of(y)).T
    for i in range(len(weights) - 1, -1, -1):
        g = weights[i].T @ g
        if i > 0:
            g = g * (acts[i] > 0)
    return y, g.T


def _project(x: np.ndarray, x_max: float, nonnegative: bool) -> np.ndarray:
    if nonnegative:
        x = np.maximum(x, 0.0)
    r = np.linalg.norm(x, axis=1, keepdims=True)
    scale = np.where(r > x_max, x_max / np.maximum(r, 1e-300), 1.0)
    # the ball's boundary in floats: scale a hair inside so the exact point stays in D
    return x * scale * (1 - 4 * 2.0**-53)


def exact_error(net: SparseNet, target: Target, x: np.ndarray, norm: Norm) -> tuple[Fraction, Fraction | None]:
    """(error, error^2 or None) of one input x (F's own input), exactly (module doc)."""
    xs = [rational(float(v)) for v in x] + ([rational(1)] if target.append_one else [])
    h: dict[int, Any] = dict(enumerate(xs))
    T = len(net.shapes)
    zero = rational(0)
    for t in range(T):
        out: dict[int, Any] = {}
        for r, c, v in zip(net.rows[t].tolist(), net.cols[t].tolist(), net.vals[t].tolist(), strict=True):
            hv = h.get(c)
            if hv is not None and hv != 0:
                out[r] = out.get(r, zero) + rational(v) * hv
        h = out if t == T - 1 else {k: v for k, v in out.items() if v > 0}
    ghat = [h.get(o, zero) for o in range(net.shapes[-1][0])]
    f: list[Any] = list(xs)
    for i, w in enumerate(target.weights):
        f = [
            sum((rational(float(wv)) * fv for wv, fv in zip(row.tolist(), f, strict=True) if fv != 0), zero)
            for row in w
        ]
        if i < target.layers - 1:
            f = [v if v > 0 else zero for v in f]
    d = [as_fraction(a - b) for a, b in zip(ghat, f, strict=True)]
    if norm is Norm.INF:
        return max((abs(v) for v in d), default=Fraction(0)), None
    sq = sum((v * v for v in d), Fraction(0))
    return _sqrt_down(sq), sq


def _inside(x: np.ndarray, x_max: Fraction, nonnegative: bool) -> np.ndarray:
    """x moved into the domain exactly: ||x||_2^2 <= x_max^2 checked in rationals (float norms are not)."""
    if nonnegative:
        x = np.maximum(x, 0.0)
    while sum((Fraction(float(v)) ** 2 for v in x), Fraction(0)) > x_max**2:
        x = x * (1 - 2.0**-30)
    return x


def _sqrt_down(q: Fraction, bits: int = 64) -> Fraction:
    """A rational <= sqrt(q) on the grid 2^-bits (exact integer square root)."""
    scale = 1 << (2 * bits)
    return Fraction(math.isqrt(q.numerator * scale // q.denominator), 1 << bits)


def attack(
    net: SparseNet,
    target: Target,
    *,
    x_max: Fraction,
    nonnegative: bool,
    norm: Norm,
    seed: int,
    restarts: int = 32,
    steps: int = 100,
) -> Attack:
    """Projected gradient ascent from ``restarts`` starts for ``steps`` steps, then the best input's exact
    error (module doc)."""
    d = target.original_widths[0]
    xm = float(x_max)
    layers = _layers(net)

    def full(z: np.ndarray) -> np.ndarray:
        return np.hstack([z, np.ones((z.shape[0], 1))]) if target.append_one else z

    def errors(z: np.ndarray) -> np.ndarray:
        za = full(z)
        diff = _ghat_grad(layers, za, lambda y: np.zeros_like(y))[0] - target.forward(za)
        return np.asarray(np.linalg.norm(diff, axis=1) if norm is Norm.L2 else np.max(np.abs(diff), axis=1))

    # the pool: the measured error's seeded inputs and more on the sphere; the worst ones start the ascent
    pool = np.vstack(
        [
            sphere_inputs(d, x_max=x_max, n=MEASURE_SAMPLES, seed=seed, nonnegative=nonnegative),
            sphere_inputs(d, x_max=x_max, n=8 * restarts, seed=seed, nonnegative=nonnegative, key=ATTACK_KEY),
        ]
    )
    pool = _project(pool, xm, nonnegative)
    x = pool[np.argsort(-errors(pool), kind="stable")[:restarts]]
    best_x, best_v = x[0].copy(), -1.0
    for step in range(steps + 1):
        xa = full(x)
        y_hat, _ = _ghat_grad(layers, xa, lambda y: np.zeros_like(y))
        y_f = target.forward(xa)
        diff = y_hat - y_f
        if norm is Norm.L2:
            vals = np.linalg.norm(diff, axis=1)
            coef = diff  # gradient of ||d||^2 / 2
        else:
            vals = np.max(np.abs(diff), axis=1)
            idx = np.argmax(np.abs(diff), axis=1)
            coef = np.zeros_like(diff)
            coef[np.arange(diff.shape[0]), idx] = np.sign(diff[np.arange(diff.shape[0]), idx])
        i = int(np.argmax(vals))
        if vals[i] > best_v:
            best_v, best_x = float(vals[i]), x[i].copy()
        if step == steps:
            break
        _, g_hat = _ghat_grad(layers, xa, lambda y, c=coef: c)
        _, g_f = _f_grad(target.weights, xa, lambda y, c=coef: c)
        g = (g_hat - g_f)[:, :d]
        gn = np.linalg.norm(g, axis=1, keepdims=True)
        eta = 0.2 * xm * (1 - step / steps) + 1e-3 * xm
        x = _project(x + eta * g / np.maximum(gn, 1e-300), xm, nonnegative)
    best_x = _inside(best_x, x_max, nonnegative)
    err, sq = exact_error(net, target, best_x, norm)
    return Attack(tuple(float(v) for v in best_x), err, sq, norm, restarts, steps)


def bracket_line(found: Attack, certified: Fraction) -> str:
    """The bracket [found, certified] of sup ||Ĝ(x) - F(x)|| and their ratio, as a summary line."""
    ratio = f"{float(certified / found.error):.3g}" if found.error > 0 else "inf"
    return (
        f"attack: worst input found has error {float(found.error):.4e} (exact); bracket "
        f"[{float(found.error):.4e}, {float(certified):.4e}], certified/found = {ratio} "
        f"({found.restarts} restarts x {found.steps} steps)"
    )


def attack_request(net: SparseNet, target: Target, opt: Options, budget: tuple[int, int]) -> Attack:
    """:func:`attack` on the domain and norm of a request, with (restarts, steps) = ``budget``."""
    restarts, steps = budget
    return attack(
        net,
        target,
        x_max=opt.x_max,
        nonnegative=opt.inputs_nonnegative,
        norm=opt.norm,
        seed=opt.seed,
        restarts=restarts,
        steps=steps,
    )
