"""Interop: targets from PyTorch state_dicts and safetensors, Ĝ out as .safetensors and as a torch model,
and the comparison table for a real model (docs/claims.md, C3)."""

from __future__ import annotations

import json
from collections import OrderedDict
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.numpy import save_file

from logprune.cli import main
from logprune.construct.io.ghat_file import read_ghat
from logprune.construct.io.layers import RELU_ASSUMED
from logprune.construct.io.state_dict import mlp_layers
from logprune.construct.io.targets import load_target
from logprune.construct.measure import data_x_max
from logprune.construct.model_bounds import data_f_max, model_numbers
from logprune.construct.target import target_from_arrays
from logprune.errors import ParameterError

DEMO = str(files("logprune") / "data" / "demo_target.npz")
FAST = ["--quiet", "--workers", "1"]
PEER_PT = Path(__file__).resolve().parents[3] / "shared" / "targets" / "pensia_fc2.pt"
PEER_NPZ = PEER_PT.with_suffix(".npz")


def _demo_arrays() -> tuple[list[np.ndarray], list[np.ndarray]]:
    with np.load(DEMO) as z:
        layers = sum(1 for k in z.files if k.startswith("W"))
        return [z[f"W{i}"] for i in range(1, layers + 1)], [z[f"b{i}"] for i in range(1, layers + 1)]


def _as_state_dict(ws: list[np.ndarray], bs: list[np.ndarray], prefix: str = "") -> dict[str, np.ndarray]:
    """The demo's layers under nn.Sequential keys (0, 2, 4: ReLUs hold no parameters)."""
    sd: dict[str, np.ndarray] = {}
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        sd[f"{prefix}{2 * i}.weight"] = w
        sd[f"{prefix}{2 * i}.bias"] = b
    return sd


# --- reading an MLP from named arrays -------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ["fc1", "fc2", "fc3"],
        ["0", "2", "4"],
        ["layers.3", "layers.7", "layers.11"],
        ["net.2", "net.10", "net.12"],  # text order would put net.10 first
        ["module.fc1", "module.fc2", "module.fc3"],
    ],
)
def test_linear_layers_are_found_in_forward_order_from_the_keys(names: list[str]) -> None:
    ws, bs = _demo_arrays()
    keyed = {f"{n}.weight": w for n, w in zip(names, ws, strict=True)} | {
        f"{n}.bias": b for n, b in zip(names, bs, strict=True)
    }
    shuffled = dict(sorted(keyed.items()))  # safetensors' order: sorted as text
    mlp = mlp_layers(shuffled, source="x", ordered=False)
    assert mlp.prefixes == tuple(names)
    assert all(np.array_equal(a, b) for a, b in zip(mlp.weights, ws, strict=True))


def test_a_state_dicts_own_order_wins_even_where_the_names_chain_another_way() -> None:
    """Square layers chain in any order: a state_dict's registration order is the forward order."""
    rng = np.random.default_rng(0)
    keyed = {f"{name}.weight": rng.normal(size=(4, 4)) for name in ("input", "hidden", "output")}
    assert mlp_layers(keyed, source="x").prefixes == ("input", "hidden", "output")
    keyed = {f"fc{i}.weight": rng.normal(size=(4, 4)) for i in (1, 2, 10)}
    assert mlp_layers(keyed, source="x").prefixes == ("fc1", "fc2", "fc10")


def test_safetensors_names_without_an_order_are_refused() -> None:
    """safetensors sorts keys as text: names that differ in more than numbers carry no order."""
    rng = np.random.default_rng(0)
    keyed = {f"{name}.weight": rng.normal(size=(4, 4)) for name in ("hidden", "input", "output")}
    with pytest.raises(ParameterError, match="the order of the layers cannot be read"):
        mlp_layers(keyed, source="x", ordered=False)
    ws, _ = _demo_arrays()  # text order net.10, net.12, net.2 chains the demo's shapes: natural order it is
    text_sorted = {"net.10.weight": ws[1], "net.12.weight": ws[2], "net.2.weight": ws[0]}
    assert mlp_layers(text_sorted, source="x", ordered=False).prefixes == ("net.2", "net.10", "net.12")


def test_a_lone_linear_state_dict_is_a_one_layer_target() -> None:
    w, b = np.ones((2, 3)), np.zeros(2)
    mlp = mlp_layers({"weight": w, "bias": b}, source="x")
    assert mlp.prefixes == ("",) and np.array_equal(mlp.weights[0], w)
    with pytest.raises(ParameterError, match="key='bias'"):
        mlp_layers({"weight": w, "bias": np.zeros(3)}, source="x")


def test_a_non_finite_weight_under_a_zero_mask_stays_non_finite() -> None:
    sd = {"fc.weight_orig": np.array([[np.nan, 1.0]]), "fc.weight_mask": np.array([[0.0, 1.0]])}
    mlp = mlp_layers(sd, source="x")
    with pytest.raises(ParameterError, match="non-finite"):
        target_from_arrays(mlp.weights, mlp.biases)


def test_a_pruned_checkpoint_is_folded_into_the_effective_weight() -> None:
    ws, bs = _demo_arrays()
    mask = (np.random.default_rng(0).random(ws[1].shape) < 0.5).astype(np.float32)
    sd = _as_state_dict(ws, bs)
    sd.pop("2.weight")
    sd["2.weight_orig"], sd["2.weight_mask"] = ws[1], mask
    mlp = mlp_layers(sd, source="x")
    assert np.array_equal(mlp.weights[1], ws[1] * mask) and mlp.folded_masks == ("2",)


@pytest.mark.parametrize(
    ("arrays", "key"),
    [
        ({"conv1.weight": np.zeros((8, 1, 3, 3)), "fc.weight": np.zeros((10, 8))}, "conv1.weight"),
        ({"bn.weight": np.zeros(4), "fc.weight": np.zeros((2, 4))}, "bn.weight"),
        ({"fc.weight": np.zeros((2, 4)), "bn.running_mean": np.zeros(4)}, "bn.running_mean"),
        ({"fc1.weight": np.zeros((5, 4)), "fc3.weight": np.zeros((2, 7))}, "fc3.weight"),  # fc2 missing
        ({"fc1.weight": np.zeros((5, 4)), "fc2.bias": np.zeros(2)}, "fc2.bias"),
        ({"fc1.weight_orig": np.zeros((5, 4))}, "fc1.weight_orig"),
        ({"fc1.weight_orig": np.zeros((2, 2)), "fc1.weight_mask": np.full((2, 2), 0.5)}, "fc1.weight_mask"),
    ],
)
def test_what_is_not_an_mlp_is_refused_naming_the_key(arrays: dict[str, np.ndarray], key: str) -> None:
    with pytest.raises(ParameterError, match=f"key='{key}'"):
        mlp_layers(arrays, source="x")


# --- files in ----------------------------------------------------------------------------------------------


def test_safetensors_and_state_dict_npz_targets_are_the_npz_target(tmp_path: Path) -> None:
    ws, bs = _demo_arrays()
    ref, _ = load_target(DEMO)
    st_path = tmp_path / "m.safetensors"
    save_file({k: np.ascontiguousarray(v) for k, v in _as_state_dict(ws, bs).items()}, str(st_path))
    npz_path = tmp_path / "m.npz"
    np.savez(npz_path, **_as_state_dict(ws, bs, prefix="net."))  # type: ignore[arg-type]
    for p in (st_path, npz_path):
        t, notices = load_target(p)
        assert t.digest == ref.digest and t.widths == ref.widths
        assert any("layers read from" in n for n in notices)


def test_torch_state_dict_targets_load_with_weights_only(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    ws, bs = _demo_arrays()
    ref, _ = load_target(DEMO)
    sd = OrderedDict((k, torch.from_numpy(v)) for k, v in _as_state_dict(ws, bs).items())
    for name, obj in (("plain.pt", sd), ("nested.pth", {"epoch": 3, "state_dict": sd})):
        torch.save(obj, tmp_path / name)
        t, _ = load_target(tmp_path / name)
        assert t.digest == ref.digest
    torch.save({"model": torch.nn.Linear(2, 2)}, tmp_path / "object.pt")  # a pickled module: never loaded
    with pytest.raises(ParameterError, match=r"holds a pickled torch.nn.modules.linear.Linear .* save .*state_dict"):
        load_target(tmp_path / "object.pt")


def test_the_peers_checkpoint_loads_as_it_is() -> None:
    pytest.importorskip("torch")
    if not PEER_PT.is_file():
        pytest.skip("shared/targets is not beside the repository")
    t, notices = load_target(PEER_PT)
    ref, _ = load_target(PEER_NPZ)
    assert t.widths == [784, 500, 10] and t.digest == ref.digest and not t.append_one
    assert notices == ["layers read from pensia_fc2.pt: fc1, fc2", RELU_ASSUMED]  # a state_dict shows no activation
    assert t.notes == (RELU_ASSUMED,)


def test_a_convolutional_checkpoint_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "cnn.safetensors"
    save_file({"conv1.weight": np.zeros((4, 1, 3, 3)), "fc.weight": np.zeros((10, 4))}, str(p))
    assert main(["construct", "--target", str(p), "--weight-eps", "0.1", *FAST]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "key='conv1.weight'" in err and "convolution" in err


# --- files out ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("out")
    paths = {"npz": d / "g.npz", "safetensors": d / "g.safetensors"}
    for p in paths.values():
        assert main(["demo", "--out", str(p), *FAST]) == 0
    return paths


def test_safetensors_output_holds_the_npz_arrays_and_meta_and_verifies(
    outputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = read_ghat(outputs["npz"]), read_ghat(outputs["safetensors"])
    assert a.meta == b.meta and a.append_one == b.append_one and a.net.shapes == b.net.shapes
    for x, y in zip(a.net.rows + a.net.cols + a.net.vals, b.net.rows + b.net.cols + b.net.vals, strict=True):
        assert np.array_equal(x, y)
    capsys.readouterr()
    assert main(["verify", str(outputs["safetensors"]), "--target", DEMO, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_torch_model_rebuilt_from_the_pt_export_computes_ghat(outputs: dict[str, Path], tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pt = tmp_path / "g.pt"
    assert main(["demo", "--out", str(pt), *FAST]) == 0
    sd = torch.load(pt, weights_only=True)
    # the README's recipe: Linear layers from the shapes, ReLU between them
    n = len(sd) // 2
    layers: list[object] = []
    for i in range(n):
        out_f, in_f = sd[f"{2 * i}.weight"].shape
        layers += [torch.nn.Linear(in_f, out_f, dtype=torch.float64), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    model.load_state_dict(sd)
    g = read_ghat(outputs["npz"])
    x = np.random.default_rng(5).uniform(-1, 1, size=(64, 2))
    want = g.net.forward(np.hstack([x, np.ones((64, 1))]))
    got = model(torch.from_numpy(x)).detach().numpy()
    # the same float64 weights, summed in another order: agreement to a few ulps of the activations
    assert np.max(np.abs(got - want)) <= 1e-12 * max(1.0, float(np.max(np.abs(want))))
    assert json.loads(sd._metadata["logprune"]["meta"]) == g.meta


def test_unknown_output_format_is_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.h5"
    assert main(["demo", "--out", str(out), *FAST]) == 2
    out_, err = capsys.readouterr()
    assert out_ == "" and "out=" in err and err.count("\n") == 1 and not out.exists()


def test_verify_refuses_a_pt_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("torch")
    pt = tmp_path / "g.pt"
    assert main(["demo", "--out", str(pt), *FAST]) == 0
    capsys.readouterr()
    assert main(["verify", str(pt), "--target", DEMO]) == 2
    assert "plain torch model" in capsys.readouterr().err


# --- bounds for a real model ---------------------------------------------------------------------------------


def _bounds_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["bounds", *argv, "--json"]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


@pytest.mark.parametrize("data", [False, True])
def test_bounds_for_a_model_agree_with_the_parameter_form_given_the_same_numbers(
    data: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra: list[str] = []
    if data:
        x = np.random.default_rng(2).normal(size=(40, 2))
        np.save(tmp_path / "x.npy", x)
        extra = ["--data", str(tmp_path / "x.npy")]
    model = _bounds_json(capsys, "--target", DEMO, "--eps", "0.05", *extra)
    s = model["setting"]
    assert isinstance(s, dict) and s["widths"] == [3, 17, 17, 2] and s["assumptions"] == "general"
    params = ["--widths", *map(str, s["widths"]), "--wmax", s["w_max"], "--xmax", s["x_max"], "--norms", *s["norms"]]
    if s["f_max"] is not None:
        params += ["--fmax", s["f_max"]]
    assert _bounds_json(capsys, *params, "--eps", "0.05") == model


def test_bounds_with_equal_widths_are_the_n_by_n_table(capsys: pytest.CaptureFixture[str]) -> None:
    square = _bounds_json(capsys, "--n", "20", "--layers", "3", "--wmax", "1/8")
    given = _bounds_json(capsys, "--widths", "20", "20", "20", "20", "--wmax", "1/8")
    assert given["rows"] == square["rows"]


def test_data_of_any_real_dtype_is_read_exactly_or_refused() -> None:
    target, _ = load_target(DEMO)
    x32 = np.array([[1.0, 2.0**-13]], dtype=np.float32)
    assert data_x_max(x32) ** 2 >= Fraction(1) + Fraction(1, 2**26)
    assert data_x_max(np.array([[2**32, 0]], dtype=np.int64)) >= 2**32
    with pytest.raises(ParameterError, match="2\\^53"):
        data_x_max(np.array([[2**60, 0]], dtype=np.int64))
    with pytest.raises(ParameterError, match=r"data\.shape"):
        model_numbers(target, data=np.zeros((3, 5)))


def test_bounds_target_refuses_what_the_model_determines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bounds", "--target", DEMO, "--n", "5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--n" in err


small_nets = st.integers(1, 4).flatmap(
    lambda depth: st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1).flatmap(
        lambda w: st.tuples(
            st.just(w),
            st.integers(0, 2**32 - 1),
            st.booleans(),
        )
    )
)


@settings(max_examples=25, deadline=None)
@given(small_nets)
def test_data_bounds_are_upper_bounds_of_the_exact_activations(net: tuple[list[int], int, bool]) -> None:
    """x_max and F_max from data are rigorous: never below the exact values (Fractions), and tight."""
    widths, seed, biases = net
    rng = np.random.default_rng(seed)
    ws = [rng.normal(size=(widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    bs = [rng.normal(size=widths[i + 1]) if biases else None for i in range(len(widths) - 1)]
    target = target_from_arrays(ws, bs)
    x = rng.normal(size=(7, widths[0])) * 10.0 ** rng.integers(-3, 3)
    exact_x = max(sum(Fraction(float(v)) ** 2 for v in row) for row in x)
    xm = data_x_max(x)
    assert xm**2 >= exact_x and xm**2 <= exact_x * (1 + Fraction(1, 10**9)) + Fraction(1, 10**300)
    xs = np.hstack([x, np.ones((7, 1))]) if target.append_one else x
    best = Fraction(0)
    for row in xs:
        h = [Fraction(float(v)) for v in row]
        best = max(best, *(abs(v) for v in h))
        for w in target.weights[:-1]:
            h = [
                max(Fraction(0), sum((Fraction(float(w[i, j])) * h[j] for j in range(len(h))), Fraction(0)))
                for i in range(w.shape[0])
            ]
            best = max(best, *h)
    fm = data_f_max(target, x)
    assert best <= fm <= best * (1 + Fraction(1, 10**9)) + Fraction(1, 10**300)
    nums = model_numbers(target, data=x)
    assert nums.f_max == fm and nums.from_data


def test_the_python_api_gives_what_the_cli_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import logprune

    target = logprune.demo_target()
    assert logprune.bounds_for_model(target, eps="0.05").as_json() == _bounds_json(
        capsys, "--target", DEMO, "--eps", "0.05"
    )
    square = logprune.bounds_table(n=30, layers=4, eps="0.01", delta="0.1")
    assert square.as_json() == _bounds_json(capsys, "--n", "30", "--layers", "4", "--eps", "0.01", "--delta", "0.1")
    built = logprune.prune(target, weight_eps="0.1", seed=3, workers=1)
    capsys.readouterr()
    assert main(["demo", "--weight-eps", "0.1", "--seed", "3", "--json", *FAST]) == 0
    cli = json.loads(capsys.readouterr().out)
    api = built.as_json()
    for key in ("options", "plan", "certified_bound", "max_weight_error", "sizes", "ok"):
        assert api[key] == cli[key], key
    built.write(tmp_path / "g.safetensors")
    assert logprune.verify(tmp_path / "g.safetensors", logprune.load_target(DEMO)).ok
