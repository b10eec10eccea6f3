"""Train the small example target shipped for ``logprune demo`` (data made here, numpy only).

Two interleaved half-moons in the plane, scaled into the unit disc; a ReLU MLP 2-16-16-2 with biases,
trained by full-batch gradient descent on the softmax cross-entropy.  Deterministic (seeded); writes
``src/logprune/data/demo_target.npz`` with arrays W1, b1, W2, b2, W3, b3 (float64, shape (out, in)).

    python examples/train_demo_target.py
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np


def moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.vstack([upper, lower]) + rng.normal(scale=0.08, size=(2 * n, 2))
    y = np.concatenate([np.zeros(n, dtype=int), np.ones(n, dtype=int)])
    x = (x - x.mean(axis=0)) / np.max(np.linalg.norm(x - x.mean(axis=0), axis=1))  # into the unit disc
    return x, y


def train(seed: int = 0, steps: int = 4000, lr: float = 0.5) -> tuple[dict[str, np.ndarray], float]:
    rng = np.random.default_rng(seed)
    x, y = moons(400, rng)
    sizes = [2, 16, 16, 2]
    params = {}
    for i, (a, b) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{i}"] = rng.normal(scale=np.sqrt(2 / a), size=(b, a))
        params[f"b{i}"] = np.zeros(b)
    onehot = np.eye(2)[y]
    for _ in range(steps):
        hs = [x]
        for i in (1, 2):
            hs.append(np.maximum(hs[-1] @ params[f"W{i}"].T + params[f"b{i}"], 0))
        logits = hs[-1] @ params["W3"].T + params["b3"]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / len(x)
        for i in (3, 2, 1):
            grad_w, grad_b = g.T @ hs[i - 1], g.sum(axis=0)
            if i > 1:  # back-propagate through the weights before they are updated
                g = (g @ params[f"W{i}"]) * (hs[i - 1] > 0)
            params[f"W{i}"] -= lr * grad_w
            params[f"b{i}"] -= lr * grad_b
    acc = float(np.mean(np.argmax(_forward(params, x), axis=1) == y))
    return params, acc


def _forward(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    h = x
    for i in (1, 2):
        h = np.maximum(h @ params[f"W{i}"].T + params[f"b{i}"], 0)
    return h @ params["W3"].T + params["b3"]


if __name__ == "__main__":
    params, acc = train()
    out = Path(__file__).resolve().parents[1] / "src" / "logprune" / "data" / "demo_target.npz"
    np.savez(out, **params)
    print(f"wrote {out} (training accuracy {acc:.3f})")
