"""Dimension arguments as PyTorch takes them.

After import, :func:`check_dim` turns a ``dim`` argument (an int or a
sequence of ints, negative counting from the end) into a NumPy axis, or
raises PyTorch's ``IndexError`` for a dimension out of range.
"""

from __future__ import annotations

import builtins
from typing import Any

from . import messages


def check_dim(dim: Any, ndim: int) -> Any:
    """``dim`` (an int or a sequence) checked against ``ndim``, as a NumPy axis."""
    if isinstance(dim, (list, tuple)):
        return tuple(check_dim(d, ndim) for d in dim)
    d = int(dim)
    top = builtins.max(ndim, 1)
    if not -top <= d < top:
        raise IndexError(messages.dim_out_of_range(d, ndim))
    return d
