"""Rules of array constructors whose values come from their arguments.

After import, ``np.linspace`` is differentiable in its endpoints ``start`` and
``stop`` (scalars or arrays, any ``axis``; an integer ``dtype`` gives zero),
and ``np.full``/``np.full_like`` in their ``fill_value``.  Constructors of
constants (``np.zeros``, ``np.ones``, ``np.eye``, ``np.arange`` ...) are on
the non-differentiable list in ``shaping.py``.
"""

from __future__ import annotations

import numpy as np

from .registry import nondifferentiable, register, register_tangents, unbroadcast
from .shaping import cast_gradient


def linspace_fractions(num, endpoint, out, axis):
    """How far along from ``start`` to ``stop`` each of the ``num`` points lies, shaped to
    broadcast against ``out`` (the points run along ``axis``)."""
    steps = np.arange(num) / max(num - 1 if endpoint else num, 1)
    return np.reshape(steps, [-1 if i == axis % np.ndim(out) else 1
                              for i in range(np.ndim(out))])


nondifferentiable(linspace_fractions)


@register(np.linspace, backward_name="LinspaceBackward0")
def linspace(g, out, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if retstep:
        raise NotImplementedError("gradient of np.linspace with retstep=True")
    if dtype is not None:
        g = cast_gradient(g, out, out)  # zero for an integer dtype
    frac = linspace_fractions(num, endpoint, out, axis)
    along = axis % np.ndim(out)
    return (unbroadcast(np.sum(g * (1 - frac), along), start),
            unbroadcast(np.sum(g * frac, along), stop))


def _linspace_tangent_start(t, out, start, stop, num=50, endpoint=True, retstep=False,
                            dtype=None, axis=0):
    frac = linspace_fractions(num, endpoint, out, axis)
    t = np.broadcast_to(t, np.broadcast_shapes(np.shape(start), np.shape(stop)))
    tangent = np.expand_dims(t, axis % np.ndim(out)) * (1 - frac)
    return np.broadcast_to(tangent if dtype is None else cast_gradient(tangent, out, out),
                           np.shape(out))


def _linspace_tangent_stop(t, out, start, stop, num=50, endpoint=True, retstep=False,
                           dtype=None, axis=0):
    frac = linspace_fractions(num, endpoint, out, axis)
    t = np.broadcast_to(t, np.broadcast_shapes(np.shape(start), np.shape(stop)))
    tangent = np.expand_dims(t, axis % np.ndim(out)) * frac
    return np.broadcast_to(tangent if dtype is None else cast_gradient(tangent, out, out),
                           np.shape(out))


register_tangents(linspace, _linspace_tangent_start, _linspace_tangent_stop)


@register(np.full, backward_name="FillBackward0")
def full(g, out, shape, fill_value, dtype=None, order="C"):
    if dtype is not None:
        g = cast_gradient(g, out, out)
    return (None, unbroadcast(g, fill_value))


@register(np.full_like, backward_name="FillBackward0")
def full_like(g, out, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return (None, unbroadcast(cast_gradient(g, out, out), fill_value))


def _full_tangent(t, out, shape, fill_value, dtype=None, order="C"):
    return cast_gradient(np.broadcast_to(t, np.shape(out)), out, out)


def _full_like_tangent(t, out, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return cast_gradient(np.broadcast_to(t, np.shape(out)), out, out)


# `shape` and `a` only give the result's shape (and dtype)
register_tangents(full, None, _full_tangent)
register_tangents(full_like, None, _full_like_tangent)
