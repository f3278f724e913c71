"""NumPy functions called on tensors: ``np.sin(t)``, ``np.sum(t, axis=0)``, ``np.matmul(a, b)``.

After import, :func:`array_ufunc` and :func:`array_function` (reached through
``Tensor.__array_ufunc__``/``__array_function__``) record any NumPy function
that has a rule in the table, exactly as the tensor's own methods do, so one
NumPy function runs eagerly and through the compiler alike.  Functions with
no gradient (``np.shape``, comparisons, ``np.argmax`` ...) and functions
called where no graph is being recorded run on the raw arrays; their array
results come back as tensors.  Functions that return pieces (``np.split`` and
the like) return slices of the tensor.  A function without a rule, called on a
tensor that requires grad while grad mode is on, raises ``NotImplementedError``
naming the function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import rules
from . import graph, numpy_ops
from .grad_mode import _mode


def _needs_graph(args: Any, kwargs: dict) -> bool:
    if not _mode.enabled:
        return False
    stack = list(args) + list(kwargs.values())
    while stack:
        a = stack.pop()
        if isinstance(a, graph.TensorType):
            if a._requires_grad:
                return True
        elif isinstance(a, (list, tuple)):
            stack.extend(a)
    return False


def _unwrap_deep(a: Any) -> Any:
    if isinstance(a, graph.TensorType):
        return a._value
    if isinstance(a, (list, tuple)):
        return type(a)(_unwrap_deep(e) for e in a)
    return a


def _wrap_result(out: Any) -> Any:
    if isinstance(out, np.ndarray):
        return graph.wrap(out)
    if isinstance(out, tuple):
        return tuple(_wrap_result(o) for o in out)
    if isinstance(out, list):
        return [_wrap_result(o) for o in out]
    return out


def _name(fn: Any) -> str:
    module = getattr(fn, "__module__", None) or "numpy"
    return f"{module}.{getattr(fn, '__name__', repr(fn))}"


def _no_rule(fn: Any) -> NotImplementedError:
    return NotImplementedError(
        f"srcxform has no derivative rule for {_name(fn)}, called on a tensor that requires "
        "grad; register one with srcxform.adjoint, or call it on t.detach() / under no_grad()")


def _run_raw(fn: Any, args: Any, kwargs: dict) -> Any:
    return _wrap_result(fn(*_unwrap_deep(args), **{k: _unwrap_deep(v) for k, v in kwargs.items()}))


def array_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    """``ufunc(*inputs)`` (or ``ufunc.method``) with tensors among the inputs."""
    out = kwargs.pop("out", None)
    if method == "__call__" and out is None:
        rule = rules.lookup(ufunc)
        if rule is not None:
            return graph.record(ufunc, rule, inputs, kwargs)
        if rules.is_nondifferentiable(ufunc) or not _needs_graph(inputs, kwargs):
            return _run_raw(ufunc, inputs, kwargs)
        raise _no_rule(ufunc)
    if not rules.is_nondifferentiable(ufunc) and _needs_graph(inputs, kwargs):
        raise _no_rule(ufunc) if out is None else RuntimeError(
            f"srcxform: {_name(ufunc)} with out= on a tensor that requires grad is an in-place "
            "operation the graph cannot record")
    fn = ufunc if method == "__call__" else getattr(ufunc, method)
    if out is None:
        return _run_raw(fn, inputs, kwargs)
    outs = out if isinstance(out, tuple) else (out,)
    fn(*_unwrap_deep(inputs), out=tuple(_unwrap_deep(o) for o in outs),
       **{k: _unwrap_deep(v) for k, v in kwargs.items()})
    return out[0] if isinstance(out, tuple) and len(out) == 1 else out


def array_function(func: Any, args: tuple, kwargs: dict) -> Any:
    """``func(*args, **kwargs)`` for a NumPy function with tensors among the arguments."""
    rule = rules.lookup(func)
    if rule is not None and _needs_graph(args, kwargs) and (
            rule.sequence_output or func is np.unstack):
        # pieces of a tensor are slices of it, as in PyTorch
        if func is np.unstack:
            return numpy_ops.unstack(*args, **kwargs)
        return numpy_ops.pieces(func, *args, **kwargs)
    if rule is not None and not (func is np.where and len(args) + len(kwargs) == 1):
        return graph.record(func, rule, args, kwargs)
    if rules.is_nondifferentiable(func) or not _needs_graph(args, kwargs):
        return _run_raw(func, args, kwargs)
    raise _no_rule(func)
