"""The transforms users call: ``grad``, ``value_and_grad``, ``source``.

After ``df = grad(f, wrt)``, ``df`` is the generated function itself (no
wrapper on the hot path) with ``f``'s parameters; it is built once per
``(f, wrt, kind)`` and cached on ``f``'s identity and code object, so a
redefined ``f`` is transformed afresh and a stale gradient is never served.
``source(df)`` returns the generated text.
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from typing import Any, Callable

import numpy as np

from .arguments import concrete
from .arguments import shape_of_argument as _shape_of_argument
from .compiler import Transformed, transform
from .errors import TransformError

_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _key(wrt: Any) -> Any:
    return tuple(wrt) if isinstance(wrt, list) else wrt


def _transformed(f: Callable[..., Any], wrt: Any, kind: str) -> Transformed:
    per_fn = _cache.get(f)
    key = (_key(wrt), kind, f.__code__, f.__defaults__)
    if per_fn is not None and key in per_fn:
        return per_fn[key]
    result = transform(f, wrt, kind)
    result.fn.__srcxform__ = result
    with _lock:
        _cache.setdefault(f, {})[key] = result
    return result


def _shape_dispatcher(f: Callable[..., Any], wrt: Any, kind: str,
                      generic: Transformed) -> Callable[..., Any]:
    """A function that runs the code specialized to its arguments' shapes.

    Used only when the generic code still asks questions about shapes
    (``unbroadcast``, ``np.ndim``, ``np.size``, a runtime scalar check) that
    the arguments' shapes answer statically, as a hand-writer would.  The key
    is the tuple of argument shapes; a new combination of shapes is compiled
    once (as a JIT compiler retraces).
    """
    signature = inspect.signature(f)
    specialized: dict[Any, Callable[..., Any]] = {}
    ndarray = np.ndarray
    shape_of = _shape_of_argument

    def build(key: Any, args: tuple, kwargs: dict) -> Callable[..., Any]:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{f.__qualname__}(): {exc}") from None
        bound.apply_defaults()
        shapes = {name: _shape_of_argument(value) for name, value in bound.arguments.items()}
        result = transform(f, wrt, kind, shapes=shapes)
        result.fn.__srcxform__ = result
        specialized[key] = result.fn
        dispatch.__srcxform__ = result
        return result.fn

    def dispatch(*args: Any, **kwargs: Any) -> Any:
        key = tuple([a.shape if type(a) is ndarray else shape_of(a) for a in args])
        if kwargs:
            key += tuple(sorted((k, shape_of(v)) for k, v in kwargs.items()))
        fn = specialized.get(key)
        if fn is None:
            fn = build(key, args, kwargs)
        return fn(*args, **kwargs)

    def specialize(args: tuple, kwargs: dict) -> Callable[..., Any]:
        key = tuple([a.shape if type(a) is ndarray else shape_of(a) for a in args])
        if kwargs:
            key += tuple(sorted((k, shape_of(v)) for k, v in kwargs.items()))
        fn = specialized.get(key)
        return fn if fn is not None else build(key, args, kwargs)

    dispatch.__srcxform_specialize__ = specialize
    dispatch.__name__ = dispatch.__qualname__ = generic.fn.__name__
    dispatch.__doc__ = generic.fn.__doc__
    dispatch.__signature__ = signature
    dispatch.__srcxform__ = generic
    dispatch.__srcxform_specialized__ = specialized
    return dispatch


def _decorator(kind: str, f: Callable[..., Any] | None, wrt: Any) -> Any:
    if f is None:
        return functools.partial(_decorator, kind, wrt=wrt)
    if not callable(f):
        raise TypeError(f"{kind} expects a function, got {type(f).__name__}")
    if getattr(f, "__srcxform_specialize__", None) is not None:
        return _of_dispatcher(kind, f, wrt)
    per_fn = _cache.get(f)
    key = (_key(wrt), kind, f.__code__, f.__defaults__, "public")
    if per_fn is not None and key in per_fn:
        return per_fn[key]
    try:
        generic = _transformed(f, wrt, kind)
    except TransformError:
        if getattr(f, "__srcxform__", None) is None:
            raise
        # generated code with tapes (loops) is differentiated in forward mode instead
        public = _forward_columns(kind, f, wrt)
        with _lock:
            _cache.setdefault(f, {})[key] = public
        return public
    public = _shape_dispatcher(f, wrt, kind, generic) if generic.rank_dependent else generic.fn
    with _lock:
        _cache.setdefault(f, {})[key] = public
    return public


def _forward_columns(kind: str, f: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    """The gradient of generated code ``f`` by forward mode, one pass per input element.

    Used for ``grad(grad(g))`` when ``grad(g)``'s code keeps tapes (loops), which
    reverse mode does not read back; for a scalar argument it is a single pass.
    """
    from .transforms import bind_all, specialized

    tuple_wrt = isinstance(wrt, (tuple, list))

    def columns(*args: Any, **kwargs: Any) -> Any:
        names, values = bind_all(f, args, kwargs)
        items = list(wrt) if tuple_wrt else [wrt]
        index = [names.index(w) if isinstance(w, str) else w % len(names) for w in items]
        made = specialized(f, "jvp", tuple(index), names, values)
        columns.__srcxform__ = made
        grads, value = [], None
        for j, p in enumerate(index):
            x = values[p]
            size = int(np.size(x))
            column = np.zeros(size)
            for k in range(size):
                tangents = [np.zeros_like(values[q], dtype=float) if np.ndim(values[q])
                            else 0.0 for q in index]
                if np.ndim(x):
                    tangents[j].flat[k] = 1.0
                else:
                    tangents[j] = 1.0
                value, dvalue = made.fn(*values, *tangents)
                if np.size(value) != 1:
                    raise ValueError(f"the function must return a scalar to take its gradient, "
                                     f"got an output of shape {np.shape(value)}")
                column[k] = np.ravel(dvalue)[0]
            grads.append(column.reshape(np.shape(x)) if np.ndim(x) else float(column[0]))
        if value is None:
            value = f(*values)
        result = tuple(grads) if tuple_wrt else grads[0]
        return (value, result) if kind == "value_and_grad" else result

    columns.__name__ = columns.__qualname__ = f"{kind}_{f.__name__}"
    columns.__signature__ = inspect.signature(f)
    columns.__srcxform__ = None
    return columns


def _of_dispatcher(kind: str, dispatcher: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    """``grad`` of a gradient that dispatches on shapes: transform what it runs, per shape."""
    made: dict[Any, Callable[..., Any]] = {}
    shape_of = _shape_of_argument

    def dispatch(*args: Any, **kwargs: Any) -> Any:
        key = tuple(shape_of(a) for a in args) + tuple(
            sorted((k, shape_of(v)) for k, v in kwargs.items()))
        fn = made.get(key)
        if fn is None:
            fn = made[key] = _decorator(kind, concrete(dispatcher, args, kwargs), wrt)
            dispatch.__srcxform__ = getattr(fn, "__srcxform__", None)
        return fn(*args, **kwargs)

    dispatch.__name__ = dispatch.__qualname__ = f"{kind}_{dispatcher.__name__}"
    dispatch.__signature__ = inspect.signature(dispatcher)
    dispatch.__srcxform__ = None
    return dispatch


def grad(f: Callable[..., Any] | None = None, wrt: Any = 0) -> Callable[..., Any]:
    """The gradient of scalar-valued ``f`` with respect to parameter(s) ``wrt``.

    ``wrt`` is a positional index, a parameter name, or a tuple of them; a
    tuple gives a tuple of gradients.  Usable as ``@grad`` and ``@grad(wrt=...)``.
    """
    return _decorator("grad", f, wrt)


def value_and_grad(f: Callable[..., Any] | None = None, wrt: Any = 0) -> Callable[..., Any]:
    """Like :func:`grad`, returning ``(f(*args), gradient)`` from one run of ``f``."""
    return _decorator("value_and_grad", f, wrt)


def source(df: Callable[..., Any]) -> str:
    """The generated Python source of a function made by srcxform.

    For a gradient specialized on its arguments' shapes (see ``grad``), this
    is the code of the most recent call, or the generic code before the
    first call.
    """
    if hasattr(df, "__srcxform__") and df.__srcxform__ is None:
        raise TypeError(f"{df.__name__} is compiled per argument shape on its first call; "
                        "call it once, then ask for its source")
    info = getattr(df, "__srcxform__", None)
    if info is None:
        raise TypeError(f"{getattr(df, '__name__', df)!r} was not generated by srcxform")
    return info.source
