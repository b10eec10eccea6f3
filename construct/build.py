"""The build loop: sample G block by block, select the kept neurons, compute the exact errors.

Blocks are independent (a block of G is a function of the seed and its (layer, block) key, and serves
one column of a target layer), so :func:`build_layers` hands contiguous runs of blocks to worker processes
or to a Dask cluster and assembles the results in block order: the Ĝ built is the same, byte for byte,
for any number of workers and either engine.  A worker returns only what it keeps (the kept edges and
the error statistics of its columns), so memory stays proportional to Ĝ plus one block per worker.

Per block j of target layer i and branch (σ(x): a > 0; σ(-x): a < 0, only where the layer's input can be
negative) the method (:mod:`~logprune.construct.methods.protocol`) picks kept (o, p) pairs among the products
q = a·b; the kept in-weights become edges of G's layer 2i, the kept out-weights edges of layer 2i+1
(indices by the pooling's geometry), and the errors of the column are computed exactly
(:mod:`~logprune.construct.effective`).
"""

from __future__ import annotations

import importlib.util
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from logprune.choices import Arithmetic
from logprune.construct.effective import ErrorStats, column_errors, edge_products
from logprune.construct.forward import SparseNet
from logprune.construct.methods.protocol import BlockProblem, Picked
from logprune.construct.numeric import context_for
from logprune.construct.plan import Plan
from logprune.construct.target import Target
from logprune.errors import ParameterError
from logprune.search import least_true

SERIAL_RUN = 16  # blocks per task in a single process

__all__ = [
    "BlockEdges",
    "Built",
    "Shared",
    "build_layers",
    "check_scheduler",
    "default_workers",
    "least_size",
    "pick",
    "run_block",
]


@dataclass(frozen=True)
class Shared:
    """What every block needs (sent once to each worker): the plan, the seed, the arithmetic."""

    plan: Plan
    seed: int
    arithmetic: Arithmetic


@dataclass(frozen=True, kw_only=True)
class BlockEdges:
    """The kept edges of one block (G indices) and the items it left uncovered."""

    in_u: np.ndarray
    in_a: np.ndarray
    out_o: np.ndarray
    out_u: np.ndarray
    out_b: np.ndarray
    missing: tuple[tuple[int, int, int], ...]  # (o, branch, segment)
    size: int  # neurons of the block sampled (the plan's P, or the least covering prefix when adaptive)


def _problems(pl: Plan, a2: np.ndarray, b: np.ndarray, w: np.ndarray, layer: int) -> list[BlockProblem]:
    """The block (a2, b) as one problem per branch of the layer."""
    q = a2 * b
    lp = pl.layer(layer)
    eps_f = float(lp.eps_w)
    return [
        BlockProblem(
            q=q,
            usable=a2 > 0 if branch == 0 else a2 < 0,
            w=w,
            scale=pl.scale,
            k=lp.k,
            eps_w=eps_f,
            eps_exact=lp.eps_w,
            a=a2,
            b=b,
        )
        for branch in range(pl.branches[layer])
    ]


def pick(pl: Plan, a2: np.ndarray, b: np.ndarray, w: np.ndarray, layer: int) -> list[Picked]:
    """The method's choice for each branch of the layer, on the block (a2, b)."""
    return [pl.selection.select(p) for p in _problems(pl, a2, b, w, layer)]


def least_size(pl: Plan, a2: np.ndarray, b: np.ndarray, w: np.ndarray, layer: int) -> int:
    """The least prefix of the block that leaves nothing uncovered (the cap if none does): doubling, then
    bisection (coverage is monotone in the prefix: a larger prefix holds every smaller one's products)."""
    cap = int(a2.shape[1])

    def covered(size: int) -> bool:
        return not any(p.missing for p in pick(pl, a2[:, :size], b[:, :size], w, layer))

    fast = [pl.selection.least_covering(p) for p in _problems(pl, a2, b, w, layer)]
    if all(f is not None for f in fast):  # the method tells it in one pass (the search's answer)
        return max([pl.selection.min_block, *(int(f) for f in fast if f is not None)])
    least = least_true(covered, cap=cap, start=pl.selection.min_block)
    return cap if least is None else least  # none covers: the whole block, and its gaps are reported


def run_block(sh: Shared, layer: int, j: int, w: np.ndarray, stats: ErrorStats) -> BlockEdges:
    """Sample block j of target layer ``layer``, select, and add the errors of column w = W[:, j] to
    ``stats``, from the kept edges (the same computation as ``verify``'s,
    :mod:`~logprune.construct.effective`)."""
    pl = sh.plan
    n_out, P, pool = w.shape[0], pl.layer(layer).block, pl.pool
    a2, b = pl.draw_block(seed=sh.seed, layer=layer, block=j, n_out=n_out)
    size = least_size(pl, a2, b, w, layer) if pl.adaptive else P
    a2, b = a2[:, :size], b[:, :size]  # the block's prefix of ``size`` neurons (the same draws)
    used_in: dict[int, float] = {}  # kept in-edges, first occurrence first (a neuron keeps one in-edge)
    out_o: list[np.ndarray] = []
    out_u: list[np.ndarray] = []
    out_b: list[np.ndarray] = []
    missing: list[tuple[int, int, int]] = []
    for branch, picked in enumerate(pick(pl, a2, b, w, layer)):
        missing += [(o, branch, t) for o, t in picked.missing]
        ko = np.asarray(picked.o, dtype=np.int64)
        kp = np.asarray(picked.p, dtype=np.int64)
        u = pool.neuron(j, ko, kp, n_out, P)  # the stride is the plan's P (the cap when adaptive)
        for uu, aa in zip(u.tolist(), a2[ko, kp].tolist(), strict=True):
            used_in.setdefault(uu, aa)
        out_o.append(ko)
        out_u.append(np.asarray(u, dtype=np.int64))
        out_b.append(b[ko, kp].astype(np.float64))
    edges = BlockEdges(
        in_u=np.fromiter(used_in.keys(), dtype=np.int64, count=len(used_in)),
        in_a=np.fromiter(used_in.values(), dtype=np.float64, count=len(used_in)),
        out_o=_cat(out_o),
        out_u=_cat(out_u),
        out_b=_catf(out_b),
        missing=tuple(missing),
        size=size,
    )
    base = pool.width(j, n_out, P)  # the neurons of blocks 0..j-1: this block's neurons follow them
    products = edge_products(
        in_u=edges.in_u - base,
        in_j=np.full(edges.in_u.size, j, dtype=np.int64),
        in_a=edges.in_a,
        out_o=edges.out_o,
        out_u=edges.out_u - base,
        out_b=edges.out_b,
        width=pool.width(1, n_out, P),
        branches=pl.branches[layer],
    )
    ctx = context_for(sh.arithmetic)
    column_errors(ctx, w=w, branches=pl.branches[layer], products=products, eps_w=pl.layer(layer).eps_w, into=stats)
    return edges


@dataclass(frozen=True)
class Built:
    """Ĝ's kept weights, layer by layer of G, with the error statistics and the uncovered items."""

    net: SparseNet
    errors: tuple[ErrorStats, ...]
    missing: tuple[tuple[int, int, int, int, int], ...]  # (layer, o, j, branch, segment)
    block_sizes: tuple[tuple[int, ...], ...] = ()  # per layer, the neurons each block sampled


# -- engines: the same tasks, in order, in this process, in worker processes or on a Dask cluster --

_WORKER_SHARED: Shared | None = None


def _init_worker(sh: Shared) -> None:
    global _WORKER_SHARED
    _WORKER_SHARED = sh
    # one BLAS thread per worker: the workers already fill the cores, and a forked worker would otherwise
    # inherit a multithreaded BLAS (measured: the adaptive subset-sum build on fc2 took 63 s with 2 workers
    # on 2 cores, against 22 s with one thread each)
    threadpool_limits(limits=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: one line, no traceback
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a worker terminated just ends; the parent cleans up


@dataclass(frozen=True)
class TaskResult:
    """A run of blocks: their kept edges and missing items, and their error statistics merged (the
    merge is done where the blocks ran, so the parent folds one record per task, not per block)."""

    blocks: list[BlockEdges]
    errors: ErrorStats


def _task_in_worker(task: tuple[int, int, np.ndarray]) -> TaskResult:
    assert _WORKER_SHARED is not None
    return _task(_WORKER_SHARED, task)


def _task(sh: Shared, task: tuple[int, int, np.ndarray]) -> TaskResult:
    """A run of consecutive blocks j0, j0+1, ... of one layer; ``cols`` holds their target columns."""
    layer, j0, cols = task
    errors = ErrorStats(n_out=cols.shape[0])
    blocks = []
    for c in range(cols.shape[1]):
        blocks.append(run_block(sh, layer, j0 + c, cols[:, c], errors))
    return TaskResult(blocks, errors)


def _task_on_dask(sh: Shared, task: tuple[int, int, np.ndarray]) -> TaskResult:
    """:func:`_task` with one BLAS thread, as in the process pool (a Dask worker's threads fill its cores)."""
    with threadpool_limits(limits=1):
        return _task(sh, task)


def _tasks(target: Target, per_task: int) -> list[tuple[int, int, np.ndarray]]:
    out = []
    for i, W in enumerate(target.weights):
        for j0 in range(0, W.shape[1], per_task):
            out.append((i, j0, np.ascontiguousarray(W[:, j0 : j0 + per_task])))
    return out


def _results(
    sh: Shared, tasks: list[tuple[int, int, np.ndarray]], workers: int, scheduler: str | None
) -> Iterator[TaskResult]:
    if scheduler is not None:
        yield from _on_dask(sh, tasks, scheduler)
    elif workers <= 1:
        for t in tasks:
            yield _task(sh, t)
    else:
        ex = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(sh,))
        try:
            yield from ex.map(_task_in_worker, tasks)
        finally:  # on an interrupt, queued blocks are dropped instead of waited for
            ex.shutdown(wait=True, cancel_futures=True)


_SCHEMES = ("tcp", "tls")


def check_scheduler(address: Any) -> str:
    """A Dask scheduler's address, checked before any work: ``tcp://HOST:PORT`` (or ``tls://``, or ``HOST:PORT``
    for tcp), a port in 1..65535; and dask.distributed installed (the ``dask`` extra)."""
    text = address.strip() if isinstance(address, str) else None
    if not text:
        raise ParameterError(f"scheduler={address!r}: expected an address such as tcp://127.0.0.1:8786")
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    if scheme not in _SCHEMES or not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ParameterError(f"scheduler={address}: expected tcp://HOST:PORT (or tls://HOST:PORT), a port in 1..65535")
    if importlib.util.find_spec("distributed") is None:
        raise ParameterError(f"scheduler={address}: needs dask.distributed (pip install 'logprune[dask]')")
    return f"{scheme}://{host}:{port}"


def _on_dask(sh: Shared, tasks: list[tuple[int, int, np.ndarray]], scheduler: str) -> Iterator[TaskResult]:
    try:
        from dask.distributed import Client
    except ImportError:
        raise ParameterError(f"scheduler={scheduler}: needs dask.distributed (pip install 'logprune[dask]')") from None
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        shared = client.scatter(sh, broadcast=True)
        futures = client.map(_task_on_dask, [shared] * len(tasks), tasks, pure=False)
        for f in futures:  # in task order: the assembly does not depend on completion order
            yield f.result()


def build_layers(
    target: Target,
    pl: Plan,
    *,
    seed: int,
    arithmetic: Arithmetic,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Built:
    """Run every block (module doc) and assemble Ĝ's layers in block order."""
    sh = Shared(pl, seed, arithmetic)
    blocks = sum(W.shape[1] for W in target.weights)
    # a few tasks per worker balance the load; in a single process, runs of SERIAL_RUN blocks keep the
    # progress bar moving while the statistics are merged once per run, not once per block
    serial = workers <= 1 and scheduler is None
    per_task = SERIAL_RUN if serial else max(1, blocks // (8 * max(workers, 2)))
    tasks = _tasks(target, per_task)
    shapes: list[tuple[int, int]] = []
    for i, W in enumerate(target.weights):
        n_out, n_in = W.shape
        width = pl.pool.width(n_in, n_out, pl.layer(i).block)
        shapes += [(width, n_in), (n_out, width)]
    # edges are kept per block; error statistics are folded in as they arrive (memory: Ĝ, not G)
    edges: list[list[tuple[np.ndarray, ...]]] = [[] for _ in target.weights]
    errors = [ErrorStats(n_out=W.shape[0]) for W in target.weights]
    missing: list[tuple[int, int, int, int, int]] = []
    sizes: list[list[int]] = [[] for _ in target.weights]
    for (layer, j0, _), res in zip(tasks, _results(sh, tasks, workers, scheduler), strict=True):
        for c, r in enumerate(res.blocks):
            j = j0 + c
            sizes[layer].append(r.size)
            edges[layer].append((r.in_u, np.full(r.in_u.size, j, dtype=np.int64), r.in_a, r.out_o, r.out_u, r.out_b))
            missing += [(layer, o, j, br, t) for o, br, t in r.missing]
        errors[layer].merge(res.errors)
        if progress is not None:
            progress(len(res.blocks))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for es in edges:
        rows += [_cat([e[0] for e in es]), _cat([e[3] for e in es])]
        cols += [_cat([e[1] for e in es]), _cat([e[4] for e in es])]
        vals += [_catf([e[2] for e in es]), _catf([e[5] for e in es])]
    return Built(
        SparseNet(tuple(shapes), tuple(rows), tuple(cols), tuple(vals)),
        tuple(errors),
        tuple(missing),
        tuple(tuple(z) for z in sizes),
    )


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _cat(parts: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if len(parts) else np.zeros(0, dtype=np.int64)


def _catf(parts: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.float64) if len(parts) else np.zeros(0, dtype=np.float64)
