"""CPU time of every pass of the grad pipeline for a generated straight-line function.

Usage: ``python benchmarks/pass_times.py [LINES] [--builds N]``

After it runs, it has printed, for ``sx.grad(f)`` plus the first call of a
fresh ``straight_<LINES>`` function (``generate.straight_line``) built
``--builds`` times in this process, each pass of ``driver.PIPELINES["grad"]``
(and the parse and the snapshot of the front) with its minimum and median
CPU time (``time.process_time``), largest first, and the totals of ``grad()``
and of the first call.  Run it from two checkouts in turn (``PYTHONPATH`` set
to each) to compare them pass by pass (``PROFILE.md``).  The on-disk cache of
generated code is off, so every build transforms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ["SRCXFORM_DISK_CACHE"] = "0"
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import generate  # noqa: E402
import numpy as np  # noqa: E402

import srcxform as sx  # noqa: E402
from srcxform.compiler import driver  # noqa: E402


def _timed(step: Callable[[Any], Any], label: str, now: dict[str, float]) -> Callable:
    def timed(program: Any) -> Any:
        start = time.process_time()
        try:
            return step(program)
        finally:
            now[label] = now.get(label, 0.0) + time.process_time() - start
    timed.__name__, timed.__module__ = step.__name__, step.__module__
    return timed


def main() -> None:
    """Build the function ``--builds`` times and print the table (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", nargs="?", type=int, default=20)
    parser.add_argument("--builds", type=int, default=40)
    args = parser.parse_args()
    name, text = generate.straight_line(args.lines)
    path = generate.write(name, text)
    x, y = np.linspace(-0.9, 0.9, 8), np.cos(np.arange(8) + 0.5)
    now: dict[str, float] = {}
    for kind, steps in driver.PIPELINES.items():
        driver.PIPELINES[kind] = [
            _timed(s, f"{s.__module__.rsplit('.', 1)[-1]}.{s.__name__}", now) for s in steps]
    driver.parse_function = _timed(driver.parse_function, "parse", now)
    driver.snapshot = _timed(driver.snapshot, "snapshot", now)
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.builds):
        now.clear()
        f = generate.load(path, name)
        start = time.process_time()
        df = sx.grad(f)
        middle = time.process_time()
        df(x, y)
        now["TOTAL grad()"] = middle - start
        now["TOTAL first call"] = time.process_time() - middle
        for label, seconds in now.items():
            times[label].append(seconds)
    for label, values in sorted(times.items(), key=lambda kv: -min(kv[1])):
        values.sort()
        print(f"{label:45s} {values[0] * 1e3:8.3f} ms  med {values[len(values) // 2] * 1e3:8.3f}")


if __name__ == "__main__":
    main()
