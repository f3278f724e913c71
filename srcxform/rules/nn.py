"""Neural-network primitives: plain NumPy forward functions and their rules.

After import, ``relu``, ``sigmoid``, ``softplus``, ``softmax``, ``log_softmax``,
``linear``, ``mse_loss`` and ``binary_cross_entropy_with_logits`` are NumPy
functions (they work on arrays, keep float32 as float32) with one rule each,
and ``np.broadcast_to`` has its rule.  The eager runtime's ``nn.functional``
and user code run through the compiler share these rules.  Keyword options
(``reduction``, ``weight``, ``pos_weight``, ``axis``) are plain values, never
differentiated.
"""

from __future__ import annotations

import numpy as np

from .registry import register


def _reduce(loss, reduction):
    if reduction == "mean":
        return np.mean(loss)
    if reduction == "sum":
        return np.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def relu(x):
    """max(x, 0) elementwise."""
    return np.maximum(x, 0)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow."""
    return np.exp(-np.logaddexp(0.0, -x))


def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold (as PyTorch)."""
    return np.where(x * beta > threshold, x, np.logaddexp(0.0, x * beta) / beta)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def linear(x, weight, bias=None):
    """x @ weight.T + bias (``bias`` may be None)."""
    y = np.matmul(x, np.swapaxes(weight, -1, -2))
    return y if bias is None else y + bias


def mse_loss(input, target, reduction="mean"):
    """The squared error, reduced by ``reduction`` ("mean", "sum" or "none")."""
    return _reduce(np.square(input - target), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross entropy of sigmoid(input) against target, computed stably."""
    lw = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * target
    loss = (1.0 - target) * input + lw * np.logaddexp(0.0, -input)
    return _reduce(loss if weight is None else loss * weight, reduction)


# --- rules ---------------------------------------------------------------------------

@register(relu, elementwise=True, backward_name="ReluBackward0")
def relu_(g, out, x):
    return (g * (out > 0),)


@register(sigmoid, elementwise=True, backward_name="SigmoidBackward0")
def sigmoid_(g, out, x):
    return (g * out * (1.0 - out),)


@register(softplus, elementwise=True, backward_name="SoftplusBackward0")
def softplus_(g, out, x, beta=1.0, threshold=20.0):
    return (np.where(x * beta > threshold, g, g * sigmoid(x * beta)),)


@register(softmax, backward_name="SoftmaxBackward0")
def softmax_(g, out, x, axis=-1):
    return (out * (g - np.sum(g * out, axis=axis, keepdims=True)),)


@register(log_softmax, backward_name="LogSoftmaxBackward0")
def log_softmax_(g, out, x, axis=-1):
    return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)


@register(linear, backward_name="AddmmBackward0")
def linear_(g, out, x, weight, bias=None):
    g2 = np.reshape(g, (-1, np.shape(g)[-1]))
    return (g @ weight, g2.T @ np.reshape(x, (-1, np.shape(x)[-1])),
            None if bias is None else np.sum(g2, axis=0))


@register(mse_loss, elementwise=True, backward_name="MseLossBackward0")
def mse_loss_(g, out, input, target, reduction="mean"):
    d = 2.0 * (input - target) * g
    return (d / np.size(d), -d / np.size(d)) if reduction == "mean" else (d, -d)


@register(binary_cross_entropy_with_logits, elementwise=True,
          backward_name="BinaryCrossEntropyWithLogitsBackward0")
def binary_cross_entropy_with_logits_(g, out, input, target, weight=None, reduction="mean",
                                      pos_weight=None):
    n = np.broadcast(input, target, weight, pos_weight).size if reduction == "mean" else 1.0
    w = (g if weight is None else g * weight) / n
    lw = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * target
    ginput = w * (1.0 - target - lw * sigmoid(-input))
    gtarget = w * (-input if pos_weight is None
                   else (pos_weight - 1.0) * np.logaddexp(0.0, -input) - input)
    return ginput, np.broadcast_to(gtarget, np.shape(ginput))


@register(np.broadcast_to, elementwise=True, backward_name="ExpandBackward0")
def broadcast_to(g, out, x, shape, subok=False):
    return (g,)
