"""What a new batch size costs: the calls of a gradient at batch sizes not seen before.

Usage: ``python benchmarks/new_shape.py [--repeats N]``.

For each workload of ``workloads.py`` with data arguments (``X``, ``Y``, ``y``,
``labels``), a fresh function of the same code (a new cache entry; the
compiler's template cache cleared, the disk cache off) is called once at the
workload's sizes (compiled for those exact shapes), then at a batch three rows
larger — the call that compiles the version generic in the batch size
(``srcxform/cache/sizes.py``) — then at a batch five rows larger, which that
version serves, and once more at that size (the guard's fast path).  Each time
is the minimum over the repeats, all workloads interleaved in one process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import types
from pathlib import Path

os.environ["SRCXFORM_DISK_CACHE"] = "0"  # (a hit would hide the compile)

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from workloads import WORKLOADS  # noqa: E402

import srcxform as sx  # noqa: E402
from srcxform.cache import templates  # noqa: E402

DATA = ("X", "Y", "y", "labels")
STEPS = ("first size", "second size", "third size", "third again")


def new_batch_costs(w) -> list[float]:
    """Seconds of the four calls (see the module docstring)."""
    names = w.f.__code__.co_varnames[: w.f.__code__.co_argcount]
    f = types.FunctionType(w.f.__code__, w.f.__globals__, w.f.__name__)
    templates._TEMPLATES.clear()
    args = w.make_args(np.random.default_rng(0), False)

    def grown(extra: int) -> tuple:
        return tuple(np.concatenate([v, v[:extra]]) if n in DATA else v
                     for n, v in zip(names, args))

    df = sx.grad(f, wrt=w.wrt)
    times = []
    for call in (args, grown(3), grown(5), grown(5)):
        start = time.perf_counter()
        df(*call)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    opts = parser.parse_args()
    chosen = [w for w in WORKLOADS
              if any(n in DATA for n in w.f.__code__.co_varnames[: w.f.__code__.co_argcount])]
    best: dict[str, list[float]] = {}
    for _ in range(opts.repeats):
        for w in chosen:
            times = new_batch_costs(w)
            best[w.name] = [min(a, b) for a, b in zip(best.get(w.name, times), times)]
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; time of each call "
          "(min of interleaved repeats)\n")
    print(f"{'workload':16s}" + "".join(f"{s:>14s}" for s in STEPS))
    for w in chosen:
        print(f"{w.name:16s}" + "".join(f"{1e3 * t:11.2f} ms" for t in best[w.name]))


if __name__ == "__main__":
    main()
