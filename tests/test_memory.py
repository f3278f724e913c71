"""Memory is given back: thousands of closures and their gradients grow the process boundedly.

In a fresh subprocess (so nothing else the suite built is counted), the
script below makes closures from two factories — straight-line code and a
loop — and for each takes ``grad`` (called), ``vjp`` (pulled back) and
``jvp``, then drops them.  After a warm-up it measures the memory
``tracemalloc`` sees still allocated after ``gc.collect()``, before and after
thousands more.  Before issue 11 every closure kept its generated code and
its ``linecache`` text for the life of the process: 13 KB each (29 KB for
loop code).  ``python tests/test_memory.py`` prints the numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def test_thousands_of_closures_grow_the_process_boundedly():
    found = run(2000)
    for kind, numbers in found.items():
        assert numbers["bytes_per_closure"] < 300, (kind, numbers)
        assert numbers["linecache_growth"] <= 4, (kind, numbers)


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 2000), indent=2))
