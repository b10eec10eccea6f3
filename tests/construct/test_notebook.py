"""A notebook session, as Jupyter shows it (IPython's display formatter): a model trained here with
Linear-BatchNorm1d-ReLU-Dropout is pruned from the module object, displayed, verified, exported to .pt,
reloaded in plain torch and compared with Ĝ (issue #23)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import logprune
from logprune.display import REPR_MAX


def _shown(obj: Any) -> dict[str, str]:
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return data


def test_a_notebook_prunes_the_module_it_trained_shows_verifies_exports_and_reloads(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("IPython")
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 6),
        torch.nn.BatchNorm1d(6),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(6, 3),
    )
    x, y = torch.rand(128, 8), torch.randint(0, 3, (128,))
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(20):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()

    ghat = logprune.prune(model, eps="0.05", data=x.numpy(), workers=1)  # the module object, as held
    shown = _shown(ghat)
    assert len(shown["text/plain"]) <= REPR_MAX and "OK" in shown["text/plain"]
    assert 0 < len(shown["text/html"]) <= 20_000 and "certified bound" in shown["text/html"]
    for obj in (ghat.target, logprune.bounds_for_model(model, eps="0.05", data=x.numpy())):
        assert len(_shown(obj)["text/plain"]) <= REPR_MAX and "text/html" in _shown(obj)

    ghat.write(tmp_path / "ghat.npz")
    ghat.write(tmp_path / "ghat.pt")
    report = logprune.verify(tmp_path / "ghat.npz", model)
    assert report.ok and len(_shown(report)["text/plain"]) <= REPR_MAX

    sd = torch.load(tmp_path / "ghat.pt", weights_only=True)  # plain torch, no logprune
    layers: list[Any] = []
    for i in range(len(sd) // 2):
        out_features, in_features = sd[f"{2 * i}.weight"].shape
        layers += [torch.nn.Linear(in_features, out_features, dtype=torch.float64), torch.nn.ReLU()]
    reloaded = torch.nn.Sequential(*layers[:-1])
    reloaded.load_state_dict(sd)
    xs = x.double()
    with torch.no_grad():
        got, want = reloaded(xs).numpy(), model.double()(xs).numpy()
    assert np.max(np.abs(got - ghat(xs.numpy()))) < 1e-12  # the export is Ĝ
    assert np.max(np.linalg.norm(got - want, axis=1)) <= float(ghat.certificate.bound)  # and within the certificate
