"""Helpers shared by the benchmark scripts.

After import: :func:`best_per_call` times a call as the least of repeated
windows (``timeit``), :func:`interleaved_best` times several calls in turn,
:func:`same_gradient` compares a gradient with the hand-written
one (structure and values), :func:`first_line` shortens an exception for a
table's notes, :func:`show_time` and :func:`show_bytes` format a measurement,
and :func:`fresh_function` copies a function into a new object with the same
code, so caches keyed on the function's identity start cold.
"""

from __future__ import annotations

import timeit
import types
from collections.abc import Callable
from typing import Any

import numpy as np


def best_per_call(fn: Callable[[], Any], number: int, repeats: int) -> float:
    """Seconds per call of ``fn``: the least of ``repeats`` windows of ``number`` calls (on a
    shared machine the minimum is a window no other process interrupted)."""
    return min(timeit.repeat(fn, number=number, repeat=repeats)) / number


def interleaved_best(cols: dict[str, Callable[[], Any]], rounds: int, repeats: int,
                     scale: str) -> dict[str, float]:
    """Seconds per call of each of ``cols``: :func:`best_per_call` of each in turn,
    ``rounds`` times, the least kept (a window of about 0.5 ms of calls of ``cols[scale]``;
    taking the columns in turn puts each in the same minutes as the others)."""
    number = max(1, int(5e-4 / max(timeit.timeit(cols[scale], number=1), 1e-7)))
    times = {k: float("inf") for k in cols}
    for _ in range(rounds):
        for k, fn in cols.items():
            times[k] = min(times[k], best_per_call(fn, number, repeats))
    return times


def first_line(err: BaseException) -> str:
    """``"TypeName: first line of the message"``."""
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".strip()


def same_gradient(got: Any, want: Any, wrt: Any) -> bool:
    """True when ``got`` has ``want``'s structure and values (allclose)."""
    if isinstance(wrt, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return False
        pairs = list(zip(got, want))
    else:
        pairs = [(got, want)]
    for g, w in pairs:
        g = np.asarray(g, dtype=np.float64)
        if g.shape != np.shape(w):
            return False
        scale = max(1.0, float(np.max(np.abs(w), initial=0.0)))
        if not np.allclose(g, w, rtol=1e-6, atol=1e-9 * scale):
            return False
    return True


def show_time(seconds: float) -> str:
    """Three significant digits in s, ms, us or ns (the largest unit that reads >= 1)."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        value = float(f"{seconds / scale:.3g}")  # 999.7 us rounds to 1 ms
        if value >= 1.0:
            return f"{value:g} {unit}"
    return f"{float(f'{seconds * 1e9:.3g}'):g} ns"


def show_bytes(n: float) -> str:
    """Three significant digits in MB, kB or B (powers of 1000)."""
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def fresh_function(f: Callable[..., Any]) -> Callable[..., Any]:
    """A new function object running ``f``'s code in ``f``'s globals."""
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__,
                           f.__closure__)
    g.__qualname__ = f.__qualname__
    g.__module__ = f.__module__
    return g
