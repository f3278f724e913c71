"""Lazy results brought back computed: the option for Dask users.

After import, ``computed(fn)`` is a function with ``fn``'s signature that
calls ``fn`` and returns its result with every lazy Dask array in it (also
inside tuples, lists and dicts: a ``value_and_grad`` pair, a tuple of
gradients) computed by one ``dask.compute`` call, so work shared between
them (the forward pass of a value and its gradient) runs once; the
scheduler is Dask's current one (a ``dask.distributed`` client's when one is
active).  Results without Dask arrays are returned as they are.
"""

from __future__ import annotations

import functools
from typing import Any, Callable


def _has_dask(value: Any) -> bool:
    if isinstance(value, (tuple, list)):
        return any(_has_dask(v) for v in value)
    if isinstance(value, dict):
        return any(_has_dask(v) for v in value.values())
    return type(value).__module__.startswith("dask.")


def computed(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` whose Dask results come back computed (NumPy), in one ``dask.compute``."""
    if not callable(fn):
        raise TypeError(f"computed expects a function, got {type(fn).__name__}")

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        if not _has_dask(out):
            return out
        import dask

        (result,) = dask.compute(out)
        return result

    return run
