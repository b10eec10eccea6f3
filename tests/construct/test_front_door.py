"""The front door (issue #23): the target as the user holds it (a module, a state_dict, arrays, a checkpoint as
people save it), results that display themselves, and a certificate that never stands beside inputs it does
not cover without saying so.  Each failure of the issue's trial is a test here; torch's are skipped without
torch."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import logprune
from logprune.bounds.rows import table
from logprune.bounds.setting import setting
from logprune.cli import main
from logprune.construct.io.layers import RELU_ASSUMED
from logprune.construct.measure import data_domain, inside
from logprune.construct.target import fold_batchnorm, target_from_arrays
from logprune.display import REPR_MAX
from logprune.errors import LogpruneError, ParameterError, ParameterTypeError

FAST = {"workers": 1, "progress": False}


def _mlp(torch: Any, *, bn: bool = True, seed: int = 0) -> Any:
    """A small Linear-BatchNorm1d-ReLU-Dropout MLP, trained a few steps so that its statistics are not 0/1."""
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(6, 5)]
    layers += [torch.nn.BatchNorm1d(5)] if bn else []
    layers += [torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3)]
    model = torch.nn.Sequential(*layers)
    x, y = torch.rand(64, 6), torch.randint(0, 3, (64,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.eval()


# -- the target as the user holds it --------------------------------------------------------------------


def test_a_module_is_pruned_from_the_object_its_batchnorm_folded_and_its_relus_read() -> None:
    torch = pytest.importorskip("torch")
    model = _mlp(torch)
    built = logprune.prune(model, eps="0.1", **FAST)
    assert built.ok and built.target.original_widths == (6, 5, 4, 3)
    notes = " ".join(built.target.notes)
    assert "BatchNorm1d 1" in notes and "folded into Linear 0" in notes and RELU_ASSUMED not in notes
    x = np.random.default_rng(0).random((32, 6))
    with torch.no_grad():
        want = model.double()(torch.as_tensor(x)).numpy()
    assert np.max(np.abs(built.target(x) - want)) < 1e-12  # the folded F is the model, up to one rounding
    assert np.max(np.abs(built(x) - want)) <= float(built.certificate.bound)


def test_the_fold_is_the_exact_fold_rounded_once() -> None:
    rng = np.random.default_rng(3)
    w, b = rng.normal(size=(3, 4)), rng.normal(size=3)
    g, be, mean, var = rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), rng.random(3) + 0.1
    eps = Fraction(1, 100000)
    fw, fb = fold_batchnorm(w, b, gamma=g, beta=be, mean=mean, var=var, eps=eps, after=True, name="bn")
    with sp.evaluate(True):
        for i in range(3):
            s = sp.Rational(Fraction(float(g[i]))) / sp.sqrt(sp.Rational(Fraction(float(var[i]))) + sp.Rational(eps))
            for j in range(4):
                exact = s * sp.Rational(Fraction(float(w[i, j])))
                assert fw[i, j] == float(sp.N(exact, 60))  # the nearest float64 to the exact real
            exact_b = s * (sp.Rational(Fraction(float(b[i]))) - sp.Rational(Fraction(float(mean[i])))) + sp.Rational(
                Fraction(float(be[i]))
            )
            assert fb[i] == float(sp.N(exact_b, 60))


def test_a_state_dict_with_batchnorm_needs_its_eps_and_then_folds() -> None:
    torch = pytest.importorskip("torch")
    model = _mlp(torch)
    sd = model.state_dict()
    with pytest.raises(ParameterError, match=r"key='1.running_mean': a BatchNorm layer; .* give bn_eps .* 1e-5"):
        logprune.load_target(sd)
    t = logprune.load_target(sd, bn_eps="1e-5")
    assert RELU_ASSUMED in t.notes and any("assumed right after Linear 0" in n for n in t.notes)
    x = np.random.default_rng(1).random((16, 6))
    with torch.no_grad():
        want = model.double()(torch.as_tensor(x)).numpy()
    assert np.max(np.abs(t(x) - want)) < 1e-6  # 1e-5 as a rational against torch's float eps: within 1e-6


def test_a_module_with_another_activation_or_a_skip_is_refused_by_name() -> None:
    torch = pytest.importorskip("torch")
    tanh = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    with pytest.raises(ParameterError, match=r"^1 \(Tanh\): not a layer of a ReLU MLP; logprune reads Linear"):
        logprune.load_target(tanh)

    class Skip(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = torch.nn.Linear(3, 3), torch.nn.Linear(3, 3)

        def forward(self, x: Any) -> Any:
            return self.b(torch.relu(self.a(x))) + x

    with pytest.raises(ParameterError, match="skip connection"):
        logprune.load_target(Skip())
    bn_train = _mlp(torch).train()
    with pytest.raises(ParameterError, match=r"training mode: call model.eval\(\)"):
        logprune.load_target(bn_train)


def test_a_functional_forward_is_traced_and_its_relus_checked() -> None:
    torch = pytest.importorskip("torch")

    class Net(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.out = torch.nn.Linear(4, 2)  # registered first: the forward, not the registration, orders
            self.fc1 = torch.nn.Linear(3, 4)

        def forward(self, x: Any) -> Any:
            x = x.view(x.size(0), -1)
            return self.out(torch.nn.functional.relu(self.fc1(x)))

    t = logprune.load_target(Net())
    assert t.original_widths == (3, 4, 2) and t.notes == ()

    class NoRelu(Net):
        def forward(self, x: Any) -> Any:
            return self.out(self.fc1(x))

    with pytest.raises(ParameterError, match=r"no activation before Linear out"):
        logprune.load_target(NoRelu())


def test_what_is_not_a_target_is_refused_in_one_line() -> None:
    demo = logprune.demo_target()
    with pytest.raises(ParameterTypeError, match=r"^target=3.5: expected a path .* a torch.nn.Module"):
        logprune.prune(3.5, eps="0.1", **FAST)
    with pytest.raises(ParameterError, match=r"^inputs: shape \(4, 10\); expected rows of the input width 2"):
        logprune.prune(demo, eps="0.1", inputs=np.zeros((4, 10)), **FAST)
    ws = [w for w in demo.weights]
    assert logprune.load_target(ws).widths == demo.widths  # a list of arrays, in forward order


def test_a_pickled_module_is_never_unpickled_and_the_line_says_what_to_save(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    torch.save(torch.nn.Sequential(torch.nn.Linear(3, 2)), tmp_path / "whole.pt")
    with pytest.raises(ParameterError) as err:
        logprune.load_target(tmp_path / "whole.pt")
    text = str(err.value)
    assert "pickled torch.nn.modules.container.Sequential" in text and "model.state_dict()" in text
    assert "\x1b" not in text and "weights_only" not in text and "\n" not in text


def test_safetensors_layers_whose_shapes_fix_the_order_load_and_square_ones_ask_for_it(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    save_file(
        {
            "out.weight": rng.normal(size=(2, 5)),
            "fc1.weight": rng.normal(size=(4, 3)),
            "fc2.weight": rng.normal(size=(5, 4)),
        },
        str(tmp_path / "a.safetensors"),
    )
    assert logprune.load_target(tmp_path / "a.safetensors").widths == [3, 4, 5, 2]
    save_file(
        {f"{n}.weight": rng.normal(size=(4, 4)) for n in ("hidden", "input", "output")}, str(tmp_path / "b.safetensors")
    )
    with pytest.raises(ParameterError, match=r"give the order \(--layer-order hidden,input,output"):
        logprune.load_target(tmp_path / "b.safetensors")
    t = logprune.load_target(tmp_path / "b.safetensors", layer_order="input,hidden,output")
    assert t.widths == [4, 4, 4, 4]
    with pytest.raises(ParameterError, match=r"layer_order=input,hidden: 'output' is missing"):
        logprune.load_target(tmp_path / "b.safetensors", layer_order=["input", "hidden"])


# -- display --------------------------------------------------------------------------------------------


def test_every_result_shows_one_short_line_and_an_html_table() -> None:
    demo = logprune.demo_target()
    built = logprune.prune(demo, eps="0.05", **FAST)
    tab = logprune.bounds_table(n=100, layers=10, eps="0.01")
    r = logprune.rss(law="uniform", n=8, eps="0.1", trials=50, progress=False)
    results = [demo, built, tab, tab.rows[0], tab.row("pensia2020"), r]
    for obj in results:
        text = repr(obj)
        assert len(text) <= REPR_MAX and "\n" not in text and "array(" not in text, text
        html = obj._repr_html_()
        assert html.startswith("<table>") and len(html) < 20_000
    assert float(tab.row("orseau2020").sampled_weights_per_target_weight) > 100  # type: ignore[arg-type]
    sym = tab.row("pensia2020").symbolic
    assert isinstance(sym, sp.Expr) and sp.Symbol("C", positive=True) in sym.free_symbols
    assert tab.row("pensia2020")._repr_latex_().startswith("$\\mathrm{pensia2020} = ")


def test_a_large_construction_displays_in_a_few_kilobytes() -> None:
    """A 784-500-10 target (fc2's shape): the repr is a line and the HTML a summary, never Ĝ's arrays."""
    rng = np.random.default_rng(0)
    t = target_from_arrays([rng.normal(size=(500, 784)) * 0.05, rng.normal(size=(10, 500)) * 0.05])
    built = logprune.prune(t, weight_eps="0.05", inputs_nonnegative=True, workers=2, progress=False)
    assert len(repr(built)) <= REPR_MAX and len(built._repr_html_()) <= 20_000


# -- an honest domain -------------------------------------------------------------------------------------


def test_inputs_outside_the_certified_domain_are_said_in_the_result_line(tmp_path: Path, capsys: Any) -> None:
    x = np.random.default_rng(0).normal(size=(40, 2)) * 3  # norms up to about 10, the domain is ||x|| <= 1
    np.save(tmp_path / "x.npy", x)
    assert main(["demo", "--inputs", str(tmp_path / "x.npy"), "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    outside = int(np.sum(~inside(x, data_domain(np.zeros((1, 2)) + 1))))
    result = next(line for line in out.splitlines() if line.startswith("result:"))
    assert result.startswith("result: OK for ||x||_2 <= 1 only:") and "given inputs lie outside it" in result
    assert main(["demo", "--inputs", str(tmp_path / "x.npy"), "--workers", "1", "--quiet", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["inputs_given"] == 40 and doc["inputs_outside_domain"] >= 30 and outside >= 0
    assert doc["measured_error"] <= float(doc["certified_bound"]["decimal"]) * (1 + 1e-6)


def test_data_sets_the_certified_domain_and_says_so(tmp_path: Path, capsys: Any) -> None:
    demo = logprune.demo_target()
    data = np.abs(np.random.default_rng(2).normal(size=(30, 2))) * 2
    built = logprune.prune(demo, eps="0.05", data=data, **FAST)
    dom = built.certificate.domain
    assert dom.nonnegative and dom.x_max >= Fraction(float(np.max(np.linalg.norm(data, axis=1))))
    assert np.all(inside(data, dom)) and any("certified domain from the data" in n for n in built.notes)
    assert built.measurement is not None and built.measurement.outside == 0
    with pytest.raises(ParameterError, match=r"^x_max=2: data sets the certified domain"):
        logprune.prune(demo, eps="0.05", data=data, x_max=2, **FAST)


def test_verify_says_when_given_inputs_leave_the_files_domain(tmp_path: Path) -> None:
    demo = logprune.demo_target()
    built = logprune.prune(demo, eps="0.05", **FAST)
    built.write(tmp_path / "g.npz")
    far = np.full((3, 2), 5.0)
    report = logprune.verify(tmp_path / "g.npz", demo, inputs=far, progress=False)
    assert report.ok and report.lines()[-1].endswith(
        "3 of the 3 given inputs lie outside it, their error is not certified)"
    )
    assert report.as_json()["inputs_outside_domain"] == 3


# -- plumbing ---------------------------------------------------------------------------------------------


def test_notices_go_to_stderr_and_latex_stdout_is_latex(tmp_path: Path, capsys: Any) -> None:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    save_file(
        {"fc1.weight": rng.normal(size=(4, 3)), "fc2.weight": rng.normal(size=(2, 4))}, str(tmp_path / "m.safetensors")
    )
    assert main(["bounds", "--target", str(tmp_path / "m.safetensors"), "--latex"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("% generated by logprune bounds") and "\\toprule" in out and "notice" not in out
    assert "logprune: notice: layers read from m.safetensors" in err and RELU_ASSUMED in err


def test_a_missing_optional_dependency_is_named_before_any_work(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in ("scipy", "matplotlib") else real(name, *a)
    )
    assert main(["check", "rss", "--law", "uniform", "--n", "5", "--eps", "0.1"]) == 2
    assert capsys.readouterr().err.strip() == "logprune: error: check rss: needs scipy (pip install 'logprune[check]')"
    assert main(["check", "sweep", "--figure", "x", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "logprune: error: check sweep --figure: needs matplotlib (pip install 'logprune[plot]')"
    with pytest.raises(LogpruneError, match="needs scipy"):
        logprune.rss(law="uniform", n=5, eps="0.1")


def test_one_build_writes_several_files_and_pth_is_a_torch_model(tmp_path: Path, capsys: Any) -> None:
    pytest.importorskip("torch")
    outs = [tmp_path / "g.npz", tmp_path / "g.safetensors", tmp_path / "g.pth"]
    argv = ["demo", "--weight-eps", "0.1", "--workers", "1", "--quiet"]
    assert main([*argv, *(a for p in outs for a in ("--out", str(p)))]) == 0
    assert all(p.is_file() for p in outs)
    assert (
        main(
            [
                "verify",
                str(outs[1]),
                "--target",
                str(Path(logprune.__file__).parent / "data" / "demo_target.npz"),
                "--quiet",
            ]
        )
        == 0
    )


def test_the_api_takes_every_option_its_command_takes() -> None:
    import inspect

    verify = set(inspect.signature(logprune.verify).parameters)
    assert {"arithmetic", "eps", "weight_eps", "attack", "inputs", "progress", "layer_order", "bn_eps"} <= verify
    model = set(inspect.signature(logprune.bounds_for_model).parameters)
    assert {"eps", "delta", "x_max", "data", "base", "inputs_nonnegative", "layer_order", "bn_eps"} <= model
    rss = set(inspect.signature(logprune.rss).parameters)
    assert {
        "law",
        "eps",
        "n",
        "target",
        "trials",
        "seed",
        "confidence",
        "alpha",
        "beta",
        "least_delta",
        "progress",
    } <= rss
    st = setting(n=10, layers=2, eps="1/10", delta="1/10", pensia_c=2)
    assert any(r.name == "pensia2020" and r.sampled_weights is not None for r in table(st))
