"""C3: per-weight accuracy from the output accuracy, and the resulting k."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from logprune.bounds import propagation
from logprune.bounds.certified import enclose
from logprune.errors import ParameterError

from helpers import assert_encloses

widths_st = st.lists(st.integers(1, 6), min_size=2, max_size=5)


@st.composite
def settings_st(draw: st.DrawFn) -> dict:  # type: ignore[type-arg]
    widths = draw(widths_st)
    norms = [draw(st.fractions(min_value=Fraction(1, 4), max_value=Fraction(4), max_denominator=8)) for _ in widths[1:]]
    return {
        "widths": widths,
        "norms": norms,
        "eps": draw(st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(1, 2), max_denominator=10**6)),
        "x_max": draw(st.fractions(min_value=Fraction(1, 4), max_value=Fraction(8), max_denominator=8)),
        "w_max": draw(st.fractions(min_value=Fraction(1, 10), max_value=Fraction(2), max_denominator=10)),
        "inputs_nonnegative": draw(st.booleans()),
    }


@given(settings_st())
def test_C3_closed_form_satisfies_the_telescoped_bound(s: dict) -> None:  # type: ignore[type-arg]
    """x_max·[prod(a_i + eps_w d_i) - prod a_i] <= eps at the closed-form eps_w, certified."""
    p = propagation.propagate(
        eps=s["eps"],
        widths=s["widths"],
        norms=s["norms"],
        w_max=s["w_max"],
        x_max=s["x_max"],
        inputs_nonnegative=s["inputs_nonnegative"],
    )
    bound = propagation.error_bound_x(
        eps_w=p.eps_w,
        widths=s["widths"],
        norms=s["norms"],
        x_max=s["x_max"],
        inputs_nonnegative=s["inputs_nonnegative"],
    )
    assert enclose(bound).upper <= s["eps"]
    # k is L3's count at scale w_max: w_max·phi^-k <= eps_w < w_max·phi^-(k-1)
    assert enclose(s["w_max"] * sp.GoldenRatio ** (-p.k) - p.eps_w).upper <= 0
    if p.k > 0:
        assert enclose(s["w_max"] * sp.GoldenRatio ** (-(p.k - 1)) - p.eps_w).lower > 0


def _forward(ws: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    h = x
    for W in ws[:-1]:
        h = np.maximum(W @ h, 0)
    return ws[-1] @ h


@settings(max_examples=30)
@given(settings_st(), st.integers(0, 2**32 - 1))
def test_C3_perturbed_networks_stay_within_eps(s: dict, seed: int) -> None:  # type: ignore[type-arg]
    """Random targets with ||W_i|| = the stated norms, entries perturbed by +-eps_w (both branches of
    layer 1 independently, as Ĝ does), random inputs on the sphere: the output error is <= eps.
    Computed in exact rationals: no float tolerance."""
    rng = np.random.default_rng(seed)
    widths = s["widths"]
    p = propagation.propagate(
        eps=s["eps"], widths=widths, norms=s["norms"], w_max=s["w_max"], x_max=s["x_max"], inputs_nonnegative=False
    )
    ew = Fraction(p.eps_w_enclosure.lower)
    ws, hat_pos, hat_neg = [], [], []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        W = rng.standard_normal((b, a))
        W *= float(s["norms"][i]) / max(np.linalg.norm(W, 2), 1e-12) * 0.999  # spectral norm below the bound
        Wq = [[Fraction(float(v)) for v in row] for row in W]
        ws.append(Wq)
        hat_pos.append([[v + ew * int(rng.choice([-1, 1])) for v in row] for row in Wq])
        hat_neg.append([[v + ew * int(rng.choice([-1, 1])) for v in row] for row in Wq])
    x = rng.standard_normal(widths[0])
    x *= float(s["x_max"]) / np.linalg.norm(x) * 0.999
    xq = [Fraction(float(v)) for v in x]

    def mv(M: list, v: list) -> list:  # type: ignore[type-arg]
        return [sum((a * b for a, b in zip(row, v, strict=True)), Fraction(0)) for row in M]

    relu = lambda v: [max(t, Fraction(0)) for t in v]  # noqa: E731
    h, g = xq, None
    # target
    for i, W in enumerate(ws):
        h = mv(W, h)
        if i < len(ws) - 1:
            h = relu(h)
    # Ĝ's effective computation: layer 1 = Ŵ⁺σ(x) - Ŵ⁻σ(-x), then Ŵ_i on nonnegative activations
    g = [a - b for a, b in zip(mv(hat_pos[0], relu(xq)), mv(hat_neg[0], relu([-t for t in xq])), strict=True)]
    for W in hat_pos[1:]:
        g = mv(W, relu(g))
    err2 = sum((a - b) ** 2 for a, b in zip(g, h, strict=True))
    assert err2 <= s["eps"] ** 2


def test_C3_log_norm_term_and_depth_grow_k() -> None:
    base = dict(eps="0.01", w_max="1/2", x_max=1)
    k1 = propagation.propagate(widths=[10] * 4, norms=[1] * 3, **base).k
    k2 = propagation.propagate(widths=[10] * 4, norms=[3] * 3, **base).k
    k3 = propagation.propagate(widths=[10] * 9, norms=[1] * 8, **base).k
    assert k2 > k1 and k3 > k1
    p = propagation.propagate(widths=[10] * 4, norms=[3] * 3, **base)
    assert_encloses(p.log_norm_sum, sp.N(3 * sp.log(3), 60))


def test_F_max_form_is_used_when_it_is_better() -> None:
    common = dict(eps="0.01", widths=[5, 5, 5], norms=[4, 4], w_max="1/2")
    px = propagation.propagate(x_max=10, **common)
    pf = propagation.propagate(x_max=10, f_max="1/10", **common)
    assert pf.source == "F_max" and pf.eps_w_enclosure.lower >= px.eps_w_enclosure.lower


def test_propagation_rejects_bad_shapes() -> None:
    with pytest.raises(ParameterError, match="norms"):
        propagation.propagate(eps="0.1", widths=[2, 2, 2], norms=[1], w_max=1, x_max=1)
    with pytest.raises(ParameterError, match="x_max=None"):
        propagation.propagate(eps="0.1", widths=[2, 2], norms=[1], w_max=1)


@given(widths_st, st.booleans())
def test_propagation_dimensions_follow_the_branch_rule(widths: list[int], inputs_nonnegative: bool) -> None:
    """D = sum_i sqrt(branches_i n_i n_(i-1)) for unit norms: layer 1 counts twice unless x >= 0."""
    from logprune.bounds.domain import layer_branches

    p = propagation.propagate(
        eps="0.1", widths=widths, norms=[1] * (len(widths) - 1), w_max=1, x_max=1, inputs_nonnegative=inputs_nonnegative
    )
    br = layer_branches(len(widths) - 1, inputs_nonnegative=inputs_nonnegative)
    expect = sum(sp.sqrt(b * widths[i] * widths[i + 1]) for i, b in enumerate(br))
    assert sp.simplify(p.D - expect) == 0
