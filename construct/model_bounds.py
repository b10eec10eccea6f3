"""The numbers of claim C3 for a real model: widths, w_max, certified layer norms, x_max and F_max.

``logprune bounds --target MODEL`` asks the comparison table (:mod:`logprune.bounds.rows`) for the
model itself instead of an n×n stand-in.  The numbers are those ``construct`` plans with
(:mod:`~logprune.construct.plan`), so the table and a construction agree (docs/claims.md, C3,
propagation, certificate):

- the target after the exact bias rewrite (a constant-1 input neuron when F has biases): its widths
  n_0..n_l, w_max = max |weight| (an exact dyadic), a_i >= ||W_i||_2 certified
  (:func:`~logprune.construct.certificate.norms.spectral_norm_upper`);
- x_max: the user's (default 1), or, from data, a rigorous upper bound of max ||x||_2 over its rows;
  the rewritten input's bound sqrt(x_max^2 + 1) when a 1 is appended;
- F_max (from data only): a rigorous upper bound of |activation| over the inputs (the appended 1
  included) and every hidden neuron of F, on those rows, from ball arithmetic (python-flint ``arb_mat``).

With data, x_max and F_max hold for the rows given, not for every input: the table is then a statement
about inputs like the data, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from logprune.bounds.setting import Setting, setting
from logprune.construct.certificate.norms import spectral_norm_upper
from logprune.construct.measure import data_x_max
from logprune.construct.target import Target, exact_float64
from logprune.errors import ParameterError

__all__ = ["CHUNK", "ModelNumbers", "data_f_max", "model_numbers", "model_setting"]

CHUNK = 256  # data rows per ball-arithmetic pass
_U = Fraction(1, 2**53)  # unit roundoff of float64
_TINY = Fraction(1, 2**1074)  # the smallest positive float64: what a square may lose to underflow


@dataclass(frozen=True)
class ModelNumbers:
    """What C3 needs of a model, exact (module doc)."""

    widths: tuple[int, ...]
    w_max: Fraction
    norms: tuple[Fraction, ...]
    x_max: Fraction  # bound of the rewritten input's norm (with the appended 1)
    f_max: Fraction | None
    from_data: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "widths": list(self.widths),
            "w_max": str(self.w_max),
            "norms": [str(a) for a in self.norms],
            "x_max": str(self.x_max),
            "f_max": None if self.f_max is None else str(self.f_max),
            "from_data": self.from_data,
        }

    def lines(self) -> list[str]:
        src = "on the data's rows" if self.from_data else "for every ||x||_2 <= x_max"
        out = [
            f"model: widths {'-'.join(map(str, self.widths))} (biases folded into a constant-1 neuron where present), "
            f"w_max = {float(self.w_max):.6g}",
            "certified ||W_i||_2 <= " + ", ".join(f"{float(a):.6g}" for a in self.norms),
            f"x_max (input with the appended 1) = {float(self.x_max):.6g}"
            + ("" if self.f_max is None else f", F_max = {float(self.f_max):.6g}")
            + f" ({src})",
        ]
        return out


def _rows(x: np.ndarray) -> np.ndarray:
    """Data as a 2-D float64 array, unrounded (the error analysis below is float64's)."""
    a = exact_float64("data", x)
    if a.ndim != 2:
        raise ParameterError(f"data.shape={a.shape}: expected rows of inputs (2-D)")
    return a


def _ball_relu(m: Any) -> Any:
    """Elementwise ReLU of a ball matrix: each ball [lo, hi] becomes one containing [max(0, lo), max(0, hi)]."""
    rows, cols = m.nrows(), m.ncols()
    out = flint.arb_mat(rows, cols)
    zero = flint.arb(0)
    for i in range(rows):
        for j in range(cols):
            v = m[i, j]
            lo, hi = v.lower(), v.upper()
            if hi <= 0:
                out[i, j] = zero
            elif lo >= 0:
                out[i, j] = v
            else:
                out[i, j] = flint.arb(0).union(v.upper())
    return out


def _upper(m: Any) -> Fraction:
    """An exact rational >= |every entry| of a ball matrix."""
    top = Fraction(0)
    for i in range(m.nrows()):
        for j in range(m.ncols()):
            q = _arb_upper_fraction(abs(m[i, j]).upper())
            if q > top:
                top = q
    return top


def _arb_upper_fraction(a: Any) -> Fraction:
    """The exact value of an arb with zero radius (an upper end from ``.upper()``) as a Fraction."""
    man, exp = a.mid().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def data_f_max(target: Target, x: np.ndarray) -> Fraction:
    """A rigorous upper bound of |activation| over the inputs (with the appended 1) and every hidden
    neuron of F on the rows of x, from arb ball arithmetic (module doc)."""
    x = _rows(x)
    xs = np.hstack([x, np.ones((x.shape[0], 1))]) if target.append_one else x
    top = Fraction(0)
    if xs.size:
        top = Fraction(float(np.max(np.abs(xs))))
    mats = [flint.arb_mat(w.tolist()) for w in target.weights[:-1]]
    for lo in range(0, xs.shape[0], CHUNK):
        h = flint.arb_mat(xs[lo : lo + CHUNK].T.tolist())
        for a in mats:
            h = _ball_relu(a * h)
            top = max(top, _upper(h))
    return top


def model_numbers(target: Target, *, x_max: Fraction | None = None, data: np.ndarray | None = None) -> ModelNumbers:
    """The model's numbers for C3 (module doc); ``data`` (rows of F's inputs) replaces ``x_max``."""
    if data is not None and x_max is not None:
        raise ParameterError(f"xmax={x_max}: x_max comes from the data when data is given")
    w_max = Fraction(target.w_max)
    if w_max == 0:
        raise ParameterError("target: every weight is 0")
    norms = tuple(spectral_norm_upper(w) for w in target.weights)
    if any(a == 0 for a in norms):
        raise ParameterError("target: a layer is all zeros (F is constant); no bound is needed")
    d0 = target.original_widths[0]
    if data is not None and (np.ndim(data) != 2 or np.shape(data)[1] != d0):
        raise ParameterError(f"data.shape={np.shape(data)}: expected rows of F's input width {d0}")
    if data is None:
        return ModelNumbers(
            tuple(target.widths), w_max, norms, target.input_norm_bound(x_max or Fraction(1)), None, False
        )
    xm = data_x_max(data)
    return ModelNumbers(tuple(target.widths), w_max, norms, target.input_norm_bound(xm), data_f_max(target, data), True)


def model_setting(
    numbers: ModelNumbers,
    *,
    eps: Any,
    delta: Any,
    base: Any = "phi",
    inputs_nonnegative: bool = False,
    **constants: Any,
) -> Setting:
    """The comparison table's setting for the model: the parameter form with the model's numbers (and the
    values of the rows' constants the user gives, :func:`~logprune.bounds.setting.setting`)."""
    return setting(
        widths=numbers.widths,
        eps=eps,
        delta=delta,
        w_max=numbers.w_max,
        x_max=numbers.x_max,
        f_max=numbers.f_max,
        norms=numbers.norms,
        base=base,
        inputs_nonnegative=inputs_nonnegative,
        **constants,
    )
