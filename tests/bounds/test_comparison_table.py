"""The comparison table of ``logprune bounds`` (issue #10): one unit for every row, upper rows never below a
lower row, Pensia's constant never silently 1, and rows that agree with what ``construct`` builds."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

from logprune.bounds.rows import Bound, Status, table
from logprune.bounds.rows.pensia2020 import PENSIA_C
from logprune.bounds.setting import Setting, setting
from logprune.cli import main
from logprune.construct.options import options
from logprune.construct.plan import plan
from logprune.construct.target import target_from_arrays

GRID = {
    "n": [2, 10, 100, 1000],
    "layers": [1, 3, 10],
    "eps": ["1/10", "1/100", "1/1000000"],
    "delta": ["1/2", "1/100", "1/1000000"],
}


def _settings() -> list[Setting]:
    out = [
        setting(n=n, layers=ll, eps=e, delta=d)
        for n, ll, e, d in itertools.product(*GRID.values())
        if not (n == 1000 and ll == 10 and e == "1/1000000")  # keeps the grid fast; the largest is covered below
    ]
    out.append(setting(n=50, layers=4, eps="1/100", delta="1/100", w_max="1/2", x_max=1, norms=["3"]))
    out.append(setting(widths=[784, 500, 10], eps="1/10", delta="1/100", w_max="1/2", x_max=28, norms=[9, 3]))
    out.append(setting(n=100, layers=10, eps="1/100", delta="1/100", inputs_nonnegative=True))
    return out


@pytest.mark.parametrize("st", _settings(), ids=lambda st: f"{st.n}-{st.layers}-{st.eps}-{st.delta}")
def test_no_upper_row_below_a_lower_row_in_sampled_weights_per_target_weight(st: Setting) -> None:
    """docs/claims.md, counting: every construction of the table approximates each target weight, so the
    counting bound applies to all of them, in the same unit."""
    rows = table(st)
    lows = [r for r in rows if r.bound is Bound.LOWER and r.extra.get("applies", True)]
    ups = [r for r in rows if r.bound is Bound.UPPER and r.sampled_weights_per_target_weight is not None]
    assert lows and ups
    for up, low in itertools.product(ups, lows):
        assert low.sampled_weights_per_target_weight is not None
        # certain: the upper row's lower end is above the lower row's upper end
        assert up.sampled_weights_per_target_weight.lower >= low.sampled_weights_per_target_weight.upper, (
            up.name,
            low.name,
        )
        if low.sampled_weights_per_target_weight.lower > 0:
            assert up.ratio_to_lower_bound is not None and up.ratio_to_lower_bound.lower >= 1
        else:  # w_max <= eps: the empty pruning approximates every weight, the bound is 0 and no ratio is shown
            assert low.sampled_weights_per_target_weight.upper == 0


def test_every_row_carries_the_unit_the_bound_and_the_status() -> None:
    st = setting(n=100, layers=10, eps="1/100", delta="1/100")
    for r in table(st):
        assert isinstance(r.bound, Bound) and isinstance(r.status, Status)
        j = r.as_json()
        assert "sampled_weights_per_target_weight" in j
        if j["sampled_weights_per_target_weight"] is None:
            # null only where a constant is unknown: the formula is then given with the constant as a symbol
            assert r.name == "pensia2020" and r.symbolic is not None and PENSIA_C in r.symbolic.free_symbols
        if r.bound is Bound.UPPER and r.sampled_weights is not None:
            assert r.sampled_weights_per_target_weight is not None
            assert r.sampled_weights_per_target_weight.exact * st.target_weights == r.sampled_weights
            assert r.neurons == sum(r.width or ())
            assert r.dense_weights is not None and r.sampled_weights <= r.dense_weights


def test_pensia_row_is_symbolic_without_a_constant_and_numeric_with_one(capsys: pytest.CaptureFixture[str]) -> None:
    base = {"n": 100, "layers": 10, "eps": "1/100", "delta": "1/100"}
    (p,) = [r for r in table(setting(**base)) if r.name == "pensia2020"]
    assert p.sampled_weights_per_target_weight is None and p.status is Status.PUBLISHED
    (q,) = [r for r in table(setting(**base, pensia_c=2)) if r.name == "pensia2020"]
    # per input neuron a block of ceil(2 ln(10^7)) = 33 neurons, each with 1 in- and 100 out-weights
    assert q.sampled_weights == 10 * 100 * 33 * 101
    assert main(["bounds", "--pensia-c", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (j,) = [r for r in doc["rows"] if r["name"] == "pensia2020"]
    assert j["sampled_weights"] == q.sampled_weights and doc["setting"]["pensia_c"] == "2"


def test_pooling_B_sampled_weights_count_in_and_out_weights_of_each_block() -> None:
    st = setting(widths=[3, 5, 2], eps="1/10", delta="1/10", w_max="1/2", x_max=1, norms=[2, 2])
    rows = {r.name: r for r in table(st)}
    pool = rows["orseau2020_shared"].extra["pool"]
    assert rows["orseau2020_shared"].sampled_weights == 3 * pool * (1 + 5) + 5 * pool * (1 + 2)
    assert rows["orseau2020"].sampled_weights == 2 * pool * (15 + 10)


@pytest.mark.parametrize("nonneg", [False, True])
def test_orseau_rows_agree_with_the_G_that_construct_plans(nonneg: bool) -> None:
    """docs/claims.md, propagation and pooling-B: for a target's own widths, w_max, certified norms and x_max,
    the table's tightened k, pool and sampled weights are those of the G that construct builds."""
    rng = np.random.default_rng(7)
    ws = [rng.uniform(-0.5, 0.5, size=(4, 3)), rng.uniform(-0.5, 0.5, size=(2, 4))]
    target = target_from_arrays(ws)
    opt = options(eps="1/20", delta="1/100", inputs_nonnegative=nonneg)
    pl = plan(target, opt)
    st = setting(
        widths=target.widths,
        eps="1/20",
        delta="1/100",
        w_max=Fraction(target.w_max),
        x_max=pl.x_max_eff,
        norms=list(pl.norms),
        inputs_nonnegative=nonneg,
    )
    row = {r.name: r for r in table(st)}["orseau2020_shared"]
    assert row.extra["k"] == pl.k
    assert row.extra["propagation"]["closed_form_k"] >= pl.k
    assert row.extra["pool"] == pl.block_from_bound == pl.block
    sampled = pl.pool.sampled_per_target_weight(target.widths, pl.block) * sum(w.size for w in ws)
    assert row.sampled_weights == round(sampled)


@pytest.mark.parametrize(("d", "kappa"), [(2, 1), (3, 2), (5, 2), (10, 1), (10, 2), (12, 3)])
def test_entropy_H2_form_is_a_valid_lower_bound_below_the_exact_count(d: int, kappa: int) -> None:
    """docs/claims.md, entropy: the table's certified H2 form never exceeds the exact least n (so it is a
    valid lower bound) and is close to it."""
    from logprune.bounds import lower

    e, dl = Fraction(1, 100), Fraction(1, 100)
    fast = lower.entropy_h2_checked(d, e, dl, kappa * d * d, Fraction(1)).total
    exact = lower._entropy(d, e, dl, kappa * d * d, Fraction(1)).total
    assert fast <= exact
    if d >= 10:  # the relaxation is loose only for tiny layers (d = 2: 76 against 111; d = 10: 1890 vs 1949)
        assert exact <= fast * Fraction(104, 100)
