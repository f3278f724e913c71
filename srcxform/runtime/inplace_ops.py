"""In-place operations: ``+=``, ``add_``, ``zero_``, ``copy_``, ``uniform_`` ...

After import, each function here writes into the tensor's own memory when no
graph is being recorded for it (grad mode off, or neither operand requires
grad).  When it is, a leaf that requires grad refuses with PyTorch's error,
and any other tensor takes the recorded out-of-place result and its history
(its memory is then new).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import graph, math_ops, messages
from .grad_mode import _mode
from .random import numpy_generator

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any



def _tracked(t: Tensor, other: Any = None) -> bool:
    if not _mode.enabled:
        return False
    if t._requires_grad or (isinstance(other, graph.TensorType) and other._requires_grad):
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError(messages.LEAF_INPLACE)
        return True
    return False


def _rebase(t: Tensor, result: Tensor) -> Tensor:
    t._value = result._value
    t._grad_fn = result._grad_fn
    t._requires_grad = result._requires_grad
    if t._retains_grad and t._grad_fn is not None:
        graph.retain(t)
    return t


def _write(t: Tensor, ufunc: Any, other: Any) -> Tensor:
    raw = graph.unwrap(other)
    try:
        ufunc(t._value, raw, out=t._value)
    except ValueError:
        shape = np.broadcast_shapes(t._value.shape, np.shape(raw))
        raise RuntimeError(f"output with shape {list(t._value.shape)} doesn't match the "
                           f"broadcast shape {list(shape)}") from None
    return t


def _inplace(ufunc: Any, op: Any, name: str) -> Any:
    def method(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
        if not math_ops.is_operand(other):
            return NotImplemented
        if alpha != 1:
            other = other * alpha
        if _tracked(self, other):
            return _rebase(self, op(self, other))
        return _write(self, ufunc, other)

    method.__name__ = name
    method.__doc__ = f"``self {name}`` in place; returns ``self``."
    return method


add_ = _inplace(np.add, math_ops.add, "add_")
sub_ = _inplace(np.subtract, math_ops.sub, "sub_")
mul_ = _inplace(np.multiply, math_ops.mul, "mul_")
div_ = _inplace(np.true_divide, math_ops.div, "div_")


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero; returns ``self``."""
    return fill_(self, 0)


def fill_(self: Tensor, value: Any) -> Tensor:
    """Set every element to ``value``; returns ``self``."""
    if _tracked(self, value):
        return _rebase(self, math_ops.add(math_ops.mul(self, 0), value))
    self._value[...] = graph.unwrap(value)
    return self


def copy_(self: Tensor, src: Any) -> Tensor:
    """Copy ``src`` (broadcast, cast) into this tensor; returns ``self``."""
    if _tracked(self, src):
        return _rebase(self, math_ops.add(math_ops.mul(self, 0), src))
    np.copyto(self._value, graph.unwrap(src), casting="unsafe")
    return self


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to [min, max] in place; returns ``self``."""
    if _tracked(self):
        return _rebase(self, math_ops.clamp(self, min, max))
    np.clip(self._value, min, max, out=self._value)
    return self


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples from U(a, b); returns ``self``."""
    _tracked(self)
    gen = numpy_generator(generator)
    self._value[...] = gen.uniform(a, b, self._value.shape)
    return self


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with samples from N(mean, std**2); returns ``self``."""
    _tracked(self)
    gen = numpy_generator(generator)
    self._value[...] = gen.normal(mean, std, self._value.shape)
    return self
