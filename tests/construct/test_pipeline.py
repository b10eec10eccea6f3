"""The construction pipeline: one entry point, typed options, strategies, parallel blocks."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logprune.choices import Arithmetic, Dist, Method, Norm, Pooling
from logprune.construct.io.targets import demo_target
from logprune.construct.methods import strategy
from logprune.construct.options import options
from logprune.construct.pipeline import construct
from logprune.construct.pooling import geometry
from logprune.construct.target import target_from_arrays
from logprune.errors import ParameterError


def _target() -> object:
    rng = np.random.default_rng(7)
    ws = [rng.normal(size=(6, 5)) * 0.4, rng.normal(size=(3, 6)) * 0.4]
    return target_from_arrays(ws, [rng.normal(size=6) * 0.1, None])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("method", ["golden", "subset-sum"])
def test_ghat_file_is_byte_identical_for_1_and_2_workers(tmp_path: Path, method: str) -> None:
    target = _target()
    kw = {"eps": "0.05"} if method == "golden" else {"weight_eps": "0.3", "width": 20, "inputs_nonnegative": True}
    opt = options(seed=3, method=method, **kw)
    one = construct(target, opt, workers=1)  # type: ignore[arg-type]
    two = construct(target, opt, workers=2)  # type: ignore[arg-type]
    one.write(tmp_path / "1.npz")
    two.write(tmp_path / "2.npz")
    assert _sha(tmp_path / "1.npz") == _sha(tmp_path / "2.npz")
    assert one.certificate == two.certificate and one.uncovered == two.uncovered


def test_ghat_file_is_byte_identical_on_a_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    target = _target()
    opt = options(eps="0.05", seed=3)
    construct(target, opt, workers=1).write(tmp_path / "1.npz")  # type: ignore[arg-type]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        construct(target, opt, scheduler=cl.scheduler_address).write(tmp_path / "d.npz")  # type: ignore[arg-type]
    assert _sha(tmp_path / "1.npz") == _sha(tmp_path / "d.npz")


def test_demo_certificate_numbers_with_tight_norms_and_cells() -> None:
    """The numbers printed by `logprune demo` since #12 (tight spectral norms, the composed bound on
    cells, G drawn with the machine-independent exp) and #10 (separate supports, c = 1/(4k)).  Before #12:
    k 28, P 3015, 5072 kept weights, certificate 2.9286e-03, 3313.28 sampled per weight; before #10 (shared
    support, c = 1/(8(k-1))): P 2896, 4853 kept, certificate 2.8055e-04, 3182.50 sampled per weight; before
    the cells' affine forms, hull carry and ball clip: certificate 2.9126e-04."""
    c = construct(demo_target()[0], options(eps="0.01", delta="0.01", seed=0))
    assert c.ok and c.plan.k == 27 and c.plan.block == 1500 and c.kept == 4553
    assert f"{float(c.certificate.bound):.4e}" == "2.6060e-04"
    assert c.certificate.telescoped is not None and f"{float(c.certificate.telescoped):.4e}" == "2.3598e-03"
    assert f"{float(c.max_weight_error):.4e}" == "6.2916e-06"
    assert f"{c.sampled_per_target_weight:.2f}" == "1648.40"


def test_weight_eps_alone_is_a_complete_request_and_eps_with_it_is_refused() -> None:
    opt = options(weight_eps="0.01")
    assert opt.per_weight and opt.eps is None and opt.seed == 0
    with pytest.raises(ParameterError, match=r"eps=0\.1"):
        options(eps="0.1", weight_eps="0.01")
    with pytest.raises(ParameterError, match="eps=None"):
        options()


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"pooling": "bogus"}, "pool=bogus: expected shared or per-weight"),
        ({"method": "simplex"}, "method=simplex"),
        ({"dist": "normal"}, "dist=normal"),
        ({"norm": "l3"}, "norm=l3"),
        ({"arithmetic": "interval"}, "arithmetic=interval"),
        ({"width": "0"}, "width=0"),
        ({"seed": "-1"}, "seed=-1"),
    ],
)
def test_options_refuse_bad_values_naming_the_parameter(kw: dict[str, str], fragment: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(fragment)):
        options(eps="0.1", **kw)


def test_every_option_is_an_enumeration_member_after_parsing() -> None:
    opt = options(eps="0.1", dist="uniform", pooling="per-weight", method="malach", norm="inf", arithmetic="ball")
    assert (opt.dist, opt.pooling, opt.method, opt.norm, opt.arithmetic) == (
        Dist.UNIFORM,
        Pooling.PER_WEIGHT,
        Method.MALACH,
        Norm.INF,
        Arithmetic.BALL,
    )


def test_every_method_has_a_strategy_module() -> None:
    for m in Method:
        assert strategy(m).method is m


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(Pooling)),
    st.integers(1, 6),
    st.integers(1, 5),
    st.integers(1, 7),
    st.data(),
)
def test_pool_geometry_maps_every_neuron_to_one_block_output_and_place(
    kind: Pooling, n_in: int, n_out: int, size: int, data: st.DataObject
) -> None:
    """neuron(j, o, p) and (block_of, position) are inverse maps inside the layer's width."""
    g = geometry(kind)
    j = data.draw(st.integers(0, n_in - 1))
    o = data.draw(st.integers(0, n_out - 1))
    p = data.draw(st.integers(0, size - 1))
    u = g.neuron(j, np.array([o]), np.array([p]), n_out, size)
    assert 0 <= int(u[0]) < g.width(n_in, n_out, size)
    assert int(g.block_of(u, n_out, size)[0]) == j
    oo, pp = g.position(u, n_out, size)
    assert int(pp[0]) == p and int(oo[0]) in ((-1,) if kind is Pooling.SHARED else (o,))


def test_sampled_weights_per_target_weight_follow_the_pooling() -> None:
    """(B): P(1 + n_out) per block of P neurons; (A): 2·n_out·P (docs/claims.md, pooling-A, pooling-B)."""
    widths = [4, 3]
    assert geometry(Pooling.SHARED).sampled_per_target_weight(widths, 10) == 4 * 10 * (1 + 3) / 12
    assert geometry(Pooling.PER_WEIGHT).sampled_per_target_weight(widths, 10) == 4 * 2 * 3 * 10 / 12
