"""The Python API: what the command line does, as functions a notebook can call.

Each function validates its arguments once (the same checks, and the same one-line
:class:`~logprune.errors.LogpruneError` messages, as the CLI) and returns the library's own result
objects, which format themselves (``lines()`` / ``summary_lines()``, ``as_json()``).  Numbers may be
given as strings (``"1e-3"``, ``"1/100"``: exact rationals) or as ints and Fractions; floats are taken
at their exact binary value.

>>> from fractions import Fraction
>>> import logprune
>>> target = logprune.demo_target()
>>> target.widths                      # the demo's 2-16-16-2 MLP, biases folded into a constant-1 neuron
[3, 17, 17, 2]
>>> built = logprune.prune(target, weight_eps="0.1", seed=0, workers=1)
>>> built.ok, built.max_weight_error <= Fraction(1, 10)
(True, True)
>>> table = logprune.bounds_table(n=100, layers=10, eps="0.01", delta="0.01")
>>> [r.name for r in table.rows][:3]
['malach2020', 'orseau2020', 'orseau2020_shared']
>>> table.row("orseau2020_shared").extra["pool"]
1528
>>> model = logprune.bounds_for_model(target, eps="0.05")
>>> model.setting.widths
[3, 17, 17, 2]
>>> print(model.text().splitlines()[0])
logprune bounds: widths=3-17-17-2 layers=3 eps=1/20 delta=1/100 assumptions=general base=phi
>>> r = logprune.rss(law="uniform", n=12, eps="0.05", target="uniform", trials=200, seed=3)
>>> r.failures <= 200 and r.ci[0] <= r.failure_rate <= r.ci[1]
True
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from logprune.bounds import render
from logprune.bounds.rows import Row, table
from logprune.bounds.setting import Setting, setting
from logprune.checks import rss as _rss
from logprune.construct import model_bounds
from logprune.construct import verify as _verify
from logprune.construct.io import targets as _targets
from logprune.construct.options import options
from logprune.construct.result import Construction
from logprune.construct.target import Target, check_inputs
from logprune.errors import ParameterError
from logprune.validation import MAX_WORKERS, check_bool, check_int, check_positive

__all__ = [
    "BoundsTable",
    "bounds_for_model",
    "bounds_table",
    "demo_target",
    "load_target",
    "prune",
    "rss",
    "verify",
]


@dataclass(frozen=True)
class BoundsTable:
    """The comparison table for one setting: its rows, as text or JSON (what ``logprune bounds`` prints)."""

    setting: Setting
    rows: tuple[Row, ...]

    def row(self, name: str) -> Row:
        """The row called ``name`` (``orseau2020_shared``, ``pensia2020``, ...)."""
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def text(self) -> str:
        return render.table_text(self.setting, self.rows)

    def latex(self) -> str:
        return render.table_latex(self.setting, self.rows)

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(render.table_json(self.setting, self.rows))
        return doc

    def __repr__(self) -> str:
        return render.table_repr(self.setting, self.rows)

    def _repr_html_(self) -> str:
        return render.table_html(self.setting, self.rows)


def load_target(target: Any, *, layer_order: Any = None, bn_eps: Any = None) -> Target:
    """The target network F from what you hold (docs/claims.md, C3: biases folded exactly into a constant-1
    neuron): a path (``.npz`` with ``W1..Wl``, ``b1..bl``; a PyTorch ``state_dict`` ``.pt``/``.pth``, read with
    ``weights_only=True``; ``.safetensors``), a ``torch.nn.Module`` (its forward traced: Linear, ReLU,
    BatchNorm1d folded, Dropout), a ``state_dict`` (tensors or arrays), or a list of weight arrays (or of
    (weight, bias) pairs).  ``layer_order``: the linear layers' names in forward order where the shapes do
    not fix it; ``bn_eps``: the eps of a state_dict's BatchNorm layers.  ``target.notes`` says what was assumed."""
    tgt, _ = _targets.as_target(target, layer_order=layer_order, bn_eps=bn_eps)
    return tgt


def demo_target() -> Target:
    """The small trained 2-16-16-2 target shipped with logprune."""
    target, _ = _targets.demo_target()
    return target


def bounds_table(
    *,
    eps: Any,
    delta: Any = "1/100",
    n: Any = None,
    layers: Any = None,
    widths: Sequence[Any] | None = None,
    w_max: Any = None,
    x_max: Any = None,
    f_max: Any = None,
    norms: Sequence[Any] | None = None,
    base: Any = "phi",
    inputs_nonnegative: bool = False,
    **constants: Any,
) -> BoundsTable:
    """Every row of the comparison table (``logprune bounds``; docs/claims.md, C1, C2, C3, pooling-A,
    pooling-B, counting) for n×n layers (``n``, ``layers``) or given ``widths``; ``constants``: the values
    of the rows' named constants you give (``pensia_c=3``; :func:`logprune.bounds.rows.user_constants`)."""
    st = setting(
        n=n,
        layers=layers,
        widths=widths,
        eps=eps,
        delta=delta,
        w_max=w_max,
        x_max=x_max,
        f_max=f_max,
        norms=norms,
        base=base,
        inputs_nonnegative=inputs_nonnegative,
        **constants,
    )
    return BoundsTable(st, tuple(table(st)))


def bounds_for_model(
    target: Any,
    *,
    eps: Any,
    delta: Any = "1/100",
    x_max: Any = None,
    data: Any = None,
    base: Any = "phi",
    inputs_nonnegative: bool = False,
    layer_order: Any = None,
    bn_eps: Any = None,
    **constants: Any,
) -> BoundsTable:
    """The comparison table for a real model (``logprune bounds --target``; docs/claims.md, C3): its
    widths, w_max and certified norms, with x_max (default 1) or, from ``data`` (rows of inputs), x_max
    and F_max on those rows.  ``target``: anything :func:`load_target` reads (a module, a path, ...)."""
    tgt, _ = _targets.as_target(target, layer_order=layer_order, bn_eps=bn_eps)
    xm = None if x_max is None else check_positive("x_max", x_max)
    rows = None if data is None else check_inputs("data", data, tgt)
    if xm is not None and rows is not None:
        raise ParameterError(f"x_max={x_max}: data gives x_max (and F_max); give one of them")
    numbers = model_bounds.model_numbers(tgt, x_max=xm, data=rows)
    st = model_bounds.model_setting(
        numbers, eps=eps, delta=delta, base=base, inputs_nonnegative=inputs_nonnegative, **constants
    )
    return BoundsTable(st, tuple(table(st)))


def prune(
    target: Any,
    *,
    workers: Any = None,
    scheduler: str | None = None,
    inputs: Any = None,
    data: Any = None,
    progress: bool = True,
    a_posteriori: bool = False,
    attack: Any = None,
    layer_order: Any = None,
    bn_eps: Any = None,
    **request: Any,
) -> Construction:
    """Build Ĝ from a seeded G and certify it (``logprune construct``; docs/claims.md, L3, C3, certificate).

    ``target``: anything :func:`load_target` reads (an ``nn.Module``, a path, a state_dict, arrays; ``layer_order``
    and ``bn_eps`` as there).  ``request``: the construction options of the table
    (:data:`logprune.construct.options.OPTIONS`, the same as the command's flags): ``eps`` (certified output
    mode) or ``weight_eps`` (per-weight mode), ``delta``, ``seed``, ``dist``, ``pooling``, ``method``,
    ``inputs_nonnegative``, ``x_max``, ``norm``, ``width``, ``arithmetic``, ``signs``, ``support``, ``prune``,
    ``segments``.  Run options: ``workers`` processes (default: all cores) or the Dask ``scheduler`` at an
    address give the same Ĝ, byte for byte; ``data`` (rows): the certified domain is the data's (a rigorous
    bound of its largest norm, and x >= 0 when every entry is), the error measured on it and the attack
    within it; ``inputs`` (rows): measured on too, those outside the domain counted apart; ``a_posteriori``:
    choose k by certifying the Ĝ built; ``attack``: True or (restarts, steps), the worst input found (the
    certificate's lower bracket); ``progress``: a bar on a terminal or in a notebook.  ``result.write(path)``
    writes ``.npz``, ``.safetensors`` or ``.pt``."""
    from logprune.construct.a_posteriori import construct_a_posteriori
    from logprune.construct.build import check_scheduler, default_workers
    from logprune.construct.certificate.attack import check_budget
    from logprune.construct.pipeline import construct

    tgt, _ = _targets.as_target(target, layer_order=layer_order, bn_eps=bn_eps)
    notes: list[str] = []
    rows = None if data is None else check_inputs("data", data, tgt)
    if rows is not None:
        request, notes = _data_request(rows, request)
    opt = options(**request)
    n = default_workers() if workers is None else check_int("workers", workers, maximum=MAX_WORKERS)
    xs = None if inputs is None else check_inputs("inputs", inputs, tgt)
    if rows is not None:  # the data is measured on too (it lies in its own domain)
        xs = rows if xs is None else np.vstack([rows, xs])
    budget = None if attack is None or attack is False else check_budget(attack)
    build = construct_a_posteriori if check_bool("a_posteriori", a_posteriori) else construct
    built = build(
        tgt,
        opt,
        workers=n,
        scheduler=None if scheduler is None else check_scheduler(scheduler),
        inputs=xs,
        progress=check_bool("progress", progress),
        attack_budget=budget,
    )
    return replace(built, notes=tuple(notes)) if notes else built


def _data_request(rows: np.ndarray, request: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The request with the data's domain (x_max, and x >= 0 when every entry is), and the note saying so."""
    from logprune.choices import Norm, choice
    from logprune.construct.measure import data_domain

    if "x_max" in request:
        raise ParameterError(f"x_max={request['x_max']}: data sets the certified domain; give one of them")
    dom = data_domain(rows, norm=choice(Norm, "norm", request.get("norm", Norm.L2)))
    asked = request.get("inputs_nonnegative")
    if asked is True and not dom.nonnegative:
        raise ParameterError("inputs_nonnegative=True: the data has negative entries")
    nonneg = dom.nonnegative if asked is None else bool(asked)
    note = f"certified domain from the data ({rows.shape[0]} rows): ||x||_2 <= {dom.x_max} (above its largest norm)"
    if nonneg:
        note += ", x >= 0 (every entry of the data is)" if asked is None else ", x >= 0"
    return {**request, "x_max": dom.x_max, "inputs_nonnegative": nonneg}, [note]


_RUN = ("workers", "scheduler", "inputs", "data", "progress", "a_posteriori", "attack", "layer_order", "bn_eps")
# help(prune) and notebooks show every keyword: the run options, then the option table's
prune.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [inspect.Parameter("target", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [p for name, p in inspect.signature(prune).parameters.items() if name in _RUN]
    + list(inspect.signature(options).parameters.values()),
    return_annotation=Construction,
)


def verify(
    path: str | Path,
    target: Any,
    *,
    arithmetic: Any = None,
    eps: Any = None,
    weight_eps: Any = None,
    attack: Any = None,
    inputs: Any = None,
    progress: bool = True,
    layer_order: Any = None,
    bn_eps: Any = None,
) -> _verify.VerifyReport:
    """Re-derive a Ĝ file (``.npz`` or ``.safetensors``) from its seed and the target (``logprune verify``);
    raises :class:`~logprune.errors.VerificationError` when the file does not hold what it claims.
    ``target``: anything :func:`load_target` reads.  ``eps`` / ``weight_eps``: your accuracy to check (at most
    one); without, the file's own claim is checked and the report says so (``accuracy_source``).
    ``arithmetic``: recompute in another context than the file's.  ``attack``: True or (restarts, steps),
    search the worst input too (the lower bracket).  ``inputs`` (rows): measured on too, those outside the
    certified domain counted apart."""
    from logprune.construct.certificate.attack import check_budget

    tgt, _ = _targets.as_target(target, layer_order=layer_order, bn_eps=bn_eps)
    budget = None if attack is None or attack is False else check_budget(attack)
    xs = None if inputs is None else check_inputs("inputs", inputs, tgt)
    return _verify.verify(
        path,
        tgt,
        arithmetic=arithmetic,
        eps=eps,
        weight_eps=weight_eps,
        attack_budget=budget,
        inputs=xs,
        progress=check_bool("progress", progress),
    )


def rss(
    *,
    law: Any,
    eps: Any,
    n: Any = None,
    target: Any = "uniform",
    trials: Any = 1000,
    seed: Any = 0,
    confidence: Any = "0.95",
    alpha: Any = None,
    beta: Any = None,
    least_delta: Any = None,
    progress: bool = True,
) -> _rss.RssResult:
    """Random-subset-sum statistics (``logprune check rss``; docs/claims.md, L1): the failure rate of ``n``
    samples of ``law`` over ``trials`` (exact search, Clopper-Pearson interval), or, with ``least_delta``,
    the least n whose upper confidence limit is at most ``least_delta``."""
    st = _rss.setting(
        law=law, eps=eps, target=target, trials=trials, seed=seed, confidence=confidence, alpha=alpha, beta=beta
    )
    from logprune.progress import progress as progress_bar

    if least_delta is not None and n is not None:
        raise ParameterError(f"n={n}: least_delta finds n; give one of them")
    if least_delta is None and n is None:
        raise ParameterError("n=None: give n, or least_delta")
    desc = "rss: trials (exact subset-sum search)"
    with progress_bar(total=None, desc=desc, unit="trial", show=check_bool("progress", progress)) as bar:
        if least_delta is not None:
            return _rss.least_n(st, least_delta, progress=bar.update)
        return _rss.rss(st, n, progress=bar.update)
