"""Rules of shape changes, joins and indexing, and the non-differentiable list.

After import: transpose/``.T``, reshape (function and method), squeeze,
expand_dims, ravel/flatten, concatenate, stack, ``np.array`` of a sequence,
copies and dtype casts, index reads (basic and advanced) have rules, and
``NONDIFF`` lists the functions whose gradient is zero.

A primitive whose argument is a sequence (``np.concatenate([a, b])``) returns
for it one gradient that is indexable by position: element ``i`` of the
sequence gets ``grad[i]``.
"""

from __future__ import annotations

import builtins
import math
import operator

import numpy as np

from .registry import nondifferentiable, register, unbroadcast


@register(np.transpose, backward_name="PermuteBackward0", linear=True)
def transpose(g, out, x, axes=None):
    if axes is None:
        return (np.transpose(g),)
    return (np.transpose(g, np.argsort(np.mod(axes, np.ndim(x)))),)


@register(attributes=("T",), backward_name="PermuteBackward0", linear=True)
def transpose_attribute(g, out, x):
    return (np.transpose(g),)


@register(methods=("transpose",), backward_name="PermuteBackward0", linear=True)
def transpose_method(g, out, x, *axes):
    if not axes:
        return (np.transpose(g),)
    return (np.transpose(g, np.argsort(np.mod(np.ravel(axes), np.ndim(x)))),)


@register(np.reshape, np.ravel, np.squeeze, np.expand_dims, np.atleast_1d, np.atleast_2d,
          methods=("reshape", "ravel", "flatten", "squeeze", "view"),
          backward_name="ViewBackward0", linear=True)
def reshape(g, out, x, *shape, **options):
    return (np.reshape(g, np.shape(x)),)


@register(np.copy, np.array, np.asarray, np.asanyarray, np.ascontiguousarray,
          methods=("copy", "astype"), backward_name="CloneBackward0", linear=True)
def copy(g, out, x, *options, **keywords):
    return (g,)


def split_points(arrays, axis=0):
    """Where ``np.concatenate(arrays, axis)``'s parts start (after the first)."""
    return np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]


@register(np.concatenate, backward_name="CatBackward0", linear=True)
def concatenate(g, out, arrays, axis=0):
    return (np.split(g, split_points(arrays, axis), axis),)


@register(np.stack, backward_name="StackBackward0", linear=True)
def stack(g, out, arrays, axis=0):
    return (np.moveaxis(g, axis, 0),)


@register(operator.getitem, backward_name="IndexBackward0", linear=True)
def getitem(g, out, x, index):
    gx = np.zeros_like(x)
    np.add.at(gx, index, g)
    return (gx,)


def _basic_getitem_key(x, index):  # pragma: no cover - a key object, never called
    raise TypeError


@register(_basic_getitem_key, backward_name="SliceBackward0", linear=True)
def getitem_basic(g, out, x, index):
    gx = np.zeros_like(x)
    gx[index] = g
    return (gx,)


#: The key of the rule used for index reads whose index has only integers,
#: slices, ``None`` and ``...`` (no element is read twice).
BASIC_GETITEM = _basic_getitem_key


def is_basic_index(index) -> bool:
    """True when ``x[index]`` reads every element at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        p is None or p is Ellipsis
        or isinstance(p, (slice, int, np.integer)) and not isinstance(p, bool)
        for p in parts
    )


nondifferentiable(
    np.shape, np.ndim, np.size, len, np.sign, np.floor, np.ceil, np.round, np.rint,
    np.trunc, np.fix, np.argmax, np.argmin, np.argsort, np.zeros_like, np.ones_like,
    np.empty_like, np.zeros, np.ones, np.empty, np.arange, np.linspace, np.eye,
    np.identity, np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
    np.not_equal, np.isnan, np.isinf, np.isfinite, np.logical_and, np.logical_or,
    np.logical_not, np.logical_xor, np.floor_divide, np.count_nonzero, np.allclose,
    np.isclose, np.array_equal, np.searchsorted, np.digitize, np.heaviside,
    np.nonzero, np.any, np.all, np.broadcast_shapes, np.result_type, split_points,
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
    int, bool, builtins.round, range, builtins.isinstance, builtins.type,
    builtins.enumerate, builtins.zip,
)


@register(unbroadcast, linear=True)
def unbroadcast_(g, out, grad, like):
    """``unbroadcast`` (in generated gradient code) sums ``grad`` over broadcast axes."""
    return (np.broadcast_to(g, np.shape(grad)),)
