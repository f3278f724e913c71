"""What a tape of doubles costs and saves on a float loop, in one process.

Usage: ``python benchmarks/float_tapes.py [--repeats N]``

The gradient srcxform generates for the 5000-step float scan of
``workloads.float_scan`` tapes its state with ``float_tape(range(T), x)``
(compiler/listtapes.py), which returns 8-byte doubles for a loop of
``support.FLOAT_TAPE_STEPS`` steps or more, else a list of the floats
themselves.  Raising that threshold at run time makes the same generated code
tape in a list, so the two are timed on one compiled function, interleaved
(minimum over the repeats), with the two hand gradients (states in a list;
states in ``np.empty``, the memory table's); the peaks are ``tracemalloc``'s
over one call after a warm-up call.  Prints the times, the peaks and their
ratios.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from workloads import float_scan, float_scan_hand, float_scan_list_hand  # noqa: E402

import srcxform  # noqa: E402
from srcxform.compiler import support  # noqa: E402

ARGS = (1.3, 0.4)


def _peak(fn) -> int:
    fn(*ARGS)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn(*ARGS)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40)
    options = parser.parse_args(argv)
    df = srcxform.grad(float_scan, wrt=(0, 1))
    df(*ARGS)
    if "float_tape(" not in srcxform.source(df):
        print("the generated gradient has no float tape")
        return 1
    doubles = support.FLOAT_TAPE_STEPS
    lists = 10 ** 9

    def with_doubles(a, x):
        support.FLOAT_TAPE_STEPS = doubles
        return df(a, x)

    def with_list(a, x):
        support.FLOAT_TAPE_STEPS = lists
        try:
            return df(a, x)
        finally:
            support.FLOAT_TAPE_STEPS = doubles

    rows = {"srcxform, doubles": with_doubles, "srcxform, list": with_list,
            "hand, list": float_scan_list_hand, "hand, np.empty": float_scan_hand}
    assert with_doubles(*ARGS) == with_list(*ARGS)
    best = {name: float("inf") for name in rows}
    for _ in range(options.repeats):
        for name, fn in rows.items():
            start = time.perf_counter()
            fn(*ARGS)
            best[name] = min(best[name], time.perf_counter() - start)
    peaks = {name: _peak(fn) for name, fn in rows.items()}
    print(f"float scan, {len(range(5000))} steps: min of {options.repeats} interleaved repeats")
    print(f"{'gradient':<20} {'time':>10} {'peak':>10}")
    for name in rows:
        print(f"{name:<20} {best[name] * 1e3:>8.3f} ms {peaks[name] / 1e3:>7.1f} kB")
    d, lst = "srcxform, doubles", "srcxform, list"
    print(f"doubles / list: time {best[d] / best[lst]:.3f}x, peak {peaks[d] / peaks[lst]:.2f}x")
    for hand in ("hand, list", "hand, np.empty"):
        print(f"doubles / {hand}: time {best[d] / best[hand]:.3f}x, "
              f"peak {peaks[d] / peaks[hand]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
