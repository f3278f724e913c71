"""Rules of products and norms: matmul (``@``), dot, outer, inner, vdot, cross,
kron, tensordot, einsum, multi_dot, swapaxes and linalg.norm of every ``ord``.

After import, each product has one rule whose branches are chosen by the
operands' ranks (``np.ndim``).  When the compiler knows the ranks it folds the
branches, so a 2-D by 1-D product reads ``np.outer(g, b)`` / ``g @ a``.
Products are linear in each operand, so their tangents are the products
themselves.  ``np.einsum`` (any subscripts: implicit or explicit output,
ellipses, repeated indices, any number of operands) is differentiated by
einsums of the cotangent with the other operands; its rule returns one
gradient per operand and is called, not inlined, in generated code.  The
interleaved form ``np.einsum(a, [0, 1], b, [1, 2])`` reaches the rule as a
subscripts string when its sublists are constants (``compiler/einsum_forms.py``);
with sublists known only at run time, the rule reads them, and the first operand
(in the ``subscripts`` slot) is not differentiated (refused at transform time).
"""

from __future__ import annotations

import math

import numpy as np

from .einsum_spec import einsum_gradient_spec, interleaved
from .registry import nondifferentiable, register, register_tangents, unbroadcast


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


@register(np.vdot, backward_name="VdotBackward0", linear=True)
def vdot(g, out, a, b):
    return np.reshape(g * np.ravel(b), np.shape(a)), np.reshape(g * np.ravel(a), np.shape(b))


@register(np.cross, backward_name="LinalgCrossBackward0", linear=True)
def cross(g, out, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa, axisb, axisc = axis, axis, axis
    if np.shape(a)[axisa] != 3 or np.shape(b)[axisb] != 3:
        raise NotImplementedError("gradient of np.cross of 2-element vectors (deprecated in "
                                  "NumPy 2): use 3-element vectors")
    # <g, a x b> = <a, b x g> = <b, g x a>
    return (unbroadcast(np.cross(b, g, axisb, axisc, axisa), a),
            unbroadcast(np.cross(g, a, axisc, axisa, axisb), b))


def kron_axes(ndim_a, ndim_b):
    """For ``np.kron``: each operand's shape padded to the common rank, and the
    axes of the cotangent split as (a0, b0, a1, b1, ...) that belong to each."""
    nd = max(ndim_a, ndim_b)
    return nd, list(range(0, 2 * nd, 2)), list(range(1, 2 * nd, 2))


@register(np.kron, backward_name="KronBackward0", linear=True)
def kron(g, out, a, b):
    nd, a_axes, b_axes = kron_axes(np.ndim(a), np.ndim(b))
    sa = (1,) * (nd - np.ndim(a)) + np.shape(a)
    sb = (1,) * (nd - np.ndim(b)) + np.shape(b)
    split = np.reshape(g, tuple(np.ravel(np.column_stack((sa, sb)))))
    return (np.reshape(np.tensordot(split, np.reshape(b, sb), (b_axes, list(range(nd)))),
                       np.shape(a)),
            np.reshape(np.tensordot(split, np.reshape(a, sa), (a_axes, list(range(nd)))),
                       np.shape(b)))


def tensordot_axes(ndim_a, ndim_b, axes):
    """For ``np.tensordot(a, b, axes)``: the cotangent's axes that belong to b's free
    axes and to a's, b's free axes and a's, and the permutations that put each
    operand's gradient back in its own axis order."""
    if isinstance(axes, (int, np.integer)):
        sum_a, sum_b = list(range(ndim_a - axes, ndim_a)), list(range(axes))
    else:
        sum_a, sum_b = (list(np.atleast_1d(ax)) for ax in axes)
    sum_a = [int(ax) % ndim_a for ax in sum_a]
    sum_b = [int(ax) % ndim_b for ax in sum_b]
    free_a = [ax for ax in range(ndim_a) if ax not in sum_a]
    free_b = [ax for ax in range(ndim_b) if ax not in sum_b]
    g_free_a = list(range(len(free_a)))
    g_free_b = list(range(len(free_a), len(free_a) + len(free_b)))
    # tensordot(g, b) has axes free_a + (b's summed axes in b's order) -> a's order
    order_a = free_a + [sum_a[sum_b.index(ax)] for ax in sorted(sum_b)]
    # tensordot(a, g) has axes (a's summed axes in a's order) + free_b -> b's order
    order_b = [sum_b[sum_a.index(ax)] for ax in sorted(sum_a)] + free_b
    return (g_free_b, free_b, free_a, g_free_a,
            tuple(np.argsort(order_a)), tuple(np.argsort(order_b)))


@register(np.tensordot, backward_name="TensordotBackward0", linear=True)
def tensordot(g, out, a, b, axes=2):
    gb_axes, b_free, a_free, ga_axes, perm_a, perm_b = tensordot_axes(np.ndim(a), np.ndim(b),
                                                                      axes)
    return (np.transpose(np.tensordot(g, b, (gb_axes, b_free)), perm_a),
            np.transpose(np.tensordot(a, g, (a_free, ga_axes)), perm_b))


@register(np.einsum, backward_name="EinsumBackward0", linear=True,
          no_derivative=("subscripts",),
          no_derivative_why="in the interleaved form (operand, sublist, ...), the first "
          "operand can be differentiated only when every sublist is a constant (a tuple or "
          "list of ints written in the function); else pass a subscripts string")
def einsum_vjp(g, out, subscripts, *operands, **options):
    if not isinstance(subscripts, str):  # interleaved, with sublists known only now
        spec, arrays = interleaved((subscripts, *operands))
        grads = einsum_vjp(g, out, spec, *arrays, **options)  # the first: not differentiated
        # operand j sits at call position 2 j; the sublists (and the output's) get none
        return (None,) + tuple(grads[1 + p // 2] if p % 2 == 0 and p // 2 < len(arrays)
                               else None for p in range(1, 1 + len(operands)))
    shapes = [np.shape(x) for x in operands]
    grads = [None]
    for k in range(len(operands)):
        spec, extras, summed = einsum_gradient_spec(subscripts, shapes, k, np.shape(g))
        others = [x for i, x in enumerate(operands) if i != k]
        dtype = np.result_type(g, *operands)
        extra = [np.eye(n, dtype=dtype) if kind == "eye" else np.ones(n, dtype=dtype)
                 for kind, n in extras]
        grad = np.einsum(spec, g, *others, *extra)
        if summed:  # the operand was broadcast along these axes
            grad = np.sum(grad, axis=summed, keepdims=True)
        grads.append(grad)
    return tuple(grads)


@register(np.linalg.multi_dot, backward_name="MultiDotBackward0")
def multi_dot(g, out, arrays):
    mats = [np.reshape(x, (1, -1)) if i == 0 and np.ndim(x) == 1 else
            np.reshape(x, (-1, 1)) if np.ndim(x) == 1 else x for i, x in enumerate(arrays)]
    g2 = np.reshape(g, (np.shape(mats[0])[0], np.shape(mats[-1])[-1]))
    left = [np.eye(np.shape(mats[0])[0], dtype=g2.dtype)]
    for m in mats[:-1]:
        left.append(left[-1] @ m)
    right = [np.eye(np.shape(mats[-1])[-1], dtype=g2.dtype)]
    for m in mats[:0:-1]:
        right.insert(0, m @ right[0])
    grads = []
    for i, x in enumerate(arrays):  # d/dM_i <G, L_i M_i R_i> = L_i^T G R_i^T
        grads.append(np.reshape(left[i].T @ g2 @ right[i].T, np.shape(x)))
    return (grads,)


def multi_dot_tangent(t, out, arrays):
    total = np.zeros_like(out)
    for i in range(len(arrays)):
        total = total + np.linalg.multi_dot([*arrays[:i], t[i], *arrays[i + 1:]])
    return total


register_tangents(multi_dot, multi_dot_tangent)
nondifferentiable(kron_axes, tensordot_axes, einsum_gradient_spec, interleaved)


# --- norms ---------------------------------------------------------------------------

INF = math.inf  # a number: an ``ord`` compared with it folds at compile time


@register(np.linalg.norm, backward_name="LinalgVectorNormBackward0")
def norm(g, out, x, ord=None, axis=None, keepdims=False):
    matrix = np.ndim(x) == 2 and ord is not None if axis is None else np.size(axis) == 2
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
        out = np.expand_dims(out, axis)
    if ord is None or ord == "fro" or ord == 2 and not matrix:
        return (g * x / np.where(out == 0, 1, out),)
    if matrix and (ord == "nuc" or ord == 2 or ord == -2):  # singular values
        xm = x if axis is None else np.moveaxis(x, axis, (-2, -1))
        u, s, vh = np.linalg.svd(xm, full_matrices=False)
        if ord == 2:
            d = u[..., :, :1] @ vh[..., :1, :]
        elif ord == -2:
            d = u[..., :, -1:] @ vh[..., -1:, :]
        else:
            d = u @ vh
        return (g * (d if axis is None else np.moveaxis(d, (-2, -1), axis)),)
    if matrix:  # ord 1, -1: the largest (smallest) column sum; inf, -inf: row sum
        rows, cols = (-2, -1) if axis is None else axis
        if ord == INF or ord == -INF:
            rows, cols = cols, rows
        sums = np.sum(np.abs(x), axis=rows, keepdims=True)
        if ord > 0:
            mask = sums == np.max(sums, axis=cols, keepdims=True)
        else:
            mask = sums == np.min(sums, axis=cols, keepdims=True)
        count = np.sum(mask, axis=cols, keepdims=True, dtype=x.dtype)
        return (g * np.sign(x) * mask / count,)
    if ord == INF or ord == -INF:
        mask = np.abs(x) == out
        return (g * np.sign(x) * mask / np.sum(mask, axis=axis, keepdims=True, dtype=x.dtype),)
    if ord == 0:  # the number of nonzero elements
        return (np.zeros_like(x * g),)
    if ord == 1:
        return (g * np.sign(x),)
    return (g * np.sign(x) * (np.abs(x) / out) ** (ord - 1),)


def norm_tangent(t, out, x, ord=None, axis=None, keepdims=False):
    d = norm(np.ones_like(out), out, x, ord, axis, keepdims)[0]  # d norm / dx
    return np.sum(d * t, axis=axis, keepdims=keepdims)


register_tangents(norm, norm_tangent)
