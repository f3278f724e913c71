"""Rules of joins and splits: the stacks, ``append``, ``np.r_``/``np.c_``, the splits.

After import, ``np.hstack``, ``np.vstack`` (``np.row_stack``), ``np.dstack``,
``np.column_stack``, ``np.append``, ``np.r_[...]`` and ``np.c_[...]`` have
rules that cut the cotangent back into the joined pieces (each in its own
shape: a 1-D piece of ``vstack`` was one row); ``np.split``,
``np.array_split``, ``np.hsplit``/``np.vsplit``/``np.dsplit`` and
``np.unstack`` return lists (``sequence_output``) and join their pieces'
cotangents back.  All are linear.
"""

from __future__ import annotations

import numpy as np

from .registry import nondifferentiable, register, register_tangents
from .shaping import split_points


def unjoin(g, arrays, axis, promote=np.asarray):
    """``g`` cut along ``axis`` as ``np.concatenate([promote(a) for a in arrays], axis)``
    joined it, each piece in the shape of the array it came from (a slice, a range in
    ``np.r_``, gets its piece as it is).  An ndarray ``arrays`` is joined row by row
    (``np.hstack(x)``): its pieces come back stacked; but a single item of ``np.r_`` or
    ``np.c_`` (``np.r_[x]``) is one piece."""
    if not isinstance(arrays, (list, tuple)) and promote in (as_row, as_column):
        return np.reshape(g, np.shape(arrays))
    parts = np.split(g, split_points([promote(a) for a in arrays], axis), axis)
    pieces = [p if isinstance(a, slice) else np.reshape(p, np.shape(a))
              for p, a in zip(parts, arrays)]
    return pieces if isinstance(arrays, (list, tuple)) else np.stack(pieces)


def rejoin(pieces, arrays, axis, promote=np.asarray):
    """The transpose of :func:`unjoin`: the pieces, promoted, joined along ``axis`` (zeros
    in the place of a slice, a constant range in ``np.r_``)."""
    if not isinstance(arrays, (list, tuple)) and promote in (as_row, as_column):
        return np.reshape(pieces, np.shape(promote(arrays)))
    return np.concatenate([np.zeros(np.shape(promote(a))) if isinstance(a, slice)
                           else np.reshape(p, np.shape(promote(a)))
                           for p, a in zip(pieces, arrays)], axis)


def as_row(item):
    """``item`` as ``np.r_`` joins it (a number or slice becomes 1-d)."""
    return np.r_[item]


def as_column(item):
    """``item`` as ``np.c_`` joins it (a 1-d array becomes a column)."""
    return np.c_[item]


def as_columns(a):
    """``a`` as ``np.column_stack`` joins it (a 1-d array becomes a column)."""
    return np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a


nondifferentiable(as_row, as_column, as_columns)


@register(unjoin, backward_name="SplitBackward0", sequence_output=True)
def unjoin_(g, out, g_, arrays, axis, promote=np.asarray):
    return (rejoin(g, arrays, axis, promote),)


@register(rejoin, backward_name="CatBackward0")
def rejoin_(g, out, pieces, arrays, axis, promote=np.asarray):
    return (unjoin(g, arrays, axis, promote),)


def _unjoin_tangent(t, out, g_, arrays, axis, promote=np.asarray):
    return unjoin(t, arrays, axis, promote)


def _rejoin_tangent(t, out, pieces, arrays, axis, promote=np.asarray):
    return rejoin(t, arrays, axis, promote)


# `arrays` only lends the pieces' shapes
register_tangents(unjoin_, _unjoin_tangent, None)
register_tangents(rejoin_, _rejoin_tangent, None)


@register(np.hstack, backward_name="CatBackward0", linear=True)
def hstack(g, out, tup, dtype=None, casting="same_kind"):
    return (unjoin(g, tup, 0 if np.ndim(out) == 1 else 1, np.atleast_1d),)


@register(np.vstack, np.row_stack, backward_name="CatBackward0", linear=True)
def vstack(g, out, tup, dtype=None, casting="same_kind"):
    return (unjoin(g, tup, 0, np.atleast_2d),)


@register(np.dstack, backward_name="CatBackward0", linear=True)
def dstack(g, out, tup):
    return (unjoin(g, tup, 2, np.atleast_3d),)


@register(np.column_stack, backward_name="CatBackward0", linear=True)
def column_stack(g, out, tup):
    return (unjoin(g, tup, 1, as_columns),)


@register(np.append, backward_name="CatBackward0", linear=True)
def append(g, out, arr, values, axis=None):
    if axis is None:  # both flattened
        return (np.reshape(g[:np.size(arr)], np.shape(arr)),
                np.reshape(g[np.size(arr):], np.shape(values)))
    parts = np.split(g, [np.shape(arr)[axis]], axis)
    return parts[0], parts[1]


def _append_tangent_arr(t, out, arr, values, axis=None):
    return np.append(t, np.zeros_like(values), axis)


def _append_tangent_values(t, out, arr, values, axis=None):
    return np.append(np.zeros_like(arr), t, axis)


# a join of two arguments is linear in both together, not in each: the other one's
# tangent is zero
register_tangents(append, _append_tangent_arr, _append_tangent_values)


@register(np.r_, backward_name="CatBackward0")
def r_(g, out, items):
    # np.r_[a, b, 1:4] joins 1-d views of its items along the first axis (a slice is a range)
    return (unjoin(g, items, 0, as_row),)


@register(np.c_, backward_name="CatBackward0")
def c_(g, out, items):
    # np.c_[a, b] joins its items along the last axis, 1-d items as columns
    return (unjoin(g, items, -1, as_column),)


def _r_tangent(t, out, items):
    return rejoin(t, items, 0, as_row)


def _c_tangent(t, out, items):
    return rejoin(t, items, -1, as_column)


# the items' tangents joined as the items were (a slice's tangent is ignored: it is a range)
register_tangents(r_, _r_tangent)
register_tangents(c_, _c_tangent)


@register(np.split, np.array_split, backward_name="SplitBackward0", linear=True,
          sequence_output=True)
def split(g, out, ary, indices_or_sections, axis=0):
    return (np.concatenate(g, axis), None)


@register(np.hsplit, backward_name="SplitBackward0", linear=True, sequence_output=True)
def hsplit(g, out, ary, indices_or_sections):
    return (np.concatenate(g, 1 if np.ndim(ary) > 1 else 0), None)


@register(np.vsplit, backward_name="SplitBackward0", linear=True, sequence_output=True)
def vsplit(g, out, ary, indices_or_sections):
    return (np.concatenate(g, 0), None)


@register(np.dsplit, backward_name="SplitBackward0", linear=True, sequence_output=True)
def dsplit(g, out, ary, indices_or_sections):
    return (np.concatenate(g, 2), None)


@register(np.unstack, backward_name="UnbindBackward0", linear=True)
def unstack(g, out, x, axis=0):
    # a tuple of equal pieces: its cotangent stacks into one array (np.zeros_like of it too)
    return (np.stack(g, axis),)
