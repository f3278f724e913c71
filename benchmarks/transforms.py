"""Time the transform family against its natural bars, in one process.

Usage: ``python benchmarks/transforms.py [--quick]``.

For three workloads of ``workloads.py`` (the MLP, the RNN loop, the spring
chain) it prints, each as a ratio taken in this process:

* ``jvp / f``: one forward-mode pass (``sx.jvp`` along a random direction of the
  first differentiated argument) against one run of the function itself (the
  usual bar for forward mode is 1.5-3x);
* ``pullback / grad``: one ``pullback`` of ``sx.vjp`` (backward sweep only, on
  saved residuals) against one ``sx.grad`` call (forward and backward);
* ``hessian``: ``sx.hessian`` of the MLP's loss with respect to its hidden bias
  (64 elements: a 64 x 64 Hessian) against ``autograd.hessian`` on the same source.

Before timing, each result is checked (jvp against ``<grad, t>``, the pullback
against ``grad``, the Hessian against autograd).
"""

from __future__ import annotations

import argparse
import sys
import timeit
import types
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from workloads import WORKLOADS  # noqa: E402

import srcxform as sx  # noqa: E402


def best(fn: Callable[[], Any], budget: float) -> float:
    """Seconds per call: the minimum over repeats of a timeit loop of about ``budget``."""
    number = max(1, int(budget / max(timeit.timeit(fn, number=1), 1e-7)))
    return min(timeit.repeat(fn, number=number, repeat=5)) / number


def show(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e3:.2f} ms"


def row(w: Any, rng: np.random.Generator, budget: float) -> str:
    """One workload's line: jvp against f, pullback against grad (checked first)."""
    args = w.make_args(rng, False)
    i = w.wrt_indices()[0]
    t = rng.normal(size=np.shape(args[i]))
    tangents = tuple(t if k == i else None for k in range(len(args)))
    grad = sx.grad(w.f, wrt=i)
    value, tangent = sx.jvp(w.f, args, tangents)
    assert np.isclose(tangent, np.sum(grad(*args) * t), rtol=1e-8, atol=1e-10)
    out, pullback = sx.vjp(w.f, *args)
    assert np.allclose(pullback(1.0)[i], grad(*args), rtol=1e-10, atol=1e-12)
    tf = best(lambda: w.f(*args), budget)
    tj = best(lambda: sx.jvp(w.f, args, tangents), budget)
    tg = best(lambda: grad(*args), budget)
    tp = best(lambda: pullback(1.0), budget)
    return (f"{w.name:<16}{show(tf):>11}{show(tj):>11}{tj / tf:>8.2f}x"
            f"{show(tg):>11}{show(tp):>11}{tp / tg:>16.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short timing loops")
    budget = 0.02 if parser.parse_args(argv).quick else 0.2
    rng = np.random.default_rng(0)
    print(f"{'workload':<16}{'f':>11}{'jvp':>11}{'jvp / f':>9}"
          f"{'grad':>11}{'pullback':>11}{'pullback / grad':>17}")
    for w in WORKLOADS:
        if w.name in ("mlp_tanh", "rnn_50", "springs_euler"):
            print(row(w, rng, budget))
    mlp = next(w for w in WORKLOADS if w.name == "mlp_tanh")
    args = mlp.make_args(rng, False)
    bias = 1  # b1, the hidden layer's bias
    hess = sx.hessian(mlp.f, wrt=bias)
    H = hess(*args)
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        print(f"\nhessian wrt b1 {np.shape(H)}: {show(best(lambda: hess(*args), budget))}"
              " (autograd not installed)")
        return 0
    fa = types.FunctionType(mlp.f.__code__, {**mlp.f.__globals__, "np": anp})
    ha = autograd.hessian(fa, bias)
    assert np.allclose(H, ha(*args), rtol=1e-8, atol=1e-10)
    th = best(lambda: hess(*args), budget)
    ta = best(lambda: ha(*args), budget)
    print(f"\nhessian of mlp_tanh wrt b1 {np.shape(H)}: srcxform {show(th)}, "
          f"autograd {show(ta)}, ratio {th / ta:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
