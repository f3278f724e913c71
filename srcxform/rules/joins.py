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

from .registry import register, register_tangents
from .shaping import split_points


@register(np.hstack, backward_name="CatBackward0", linear=True)
def hstack(g, out, tup, dtype=None, casting="same_kind"):
    axis = 0 if np.ndim(out) == 1 else 1
    parts = np.split(g, split_points([np.atleast_1d(a) for a in tup], axis), axis)
    return ([np.reshape(p, np.shape(a)) for p, a in zip(parts, tup)],)


@register(np.vstack, np.row_stack, backward_name="CatBackward0", linear=True)
def vstack(g, out, tup, dtype=None, casting="same_kind"):
    parts = np.split(g, split_points([np.atleast_2d(a) for a in tup], 0), 0)
    return ([np.reshape(p, np.shape(a)) for p, a in zip(parts, tup)],)


@register(np.dstack, backward_name="CatBackward0", linear=True)
def dstack(g, out, tup):
    parts = np.split(g, split_points([np.atleast_3d(a) for a in tup], 2), 2)
    return ([np.reshape(p, np.shape(a)) for p, a in zip(parts, tup)],)


@register(np.column_stack, backward_name="CatBackward0", linear=True)
def column_stack(g, out, tup):
    columns = [np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a for a in tup]
    parts = np.split(g, split_points(columns, 1), 1)
    return ([np.reshape(p, np.shape(a)) for p, a in zip(parts, tup)],)


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


@register(np.r_, backward_name="CatBackward0", linear=True)
def r_(g, out, items):
    # np.r_[a, b, 1:4] joins 1-d views of its items along the first axis (a slice is a range)
    if not isinstance(items, tuple):
        return (np.reshape(g, np.shape(items)),)
    parts = np.split(g, split_points([np.r_[i] for i in items], 0), 0)
    return ([p if isinstance(i, slice) else np.reshape(p, np.shape(i))
             for p, i in zip(parts, items)],)


def _r_tangent(t, out, items):
    if not isinstance(items, tuple):
        return np.r_[t]
    # a slice is a constant range: its tangent is zero
    return np.r_[tuple(np.zeros(np.shape(np.r_[i])) if isinstance(i, slice) else d
                       for d, i in zip(t, items))]


register_tangents(r_, _r_tangent)


@register(np.c_, backward_name="CatBackward0", linear=True)
def c_(g, out, items):
    # np.c_[a, b] joins its items along the last axis, 1-d items as columns
    if not isinstance(items, tuple):
        return (np.reshape(g, np.shape(items)),)
    parts = np.split(g, split_points([np.c_[i] for i in items], -1), -1)
    return ([p if isinstance(i, slice) else np.reshape(p, np.shape(i))
             for p, i in zip(parts, items)],)


def _c_tangent(t, out, items):
    if not isinstance(items, tuple):
        return np.c_[t]
    return np.c_[tuple(np.zeros(np.shape(np.c_[i])) if isinstance(i, slice) else d
                       for d, i in zip(t, items))]


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


@register(np.unstack, backward_name="UnbindBackward0", linear=True, sequence_output=True)
def unstack(g, out, x, axis=0):
    return (np.stack(g, axis),)
