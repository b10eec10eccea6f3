"""The a-posteriori choice of k (docs/claims.md, certificate): certify the Ĝ actually built (step 7 there).

:func:`construct_a_posteriori` probes each layer's error (:func:`probe`), asks the model of
:mod:`~logprune.construct.certificate.refine` for the cheapest vector of k predicted to certify, builds and
certifies it exactly, and so on; :class:`Search` records every build.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from logprune.choices import Arithmetic
from logprune.construct.build import Shared, run_block
from logprune.construct.certificate.refine import LayerModel, propose
from logprune.construct.effective import ErrorStats
from logprune.construct.options import Options
from logprune.construct.pipeline import construct, finish
from logprune.construct.plan import plan
from logprune.construct.result import Construction
from logprune.construct.target import Target
from logprune.errors import ParameterError

__all__ = ["A_POSTERIORI_BUILDS", "PROBE_COLUMNS", "Probe", "Search", "construct_a_posteriori", "probe"]


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
    probed columns S (:mod:`~logprune.construct.certificate.refine`; an estimate, not a bound)."""
    t0 = time.perf_counter()
    pl = plan(target, opt.with_segments(k))
    shared = Shared(pl, opt.seed, Arithmetic.FLOAT)
    deltas, counts, sampled = [], [], []
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        cols = np.unique(np.linspace(0, n_in - 1, min(n_in, PROBE_COLUMNS)).round().astype(np.int64))
        stats = ErrorStats(n_out=n_out)
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
    :mod:`~logprune.construct.certificate.refine` proposes the cheapest vector of k predicted to certify, it is built
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
    final = finish(
        best, inputs=kw.get("inputs"), measure=bool(kw.get("measure", True)), attack_budget=kw.get("attack_budget")
    )
    # the time reported is the whole search's: the probe, every build and certificate
    return replace(
        final, search=Search(prior.k, tuple(tries), found), seconds=found.seconds + sum(t for *_, t in tries)
    )
