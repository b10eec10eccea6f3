"""``verify``: re-derive a Ĝ file's claims from the file's arrays, the seed and the target.

It trusts nothing in the file but its format: the request (``options`` in the meta) is validated as a
user's would be and the plan is recomputed from it and the target (eps_w, k, the law of G, the block
size must equal the file's); every kept weight is regenerated from the seed (G is a function of the
seed, block by block); every weight of G is kept at most once, and each kept intermediate neuron keeps
exactly one in-edge; the effective weights are rebuilt from the kept edges alone with the same
computation as the build (:mod:`~logprune.construct.effective`); the certificate, the largest weight
error, the share within eps_w and the decision are recomputed by the same function
(:func:`~logprune.construct.certify.assess`) and compared with the file's; the sizes are recounted; the
error is re-measured on seeded inputs and must stay below the certified bound.  What the file records
but ``verify`` cannot re-derive: the measured error (it may include the user's own inputs) and the
versions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from logprune.choices import Arithmetic, choice
from logprune.construct.attack import Attack, attack_request, bracket_line
from logprune.construct.certify import Assessment, assess, domain
from logprune.construct.effective import ErrorStats, column_errors, edge_products
from logprune.construct.ghat_file import GhatArrays, read_ghat
from logprune.construct.measure import measured_error
from logprune.construct.numeric import Context, context_for
from logprune.construct.options import Options, options
from logprune.construct.plan import Plan, plan
from logprune.construct.target import Target
from logprune.errors import LogpruneError

__all__ = ["VerificationError", "VerifyReport", "verify"]

T = TypeVar("T")


class VerificationError(LogpruneError, ValueError):
    """The file does not hold what it claims (tampered weights, wrong seed, wrong target, bad bound)."""


@dataclass(frozen=True)
class VerifyReport:
    """What verify re-derived, and the claim it was checked against."""

    regenerated: int
    assessment: Assessment
    measured_error: float
    request: Options
    compared_bound: bool  # False when another arithmetic than the file's was asked for
    attack: Attack | None = None  # the lower bracket, when asked for (:mod:`~logprune.construct.attack`)

    @property
    def ok(self) -> bool:
        return self.assessment.ok

    @property
    def certified_bound(self) -> Fraction:
        return self.assessment.certificate.bound

    @property
    def max_weight_error(self) -> Fraction:
        return self.assessment.max_weight_error

    def claim(self) -> str:
        r = self.request
        if r.weight_eps is not None:
            return f"every weight within weight_eps={r.weight_eps}"
        dom = self.assessment.certificate.domain
        return f"sup over {dom} of ||Ĝ(x) - F(x)||_{r.norm.value.removeprefix('l')} <= eps={r.eps}"

    def lines(self) -> list[str]:
        same = " (equal to the file's)" if self.compared_bound else f" (in {self.request.arithmetic} arithmetic)"
        return [
            f"claim: {self.claim()} (seed={self.request.seed}, {self.request.arithmetic} arithmetic)",
            f"regenerated and matched {self.regenerated} kept weights of G from the seed",
            f"recomputed certified bound: {float(self.certified_bound):.4e}{same}",
            f"max weight error: {float(self.max_weight_error):.4e}; measured error: {self.measured_error:.4e}",
            *([] if self.attack is None else [bracket_line(self.attack, self.certified_bound)]),
            f"{'OK' if self.ok else 'NOT OK'}: {self.assessment.reason}",
        ]

    def as_json(self) -> dict[str, Any]:
        a = self.assessment
        return {
            "ok": self.ok,
            "reason": a.reason,
            "claim": self.claim(),
            "request": self.request.as_json(),
            "regenerated": self.regenerated,
            "certified_bound": float(a.certificate.bound),
            "certified_bound_exact": str(a.certificate.bound),
            "certificate": a.certificate.as_json(),
            "max_weight_error": {"exact": str(a.max_weight_error), "decimal": f"{float(a.max_weight_error):.6e}"},
            "share_within_eps_w": a.within_eps_w,
            "measured_error": self.measured_error,
            **({} if self.attack is None else self.attack.as_json()),
            **(
                {}
                if self.attack is None or self.attack.error == 0
                else {"certified_over_found": float(a.certificate.bound / self.attack.error)}
            ),
        }


def _field(meta: Any, *keys: str, kind: Callable[[Any], T]) -> T:
    """meta[k1][k2]... read as ``kind``; a missing or malformed field is a verification failure."""
    v = meta
    try:
        for k in keys:
            v = v[k]
        return kind(v)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        raise VerificationError(f"meta: field {'.'.join(keys)} missing or malformed") from None


def _as_dict(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise TypeError("not a JSON object")
    return v


def _request(meta: dict[str, Any]) -> Options:
    doc = _field(meta, "options", kind=_as_dict)
    try:
        return options(**doc)
    except TypeError as exc:
        raise VerificationError(f"meta: options record not understood ({exc})") from None
    except LogpruneError as exc:
        raise VerificationError(f"meta: options record refused ({exc})") from None


def _check_layer(
    g: GhatArrays, target: Target, pl: Plan, seed: int, i: int, ctx: Context, sizes: list[int] | None
) -> tuple[int, ErrorStats]:
    """Regenerate the kept weights of target layer i and rebuild its error statistics from the edges."""
    W = target.weights[i]
    n_out, n_in = W.shape
    P, pool, net = pl.block, pl.pool, g.net
    width = pool.width(n_in, n_out, P)
    if net.shapes[2 * i] != (width, n_in) or net.shapes[2 * i + 1] != (n_out, width):
        raise VerificationError(
            f"layer {i + 1}: G's shapes {net.shapes[2 * i]}, {net.shapes[2 * i + 1]} do not "
            f"match block_size={P}, pooling={pool.kind}"
        )
    in_u, in_j, in_a = net.rows[2 * i], net.cols[2 * i], net.vals[2 * i]
    out_o, out_u, out_b = net.rows[2 * i + 1], net.cols[2 * i + 1], net.vals[2 * i + 1]
    if np.unique(in_u).size != in_u.size:
        raise VerificationError(f"layer {i + 1}: an intermediate neuron keeps two in-edges")
    in_block, out_block = pool.block_of(in_u, n_out, P), pool.block_of(out_u, n_out, P)
    if np.any(in_block != in_j):
        raise VerificationError(f"layer {i + 1}: a kept in-weight is not a weight this construction can keep")
    own_o, _ = pool.position(out_u, n_out, P)
    if np.any((own_o >= 0) & (own_o != out_o)):
        raise VerificationError(f"layer {i + 1}: a kept out-weight is not a weight this construction can keep")
    if sizes is not None:  # adaptive blocks: every kept neuron lies in its block's recorded prefix
        limit = np.asarray(sizes, dtype=np.int64)
        for kind, u, blk in (("in", in_u, in_block), ("out", out_u, out_block)):
            _, pos = pool.position(u, n_out, P)
            if np.any(pos >= limit[blk]):
                raise VerificationError(f"layer {i + 1}: a kept {kind}-weight lies beyond its block's recorded size")
    checked = 0
    for j in np.unique(np.concatenate([in_block, out_block])).tolist():
        a2, b = pl.draw_block(seed=seed, layer=i, block=j, n_out=n_out)
        sel_in, sel_out = in_block == j, out_block == j
        o_in, p_in = pool.position(in_u[sel_in], n_out, P)
        _, p_out = pool.position(out_u[sel_out], n_out, P)
        want_a = a2[np.maximum(o_in, 0), p_in]  # shared pools (o = -1): every row of a2 is the same
        want_b = b[out_o[sel_out], p_out]
        for kind, got, exp in (("in", in_a[sel_in], want_a), ("out", out_b[sel_out], want_b)):
            bad = np.nonzero(got != exp)[0]
            if bad.size:
                raise VerificationError(
                    f"layer {i + 1}: kept {kind}-weight of block {j} = {got[bad[0]]!r} but G regenerated from "
                    f"seed={seed} has {float(exp[bad[0]])!r}"
                )
        checked += int(sel_in.sum() + sel_out.sum())
    p = edge_products(
        in_u=in_u, in_j=in_j, in_a=in_a, out_o=out_o, out_u=out_u, out_b=out_b, width=width, branches=pl.branches[i]
    )
    order = np.argsort(p.j, kind="stable")
    p = type(p)(*(arr[order] for arr in p))
    bounds = np.searchsorted(p.j, np.arange(n_in + 1))
    stats = ErrorStats(n_out)
    for j in range(n_in):
        s = slice(bounds[j], bounds[j + 1])
        part = type(p)(*(arr[s] for arr in p))
        column_errors(ctx, w=W[:, j], branches=pl.branches[i], products=part, eps_w=pl.eps_w, into=stats)
    return checked, stats


def _block_sizes(meta: dict[str, Any], target: Target, pl: Plan) -> list[list[int]]:
    """The recorded sizes of adaptive blocks: one int in [1, P] per block of every layer."""
    doc = _field(meta, "block_sizes", kind=lambda v: v)
    ok = isinstance(doc, list) and len(doc) == target.layers
    if ok:
        for i, layer in enumerate(doc):
            ok = ok and isinstance(layer, list) and len(layer) == target.weights[i].shape[1]
            ok = ok and all(type(p) is int and 1 <= p <= pl.block for p in layer)
    if not ok:
        raise VerificationError("meta: block_sizes missing or malformed (one size in [1, P] per block)")
    return [list(layer) for layer in doc]


def _compare(meta: dict[str, Any], key: str, recomputed: Any, *sub: str) -> None:
    claimed = _field(meta, key, *sub, kind=lambda v: v)
    if claimed != recomputed:
        raise VerificationError(f"{'.'.join((key, *sub))}={claimed}: recomputed {recomputed}")


def verify(
    path: str | Path,
    target: Target,
    *,
    arithmetic: Arithmetic | str | None = None,
    samples: int = 256,
    attack_budget: tuple[int, int] | None = None,
) -> VerifyReport:
    """Re-derive Ĝ's claims (module doc); raises :class:`VerificationError` if any fails.

    ``arithmetic``: the context to recompute the errors in (default: the file's own).  ``attack_budget``
    = (restarts, steps): also search for the worst input (the lower bracket of the certificate); an input
    whose exact error exceeds a certified bound fails the verification."""
    g = read_ghat(path)
    meta = g.meta
    if _field(meta, "target", "sha256", kind=str) != target.digest:
        raise VerificationError("target: its sha256 differs from the one Ĝ was built for")
    if g.append_one != target.append_one or len(g.net.shapes) != 2 * target.layers:
        raise VerificationError("target: layer structure differs from the one Ĝ was built for")
    own = _request(meta)
    opt = (
        own if arithmetic is None else dataclasses.replace(own, arithmetic=choice(Arithmetic, "arithmetic", arithmetic))
    )
    pl = plan(target, opt)
    if meta.get("plan") != pl.as_json():
        raise VerificationError("meta: the plan (eps_w, k, law, block size, ...) differs from the recomputed one")
    ctx = context_for(opt.arithmetic)
    block_sizes = _block_sizes(meta, target, pl) if pl.adaptive else None
    checked = 0
    errors = []
    for i in range(target.layers):
        n, stats = _check_layer(g, target, pl, opt.seed, i, ctx, None if block_sizes is None else block_sizes[i])
        checked += n
        errors.append(stats)
    a = assess(
        ctx,
        target=target,
        errors=errors,
        norms=pl.norms,
        x_max=pl.x_max_eff,
        norm=opt.norm,
        eps=opt.eps,
        weight_eps=opt.weight_eps,
        domain=domain(x_max=opt.x_max, inputs_nonnegative=opt.inputs_nonnegative),
    )
    compared = opt.arithmetic is own.arithmetic  # another arithmetic gives another (valid) bound
    if compared:
        _compare(meta, "certified_bound", a.certificate.as_json())
        _compare(meta, "max_weight_error", str(a.max_weight_error), "exact")
        _compare(meta, "share_within_eps_w", a.within_eps_w)
    sizes = _field(meta, "sizes", kind=_as_dict)
    widths = target.widths
    sampled = (
        sum(
            pl.pool.sampled_per_block(widths[i + 1], p)
            for i, layer_sizes in enumerate(block_sizes)
            for p in layer_sizes
        )
        / target.n_weights
        if block_sizes is not None
        else pl.pool.sampled_per_target_weight(widths, pl.block)
    )
    recount = {
        "sampled_per_target_weight": sampled,
        "Ghat_weights": g.net.kept,
        "G_layer_shapes": [list(s) for s in g.net.shapes],
        "G_neurons": int(sum(s[0] for s in g.net.shapes)),
    }
    for k, v in recount.items():
        if sizes.get(k) != v:
            raise VerificationError(f"sizes.{k}={sizes.get(k)}: recounted {v}")
    measured = measured_error(
        g.net.forward,
        target,
        x_max=opt.x_max,
        n=samples,
        seed=opt.seed,
        norm=opt.norm,
        nonnegative=opt.inputs_nonnegative,
    )
    bound = a.certificate.bound
    if a.certificate.certified and measured > float(bound) * (1 + 1e-9) + 1e-12:
        raise VerificationError(f"measured error {measured:.3e} exceeds the certified bound {float(bound):.3e}")
    found = None
    if attack_budget is not None and opt.weight_eps is None:
        found = attack_request(g.net, target, opt, attack_budget)
        if a.certificate.certified and found.error > bound:
            raise VerificationError(f"an input has exact error {float(found.error):.6e} > certified {float(bound):.6e}")
    return VerifyReport(checked, a, measured, opt, compared, found)
