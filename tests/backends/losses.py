"""Four losses as people write them for data in rows, and data to train them on.

Used by the Dask and distributed tests: each loss reads a parameter array
(NumPy, small) and data ``X, y`` (chunked along the rows); :func:`problems`
gives each loss with NumPy arguments and its ``wrt``.
"""

from __future__ import annotations

import numpy as np


def logistic(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def ridge(w, X, y):
    n = X.shape[0]
    r = X @ w - y
    loss = r @ r / n
    loss += 0.1 * (w @ w)  # the L2 term: an update of a NumPy value by a Dask one
    return loss


def softmax_xent(W, X, Y):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    logz = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * (shifted - logz)) / X.shape[0]


def problems(n: int = 600, d: int = 5, seed: int = 0) -> list[tuple]:
    """``(loss, params, X, y, wrt)`` for each loss: params NumPy, data NumPy (n rows)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    labels = (X @ rng.normal(size=d) + 0.3 * rng.normal(size=n) > 0).astype(float)
    target = np.sin(X[:, :1]) + 0.1 * rng.normal(size=(n, 1))
    onehot = np.eye(3)[rng.integers(0, 3, size=n)]
    return [
        (logistic, (rng.normal(size=d), 0.1), X, labels, (0, 1)),
        (mlp, (rng.normal(size=(d, 8)), np.zeros(8), rng.normal(size=(8, 1)), np.zeros(1)),
         X, target, (0, 1, 2, 3)),
        (ridge, (rng.normal(size=d),), X, X @ np.arange(1.0, d + 1.0), 0),
        (softmax_xent, (rng.normal(size=(d, 3)),), X, onehot, 0),
    ]
