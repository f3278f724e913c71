"""How long ``srcxform.grad`` takes to build a gradient, and how that grows with the code.

Usage: ``python benchmarks/transform_time.py [--quick] [--only NAME[,NAME...]] [--budget S]``
(or ``python benchmarks/run.py --transform-time`` with the same options).

For every row the script makes new function objects on each repeat (a copy
of a workload function, or the generated module executed afresh from its
file), so no cache keyed on a function has seen them, and measures

* ``grad()``: ``sx.grad(f, wrt)`` itself (the generic transform);
* ``1st call``: the first call of the gradient, which for code whose shapes
  matter transforms again, specialised to the arguments' shapes, then runs;
* ``build``: the two together, what a user waits for before the first result;
* ``new shape``: a second call with arguments of another shape (another batch
  size, vector length or grid), which compiles once more;
* ``call``: a later call (the best of five), for scale;

each the minimum over repeats (at most ``--repeats``, fewer once a row has
used ``--budget`` seconds), in CPU seconds of this process
(``time.process_time``: the build is single-threaded Python, so this is the
wall time an idle machine would show, and it does not count the time other
processes on a shared machine take; ``--wall`` measures wall time instead).
The rows: the polynomial, the MLP and the thermal simulation of
``workloads.py``, generated straight-line functions of 10 to 1,000 lines, a
20-trip loop whose body has 10 to 200 statements (``generate.py``), and
``fluid.py``.  Before timing, each gradient is compared with the hand
gradient or with HIPS autograd on the same source (without autograd, with
central differences along one direction).  For the two generated series the
script then prints the growth exponent: the slope of log(build time) against
log(statements) between neighbouring sizes and fitted over the series (1 is
linear growth, 2 quadratic).  ``--cold`` adds the build time of the
polynomial and the MLP in a fresh process (rule templates not yet parsed).

The disk cache (``srcxform/cache/disk.py``) is off while the table is
measured (this script sets ``SRCXFORM_DISK_CACHE=0`` unless it is set):
it times the passes.  ``--disk`` prints another table instead, for the rows
named by ``--only`` (default: the 20- and 200-line straight-line functions
and the fluid): the build (``sx.grad(f)`` + first call) of a new function
object with the disk cache off (the passes run) and served from a warm disk
cache, in this process, interleaved, minimum over ``--repeats``; then the
same in a restarted process (``subprocess``, the build timed inside it after
its imports): with an empty cache directory (cold) and again (warm).  Each
warm build is checked to have run no pass (``compiler.driver.run`` counted)
and each gradient against the oracle.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
os.environ.setdefault("SRCXFORM_DISK_CACHE", "0")  # the table times the passes (``--disk``)

import fluid  # noqa: E402
import generate  # noqa: E402
import workloads  # noqa: E402
from common import first_line, fresh_function, same_gradient, show_time  # noqa: E402

STRAIGHT = (10, 20, 50, 200, 1000)
LOOP = (10, 50, 200)
QUICK_STRAIGHT = (10, 20, 50)
QUICK_LOOP = (10,)


@dataclass
class Row:
    """One function to build: how to get a fresh copy, its arguments, its size."""

    name: str
    make: Callable[[], Callable[..., Any]]  # a fresh function object each call
    args: tuple
    wrt: Any
    lines: int  # source lines transformed (the function's, and its helpers')
    new_args: tuple | None = None  # arguments of another shape
    series: str = ""  # "straight" or "loop": rows whose growth is fitted
    size: int = 0  # in a series: the statements generated
    oracle: Callable[[], Any] | None = None  # the gradient at args, independently
    times: dict[str, list[float]] = field(default_factory=dict)


def _vectors(n: int) -> tuple:
    return np.linspace(-0.9, 0.9, n), np.cos(np.arange(n) + 0.5)


def _generated(series: str, size: int) -> Row:
    maker = generate.straight_line if series == "straight" else generate.loop_body
    name, text = maker(size)
    path = generate.write(name, text)
    row = Row(name, lambda: generate.load(path, name), _vectors(8), 0,
              len(text.splitlines()) - 3, new_args=_vectors(9), series=series, size=size)
    row.oracle = lambda: _autograd(row)
    return row


def _fluid_row() -> Row:
    path = Path(fluid.__file__)

    def make() -> Callable[..., Any]:
        return generate.load(path, "fluid")

    namespace = vars(fluid)
    lines = sum(len(_source_lines(v)) for v in namespace.values()
                if callable(v) and getattr(v, "__module__", None) == fluid.__name__
                and v is not fluid.fluid_args)
    row = Row("fluid", make, fluid.fluid_args(np.random.default_rng(0)), (0, 2, 3), lines,
              new_args=fluid.fluid_args(np.random.default_rng(1), n=17))
    row.oracle = lambda: _autograd(row)
    return row


def _workload_row(name: str, label: str, new_args: Callable[[], tuple] | None) -> Row:
    w = next(w for w in workloads.WORKLOADS if w.name == name)
    lines = len(_source_lines(w.f))
    args = w.make_args(np.random.default_rng(0), False)
    return Row(label, lambda: fresh_function(w.f), args, w.wrt, lines,
               new_args=new_args() if new_args else None, oracle=lambda: w.df_hand(*args))


def _source_lines(f: Callable[..., Any]) -> list[str]:
    import inspect

    return inspect.getsourcelines(f)[0]


def _mlp_batch_65() -> tuple:
    W1, b1, W2, b2, X, Y = workloads.mlp_args(np.random.default_rng(1), False)
    rng = np.random.default_rng(2)
    return W1, b1, W2, b2, rng.standard_normal((65, X.shape[1])), rng.standard_normal((65, 1))


def rows(quick: bool) -> list[Row]:
    """Every row of the table, smallest first within each group."""
    out = [
        _workload_row("poly_n10", "poly", lambda: (np.linspace(-1.0, 1.0, 11),)),
        _workload_row("mlp_tanh", "mlp", None if quick else _mlp_batch_65),
        _workload_row("thermal_20", "thermal", None),
    ]
    out += [_generated("straight", n) for n in (QUICK_STRAIGHT if quick else STRAIGHT)]
    out += [_generated("loop", n) for n in (QUICK_LOOP if quick else LOOP)]
    if not quick:
        out.append(_fluid_row())
    return out


# --- checking --------------------------------------------------------------------------

def _autograd(row: Row) -> Any:
    """HIPS autograd's gradient of a freshly loaded module's function (None if not installed)."""
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return None
    f = row.make()
    f.__globals__["np"] = anp  # the module was executed afresh: this namespace is f's alone
    wrt = row.wrt if isinstance(row.wrt, int) else tuple(row.wrt)
    return autograd.grad(f, wrt)(*row.args)


def _directional(row: Row, got: Any) -> tuple[float, float]:
    """(central difference of f along a random direction of the first wrt, <got, direction>)."""
    f = row.make()
    i = row.wrt if isinstance(row.wrt, int) else row.wrt[0]
    g = got if isinstance(row.wrt, int) else got[0]
    d = np.random.default_rng(3).standard_normal(np.shape(row.args[i]))
    eps = 1e-6

    def at(s: float) -> float:
        args = list(row.args)
        args[i] = args[i] + s * d
        return float(f(*args))

    return (at(eps) - at(-eps)) / (2 * eps), float(np.sum(g * d))


def check(row: Row, got: Any) -> str:
    """An empty string when ``got`` is ``row``'s gradient, else what disagrees."""
    want = row.oracle() if row.oracle is not None else None
    if want is None:
        numeric, exact = _directional(row, got)
        if math.isclose(numeric, exact, rel_tol=1e-5, abs_tol=1e-8):
            return ""
        return f"MISMATCH with central differences ({numeric:.6g} vs {exact:.6g})"
    if not same_gradient(got, want, row.wrt if isinstance(row.wrt, tuple) else 0):
        return "MISMATCH with the oracle"
    return ""


# --- timing -----------------------------------------------------------------------------

def build_once(row: Row, clock: Callable[[], float]) -> tuple[dict[str, float], Any]:
    """One fresh build: the times of its phases, and the gradient at ``row.args``."""
    import srcxform as sx

    f = row.make()
    gc.collect()
    t0 = clock()
    df = sx.grad(f, wrt=row.wrt)
    t1 = clock()
    got = df(*row.args)
    t2 = clock()
    times = {"grad()": t1 - t0, "1st call": t2 - t1, "build": t2 - t0}
    if row.new_args is not None:
        t3 = clock()
        df(*row.new_args)
        times["new shape"] = clock() - t3
    calls = []
    for _ in range(5):
        t4 = clock()
        df(*row.args)
        calls.append(clock() - t4)
    times["call"] = min(calls)
    return times, got


def measure(row: Row, repeats: int, budget: float, clock: Callable[[], float]) -> str:
    """Fill ``row.times``; return a note (why the row has no times), or ""."""
    spent = 0.0
    for k in range(repeats):
        start = time.perf_counter()
        try:
            times, got = build_once(row, clock)
        except Exception as err:
            return f"fails: {first_line(err)}"
        if k == 0:
            problem = check(row, got)
            if problem:
                return problem
        for key, t in times.items():
            row.times.setdefault(key, []).append(t)
        spent += time.perf_counter() - start
        if spent > budget:
            break
    return ""


COLUMNS = ("grad()", "1st call", "build", "new shape", "call")


def slopes(series: list[Row]) -> tuple[list[float], float]:
    """log-log slopes of build time against size: neighbouring pairs, and the fit."""
    xs = [math.log(r.size) for r in series]
    ys = [math.log(min(r.times["build"])) for r in series]
    pairs = [(y1 - y0) / (x1 - x0) for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:])]
    fit = float(np.polyfit(xs, ys, 1)[0]) if len(xs) > 1 else float("nan")
    return pairs, fit


def cold(name: str, clock: Callable[[], float]) -> float:
    """Seconds to build (grad + first call) workload ``name`` in a fresh process."""
    code = (
        "import sys, time, numpy as np; sys.path[:0] = sys.argv[1:3]\n"
        "import srcxform as sx, workloads\n"
        f"w = next(w for w in workloads.WORKLOADS if w.name == {name!r})\n"
        "args = w.make_args(np.random.default_rng(0), False)\n"
        f"clock = time.{clock.__name__}\n"
        "t = clock(); sx.grad(w.f, wrt=w.wrt)(*args)\n"
        "print(clock() - t)\n")
    done = subprocess.run([sys.executable, "-c", code, str(HERE), str(HERE.parent)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def run(selected: list[Row], repeats: int, budget: float, with_cold: bool,
        clock: Callable[[], float] = time.process_time) -> int:
    """Measure and print the table; 3 if some gradient disagrees with its oracle."""
    widths = [14, 6, 5] + [10] * len(COLUMNS)
    header = ["function", "lines", "runs", *COLUMNS]
    print("  ".join(h.ljust(n) if i == 0 else h.rjust(n)
                    for i, (h, n) in enumerate(zip(header, widths))))
    print("  ".join("-" * n for n in widths))
    status, notes = 0, []
    for row in selected:
        note = measure(row, repeats, budget, clock)
        if note:
            notes.append(f"{row.name}: {note}")
            status = 3 if note.startswith("MISMATCH") else status
            cells = [row.name, str(row.lines), "0"] + ["-"] * len(COLUMNS)
        else:
            cells = [row.name, str(row.lines), str(len(row.times["build"]))]
            cells += [show_time(min(row.times[c])) if c in row.times else "-" for c in COLUMNS]
        print("  ".join(c.ljust(n) if i == 0 else c.rjust(n)
                        for i, (c, n) in enumerate(zip(cells, widths))), flush=True)
    print()
    for series in ("straight", "loop"):
        done = [r for r in selected if r.series == series and r.times]
        if len(done) < 2:
            continue
        pairs, fit = slopes(done)
        steps = ", ".join(f"{a.size}->{b.size}: {s:.2f}"
                          for a, b, s in zip(done, done[1:], pairs))
        print(f"growth of build time with statements ({series}): {steps}; "
              f"fitted slope {fit:.2f}")
    if with_cold:
        for name in ("poly_n10", "mlp_tanh"):
            print(f"cold process, build of {name}: {show_time(cold(name, clock))}")
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"  {note}")
    return status


# --- the disk cache ---------------------------------------------------------------------

DISK_ROWS = ("straight_20", "straight_200", "fluid")

#: A restarted process: builds row ``argv[1]`` once, prints its time and the passes run.
CHILD = """
import json, sys, time
sys.path[:0] = sys.argv[2:4]
import transform_time as tt
from srcxform.compiler import driver
row = next(r for r in tt.rows(False) if r.name == sys.argv[1])
f = row.make()
runs = [0]
real = driver.run
def counting(program, passes):
    runs[0] += 1
    return real(program, passes)
driver.run = counting
import srcxform as sx
clock = getattr(time, sys.argv[4])
t = clock()
got = sx.grad(f, wrt=row.wrt)(*row.args)
seconds = clock() - t
print(json.dumps({"seconds": seconds, "runs": runs[0], "check": tt.check(row, got)}))
"""


def _counted_build(row: Row, clock: Callable[[], float]) -> tuple[float, int, Any]:
    """(seconds of grad + first call of a new function object, passes run, gradient)."""
    import srcxform as sx
    from srcxform.cache import persist
    from srcxform.compiler import driver

    f = row.make()
    persist._FRESH.clear()  # (equal code objects share it: a restarted process has none)
    runs = [0]
    real = driver.run

    def counting(program: Any, passes: Any) -> Any:
        runs[0] += 1
        return real(program, passes)

    gc.collect()
    driver.run = counting
    try:
        t = clock()
        got = sx.grad(f, wrt=row.wrt)(*row.args)
        seconds = clock() - t
    finally:
        driver.run = real
    return seconds, runs[0], got


def _restarted(row: Row, cache: Path, clock: Callable[[], float]) -> dict[str, Any]:
    env = dict(os.environ, SRCXFORM_DISK_CACHE="1", SRCXFORM_CACHE_DIR=str(cache),
               SRCXFORM_BENCH_DIR=str(generate._DIR))
    done = subprocess.run([sys.executable, "-c", CHILD, row.name, str(HERE), str(HERE.parent),
                           clock.__name__], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def disk_table(selected: list[Row], repeats: int, clock: Callable[[], float]) -> int:
    """Build times with the disk cache cold and warm (see the module docstring)."""
    import shutil
    import tempfile

    widths = [14, 6, 11, 11, 7, 11, 11, 7]
    header = ["function", "lines", "off", "warm", "ratio", "restart", "restart", "ratio"]
    under = ["", "", "(1 proc)", "(1 proc)", "", "cold", "warm", ""]
    for cells in (header, under, ["-" * n for n in widths]):
        print("  ".join(c.ljust(n) if i == 0 else c.rjust(n)
                        for i, (c, n) in enumerate(zip(cells, widths))))
    status = 0
    base = Path(tempfile.mkdtemp(prefix="srcxform-disk-bench-"))
    try:
        for row in selected:
            problems = []
            cache = base / row.name
            os.environ["SRCXFORM_CACHE_DIR"] = str(cache)
            os.environ["SRCXFORM_DISK_CACHE"] = "1"
            _counted_build(row, clock)  # stores the entry
            times: dict[str, list[float]] = {"off": [], "warm": [], "cold": [], "rwarm": []}
            for k in range(repeats):
                os.environ["SRCXFORM_DISK_CACHE"] = "0"
                t, runs, got = _counted_build(row, clock)
                times["off"].append(t)
                os.environ["SRCXFORM_DISK_CACHE"] = "1"
                t, runs, got = _counted_build(row, clock)
                times["warm"].append(t)
                if runs or (k == 0 and check(row, got)):
                    problems.append(f"warm build ran {runs} pass lists / {check(row, got)}")
                fresh = base / f"{row.name}-restart-{k}"
                cold = _restarted(row, fresh, clock)
                warm = _restarted(row, fresh, clock)
                times["cold"].append(cold["seconds"])
                times["rwarm"].append(warm["seconds"])
                if warm["runs"] or cold["check"] or warm["check"]:
                    problems.append(f"restart: {warm['runs']} pass lists, {warm['check']}")
            best = {k: min(v) for k, v in times.items()}
            cells = [row.name, str(row.lines), show_time(best["off"]), show_time(best["warm"]),
                     f"{best['off'] / best['warm']:.0f}x", show_time(best["cold"]),
                     show_time(best["rwarm"]), f"{best['cold'] / best['rwarm']:.0f}x"]
            print("  ".join(c.ljust(n) if i == 0 else c.rjust(n)
                            for i, (c, n) in enumerate(zip(cells, widths))), flush=True)
            for p in problems:
                status = 3
                print(f"  {row.name}: {p}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return status


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of this table (shared with ``run.py --transform-time``)."""
    parser.add_argument("--repeats", type=int, default=5, help="builds per row at most")
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds per row after which no further repeat starts")
    parser.add_argument("--cold", action="store_true",
                        help="also time a build in a fresh process")
    parser.add_argument("--wall", action="store_true",
                        help="wall-clock time instead of this process's CPU time")
    parser.add_argument("--disk", action="store_true",
                        help="the disk cache's table instead: builds cold and warm, in this "
                             "process and restarted")


def table(quick: bool, only: str | None, repeats: int, budget: float, with_cold: bool,
          error: Callable[[str], Any], wall: bool = False, disk: bool = False) -> int:
    """Select the rows named by ``only`` (all by default) and print the table."""
    if disk and not only:
        only = ",".join(DISK_ROWS)
    selected = rows(quick and not only)
    if only:
        wanted = only.split(",")
        unknown = sorted(set(wanted) - {r.name for r in selected})
        if unknown:
            error(f"unknown row(s) {unknown}; known: {[r.name for r in selected]}")
        selected = [r for r in selected if r.name in wanted]
    if quick:
        repeats = 1
    if disk:
        print(f"python {platform.python_version()}, numpy {np.__version__}; build = "
              f"sx.grad(f) + first call of a new function object, min over {repeats} runs, "
              f"{'wall-clock' if wall else 'CPU'} time; off: the passes run, warm: served from "
              f"the disk cache; restart: in a new process (timed after its imports)\n")
        return disk_table(selected, repeats, time.perf_counter if wall else time.process_time)
    print(f"python {platform.python_version()}, numpy {np.__version__}; build = sx.grad(f) + "
          f"first call, new function objects each run, min over runs, "
          f"{'wall-clock' if wall else 'CPU'} time\n")
    return run(selected, repeats, budget, with_cold,
               time.perf_counter if wall else time.process_time)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="the small sizes only, one build each")
    parser.add_argument("--only", metavar="NAME", help="comma-separated row names")
    add_options(parser)
    opts = parser.parse_args(argv)
    return table(opts.quick, opts.only, opts.repeats, opts.budget, opts.cold, parser.error,
                 opts.wall, opts.disk)


if __name__ == "__main__":
    sys.exit(main())
