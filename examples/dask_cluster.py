"""Gradient descent on data bigger than a worker's memory, on a Dask cluster.

Usage: ``python examples/dask_cluster.py [--rows N] [--steps K] [--workers W]
[--memory-limit 512MiB]`` (needs ``pip install 'srcxform[dask]'``).

It starts a ``dask.distributed.LocalCluster`` of worker processes bound to
127.0.0.1, each with a memory limit smaller than the data, and makes the data
lazily, chunk by chunk, with ``dask.array``'s random generator: nothing is ever
materialised on this process, and no worker ever holds all of it.  The losses
are plain NumPy functions; ``sx.value_and_grad(loss)`` called with the NumPy
parameters and the Dask data builds one Dask graph for the loss and its
gradient (the same generated code ``sx.source`` shows, run on Dask's
namespace), and ``sx.computed`` evaluates it on the cluster, the per-chunk
partial gradients reduced across chunks by Dask.  A logistic regression and a
one-hidden-layer MLP are trained by gradient descent; before training, the
cluster's first gradient is checked against the gradient derived by hand
(written with ``dask.array``, computed by the same cluster).  The cluster is
stopped at the end, also on an error.
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np

import srcxform as sx

FEATURES = 16
HIDDEN = 16


def logistic(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def make_data(rows: int, chunk_rows: int, seed: int = 0):
    """Lazy ``X`` (rows x FEATURES, standard normal), binary labels and a regression
    target, generated per chunk on the workers."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES), chunks=(chunk_rows, FEATURES))
    true_w = np.linspace(-1.0, 1.0, FEATURES)
    labels = (X @ true_w > 0).astype(float)
    target = da.tanh(X[:, :1] - 0.5 * X[:, 1:2])
    return X, labels, target


def hand_gradients(name, params, X, y):
    """The oracle: each loss's gradient derived by hand, written with ``dask.array``."""
    import dask
    import dask.array as da

    n = X.shape[0]
    if name == "logistic":
        w, b = params
        r = (1.0 / (1.0 + da.exp(-(X @ w + b))) - y) / n  # sigmoid(z) - y, per row
        return dask.compute(X.T @ r, r.sum())
    W1, b1, W2, b2 = params
    h = da.tanh(X @ W1 + b1)
    r = 2.0 * (h @ W2 + b2 - y) / n
    dh = (r @ W2.T) * (1.0 - h * h)
    return dask.compute(X.T @ dh, dh.sum(axis=0), h.T @ r, r.sum(axis=0))


def train(name, loss, params, X, y, steps, lr):
    """Gradient descent with the value and gradient computed on the cluster."""
    step = sx.computed(sx.value_and_grad(loss, wrt=tuple(range(len(params)))))
    first = None
    for k in range(steps):
        start = time.perf_counter()
        value, grads = step(*params, X, y)
        params = [p - lr * g for p, g in zip(params, grads)]
        first = value if first is None else first
        print(f"  {name} step {k:2d}: loss {float(value):.5f}  "
              f"({time.perf_counter() - start:.2f} s)")
    return params, first, float(value)


def run(rows: int, chunk_rows: int, steps: int) -> None:
    """Check and train both models on lazy data of ``rows`` rows (on the current client)."""
    X, labels, target = make_data(rows, chunk_rows)
    rng = np.random.default_rng(1)

    params = [np.zeros(FEATURES), 0.0]
    got = sx.computed(sx.grad(logistic, wrt=(0, 1)))(*params, X, labels)
    for g, w in zip(got, hand_gradients("logistic", params, X, labels)):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    print("logistic: the cluster's gradient equals the hand-derived one")
    _, first, last = train("logistic", logistic, params, X, labels, steps, lr=2.0)
    assert last < first, "gradient descent must lower the logistic loss"

    params = [0.3 * rng.standard_normal((FEATURES, HIDDEN)), np.zeros(HIDDEN),
              0.3 * rng.standard_normal((HIDDEN, 1)), np.zeros(1)]
    got = sx.computed(sx.grad(mlp, wrt=(0, 1, 2, 3)))(*params, X, target)
    for g, w in zip(got, hand_gradients("mlp", params, X, target)):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    print("mlp: the cluster's gradient equals the hand-derived one")
    _, first, last = train("mlp", mlp, params, X, target, steps, lr=0.5)
    assert last < first, "gradient descent must lower the MLP loss"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="512MiB")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster
    from dask.utils import format_bytes, parse_bytes

    data_bytes = args.rows * (FEATURES + 2) * 8
    limit = parse_bytes(args.memory_limit)
    print(f"data: {args.rows:,} rows x {FEATURES} features and 2 targets = "
          f"{format_bytes(data_bytes)}; {args.workers} workers with "
          f"{format_bytes(limit)} each")
    if data_bytes <= limit:
        print("  (at these settings the data fits in one worker's memory)")
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           memory_limit=args.memory_limit, silence_logs=logging.ERROR)
    try:
        with Client(cluster):
            run(args.rows, args.chunk_rows, args.steps)
    finally:
        cluster.close()
    print("cluster stopped")


if __name__ == "__main__":
    main()
