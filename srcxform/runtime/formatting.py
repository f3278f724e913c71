"""The text of a tensor: ``repr``/``str`` as PyTorch prints them.

After import, :func:`tensor_repr` gives ``tensor([4., 6.])``,
``tensor(2.5000, requires_grad=True)``, ``tensor([1., 2.], grad_fn=<MulBackward0>)``
and so on: four decimals, or no decimals with a trailing dot when every value
is whole, scientific notation when magnitudes spread wide, elements padded to
one width, lines of at most 80 characters, and more than 1000 elements shown
as three at each edge around ``...``.  ``dtype=`` appears only for a dtype
other than the default float, int64 and bool.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import dtypes

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any


LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3
PRECISION = 4


def _summarized(a: np.ndarray) -> np.ndarray:
    """The edge items of every long dimension (what a summarized print shows)."""
    for axis, n in enumerate(a.shape):
        if n > 2 * EDGEITEMS:
            idx = list(range(EDGEITEMS)) + list(range(n - EDGEITEMS, n))
            a = np.take(a, idx, axis=axis)
    return a


def _float_formatter(values: np.ndarray) -> tuple[Callable[[float], str], int]:
    finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
    whole = bool(np.all(finite == np.ceil(finite)))
    sci = False
    if finite.size:
        big, small = float(np.abs(finite).max()), float(np.abs(finite).min())
        sci = big / small > 1000.0 or big > 1.0e8 or (not whole and small < 1.0e-4)
    if sci:
        def fmt(v: float) -> str:
            return f"{v:.{PRECISION}e}"
    elif whole:
        def fmt(v: float) -> str:
            return f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}"
    else:
        def fmt(v: float) -> str:
            return f"{v:.{PRECISION}f}"
    width = max((len(fmt(float(v))) for v in finite), default=1)
    return fmt, width


def _formatter(a: np.ndarray) -> tuple[Callable[[object], str], int]:
    if a.dtype.kind == "f":
        return _float_formatter(a.ravel())  # type: ignore[return-value]
    fmt = str
    width = max((len(str(v)) for v in a.ravel().tolist()), default=1)
    return fmt, width  # type: ignore[return-value]


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: Callable, width: int) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    n = a.shape[0]
    cut = summarize and n > 2 * EDGEITEMS
    if a.ndim == 1:
        items = [fmt(v).rjust(width) for v in a.tolist()]
        if cut:
            items = items[:EDGEITEMS] + [" ..."] + items[-EDGEITEMS:]
        per_line = max(1, (LINEWIDTH - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(EDGEITEMS) if cut else range(n)
    parts = [_body(a[i], indent + 1, summarize, fmt, width) for i in rows]
    if cut:
        parts += ["..."] + [_body(a[i], indent + 1, summarize, fmt, width)
                            for i in range(n - EDGEITEMS, n)]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def array_text(a: np.ndarray, indent: int) -> str:
    """The bracketed values of ``a`` as PyTorch lays them out after ``indent`` columns."""
    if a.size == 0:
        return "[]"
    summarize = a.size > THRESHOLD
    shown = _summarized(a) if summarize else a
    fmt, width = _formatter(shown)
    return _body(a, indent, summarize, fmt, width)


def _shows_dtype(a: np.ndarray) -> bool:
    return a.dtype not in (dtypes.default_numpy_dtype(), np.dtype(np.int64), np.dtype(np.bool_))


def tensor_repr(t: Tensor, prefix: str = "tensor(") -> str:
    """``repr(t)`` as PyTorch writes it."""
    a = t._value
    indent = len(prefix)
    suffixes = []
    if a.size == 0 and a.shape != (0,):
        suffixes.append(f"size={a.shape}")
    if _shows_dtype(a):
        suffixes.append(f"dtype={dtypes.of_array(a)!r}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + array_text(a, indent)
    last = len(text) - text.rfind("\n") - 1 if "\n" in text else len(text)
    for s in suffixes:
        if last + len(s) + 2 > LINEWIDTH:
            text += ",\n" + " " * indent + s
            last = indent + len(s)
        else:
            text += ", " + s
            last += len(s) + 2
    return text + ")"
