"""The one entry point of a construction: target + options -> :class:`~logprune.construct.result.Construction`.

The CLI, the API, the benchmarks and the checks all call :func:`construct` (or
:func:`~logprune.construct.a_posteriori.construct_a_posteriori`, which calls it): plan, build, certify,
decide, then :func:`finish` measures the error and runs the attack.

>>> from logprune.construct.options import options
>>> from logprune.construct.io.targets import demo_target
>>> c = construct(demo_target()[0], options(eps="0.01"))
>>> c.ok, c.plan.k, c.plan.block
(True, 27, 1500)
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from logprune.construct.build import build_layers
from logprune.construct.certificate.attack import attack_request
from logprune.construct.certificate.certify import assess
from logprune.construct.certificate.compose import CELL_BUDGET
from logprune.construct.measure import measure as measure_error
from logprune.construct.numeric import context_for
from logprune.construct.options import Options
from logprune.construct.plan import plan
from logprune.construct.result import Construction
from logprune.construct.target import Target
from logprune.progress import progress as progress_bar

__all__ = ["MEASURE_SAMPLES", "construct", "finish"]

MEASURE_SAMPLES = 256


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
    :mod:`~logprune.construct.certificate.attack`); one beyond a certified bound would be a bug, and is raised.
    ``cell_budget``: cells of the composed bound (:mod:`~logprune.construct.certificate.compose`; 1 for a quick
    decision when many Ĝ are built: such a Ĝ is never written, since ``verify`` recomputes with the
    default)."""
    t0 = time.perf_counter()
    pl = plan(target, opt)
    blocks = sum(W.shape[1] for W in target.weights)
    desc = "construct: sampling and pruning blocks of G"
    with progress_bar(total=blocks, desc=desc, unit="block", show=progress) as bar:
        built = build_layers(
            target,
            pl,
            seed=opt.seed,
            arithmetic=opt.arithmetic,
            workers=workers,
            scheduler=scheduler,
            progress=bar.update,
        )
    assessment = assess(
        context_for(opt.arithmetic),
        target=target,
        errors=built.errors,
        norms=pl.norms,
        x_eff=pl.x_max_eff,
        domain=opt.domain,
        eps=opt.eps,
        weight_eps=opt.weight_eps,
        cell_budget=cell_budget,
    )
    seconds = time.perf_counter() - t0
    c = Construction(
        target=target, options=opt, plan=pl, built=built, assessment=assessment, measured_error=None, seconds=seconds
    )
    return finish(c, inputs=inputs, measure=measure, attack_budget=attack_budget)


def finish(
    c: Construction, *, inputs: np.ndarray | None, measure: bool, attack_budget: tuple[int, int] | None
) -> Construction:
    """The measured error and the attack (module doc of :func:`construct`) added to a built Ĝ."""
    opt, target, net = c.options, c.target, c.built.net
    m = (
        measure_error(net.forward, target, domain=opt.domain, n=MEASURE_SAMPLES, seed=opt.seed, extra=inputs)
        if measure
        else None
    )
    found = None
    if attack_budget is not None and opt.eps is not None and net.kept:
        found = attack_request(net, target, opt, attack_budget)
        if c.certificate.certified and found.error > c.certificate.bound:
            raise RuntimeError(f"soundness: exact error {found.error} > certified {c.certificate.bound}")
    return replace(c, measured_error=None if m is None else m.error, measurement=m, attack=found)
