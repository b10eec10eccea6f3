"""``verify``: re-derive a Ĝ file's claims from the file's arrays, the seed and the target.

It trusts nothing in the file but its format (:func:`~logprune.construct.io.ghat_file.read_ghat`: the
contract's dtypes and shapes, indices inside their layer, every edge once, a strict JSON meta).  Every
field of the meta that can be derived is recomputed and compared, strictly (the JSON types too: ``1`` is
not ``1.0``, ``false`` is not ``"False"``), and a difference is one line ``field=value: recomputed X``:

- the meta holds exactly the fields of :data:`META_FIELDS` (``block_sizes`` exactly when the plan is
  adaptive); an unknown field is refused;
- ``format``; ``target`` (its sha256, widths, weight count and ``append_one``, from the target given);
  the arrays' ``append_one`` and layer count;
- ``options``, the request: every option present with its JSON type (:data:`OPTION_TYPES`: a boolean is
  a JSON boolean, the seed an integer, ...), validated as a user's request is
  (:func:`~logprune.construct.options.options`: the seed >= 0, the enumerations known, 0 < eps < 1, ...),
  and written in the one spelling construct writes (``"1/10"``, not ``"0.1"``);
- ``plan``, recomputed from the request and the target (eps_w and its decimal, k, the law, the block
  size, the norm bounds, ...);
- the allocations, before any block of G is drawn: one block as :meth:`~logprune.construct.plan.Plan.draw_block`
  draws it (P weights per in-pool and P·n_out out-weights, P from the recomputed plan) and G's widest
  layer (verify and Ĝ's forward pass index it) must each fit in :data:`MEMORY_LIMIT_BYTES`; G's layer
  shapes must be the plan's;
- the arrays: each kept intermediate neuron keeps exactly one in-edge and at least one out-edge (an edge
  to or from a neuron without the other carries nothing, and construct writes none), each kept weight is
  one this construction can keep, and equals G's weight regenerated from the seed (G is a function of
  the seed, block by block); so the exact work below is bounded by the file's own edges;
- ``block_sizes`` (adaptive blocks): each the least prefix of its block that covers the block's weights,
  decided by the build's own selection (covered at p, not at p - 1: coverage is monotone in p);
- ``certified_bound`` (exact, decimal, certified, context, domain), ``max_weight_error`` (exact and
  decimal), ``share_within_eps_w``: rebuilt from the kept edges alone by the build's own functions
  (:mod:`~logprune.construct.effective`, :func:`~logprune.construct.certificate.certify.assess`); ``sizes`` (every
  count); and the file's own claim must hold (construct writes no file that fails its request);
- the error is re-measured on seeded inputs and must stay below the certified bound.

Which weights the method chose is not re-derived (that is the construction itself, as costly as a
build): the kept weights are checked to be G's, and every claim to hold for them.

Not checkable (:data:`NOT_CHECKABLE`, reported as such): ``measured_error`` (it may include the user's own
inputs; only its type is checked: a number >= 0, or null) and ``versions`` (of the software that wrote
the file; a JSON object of strings).

The accuracy checked: the user's (``eps``: the recomputed certificate must be <= eps; ``weight_eps``: the
recomputed largest weight error must be <= weight_eps), independent of the file's claimed accuracy, or
without one the file's own claim, and the report says which (``accuracy_source``).  A claim the zero
network meets says nothing about Ĝ: eps >= x_max_eff·prod(a_i) (certified bounds a_i >= ||W_i||_2, so
that this bounds ||F(x)|| itself on the domain), or weight_eps >= w_max.  Such a claim is true, and the
report flags it as ``vacuous`` with the reason; the decision is unchanged (OK means the claim checked
holds), so check an accuracy of your own with ``eps``/``weight_eps``.

The numeric context: by default the file's own (a file built in ball arithmetic is verified in ball
arithmetic).  Asked for another, verify recomputes the errors and the bound in that arithmetic and does
not compare them with the file's (another arithmetic gives another, equally valid, bound): the report
says so and lists the records not compared.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from logprune.choices import Arithmetic, choice
from logprune.construct.build import Built, least_size, pick
from logprune.construct.certificate.attack import Attack, attack_request, bracket_line
from logprune.construct.certificate.certify import Assessment, assess, decide
from logprune.construct.effective import ErrorStats, column_errors, edge_products
from logprune.construct.io.ghat_file import FORMAT, GhatArrays, read_ghat
from logprune.construct.io.strict_json import MISSING, first_difference, json_type, show
from logprune.construct.measure import Measurement, measure
from logprune.construct.numeric import Context, context_for
from logprune.construct.options import OPTIONS, Options, json_types, options
from logprune.construct.plan import LAYER_MEMORY_LIMIT_BYTES, Plan, plan
from logprune.construct.plan import MEMORY_LIMIT_BYTES as PLAN_MEMORY_LIMIT_BYTES
from logprune.construct.result import Construction
from logprune.construct.target import Target
from logprune.display import html_pairs, one_line
from logprune.errors import LogpruneError, ParameterError, VerificationError
from logprune.progress import Bar
from logprune.progress import progress as progress_bar
from logprune.validation import check_positive

__all__ = [
    "MEMORY_LIMIT_BYTES",
    "META_FIELDS",
    "NOT_CHECKABLE",
    "OPTIONAL_OPTIONS",
    "OPTION_TYPES",
    "VerificationError",
    "VerifyReport",
    "verify",
]

# one block of G as drawn, or one index map over G's widest layer, at 8 bytes an entry; the genuine files
# of the benchmarks stay below 1 % of it (fc2: blocks of 4315 neurons with 301 weights each)
MEMORY_LIMIT_BYTES = PLAN_MEMORY_LIMIT_BYTES  # construct's own limit (logprune.construct.plan)

META_FIELDS = (
    "format",
    "target",
    "options",
    "plan",
    "block_sizes",
    "sizes",
    "certified_bound",
    "max_weight_error",
    "share_within_eps_w",
    "measured_error",
    "versions",
)
NOT_CHECKABLE = {
    "measured_error": "it may include the user's own inputs",
    "versions": "of the software that wrote the file",
}
# the records recomputed in the numeric context: not compared when another context is asked for
_CONTEXT_FIELDS = ("certified_bound", "max_weight_error", "share_within_eps_w")
# the JSON types of each option as construct writes them (the option table of logprune.construct.options), and the
# options a file may lack (written only when set, or written only by later versions)
OPTION_TYPES: dict[str, tuple[str, ...]] = json_types()
OPTIONAL_OPTIONS = frozenset(o.name for o in OPTIONS if o.optional_record)


@dataclass(frozen=True, kw_only=True)
class VerifyReport:
    """What verify re-derived, and the claim it was checked against."""

    regenerated: int
    assessment: Assessment  # the recomputed certificate, and the decision on the claim checked
    measured_error: float
    request: Options  # the file's request, in the arithmetic the errors were recomputed in
    compared_bound: bool  # False when another arithmetic than the file's was asked for
    attack: Attack | None = None  # the lower bracket, when asked for (:mod:`~logprune.construct.certificate.attack`)
    accuracy_source: str = "file"  # "user": eps/weight_eps given to verify; "file": the file's own claim
    eps: Fraction | None = None  # the accuracy checked (one of the two)
    weight_eps: Fraction | None = None
    vacuous: str | None = None  # why the claim checked says nothing of Ĝ, when the zero network meets it
    file_arithmetic: Arithmetic = Arithmetic.EXACT
    measurement: Measurement | None = None  # the measured error, with the given inputs' place in the domain

    @property
    def ok(self) -> bool:
        return self.assessment.ok

    @property
    def certified_bound(self) -> Fraction:
        return self.assessment.certificate.bound

    @property
    def max_weight_error(self) -> Fraction:
        return self.assessment.max_weight_error

    def _claim(self, eps: Fraction | None, weight_eps: Fraction | None) -> str:
        if weight_eps is not None:
            return f"every weight within weight_eps={weight_eps}"
        dom = self.assessment.certificate.domain
        return f"sup over {dom} of ||Ĝ(x) - F(x)||_{self.request.norm.value.removeprefix('l')} <= eps={eps}"

    def claim(self) -> str:
        """The claim checked: the user's accuracy, or the file's own."""
        return self._claim(self.eps, self.weight_eps)

    def file_claim(self) -> str:
        """The file's own claim (its request)."""
        return self._claim(self.request.eps, self.request.weight_eps)

    @property
    def not_compared(self) -> tuple[str, ...]:
        return () if self.compared_bound else _CONTEXT_FIELDS

    def lines(self) -> list[str]:
        r = self.request
        if self.accuracy_source == "user":
            own = "holds" if self.compared_bound else f"not re-decided in {r.arithmetic} arithmetic"
            head = [f"claim checked: the user's: {self.claim()}", f"the file's own claim ({own}): {self.file_claim()}"]
        else:
            head = [f"claim checked: the file's: {self.claim()} (give --eps or --weight-eps to check yours)"]
        bound = f"recomputed certified bound: {float(self.certified_bound):.4e}"
        if self.compared_bound:
            bound += " (equal to the file's)"
        else:
            bound += (
                f" in {r.arithmetic} arithmetic; the file's records in {self.file_arithmetic} arithmetic "
                f"({', '.join(self.not_compared)}) are not compared"
            )
        return [
            *head,
            f"seed={r.seed}; errors recomputed in {r.arithmetic} arithmetic (the file's: {self.file_arithmetic})",
            f"regenerated and matched {self.regenerated} kept weights of G from the seed",
            bound,
            f"max weight error: {float(self.max_weight_error):.4e}; "
            + (
                f"measured error: {self.measured_error:.4e}"
                if self.measurement is None
                else self.measurement.line(self.assessment.certificate.domain)
            ),
            "not checkable: " + "; ".join(f"{k} ({why})" for k, why in NOT_CHECKABLE.items()),
            *([] if self.vacuous is None else [f"vacuous claim: {self.vacuous}"]),
            *([] if self.attack is None else [bracket_line(self.attack, self.certified_bound)]),
            f"{'OK' if self.ok else 'NOT OK'}: {self.assessment.reason}" + self._outside_note(),
        ]

    def _outside_note(self) -> str:
        m = self.measurement
        if m is None or not m.outside:
            return ""
        return (
            f" (for {self.assessment.certificate.domain} only: {m.outside} of the {m.given} given inputs lie "
            "outside it, their error is not certified)"
        )

    def __repr__(self) -> str:
        return one_line(
            "VerifyReport",
            [
                "OK" if self.ok else "NOT OK",
                self.claim(),
                f"recomputed certified bound {float(self.certified_bound):.4e}",
                f"{self.regenerated:,} kept weights regenerated from seed={self.request.seed}",
            ],
        )

    def _repr_html_(self) -> str:
        pairs = []
        for line in self.lines():
            key, sep, value = line.partition(": ")
            pairs.append((key, value) if sep and len(key) <= 40 else ("", line))
        return html_pairs("verify: every claim of the file re-derived", pairs)

    def as_json(self) -> dict[str, Any]:
        a = self.assessment
        return {
            "ok": self.ok,
            "reason": a.reason,
            "accuracy_source": self.accuracy_source,
            "checked": {
                "eps": None if self.eps is None else str(self.eps),
                "weight_eps": None if self.weight_eps is None else str(self.weight_eps),
            },
            "claim": self.claim(),
            "file_claim": self.file_claim(),
            "vacuous": self.vacuous is not None,
            "vacuous_reason": self.vacuous,
            "request": self.request.as_json(),
            "context": self.request.arithmetic.value,
            "file_context": self.file_arithmetic.value,
            "not_compared": list(self.not_compared),
            "not_checkable": dict(NOT_CHECKABLE),
            "regenerated": self.regenerated,
            "certified_bound": float(a.certificate.bound),
            "certified_bound_exact": str(a.certificate.bound),
            "certificate": a.certificate.as_json(),
            "max_weight_error": {"exact": str(a.max_weight_error), "decimal": f"{float(a.max_weight_error):.6e}"},
            "share_within_eps_w": a.within_eps_w,
            "measured_error": self.measured_error,
            **({} if self.measurement is None or not self.measurement.given else self.measurement.as_json()),
            **({} if self.attack is None else self.attack.as_json()),
            **(
                {}
                if self.attack is None or self.attack.error == 0
                else {"certified_over_found": float(a.certificate.bound / self.attack.error)}
            ),
        }


def _compare(claimed: Any, recomputed: Any, path: str) -> None:
    """The first difference of a record from its recomputation, as verify's one-line error."""
    diff = first_difference(claimed, recomputed, path, fields_of=FORMAT)
    if diff is not None:
        raise VerificationError(diff)


# -- the meta, field by field --


def _check_fields(meta: dict[str, Any]) -> None:
    """Exactly the fields of the format, and the types of the two records verify cannot check."""
    for k in meta:
        if k not in META_FIELDS:
            raise VerificationError(f"meta.{k}={show(meta[k])}: not a field of {FORMAT} ({', '.join(META_FIELDS)})")
    for k in META_FIELDS:
        if k != "block_sizes" and k not in meta:
            raise VerificationError(f"meta.{k}: missing")
    m = meta["measured_error"]
    if m is not None and not (json_type(m) in ("integer", "number") and math.isfinite(m) and m >= 0):
        raise VerificationError(f"measured_error={show(m)}: expected a number >= 0 or null (it is not checkable)")
    v = meta["versions"]
    if not (isinstance(v, dict) and all(isinstance(x, str) for x in v.values())):
        raise VerificationError(f"versions={show(v)}: expected an object of strings (it is not checkable)")


def _check_target(meta: dict[str, Any], g: GhatArrays, target: Target) -> None:
    doc = meta["target"]
    sha = doc.get("sha256", MISSING) if isinstance(doc, dict) else MISSING
    if sha != target.digest:
        raise VerificationError(
            f"target.sha256={show(sha)}: the target given has sha256 {target.digest} (Ĝ was built for another)"
        )
    _compare(doc, target.as_json(), "target")
    if g.append_one is not target.append_one:
        raise VerificationError(
            f"append_one={g.append_one}: recomputed {target.append_one} (the target's bias rewrite)"
        )
    if len(g.net.shapes) != 2 * target.layers:
        raise VerificationError(
            f"layers={len(g.net.shapes)}: recomputed {2 * target.layers} (two layers of G per target layer)"
        )


def _request(doc: Any) -> Options:
    """The file's request, read as strictly as it is written (module doc)."""
    if not isinstance(doc, dict):
        raise VerificationError(f"options={show(doc)}: expected a JSON object")
    for k in doc:
        if k not in OPTION_TYPES:
            raise VerificationError(f"options.{k}={show(doc[k])}: not an option ({', '.join(OPTION_TYPES)})")
    for k, kinds in OPTION_TYPES.items():
        if k not in doc:
            if k in OPTIONAL_OPTIONS:
                continue
            raise VerificationError(f"options.{k}: missing")
        if json_type(doc[k]) not in kinds:
            raise VerificationError(f"options.{k}={show(doc[k])}: expected a JSON {' or '.join(kinds)}")
    try:
        opt = options(**doc)
    except LogpruneError as exc:
        raise VerificationError(f"options refused: {exc}") from None
    _compare(doc, opt.as_json(), "options")
    return opt


def _block_sizes(meta: dict[str, Any], target: Target, pl: Plan) -> list[list[int]] | None:
    """The recorded sizes of adaptive blocks (one int in [0, P] per block of every layer), present
    exactly when the plan is adaptive; that each is the least covering prefix is checked per block."""
    if not pl.adaptive:
        if "block_sizes" in meta:
            raise VerificationError(
                f"block_sizes={show(meta['block_sizes'])}: recorded for a plan without adaptive blocks"
            )
        return None
    doc = meta.get("block_sizes", MISSING)
    ok = isinstance(doc, list) and len(doc) == target.layers
    if ok:
        for i, layer in enumerate(doc):
            ok = ok and isinstance(layer, list) and len(layer) == target.weights[i].shape[1]
            ok = ok and all(type(p) is int and 0 <= p <= pl.layer(i).block for p in layer)
    if not ok:
        raise VerificationError(
            f"block_sizes={show(doc)}: expected one size in [0, P] per block of every layer (P = "
            f"{', '.join(str(pl.layer(i).block) for i in range(target.layers))})"
        )
    return [list(layer) for layer in doc]


def _check_shapes(g: GhatArrays, target: Target, pl: Plan) -> None:
    """G's layer shapes are the plan's, and neither one block of G as drawn nor G's widest layer exceeds
    its limit (:data:`MEMORY_LIMIT_BYTES`, ``LAYER_MEMORY_LIMIT_BYTES`` of the plan): checked before any
    block is drawn (P comes from the recomputed plan, so
    a request for blocks of 10^8 neurons is refused here, not by the memory of the machine)."""
    pool, shapes = pl.pool, g.net.shapes
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        P = pl.layer(i).block
        width = pool.width(n_in, n_out, P)
        for what, count, name, limit in (
            ("one block of G", pool.sampled_per_block(n_out, P), "MEMORY_LIMIT_BYTES", MEMORY_LIMIT_BYTES),
            ("G's layer", width, "LAYER_MEMORY_LIMIT_BYTES", LAYER_MEMORY_LIMIT_BYTES),
        ):
            if 8 * count > limit:
                raise VerificationError(
                    f"plan.block_size={P}: {what} for target layer {i + 1} has {count} entries "
                    f"({8 * count / 2**30:.3g} GiB at 8 bytes), above verify's limit {name}={limit}"
                )
        for t, want in ((2 * i, (width, n_in)), (2 * i + 1, (n_out, width))):
            if shapes[t] != want:
                raise VerificationError(
                    f"w{t + 1}_shape={list(shapes[t])}: recomputed {list(want)} (block_size={P}, pooling={pool.kind})"
                )


def _covers(pl: Plan, a2: np.ndarray, b: np.ndarray, w: np.ndarray, layer: int, size: int) -> bool:
    return not any(p.missing for p in pick(pl, a2[:, :size], b[:, :size], w, layer))


def _check_block_size(pl: Plan, a2: np.ndarray, b: np.ndarray, w: np.ndarray, i: int, j: int, size: int) -> None:
    """``size`` is the least prefix of block j that covers its weights: covered at ``size`` and, unless it
    is the selection's smallest block, not at ``size - 1`` (the build's own search, least_true)."""
    start = pl.selection.min_block
    if size < start or not _covers(pl, a2, b, w, i, size) or (size > start and _covers(pl, a2, b, w, i, size - 1)):
        raise VerificationError(
            f"block_sizes[{i}][{j}]={size}: recomputed {least_size(pl, a2, b, w, i)} "
            "(the least prefix of the block that covers its weights)"
        )


def _check_layer(
    g: GhatArrays, target: Target, pl: Plan, seed: int, i: int, ctx: Context, sizes: list[int] | None, bar: Bar
) -> tuple[int, ErrorStats]:
    """Regenerate the kept weights of target layer i and rebuild its error statistics from the edges (the bar
    advances by one per block drawn and one per column recomputed, 2·n_in for the layer in all)."""
    W = target.weights[i]
    n_out, n_in = W.shape
    P, pool, net = pl.layer(i).block, pl.pool, g.net
    name = f"layer {i + 1} (w{2 * i + 1}, w{2 * i + 2})"
    in_u, in_j, in_a = net.rows[2 * i], net.cols[2 * i], net.vals[2 * i]
    out_o, out_u, out_b = net.rows[2 * i + 1], net.cols[2 * i + 1], net.vals[2 * i + 1]
    kept = np.unique(in_u)
    if kept.size != in_u.size:
        raise VerificationError(f"{name}: an intermediate neuron keeps two in-edges")
    if not np.array_equal(kept, np.unique(out_u)):
        raise VerificationError(
            f"{name}: a kept intermediate neuron lacks its in-edge or every out-edge (construct keeps both)"
        )
    in_block, out_block = pool.block_of(in_u, n_out, P), pool.block_of(out_u, n_out, P)
    if np.any(in_block != in_j):
        raise VerificationError(f"{name}: a kept in-weight is not a weight this construction can keep")
    own_o, _ = pool.position(out_u, n_out, P)
    if np.any((own_o >= 0) & (own_o != out_o)):
        raise VerificationError(f"{name}: a kept out-weight is not a weight this construction can keep")
    if sizes is not None:  # adaptive blocks: every kept neuron lies in its block's recorded prefix
        limit = np.asarray(sizes, dtype=np.int64)
        for kind, u, blk in (("in", in_u, in_block), ("out", out_u, out_block)):
            _, pos = pool.position(u, n_out, P)
            if np.any(pos >= limit[blk]):
                raise VerificationError(f"{name}: a kept {kind}-weight lies beyond its block's recorded size")
    checked = 0
    # adaptive: every block is drawn, its recorded size re-derived; else only the blocks that keep weights
    blocks = range(n_in) if sizes is not None else np.unique(np.concatenate([in_block, out_block])).tolist()
    for j in blocks:
        a2, b = pl.draw_block(seed=seed, layer=i, block=j, n_out=n_out)
        if sizes is not None:
            _check_block_size(pl, a2, b, W[:, j], i, j, sizes[j])
        sel_in, sel_out = in_block == j, out_block == j
        o_in, p_in = pool.position(in_u[sel_in], n_out, P)
        _, p_out = pool.position(out_u[sel_out], n_out, P)
        want_a = a2[np.maximum(o_in, 0), p_in]  # shared pools (o = -1): every row of a2 is the same
        want_b = b[out_o[sel_out], p_out]
        for kind, got, exp in (("in", in_a[sel_in], want_a), ("out", out_b[sel_out], want_b)):
            bad = np.nonzero(got != exp)[0]
            if bad.size:
                raise VerificationError(
                    f"{name}: kept {kind}-weight of block {j} = {got[bad[0]]!r} but G regenerated from "
                    f"seed={seed} has {float(exp[bad[0]])!r}"
                )
        bar.update(1)
        checked += int(sel_in.sum() + sel_out.sum())
    # the kept neurons renumbered 0..m-1: index maps of Ĝ's size, not of G's width
    _, compact = np.unique(np.concatenate([in_u, out_u]), return_inverse=True)
    p = edge_products(
        in_u=compact[: in_u.size],
        in_j=in_j,
        in_a=in_a,
        out_o=out_o,
        out_u=compact[in_u.size :],
        out_b=out_b,
        width=kept.size,
        branches=pl.branches[i],
    )
    order = np.argsort(p.j, kind="stable")
    p = type(p)(*(arr[order] for arr in p))
    bounds = np.searchsorted(p.j, np.arange(n_in + 1))
    stats = ErrorStats(n_out=n_out)
    bar.update(n_in - len(blocks))  # the blocks that keep nothing are not drawn
    for j in range(n_in):
        bar.update(1)
        s = slice(bounds[j], bounds[j + 1])
        part = type(p)(*(arr[s] for arr in p))
        column_errors(ctx, w=W[:, j], branches=pl.branches[i], products=part, eps_w=pl.layer(i).eps_w, into=stats)
    return checked, stats


def _accuracy(eps: Any, weight_eps: Any) -> tuple[Fraction | None, Fraction | None]:
    """The user's accuracy: any positive number (an absolute accuracy that is only compared, so not
    restricted to construct's 0 < eps < 1), at most one of the two."""
    if eps is not None and weight_eps is not None:
        raise ParameterError(f"eps={eps}: give eps or weight_eps, not both (weight_eps={weight_eps})")
    return (
        None if eps is None else check_positive("eps", eps),
        None if weight_eps is None else check_positive("weight_eps", weight_eps),
    )


def _vacuous(target: Target, pl: Plan, eps: Fraction | None, weight_eps: Fraction | None) -> str | None:
    """Why the claim is met by the zero network (so says nothing of Ĝ), or None."""
    if weight_eps is not None:
        w_max = Fraction(target.w_max)
        if weight_eps >= w_max:
            return f"weight_eps={weight_eps} >= w_max={float(w_max):.4e}: the zero network is within it of every weight"
        return None
    assert eps is not None
    scale = pl.x_max_eff * math.prod(pl.norms, start=Fraction(1))
    if eps >= scale:
        return (
            f"eps={eps} >= {float(scale):.4e} = x_max_eff·prod(||W_i||_2 bounds), which bounds ||F(x)|| itself "
            "on the domain: the zero network meets it"
        )
    return None


def verify(
    path: str | Path,
    target: Target,
    *,
    arithmetic: Arithmetic | str | None = None,
    eps: Any = None,
    weight_eps: Any = None,
    samples: int = 256,
    attack_budget: tuple[int, int] | None = None,
    inputs: np.ndarray | None = None,
    progress: bool = False,
) -> VerifyReport:
    """Re-derive Ĝ's claims (module doc); raises :class:`VerificationError` if any fails.

    ``eps`` / ``weight_eps``: the user's accuracy to check (at most one; default: the file's own claim).
    ``arithmetic``: the context to recompute the errors in (default: the file's own).  ``attack_budget``
    = (restarts, steps): also search for the worst input (the lower bracket of the certificate); an input
    whose exact error exceeds a certified bound fails the verification.  ``inputs`` (rows): measured too, and
    those outside the certified domain are counted apart (the report says so).  ``progress``: a bar over the
    blocks regenerated and the columns recomputed."""
    user_eps, user_weight_eps = _accuracy(eps, weight_eps)
    g = read_ghat(path)
    meta = g.meta
    _check_fields(meta)
    _check_target(meta, g, target)
    own = _request(meta["options"])
    opt = (
        own if arithmetic is None else dataclasses.replace(own, arithmetic=choice(Arithmetic, "arithmetic", arithmetic))
    )
    # a request options() accepts may still be refused for this target (a width beyond the memory limit,
    # segments without one k per layer): plan's own one-line ParameterError, as construct would give
    pl = plan(target, opt)
    _compare(meta["plan"], pl.as_json(), "plan")
    block_sizes = _block_sizes(meta, target, pl)
    _check_shapes(g, target, pl)  # before any block of G is drawn
    ctx = context_for(opt.arithmetic)
    checked = 0
    errors = []
    columns = sum(W.shape[1] for W in target.weights)
    with progress_bar(
        total=2 * columns, desc="verify: regenerating G and the errors", unit="column", show=progress
    ) as bar:
        for i in range(target.layers):
            sizes = None if block_sizes is None else block_sizes[i]
            n, stats = _check_layer(g, target, pl, opt.seed, i, ctx, sizes, bar)
            checked += n
            errors.append(stats)
    a = assess(
        ctx,
        target=target,
        errors=errors,
        norms=pl.norms,
        x_eff=pl.x_max_eff,
        domain=opt.domain,
        eps=opt.eps,
        weight_eps=opt.weight_eps,
    )
    compared = opt.arithmetic is own.arithmetic  # another arithmetic gives another (valid) bound
    built = Built(g.net, tuple(errors), (), tuple(tuple(z) for z in block_sizes or ()))
    recomputed = Construction(
        target=target, options=own, plan=pl, built=built, assessment=a, measured_error=None, seconds=0.0
    ).meta()  # what construct would write
    for key in META_FIELDS:
        if key in NOT_CHECKABLE or (not compared and key in _CONTEXT_FIELDS) or key not in recomputed:
            continue
        _compare(meta.get(key, MISSING), recomputed[key], key)
    if compared and not a.ok:
        key = "eps" if own.weight_eps is None else "weight_eps"
        raise VerificationError(
            f"options.{key}={getattr(own, key)}: the file's own claim does not hold ({a.reason}); construct "
            "writes no such file"
        )
    source = "file" if user_eps is None and user_weight_eps is None else "user"
    if source == "user":
        ok, reason = decide(
            weight_eps=user_weight_eps,
            eps=user_eps,
            max_weight_error=a.max_weight_error,
            bound=a.certificate.bound,
            certified=ctx.certified,
        )
        a = dataclasses.replace(a, ok=ok, reason=reason)
        checked_eps, checked_weight_eps = user_eps, user_weight_eps
    else:
        checked_eps, checked_weight_eps = opt.eps, opt.weight_eps
    m = measure(g.net.forward, target, domain=opt.domain, n=samples, seed=opt.seed, extra=inputs)
    measured = m.error
    bound = a.certificate.bound
    if a.certificate.certified and measured > float(bound) * (1 + 1e-9) + 1e-12:
        raise VerificationError(f"measured error {measured:.3e} exceeds the certified bound {float(bound):.3e}")
    found = None
    if attack_budget is not None and opt.weight_eps is None:
        found = attack_request(g.net, target, opt, attack_budget)
        if a.certificate.certified and found.error > bound:
            raise VerificationError(f"an input has exact error {float(found.error):.6e} > certified {float(bound):.6e}")
    return VerifyReport(
        regenerated=checked,
        assessment=a,
        measured_error=measured,
        request=opt,
        compared_bound=compared,
        attack=found,
        accuracy_source=source,
        eps=checked_eps,
        weight_eps=checked_weight_eps,
        vacuous=_vacuous(target, pl, checked_eps, checked_weight_eps),
        file_arithmetic=own.arithmetic,
        measurement=m,
    )
