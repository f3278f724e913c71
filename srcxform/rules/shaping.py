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
import numbers
import operator

import numpy as np

from .complexes import real_valued
from .registry import nondifferentiable, register, register_tangents, unbroadcast


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


@register(np.reshape, backward_name="ViewBackward0", linear=True)
def reshape(g, out, a, shape=None, order="C", **keywords):
    if order == "C":
        return (np.reshape(g, np.shape(a)),)
    if order == "A":  # the memory layout of `a` decides: not supported
        raise NotImplementedError("gradient of a reshape in order 'A'")
    return (np.reshape(g, np.shape(a), order=order),)  # read back in the same order


@register(methods=("reshape",), backward_name="ViewBackward0", linear=True)
def reshape_(g, out, x, *shape, order="C"):
    if order == "C":
        return (np.reshape(g, np.shape(x)),)
    if order == "A":
        raise NotImplementedError("gradient of a reshape in order 'A'")
    return (np.reshape(g, np.shape(x), order=order),)


@register(np.ravel, methods=("ravel", "flatten"), backward_name="ViewBackward0", linear=True)
def ravel(g, out, x, order="C"):
    if order == "C":
        return (np.reshape(g, np.shape(x)),)
    if order in ("A", "K"):
        raise NotImplementedError(f"gradient of a ravel in order {order!r}")
    return (np.reshape(g, np.shape(x), order=order),)


@register(np.squeeze, np.expand_dims, np.atleast_1d, np.atleast_2d, np.atleast_3d,
          methods=("squeeze",), backward_name="ViewBackward0", linear=True)
def squeeze(g, out, x, *axis, **keywords):
    return (np.reshape(g, np.shape(x)),)


def copied(value):
    """A copy of an array returned as a gradient that would otherwise be the caller's own
    array (``compiler/unshare.py``); a number (Python's or NumPy's), which nobody can
    change, as it is."""
    if isinstance(value, numbers.Number):  # (NumPy registers its scalar types)
        return value
    return np.copy(value)


@register(np.copy, copied, methods=("copy",), backward_name="CloneBackward0", linear=True)
def copy(g, out, x, *options, **keywords):
    return (g,)


def cast_gradient(v, like, out):
    """The derivative of a cast whose result is ``out``, applied to ``v``, in ``like``'s shape.

    A cast to an integer or bool dtype is piecewise constant: zeros.  A cast of a
    complex value to a real dtype (dropping its imaginary part) is refused, as
    every non-holomorphic step is (``complexes.py``).  Otherwise ``v`` itself,
    reshaped (``np.array(x, ndmin=2)`` adds dimensions).
    """
    kind = np.result_type(out).kind
    if kind not in "fc":
        return np.zeros(np.shape(like))
    if kind == "f" and np.iscomplexobj(like):
        real_valued(like, "a cast of a complex value to a real dtype")
    return np.reshape(v, np.shape(like))


@register(np.array, np.asarray, np.asanyarray, np.ascontiguousarray, np.asfortranarray,
          np.astype, np.float64, np.float32, np.float16, np.longdouble, methods=("astype",),
          backward_name="ToCopyBackward0")
def cast(g, out, x, dtype=None, *options, ndmin=0, **keywords):
    return (cast_gradient(g, x, out),)  # (of a sequence x, element k gets element k)


def _cast_tangent(t, out, x, dtype=None, *options, ndmin=0, **keywords):
    d = cast_gradient(np.asarray(t), out, out)
    if isinstance(x, np.ndarray) and isinstance(out, np.ndarray) and np.shares_memory(out, x):
        return d  # np.asarray(x) is x: its tangent is x's tangent, written in place with it
    # a new array (np.array copies): a new tangent, which writes into x's tangent leave alone
    return d.copy() if isinstance(d, np.ndarray) and np.shares_memory(d, t) else d


register_tangents(cast, _cast_tangent)


@register(methods=("view",), backward_name="ViewBackward0")
def view(g, out, x, *dtype, **keywords):
    # an ndarray's view(dtype) reinterprets its bytes: only a view as a float type of the
    # same size keeps the values (other views have no derivative or change the shape)
    return (cast_gradient(g, x, out),)


def _view_tangent(t, out, x, *dtype, **keywords):
    return cast_gradient(t, out, out)


register_tangents(view, _view_tangent)


@register(cast_gradient, backward_name="ToCopyBackward0")
def cast_gradient_(g, out, v, like, out_):
    return (cast_gradient(g, v, out_),)


def _cast_gradient_tangent(t, out, v, like, out_):
    return cast_gradient(t, like, out_)


register_tangents(cast_gradient_, _cast_gradient_tangent, None, None)


def item_index(index, shape):
    """The element ``x.item(*index)`` reads, as an index tuple of ``x`` (``shape``)."""
    if not index:
        return (0,) * len(shape)  # a single element
    if len(index) == 1 and np.ndim(index[0]) == 0:
        return np.unravel_index(index[0] % math.prod(shape), shape)  # a flat position
    return tuple(index[0] if len(index) == 1 else index)


@register(methods=("item",), backward_name="SelectBackward0", linear=True)
def item(g, out, x, *index):
    # x's floating dtype, or g's complex one (a real x read into a complex f)
    kind = np.result_type(x, g, 0.0) if np.iscomplexobj(g) else np.result_type(x, 0.0)
    gx = np.zeros(np.shape(x), kind)
    gx[item_index(index, np.shape(x))] = g
    return (gx,)


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
    np.empty_like, np.zeros, np.ones, np.empty, np.eye,
    np.identity, np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
    np.not_equal, np.isnan, np.isinf, np.isfinite, np.logical_and, np.logical_or,
    np.logical_not, np.logical_xor, np.floor_divide, np.count_nonzero, np.allclose,
    np.isclose, np.array_equal, np.searchsorted, np.digitize, np.heaviside,
    np.nonzero, np.any, np.all, np.broadcast_shapes, np.result_type, split_points,
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
    int, bool, builtins.round, range, builtins.isinstance, builtins.type,
    builtins.enumerate, builtins.zip, item_index,
    # piecewise constant, integer- or bool-valued ufuncs and functions
    np.around, np.signbit, np.spacing, np.gcd, np.lcm, np.bitwise_and, np.bitwise_or,
    np.bitwise_xor, np.invert, np.bitwise_count, np.left_shift, np.right_shift, np.isnat,
    np.isposinf, np.isneginf, np.isreal, np.iscomplex, np.isrealobj, np.iscomplexobj,
    np.isscalar, np.argpartition, np.lexsort, np.argwhere, np.flatnonzero, np.unravel_index,
    np.ravel_multi_index, np.indices, np.tri, np.tril_indices, np.triu_indices,
    np.tril_indices_from, np.triu_indices_from, np.diag_indices, np.diag_indices_from,
    np.array_equiv, np.shares_memory, np.may_share_memory, np.isin, np.can_cast,
    np.promote_types, np.issubdtype, np.isdtype, np.iterable,
    np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.intp, np.bool_, math.isclose, math.gcd, math.lcm, math.isqrt, math.factorial,
    math.comb, math.perm, math.ulp,
)


@register(unbroadcast, linear=True)
def unbroadcast_(g, out, grad, like):
    """``unbroadcast`` (in generated gradient code) sums ``grad`` over broadcast axes."""
    return (np.broadcast_to(g, np.shape(grad)),)
