"""The parameters of a size question (docs/claims.md, C1, C2, C3): a target's widths, eps, delta, the
assumptions (Malach's, or the general ones of C3), the decomposition base, and the values the user gives
of the rows' named constants.  :func:`setting` validates them once; every row of the table
(:mod:`logprune.bounds.rows`) takes them as exact values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from logprune.errors import ParameterError
from logprune.validation import (
    MAX_LAYERS,
    MAX_SIZE,
    check_int,
    check_open_unit,
    check_positive,
    parse_base,
    sympy_rational,
)

if TYPE_CHECKING:
    from logprune.bounds.rows.row import UserConstant

__all__ = ["Setting", "setting", "user_constants"]


def user_constants() -> tuple[UserConstant, ...]:
    """The named constants the rows of the table take from the user (:mod:`logprune.bounds.rows`)."""
    from logprune.bounds.rows import user_constants as declared  # the registry stands above the setting

    return declared()


def _text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, kw_only=True)
class Setting:
    """Validated parameters of a size question (:func:`setting` checks them once; everything below takes
    them as exact values).  ``malach`` when no general parameter is given."""

    n: int
    layers: int
    eps: Fraction
    delta: Fraction
    w_max: Fraction | None = None
    x_max: Fraction | None = None
    f_max: Fraction | None = None
    norms: tuple[Fraction, ...] | None = None
    base: str = "phi"
    inputs_nonnegative: bool = False
    layer_widths: tuple[int, ...] | None = None  # n_0..n_l of a real model (None: all n)
    constants: tuple[tuple[str, Fraction], ...] = ()  # the user's values of the rows' constants (name, value)

    def constant(self, name: str) -> Fraction | None:
        """The user's value of a row's constant (``pensia_c``, ...; :mod:`logprune.bounds.rows`), or None."""
        return dict(self.constants).get(name)

    @property
    def base_value(self) -> sp.Expr:
        """The checked base as an exact number (phi or a rational > 1)."""
        return sp.GoldenRatio if self.base == "phi" else sp.Rational(self.base)

    @property
    def malach(self) -> bool:
        return self.w_max is None and self.x_max is None and self.f_max is None and self.norms is None

    @property
    def widths(self) -> list[int]:
        return list(self.layer_widths) if self.layer_widths is not None else [self.n] * (self.layers + 1)

    def layer_weights(self, i: int) -> int:
        """n_(i+1)·n_i: the weights of target layer i (0-based)."""
        w = self.widths
        return w[i] * w[i + 1]

    @property
    def target_weights(self) -> int:
        return sum(self.layer_weights(i) for i in range(self.layers))

    def resolved(self) -> dict[str, Any]:
        """w_max, x_max, f_max, norms as used (Malach: w_max = 1/sqrt(n), norms 1, x_max 1;
        general: missing norms bounded by the Frobenius norm sqrt(n_i·n_(i-1))·w_max, missing x_max and
        f_max by 1 and none)."""
        if self.malach:
            return {
                "w_max": 1 / sp.sqrt(self.n),
                "x_max": sp.Integer(1),
                "f_max": None,
                "norms": [sp.Integer(1)] * self.layers,
            }
        w_max = sympy_rational(self.w_max) if self.w_max is not None else 1 / sp.sqrt(self.n)
        norms = (
            [sympy_rational(v) for v in self.norms]
            if self.norms is not None
            else [sp.sqrt(self.layer_weights(i)) * w_max for i in range(self.layers)]
        )
        x_max = (
            sympy_rational(self.x_max)
            if self.x_max is not None
            else (None if self.f_max is not None else sp.Integer(1))
        )
        f_max = sympy_rational(self.f_max) if self.f_max is not None else None
        return {"w_max": w_max, "x_max": x_max, "f_max": f_max, "norms": norms}

    def as_json(self) -> dict[str, Any]:
        res = self.resolved()
        return {
            "n": self.n,
            "layers": self.layers,
            **({} if self.layer_widths is None else {"widths": list(self.layer_widths)}),
            "eps": str(self.eps),
            "delta": str(self.delta),
            "assumptions": "malach" if self.malach else "general",
            "w_max": sp.sstr(res["w_max"]),
            "x_max": None if res["x_max"] is None else sp.sstr(res["x_max"]),
            "f_max": None if res["f_max"] is None else sp.sstr(res["f_max"]),
            "norms": [sp.sstr(v) for v in res["norms"]],
            "base": self.base,
            "inputs_nonnegative": self.inputs_nonnegative,
            **{c.name: _text(self.constant(c.name)) for c in user_constants()},
        }


def setting(
    *,
    n: Any = None,
    layers: Any = None,
    eps: Any,
    delta: Any,
    w_max: Any | None = None,
    x_max: Any | None = None,
    f_max: Any | None = None,
    norms: Sequence[Any] | None = None,
    base: Any = "phi",
    inputs_nonnegative: bool = False,
    widths: Sequence[Any] | None = None,
    **constants: Any,
) -> Setting:
    """Validate a size question, once; ``norms`` has one upper bound of ||W_i||_2 per layer, or one for all.
    Either ``n`` and ``layers`` (dense n×n layers) or ``widths`` = [n_0, ..., n_l] (a real model).
    ``constants``: values of the rows' constants the user gives (``pensia_c=3``; the names are the rows'
    own, :func:`user_constants`), each > 0; a row whose constant is not given shows its formula."""
    lw: tuple[int, ...] | None = None
    if widths is not None:
        if n is not None or layers is not None:
            raise ParameterError(f"widths={list(widths)}: give widths, or n and layers, not both")
        lw = tuple(check_int("widths", v, maximum=MAX_SIZE) for v in widths)
        if len(lw) < 2:
            raise ParameterError(f"widths={list(widths)}: give the input width and at least one layer's")
        nn, ll = max(lw), len(lw) - 1
    else:
        if n is None or layers is None:
            raise ParameterError(f"n={n}, layers={layers}: both are needed (or widths)")
        nn = check_int("n", n, maximum=MAX_SIZE)
        ll = check_int("layers", layers, maximum=MAX_LAYERS)
    e = check_open_unit("eps", eps)
    d = check_open_unit("delta", delta)
    wm = None if w_max is None else check_positive("w_max", w_max)
    xm = None if x_max is None else check_positive("x_max", x_max)
    fm = None if f_max is None else check_positive("f_max", f_max)
    nm: tuple[Fraction, ...] | None = None
    if norms is not None:
        vals = [check_positive("norms", v) for v in norms]
        if len(vals) == 1:
            vals = vals * ll
        if len(vals) != ll:
            raise ParameterError(f"norms={list(norms)}: give one value or one per layer (layers={ll})")
        nm = tuple(vals)
    bb = parse_base(base)
    known = {c.name for c in user_constants()}
    for name, value in constants.items():
        if name not in known:
            raise ParameterError(f"{name}={value}: not a parameter of the table (its constants: {', '.join(known)})")
    given = tuple(
        (c.name, check_positive(c.name, constants[c.name]))
        for c in user_constants()
        if constants.get(c.name) is not None
    )
    base_s = "phi" if bb is sp.GoldenRatio else sp.sstr(bb)
    return Setting(
        n=nn,
        layers=ll,
        eps=e,
        delta=d,
        w_max=wm,
        x_max=xm,
        f_max=fm,
        norms=nm,
        base=base_s,
        inputs_nonnegative=inputs_nonnegative,
        layer_widths=lw,
        constants=given,
    )
