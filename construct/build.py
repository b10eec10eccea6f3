"""Build Ĝ = G ⊙ mask from a seeded random G and a target F, exactly, and certify it.

Per target layer i and input j (one block of G, :mod:`~logprune.construct.gsample`) the products
q = a·b of the block's neurons towards every output o are classified into the k segments
[s·phi^(-t-1), s·phi^(-t)] (s = w_max of F).  For each target weight w = W_i[o, j] and branch (σ(x): a > 0;
σ(-x): a < 0, only where the layer's input can be negative) the first neuron of the block in each
segment with sign(q) = sign(w) is the segment's sample, and the greedy rule of L3 decides which samples
are kept (``method="golden"``).  ``method="malach"`` keeps the first single product within eps_w of w
(Malach et al.'s construction, the baseline).  Every effective weight sum(a·b) and its error against w
is then computed in the chosen numeric context (exact by default), and the certificate of
:mod:`~logprune.construct.certify` bounds sup_{||x||<=x_max} ||Ĝ(x) - F(x)||.

The accuracy per weight eps_w and k come from bounds.propagation (C3) with certified norm bounds of F's
layers, or from ``weight_eps`` (Pensia et al.'s per-weight tolerance).  The block size P comes from
bounds.sampling (a union bound over all (weight, branch, segment) events) unless ``width`` is given.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from logprune.bounds import golden, hyperbolic, propagation, sampling, uniform
from logprune.bounds.certified import enclose, rational_lower_bound
from logprune.construct import certify
from logprune.construct.gsample import Law, block_weights, hyperbolic_law, uniform_law
from logprune.construct.numeric import Context, get_context
from logprune.construct.target import Target, spectral_norm_upper
from logprune.errors import ParameterError
from logprune.validation import check_int, check_open_unit, check_positive, sympy_rational

__all__ = ["Built", "Options", "build", "options", "plan", "sparse_forward", "succeeded"]

LOG_PHI = math.log((1 + math.sqrt(5)) / 2)
SUBSET_MAX = 40  # exact search: enumeration of 2^P sums (P <= 20), meet in the middle up to 40


@dataclass(frozen=True)
class Options:
    """What to build.  Names follow the papers: eps, delta; x_max bounds ||x||_2."""

    eps: Fraction
    delta: Fraction
    seed: int
    dist: str = "hyperbolic"
    pool: str = "shared"  # pooling (B), proven in proofs/pooling_b.py; "per-weight" is pooling (A)
    method: str = "golden"
    weight_eps: Fraction | None = None
    inputs_nonnegative: bool = False
    x_max: Fraction = Fraction(1)
    norm: str = "l2"
    width: int | None = None
    context: str = "exact"

    def as_json(self) -> dict[str, Any]:
        return {
            "eps": str(self.eps),
            "delta": str(self.delta),
            "seed": self.seed,
            "dist": self.dist,
            "pool": self.pool,
            "method": self.method,
            "weight_eps": None if self.weight_eps is None else str(self.weight_eps),
            "inputs_nonnegative": self.inputs_nonnegative,
            "x_max": str(self.x_max),
            "norm": self.norm,
            "width": self.width,
            "context": self.context,
        }


def options(
    *,
    eps: Any,
    delta: Any,
    seed: Any,
    dist: str = "hyperbolic",
    pool: str = "shared",
    method: str = "golden",
    weight_eps: Any = None,
    inputs_nonnegative: bool = False,
    x_max: Any = 1,
    norm: str = "l2",
    width: Any = None,
    context: str = "exact",
) -> Options:
    """Validated :class:`Options` (one place for the argument checks of construct)."""
    if dist not in {"hyperbolic", "uniform"}:
        raise ParameterError(f"dist={dist}: expected hyperbolic or uniform")
    if pool not in {"shared", "per-weight"}:
        raise ParameterError(f"pool={pool}: expected shared or per-weight")
    if method not in {"golden", "malach", "subset-sum"}:
        raise ParameterError(f"method={method}: expected golden, malach or subset-sum")
    if method == "subset-sum" and width is not None and int(str(width)) > SUBSET_MAX:
        raise ParameterError(f"width={width}: subset-sum enumerates 2^width subsets; use width <= {SUBSET_MAX}")
    if norm not in {"l2", "inf"}:
        raise ParameterError(f"norm={norm}: expected l2 or inf")
    get_context(context)
    return Options(
        eps=check_open_unit("eps", eps),
        delta=check_open_unit("delta", delta),
        seed=check_int("seed", seed, minimum=0),
        dist=dist,
        pool=pool,
        method=method,
        weight_eps=None if weight_eps is None else check_positive("weight_eps", weight_eps),
        inputs_nonnegative=bool(inputs_nonnegative),
        x_max=check_positive("x_max", x_max),
        norm=norm,
        width=None if width is None else check_int("width", width),
        context=context,
    )


@dataclass(frozen=True)
class Plan:
    """Everything decided before sampling: eps_w, k, the law of G, the block size P, the norm bounds."""

    eps_w: Fraction  # rational lower bound of the per-weight accuracy aimed at
    k: int
    scale: float
    law: Law
    block: int
    block_from_bound: int | None
    coverage: str | None
    norms: tuple[Fraction, ...]
    x_max_eff: Fraction
    branches: tuple[int, ...]
    events: int

    def as_json(self) -> dict[str, Any]:
        return {
            "eps_w": str(self.eps_w),
            "eps_w_decimal": f"{float(self.eps_w):.6g}",
            "k": self.k,
            "scale": self.scale,
            "law": self.law.as_json(),
            "block_size": self.block,
            "block_size_from_bound": self.block_from_bound,
            "coverage": self.coverage,
            "norm_upper_bounds": [str(a) for a in self.norms],
            "x_max_effective": str(self.x_max_eff),
            "branches": list(self.branches),
            "events": self.events,
        }


def plan(target: Target, opt: Options) -> Plan:
    """Decide eps_w, k, the law and the block size (C3, L3, L4 via bounds/)."""
    s = target.w_max
    if s == 0:
        raise ParameterError("target: every weight is 0; nothing to construct")
    norms = tuple(spectral_norm_upper(w) for w in target.weights)
    x_eff = target.input_norm_bound(opt.x_max)
    branches = tuple(1 if (i > 0 or opt.inputs_nonnegative) else 2 for i in range(target.layers))
    s_q = Fraction(s)
    if opt.weight_eps is not None:
        eps_w = opt.weight_eps
        k = golden.k_exact(eps=eps_w, scale=s_q)
    else:
        prop = propagation.propagate(
            eps=opt.eps,
            widths=target.widths,
            norms=list(norms),
            w_max=sympy_rational(s_q),
            x_max=sympy_rational(x_eff),
            inputs_nonnegative=opt.inputs_nonnegative,
        )
        k, eps_w = _tighten(prop.k, s_q, target, norms, x_eff, opt)
    k = max(k, 1)
    if opt.dist == "hyperbolic":
        law = hyperbolic_law(k_segments=k, scale=s)
    else:  # golden: products up to the top segment s/phi; Malach: products must reach w itself (beta^2 = s)
        law = uniform_law(scale=s if opt.method == "golden" else s * (1 + math.sqrt(5)) / 2)
    per_event = sum(b * target.widths[i] * target.widths[i + 1] for i, b in enumerate(branches))
    events = per_event * (k if opt.method == "golden" else 1)
    bound: int | None
    cov: str | None
    if opt.method == "golden":
        if opt.dist == "hyperbolic":
            c = hyperbolic.coverage(k)
            cov = sp.sstr(c)
            bound = sampling.samples_for_confidence(p=c, events=events, delta=opt.delta)
        else:
            cu = uniform.coverage(k_segments=k).lower
            cov = f"{float(cu):.6g}"
            bound = sampling.samples_for_confidence(p=cu, events=events, delta=opt.delta) if cu > 0 else None
    elif opt.method == "subset-sum":
        # No explicit bound: Lueker's O(log 1/eps) has no constant we can use.  The default is the block
        # size of Pensia et al.'s experiment, n = round(3 ln(1/eps_w)) (at least 1), reported as such.
        cov = None
        bound = None
    else:
        cov = None
        if opt.dist == "uniform":
            B = Fraction(law.beta) ** 2
            p0 = sampling.L2_probability_uniform(w=0, eps=min(eps_w, Fraction(1, 2)), B=B).lower
            p1 = sampling.L2_probability_uniform(w=s_q, eps=min(eps_w, Fraction(1, 2)), B=B).lower
            pw = min(p0, p1)
            bound = (
                sampling.samples_for_confidence(p=rational_lower_bound(sp.Rational(pw)), events=events, delta=opt.delta)
                if pw > 0
                else None
            )
        else:
            bound = None
    block = opt.width if opt.width is not None else bound
    if block is None and opt.method == "subset-sum":
        block = max(1, min(SUBSET_MAX, round(3 * math.log(s / float(eps_w)))))
    if block is None:
        raise ParameterError(f"width=None: no bound for method={opt.method} with dist={opt.dist}; give --width")
    return Plan(eps_w, k, s, law, block, bound, cov, norms, x_eff, branches, events)


def _tighten(
    k: int, s: Fraction, target: Target, norms: tuple[Fraction, ...], x_max: Fraction, opt: Options
) -> tuple[int, Fraction]:
    """The least k whose accuracy s·phi^-k satisfies the exact telescoped bound of bounds.propagation,
    x_max·[prod(a_i + eps_w d_i) - prod a_i] <= eps (certified), starting from the closed form's k.

    The closed form of C3 is a sufficient condition; the telescoped bound itself is what the certificate
    uses, so any k passing it keeps the a-priori guarantee and samples fewer segments."""

    def fits(kk: int) -> bool:
        ew = sympy_rational(s) * sp.GoldenRatio ** (-kk)
        b = propagation.error_bound_x(
            eps_w=ew,
            widths=target.widths,
            norms=list(norms),
            x_max=sympy_rational(x_max),
            inputs_nonnegative=opt.inputs_nonnegative,
        )
        return enclose(b).upper <= opt.eps

    k = max(k, 1)
    while k > 1 and fits(k - 1):
        k -= 1
    return k, enclose(sympy_rational(s) * sp.GoldenRatio ** (-k)).lower


@dataclass
class LayerResult:
    """Kept weights of one target layer (indices into G's layers 2i and 2i+1) and exact errors."""

    in_rows: list[np.ndarray] = field(default_factory=list)
    in_cols: list[np.ndarray] = field(default_factory=list)
    in_vals: list[np.ndarray] = field(default_factory=list)
    out_rows: list[np.ndarray] = field(default_factory=list)
    out_cols: list[np.ndarray] = field(default_factory=list)
    out_vals: list[np.ndarray] = field(default_factory=list)
    missing: list[tuple[int, int, int, int]] = field(default_factory=list)  # (o, j, branch, segment)


@dataclass(frozen=True)
class Built:
    """Ĝ with its certificate and the record of how it was built."""

    target: Target
    opt: Options
    plan: Plan
    shapes: tuple[tuple[int, int], ...]
    rows: tuple[np.ndarray, ...]
    cols: tuple[np.ndarray, ...]
    vals: tuple[np.ndarray, ...]
    cert: certify.Certificate
    max_weight_error: Fraction
    within_eps_w: float  # share of (weight, branch) errors <= eps_w (exact comparisons)
    missing: tuple[tuple[int, int, int, int, int], ...]
    seconds: float

    @property
    def kept(self) -> int:
        return int(sum(v.size for v in self.vals))

    @property
    def g_neurons(self) -> int:
        return int(sum(s[0] for s in self.shapes))

    @property
    def g_weights(self) -> int:
        return int(sum(s[0] * s[1] for s in self.shapes))

    @property
    def sampled_per_target_weight(self) -> float:
        """G's keepable (sampled) weights per target weight: 2·P per weight in (A), P(1 + n_out)/n_out in (B)."""
        total = 0
        for i in range(self.target.layers):
            n_in, n_out = self.target.widths[i], self.target.widths[i + 1]
            per_block = self.plan.block * (1 + n_out) if self.opt.pool == "shared" else 2 * n_out * self.plan.block
            total += n_in * per_block
        return total / self.target.n_weights

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Ĝ on a batch (float64), following the export's forward rule."""
        return sparse_forward(self.shapes, self.rows, self.cols, self.vals, x)


def _select(q: np.ndarray, ok: np.ndarray, scale: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first column whose |q| lies in segment t = 1..k (and ``ok``): values and indices.

    Segment membership is computed in floats; the exact errors computed later are what the certificate
    uses, so a product classified one ulp off a segment's end can never make a false certificate."""
    with np.errstate(divide="ignore"):
        seg = np.floor(np.log(scale / np.abs(q)) / LOG_PHI)
    seg = np.where(ok, seg, -1)
    n_out = q.shape[0]
    vals = np.full((n_out, k + 1), np.nan)
    idx = np.full((n_out, k + 1), -1, dtype=np.int64)
    rows = np.arange(n_out)
    for t in range(1, k + 1):
        hit = seg == t
        first = np.argmax(hit, axis=1)
        present = hit[rows, first]
        vals[present, t] = np.abs(q[rows[present], first[present]])
        idx[present, t] = first[present]
    return vals, idx


_SUBSETS: dict[int, np.ndarray] = {}


def _subset_sum(q: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row o, the subset of columns whose sum of q[o, :] is closest to w[o] (exact enumeration
    of the 2^P subset sums in floats; the exact error is computed afterwards).  Columns with q = 0 (wrong
    branch) are never kept.  Returns the kept (row, column) pairs."""
    n_out, P = q.shape
    if P > 20:
        return _subset_sum_mitm(q, w)
    if P not in _SUBSETS:
        _SUBSETS[P] = ((np.arange(2**P)[:, None] >> np.arange(P)[None, :]) & 1).astype(np.float64)
    M = _SUBSETS[P]
    best = np.zeros(n_out, dtype=np.int64)
    chunk = max(1, (1 << 22) // (2**P))
    for lo in range(0, n_out, chunk):
        sums = M @ q[lo : lo + chunk].T  # (2^P, chunk)
        best[lo : lo + chunk] = np.argmin(np.abs(sums - w[None, lo : lo + chunk]), axis=0)
    picks = ((best[:, None] >> np.arange(P)[None, :]) & 1).astype(bool) & (q != 0)
    rows, cols = np.nonzero(picks)
    return rows, cols


def _sums(v: np.ndarray) -> np.ndarray:
    """All 2^len(v) subset sums of v, subset i = bits of i."""
    s = np.zeros(1)
    for x in v:
        s = np.concatenate([s, s + x])
    return s


def _subset_sum_mitm(q: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Meet in the middle (Horowitz-Sahni): sums of each half, the right half sorted, and for every left
    sum the nearest right sum to w - left; exact search over all 2^P subsets, per row."""
    n_out, P = q.shape
    h = P // 2
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for o in range(n_out):
        left, right = _sums(q[o, :h]), _sums(q[o, h:])
        order = np.argsort(right, kind="stable")
        rs = right[order]
        target = w[o] - left
        idx = np.clip(np.searchsorted(rs, target), 1, rs.size - 1)
        cand = np.where(np.abs(rs[idx - 1] - target) <= np.abs(rs[idx] - target), idx - 1, idx)
        err = np.abs(rs[cand] - target)
        i = int(np.argmin(err))
        li, ri = i, int(order[cand[i]])
        bits = np.concatenate([(li >> np.arange(h)) & 1, (ri >> np.arange(P - h)) & 1]).astype(bool) & (q[o] != 0)
        c = np.nonzero(bits)[0]
        rows.append(np.full(c.size, o, dtype=np.int64))
        cols.append(c.astype(np.int64))
    return (np.concatenate(rows) if rows else np.zeros(0, np.int64)), (
        np.concatenate(cols) if cols else np.zeros(0, np.int64)
    )


def _greedy(vals: np.ndarray, v: np.ndarray) -> np.ndarray:
    """L3's greedy rule for all rows at once: keep sample t iff it fits the remainder."""
    r = v.astype(np.float64).copy()
    take = np.zeros(vals.shape, dtype=bool)
    for t in range(1, vals.shape[1]):
        x = vals[:, t]
        tk = x <= r  # NaN (no sample in this segment) compares False
        r = np.where(tk, r - x, r)
        take[:, t] = tk
    return take


def build(target: Target, opt: Options, *, progress: Any = None) -> Built:
    """Sample G block by block, prune, compute exact errors and the certificate (module doc)."""
    t0 = time.perf_counter()
    pl = plan(target, opt)
    ctx: Context = get_context(opt.context)
    P, k, s = pl.block, pl.k, pl.scale
    shapes: list[tuple[int, int]] = []
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    layer_errors: list[list[list[Any]]] = []
    missing_all: list[tuple[int, int, int, int, int]] = []
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        br = pl.branches[i]
        width = n_in * P if opt.pool == "shared" else n_in * n_out * P
        shapes += [(width, n_in), (n_out, width)]
        res = LayerResult()
        errs: list[list[Any]] = [[ctx.zero()] * (n_out * n_in) for _ in range(br)]
        for j in range(n_in):
            w_col = W[:, j]
            a, b = block_weights(seed=opt.seed, law=pl.law, layer=i, block=j, n_out=n_out, size=P, pool=opt.pool)
            a2 = np.broadcast_to(a[None, :], (n_out, P)) if opt.pool == "shared" else a
            q = a2 * b
            base_u = j * P if opt.pool == "shared" else None
            used_in: dict[int, float] = {}
            for branch in range(br):
                a_ok = a2 > 0 if branch == 0 else a2 < 0
                sign_ok = np.sign(q) == np.sign(w_col)[:, None]
                ok = a_ok & sign_ok & (w_col != 0)[:, None]
                if opt.method == "golden":
                    sv, si = _select(q, ok, s, k)
                    take = _greedy(sv, np.abs(w_col))
                    gaps = np.isnan(sv[:, 1:]) & (w_col != 0)[:, None]
                    for o, t in zip(*np.nonzero(gaps), strict=True):
                        res.missing.append((int(o), j, branch, int(t) + 1))
                    kept_o, kept_t = np.nonzero(take)
                    kept_p = si[kept_o, kept_t]
                elif opt.method == "subset-sum":
                    kept_o, kept_p = _subset_sum(np.where(a_ok & (w_col != 0)[:, None], q, 0.0), w_col)
                else:
                    close = ok & (np.abs(q - w_col[:, None]) <= float(pl.eps_w))
                    has = close.any(axis=1)
                    first = np.argmax(close, axis=1)
                    for o in np.nonzero(~has & (w_col != 0))[0]:
                        res.missing.append((int(o), j, branch, 0))
                    kept_o = np.nonzero(has & (w_col != 0))[0]
                    kept_p = first[kept_o]
                # exact effective weights: sum of a·b over kept neurons, minus w
                sums: dict[int, Any] = {}
                for o, p in zip(kept_o.tolist(), kept_p.tolist(), strict=True):
                    prod = ctx.num(float(a2[o, p])) * ctx.num(float(b[o, p]))
                    sums[o] = sums[o] + prod if o in sums else prod
                for o in range(n_out):
                    w = float(w_col[o])
                    eff = sums.get(o)
                    err = (eff - ctx.num(w)) if eff is not None else -ctx.num(w)
                    errs[branch][o * n_in + j] = err
                # kept edges, as indices into G's layers
                u = (base_u + kept_p) if base_u is not None else ((j * n_out + kept_o) * P + kept_p)
                for uu, o, p in zip(u.tolist(), kept_o.tolist(), kept_p.tolist(), strict=True):
                    used_in.setdefault(uu, float(a2[o, p]))
                res.out_rows.append(kept_o.astype(np.int64))
                res.out_cols.append(np.asarray(u, dtype=np.int64))
                res.out_vals.append(b[kept_o, kept_p].astype(np.float64))
            if used_in:
                us = np.fromiter(used_in.keys(), dtype=np.int64, count=len(used_in))
                res.in_rows.append(us)
                res.in_cols.append(np.full(us.size, j, dtype=np.int64))
                res.in_vals.append(np.fromiter(used_in.values(), dtype=np.float64, count=len(used_in)))
            if progress is not None:
                progress(i, j, n_in)
        rows += [_cat(res.in_rows), _cat(res.out_rows)]
        cols += [_cat(res.in_cols), _cat(res.out_cols)]
        vals += [_catf(res.in_vals), _catf(res.out_vals)]
        layer_errors.append(errs)
        missing_all += [(i, *m) for m in res.missing]
    cert = certify.certificate(
        ctx,
        target=target,
        errors=layer_errors,
        norms=pl.norms,
        x_max=pl.x_max_eff,
        norm=opt.norm,
    )
    uppers = [ctx.upper(abs(e)) for errs in layer_errors for br_errs in errs for e in br_errs]
    max_err = max(uppers)
    within = sum(1 for u in uppers if u <= pl.eps_w) / len(uppers)
    return Built(
        target,
        opt,
        pl,
        tuple(shapes),
        tuple(rows),
        tuple(cols),
        tuple(vals),
        cert,
        max_err,
        within,
        tuple(missing_all),
        time.perf_counter() - t0,
    )


def sparse_forward(shapes: Any, rows: Any, cols: Any, vals: Any, x: np.ndarray) -> np.ndarray:
    """h_t = relu(W_t h_(t-1)) for t < T, output W_T h_(T-1), with W_t given by (row, col, val) triples.

    Neurons of G with no kept in-edge output relu(0) = 0, so only the neurons that keep an in-edge are
    carried (compact indices): the cost is proportional to Ĝ, not to G."""
    h = np.asarray(x, dtype=np.float64).T  # (neurons of the previous layer, batch), full input width
    prev_map: np.ndarray | None = None  # G index -> compact index of the previous layer (-1: absent)
    T = len(shapes)
    for t in range(T):
        r, c, v = rows[t], cols[t], vals[t]
        if prev_map is not None:
            cc = prev_map[c]
            keep = cc >= 0
            r, cc, v = r[keep], cc[keep], v[keep]
        else:
            cc = c
        last = t == T - 1
        if last:
            used, rr = np.arange(shapes[t][0]), r
        else:
            used, rr = np.unique(r, return_inverse=True)
        out = np.empty((used.size, h.shape[1]))
        for col in range(h.shape[1]):
            out[:, col] = np.bincount(rr, weights=v * h[cc, col], minlength=used.size)
        h = out if last else np.maximum(out, 0.0)
        if not last:
            prev_map = np.full(shapes[t][0], -1, dtype=np.int64)
            prev_map[used] = np.arange(used.size)
    return np.asarray(h.T)


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _catf(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0, dtype=np.float64)


def succeeded(built: Built) -> bool:
    """Success: the certified bound is <= eps (output mode) or every weight is within weight_eps."""
    if built.opt.weight_eps is not None:
        return built.max_weight_error <= built.opt.weight_eps
    return built.cert.bound <= built.opt.eps
