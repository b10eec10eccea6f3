"""The result of a construction: Ĝ with its certificate, its measured error and the decision
(:class:`Construction`), which formats itself: the human summary, a JSON summary and the Ĝ file.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from logprune.choices import Method
from logprune.construct.build import Built
from logprune.construct.certificate.attack import Attack, bracket_line
from logprune.construct.certificate.certify import Assessment, Certificate
from logprune.construct.certificate.compose import CELL_BUDGET
from logprune.construct.io.ghat_file import FORMAT, GhatArrays, write_ghat
from logprune.construct.measure import Measurement
from logprune.construct.options import Options
from logprune.construct.plan import Plan
from logprune.construct.target import Target
from logprune.display import html_pairs, one_line
from logprune.errors import ConstructionFailedError
from logprune.version import __version__

if TYPE_CHECKING:  # the record of the a-posteriori search, which builds Constructions itself
    from logprune.construct.a_posteriori import Search

__all__ = ["Construction", "Uncovered"]


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


@dataclass(frozen=True, kw_only=True)
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
    measurement: Measurement | None = None  # the measured error with the given inputs' place in the domain
    notes: tuple[str, ...] = ()  # how the request was made (a domain from data); the target's are its own

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
        """Ĝ on a batch of F's inputs (rows of width n_0, float64); rows with the constant 1 of the bias rewrite
        already appended (the file's forward rule) are taken as they are."""
        return self.built.net.forward(self.target.extended(x))

    __call__ = forward

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
        """The record written into the Ĝ file (:mod:`~logprune.construct.io.ghat_file`)."""
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
            **({} if self.measurement is None or not self.measurement.given else self.measurement.as_json()),
            **({} if not (self.target.notes or self.notes) else {"notes": [*self.target.notes, *self.notes]}),
        }

    def _outside_note(self) -> str:
        """What the result line says when given inputs leave the certified domain (module doc of measure)."""
        m = self.measurement
        if m is None or not m.outside:
            return ""
        return (
            f" for {self.certificate.domain} only: {m.outside} of the {m.given} given inputs lie outside it "
            "(their error is not certified)"
        )

    def _claim(self) -> str:
        opt, cert = self.options, self.certificate
        if opt.weight_eps is not None:
            return f"every weight within {opt.weight_eps}: max error {float(self.max_weight_error):.3e}"
        how = "certified" if cert.certified else "estimated (float: not a certificate)"
        norm = opt.norm.value.removeprefix("l")
        return f"{how} sup over {cert.domain} of ||Ĝ(x)-F(x)||_{norm} <= {float(cert.bound):.3e} (eps {opt.eps})"

    def __repr__(self) -> str:
        return one_line(
            "Construction",
            [
                "OK" if self.ok else "FAILED",
                self._claim(),
                f"{self.options.method.value}, k={self.plan.k}",
                f"{self.sampled_per_target_weight:.2f} sampled and {self.kept / self.target.n_weights:.3f} kept "
                "weights of G per target weight",
                f"{self.seconds:.1f} s",
            ],
        )

    def _repr_html_(self) -> str:
        """The summary of ``logprune construct``, as a table (no array of Ĝ: a few kB for any target)."""
        pairs = []
        for line in self.summary_lines():
            key, sep, value = line.partition(": ")
            pairs.append((key, value) if sep and len(key) <= 40 else ("", line))
        return html_pairs(f"Ĝ for a {'-'.join(map(str, self.target.original_widths))} target", pairs)

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
            *(f"note: {n}" for n in (*self.target.notes, *self.notes)),
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
            (
                "measured error on sample inputs: not measured"
                if self.measurement is None
                else self.measurement.line(cert.domain)
            ),
            *([] if self.attack is None else [bracket_line(self.attack, cert.bound)]),
            *([] if self.search is None else [self.search.line()]),
            f"time: {self.seconds:.2f} s",
            ("result: OK" if self.ok else "result: FAILED")
            + self._outside_note()
            + (f", written to {out}" if out and self.ok else ""),
        ]
