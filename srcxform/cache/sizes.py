"""Batch sizes: which argument sizes a gradient's code is made generic in, and when.

A gradient is first compiled for the exact shapes of its first call (the
fastest code: every size a constant).  When a later call has new shapes and the
generic code would still ask about shapes (``driver.generic_asks_ranks``),
the sizes that changed are taken to be *dynamic*, as a batch size is: after
:func:`note_changes` they are in the entry's set of ``(parameter, axis)``
positions, and the next version is compiled for a *pattern* instead of exact
shapes (:func:`pattern_of_call`): each dynamic size of at least 2 becomes a
``compiler.shapes.Dim`` — sizes that are equal in the call share one ``Dim``,
as they may be equal in every call (the batch of ``X`` and of ``y``) — so one
compiled version serves every call whose sizes have that pattern.  The
compiler takes a ``Dim`` to be at least 2 and knows nothing else of it:
code made for a pattern is right for every size with that pattern, and the
pattern of a call where a dynamic size is 0 or 1, or equals another, is
another pattern (a version of its own).

Only NumPy array parameters get ``Dim`` s (the generated code may read a size
as ``X.shape[0]``), and only for plain positional calls of ``grad`` and
``value_and_grad``; anything else keeps exact shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compiler.shapes import REPRESENTATIVES, Dim

Position = tuple[str, int]  # (parameter name, axis)

#: For testing the compiler on patterns (the fuzzers' ``--patterns``): every size of an
#: array parameter is dynamic from the first call on.
EVERY_SIZE = False


def array_shapes(names: list[str], values: list[Any]) -> dict[str, tuple[int, ...]]:
    """The shapes of the parameters that are NumPy arrays."""
    return {n: v.shape for n, v in zip(names, values) if type(v) is np.ndarray}


def every_position(names: list[str], values: list[Any]) -> set[Position]:
    """Every ``(parameter, axis)`` of the array parameters (:data:`EVERY_SIZE`)."""
    return {(n, axis) for n, v in zip(names, values) if type(v) is np.ndarray
            for axis in range(v.ndim)}


def note_changes(dynamic: set[Position], before: dict[str, tuple[int, ...]],
                 names: list[str], values: list[Any]) -> bool:
    """Add to ``dynamic`` every position whose size differs between ``before`` (an earlier
    call's :func:`array_shapes`) and this call, for arrays of the same rank in both; True
    if some size is dynamic now."""
    now = array_shapes(names, values)
    for name, shape in now.items():
        old = before.get(name)
        if old is not None and len(old) == len(shape):
            dynamic.update((name, axis) for axis, (a, b) in enumerate(zip(old, shape))
                           if a != b)
    return bool(dynamic)


def pattern_of_call(dynamic: set[Position], names: list[str], values: list[Any],
                    shapes: dict[str, Any]) -> dict[str, Any] | None:
    """``shapes`` (the exact shapes a version would be compiled for) with each dynamic size
    of at least 2 of an array parameter made a ``Dim``, equal sizes one ``Dim``; None
    when no size is (the call is compiled for its exact shapes)."""
    dims: dict[int, Dim] = {}
    out = dict(shapes)
    for name, value in zip(names, values):
        if type(value) is not np.ndarray or name not in shapes:
            continue
        shape = list(value.shape)
        for axis, size in enumerate(shape):
            if (name, axis) in dynamic and size >= 2:
                if size not in dims:
                    if len(dims) == len(REPRESENTATIVES[0]):
                        return None  # more batch sizes than the compiler can tell apart
                    dims[size] = Dim(len(dims))
                shape[axis] = dims[size]
        out[name] = tuple(shape)
    return out if dims else None


def pattern_key(pattern: dict[str, Any], names: list[str]) -> tuple:
    """A hashable key of a pattern, in parameter order."""
    return tuple(pattern.get(n) for n in names)
