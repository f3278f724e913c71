"""Rules of functions that move, repeat, pad, sort or pick elements.

After import: flips (``flip``, ``fliplr``, ``flipud``), ``rot90``, ``roll``,
axis moves (``moveaxis``, ``rollaxis``, ``swapaxes`` and ``x.swapaxes``,
``matrix_transpose`` and ``x.mT``), ``tile``, ``repeat`` (and
``x.repeat``), ``pad`` (modes constant, edge, reflect, symmetric, wrap),
``sort``/``partition`` (a subgradient: each element's cotangent goes back to
the element NumPy put there), ``take`` (and ``x.take``),
``take_along_axis``, ``compress`` (and ``x.compress``), ``choose``,
``select``, ``extract``, ``delete``, ``resize`` have rules.  All but the
sorts, ``pad``'s constant and the choosers are linear maps of one array; the
gradients scatter the cotangent back (:func:`scatter_add`, a functional
``np.add.at`` with a rule of its own, so second derivatives go through;
repeated picks add up) or undo the permutation (:func:`arrangement`).
"""

from __future__ import annotations

import numpy as np

from .registry import nondifferentiable, register, register_tangents, unbroadcast


@register(np.flip, backward_name="FlipBackward0", linear=True)
def flip(g, out, m, axis=None):
    return (np.flip(g, axis),)


@register(np.fliplr, backward_name="FlipBackward0", linear=True)
def fliplr(g, out, m):
    return (np.fliplr(g),)


@register(np.flipud, backward_name="FlipBackward0", linear=True)
def flipud(g, out, m):
    return (np.flipud(g),)


@register(np.rot90, backward_name="RotBackward0", linear=True)
def rot90(g, out, m, k=1, axes=(0, 1)):
    return (np.rot90(g, -k, axes),)


@register(np.roll, backward_name="RollBackward0", linear=True)
def roll(g, out, a, shift, axis=None):
    return (np.roll(g, np.negative(shift), axis),)


@register(np.moveaxis, backward_name="PermuteBackward0", linear=True)
def moveaxis(g, out, a, source, destination):
    return (np.moveaxis(g, destination, source),)


@register(np.rollaxis, backward_name="PermuteBackward0", linear=True)
def rollaxis(g, out, a, axis, start=0):
    # rollaxis(a, axis, start) is moveaxis(a, axis, start) when start <= axis, else start - 1
    axis = axis % np.ndim(a)
    start = start + np.ndim(a) if start < 0 else start
    return (np.moveaxis(g, start if start <= axis else start - 1, axis),)


@register(np.swapaxes, methods=("swapaxes",), backward_name="TransposeBackward0", linear=True)
def swapaxes(g, out, a, axis1, axis2):
    return (np.swapaxes(g, axis1, axis2),)


@register(np.matrix_transpose, attributes=("mT",), backward_name="TransposeBackward0",
          linear=True)
def matrix_transpose(g, out, x):
    return (np.matrix_transpose(g),)


def scatter_add(shape, index, values):
    """A new array of ``shape`` (zeros) with ``values`` added at ``index``: repeated
    positions add up (``np.add.at``).  The transpose of reading ``x[index]``."""
    out = np.zeros(shape, np.result_type(values, 0.0))
    np.add.at(out, index, values)
    return out


@register(scatter_add, backward_name="IndexPutBackward0")
def scatter_add_(g, out, shape, index, values):
    return (None, None, g[index])


def _scatter_add_tangent(t, out, shape, index, values):
    return scatter_add(shape, index, t)


register_tangents(scatter_add_, None, None, _scatter_add_tangent)


def tile_blocks(shape, reps):
    """The shape ``(reps_0, shape_0, reps_1, shape_1, ...)`` that ``np.tile(a, reps)``'s
    result (``a`` of ``shape``) reshapes to, both padded with leading ones."""
    reps = tuple(np.ravel(reps))
    n = max(len(shape), len(reps))
    reps = (1,) * (n - len(reps)) + reps
    shape = (1,) * (n - len(shape)) + tuple(shape)
    return [k for pair in zip(reps, shape) for k in pair]


nondifferentiable(tile_blocks)


@register(np.tile, backward_name="RepeatBackward0", linear=True)
def tile(g, out, A, reps):
    blocks = np.reshape(g, tile_blocks(np.shape(A), reps))
    return (np.reshape(np.sum(blocks, axis=tuple(range(0, np.ndim(blocks), 2))), np.shape(A)),)


@register(np.repeat, methods=("repeat",), backward_name="RepeatInterleaveBackward0",
          linear=True)
def repeat(g, out, a, repeats, axis=None):
    shape = (np.size(a),) if axis is None else np.shape(a)
    along = 0 if axis is None else axis % np.ndim(a)
    if np.ndim(repeats) == 0:  # every element `repeats` times: sum those copies
        copies = np.reshape(g, shape[:along + 1] + (repeats,) + shape[along + 1:])
        return (np.reshape(np.sum(copies, along + 1), np.shape(a)),)
    ga = scatter_add((shape[along],) + shape[:along] + shape[along + 1:],
                     np.repeat(np.arange(shape[along]), repeats), np.moveaxis(g, along, 0))
    return (np.reshape(np.moveaxis(ga, 0, along), np.shape(a)),)


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def unpad(g, array, pad_width, mode="constant"):
    """The transpose of ``np.pad(array, pad_width, mode)`` applied to ``g``: each padded
    element's cotangent added to the element it copies (dropped for a constant)."""
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"gradient of np.pad with mode={mode!r} "
                                  f"(supported: {', '.join(_PAD_MODES)})")
    widths = np.broadcast_to(pad_width, (np.ndim(array), 2))
    for axis, n in enumerate(np.shape(array)):
        # which element of `array` each position along `axis` holds (-1: the constant)
        source = np.pad(np.arange(n), widths[axis], mode, **(
            {"constant_values": -1} if mode == "constant" else {}))
        kept = source >= 0
        folded = np.zeros((n,) + np.shape(g)[:axis] + np.shape(g)[axis + 1:],
                          np.result_type(g))
        np.add.at(folded, source[kept], np.moveaxis(g, axis, 0)[kept])
        g = np.moveaxis(folded, 0, axis)
    return g


@register(unpad, backward_name="ConstantPadNdBackward0")
def unpad_(g, out, g_, array, pad_width, mode="constant"):
    return (np.pad(g, pad_width, mode),)  # unpad is the transpose of padding


def _unpad_tangent(t, out, g_, array, pad_width, mode="constant"):
    return unpad(t, array, pad_width, mode)


register_tangents(unpad_, _unpad_tangent, None)  # `array` lends its shape only


@register(np.pad, backward_name="ConstantPadNdBackward0")
def pad(g, out, array, pad_width, mode="constant", constant_values=0):
    # constant_values: a number, filling every padded position
    return (unpad(g, array, pad_width, mode), None,
            np.sum(g) - np.sum(unpad(g, array, pad_width, mode)))


def _pad_tangent(t, out, array, pad_width, mode="constant", constant_values=0):
    return np.pad(t, pad_width, mode)


def _pad_tangent_constant(t, out, array, pad_width, mode="constant", constant_values=0):
    return np.pad(np.zeros_like(array), pad_width, mode, constant_values=t)


register_tangents(pad, _pad_tangent, None, None, _pad_tangent_constant)


def arrangement(a, out, axis=-1):
    """Indices ``p`` along ``axis`` with ``np.take_along_axis(a, p, axis) == out`` for an
    ``out`` that permutes ``a`` along ``axis`` (a sort or partition; of ties, any)."""
    return np.take_along_axis(np.argsort(a, axis, kind="stable"),
                              np.argsort(np.argsort(out, axis, kind="stable"), axis), axis)


nondifferentiable(arrangement)


@register(np.sort, backward_name="SortBackward0")
def sort(g, out, a, axis=-1, kind=None, order=None, stable=None):
    x = np.ravel(a) if axis is None else a
    along = -1 if axis is None else axis
    return (np.reshape(np.take_along_axis(g, np.argsort(arrangement(x, out, along), along),
                                          along), np.shape(a)),)


def _sort_tangent(t, out, a, axis=-1, kind=None, order=None, stable=None):
    x = np.ravel(a) if axis is None else a
    along = -1 if axis is None else axis
    dx = np.ravel(t) if axis is None else t
    return np.take_along_axis(dx, arrangement(x, out, along), along)


register_tangents(sort, _sort_tangent)


@register(np.partition, backward_name="SortBackward0")
def partition(g, out, a, kth, axis=-1, kind="introselect", order=None):
    x = np.ravel(a) if axis is None else a
    along = -1 if axis is None else axis
    return (np.reshape(np.take_along_axis(g, np.argsort(arrangement(x, out, along), along),
                                          along), np.shape(a)), None)


def _partition_tangent(t, out, a, kth, axis=-1, kind="introselect", order=None):
    x = np.ravel(a) if axis is None else a
    along = -1 if axis is None else axis
    dx = np.ravel(t) if axis is None else t
    return np.take_along_axis(dx, arrangement(x, out, along), along)


register_tangents(partition, _partition_tangent, None)


@register(np.take, methods=("take",), backward_name="TakeBackward0", linear=True)
def take(g, out, a, indices, axis=None, mode="raise"):
    n = np.size(a) if axis is None else np.shape(a)[axis]
    picked = np.clip(indices, 0, n - 1) if mode == "clip" else (
        np.mod(indices, n) if mode == "wrap" else indices)
    ga = scatter_add(np.size(a) if axis is None else np.shape(a),
                     (slice(None),) * (0 if axis is None else axis % np.ndim(a)) + (picked,), g)
    return (np.reshape(ga, np.shape(a)), None)


def along_axis_index(indices, axis):
    """The index tuple that reads what ``np.take_along_axis(a, indices, axis)`` reads."""
    ndim = np.ndim(indices)
    axis = axis % ndim
    return tuple(indices if i == axis else np.reshape(np.arange(n), [-1 if j == i else 1
                                                                     for j in range(ndim)])
                 for i, n in enumerate(np.shape(indices)))


nondifferentiable(along_axis_index)


@register(np.take_along_axis, backward_name="GatherBackward0", linear=True)
def take_along_axis(g, out, arr, indices, axis=-1):
    ga = scatter_add(np.size(arr) if axis is None else np.shape(arr),
                     along_axis_index(indices, 0 if axis is None else axis), g)
    return (np.reshape(ga, np.shape(arr)), None)


@register(np.compress, backward_name="IndexBackward0", linear=True)
def compress(g, out, condition, a, axis=None):
    ga = np.zeros(np.size(a) if axis is None else np.shape(a), np.result_type(g))
    along = 0 if axis is None else axis % np.ndim(a)
    ga[(slice(None),) * along + (np.flatnonzero(condition),)] = g
    return (None, np.reshape(ga, np.shape(a)))


@register(methods=("compress",), backward_name="IndexBackward0", linear=True)
def compress_method(g, out, a, condition, axis=None):
    ga = np.zeros(np.size(a) if axis is None else np.shape(a), np.result_type(g))
    along = 0 if axis is None else axis % np.ndim(a)
    ga[(slice(None),) * along + (np.flatnonzero(condition),)] = g
    return (np.reshape(ga, np.shape(a)), None)


@register(np.extract, backward_name="IndexBackward0", linear=True)
def extract(g, out, condition, arr):
    ga = np.zeros(np.size(arr), np.result_type(g))
    ga[np.flatnonzero(condition)] = g
    return (None, np.reshape(ga, np.shape(arr)))


@register(np.delete, backward_name="IndexBackward0", linear=True)
def delete(g, out, arr, obj, axis=None):
    n = np.size(arr) if axis is None else np.shape(arr)[axis]
    ga = np.zeros(np.size(arr) if axis is None else np.shape(arr), np.result_type(g))
    along = 0 if axis is None else axis % np.ndim(arr)
    ga[(slice(None),) * along + (np.delete(np.arange(n), obj),)] = g
    return (np.reshape(ga, np.shape(arr)), None)


@register(np.resize, backward_name="ResizeBackward0", linear=True)
def resize(g, out, a, new_shape):
    n = np.size(a)
    cycles = np.pad(np.ravel(g), (0, -np.size(g) % max(n, 1)))  # whole passes over a
    return (np.reshape(np.sum(np.reshape(cycles, (-1, n)), 0), np.shape(a)) if n
            else np.zeros(np.shape(a)), None)


def chosen(g, picked, choices):
    """The gradient of each of ``np.choose``'s ``choices`` (or ``np.select``'s, with
    ``picked`` the index of the choice each element takes, -1 for the default): ``g``
    where it was picked, zero elsewhere, summed to the choice's shape."""
    return [unbroadcast(np.where(picked == k, g, 0.0), c) for k, c in enumerate(choices)]


def first_true(condlist, shape):
    """For each element of ``shape``, the index of the first condition that holds (-1: none)."""
    conds = np.stack([np.broadcast_to(c, shape) for c in condlist])
    return np.where(np.any(conds, 0), np.argmax(conds, 0), -1)


nondifferentiable(first_true)


@register(chosen, backward_name="ChooseBackward0", sequence_output=True)
def chosen_(g, out, g_, picked, choices):
    # each choice's gradient is g where it was picked: g is the sum of those (broadcast back)
    return (sum(np.where(picked == k, np.broadcast_to(gk, np.shape(g_)), 0.0)
                for k, gk in enumerate(g)),)


def _chosen_tangent(t, out, g_, picked, choices):
    return chosen(t, picked, choices)


register_tangents(chosen_, _chosen_tangent, None, None)  # `choices` lend their shapes


@register(np.choose, backward_name="ChooseBackward0")
def choose(g, out, a, choices, mode="raise"):
    n = len(choices)
    picked = np.clip(a, 0, n - 1) if mode == "clip" else (np.mod(a, n) if mode == "wrap" else a)
    return (None, chosen(g, picked, choices))


def _choose_tangent(t, out, a, choices, mode="raise"):
    n = len(choices)
    picked = np.clip(a, 0, n - 1) if mode == "clip" else (np.mod(a, n) if mode == "wrap" else a)
    return np.choose(picked, t)


register_tangents(choose, None, _choose_tangent)


@register(np.select, backward_name="SelectBackward0")
def select(g, out, condlist, choicelist, default=0):
    picked = first_true(condlist, np.shape(out))
    return (None, chosen(g, picked, choicelist), unbroadcast(np.where(picked < 0, g, 0.0), default))


def _select_tangent_choices(t, out, condlist, choicelist, default=0):
    return np.select(condlist, t, 0.0)


def _select_tangent_default(t, out, condlist, choicelist, default=0):
    return np.where(first_true(condlist, np.shape(out)) < 0, t, 0.0)


register_tangents(select, None, _select_tangent_choices, _select_tangent_default)
