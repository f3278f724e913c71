"""Where ``srcxform.grad`` spends its build time: per pass, per function, per size.

Usage: ``python benchmarks/profile_transform.py [--rows NAME,...] [--cprofile N] [--sizes]``

* per pass (always): the compiler's passes, and a few named steps inside them,
  are wrapped with timers (every module attribute bound to the same function
  object, so ``from .x import f`` copies are timed too; a name a refactor has
  removed is skipped); each row of ``--rows`` (default ``straight_200``,
  ``straight_1000``, ``loop_200``; names as in ``transform_time.py``) is built
  once, fresh, and the table shows inclusive seconds and calls per probe,
  separately for ``sx.grad(f)`` (the generic transform) and the first call
  (the transform specialised to the arguments' shapes);
* ``--cprofile N``: the N functions of srcxform, ``ast`` and ``copy`` with the
  most internal time, and the N srcxform functions with the most cumulative
  time, under ``cProfile`` (times inflated by profiling; compare them with
  each other only);
* ``--sizes``: the per-probe times for straight-line functions of 50, 200 and
  1000 lines (or ``--size-list``), and each probe's log-log slope: which
  parts grow faster than the code.

Times are CPU seconds of this process (``time.process_time``), so a busy
machine inflates them less.  Nothing is measured against a baseline here;
``transform_time.py`` gives the build times themselves, and these numbers
explain them (``PROFILE.md``).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import math
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import transform_time  # noqa: E402


def _pipeline_passes() -> list[tuple[str, str, str]]:
    """Every pass of the grad pipeline (``driver.PIPELINES``), in order, as a probe."""
    from srcxform.compiler import driver

    specs, seen = [("parse", "parse_function", "parse")], set()
    for step in driver.PIPELINES["grad"]:
        module = step.__module__.rsplit(".", 1)[-1]
        if (module, step.__name__) not in seen:
            seen.add((module, step.__name__))
            specs.append((module, step.__name__, f"{module}.{step.__name__}"))
    return specs


# (module, attribute or Class.method, label): the passes of the pipeline, in order.
PASSES = _pipeline_passes()
STEPS = [
    ("normalize", "_writable_arrays", "normalize/_writable_arrays"),
    ("normalize", "_fresh_where_written", "normalize/_fresh_where_written"),
    ("normalize", "_fresh_before_alias", "normalize/_fresh_before_alias"),
    ("normalize", "infer_ints", "normalize/infer_ints"),
    ("inline", "inline_rule", "reverse/inline_rule"),
    ("optimize", "Optimizer.run", "optimize/Optimizer.run"),
    ("optimize", "Optimizer.start_round", "optimize/rounds"),
    ("optimize", "Optimizer.propagate", "optimize/propagate"),
    ("optimize", "Optimizer.kill", "optimize/propagate/kill"),
    ("optimize", "Optimizer.dce", "optimize/dce"),
    ("optimize", "Optimizer.find_stable_shapes", "optimize/find_stable_shapes"),
    ("optimize", "_load_counts", "optimize/_load_counts"),
    ("optimize", "_trusted_shapes", "optimize/_trusted_shapes"),
    ("lower", "lower", "optimize/lower"),
    ("defer", "defer_outer_products", "optimize/defer_outer_products"),
    ("tape", "recompute_cheap_values", "tapes/recompute_cheap_values"),
]


class Probes:
    """Inclusive timers wrapped around compiler functions, installed while active."""

    def __init__(self, specs: list[tuple[str, str, str]]) -> None:
        self.specs = specs
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._undo: list[tuple[Any, Any, Any]] = []

    def _wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        seconds, calls = self.seconds, self.calls
        depth = [0]  # a recursive call is inside the outer one's time already

        def timed(*args: Any, **kwargs: Any) -> Any:
            calls[label] = calls.get(label, 0) + 1
            if depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[label] = seconds.get(label, 0.0) + time.process_time() - start
                depth[0] -= 1

        return timed

    @contextmanager
    def active(self) -> Iterator[Probes]:
        modules = {name: importlib.import_module(f"srcxform.compiler.{name}")
                   for name in {m for m, _, _ in self.specs} | {"driver"}}
        every = [importlib.import_module(name) for name in list(sys.modules)
                 if name.startswith("srcxform.compiler.")]
        try:
            for module_name, attr, label in self.specs:
                owner: Any = modules[module_name]
                if "." in attr:
                    cls_name, attr = attr.split(".")
                    owner = getattr(owner, cls_name, None)
                original = getattr(owner, attr, None) if owner is not None else None
                if original is None:
                    continue
                wrapped = self._wrap(label, original)
                targets = [owner] if isinstance(owner, type) else [
                    m for m in every if getattr(m, attr, None) is original]
                for target in targets:
                    self._undo.append((target, attr, original))
                    setattr(target, attr, wrapped)
                for pipeline in modules["driver"].PIPELINES.values():  # the passes run
                    for i, step in enumerate(pipeline):
                        if step is original:
                            self._undo.append((pipeline, i, original))
                            pipeline[i] = wrapped
            yield self
        finally:
            for target, attr, original in reversed(self._undo):
                if isinstance(target, list):
                    target[attr] = original
                else:
                    setattr(target, attr, original)
            self._undo.clear()


def _row(name: str) -> transform_time.Row:
    found = [r for r in transform_time.rows(False) if r.name == name]
    if found:
        return found[0]
    if name.startswith(("straight_", "loop_")):
        series, size = name.split("_")
        return transform_time._generated(series, int(size))
    raise SystemExit(f"unknown row {name!r}")


def phases(row: transform_time.Row, specs: list[tuple[str, str, str]]) -> dict[str, Probes]:
    """Probe times of one fresh build: ``{"grad()": ..., "1st call": ...}``."""
    import srcxform as sx

    f = row.make()
    out = {"grad()": Probes(specs), "1st call": Probes(specs)}
    with out["grad()"].active():
        t = time.process_time()
        df = sx.grad(f, wrt=row.wrt)
        out["grad()"].seconds["total"] = time.process_time() - t
    with out["1st call"].active():
        t = time.process_time()
        df(*row.args)
        out["1st call"].seconds["total"] = time.process_time() - t
    return out


def print_phases(row: transform_time.Row) -> None:
    measured = phases(row, PASSES + STEPS)
    print(f"\n{row.name} ({row.lines} lines): seconds (calls), inclusive")
    print(f"  {'probe':<34}{'grad()':>16}{'1st call':>16}")
    for _, _, label in [("", "", "total")] + PASSES + STEPS:
        cells = []
        for probes in measured.values():
            if label in probes.seconds:
                calls = probes.calls.get(label)
                cells.append(f"{probes.seconds[label]:.4f}" + (f" ({calls})" if calls else ""))
            else:
                cells.append("-")
        if cells != ["-", "-"]:
            print(f"  {label:<34}{cells[0]:>16}{cells[1]:>16}")


def print_sizes(sizes: list[int]) -> None:
    """Per-probe build seconds (both transforms) at each size, and the log-log slope."""
    import srcxform as sx

    table: dict[str, list[float]] = {}
    for n in sizes:
        row = transform_time._generated("straight", n)
        sx.grad(row.make(), wrt=row.wrt)(*row.args)  # warm: rule templates parsed, file read
        measured = phases(row, PASSES + STEPS)
        for label in ["total"] + [lab for _, _, lab in PASSES + STEPS]:
            table.setdefault(label, []).append(
                sum(p.seconds.get(label, 0.0) for p in measured.values()))
    print("\nstraight-line functions: build seconds per probe (both transforms), "
          "and the slope of log(seconds) against log(lines)")
    print(f"  {'probe':<34}" + "".join(f"{n:>10}" for n in sizes) + f"{'slope':>8}")
    for label, secs in table.items():
        if max(secs) < 0.005:
            continue
        ok = [(math.log(n), math.log(s)) for n, s in zip(sizes, secs) if s > 0]
        slope = (ok[-1][1] - ok[0][1]) / (ok[-1][0] - ok[0][0]) if len(ok) > 1 else float("nan")
        print(f"  {label:<34}" + "".join(f"{s:>10.3f}" for s in secs) + f"{slope:>8.2f}")


def print_cprofile(row: transform_time.Row, top: int) -> None:
    import srcxform as sx

    f = row.make()
    profile = cProfile.Profile()
    profile.enable()
    sx.grad(f, wrt=row.wrt)(*row.args)
    profile.disable()
    for key, restrict in (("tottime", r"srcxform|ast\.py|copy\.py"), ("cumtime", "srcxform")):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(key).print_stats(restrict, top)
        text = out.getvalue()
        body = text[text.index("ncalls"):] if "ncalls" in text else text
        print(f"\n{row.name}: cProfile, top {top} by {key}\n{body.rstrip()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="straight_200,straight_1000,loop_200")
    parser.add_argument("--cprofile", type=int, metavar="N", default=0)
    parser.add_argument("--sizes", action="store_true")
    parser.add_argument("--size-list", default="50,200,1000")
    opts = parser.parse_args(argv)
    selected = [_row(name) for name in opts.rows.split(",") if name]
    if selected:
        transform_time.rows(True)[0].make()  # import srcxform's rule table before timing
        selected[0].make()(*selected[0].args)
    for row in selected:
        print_phases(row)
    if opts.sizes:
        print_sizes([int(n) for n in opts.size_list.split(",")])
    for row in selected if opts.cprofile else []:
        print_cprofile(row, opts.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
