"""NumPy's array methods and attributes as functions of a namespace object.

The array API gives arrays no ``.sum()``, ``.reshape()``, ``.copy()``,
``.astype()``; PyTorch's have other signatures (``.size()``, ``keepdim``) and
no ``.copy()``.  The loader therefore writes a method call ``a.sum(axis=0)``
of generated code as ``<ns>.m_sum(a, axis=0)`` and an attribute ``a.T`` as
``<ns>.a_T(a)``.  After import, :class:`Methods` (a base of the namespace
object) has an ``m_<name>`` for every name in :data:`METHODS` and an
``a_<name>`` for every name in :data:`ATTRIBUTES`: on an array of the
namespace (or a NumPy array or scalar) each does what NumPy's method does;
on anything else (a list's ``.copy()``, a user object's ``.sum()``) it calls
the object's own method, so the rewrite never changes what non-arrays do.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .errors import cannot

#: Array methods the loader routes through the namespace object (NumPy's names).
METHODS = frozenset({
    "sum", "mean", "prod", "max", "min", "std", "var", "any", "all", "argmax", "argmin",
    "cumsum", "cumprod", "reshape", "ravel", "flatten", "transpose", "swapaxes", "squeeze",
    "astype", "copy", "dot", "clip", "round", "item", "tolist", "conj", "conjugate",
    "nonzero", "take", "trace", "diagonal", "sort", "argsort", "fill", "repeat",
})

#: Array attributes the loader routes through the namespace object.
ATTRIBUTES = frozenset({"T", "mT", "size", "real", "imag", "flat"})


def _is_array(ns: Any, a: Any) -> bool:
    return isinstance(a, ns.ndarray) or isinstance(a, (np.ndarray, np.generic))


def _method(name: str, impl: Callable[..., Any]) -> Callable[..., Any]:
    def fn(self: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if _is_array(self, obj):
            return impl(self, self.arr(obj), *args, **kwargs)
        return getattr(obj, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = "m_" + name
    return fn


def _attribute(name: str, impl: Callable[..., Any]) -> Callable[..., Any]:
    def fn(self: Any, obj: Any, /) -> Any:
        if _is_array(self, obj):
            return impl(self, self.arr(obj))
        return getattr(obj, name)

    fn.__name__ = fn.__qualname__ = "a_" + name
    return fn


def _shape_args(args: tuple) -> Any:
    return args[0] if len(args) == 1 and not isinstance(args[0], (int, np.integer)) else args


def _transpose(ns: Any, a: Any, *axes: Any) -> Any:
    return ns.transpose(a, _shape_args(axes) if axes else None)


def _item(ns: Any, a: Any, *args: Any) -> Any:
    if args:
        a = ns.reshape(a, (-1,))[args[0]] if len(args) == 1 else a[args]
    xp = ns.xp
    if xp.isdtype(a.dtype, "bool"):
        return bool(a)
    if xp.isdtype(a.dtype, "integral"):
        return int(a)
    return complex(a) if xp.isdtype(a.dtype, "complex floating") else float(a)


def _tolist(ns: Any, a: Any) -> Any:
    if a.ndim == 0:
        return _item(ns, a)
    return [_tolist(ns, a[i]) for i in range(a.shape[0])]


def _fill(ns: Any, a: Any, value: Any) -> None:
    if not ns.mutable:
        raise cannot("a.fill(value)", ns.name, why="its arrays are immutable")
    a[...] = value


def _sort(ns: Any, a: Any, axis: int = -1, **kwargs: Any) -> None:
    if not ns.mutable:
        raise cannot("a.sort() (in place)", ns.name, why="its arrays are immutable")
    ns.written(a, ns.sort(a, axis=axis))


def _repeat(ns: Any, a: Any, repeats: Any, axis: Any = None) -> Any:
    if axis is None:
        a, axis = ns.reshape(a, (-1,)), 0
    return ns.xp.repeat(a, repeats, axis=axis)


def _attr_T(ns: Any, a: Any) -> Any:
    return a if a.ndim < 2 else (a.T if a.ndim == 2 else ns.transpose(a))


def _attr_mT(ns: Any, a: Any) -> Any:
    return ns.swapaxes(a, -1, -2)


def _attr_size(ns: Any, a: Any) -> int:
    return ns.size(a)


def _attr_flat(ns: Any, a: Any) -> Any:
    raise cannot("a.flat", ns.name, why="write a.reshape(-1) instead")


_IMPLS: dict[str, Callable[..., Any]] = {
    "sum": lambda ns, a, *args, **kw: ns.sum(a, *args, **kw),
    "mean": lambda ns, a, *args, **kw: ns.mean(a, *args, **kw),
    "prod": lambda ns, a, *args, **kw: ns.prod(a, *args, **kw),
    "max": lambda ns, a, *args, **kw: ns.max(a, *args, **kw),
    "min": lambda ns, a, *args, **kw: ns.min(a, *args, **kw),
    "std": lambda ns, a, *args, **kw: ns.std(a, *args, **kw),
    "var": lambda ns, a, *args, **kw: ns.var(a, *args, **kw),
    "any": lambda ns, a, *args, **kw: ns.any(a, *args, **kw),
    "all": lambda ns, a, *args, **kw: ns.all(a, *args, **kw),
    "argmax": lambda ns, a, *args, **kw: ns.argmax(a, *args, **kw),
    "argmin": lambda ns, a, *args, **kw: ns.argmin(a, *args, **kw),
    "cumsum": lambda ns, a, *args, **kw: ns.cumsum(a, *args, **kw),
    "cumprod": lambda ns, a, *args, **kw: ns.cumprod(a, *args, **kw),
    "reshape": lambda ns, a, *shape, **kw: ns.reshape(a, _shape_args(shape), **kw),
    "ravel": lambda ns, a, *args: ns.ravel(a, *args),
    "flatten": lambda ns, a, *args: ns.copy(ns.ravel(a, *args)),
    "transpose": _transpose,
    "swapaxes": lambda ns, a, i, j: ns.swapaxes(a, i, j),
    "squeeze": lambda ns, a, axis=None: ns.squeeze(a, axis),
    "astype": lambda ns, a, dtype, *args, **kw: ns.astype(a, dtype),
    "copy": lambda ns, a, *args: ns.copy(a),
    "dot": lambda ns, a, b: ns.dot(a, b),
    "clip": lambda ns, a, *args, **kw: ns.clip(a, *args, **kw),
    "round": lambda ns, a, *args, **kw: ns.round(a, *args, **kw),
    "item": _item,
    "tolist": _tolist,
    "conj": lambda ns, a: ns.conj(a),
    "conjugate": lambda ns, a: ns.conj(a),
    "nonzero": lambda ns, a: ns.nonzero(a),
    "take": lambda ns, a, *args, **kw: ns.take(a, *args, **kw),
    "trace": lambda ns, a, *args, **kw: ns.trace(a, *args, **kw),
    "diagonal": lambda ns, a, *args, **kw: ns.diagonal(a, *args, **kw),
    "sort": _sort,
    "argsort": lambda ns, a, *args, **kw: ns.argsort(a, *args, **kw),
    "fill": _fill,
    "repeat": _repeat,
}

_ATTRS: dict[str, Callable[..., Any]] = {
    "T": _attr_T, "mT": _attr_mT, "size": _attr_size,
    "real": lambda ns, a: ns.real(a), "imag": lambda ns, a: ns.imag(a), "flat": _attr_flat,
}


class Methods:
    """``m_<name>(a, ...)`` for NumPy's array methods, ``a_<name>(a)`` for attributes."""


for _name in METHODS:
    setattr(Methods, "m_" + _name, _method(_name, _IMPLS[_name]))
for _name in ATTRIBUTES:
    setattr(Methods, "a_" + _name, _attribute(_name, _ATTRS[_name]))
del _name
