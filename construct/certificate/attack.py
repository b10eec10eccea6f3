"""A lower bracket for the certificate: the worst input an adversarial search finds, re-evaluated exactly.

The certificate bounds sup ||Ĝ(x) - F(x)|| over the declared domain D = {||x||_2 <= x_max} (and x >= 0
where declared; docs/claims.md, certificate).  Any x in D gives a lower bound of that sup; the search
looks for a large one by projected gradient ascent on ||Ĝ(x) - F(x)||^2 (l2) or on the largest
|coordinate| (inf).  Both networks are piecewise linear, so the gradient is the Jacobian of the current
linear piece applied to the error, computed by a backward pass (Ĝ's sparse layers, F's dense ones).
Three searches (:func:`attack`): the ascent of before, from the worst inputs of a pool on the sphere
||x|| = x_max (the 256 seeded inputs of the measured error, :mod:`~logprune.construct.measure`, and 8 per
restart from ``SeedSequence(seed, spawn_key=(10**6 + 1,))``, a key no block of G uses), each step moving by
a decreasing fraction of x_max along the normalised gradient and projecting back on D (clip to x >= 0,
then scale into the ball: the exact projection on the intersection); a second one from the worst inputs
of a wider pool (sphere and interior, key 10**6 + 2, and any given points such as the centres of the
certificate's worst cells) kept apart from each other, with geometrically falling steps; and a monotone
polish of the best points of both.  The gradients are backward passes over Ĝ's kept edges (weighted
bincounts) and F's dense layers.

The best input of each search is then re-evaluated exactly (the largest is kept): its float64
coordinates are exact rationals, and F(x) and Ĝ(x) are computed in exact rational arithmetic (gmpy2
``mpq`` or Fraction), so ``found`` is a rigorous lower bound of the sup (for l2, sqrt of an exact
rational rounded down on a 2^-64 grid).  The bracket [found, certified] brackets the true sup; their
ratio says how loose the certificate is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from logprune.bounds.domain import Domain
from logprune.choices import Norm
from logprune.construct.forward import SparseNet
from logprune.construct.measure import sphere_inputs
from logprune.construct.numeric import as_fraction, rational
from logprune.construct.options import Options
from logprune.construct.target import Target
from logprune.errors import ParameterError, ParameterTypeError
from logprune.validation import check_int

__all__ = ["DEFAULT_BUDGET", "Attack", "attack", "attack_request", "bracket_line", "check_budget", "exact_error"]

ATTACK_KEY = 10**6 + 1  # the seed stream of the extra starting points (module doc)
POOL_KEY = 10**6 + 2  # the seed stream of the wider pool of the second search (attack's doc)
POLISH = 8  # points polished by the third search
SPREAD = 0.5  # the second search's starts are at least SPREAD·x_max apart (:func:`_diverse`)
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


_GLayer = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, bool]


def _layers(net: SparseNet) -> list[_GLayer]:
    """Per layer of Ĝ: (src, val, row of each edge, rows, starts, size, last), compact as in the forward
    (edges sorted by row, ``starts`` the first edge of each row)."""
    out = []
    for layer in net._prepared:
        counts = np.diff(np.r_[layer.starts, layer.src.size])
        edge_rows = np.repeat(layer.rows, counts)
        out.append((layer.src, layer.val, edge_rows, layer.rows, layer.starts, layer.size, layer.last))
    return out


def _ghat_forward(layers: list[_GLayer], x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Ĝ(x) for a batch (rows) and each layer's input (neurons, batch), for :func:`_ghat_backward`."""
    h = x.T
    acts: list[np.ndarray] = []
    for src, val, _edge_rows, rows, starts, size, last in layers:
        acts.append(h)
        pre = np.zeros((size, h.shape[1]))
        if starts.size:
            pre[rows] = np.add.reduceat(val[:, None] * h[src], starts, axis=0)
        h = pre if last else np.maximum(pre, 0.0)
    return h.T, acts


def _ghat_backward(layers: list[_GLayer], acts: list[np.ndarray], g: np.ndarray) -> np.ndarray:
    """The gradient of <g_b, Ĝ(x_b)> in x_b for each row b (g of shape (batch, outputs)): the transposed
    products, edge by edge (a weighted bincount per layer), and relu's derivative (1 where the input > 0)."""
    gt = g.T
    batch = gt.shape[1]
    cols = np.arange(batch)
    for (src, val, edge_rows, *_), h_in in zip(reversed(layers), reversed(acts), strict=True):
        contrib = val[:, None] * gt[edge_rows]
        flat = (src[:, None] * batch + cols[None, :]).ravel()
        gin = np.bincount(flat, weights=contrib.ravel(), minlength=h_in.shape[0] * batch).reshape(h_in.shape)
        gt = gin * (h_in > 0) if h_in is not acts[0] else gin  # h_in = relu(pre): its derivative is 1 where > 0
    return np.asarray(gt.T)


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


def _project(x: np.ndarray, domain: Domain) -> np.ndarray:
    """x moved into the domain in floats (a hair inside the ball)."""
    x_max = float(domain.x_max)
    if domain.nonnegative:
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


def _inside(x: np.ndarray, domain: Domain) -> np.ndarray:
    """x moved into the domain exactly: ||x||_2^2 <= x_max^2 checked in rationals (float norms are not)."""
    if domain.nonnegative:
        x = np.maximum(x, 0.0)
    while sum((Fraction(float(v)) ** 2 for v in x), Fraction(0)) > domain.x_max**2:
        x = x * (1 - 2.0**-30)
    return x


def _sqrt_down(q: Fraction, bits: int = 64) -> Fraction:
    """A rational <= sqrt(q) on the grid 2^-bits (exact integer square root)."""
    scale = 1 << (2 * bits)
    return Fraction(math.isqrt(q.numerator * scale // q.denominator), 1 << bits)


class _Objective:
    """The error ||Ĝ(x) - F(x)|| (l2) or its largest |coordinate| (inf) on a batch of inputs x of F's own
    width d (the appended 1 added here), and its gradient in x on the current linear pieces."""

    def __init__(self, net: SparseNet, target: Target, norm: Norm) -> None:
        self.layers = _layers(net)
        self.target = target
        self.norm = norm
        self.d = target.original_widths[0]

    def _full(self, z: np.ndarray) -> np.ndarray:
        return np.hstack([z, np.ones((z.shape[0], 1))]) if self.target.append_one else z

    def values(self, z: np.ndarray) -> np.ndarray:
        za = self._full(z)
        diff = _ghat_forward(self.layers, za)[0] - self.target.forward(za)
        return np.asarray(np.linalg.norm(diff, axis=1) if self.norm is Norm.L2 else np.max(np.abs(diff), axis=1))

    def values_and_grads(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        za = self._full(z)
        y_hat, acts = _ghat_forward(self.layers, za)
        diff = y_hat - self.target.forward(za)
        if self.norm is Norm.L2:
            vals = np.linalg.norm(diff, axis=1)
            coef = diff  # gradient of ||d||^2 / 2
        else:
            vals = np.max(np.abs(diff), axis=1)
            idx = np.argmax(np.abs(diff), axis=1)
            coef = np.zeros_like(diff)
            at = np.arange(diff.shape[0])
            coef[at, idx] = np.sign(diff[at, idx])
        g_hat = _ghat_backward(self.layers, acts, coef)
        _, g_f = _f_grad(self.target.weights, za, lambda y, c=coef: c)
        return np.asarray(vals), np.asarray((g_hat - g_f)[:, : self.d])


def _unit(g: np.ndarray) -> np.ndarray:
    return np.asarray(g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-300))


def _diverse(pool: np.ndarray, vals: np.ndarray, count: int, radius: float) -> np.ndarray:
    """``count`` rows of the pool, the worst first, each at least ``radius`` from those taken before (so
    that the starts do not all climb the same hill); topped up with the worst rows left if too few."""
    order = np.argsort(-vals, kind="stable")
    taken: list[int] = []
    for i in order.tolist():
        if len(taken) == count:
            break
        if not taken or float(np.min(np.linalg.norm(pool[taken] - pool[i], axis=1))) >= radius:
            taken.append(i)
    rest = [i for i in order.tolist() if i not in set(taken)][: count - len(taken)]
    return np.asarray(pool[taken + rest])


def _ascend(obj: _Objective, x: np.ndarray, etas: np.ndarray, domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """Projected normalised-gradient ascent from each row of x with the step sizes ``etas`` (one per
    step); each row's best point and value seen (float64)."""
    best_x, best_v = x.copy(), np.full(x.shape[0], -1.0)
    for step in range(etas.size + 1):
        vals, g = obj.values_and_grads(x)
        better = vals > best_v
        best_v = np.where(better, vals, best_v)
        best_x[better] = x[better]
        if step == etas.size:
            break
        x = _project(x + etas[step] * _unit(g), domain)
    return best_x, best_v


def _polish(obj: _Objective, x: np.ndarray, v: np.ndarray, steps: int, domain: Domain) -> tuple[np.ndarray, np.ndarray]:
    """A monotone ascent from each row: a step of size eta along the normalised gradient is taken only if
    it raises the error (then eta grows by 3/2), else eta halves; starts at eta = 10^-2·x_max."""
    eta = np.full(x.shape[0], 1e-2 * float(domain.x_max))
    _, g = obj.values_and_grads(x)
    for _ in range(steps):
        trial = _project(x + eta[:, None] * _unit(g), domain)
        tv, tg = obj.values_and_grads(trial)
        up = tv > v
        x = np.where(up[:, None], trial, x)
        v = np.where(up, tv, v)
        g = np.where(up[:, None], tg, g)
        eta = np.where(up, 1.5 * eta, 0.5 * eta)
    return x, v


def attack(
    net: SparseNet,
    target: Target,
    *,
    domain: Domain,
    seed: int,
    restarts: int = 32,
    steps: int = 100,
    starts: np.ndarray | None = None,
) -> Attack:
    """The worst input found by three searches, each from ``restarts`` starts for ``steps`` steps, and the
    exact error of the best of their best inputs (module doc):

    1. the ascent of before (kept as it was): the worst ``restarts`` of the pool (measured inputs and
       8 per restart on the sphere), steps of 0.2·x_max·(1 - step/steps) + 10^-3·x_max;
    2. ``restarts`` of a wider pool, the worst ones at least SPREAD·x_max apart (:func:`_diverse`): 32 per
       restart on the sphere and 8 inside at radii x_max·U^(1/d), from
       ``SeedSequence(seed, spawn_key=(10**6 + 2,))``, and the rows of ``starts`` (any points, e.g. the
       centres of the certificate's worst cells, :func:`~logprune.construct.certificate.compose.worst_cells`; projected
       on D), with steps falling geometrically from 0.05·x_max to 10^-4·x_max;
    3. a monotone polish (:func:`_polish`) of the best min(restarts, 8) points of 1 and 2.

    The best float input of each search is re-evaluated exactly, and the largest exact error is
    returned: never less than search 1's, the attack of before."""
    d = target.original_widths[0]
    xm, norm = float(domain.x_max), domain.norm
    obj = _Objective(net, target, norm)
    steps = max(steps, 1)
    # 1. the pool of before: the measured error's seeded inputs and more on the sphere
    pool = np.vstack(
        [
            sphere_inputs(d, domain=domain, n=MEASURE_SAMPLES, seed=seed),
            sphere_inputs(d, domain=domain, n=8 * restarts, seed=seed, key=ATTACK_KEY),
        ]
    )
    pool = _project(pool, domain)
    x1 = pool[np.argsort(-obj.values(pool), kind="stable")[:restarts]]
    etas1 = 0.2 * xm * (1 - np.arange(steps) / steps) + 1e-3 * xm
    bx1, bv1 = _ascend(obj, x1, etas1, domain)
    # 2. a wider pool in the ball (and the given starts), geometric steps
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(POOL_KEY,))))
    m, inner = 32 * restarts, 8 * restarts
    wide = sphere_inputs(d, domain=domain, n=m + inner, seed=seed, key=POOL_KEY)
    wide[m:] *= rng.uniform(size=(inner, 1)) ** (1 / max(d, 1))
    if starts is not None and starts.size:
        wide = np.vstack([np.asarray(starts, dtype=np.float64).reshape(-1, d), wide])
    wide = _project(wide, domain)
    x2 = _diverse(wide, obj.values(wide), restarts, SPREAD * xm)
    etas2 = xm * np.geomspace(5e-2, 1e-4, steps)
    bx2, bv2 = _ascend(obj, x2, etas2, domain)
    # 3. polish the best of both
    allx, allv = np.vstack([bx1, bx2]), np.r_[bv1, bv2]
    top = np.argsort(-allv, kind="stable")[: min(restarts, POLISH)]
    bx3, bv3 = _polish(obj, allx[top], allv[top], steps, domain)
    best: tuple[Fraction, Fraction | None, np.ndarray] | None = None
    for bx, bv in ((bx1, bv1), (bx2, bv2), (bx3, bv3)):
        xi = _inside(bx[int(np.argmax(bv))], domain)
        err, sq = exact_error(net, target, xi, norm)
        if best is None or err > best[0]:
            best = (err, sq, xi)
    assert best is not None
    err, sq, best_x = best
    return Attack(tuple(float(v) for v in best_x), err, sq, norm, restarts, steps)


def bracket_line(found: Attack, certified: Fraction) -> str:
    """The bracket [found, certified] of sup ||Ĝ(x) - F(x)|| and their ratio, as a summary line."""
    ratio = f"{float(certified / found.error):.3g}" if found.error > 0 else "inf"
    return (
        f"attack: worst input found has error {float(found.error):.4e} (exact); bracket "
        f"[{float(found.error):.4e}, {float(certified):.4e}], certified/found = {ratio} "
        f"({found.restarts} restarts x {found.steps} steps)"
    )


DEFAULT_BUDGET = (32, 100)  # (restarts, steps) of ``--attack`` and of ``attack=True``
MAX_RESTARTS, MAX_STEPS = 4096, 100_000  # bound the work one request may ask for


def check_budget(budget: Any) -> tuple[int, int]:
    """An attack budget as (restarts, steps): True for the default :data:`DEFAULT_BUDGET`, or a pair of
    integers (restarts >= 1, steps >= 0) within :data:`MAX_RESTARTS` and :data:`MAX_STEPS`.

    >>> check_budget(True), check_budget(("8", 40))
    ((32, 100), (8, 40))
    """
    if budget is True:
        return DEFAULT_BUDGET
    if not isinstance(budget, (tuple, list)) or len(budget) != 2:
        raise ParameterTypeError(f"attack={budget!r}: expected True or (restarts, steps)")
    restarts = check_int("restarts", budget[0])
    steps = check_int("steps", budget[1], minimum=0)
    if restarts > MAX_RESTARTS or steps > MAX_STEPS:
        raise ParameterError(
            f"restarts={restarts}, steps={steps}: at most {MAX_RESTARTS} restarts and {MAX_STEPS} steps"
        )
    return restarts, steps


def attack_request(net: SparseNet, target: Target, opt: Options, budget: tuple[int, int]) -> Attack:
    """:func:`attack` on the domain and norm of a request, with (restarts, steps) = ``budget``."""
    restarts, steps = budget
    return attack(
        net,
        target,
        domain=opt.domain,
        seed=opt.seed,
        restarts=restarts,
        steps=steps,
    )
