"""``torch.autograd``'s two entry points: :func:`backward` and :func:`grad`.

After import, ``autograd.backward(tensors, grad_tensors)`` accumulates into
leaves like ``Tensor.backward`` for several roots at once, and
``autograd.grad(outputs, inputs)`` returns the gradients of ``inputs``
without touching any ``.grad``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import engine, graph, messages
from .grad_mode import enable_grad, no_grad, set_grad_enabled  # noqa: F401  (torch.autograd's names)


def _roots(tensors: Any, grads: Any) -> tuple[list, list]:
    tensors = [tensors] if isinstance(tensors, graph.TensorType) else list(tensors)
    if grads is None:
        grads = [None] * len(tensors)
    elif isinstance(grads, graph.TensorType):
        grads = [grads]
    out = []
    for t, g in zip(tensors, grads):
        if not t._requires_grad:
            raise RuntimeError(messages.NOT_REQUIRES_GRAD)
        if g is None:
            if t._value.size != 1:
                raise RuntimeError(messages.IMPLICIT_NON_SCALAR)
            out.append(np.ones_like(t._value))
        else:
            a = np.asarray(graph.unwrap(g), dtype=t._value.dtype)
            if a.shape != t._value.shape:
                raise RuntimeError(messages.shape_mismatch(a.shape, t._value.shape))
            out.append(a)
    return tensors, out


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into leaves."""
    if create_graph:
        raise NotImplementedError("srcxform: create_graph=True is not supported eagerly")
    roots, grads = _roots(tensors, grad_tensors)
    engine.backward(roots, grads, bool(retain_graph))


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs`` (``.grad`` untouched)."""
    if create_graph:
        raise NotImplementedError("srcxform: create_graph=True is not supported eagerly")
    single = isinstance(inputs, graph.TensorType)
    wanted = [inputs] if single else list(inputs)
    for t in wanted:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots, grads = _roots(outputs, grad_outputs)
    found = engine.backward(roots, grads, bool(retain_graph), capture=wanted)
    result = []
    for t, g in zip(wanted, found or []):
        if g is None and not allow_unused:
            raise RuntimeError("One of the differentiated Tensors appears to not have been used "
                               "in the graph. Set allow_unused=True if this is the desired "
                               "behavior.")
        result.append(None if g is None else graph.wrap(np.array(g, dtype=t._value.dtype)))
    return tuple(result)


__all__ = ["backward", "enable_grad", "grad", "no_grad", "set_grad_enabled"]

