"""The ``Ĝ.npz`` export contract, and ``verify``: re-derive everything from the file and the seed.

Contract (other tools read it with numpy alone, ``allow_pickle=False``):
``layers`` = T = 2l; for t = 1..T: ``w{t}_shape`` (2 ints), ``w{t}_row``, ``w{t}_col`` (int64),
``w{t}_val`` (float64, the kept weights of G, unchanged); ``append_one`` (bool); ``meta`` (a JSON string).
Forward rule: h0 = x (with 1 appended if append_one); h_t = relu(W_t h_(t-1)) for t < T; output
W_T h_(T-1).  (Ĝ carries biases through the appended 1, so no ``b{t}`` is written.)

``verify`` trusts nothing in the file but its format: it regenerates every kept weight from the seed and
the law in ``meta`` (G is a function of the seed), rebuilds the effective weights of Ĝ from the kept
edges alone (each kept intermediate neuron must keep exactly one in-edge), recomputes the exact errors
against the target and the certificate, and re-evaluates the error on seeded sample inputs.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from logprune import __version__
from logprune.atomic import write_bytes_atomic
from logprune.construct import certify
from logprune.construct.build import Built, sparse_forward
from logprune.construct.gsample import block_weights, law_from_json
from logprune.construct.numeric import get_context
from logprune.construct.target import Target, spectral_norm_upper
from logprune.errors import LogpruneError, ParameterError

__all__ = ["VerificationError", "VerifyReport", "measured_error", "meta_of", "read_ghat", "verify", "write_ghat"]


class VerificationError(LogpruneError, ValueError):
    """The file does not hold what it claims (tampered weights, wrong seed, wrong target, bad bound)."""


def meta_of(built: Built, *, measured: float | None) -> dict[str, Any]:
    pl, opt, cert = built.plan, built.opt, built.cert
    return {
        "format": "logprune.ghat/1",
        "seed": opt.seed,
        "distribution": pl.law.as_json(),
        "eps": str(opt.eps),
        "delta": str(opt.delta),
        "weight_eps": None if opt.weight_eps is None else str(opt.weight_eps),
        "norm": opt.norm,
        "x_max": str(opt.x_max),
        "pooling": opt.pool,
        "method": opt.method,
        "inputs_nonnegative": opt.inputs_nonnegative,
        "k": pl.k,
        "block_size": pl.block,
        "block_size_from_bound": pl.block_from_bound,
        "eps_w": str(pl.eps_w),
        "certified_bound": {
            "exact": str(cert.bound),
            "decimal": f"{float(cert.bound):.6e}",
            "certified": cert.certified,
            "context": cert.context,
        },
        "max_weight_error": {"exact": str(built.max_weight_error), "decimal": f"{float(built.max_weight_error):.6e}"},
        "share_within_eps_w": built.within_eps_w,
        "measured_error": measured,
        "target": {
            "sha256": built.target.digest,
            "widths": list(built.target.original_widths),
            "weights": built.target.n_weights,
            "append_one": built.target.append_one,
        },
        "sizes": {
            "G_neurons": built.g_neurons,
            "G_weights": built.g_weights,
            "Ghat_weights": built.kept,
            "G_layer_shapes": [list(s) for s in built.shapes],
            "kept_per_target_weight": built.kept / built.target.n_weights,
            "sampled_per_target_weight": built.sampled_per_target_weight,
        },
        "versions": {"logprune": __version__, "numpy": np.__version__},
    }


def write_ghat(path: str | Path, built: Built, *, measured: float | None = None) -> dict[str, Any]:
    """Write Ĝ atomically (temporary file, then rename); returns the meta written."""
    meta = meta_of(built, measured=measured)
    arrays: dict[str, np.ndarray] = {
        "layers": np.asarray(len(built.shapes), dtype=np.int64),
        "append_one": np.asarray(built.target.append_one),
        "meta": np.asarray(json.dumps(meta, sort_keys=True)),
    }
    for t, (shape, r, c, v) in enumerate(zip(built.shapes, built.rows, built.cols, built.vals, strict=True), start=1):
        arrays[f"w{t}_shape"] = np.asarray(shape, dtype=np.int64)
        arrays[f"w{t}_row"] = np.asarray(r, dtype=np.int64)
        arrays[f"w{t}_col"] = np.asarray(c, dtype=np.int64)
        arrays[f"w{t}_val"] = np.asarray(v, dtype=np.float64)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    write_bytes_atomic(path, buf.getvalue())
    return meta


@dataclass(frozen=True)
class Ghat:
    """The arrays of a Ĝ file."""

    shapes: tuple[tuple[int, int], ...]
    rows: tuple[np.ndarray, ...]
    cols: tuple[np.ndarray, ...]
    vals: tuple[np.ndarray, ...]
    append_one: bool
    meta: dict[str, Any]

    def forward(self, x: np.ndarray) -> np.ndarray:
        return sparse_forward(self.shapes, self.rows, self.cols, self.vals, x)


def read_ghat(path: str | Path) -> Ghat:
    """Read and check the format of a Ĝ file (numpy only, no pickle)."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"ghat={path}: no such file")
    try:
        with np.load(p, allow_pickle=False) as z:
            T = int(z["layers"])
            shapes, rows, cols, vals = [], [], [], []
            for t in range(1, T + 1):
                sh = tuple(int(v) for v in z[f"w{t}_shape"])
                r, c, v = z[f"w{t}_row"], z[f"w{t}_col"], z[f"w{t}_val"]
                if len(sh) != 2 or not (r.shape == c.shape == v.shape) or r.ndim != 1:
                    raise ParameterError(f"ghat={path}: layer {t} arrays are inconsistent")
                if r.size and (r.min() < 0 or r.max() >= sh[0] or c.min() < 0 or c.max() >= sh[1]):
                    raise ParameterError(f"ghat={path}: layer {t} indices outside its shape {sh}")
                shapes.append((sh[0], sh[1]))
                rows.append(r.astype(np.int64))
                cols.append(c.astype(np.int64))
                vals.append(v.astype(np.float64))
            meta = json.loads(str(z["meta"]))
            append_one = bool(z["append_one"])
    except KeyError as exc:
        raise ParameterError(f"ghat={path}: missing array {exc}") from None
    except (OSError, ValueError, EOFError) as exc:
        if isinstance(exc, LogpruneError):
            raise
        raise ParameterError(f"ghat={path}: not a readable Ĝ file ({exc})") from None
    return Ghat(tuple(shapes), tuple(rows), tuple(cols), tuple(vals), append_one, meta)


@dataclass(frozen=True)
class VerifyReport:
    """What verify re-derived."""

    regenerated: int
    certified_bound: Fraction
    max_weight_error: Fraction
    measured_error: float
    ok: bool
    reason: str


def _regenerate(g: Ghat, target: Target) -> int:
    """Check every kept weight against G regenerated from the seed; return how many were checked."""
    meta = g.meta
    seed, pool, P = int(meta["seed"]), str(meta["pooling"]), int(meta["block_size"])
    law = law_from_json(meta["distribution"])
    checked = 0
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        want_w = n_in * P if pool == "shared" else n_in * n_out * P
        if g.shapes[2 * i] != (want_w, n_in) or g.shapes[2 * i + 1] != (n_out, want_w):
            raise VerificationError(
                f"layer {i + 1}: G's shapes {g.shapes[2 * i]}, {g.shapes[2 * i + 1]} do not "
                f"match block_size={P}, pooling={pool}"
            )
        ri, ci, vi = g.rows[2 * i], g.cols[2 * i], g.vals[2 * i]
        ro, co, vo = g.rows[2 * i + 1], g.cols[2 * i + 1], g.vals[2 * i + 1]
        per_block: dict[int, list[tuple[str, int, int, float]]] = defaultdict(list)
        for u, j, v in zip(ri.tolist(), ci.tolist(), vi.tolist(), strict=True):
            per_block[u // P if pool == "shared" else u // (n_out * P)].append(("in", u, j, v))
        for o, u, v in zip(ro.tolist(), co.tolist(), vo.tolist(), strict=True):
            per_block[u // P if pool == "shared" else u // (n_out * P)].append(("out", u, o, v))
        for j, entries in per_block.items():
            a, b = block_weights(seed=seed, law=law, layer=i, block=j, n_out=n_out, size=P, pool=pool)
            for kind, u, other, v in entries:
                p = u % P
                if pool == "shared":
                    expect = a[p] if (kind == "in" and other == j) else (b[other, p] if kind == "out" else None)
                else:
                    o_u = (u // P) % n_out
                    if kind == "in":
                        expect = a[o_u, p] if other == j else None
                    else:
                        expect = b[o_u, p] if other == o_u else None
                if expect is None:
                    raise VerificationError(
                        f"layer {i + 1}: kept weight ({kind}, neuron {u}, {other}) is not a "
                        "weight this construction can keep"
                    )
                if float(expect) != v:
                    raise VerificationError(
                        f"layer {i + 1}: kept weight ({kind}, neuron {u}, {other}) = {v!r} but "
                        f"G regenerated from seed={seed} has {float(expect)!r}"
                    )
                checked += 1
    return checked


def _errors_from_file(g: Ghat, target: Target, ctx_name: str, inputs_nonnegative: bool) -> list[list[list[Any]]]:
    """Exact errors of the effective weights, rebuilt from the kept edges alone."""
    ctx = get_context(ctx_name)
    out: list[list[list[Any]]] = []
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        branches = 2 if (i == 0 and not inputs_nonnegative) else 1
        in_edge: dict[int, tuple[int, float]] = {}
        for u, j, v in zip(g.rows[2 * i].tolist(), g.cols[2 * i].tolist(), g.vals[2 * i].tolist(), strict=True):
            if u in in_edge:
                raise VerificationError(f"layer {i + 1}: intermediate neuron {u} keeps two in-edges")
            in_edge[u] = (j, v)
        sums: list[dict[int, Any]] = [dict() for _ in range(branches)]
        for o, u, bv in zip(
            g.rows[2 * i + 1].tolist(), g.cols[2 * i + 1].tolist(), g.vals[2 * i + 1].tolist(), strict=True
        ):
            if u not in in_edge:
                continue  # a neuron with no input outputs sigma(0) = 0
            j, av = in_edge[u]
            br = 0 if av > 0 else 1
            if br >= branches:
                continue  # a < 0 on a nonnegative input: sigma(a·h) = 0, no contribution
            key = o * n_in + j
            prod = ctx.num(av) * ctx.num(bv)
            sums[br][key] = sums[br][key] + prod if key in sums[br] else prod
        errs = []
        for br in range(branches):
            e = []
            for o in range(n_out):
                for j in range(n_in):
                    w = ctx.num(float(W[o, j]))
                    s = sums[br].get(o * n_in + j)
                    e.append(s - w if s is not None else -w)
            errs.append(e)
        out.append(errs)
    return out


def measured_error(
    forward_hat: Any,
    target: Target,
    *,
    x_max: Fraction,
    n: int,
    seed: int,
    norm: str,
    nonnegative: bool,
    extra: np.ndarray | None = None,
) -> float:
    """Max error over n seeded inputs on the sphere ||x|| = x_max (and any user inputs), in float64."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(10**6,))))
    d = target.original_widths[0]
    x = rng.standard_normal((n, d))
    if nonnegative:
        x = np.abs(x)
    x *= float(x_max) / np.linalg.norm(x, axis=1, keepdims=True)
    if extra is not None:
        x = np.vstack([x, np.asarray(extra, dtype=np.float64).reshape(-1, d)])
    if target.append_one:
        x = np.hstack([x, np.ones((x.shape[0], 1))])
    diff = forward_hat(x) - target.forward(x)
    ords = np.linalg.norm(diff, axis=1) if norm == "l2" else np.max(np.abs(diff), axis=1)
    return float(np.max(ords)) if ords.size else 0.0


def verify(path: str | Path, target: Target, *, context: str = "exact", samples: int = 256) -> VerifyReport:
    """Re-derive Ĝ's claims from the file and the seed (module doc); raises VerificationError if any fails."""
    g = read_ghat(path)
    meta = g.meta
    if meta.get("target", {}).get("sha256") != target.digest:
        raise VerificationError("target: its sha256 differs from the one Ĝ was built for")
    if g.append_one != target.append_one or len(g.shapes) != 2 * target.layers:
        raise VerificationError("target: layer structure differs from the one Ĝ was built for")
    checked = _regenerate(g, target)
    nonneg = bool(meta["inputs_nonnegative"])
    errs = _errors_from_file(g, target, context, nonneg)
    norms = tuple(spectral_norm_upper(w) for w in target.weights)
    x_max = Fraction(meta["x_max"])
    x_eff = target.input_norm_bound(x_max)
    cert = certify.certificate(
        get_context(context), target=target, errors=errs, norms=norms, x_max=x_eff, norm=str(meta["norm"])
    )
    ctx = get_context(context)
    max_err = max(ctx.upper(abs(e)) for layer in errs for br in layer for e in br)
    claimed = Fraction(meta["certified_bound"]["exact"])
    measured = measured_error(
        g.forward, target, x_max=x_max, n=samples, seed=int(meta["seed"]), norm=str(meta["norm"]), nonnegative=nonneg
    )
    if cert.bound != claimed:
        raise VerificationError(f"certified_bound={claimed}: recomputed {cert.bound}")
    if meta.get("weight_eps") is not None:
        ok = max_err <= Fraction(meta["weight_eps"])
        reason = f"max weight error {float(max_err):.3e} vs weight_eps {meta['weight_eps']}"
    else:
        ok = cert.bound <= Fraction(meta["eps"])
        reason = f"certified bound {float(cert.bound):.3e} vs eps {meta['eps']}"
    if measured > float(cert.bound) * (1 + 1e-9) + 1e-12:
        raise VerificationError(f"measured error {measured:.3e} exceeds the certified bound {float(cert.bound):.3e}")
    return VerifyReport(checked, cert.bound, max_err, measured, ok, reason)
