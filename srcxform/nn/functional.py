"""``nn.functional``: losses and activations as functions of tensors.

After import, each function records one primitive of the rule table
(``srcxform.rules.nn``), so its ``grad_fn`` carries PyTorch's name
(``MseLossBackward0``, ``BinaryCrossEntropyWithLogitsBackward0``,
``ReluBackward0`` ...) and the compiler differentiates the same NumPy
function with the same rule.  ``cross_entropy``/``nll_loss`` are built from
``log_softmax`` and indexing.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import rules
from ..rules import nn as nn_rules
from ..runtime import Tensor, math_ops, messages, shape_ops
from ..runtime.graph import record, unwrap

relu = math_ops.relu
sigmoid = math_ops.sigmoid
tanh = math_ops.tanh
softplus = math_ops.softplus
softmax = math_ops.softmax
log_softmax = math_ops.log_softmax


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """input @ weight.T + bias."""
    n = np.ndim(unwrap(input))
    if n == 2:
        name = "AddmmBackward0" if bias is not None else "MmBackward0"
    elif bias is None:
        name = "SqueezeBackward4" if n == 1 else "UnsafeViewBackward0"
    else:
        name = "ViewBackward0"
    return record(nn_rules.linear, rules.lookup(nn_rules.linear), (input, weight, bias), None,
                  name)


def mse_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """The mean (or sum, or elementwise) squared error."""
    a, b = np.shape(unwrap(input)), np.shape(unwrap(target))
    if a != b:
        warnings.warn(f"Using a target size ({messages.size_text(b)}) that is different to the "
                      f"input size ({messages.size_text(a)}). This will likely lead to "
                      "incorrect results due to broadcasting. Please ensure they have the same "
                      "size.", UserWarning, stacklevel=2)
    return record(nn_rules.mse_loss, rules.lookup(nn_rules.mse_loss), (input, target),
                  {"reduction": _reduction(size_average, reduce, reduction)})


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)`` against ``target``, computed stably."""
    a, b = np.shape(unwrap(input)), np.shape(unwrap(target))
    if a != b:
        raise ValueError(f"Target size ({messages.size_text(b)}) must be the same as input size "
                         f"({messages.size_text(a)})")
    rule = rules.lookup(nn_rules.binary_cross_entropy_with_logits)
    return record(nn_rules.binary_cross_entropy_with_logits, rule, (input, target),
                  {"weight": weight, "reduction": _reduction(size_average, reduce, reduction),
                   "pos_weight": pos_weight})


def nll_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of class indices ``target`` under log-probabilities ``input``."""
    idx = np.asarray(unwrap(target))
    picked = -shape_ops.getitem(input, (np.arange(idx.shape[0]), idx))
    if reduction == "mean":
        return math_ops.mean(picked)
    return math_ops.sum(picked) if reduction == "sum" else picked


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class-index targets."""
    return nll_loss(log_softmax(input, 1), target, reduction)
