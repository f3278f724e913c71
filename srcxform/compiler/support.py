"""Small run-time helpers that generated code may call (besides ``unbroadcast``).

After import, :func:`scalar_seed` is the one place that checks a function's
output is a scalar before its gradient is taken, and :func:`zeros_like_or_none`
zeroes the adjoint of a value that a branch not taken never assigned.  (The
helpers of list and tuple adjoints, with their table entries, are in
``rules/sequences.py``.)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def scalar_seed(value: Any) -> Any:
    """The cotangent 1 for a scalar ``value``; ``ValueError`` for anything else."""
    size = np.size(value)
    if size != 1:
        what = (f"a {type(value).__name__} of {len(value)} elements"
                if isinstance(value, (list, tuple)) else f"an output of shape {np.shape(value)}")
        raise ValueError(f"the function must return a scalar to take its gradient, got "
                         f"{what}; use sx.vjp for other outputs")
    if isinstance(value, np.ndarray):
        return np.ones_like(value)
    return 1.0


def zeros_like_or_none(value: Any) -> Any:
    """``np.zeros_like(value)``, or ``None`` for a value never assigned on this run."""
    return None if value is None else np.zeros_like(value)
