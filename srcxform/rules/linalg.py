"""Rules of products and norms: matmul (``@``), dot, outer, inner, linalg.norm.

After import, each product has one rule whose branches are chosen by the
operands' ranks (``np.ndim``).  When the compiler knows the ranks it folds the
branches, so a 2-D by 1-D product reads ``np.outer(g, b)`` / ``g @ a``.
"""

from __future__ import annotations

import numpy as np

from .registry import register, unbroadcast


@register(np.matmul, backward_name="MmBackward0", linear=True)
def matmul(g, out, a, b):
    if np.ndim(a) == 2 and np.ndim(b) == 2:
        return g @ b.T, a.T @ g
    if np.ndim(a) == 2 and np.ndim(b) == 1:
        return np.outer(g, b), g @ a
    if np.ndim(a) == 1 and np.ndim(b) == 2:
        return b @ g, np.outer(a, g)
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return g * b, g * a
    if np.ndim(b) == 1:
        return np.expand_dims(g, -1) * b, np.ravel(g) @ np.reshape(a, (-1, np.shape(a)[-1]))
    if np.ndim(a) == 1:
        lead = tuple(range(np.ndim(b) - 2))
        return (np.sum(b * np.expand_dims(g, -2), axis=lead + (-1,)),
                np.expand_dims(a, -1) * np.expand_dims(g, -2))
    return (unbroadcast(g @ np.swapaxes(b, -1, -2), a),
            unbroadcast(np.swapaxes(a, -1, -2) @ g, b))


@register(np.dot, methods=("dot",), backward_name="DotBackward0", linear=True)
def dot(g, out, a, b):
    if np.ndim(a) == 2 and np.ndim(b) == 2:
        return g @ b.T, a.T @ g
    if np.ndim(a) == 2 and np.ndim(b) == 1:
        return np.outer(g, b), g @ a
    if np.ndim(a) == 1 and np.ndim(b) == 2:
        return b @ g, np.outer(a, g)
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return g * b, g * a
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a), unbroadcast(g * a, b)
    if np.ndim(b) == 1:  # N-d a: a's last axis meets b
        return np.expand_dims(g, -1) * b, np.tensordot(g, a, np.ndim(g))
    # a's last axis meets b's second to last; g's axes are a's others, then b's others
    lead = list(range(np.ndim(a) - 1))
    return (np.tensordot(g, b, (list(range(np.ndim(a) - 1, np.ndim(g))),
                                list(range(np.ndim(b) - 2)) + [np.ndim(b) - 1])),
            np.moveaxis(np.tensordot(a, g, (lead, lead)), 0, -2))


@register(np.outer, backward_name="OuterBackward0", linear=True)
def outer(g, out, a, b):
    return (np.reshape(g @ np.ravel(b), np.shape(a)),
            np.reshape(np.ravel(a) @ g, np.shape(b)))


@register(np.inner, backward_name="InnerBackward0", linear=True)
def inner(g, out, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a), unbroadcast(g * a, b)
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return g * b, g * a
    ka = list(range(np.ndim(a) - 1, np.ndim(g)))
    kb = list(range(np.ndim(a) - 1))
    return (np.tensordot(g, b, axes=(ka, list(range(np.ndim(b) - 1)))),
            np.tensordot(g, a, axes=(kb, kb)))


@register(np.linalg.norm, backward_name="LinalgVectorNormBackward0")
def norm(g, out, x, ord=None, axis=None, keepdims=False):
    if ord is not None and ord != 2 and ord != "fro":
        raise NotImplementedError("gradient of np.linalg.norm with ord other than None, 2, 'fro'")
    if ord == 2 and (axis is None and np.ndim(x) == 2 or np.size(axis) == 2):
        raise NotImplementedError("gradient of the matrix 2-norm (largest singular value)")
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    return (g * x / np.where(out == 0, 1, out),)
