"""Memory is given back: thousands of closures and their gradients grow the process boundedly.

In a fresh subprocess (so nothing else the suite built is counted), the
script below makes closures from two factories — straight-line code and a
loop — and for each takes ``grad`` (called), ``vjp`` (pulled back) and
``jvp``, then drops them.  After a warm-up it measures the memory
``tracemalloc`` sees still allocated after ``gc.collect()``, before and after
thousands more.  Before issue 11 every closure kept its generated code and
its ``linecache`` text for the life of the process: 13 KB each (29 KB for
loop code).  A second script does the same for many distinct code objects: a
notebook's cells, each its own file, redefining one function (:data:`CELLS`).
``python tests/test_memory.py [closures] [cells]`` prints the numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = r"""
import gc, json, sys, time, tracemalloc, linecache
import numpy as np
import srcxform as sx

def make_line(a):
    def loss(x):
        return np.sum(a * np.tanh(x) ** 2 + np.sin(a * x))
    return loss

def make_loop(a):
    def loss(x):
        s = 0.0
        for i in range(4):
            s = s + np.sum(np.tanh(a * x + i)) * 0.5
        return s
    return loss

def one(make, i, x):
    f = make(0.5 + i % 7)
    sx.grad(f)(x)
    out, pullback = sx.vjp(f, x)
    pullback(1.0)
    sx.jvp(f, (x,), (x,))

def measure(make, n):
    x = np.linspace(-1.0, 1.0, 5)
    for i in range(100):  # warm up: first transforms, caches of the interpreter
        one(make, i, x)
    gc.collect(); gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    entries = len(linecache.cache)
    start = time.perf_counter()
    for i in range(n):
        one(make, i, x)
    gc.collect(); gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"closures": n, "bytes_per_closure": (after - before) / n,
            "linecache_growth": len(linecache.cache) - entries,
            "seconds_per_closure": (time.perf_counter() - start) / n}

n = int(sys.argv[1])
print(json.dumps({"straight": measure(make_line, n), "loop": measure(make_loop, n // 2)}))
"""


#: Many distinct code objects, as a notebook makes them: each "cell" is its own file (the
#: filename IPython gives a cell) redefining ``loss`` in one namespace, with its own
#: constants and, every other cell, a loop.  The old ``loss`` is released when the next
#: cell rebinds the name; what srcxform made for it must go with it.  The same cells
#: with ``inspect.getsource`` alone measure what Python itself keeps (each file's lines
#: in ``linecache``).
CELLS = r"""
import gc, inspect, json, linecache, sys, time, tracemalloc
from pathlib import Path
import numpy as np
import srcxform as sx

CELL = '''def loss(x):
    s = np.sum({a} * np.tanh(x) ** 2 + np.sin({b} * x))
{loop}    return s
'''
LOOP = '''    for k in range({steps}):
        s = s + np.sum(np.tanh({a} * x + k)) * 0.5
'''
NS = {"np": np, "__name__": "__main__"}

def write_cells(folder, start, n):
    paths = []
    for i in range(start, start + n):
        a, b = 0.5 + i / 1000, 1.0 + (i % 13) / 10
        loop = LOOP.format(steps=2 + i % 3, a=a) if i % 2 else ""
        path = Path(folder) / f"cell_{i}.py"
        path.write_text(CELL.format(a=a, b=b, loop=loop))
        paths.append(str(path))
    return paths

FRESH = len(sys.argv) > 3 and sys.argv[3] == "fresh"  # each cell in a namespace of its own

def run_cell(path, work, x):
    ns = dict(NS) if FRESH else NS
    exec(compile(Path(path).read_text(), path, "exec"), ns)
    work(ns["loss"], x)

def transforms(f, x):
    sx.grad(f)(x)
    out, pullback = sx.vjp(f, x)
    pullback(1.0)
    sx.jvp(f, (x,), (x,))

def source_only(f, x):
    inspect.getsource(f)
    f(x)

def measure(work, folder, start, n, warm=20):
    x = np.linspace(-1.0, 1.0, 5)
    for path in write_cells(folder, start - warm, warm):  # warm up
        run_cell(path, work, x)
    cells = write_cells(folder, start, n)
    gc.collect(); gc.collect()
    tracemalloc.start()
    before, entries = tracemalloc.get_traced_memory()[0], len(linecache.cache)
    began = time.perf_counter()
    for path in cells:
        run_cell(path, work, x)
    NS.pop("loss", None)  # the last one released too
    gc.collect(); gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"functions": n, "bytes_per_function": (after - before) / n,
            "linecache_growth": len(linecache.cache) - entries,
            "seconds_per_function": (time.perf_counter() - began) / n}

n, folder = int(sys.argv[1]), sys.argv[2]
print(json.dumps({"python": measure(source_only, folder, 100000, n),
                  "srcxform": measure(transforms, folder, 200000, n)}))
"""


def run(n: int) -> dict:
    """The numbers of the script run in a fresh process on ``n`` closures."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "closures.py"  # srcxform reads the closures' source from it
        script.write_text(SCRIPT)
        done = subprocess.run([sys.executable, str(script), str(n)], env=env,
                              capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_cells(n: int, fresh: bool = False) -> dict:
    """The numbers of ``CELLS`` run in a fresh process on ``n`` distinct functions (with
    ``fresh``, each cell run in a namespace of its own, dropped after it)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "cells.py"
        script.write_text(CELLS)
        done = subprocess.run([sys.executable, str(script), str(n), tmp]
                              + (["fresh"] if fresh else []), env=env,
                              capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_many_distinct_functions_are_released_with_what_srcxform_made_for_them():
    """Before the fix each distinct function kept its templates (which held its code
    object, by which they were found) with three generated functions and their
    ``linecache`` text: about 39 KB and 3 ``linecache`` entries per function."""
    found = run_cells(80)
    python, ours = found["python"], found["srcxform"]
    assert ours["linecache_growth"] <= python["linecache_growth"] + 4, found
    assert ours["bytes_per_function"] - python["bytes_per_function"] < 12_000, found


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="known gap: a function whose only owner is its own module globals "
                   "(code exec'd into a dict later dropped) is kept with what srcxform made "
                   "for it, 170-280 KB each: a template, kept by a table keyed by the code "
                   "object, holds facts that hold those globals, which hold the function")
def test_functions_of_dropped_namespaces_are_released():
    found = run_cells(10, fresh=True)
    python, ours = found["python"], found["srcxform"]
    assert ours["linecache_growth"] <= python["linecache_growth"] + 4, found
    assert ours["bytes_per_function"] - python["bytes_per_function"] < 12_000, found


def test_thousands_of_closures_grow_the_process_boundedly():
    found = run(2000)
    for kind, numbers in found.items():
        assert numbers["bytes_per_closure"] < 300, (kind, numbers)
        assert numbers["linecache_growth"] <= 4, (kind, numbers)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000), indent=2))
    print(json.dumps(run_cells(int(sys.argv[2]) if len(sys.argv) > 2 else 200), indent=2))
