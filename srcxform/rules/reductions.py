"""Rules of reductions: sum, mean, prod, max/min, var, std.

After import, each reduction has one rule covering ``axis`` (int, tuple or
None) and ``keepdims``.  The gradient is first given the kept dimensions back
(``np.expand_dims``) and then broadcast to the input's shape; with ``axis``
and ``keepdims`` constant at the call site the compiler folds the branch away.

``sum_rows`` and ``sum_columns`` are ``np.sum`` along axis 1 and 0 of a
matrix as one matrix-vector product (``compiler/fastsums.py`` writes them),
with the rule of such a sum.

``prod``'s gradient is the product of the other elements
(:func:`prod_of_others`, exact where elements are zero), which has its own
rule and tangent, so second derivatives of products are exact too.  ``std``
of a constant (one element along the axis, or all equal) has the zero
subgradient, not NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .complexes import real_valued
from .registry import register, register_tangents


def _groups(x, axis):
    """``x`` with the reduced axes moved last and flattened into one: ``(lead..., n)``."""
    x = np.asarray(x)
    axes = tuple(range(x.ndim)) if axis is None else tuple(np.ravel(axis) % max(x.ndim, 1))
    last = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, last)
    lead = moved.shape[:x.ndim - len(axes)]
    return np.reshape(moved, lead + (math.prod(moved.shape[len(lead):]),)), moved.shape, axes, last


def prod_of_others(x, axis=None):
    """For each element of ``x``, the product of the other elements it is reduced with
    by ``np.prod(x, axis)`` (the derivative of the product; exact where elements are 0)."""
    flat, shape, axes, last = _groups(x, axis)
    if flat.shape[-1] == 0:
        return np.zeros(np.shape(x), np.result_type(x, 1.0))
    ones = np.ones(flat.shape[:-1] + (1,), flat.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], -1), -1)[..., ::-1]
    return np.moveaxis(np.reshape(before * after, shape), last, axes)


def others_pairs(x, v, axis=None):
    """``sum_j v_j prod(x_k, k not i or j)`` for each element ``i`` of ``x`` (within its
    reduction by ``np.prod(x, axis)``): the derivative of :func:`prod_of_others` along
    ``v``, which is also its transpose (the matrix of pair products is symmetric)."""
    flat, shape, axes, last = _groups(x, axis)
    vflat = _groups(np.broadcast_to(v, np.shape(x)), axis)[0]
    n = flat.shape[-1]
    rows = np.broadcast_to(flat[..., None, :], flat.shape[:-1] + (n, n)).copy()
    eye = np.eye(n, dtype=bool)
    rows[..., eye] = 1  # row i is x with x_i replaced by 1
    pairs = np.where(eye, 0, prod_of_others(rows, -1))
    return np.moveaxis(np.reshape(np.sum(pairs * vflat[..., None, :], -1), shape), last, axes)


@register(prod_of_others, backward_name="ProdBackward0")
def prod_of_others_(g, out, x, axis=None):
    return (others_pairs(x, g, axis),)


def _prod_of_others_tangent(t, out, x, axis=None):
    return others_pairs(x, t, axis)


register_tangents(prod_of_others_, _prod_of_others_tangent)


@register(np.sum, methods=("sum",), backward_name="SumBackward0", linear=True)
def sum_(g, out, x, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return (np.broadcast_to(g, np.shape(x)),)


#: The longest rows :func:`sum_rows` sums by a dot product (NumPy sums longer ones pairwise,
#: more accurately, at no cost per row worth saving).
SUM_ROWS_MAX = 128
#: Per dtype BLAS multiplies (native byte order), its cached vectors of ones by length.
_ONES: dict[np.dtype, dict[int, np.ndarray]] = {
    np.dtype(t): {} for t in (np.float32, np.float64, np.complex64, np.complex128)}
_ONES_KEPT = 64  # vectors cached at most per dtype


def _ones(cache: dict[int, np.ndarray], dtype: np.dtype, n: int) -> np.ndarray:
    """A read-only vector of ``n`` ones of ``dtype`` (kept in ``cache``)."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    if len(cache) < _ONES_KEPT:
        cache[n] = ones
    return ones


def sum_rows(a: Any, keepdims: bool = False) -> Any:
    """``np.sum(a, axis=1, keepdims=keepdims)``, as ``a.dot(ones)`` for a matrix (an
    ``ndarray`` of rank 2, float32/64 or complex64/128 of native byte order, rows of at
    most :data:`SUM_ROWS_MAX`): one BLAS product instead of NumPy's reduction, which
    pays per row (``compiler/fastsums.py``).  Equal up to rounding; anything else is
    ``np.sum`` itself."""
    if type(a) is np.ndarray and a.ndim == 2:
        cache = _ONES.get(a.dtype)
        n = a.shape[1]
        if cache is not None and n <= SUM_ROWS_MAX:
            ones = cache.get(n)
            total = a.dot(ones if ones is not None else _ones(cache, a.dtype, n))
            return total[:, None] if keepdims else total
    return np.sum(a, axis=1, keepdims=keepdims)


def sum_columns(a: Any, keepdims: bool = False) -> Any:
    """``np.sum(a, axis=0, keepdims=keepdims)``, as ``ones.dot(a)`` for a matrix (as
    :func:`sum_rows`, rows of any length)."""
    if type(a) is np.ndarray and a.ndim == 2:
        cache = _ONES.get(a.dtype)
        if cache is not None:
            n = a.shape[0]
            ones = cache.get(n)
            total = (ones if ones is not None else _ones(cache, a.dtype, n)).dot(a)
            return total[None] if keepdims else total
    return np.sum(a, axis=0, keepdims=keepdims)


@register(sum_rows, backward_name="SumBackward1", linear=True)
def sum_rows_(g, out, x, keepdims=False):
    return (np.broadcast_to(g if keepdims else np.expand_dims(g, 1), np.shape(x)),)


@register(sum_columns, backward_name="SumBackward1", linear=True)
def sum_columns_(g, out, x, keepdims=False):
    return (np.broadcast_to(g if keepdims else np.expand_dims(g, 0), np.shape(x)),)


@register(np.mean, methods=("mean",), backward_name="MeanBackward0", linear=True)
def mean(g, out, x, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    # (the share of each element; an empty x has no elements to share: no division by 0)
    return (np.broadcast_to(g * (np.size(out) / max(np.size(x), 1)), np.shape(x)),)


@register(np.prod, methods=("prod",), backward_name="ProdBackward0")
def prod(g, out, x, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return (g * prod_of_others(x, axis),)


@register(np.max, np.amax, methods=("max",), backward_name="MaxBackward1")
def max_(g, out, x, axis=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    mask = x == out
    return (mask * (g / np.sum(mask, axis=axis, keepdims=True, dtype=np.result_type(out))),)


@register(np.min, np.amin, methods=("min",), backward_name="MinBackward1")
def min_(g, out, x, axis=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    mask = x == out
    return (mask * (g / np.sum(mask, axis=axis, keepdims=True, dtype=np.result_type(out))),)


@register(np.var, methods=("var",), backward_name="VarBackward0")
def var(g, out, x, axis=None, dtype=None, ddof=0, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    centered = real_valued(x, "var") - np.mean(x, axis=axis, keepdims=True)
    return (g * 2 * centered / (np.size(x) / np.size(out) - ddof),)


@register(np.std, methods=("std",), backward_name="StdBackward0")
def std(g, out, x, axis=None, dtype=None, ddof=0, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    centered = real_valued(x, "std") - np.mean(x, axis=axis, keepdims=True)
    # where std is 0 (a constant) every centered value is 0: the subgradient 0, not 0 / 0
    return (g * centered / ((np.size(x) / np.size(out) - ddof) * np.where(out == 0, 1, out)),)
