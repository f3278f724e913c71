"""Rules of diagonals and triangles: trace, diag, diagflat, diagonal, tril, triu.

After import, ``np.trace`` (any ``offset``, ``axis1``/``axis2``),
``np.diagonal`` and ``x.diagonal()`` (N-D, any offset and axes), ``np.diag``
in both directions (a vector into a matrix, a matrix's diagonal out),
``np.diagflat``, ``np.tril`` and ``np.triu`` (N-D: the last two axes) have
rules.  All are linear: the tangent is the same function of the tangent, and
the gradient puts the cotangent back where the elements came from (zero
elsewhere).
"""

from __future__ import annotations

import numpy as np

from .registry import register


@register(np.trace, methods=("trace",), backward_name="TraceBackward0", linear=True)
def trace(g, out, a, offset=0, axis1=0, axis2=1, dtype=None):
    eye = np.eye(np.shape(a)[axis1], np.shape(a)[axis2], offset, dtype=np.result_type(g))
    return (np.moveaxis(eye * np.expand_dims(g, (-2, -1)), (-2, -1), (axis1, axis2)),)


@register(np.diagonal, methods=("diagonal",), backward_name="DiagonalBackward0", linear=True)
def diagonal(g, out, a, offset=0, axis1=0, axis2=1):
    k = np.shape(out)[-1]
    ga = np.zeros(np.shape(out)[:-1] + (np.shape(a)[axis1], np.shape(a)[axis2]),
                  np.result_type(g))
    ga[..., np.arange(k) + max(-offset, 0), np.arange(k) + max(offset, 0)] = g
    return (np.moveaxis(ga, (-2, -1), (axis1, axis2)),)


@register(np.diag, backward_name="DiagBackward0", linear=True)
def diag(g, out, v, k=0):
    if np.ndim(v) == 1:  # the vector was put on diagonal k of a matrix
        return (np.diagonal(g, k),)
    gv = np.zeros(np.shape(v), np.result_type(g))
    gv[np.arange(np.size(out)) + max(-k, 0), np.arange(np.size(out)) + max(k, 0)] = g
    return (gv,)


@register(np.diagflat, backward_name="DiagBackward0", linear=True)
def diagflat(g, out, v, k=0):
    return (np.reshape(np.diagonal(g, k), np.shape(v)),)


@register(np.tril, backward_name="TrilBackward0", linear=True)
def tril(g, out, m, k=0):
    return (np.tril(g, k),)


@register(np.triu, backward_name="TriuBackward0", linear=True)
def triu(g, out, m, k=0):
    return (np.triu(g, k),)
