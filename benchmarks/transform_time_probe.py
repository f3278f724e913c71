"""Transform time: how long ``sx.grad(f)`` (and jvp, vjp) plus the first call take.

Run ``PYTHONPATH=$PWD python benchmarks/transform_time_probe.py [repeats]``.
Each measurement builds a fresh function object from ``f``'s code (so no
cache answers), transforms it and calls the result once on its arguments
(a shape-specialized gradient compiles its specialization on that call);
the table prints the minimum over the repeats of the process's CPU time, in
milliseconds, per function and mode, and the total (CPU time, not wall
time, so other processes sharing the machine disturb it less).  Compare two checkouts by running the
script in each, one after the other, on an idle machine.
"""

from __future__ import annotations

import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import srcxform as sx  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402
from tests import corpus  # noqa: E402
from tests.control_flow import programs  # noqa: E402

CORPUS_NAMES = ("mlp", "softmax_xent", "indexing", "reassign", "tuple_swap")
CONTROL_NAMES = ("leaky_penalty", "trust_region_step", "rnn", "newton_sqrt",
                 "two_layer_loop", "helper_kwargs", "first_hit_per_row")
WORKLOAD_NAMES = ("mlp_tanh", "rnn_50", "springs_euler")


def _fresh(f):
    """A new function object with ``f``'s code, globals, defaults and closure."""
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = f.__kwdefaults__
    g.__qualname__ = f.__qualname__
    g.__module__ = f.__module__
    return g


def _cases():
    """(label, f, make_args, wrt) for every probed program."""
    out = []
    for f, make, wrt in corpus.CORPUS:
        if f.__name__ in CORPUS_NAMES:
            out.append((f"corpus.{f.__name__}", f, make, wrt))
    seen = set()
    for f, make, wrt, _tags in programs.CORPUS:
        if f.__name__ in CONTROL_NAMES and f.__name__ not in seen:
            seen.add(f.__name__)
            out.append((f"control.{f.__name__}", f, make, wrt))
    for w in WORKLOADS:
        if w.name in WORKLOAD_NAMES:
            out.append((f"bench.{w.name}", w.f,
                        (lambda w=w: w.make_args(__import__("numpy").random.default_rng(0),
                                                 True)), w.wrt))
    return out


def _time_grad(f, args, wrt) -> float:
    start = time.process_time()
    sx.grad(_fresh(f), wrt=wrt)(*args)
    return time.process_time() - start


def _time_jvp(f, args, wrt) -> float:
    start = time.process_time()
    sx.jvp(_fresh(f), args, args)
    return time.process_time() - start


def _time_vjp(f, args, wrt) -> float:
    start = time.process_time()
    out, pullback = sx.vjp(_fresh(f), *args)
    pullback(out)
    return time.process_time() - start


MODES = {"grad": _time_grad, "jvp": _time_jvp, "vjp": _time_vjp}


def main(repeats: int = 7) -> None:
    cases = _cases()
    totals = dict.fromkeys(MODES, 0.0)
    print(f"{'program':34s}" + "".join(f"{m:>10s}" for m in MODES) + "   (ms, min of "
          f"{repeats})")
    for label, f, make, wrt in cases:
        args = make()
        row = []
        for mode, timer in MODES.items():
            try:
                best = min(timer(f, args, wrt) for _ in range(repeats))
            except Exception as exc:  # a mode the program does not support
                row.append(f"{'-':>10s}")
                print(f"  ({label} {mode}: {type(exc).__name__})", file=sys.stderr)
                continue
            totals[mode] += best
            row.append(f"{best * 1e3:10.1f}")
        print(f"{label:34s}" + "".join(row))
    print(f"{'total':34s}" + "".join(f"{t * 1e3:10.1f}" for t in totals.values()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
