"""Rules of reductions: sum, mean, prod, max/min, var, std.

After import, each reduction has one rule covering ``axis`` (int, tuple or
None) and ``keepdims``.  The gradient is first given the kept dimensions back
(``np.expand_dims``) and then broadcast to the input's shape; with ``axis``
and ``keepdims`` constant at the call site the compiler folds the branch away.
"""

from __future__ import annotations

import numpy as np

from .registry import register


@register(np.sum, methods=("sum",), backward_name="SumBackward0", linear=True)
def sum_(g, out, x, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return (np.broadcast_to(g, np.shape(x)),)


@register(np.mean, methods=("mean",), backward_name="MeanBackward0", linear=True)
def mean(g, out, x, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return (np.broadcast_to(g / (np.size(x) / np.size(out)), np.shape(x)),)


@register(np.prod, methods=("prod",), backward_name="ProdBackward0")
def prod(g, out, x, axis=None, dtype=None, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    return (g * out / x,)


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
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return (g * 2 * centered / (np.size(x) / np.size(out) - ddof),)


@register(np.std, methods=("std",), backward_name="StdBackward0")
def std(g, out, x, axis=None, dtype=None, ddof=0, keepdims=False):
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return (g * centered / ((np.size(x) / np.size(out) - ddof) * out),)
