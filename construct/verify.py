"""``verify``: re-derive a Ĝ file's claims from the file's arrays, the seed and the target.

It trusts nothing in the file but its format: the request (``options`` in the meta) is validated as a
user's would be and the plan is recomputed from it and the target (eps_w, k, the law of G, the block
size must equal the file's); every kept weight is regenerated from the seed (G is a function of the
seed, block by block); the effective weights are rebuilt from the kept edges alone (each kept
intermediate neuron must keep exactly one in-edge) with the same exact-error computation as the build
(:mod:`~logprune.construct.effective`); the certificate and the decision are recomputed with the same
functions (:mod:`~logprune.construct.certify`); the error is re-measured on seeded inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from logprune.choices import Arithmetic, choice
from logprune.construct.certify import certificate, decide
from logprune.construct.effective import LayerErrors, column_errors
from logprune.construct.ghat_file import GhatArrays, read_ghat
from logprune.construct.gsample import block_weights
from logprune.construct.measure import measured_error
from logprune.construct.numeric import Context, as_fraction, context_for
from logprune.construct.options import Options, options
from logprune.construct.plan import Plan, plan
from logprune.construct.target import Target
from logprune.errors import LogpruneError

__all__ = ["VerificationError", "VerifyReport", "verify"]


class VerificationError(LogpruneError, ValueError):
    """The file does not hold what it claims (tampered weights, wrong seed, wrong target, bad bound)."""


@dataclass(frozen=True)
class VerifyReport:
    """What verify re-derived."""

    regenerated: int
    certified_bound: Fraction
    max_weight_error: Fraction
    measured_error: float
    ok: bool
    reason: str
    arithmetic: Arithmetic

    def lines(self) -> list[str]:
        return [
            f"regenerated and matched {self.regenerated} kept weights of G from the seed",
            f"recomputed certified bound: {float(self.certified_bound):.4e} (equal to the file's)",
            f"max weight error: {float(self.max_weight_error):.4e}; measured error: {self.measured_error:.4e}",
            f"{'OK' if self.ok else 'NOT OK'}: {self.reason}",
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reason": self.reason,
            "regenerated": self.regenerated,
            "certified_bound": {"exact": str(self.certified_bound), "decimal": f"{float(self.certified_bound):.6e}"},
            "max_weight_error": {
                "exact": str(self.max_weight_error),
                "decimal": f"{float(self.max_weight_error):.6e}",
            },
            "measured_error": self.measured_error,
            "arithmetic": self.arithmetic.value,
        }


def _request(meta: dict[str, Any]) -> Options:
    doc = meta.get("options")
    if not isinstance(doc, dict):
        raise VerificationError("meta: no options record")
    try:
        return options(**doc)
    except TypeError as exc:
        raise VerificationError(f"meta: options record not understood ({exc})") from None
    except LogpruneError as exc:
        raise VerificationError(f"meta: options record refused ({exc})") from None


def _check_layer(g: GhatArrays, target: Target, pl: Plan, seed: int, i: int, ctx: Context) -> tuple[int, LayerErrors]:
    """Regenerate the kept weights of target layer i and rebuild its error statistics from the edges."""
    W = target.weights[i]
    n_out, n_in = W.shape
    P, pool = pl.block, pl.pool
    width = pool.width(n_in, n_out, P)
    if g.shapes[2 * i] != (width, n_in) or g.shapes[2 * i + 1] != (n_out, width):
        raise VerificationError(
            f"layer {i + 1}: G's shapes {g.shapes[2 * i]}, {g.shapes[2 * i + 1]} do not "
            f"match block_size={P}, pooling={pool.kind}"
        )
    in_u, in_j, in_a = g.rows[2 * i], g.cols[2 * i], g.vals[2 * i]
    out_o, out_u, out_b = g.rows[2 * i + 1], g.cols[2 * i + 1], g.vals[2 * i + 1]
    if np.unique(in_u).size != in_u.size:
        raise VerificationError(f"layer {i + 1}: an intermediate neuron keeps two in-edges")
    if np.any(pool.block_of(in_u, n_out, P) != in_j):
        raise VerificationError(f"layer {i + 1}: a kept in-weight is not a weight this construction can keep")
    own_o, _ = pool.position(out_u, n_out, P)
    if np.any((own_o >= 0) & (own_o != out_o)):
        raise VerificationError(f"layer {i + 1}: a kept out-weight is not a weight this construction can keep")
    checked = 0
    for j in np.unique(np.concatenate([pool.block_of(in_u, n_out, P), pool.block_of(out_u, n_out, P)])).tolist():
        a, b = block_weights(seed=seed, law=pl.law, layer=i, block=j, n_out=n_out, size=P, pool=pool)
        a2 = a[None, :] if a.ndim == 1 else a
        sel = pool.block_of(in_u, n_out, P) == j
        o_in, p_in = pool.position(in_u[sel], n_out, P)
        want = a2[np.maximum(o_in, 0), p_in]
        sel_o = pool.block_of(out_u, n_out, P) == j
        _, p_out = pool.position(out_u[sel_o], n_out, P)
        want_b = b[out_o[sel_o], p_out]
        for kind, got, exp in (("in", in_a[sel], want), ("out", out_b[sel_o], want_b)):
            bad = np.nonzero(got != exp)[0]
            if bad.size:
                raise VerificationError(
                    f"layer {i + 1}: kept {kind}-weight of block {j} = {got[bad[0]]!r} but G regenerated from "
                    f"seed={seed} has {float(exp[bad[0]])!r}"
                )
        checked += int(sel.sum() + sel_o.sum())
    # products: out-edge (o, u, b) with u's in-edge (j, a) gives a·b to (o, j) on the branch of a's sign
    in_of = np.full(width, -1, dtype=np.int64)
    in_of[in_u] = np.arange(in_u.size)
    e = in_of[out_u]
    has = e >= 0  # a neuron with no in-edge outputs σ(0) = 0
    o, e = out_o[has], e[has]
    bv = out_b[has]
    av, jv = in_a[e], in_j[e]
    br = np.where(av > 0, 0, 1)
    live = br < pl.branches[i]  # a < 0 on a nonnegative input: σ(a·h) = 0, no contribution
    o, bv, av, jv, br = o[live], bv[live], av[live], jv[live], br[live]
    order = np.argsort(jv, kind="stable")
    o, bv, av, jv, br = o[order], bv[order], av[order], jv[order], br[order]
    bounds = np.searchsorted(jv, np.arange(n_in + 1))
    le = LayerErrors(n_out)
    for j in range(n_in):
        s = slice(bounds[j], bounds[j + 1])
        le.add(
            column_errors(
                ctx, w=W[:, j], branches=pl.branches[i], o=o[s], branch=br[s], a=av[s], b=bv[s], eps_w=pl.eps_w
            )
        )
    return checked, le


def verify(
    path: str | Path, target: Target, *, arithmetic: Arithmetic | str | None = None, samples: int = 256
) -> VerifyReport:
    """Re-derive Ĝ's claims (module doc); raises :class:`VerificationError` if any fails.

    ``arithmetic``: the context to recompute the errors in (default: the file's own)."""
    g = read_ghat(path)
    meta = g.meta
    if meta.get("target", {}).get("sha256") != target.digest:
        raise VerificationError("target: its sha256 differs from the one Ĝ was built for")
    if g.append_one != target.append_one or len(g.shapes) != 2 * target.layers:
        raise VerificationError("target: layer structure differs from the one Ĝ was built for")
    opt = _request(meta)
    own = opt.arithmetic
    if arithmetic is not None:
        opt = options(**{**opt.as_json(), "arithmetic": choice(Arithmetic, "arithmetic", arithmetic)})
    ctx = context_for(opt.arithmetic)
    pl = plan(target, opt)
    claimed_plan = meta.get("plan")
    if claimed_plan != pl.as_json():
        raise VerificationError("meta: the plan (eps_w, k, law, block size, ...) differs from the recomputed one")
    checked = 0
    errors = []
    for i in range(target.layers):
        n, le = _check_layer(g, target, pl, opt.seed, i, ctx)
        checked += n
        errors.append(le)
    cert = certificate(
        target=target,
        errors=errors,
        norms=pl.norms,
        x_max=pl.x_max_eff,
        norm=opt.norm,
        arithmetic=opt.arithmetic,
        certified=ctx.certified,
    )
    max_err = max(as_fraction(e.max_abs) for e in errors)
    claimed = Fraction(str(meta["certified_bound"]["exact"]))
    if opt.arithmetic is own and cert.bound != claimed:  # another arithmetic gives another (valid) bound
        raise VerificationError(f"certified_bound={claimed}: recomputed {cert.bound}")
    ok, reason = decide(weight_eps=opt.weight_eps, eps=opt.eps, max_weight_error=max_err, bound=cert.bound)
    measured = measured_error(
        g.forward,
        target,
        x_max=opt.x_max,
        n=samples,
        seed=opt.seed,
        norm=opt.norm,
        nonnegative=opt.inputs_nonnegative,
    )
    if measured > float(cert.bound) * (1 + 1e-9) + 1e-12:
        raise VerificationError(f"measured error {measured:.3e} exceeds the certified bound {float(cert.bound):.3e}")
    return VerifyReport(checked, cert.bound, max_err, measured, ok, reason, opt.arithmetic)
