"""Time srcxform's gradients against hand-written NumPy gradients.

Usage: ``python benchmarks/run.py [--quick] [--only NAME[,NAME...]]`` for the
speed table, ``--memory`` for the peak-memory table (``memory.py``) and
``--transform-time`` for the build-time table (``transform_time.py``); those
two take their own options too (``--checkpoint SPEC``; ``--repeats``,
``--budget``, ``--cold``, ``--wall``), and ``--only`` then names their rows.

For every workload of ``workloads.py`` the runner first checks that
``srcxform.grad(f, wrt=...)`` (and, when importable, HIPS autograd on the
same function with ``np`` rebound to ``autograd.numpy``, and a PyTorch eager
translation) agrees with the hand gradient, then times all of them in one
process with interleaved repeats (min over repeats of a ``timeit`` loop), and
prints one table row: times per call and each one's ratio to the hand time.  The
``any batch`` column times srcxform's gradient of a workload with data parameters as
it runs once the batch size has changed: served by the version compiled generic in the
batch size (``srcxform/cache/sizes.py``), not the one made for these exact shapes.

A column whose gradient cannot be built or run (srcxform does not support the
workload yet, autograd cannot trace ``math``, torch is missing) prints why
and the runner goes on.  The exit status is 0 unless some gradient disagrees
with the hand gradient, in which case the row says MISMATCH and the exit
status is 3.  ``--guard`` (CI's gross-regression guard) also exits 4 when
srcxform cannot build a workload's gradient, or its ratio exceeds the
workload's ``max_ratio`` (3 unless the workload says otherwise) in the
table's measurement and in two more, full-length ones taken to rule out a
noisy neighbour; ``--no-peers`` skips the autograd and torch columns.
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import memory  # noqa: E402
import transform_time  # noqa: E402
from common import first_line, same_gradient, show_time  # noqa: E402
from workloads import WORKLOADS, Workload  # noqa: E402

MISMATCH_EXIT = 3
GUARD_EXIT = 4


@dataclass
class Column:
    """One way of computing a workload's gradient."""

    name: str
    fn: Callable[[], Any] | None = None  # computes the gradient, arguments bound
    note: str = ""  # why fn is None, or MISMATCH
    times: list[float] = field(default_factory=list)
    number: int = 1


# --- the columns ----------------------------------------------------------------------

def srcxform_column(w: Workload, args: tuple) -> Column:
    col = Column("srcxform")
    try:
        import srcxform
    except Exception as err:  # the package itself does not import
        col.note = f"not importable: {first_line(err)}"
        return col
    try:
        df = srcxform.grad(w.f, wrt=w.wrt)
        df(*args)  # a transform may be deferred to the first call
    except Exception as err:
        col.note = f"unsupported: {first_line(err)}"
        return col
    col.fn = lambda: df(*args)
    return col


#: Parameters of the workloads that hold a batch of data (rows; a sequence's steps).
DATA = ("X", "Y", "y", "labels", "xs")


def batch_column(w: Workload, args: tuple) -> Column | None:
    """srcxform's gradient as it runs after batch sizes changed: a new function of the same
    code called at two other batch sizes first, so that the call at the workload's size is
    served by the version compiled generic in the batch size (``srcxform/cache/sizes.py``);
    None for a workload without data parameters."""
    names = w.f.__code__.co_varnames[: w.f.__code__.co_argcount]
    if not any(n in DATA for n in names):
        return None
    col = Column("any batch")
    import srcxform

    f = types.FunctionType(w.f.__code__, w.f.__globals__, w.f.__name__, w.f.__defaults__,
                           w.f.__closure__)
    try:
        df = srcxform.grad(f, wrt=w.wrt)
        for extra in (3, 5):
            df(*(np.concatenate([v, v[:extra]]) if n in DATA else v
                 for n, v in zip(names, args)))
        df(*args)
    except Exception as err:
        col.note = f"unsupported: {first_line(err)}"
        return col
    col.fn = lambda: df(*args)
    return col


def autograd_column(w: Workload, args: tuple) -> Column:
    col = Column("autograd")
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        col.note = "not installed"
        return col
    f = w.f
    rebound = types.FunctionType(f.__code__, {**f.__globals__, "np": anp}, f.__name__,
                                 f.__defaults__, f.__closure__)
    indices = w.wrt_indices()
    argnum = indices if isinstance(w.wrt, tuple) else indices[0]
    try:
        df = autograd.grad(rebound, argnum)
        df(*args)
    except Exception as err:
        col.note = f"fails: {first_line(err)}"
        return col
    col.fn = lambda: df(*args)
    return col


def torch_column(w: Workload, args: tuple) -> Column:
    col = Column("torch")
    try:
        import torch
        from torch_versions import TORCH_LOSSES
    except ImportError:
        col.note = "not installed"
        return col
    loss = TORCH_LOSSES.get(w.name)
    if loss is None:
        col.note = "no translation"
        return col
    indices = w.wrt_indices()
    tensors = [torch.tensor(a) if np.issubdtype(np.asarray(a).dtype, np.integer)
               else torch.tensor(a, dtype=torch.float64, requires_grad=i in indices)
               for i, a in enumerate(args)]
    leaves = [tensors[i] for i in indices]

    def run() -> Any:
        grads = torch.autograd.grad(loss(*tensors), leaves)
        return tuple(grads) if isinstance(w.wrt, tuple) else grads[0]

    try:
        run()
    except Exception as err:
        col.note = f"fails: {first_line(err)}"
        return col
    col.fn = run
    return col


def as_numpy(grad: Any) -> Any:
    if isinstance(grad, (tuple, list)):
        return tuple(as_numpy(g) for g in grad)
    if hasattr(grad, "detach"):  # a torch tensor
        return grad.detach().numpy()
    return grad


# --- timing ---------------------------------------------------------------------------

def measure(columns: list[Column], repeats: int, budget: float) -> None:
    """Fill each column's ``times`` with ``repeats`` per-call times, interleaving columns."""
    live = [c for c in columns if c.fn is not None]
    for col in live:
        col.fn()  # warm up
        timer, number = timeit.Timer(col.fn), 1
        while (elapsed := timer.timeit(number)) < budget / 4:
            number *= 4
        col.number = max(1, round(number * budget / elapsed))
    for _ in range(repeats):
        for col in live:
            col.times.append(timeit.Timer(col.fn).timeit(col.number) / col.number)


def _guard(w: Workload, hand: Column, generated: Column) -> str:
    """"" when srcxform's ratio to the hand time is within ``w.max_ratio`` in one of up to
    three measurements (the table's, then, only if needed, two full-length ones of the two
    columns alone), else why not."""
    ratios = [min(generated.times) / min(hand.times)]
    while ratios[-1] > w.max_ratio and len(ratios) < 3:
        again = [Column("hand", fn=hand.fn), Column("srcxform", fn=generated.fn)]
        measure(again, 7, 0.1)
        ratios.append(min(again[1].times) / min(again[0].times))
    if min(ratios) <= w.max_ratio:
        return ""
    shown = ", ".join(f"{r:.2f}x" for r in ratios)
    return f"REGRESSION: srcxform over its {w.max_ratio:g}x bound in every measurement ({shown})"


def run(selected: list[Workload], quick: bool, guard: bool = False, peers: bool = True) -> int:
    """Check, time and print every workload; the exit status (see the module docstring)."""
    repeats, budget = (3, 0.02) if quick else (7, 0.1)
    rng_seed = 0
    names = ["srcxform", "any batch"] + (["autograd", "torch"] if peers else [])
    header = ["workload", "hand"] + [f"{n}{suffix}" for n in names for suffix in ("", " ratio")]
    rows = []
    notes: list[str] = []
    status = 0
    for w in selected:
        args = w.make_args(np.random.default_rng(rng_seed), False)
        want = w.df_hand(*args)
        hand = Column("hand", fn=lambda w=w, args=args: w.df_hand(*args))
        others = [srcxform_column(w, args)]
        batch = batch_column(w, args)
        others.append(batch if batch is not None else Column("any batch", note="-"))
        if peers:
            others += [autograd_column(w, args), torch_column(w, args)]
        for col in others:
            if col.fn is not None and not same_gradient(as_numpy(col.fn()), want, w.wrt):
                col.note = "MISMATCH with the hand gradient"
                col.fn = None
                status = MISMATCH_EXIT
        measure([hand, *others], repeats, budget)
        best = min(hand.times)
        row = [w.name, show_time(best)]
        for col in others:
            if col.times:
                t = min(col.times)
                row += [show_time(t), f"{t / best:.2f}x"]
            else:
                row += [col.note.split(":")[0].split(" ")[0], ""]  # unsupported, fails, ...
                if col.note != "-":
                    notes.append(f"{w.name}: {col.name} {col.note}")
        rows.append(row)
        print_row(row, header, first=len(rows) == 1)
        if guard:
            problem = _guard(w, hand, others[0]) if others[0].times else \
                "REGRESSION: no srcxform gradient to time"
            if problem:
                notes.append(f"{w.name}: {problem}")
                status = status or GUARD_EXIT
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"  {note}")
    return status


def print_row(row: list[str], header: list[str], first: bool) -> None:
    widths = [max(16, len(header[0]))] + [max(11, len(h)) for h in header[1:]]
    if first:
        print("  ".join(h.ljust(n) if i == 0 else h.rjust(n)
                        for i, (h, n) in enumerate(zip(header, widths))))
        print("  ".join("-" * n for n in widths))
    print("  ".join(c.ljust(n) if i == 0 else c.rjust(n)
                    for i, (c, n) in enumerate(zip(row, widths))), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    parser.add_argument("--only", metavar="NAME", help="comma-separated workload names")
    parser.add_argument("--guard", action="store_true",
                        help="exit 4 if srcxform is slower than a workload's max_ratio")
    parser.add_argument("--no-peers", action="store_true",
                        help="time the hand and srcxform gradients only")
    section = parser.add_mutually_exclusive_group()
    section.add_argument("--memory", action="store_true",
                         help="the peak-memory table instead (benchmarks/memory.py)")
    section.add_argument("--transform-time", action="store_true",
                         help="the build-time table instead (benchmarks/transform_time.py)")
    memory.add_options(parser)
    transform_time.add_options(parser)
    opts = parser.parse_args(argv)
    if opts.memory:
        return memory.table(opts.quick, opts.only, opts.checkpoint, parser.error)
    if opts.transform_time:
        return transform_time.table(opts.quick, opts.only, opts.repeats, opts.budget,
                                    opts.cold, parser.error, opts.wall, opts.disk)
    selected = WORKLOADS
    if opts.only:
        wanted = opts.only.split(",")
        unknown = sorted(set(wanted) - {w.name for w in WORKLOADS})
        if unknown:
            parser.error(f"unknown workload(s) {unknown}; known: {[w.name for w in WORKLOADS]}")
        selected = [w for w in WORKLOADS if w.name in wanted]
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"{'quick' if opts.quick else 'full'} run; times are per gradient call "
          f"(min of interleaved repeats), ratio = time / hand time\n")
    return run(selected, opts.quick, guard=opts.guard, peers=not opts.no_peers)


if __name__ == "__main__":
    sys.exit(main())
