"""The newcomer's trial (issue #23), replayed: an ML-theory researcher trains a 64-32-32-10 MLP (with a
BatchNorm1d after its first layer, and Dropout) on sklearn's 8×8 digits in PyTorch and, in a notebook, asks
logprune for the bounds, a certified Ĝ, its verification and a torch export.  Every step is timed and its
outcome recorded (a result, or the exception that ended it, as the user sees it), so that the same script
run against an older logprune shows how each step ended then.

    python benchmarks/newcomer.py [--json benchmarks/newcomer.json]

Needs torch and scikit-learn (the digits ship inside scikit-learn; nothing is downloaded).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def _step(log: list[dict[str, Any]], name: str, run: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    try:
        out = run()
        rec: dict[str, Any] = {"step": name, "ok": True, "seconds": round(time.perf_counter() - t0, 2)}
        if out is not None:
            rec["shown"] = repr(out)[:300] if len(repr(out)) > 300 else repr(out)
            rec["repr_chars"] = len(repr(out))
            html = getattr(out, "_repr_html_", None)
            rec["html_chars"] = len(html()) if callable(html) else None
        log.append(rec)
        return out
    except Exception as exc:
        text = str(exc).splitlines()[0][:200] if str(exc) else ""
        log.append(
            {
                "step": name,
                "ok": False,
                "seconds": round(time.perf_counter() - t0, 2),
                "error": f"{type(exc).__name__}: {text}",
            }
        )
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    import torch
    from sklearn.datasets import load_digits

    import logprune

    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 32),
        torch.nn.BatchNorm1d(32),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(32, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
    )
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(200):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        accuracy = float((model(x).argmax(1) == y).float().mean())
    data = x.numpy().astype(np.float64)
    log: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as d:
        sd_path = Path(d) / "digits.pt"
        torch.save(model.state_dict(), sd_path)
        whole = Path(d) / "whole.pt"
        torch.save(model, whole)
        _step(log, "load_target(module)", lambda: logprune.load_target(model))
        _step(log, "load_target(state_dict file)", lambda: logprune.load_target(str(sd_path)))
        _step(log, "load_target(torch.save(model) file)", lambda: logprune.load_target(str(whole)))
        _step(log, "bounds_for_model(module, data)", lambda: logprune.bounds_for_model(model, eps="0.05", data=data))
        ghat = _step(log, "prune(module, eps=0.05, data)", lambda: logprune.prune(model, eps="0.05", data=data))
        _step(log, "prune(module, inputs=X[:, :10])", lambda: logprune.prune(model, eps="0.05", inputs=data[:, :10]))
        if ghat is not None:
            _step(
                log, "Ĝ.write(npz) and (pt)", lambda: (ghat.write(Path(d) / "g.npz"), ghat.write(Path(d) / "g.pt"))[0]
            )
            _step(log, "verify(npz, module)", lambda: logprune.verify(Path(d) / "g.npz", model))

            def reload() -> str:
                sd = torch.load(Path(d) / "g.pt", weights_only=True)
                layers: list[Any] = []
                for i in range(len(sd) // 2):
                    o, n = sd[f"{2 * i}.weight"].shape
                    layers += [torch.nn.Linear(n, o, dtype=torch.float64), torch.nn.ReLU()]
                m = torch.nn.Sequential(*layers[:-1])
                m.load_state_dict(sd)
                xs = torch.as_tensor(data)
                with torch.no_grad():
                    same = (m(xs).argmax(1) == model.double()(xs).argmax(1)).float().mean()
                return f"the .pt in plain torch agrees with F on {100 * float(same):.1f} % of the digits"

            _step(log, "reload .pt in plain torch", reload)
    doc = {"model": "64-32-32-10, BatchNorm1d after fc1, Dropout", "train_accuracy": accuracy, "steps": log}
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    if a.json:
        Path(a.json).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
