"""What a new batch size costs: the call of a gradient at a batch size not seen before.

Usage: ``python benchmarks/new_shape.py [--repeats N]``.

For each workload of ``workloads.py`` with data arguments (``X``, ``Y``, ``y``,
``labels``), a fresh function of the same code (a new cache entry; the
compiler's template cache cleared) is called once at the workload's sizes,
then timed at a batch three rows larger — the call that compiles.  Two ways
are timed in one process, interleaved (min over repeats): ``now``, where the
generic code is judged by its optimize pass alone before it is made
(``cache/entry.py``: ``try_generic``), and ``whole generic``, where the whole
generic finish is made first and rejected (the behaviour before).
"""

from __future__ import annotations

import argparse
import sys
import time
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from workloads import WORKLOADS  # noqa: E402

import srcxform as sx  # noqa: E402
from srcxform.cache import entry, templates  # noqa: E402

DATA = ("X", "Y", "y", "labels")


def new_batch_cost(w, judge: bool) -> float:
    names = w.f.__code__.co_varnames[: w.f.__code__.co_argcount]
    f = types.FunctionType(w.f.__code__, w.f.__globals__, w.f.__name__)
    templates._TEMPLATES.clear()
    real = entry.generic_asks_ranks
    entry.generic_asks_ranks = real if judge else (lambda *a, **k: False)
    try:
        args = w.make_args(np.random.default_rng(0), False)
        bigger = tuple(np.concatenate([v, v[:3]]) if n in DATA else v
                       for n, v in zip(names, args))
        df = sx.grad(f, wrt=w.wrt)
        df(*args)
        start = time.perf_counter()
        df(*bigger)
        return time.perf_counter() - start
    finally:
        entry.generic_asks_ranks = real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    chosen = [w for w in WORKLOADS
              if any(n in DATA for n in w.f.__code__.co_varnames[: w.f.__code__.co_argcount])]
    best: dict[tuple[str, bool], float] = {}
    for _ in range(opts.repeats):
        for w in chosen:
            for judge in (True, False):
                t = new_batch_cost(w, judge)
                best[w.name, judge] = min(best.get((w.name, judge), t), t)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; "
          "time of the first call at a new batch size (min of interleaved repeats)\n")
    print(f"{'workload':16s} {'now':>9s} {'whole generic':>14s} {'ratio':>7s}")
    for w in chosen:
        now, before = best[w.name, True], best[w.name, False]
        print(f"{w.name:16s} {1e3 * now:6.1f} ms {1e3 * before:11.1f} ms {now / before:6.2f}x")


if __name__ == "__main__":
    main()
