"""The one entry point of a construction: target + options -> :class:`Construction`.

The CLI, the benchmarks and the checks all call :func:`construct`; a :class:`Construction` holds Ĝ,
the certificate, the measured error, the decision and the uncovered items, and formats itself (the
human summary, a JSON summary, the Ĝ file).

>>> from logprune.construct.options import options
>>> from logprune.construct.target import demo_target
>>> c = construct(demo_target()[0], options(eps="0.01"))
>>> c.ok, c.plan.k, c.plan.block
(True, 27, 1500)
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from logprune import __version__
from logprune.choices import Arithmetic, Method
from logprune.construct.attack import Attack, attack_request, bracket_line
from logprune.construct.build import Built, Shared, build_layers, run_block
from logprune.construct.certify import Assessment, Certificate, assess, domain
from logprune.construct.compose import CELL_BUDGET
from logprune.construct.effective import ErrorStats
from logprune.construct.ghat_file import FORMAT, GhatArrays, write_ghat
from logprune.construct.measure import measured_error
from logprune.construct.numeric import context_for
from logprune.construct.options import Options
from logprune.construct.plan import Plan, plan
from logprune.construct.refine import LayerModel, propose
from logprune.construct.target import Target
from logprune.errors import LogpruneError, ParameterError

__all__ = ["Construction", "Probe", "Search", "Uncovered", "construct", "construct_a_posteriori", "probe"]

MEASURE_SAMPLES = 256


@dataclass(frozen=True)
class Uncovered:
    """An item G was too small for: (layer, output, input, branch, segment), 1-based layer when shown."""

    layer: int
    output: int
    input: int
    branch: int
    segment: int

    def __str__(self) -> str:
        return (
            f"(layer {self.layer + 1}, output {self.output}, input {self.input}, "
            f"branch {'+-'[self.branch]}, segment {self.segment})"
        )


def _ks(k: int | tuple[int, ...]) -> str:
    return str(k) if isinstance(k, int) else "(" + ", ".join(map(str, k)) + ")"


@dataclass(frozen=True)
class Search:
    """The a-posteriori choice of k: every k built, its certificate, whether it met eps, and its time."""

    k_a_priori: int
    # (k, or one k per layer, certified bound, ok, seconds)
    tries: tuple[tuple[int | tuple[int, ...], Fraction, bool, float], ...]
    probe: Probe | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "k_a_priori": self.k_a_priori,
            **({} if self.probe is None else {"probe": self.probe.as_json()}),
            "tries": [
                {
                    "k": k if isinstance(k, int) else list(k),
                    "certified_bound": float(b),
                    "ok": ok,
                    "seconds": round(t, 3),
                }
                for k, b, ok, t in self.tries
            ],
        }

    def line(self) -> str:
        shown = ", ".join(f"k={_ks(k)}: {float(b):.3e} {'ok' if ok else 'over eps'}" for k, b, ok, _ in self.tries)
        probed = (
            ""
            if self.probe is None
            else f"probe at k={self.probe.k} ({max(self.probe.columns)} blocks a layer, {self.probe.seconds:.1f} s); "
        )
        return f"a-posteriori k (a-priori k = {self.k_a_priori}): {probed}built and certified: {shown}"


class ConstructionFailedError(LogpruneError, ValueError):
    """A Ĝ that does not meet its request is never written."""


@dataclass(frozen=True)
class Construction:
    """Ĝ with its certificate, its measured error, the decision and the record of how it was built."""

    target: Target
    options: Options
    plan: Plan
    built: Built
    assessment: Assessment
    measured_error: float | None  # None when not measured (construct(measure=False))
    seconds: float  # plan, build and certificate; the measurement of the error is not included
    attack: Attack | None = None  # the certificate's lower bracket, when asked for
    search: Search | None = None  # the a-posteriori search that chose k, when it ran

    @property
    def certificate(self) -> Certificate:
        return self.assessment.certificate

    @property
    def max_weight_error(self) -> Fraction:
        return self.assessment.max_weight_error

    @property
    def within_eps_w(self) -> float:
        """Share of (weight, branch) errors <= eps_w (exact comparisons)."""
        return self.assessment.within_eps_w

    @property
    def ok(self) -> bool:
        return self.assessment.ok

    @property
    def reason(self) -> str:
        return self.assessment.reason

    @property
    def uncovered(self) -> tuple[Uncovered, ...]:
        return tuple(Uncovered(*m) for m in self.built.missing)

    @property
    def kept(self) -> int:
        return self.built.net.kept

    @property
    def g_neurons(self) -> int:
        return int(sum(s[0] for s in self.built.net.shapes))

    @property
    def g_weights(self) -> int:
        return int(sum(s[0] * s[1] for s in self.built.net.shapes))

    def sampled_by_layer(self) -> tuple[int, ...]:
        """G's keepable (sampled) weights of each target layer, from the pooling's geometry and the blocks'
        sizes (exact: every block sampled its layer's P, or its own least covering prefix when adaptive)."""
        pl, widths = self.plan, self.target.widths
        if not pl.adaptive:
            return tuple(
                widths[i] * pl.pool.sampled_per_block(widths[i + 1], pl.layer(i).block) for i in range(len(widths) - 1)
            )
        return tuple(
            sum(pl.pool.sampled_per_block(widths[i + 1], p) for p in sizes)
            for i, sizes in enumerate(self.built.block_sizes)
        )

    @property
    def sampled_per_target_weight(self) -> float:
        """G's keepable (sampled) weights per target weight (:meth:`sampled_by_layer`, summed)."""
        total = sum(self.sampled_by_layer())
        return total / self.target.n_weights

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Ĝ on a batch (float64), following the file's forward rule."""
        return self.built.net.forward(x)

    def sizes(self) -> dict[str, Any]:
        return {
            "G_neurons": self.g_neurons,
            "G_weights": self.g_weights,
            "Ghat_weights": self.kept,
            "G_layer_shapes": [list(s) for s in self.built.net.shapes],
            "kept_per_target_weight": self.kept / self.target.n_weights,
            "sampled_per_target_weight": self.sampled_per_target_weight,
        }

    def meta(self) -> dict[str, Any]:
        """The record written into the Ĝ file (:mod:`~logprune.construct.ghat_file`)."""
        return {
            "format": FORMAT,
            "options": self.options.as_json(),
            "plan": self.plan.as_json(),
            "certified_bound": self.certificate.as_json(),
            "max_weight_error": {
                "exact": str(self.max_weight_error),
                "decimal": f"{float(self.max_weight_error):.6e}",
            },
            "share_within_eps_w": self.within_eps_w,
            "measured_error": self.measured_error,
            "target": self.target.as_json(),
            "sizes": self.sizes(),
            **({"block_sizes": [list(z) for z in self.built.block_sizes]} if self.plan.adaptive else {}),
            "versions": {"logprune": __version__, "numpy": np.__version__},
        }

    def as_json(self) -> dict[str, Any]:
        """A JSON summary: the meta of the file, the decision, the time and the first uncovered items."""
        shown = [str(u) for u in self.uncovered[:20]]
        return {
            **self.meta(),
            "ok": self.ok,
            "reason": self.reason,
            "seconds": self.seconds,
            "uncovered": shown,
            "uncovered_count": len(self.built.missing),
            **({} if self.attack is None else self.attack.as_json()),
            **({} if self.search is None else {"a_posteriori": self.search.as_json()}),
        }

    def write(self, path: str | Path) -> None:
        """Write Ĝ atomically; a construction that failed is never written."""
        if not self.ok:
            raise ConstructionFailedError(f"out={path}: the construction failed ({self.reason}); nothing written")
        if self.certificate.cell_budget != CELL_BUDGET:  # verify recomputes with the default budget
            raise ConstructionFailedError(
                f"out={path}: certified with cell_budget={self.certificate.cell_budget} (a quick decision); "
                f"a Ĝ file is certified with the default {CELL_BUDGET}"
            )
        write_ghat(path, GhatArrays(self.built.net, self.target.append_one, self.meta()))

    def failure_message(self) -> str | None:
        """The one-line reason of a failure (None when ok)."""
        if self.ok:
            return None
        miss = self.uncovered
        shown = ", ".join(str(m) for m in miss[:5])
        more = f" and {len(miss) - 5} more" if len(miss) > 5 else ""
        if miss:
            what = f"uncovered: {shown}{more}"
        elif self.options.segments is not None:  # k was fixed: the certificate of this Ĝ is above eps
            what = f"every segment was covered; {self.reason} at segments={self.options.segments} (a larger k)"
        else:
            what = "every segment was covered, the bound is too weak"
        return f"construction failed (G too small for eps); {what}"

    def summary_lines(self, out: str | None = None) -> list[str]:
        """The human summary printed by ``logprune construct`` and ``logprune demo``."""
        pl, opt, cert = self.plan, self.options, self.certificate
        tw = self.target.n_weights
        mode = (
            f"per-weight tolerance weight_eps={opt.weight_eps}"
            if opt.weight_eps is not None
            else f"certified output eps={opt.eps} ({opt.norm} norm, {cert.domain})"
        )
        sizes = [p for layer in self.built.block_sizes for p in layer]
        caps = ", ".join(str(lp.block) for lp in pl.per_layer)
        bound_note = (
            f"adaptive, the least covering prefix of each block, at most {caps} by layer "
            f"(mean {sum(sizes) / max(len(sizes), 1):.2f}, max {max(sizes, default=0)})"
            if pl.adaptive and pl.per_layer
            else f"adaptive, the least covering prefix of each block, at most {pl.block} "
            f"(mean {sum(sizes) / max(len(sizes), 1):.2f}, max {max(sizes, default=0)})"
            if pl.adaptive
            else "by layer "
            + ", ".join(
                f"{lp.block}" + ("" if lp.block_from_bound is None else f" (bound: {lp.block_from_bound})")
                for lp in pl.per_layer
            )
            if pl.per_layer
            else f"{pl.block} (bound: {pl.block_from_bound})"
            if pl.block_from_bound is not None
            else f"{pl.block} (default: {pl.block_source})"
            if pl.block_source is not None
            else f"{pl.block} (no bound for this method/law)"
        )
        return [
            f"target: widths {list(self.target.original_widths)}, {tw} weights"
            + (" (+ biases folded into a constant-1 neuron)" if self.target.append_one else ""),
            f"mode: {mode}; method={opt.method}"
            + (f" (prune={opt.prune})" if opt.method is Method.SUBSET_SUM else "")
            + f", pooling={opt.pooling}, signs={opt.signs}, dist={opt.dist}, seed={opt.seed}, "
            f"delta={opt.delta}",
            (
                f"per-weight accuracy eps_w = {float(pl.eps_w):.4g}, k = {pl.k} segments, coverage c = {pl.coverage}"
                if not pl.per_layer
                else "per-weight accuracy by layer: "
                + "; ".join(f"eps_w = {float(lp.eps_w):.4g}, k = {lp.k}" for lp in pl.per_layer)
            ),
            f"G: depth {len(self.built.net.shapes)}, {self.g_neurons} neurons, {self.g_weights} weights; "
            f"block size P = {bound_note}",
            f"G sampled (keepable) weights per target weight: {self.sampled_per_target_weight:.2f}",
            f"Ĝ: {self.kept} kept weights = {self.kept / tw:.3f} per target weight",
            f"max |effective weight - target weight| = {float(self.max_weight_error):.4e} (exact); "
            f"{100 * self.within_eps_w:.2f} % of them <= eps_w",
            f"certified bound sup over {cert.domain} of ||Ĝ(x)-F(x)|| <= {float(cert.bound):.4e} ({cert.arithmetic}"
            + (", certified)" if cert.certified else ", float estimate: not a certificate)"),
            "measured error on sample inputs: "
            + ("not measured" if self.measured_error is None else f"{self.measured_error:.4e}"),
            *([] if self.attack is None else [bracket_line(self.attack, cert.bound)]),
            *([] if self.search is None else [self.search.line()]),
            f"time: {self.seconds:.2f} s",
            ("result: OK" if self.ok else "result: FAILED") + (f", written to {out}" if out and self.ok else ""),
        ]


def _bar(total: int, show: bool) -> Any:
    """A tqdm bar on stderr, only when asked and stderr is a terminal."""
    if not show or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="construct: sampling and pruning blocks of G", unit="block", file=sys.stderr)


def construct(
    target: Target,
    opt: Options,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    inputs: np.ndarray | None = None,
    progress: bool = False,
    measure: bool = True,
    attack_budget: tuple[int, int] | None = None,
    cell_budget: int = CELL_BUDGET,
) -> Construction:
    """Plan, build (in ``workers`` processes or on the Dask cluster at ``scheduler``: the same Ĝ),
    compute the certificate, decide, and measure the error on seeded inputs (and ``inputs``) unless
    ``measure`` is False (callers that build many Ĝ only to read the decision).  ``attack_budget`` =
    (restarts, steps), in the certified output mode: search the worst input too (the lower bracket,
    :mod:`~logprune.construct.attack`); one beyond a certified bound would be a bug, and is raised.
    ``cell_budget``: cells of the composed bound (:mod:`~logprune.construct.compose`; 1 for a quick
    decision when many Ĝ are built: such a Ĝ is never written, since ``verify`` recomputes with the
    default)."""
    t0 = time.perf_counter()
    pl = plan(target, opt)
    bar = _bar(sum(W.shape[1] for W in target.weights), progress)
    try:
        built = build_layers(
            target,
            pl,
            seed=opt.seed,
            arithmetic=opt.arithmetic,
            workers=workers,
            scheduler=scheduler,
            progress=None if bar is None else bar.update,
        )
    finally:
        if bar is not None:
            bar.close()
    assessment = assess(
        context_for(opt.arithmetic),
        target=target,
        errors=built.errors,
        norms=pl.norms,
        x_max=pl.x_max_eff,
        norm=opt.norm,
        eps=opt.eps,
        weight_eps=opt.weight_eps,
        domain=domain(x_max=opt.x_max, inputs_nonnegative=opt.inputs_nonnegative),
        cell_budget=cell_budget,
    )
    seconds = time.perf_counter() - t0
    c = Construction(target, opt, pl, built, assessment, None, seconds)
    return _finish(c, inputs=inputs, measure=measure, attack_budget=attack_budget)


def _finish(
    c: Construction, *, inputs: np.ndarray | None, measure: bool, attack_budget: tuple[int, int] | None
) -> Construction:
    """The measured error and the attack (module doc of :func:`construct`) added to a built Ĝ."""
    opt, target, net = c.options, c.target, c.built.net
    measured = (
        measured_error(
            net.forward,
            target,
            x_max=opt.x_max,
            n=MEASURE_SAMPLES,
            seed=opt.seed,
            norm=opt.norm,
            nonnegative=opt.inputs_nonnegative,
            extra=inputs,
        )
        if measure
        else None
    )
    found = None
    if attack_budget is not None and opt.eps is not None and net.kept:
        found = attack_request(net, target, opt, attack_budget)
        if c.certificate.certified and found.error > c.certificate.bound:
            raise RuntimeError(f"soundness: exact error {found.error} > certified {c.certificate.bound}")
    return replace(c, measured_error=measured, attack=found)


A_POSTERIORI_BUILDS = 8  # whole builds the search may make (each is certified exactly)
PROBE_COLUMNS = 64  # blocks per layer the probe draws and prunes (evenly spaced; all of a narrower layer)


def _spectral_gain(target: Target, branches: tuple[int, ...]) -> float:
    """The largest ratio sqrt(mn)/(sqrt(m) + sqrt(n)) over F's layers (n counting branches): how much smaller
    the spectral norm of an m×n matrix of independent errors of one size is than the Frobenius norm the
    a-priori bound uses.  A guess for where to probe, not a bound."""
    gains = []
    for w, b in zip(target.weights, branches, strict=True):
        m, n = w.shape[0], w.shape[1] * b
        gains.append(math.sqrt(m * n) / (math.sqrt(m) + math.sqrt(n)))
    return max(gains)


@dataclass(frozen=True)
class Probe:
    """The probe of the a-posteriori search: at k, the blocks probed per layer and the estimated Delta_i."""

    k: int
    columns: tuple[int, ...]
    deltas: tuple[float, ...]
    sampled: tuple[float, ...]  # each layer's sampled weights of G at k, estimated from the probed blocks
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "columns_per_layer": list(self.columns),
            "deltas_estimated": [float(f"{d:.6e}") for d in self.deltas],
            "sampled_estimated": [round(n, 1) for n in self.sampled],
            "seconds": round(self.seconds, 3),
        }


def probe(target: Target, opt: Options, k: int) -> Probe:
    """Estimate each layer's Delta_i = ||E_i||_2 at k from :data:`PROBE_COLUMNS` blocks of the layer, built
    as ``construct`` builds them (the same plan and G) in float arithmetic: ||E_S||_2·sqrt(n/|S|) for the
    probed columns S (:mod:`~logprune.construct.refine`; an estimate, not a bound)."""
    t0 = time.perf_counter()
    pl = plan(target, opt.with_segments(k))
    shared = Shared(pl, opt.seed, Arithmetic.FLOAT)
    deltas, counts, sampled = [], [], []
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        cols = np.unique(np.linspace(0, n_in - 1, min(n_in, PROBE_COLUMNS)).round().astype(np.int64))
        stats = ErrorStats(n_out)
        sizes = []
        with threadpool_limits(limits=1):  # as the build's workers: small blocks gain nothing from threads
            for j in cols.tolist():
                sizes.append(run_block(shared, i, j, W[:, j], stats).size)
        E = np.stack(stats.columns, axis=1) if stats.columns else np.zeros((n_out, 0))
        spec = float(np.linalg.norm(E, 2)) if E.size else 0.0
        deltas.append(spec * math.sqrt(n_in / cols.size))
        counts.append(int(cols.size))
        per_block = sum(pl.pool.sampled_per_block(n_out, z) for z in sizes) / len(sizes)
        sampled.append(per_block * n_in)
    return Probe(k, tuple(counts), tuple(deltas), tuple(sampled), time.perf_counter() - t0)


def construct_a_posteriori(target: Target, opt: Options, **kw: Any) -> Construction:
    """The certified mode with k, or one k per target layer, chosen by certifying the Ĝ actually built
    (docs/claims.md, certificate).

    The a-priori k (:func:`~logprune.construct.plan.plan`) bounds every error matrix by its Frobenius norm
    at eps_w; the certificate of a built Ĝ uses its exact errors and their tight spectral norms, which are
    smaller.  A probe (:func:`probe`, at the a-priori k lowered by log_φ of the largest spectral gain,
    :func:`_spectral_gain`) estimates each layer's Delta_i; then the model of
    :mod:`~logprune.construct.refine` proposes the cheapest vector of k predicted to certify, it is built
    and certified exactly, its exact Delta_i and sampled weights update the model, and so on until the
    model predicts that nothing cheaper than the best certified Ĝ certifies (at most
    :data:`A_POSTERIORI_BUILDS` such builds).  If none certifies, uniform k are built one at a time above
    every k tried, up to the a-priori k (its a-priori bound covers the certificate).  Every build
    is recorded; the Ĝ returned is the certified one that samples the fewest weights of G, with
    options.segments = its k (one, or one per layer), so ``verify`` rebuilds exactly its plan.  The k
    below it that were not built were predicted to fail, not shown to.  Keywords as :func:`construct`
    (measure and attack on the result only)."""
    if opt.eps is None:
        raise ParameterError("a_posteriori: only in the certified output mode (give eps, not weight_eps)")
    if opt.segments is not None:
        raise ParameterError(f"segments={opt.segments}: the a-posteriori mode chooses k itself")
    prior = plan(target, opt)
    start = max(1, prior.k - int(math.log(_spectral_gain(target, prior.branches)) / math.log((1 + 5**0.5) / 2)))
    probe_kw = {**kw, "measure": False, "attack_budget": None}
    tries: list[tuple[int | tuple[int, ...], Fraction, bool, float]] = []
    layers = target.layers

    def attempt(ks: tuple[int, ...]) -> Construction:
        tried.add(ks)
        segments = ks[0] if len(set(ks)) == 1 else ks  # one k when they are equal: the plain request
        c = construct(target, opt.with_segments(segments), **probe_kw)
        tries.append((segments, c.certificate.bound, c.ok, c.seconds))
        model.record(ks, c.certificate.deltas, c.sampled_by_layer(), c.certificate.bound)
        return c

    found = probe(target, opt, start)
    model = LayerModel(tuple(float(a) for a in prior.norms), float(prior.x_max_eff))
    model.estimate(start, found.deltas, found.sampled)
    tried: set[tuple[int, ...]] = set()
    best: Construction | None = None
    best_ks: tuple[int, ...] | None = None
    last: Construction | None = None
    while len(tried) < A_POSTERIORI_BUILDS:
        ks = propose(model, eps=float(opt.eps), tried=tried, best=best_ks)
        if ks is None:
            break
        last = attempt(ks)
        if last.ok and (best is None or last.sampled_per_target_weight < best.sampled_per_target_weight):
            best, best_ks = last, ks
    # nothing certified: climb one uniform k at a time above every k tried, up to the a-priori k (whose
    # a-priori bound covers its certificate); each build is cheaper than the a-priori one
    k = max((max(ks) for ks in tried), default=start)
    while best is None and k < prior.k:
        k += 1
        last = attempt((k,) * layers)
        if last.ok:
            best = last
    if best is None and (prior.k,) * layers not in tried:
        last = attempt((prior.k,) * layers)
        best = last if last.ok else None
    if best is None:  # not even the a-priori k: report the last build (its failure names why)
        assert last is not None
        best = last
    final = _finish(
        best, inputs=kw.get("inputs"), measure=bool(kw.get("measure", True)), attack_budget=kw.get("attack_budget")
    )
    # the time reported is the whole search's: the probe, every build and certificate
    return replace(
        final, search=Search(prior.k, tuple(tries), found), seconds=found.seconds + sum(t for *_, t in tries)
    )
