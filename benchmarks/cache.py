"""Time the cache's per-call check against calling the generated code directly.

Usage: ``python benchmarks/cache.py [--quick]``.

For every workload of ``workloads.py``, ``sx.grad(f, wrt)`` is a guard that
checks the facts its generated code relies on (``srcxform/cache``) and then
runs that code — the generic function, or for shape-dependent code the
version for the arguments' shapes.  This script times, in one process with
interleaved repeats (min over repeats), the hand-written gradient, the
generated function called directly, and the guard, and prints the guard's
cost per call, its ratio to the direct call and the guarded call's ratio to
the hand-written gradient.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from common import interleaved_best  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

import srcxform as sx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    # short timed windows, many of them: on a shared machine the minimum is a window no
    # other process interrupted
    rounds, repeats = (6, 10) if quick else (30, 25)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; times per call "
          "(min of interleaved repeats)\n")
    print(f"{'workload':<16} {'hand':>10} {'generated':>10} {'guarded':>10} {'check':>9} "
          f"{'guarded/generated':>18} {'guarded/hand':>13}")
    for w in WORKLOADS:
        args = w.make_args(np.random.default_rng(0), False)
        df = sx.grad(w.f, wrt=w.wrt)
        df(*args)
        direct = sx.cache.concrete(df, args)
        got, want = df(*args), direct(*args)
        for a, b in zip(got, want) if isinstance(w.wrt, tuple) else [(got, want)]:
            np.testing.assert_allclose(a, b)  # the same code runs
        cols = {"hand": lambda w=w, args=args: w.df_hand(*args),
                "generated": lambda direct=direct, args=args: direct(*args),
                "guarded": lambda df=df, args=args: df(*args)}
        times = interleaved_best(cols, rounds, repeats, scale="generated")
        check = times["guarded"] - times["generated"]
        print(f"{w.name:<16} {times['hand'] * 1e6:>8.2f}us {times['generated'] * 1e6:>8.2f}us "
              f"{times['guarded'] * 1e6:>8.2f}us {check * 1e9:>7.0f}ns "
              f"{times['guarded'] / times['generated']:>17.3f}x "
              f"{times['guarded'] / times['hand']:>12.3f}x")


if __name__ == "__main__":
    main()
