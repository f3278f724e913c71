"""Peak memory of generated gradients against hand-written ones, in one process.

Usage: ``python benchmarks/memory.py [--quick] [--only NAME[,NAME...]] [--checkpoint SPEC]``
(or ``python benchmarks/run.py --memory`` with the same options).

For the long loops of ``workloads.MEMORY_WORKLOADS`` (tanh RNNs of 2000 steps
x 256 hidden units and 20000 x 64, a 5000-step scan on a vector and on
Python floats: their hand gradients keep every state in one preallocated
array) and the MLP and softmax workloads of ``workloads.WORKLOADS``, the
script checks ``srcxform.grad``'s result against the hand gradient, then
measures for each:

* the peak of ``tracemalloc`` over one gradient call, after a warm-up call
  (so compiling and first-call caches do not count); the arguments exist
  before tracing starts, the returned gradient counts on both sides;
* the time of one call (minimum over interleaved repeats, tracing off);

and prints both and their ratios to the hand gradient.  On a shared machine
run it with ``OPENBLAS_NUM_THREADS=1``: BLAS threads contending with other
processes slow the hand gradient's block products and the generated one's
single product unequally (the peaks do not depend on it).  ``--checkpoint SPEC``
adds columns for ``srcxform.grad(f, wrt, checkpoint=SPEC)`` on the loops
(``SPEC`` an integer or a word, passed through as given); where srcxform
does not accept it, the column says so.  Exit status 3 if a gradient
disagrees with the hand gradient, else 0.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from common import first_line, same_gradient, show_bytes, show_time  # noqa: E402
from workloads import MEMORY_WORKLOADS, WORKLOADS, Workload  # noqa: E402

MISMATCH_EXIT = 3
ALSO = ("mlp_tanh", "softmax_xent", "softmax_labels")  # from WORKLOADS


def memory_workloads() -> list[Workload]:
    """The rows of the memory table, in order."""
    return MEMORY_WORKLOADS + [w for w in WORKLOADS if w.name in ALSO]


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Bytes ``tracemalloc`` sees at the peak of one call of ``fn`` (after a warm-up call)."""
    fn()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - base


@dataclass
class Measured:
    """One gradient's peak memory and call times (or why it has none)."""

    fn: Callable[[], Any] | None
    note: str = ""
    peak: int = 0
    times: list[float] = field(default_factory=list)


def _timed_calls(columns: list[Measured], repeats: int) -> None:
    live = [c for c in columns if c.fn is not None]
    for col in live:
        col.fn()
    for _ in range(repeats):
        for col in live:
            number, start = 0, time.perf_counter()
            while True:  # at least 20 ms per repeat, for the short workloads
                col.fn()
                number += 1
                elapsed = time.perf_counter() - start
                if elapsed > 0.02:
                    break
            col.times.append(elapsed / number)


def _srcxform(w: Workload, args: tuple, want: Any, **options: Any) -> Measured:
    try:
        import srcxform

        df = srcxform.grad(w.f, wrt=w.wrt, **options)
        got = df(*args)
    except Exception as err:  # unsupported, or an option srcxform does not accept
        return Measured(None, note=first_line(err))
    if not same_gradient(got, want, w.wrt):
        return Measured(None, note="MISMATCH with the hand gradient")
    return Measured(lambda: df(*args))


def _peak_cells(col: Measured, hand: Measured) -> list[str]:
    if col.fn is None:
        return ["-", ""]
    return [show_bytes(col.peak), f"{col.peak / hand.peak:.2f}x"]


def _time_cells(col: Measured, best: float) -> list[str]:
    if col.fn is None:
        return ["-", ""]
    return [show_time(min(col.times)), f"{min(col.times) / best:.2f}x"]


def _spec(text: str | None) -> Any:
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def run(selected: list[Workload], quick: bool, checkpoint: Any = None) -> int:
    """Measure and print the table; 3 if some gradient disagrees with the hand one."""
    repeats = 2 if quick else 5
    header = ["workload", "hand peak", "srcxform peak", "ratio", "hand time",
              "srcxform time", "ratio"]
    if checkpoint is not None:
        header += [f"checkpoint={checkpoint!s} peak", "ratio", "time", "ratio"]
    widths = [16] + [max(10, len(h)) for h in header[1:]]
    print("  ".join(h.ljust(n) if i == 0 else h.rjust(n)
                    for i, (h, n) in enumerate(zip(header, widths))))
    print("  ".join("-" * n for n in widths))
    status, notes = 0, []
    for w in selected:
        args = w.make_args(np.random.default_rng(0), False)
        want = w.df_hand(*args)
        hand = Measured(lambda w=w, args=args: w.df_hand(*args))
        columns = [hand, _srcxform(w, args, want)]
        if checkpoint is not None and w.needs_control_flow:
            columns.append(_srcxform(w, args, want, checkpoint=checkpoint))
        for col in columns:
            if col.fn is not None:
                col.peak = peak_bytes(col.fn)
        _timed_calls(columns, repeats)
        best = min(hand.times)
        generated = columns[1]
        row = [w.name, show_bytes(hand.peak), *_peak_cells(generated, hand),
               show_time(best), *_time_cells(generated, best)]
        if len(columns) > 2:
            row += [*_peak_cells(columns[2], hand), *_time_cells(columns[2], best)]
        elif checkpoint is not None:
            row += ["", "", "", ""]  # not a loop
        for label, col in zip(("srcxform", "checkpoint"), columns[1:]):
            if col.fn is None:
                notes.append(f"{w.name}: {label}: {col.note}")
                if col.note.startswith("MISMATCH"):
                    status = MISMATCH_EXIT
        print("  ".join(c.ljust(n) if i == 0 else c.rjust(n)
                        for i, (c, n) in enumerate(zip(row, widths))), flush=True)
    print("\ntargets (issue 14): peak <= 1.2x the hand gradient's at no loss of speed; "
          "with checkpointing <= 0.25x at <= 2.5x the time")
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"  {note}")
    return status


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of this table (shared with ``run.py --memory``)."""
    parser.add_argument("--checkpoint", metavar="SPEC",
                        help="also measure sx.grad(f, wrt, checkpoint=SPEC) on the loops")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", metavar="NAME", help="comma-separated workload names")
    add_options(parser)
    opts = parser.parse_args(argv)
    return table(opts.quick, opts.only, opts.checkpoint, parser.error)


def table(quick: bool, only: str | None, checkpoint: str | None,
          error: Callable[[str], Any]) -> int:
    """Select the workloads named by ``only`` (all by default) and print the table."""
    selected = memory_workloads()
    if only:
        wanted = only.split(",")
        unknown = sorted(set(wanted) - {w.name for w in selected})
        if unknown:
            error(f"unknown workload(s) {unknown}; known: {[w.name for w in selected]}")
        selected = [w for w in selected if w.name in wanted]
    print(f"python {platform.python_version()}, numpy {np.__version__}; peak = tracemalloc "
          f"peak of one gradient call after a warm-up call; time = min of interleaved "
          f"repeats; ratio = srcxform / hand\n")
    return run(selected, quick, _spec(checkpoint))


if __name__ == "__main__":
    sys.exit(main())
