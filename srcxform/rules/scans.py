"""Rules of cumulative sums and products, and differences.

After import, ``np.cumsum``/``np.nancumsum``/``np.cumulative_sum`` (and
``x.cumsum()``), ``np.cumprod`` (and ``x.cumprod()``), ``np.diff`` and
``np.ediff1d`` have rules (``np.diff``'s ``prepend``/``append`` and
``ediff1d``'s ends are refused where the call is).  The
gradient of a cumulative sum is the reversed cumulative sum of the cotangent
(:func:`reverse_cumsum`, itself in the table, so generated code reads it by
name and second derivatives go through it).  A cumulative product's gradient
and tangent are exact where elements are zero: before the first zero of a
line the usual ``out / x`` form, at the first zero the product of the others,
after it nothing.  With ``axis=None`` the input is flattened, as NumPy does.
"""

from __future__ import annotations

import numpy as np

from .reductions import prod_of_others
from .registry import nondifferentiable, register, register_tangents


def reverse_cumsum(v, axis=-1):
    """``v[i] + v[i + 1] + ... + v[-1]`` along ``axis``: the transpose of ``np.cumsum``."""
    return np.flip(np.cumsum(np.flip(v, axis), axis), axis)


@register(reverse_cumsum, backward_name="CumsumBackward0", linear=True)
def reverse_cumsum_(g, out, v, axis=-1):
    return (np.cumsum(g, axis),)


@register(np.cumsum, methods=("cumsum",), backward_name="CumsumBackward0", linear=True)
def cumsum(g, out, a, axis=None, dtype=None):
    if axis is None:
        return (np.reshape(reverse_cumsum(g, 0), np.shape(a)),)
    return (reverse_cumsum(g, axis),)


@register(np.nancumsum, backward_name="NancumsumBackward0")
def nancumsum(g, out, a, axis=None, dtype=None):
    if axis is None:
        return (np.where(np.isnan(a), 0.0, np.reshape(reverse_cumsum(g, 0), np.shape(a))),)
    return (np.where(np.isnan(a), 0.0, reverse_cumsum(g, axis)),)


def _nancumsum_tangent(t, out, a, axis=None, dtype=None):
    return np.cumsum(np.where(np.isnan(a), 0.0, t), axis)


register_tangents(nancumsum, _nancumsum_tangent)


@register(np.cumulative_sum, backward_name="CumsumBackward0", linear=True)
def cumulative_sum(g, out, x, axis=None, dtype=None, include_initial=False):
    if include_initial:  # out[0] is 0: it depends on nothing
        g = np.delete(g, 0, 0 if axis is None else axis)
    return (reverse_cumsum(g, 0 if axis is None else axis),)


@register(np.cumprod, methods=("cumprod",), backward_name="CumprodBackward0")
def cumprod(g, out, a, axis=None, dtype=None):
    x = a if axis is not None else np.ravel(a)
    along = 0 if axis is None else axis
    if np.all(x != 0):  # x_j divides out of every product it is in
        return (np.reshape(reverse_cumsum(g * out, along) / x, np.shape(a)),)
    # with zeros: sum over the prefixes i >= j of g_i times the product of the others
    line = np.moveaxis(x, along, -1)
    upto = np.arange(np.shape(line)[-1])[:, None] >= np.arange(np.shape(line)[-1])
    others = prod_of_others(np.where(upto, line[..., None, :], 1.0), -1) * upto
    grad = np.sum(np.moveaxis(g, along, -1)[..., :, None] * others, -2)
    return (np.reshape(np.moveaxis(grad, -1, along), np.shape(a)),)


def _cumprod_tangent(t, out, a, axis=None, dtype=None):
    x = a if axis is not None else np.ravel(a)
    dx = t if axis is not None else np.ravel(t)
    along = 0 if axis is None else axis
    zero = x == 0
    before = np.cumsum(zero, along) == 0
    first = zero & (np.cumsum(zero, along) == 1)
    skipping = np.cumprod(np.where(first, 1, x), along)
    return np.where(before, out * np.cumsum(dx / np.where(before, x, 1), along),
                    np.sum(np.where(first, dx, 0), along, keepdims=True) * skipping)


register_tangents(cumprod, _cumprod_tangent)


def axis_padding(ndim, axis, n):
    """``np.pad``'s widths that put ``n`` zeros on each side of ``axis`` only."""
    return [(n, n) if i == axis % ndim else (0, 0) for i in range(ndim)]


nondifferentiable(axis_padding)


@register(np.diff, backward_name="DiffBackward0", linear=True)
def diff(g, out, a, n=1, axis=-1):
    # the transpose of one difference is minus the difference of g padded with a zero on
    # each side; of n differences, (-1)**n times n differences of g padded with n zeros
    return ((-1) ** n * np.diff(np.pad(g, axis_padding(np.ndim(g), axis, n)), n, axis),)


@register(np.ediff1d, backward_name="DiffBackward0", linear=True)
def ediff1d(g, out, ary):
    return (np.reshape(-np.diff(np.pad(g, 1)), np.shape(ary)),)
