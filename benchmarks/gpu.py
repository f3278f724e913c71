"""Gradient time on a GPU (PyTorch CUDA tensors, CuPy arrays) against NumPy on the CPU.

Usage: ``python benchmarks/gpu.py [--rows N] [--repeats R] [--dtype float32]
[--stand-in]`` (``--stand-in``: without a GPU, PyTorch CPU tensors take its
place, to check the script itself).

For an MLP (``rows x 1024`` inputs, a 1024-wide hidden layer, 16 outputs) and
a softmax cross-entropy (``rows x 1024`` inputs, 1000 classes) — sizes where a
GPU matters — the script times ``sx.grad(loss)`` on NumPy arrays, then the
same gradient called with the same values as PyTorch CUDA tensors and as CuPy
arrays (whichever is present; the generated code runs on their namespace,
on the device), each checked against NumPy's first and synchronised before
the clock stops.  It prints seconds per gradient and NumPy's time over each
(all taken in this process).  Without a GPU it says so and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import srcxform as sx  # noqa: E402


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def softmax_xent(W, X, Y):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    logz = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * (shifted - logz)) / X.shape[0]


def workloads(rows: int, dtype: str) -> list[tuple]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, 1024)).astype(dtype)
    onehot = np.eye(1000, dtype=dtype)[rng.integers(0, 1000, rows)]
    return [
        ("mlp", mlp, (0, 1, 2, 3), [(0.03 * rng.standard_normal((1024, 1024))).astype(dtype),
                                    np.zeros(1024, dtype), (0.03 * rng.standard_normal(
                                        (1024, 16))).astype(dtype), np.zeros(16, dtype), X,
                                    rng.standard_normal((rows, 16)).astype(dtype)]),
        ("softmax", softmax_xent, 0, [(0.01 * rng.standard_normal((1024, 1000))).astype(dtype),
                                      X, onehot]),
    ]


def devices(stand_in: bool = False) -> list[tuple[str, object, object]]:
    """``(name, convert, synchronize)`` for each GPU library present (with ``stand_in``,
    PyTorch CPU tensors when there is none: a check that the script runs)."""
    found = []
    try:
        import torch

        if torch.cuda.is_available():
            found.append(("torch cuda", lambda a: torch.asarray(a, device="cuda"),
                          torch.cuda.synchronize))
    except ImportError:
        pass
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            found.append(("cupy", cupy.asarray, cupy.cuda.Device().synchronize))
    except Exception:  # noqa: BLE001  (no CuPy, no driver, no device)
        pass
    if stand_in and not found:
        import torch

        found.append(("torch cpu", torch.asarray, lambda: None))
    return found


def to_numpy(a: object) -> np.ndarray:
    if hasattr(a, "get"):
        return a.get()
    if hasattr(a, "cpu"):
        return a.cpu().numpy()
    return np.asarray(a)


def best(fn, sync, repeats: int) -> float:
    fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=16384)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--stand-in", action="store_true",
                        help="without a GPU, time PyTorch CPU tensors instead (a dry run)")
    args = parser.parse_args(argv)
    gpus = devices(args.stand_in)
    if not gpus:
        print("# no GPU (neither torch.cuda nor CuPy sees a device): nothing to measure")
        return 0
    print(f"# rows {args.rows}, {args.dtype}; NumPy {np.__version__} on the CPU")
    print(f"{'workload':<10} {'NumPy s':>9}" + "".join(f" {name + ' s':>14} {'ratio':>6}"
                                                      for name, _, _ in gpus))
    for name, loss, wrt, values in workloads(args.rows, args.dtype):
        df = sx.grad(loss, wrt=wrt)
        want = df(*values)
        cpu = best(lambda df=df, v=values: df(*v), lambda: None, args.repeats)
        row = f"{name:<10} {cpu:>9.4f}"
        for _, convert, sync in gpus:
            theirs = [convert(v) for v in values]
            got = df(*theirs)
            for g, w in zip(got if isinstance(got, tuple) else (got,),
                            want if isinstance(want, tuple) else (want,)):
                scale = float(np.max(np.abs(w))) or 1.0
                if not np.allclose(to_numpy(g), w, rtol=1e-3, atol=1e-4 * scale):
                    print(f"MISMATCH: {name}")
                    return 3
            t = best(lambda df=df, v=theirs: df(*v), sync, args.repeats)
            row += f" {t:>14.4f} {cpu / t:>6.1f}"
        print(row)
    print("# ratio: NumPy's CPU time / the GPU's time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
