"""Tangent functions of the rules that are neither elementwise nor linear.

After import, forward mode can differentiate every primitive of the table:
elementwise and linear rules derive their tangents (see ``registry``), and
each rule below has one tangent function per primal argument,
``tangent(t, out, *args, **kwargs)``, returning the output's tangent for the
tangent ``t`` of that argument.  Like rules, they are small NumPy bodies the
compiler inlines; branches on keyword options fold away at compile time.
"""

from __future__ import annotations

import numpy as np

from . import nn, reductions, shaping
from .complexes import real_valued
from .nn import sigmoid
from .registry import register_tangents, unbroadcast

# --- nn ---------------------------------------------------------------------------------

def softmax_tangent(t, out, x, axis=-1):
    return out * (t - np.sum(t * out, axis=axis, keepdims=True))


def log_softmax_tangent(t, out, x, axis=-1):
    return t - np.sum(np.exp(out) * t, axis=axis, keepdims=True)


def linear_tangent_x(t, out, x, weight, bias=None):
    return np.matmul(t, np.swapaxes(weight, -1, -2))


def linear_tangent_weight(t, out, x, weight, bias=None):
    return np.matmul(x, np.swapaxes(t, -1, -2))


def linear_tangent_bias(t, out, x, weight, bias=None):
    return np.broadcast_to(t, np.shape(out))


def mse_loss_tangent_input(t, out, input, target, reduction="mean"):
    d = 2.0 * (input - target) * t
    if reduction == "mean":
        return np.mean(d)
    if reduction == "sum":
        return np.sum(d)
    return d


def mse_loss_tangent_target(t, out, input, target, reduction="mean"):
    d = 2.0 * (target - input) * t
    if reduction == "mean":
        return np.mean(d)
    if reduction == "sum":
        return np.sum(d)
    return d


def bce_tangent_input(t, out, input, target, weight=None, reduction="mean", pos_weight=None):
    lw = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * target
    d = t * (1.0 - target - lw * sigmoid(-input))
    d = d if weight is None else d * weight
    d = np.broadcast_to(d, np.shape(np.broadcast(input, target, weight, pos_weight)))
    if reduction == "mean":
        return np.mean(d)
    if reduction == "sum":
        return np.sum(d)
    return d


def bce_tangent_target(t, out, input, target, weight=None, reduction="mean", pos_weight=None):
    dt = -input if pos_weight is None else (pos_weight - 1.0) * np.logaddexp(0.0, -input) - input
    d = t * dt
    d = d if weight is None else d * weight
    d = np.broadcast_to(d, np.shape(np.broadcast(input, target, weight, pos_weight)))
    if reduction == "mean":
        return np.mean(d)
    if reduction == "sum":
        return np.sum(d)
    return d


register_tangents(nn.softmax_, softmax_tangent)
register_tangents(nn.log_softmax_, log_softmax_tangent)
register_tangents(nn.linear_, linear_tangent_x, linear_tangent_weight, linear_tangent_bias)
register_tangents(nn.mse_loss_, mse_loss_tangent_input, mse_loss_tangent_target)
register_tangents(nn.binary_cross_entropy_with_logits_, bce_tangent_input, bce_tangent_target)


# --- reductions -------------------------------------------------------------------------

def max_tangent(t, out, x, axis=None, keepdims=False):
    full = out
    if axis is not None and not keepdims:
        full = np.expand_dims(out, axis)
    mask = x == full
    return (np.sum(t * mask, axis=axis, keepdims=keepdims)
            / np.sum(mask, axis=axis, keepdims=keepdims, dtype=np.result_type(out)))


def prod_tangent(t, out, x, axis=None, dtype=None, keepdims=False):
    return np.sum(t * reductions.prod_of_others(x, axis), axis=axis, keepdims=keepdims)


def var_tangent(t, out, x, axis=None, dtype=None, ddof=0, keepdims=False):
    centered = real_valued(x, "var") - np.mean(x, axis=axis, keepdims=True)
    return (2 * np.sum(centered * t, axis=axis, keepdims=keepdims)
            / (np.size(x) / np.size(out) - ddof))


def std_tangent(t, out, x, axis=None, dtype=None, ddof=0, keepdims=False):
    centered = real_valued(x, "std") - np.mean(x, axis=axis, keepdims=True)
    return (np.sum(centered * t, axis=axis, keepdims=keepdims)
            / ((np.size(x) / np.size(out) - ddof) * np.where(out == 0, 1, out)))


register_tangents(reductions.max_, max_tangent)
register_tangents(reductions.min_, max_tangent)  # the same: t at the extreme elements
register_tangents(reductions.prod, prod_tangent)
register_tangents(reductions.var, var_tangent)
register_tangents(reductions.std, std_tangent)


# --- generated gradient code ------------------------------------------------------------

def unbroadcast_tangent(t, out, grad, like):
    return unbroadcast(t, like)


# `like` only gives the shape: it has no tangent
register_tangents(shaping.unbroadcast_, unbroadcast_tangent, None)
