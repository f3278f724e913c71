"""Throughput of srcxform's gradients on a Dask cluster against one NumPy process.

Usage: ``python benchmarks/dask_throughput.py [--rows N] [--repeats R] [--workers 1,2,4]``
(needs ``pip install 'srcxform[dask]'``).

For a logistic regression and a one-hidden-layer MLP on data that fits in
memory (``--rows`` x 32 features, float64), the script times
``sx.grad(loss)`` on NumPy arrays in this process, then, for each worker
count, starts a ``LocalCluster`` of single-threaded worker processes on
127.0.0.1, makes the same data on the workers in row chunks (Dask's seeded
generator, ``persist``: not timed; this process computed it once for NumPy)
and times ``sx.computed(sx.grad(loss))`` on it —
the generated gradient run on Dask's namespace, the per-chunk partials
reduced by Dask — then stops the cluster.  Each gradient is checked against
NumPy's before it is timed.  It prints rows per second of gradient
evaluation (best of ``--repeats``) and each one's ratio to NumPy, all taken
in this one process; NumPy is timed again after the clusters, and the
better of its two times is the reference.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import srcxform as sx  # noqa: E402

FEATURES = 32
HIDDEN = 32


def logistic(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def lazy_data(rows: int, chunk_rows: int, seed: int = 0) -> tuple:
    """Inputs, labels and a target as lazy Dask arrays (made where they are computed)."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES), chunks=(chunk_rows, FEATURES))
    labels = (X @ np.linspace(-1.0, 1.0, FEATURES) > 0).astype(float)
    return X, labels, da.tanh(X[:, :1])


def workloads(X, labels, target, seed: int = 0) -> list[tuple]:
    """``(name, loss, params, X, y)`` per workload (``X, y`` NumPy or Dask alike)."""
    rng = np.random.default_rng(seed)
    return [
        ("logistic", logistic, [0.1 * rng.standard_normal(FEATURES), 0.0], X, labels),
        ("mlp", mlp, [0.3 * rng.standard_normal((FEATURES, HIDDEN)), np.zeros(HIDDEN),
                      0.3 * rng.standard_normal((HIDDEN, 1)), np.zeros(1)], X, target),
    ]


def best_time(fn, repeats: int) -> float:
    fn()  # warm: compile, load for the namespace, first transfer
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def same(got, want) -> bool:
    return all(np.allclose(g, w, rtol=1e-9, atol=1e-12) for g, w in zip(got, want))


def numpy_times(cases, repeats: int) -> dict[str, float]:
    out = {}
    for name, loss, params, X, y in cases:
        df = sx.grad(loss, wrt=tuple(range(len(params))))
        out[name] = best_time(lambda df=df, p=params, X=X, y=y: df(*p, X, y), repeats)
    return out


def cluster_times(cases, lazy, workers: int, repeats: int) -> dict[str, float]:
    """Times on a fresh cluster of ``workers`` processes, the data made on the workers."""
    import dask
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           silence_logs=logging.ERROR)
    out = {}
    try:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
            on_cluster = workloads(*dask.persist(*lazy))
            for (name, loss, params, X, y), (_, _, _, Xd, yd) in zip(cases, on_cluster):
                wrt = tuple(range(len(params)))
                df = sx.computed(sx.grad(loss, wrt=wrt))
                if not same(df(*params, Xd, yd), sx.grad(loss, wrt=wrt)(*params, X, y)):
                    raise SystemExit(f"MISMATCH: {name} on {workers} workers")
                out[name] = best_time(lambda df=df, p=params, Xd=Xd, yd=yd: df(*p, Xd, yd),
                                      repeats)
            del on_cluster
    finally:
        cluster.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=125_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]

    import dask

    lazy = lazy_data(args.rows, args.chunk_rows)
    cases = workloads(*dask.compute(*lazy, scheduler="threads"))
    print(f"# {args.rows:,} rows x {FEATURES} features (float64, "
          f"{args.rows * FEATURES * 8 / 2 ** 20:.0f} MiB), chunks of {args.chunk_rows:,} rows; "
          f"{os.cpu_count()} CPUs; Python {platform.python_version()}, "
          f"NumPy {np.__version__}")
    reference = numpy_times(cases, args.repeats)
    per_count = {w: cluster_times(cases, lazy, w, args.repeats) for w in counts}
    again = numpy_times(cases, args.repeats)
    reference = {k: min(reference[k], again[k]) for k in reference}

    head = f"{'workload':<10} {'NumPy rows/s':>14}"
    head += "".join(f" {f'{w} worker' + ('s' if w > 1 else '') + ' rows/s':>18} {'ratio':>6}"
                    for w in counts)
    print(head)
    for name in reference:
        row = f"{name:<10} {args.rows / reference[name]:>14,.0f}"
        for w in counts:
            t = per_count[w][name]
            row += f" {args.rows / t:>18,.0f} {reference[name] / t:>6.2f}"
        print(row)
    print("# ratio: NumPy's time / the cluster's time (above 1: the cluster is faster)")


if __name__ == "__main__":
    main()
