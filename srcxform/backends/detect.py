"""Which array namespace a call's arguments belong to.

After import:

* :data:`PLAIN` is the set of argument types the NumPy code is right for
  (NumPy arrays and scalars, Python numbers, ``None``, strings, functions,
  srcxform's Tensors, ...).  It starts with NumPy's own types and grows as
  :func:`namespace_for` meets other non-array types, so the check a
  gradient makes on every call is ``type(a) in PLAIN`` per argument.  Lists,
  tuples and dicts are never in it: their leaves are looked at.
* :func:`namespace_for` ``(values)`` returns ``None`` when every leaf is
  NumPy's (the code runs unchanged), or the :class:`~.namespace.Namespace`
  object of the arrays of another library among them: the namespace
  ``array_api_compat.array_namespace`` maps them to, their common device,
  and the floating dtype Python floats become (the arguments' floating
  dtype; the library's default without one).  Namespace objects are cached
  on ``(namespace, device, dtype)``, so the same object — and the code
  loaded for it — serves every call with such arguments.  Arrays of two
  libraries, or on two devices, raise ``TypeError`` naming both.
"""

from __future__ import annotations

import functools
import threading
import types
from typing import Any

import numpy as np

from .errors import NamespaceError

PLAIN: set[type] = {np.ndarray, float, int, bool, complex, type(None), str, bytes,
                    types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                    functools.partial, range, slice, type}
PLAIN.update(t for t in np.sctypeDict.values() if isinstance(t, type))
_CONTAINERS = (list, tuple, dict)
_FOREIGN: set[type] = set()
_NAMESPACES: dict[Any, Any] = {}
_SEEN: dict[tuple, Any] = {}  # (type, dtype, device) of each leaf -> namespace object
_lock = threading.Lock()
_ROOTS = ("torch", "dask", "cupy", "jax", "jaxlib", "array_api_strict", "sparse", "ndonnx",
          "dpnp", "mlx")


def _leaves(value: Any, out: list[Any]) -> None:
    kind = type(value)
    if kind in _CONTAINERS:
        for v in (value.values() if kind is dict else value):
            _leaves(v, out)
    else:
        out.append(value)


def is_foreign_type(kind: type) -> bool:
    """Whether values of type ``kind`` are arrays of a library other than NumPy."""
    if kind in PLAIN:
        return False
    if kind in _FOREIGN:
        return True
    from ..runtime import graph

    if issubclass(kind, (np.ndarray, np.generic, graph.TensorType)):
        foreign = False
    else:
        root = (kind.__module__ or "").split(".")[0]
        foreign = hasattr(kind, "__array_namespace__") or root in _ROOTS
    with _lock:
        (_FOREIGN if foreign else PLAIN).add(kind)
    return foreign


def namespace_for(values: Any) -> Any:
    """The namespace object of the non-NumPy arrays among ``values`` (None if none)."""
    leaves: list[Any] = []
    _leaves(list(values), leaves)
    key: list[Any] = []
    foreign = []
    for v in leaves:
        kind = type(v)
        if kind is np.ndarray:
            key.append(v.dtype)  # a NumPy float array takes part in the floating dtype
        elif kind not in PLAIN and is_foreign_type(kind):
            foreign.append(v)
            key.append((kind, v.dtype, getattr(v, "device", None)))
    if not foreign:
        return None
    try:
        found = _SEEN.get(tuple(key))
    except TypeError:  # an unhashable device: no shortcut
        return _namespace(foreign, leaves)
    if found is None:
        found = _namespace(foreign, leaves)
        with _lock:
            _SEEN[tuple(key)] = found
    return found


def _namespace(foreign: list[Any], leaves: list[Any]) -> Any:
    try:
        import array_api_compat as compat
    except ImportError:
        raise NamespaceError(
            f"srcxform: arguments of type {type(foreign[0]).__module__}."
            f"{type(foreign[0]).__qualname__} need the optional package array-api-compat "
            "(pip install 'srcxform[array-api]')") from None
    try:
        xp = compat.array_namespace(*foreign)
    except TypeError:
        kinds = sorted({f"{type(v).__module__}.{type(v).__qualname__}" for v in foreign})
        raise TypeError(f"srcxform: the arguments mix arrays of several libraries "
                        f"({', '.join(kinds)}); pass arrays of one library (NumPy arrays "
                        "may be mixed in: they are converted)") from None
    devices = []
    for v in foreign:
        d = compat.device(v)
        if not any(d == e for e in devices):
            devices.append(d)
    if len(devices) > 1:
        raise TypeError(f"srcxform: the arguments are on several devices "
                        f"({', '.join(map(str, devices))}); move them to one")
    dtype = _float_dtype(xp, foreign, leaves)
    key = (id(xp), xp, devices[0], dtype)
    found = _NAMESPACES.get(key)
    if found is None:
        from .libraries import make

        kinds = tuple(dict.fromkeys(type(v) for v in foreign))
        base = type(xp.zeros((0,), device=devices[0]))
        found = make(xp, devices[0], dtype, tuple(dict.fromkeys((base,) + kinds)))
        with _lock:
            found = _NAMESPACES.setdefault(key, found)
    return found


def _float_dtype(xp: Any, foreign: list[Any], leaves: list[Any]) -> Any:
    """The floating dtype of the arguments (Python floats become it)."""
    found = [v.dtype for v in foreign
             if xp.isdtype(v.dtype, ("real floating", "complex floating"))]
    found += [getattr(xp, v.dtype.name) for v in leaves
              if type(v) is np.ndarray and v.dtype.kind == "f" and hasattr(xp, v.dtype.name)]
    if not found:
        default = getattr(xp, "get_default_dtype", None)  # PyTorch's default
        if default is None:
            native = getattr(type(foreign[0]), "__module__", "").split(".")[0]
            if native == "torch":
                import torch

                return torch.get_default_dtype()
        return default() if default is not None else xp.float64
    dtype = found[0]
    for d in found[1:]:
        dtype = xp.result_type(dtype, d)
    if xp.isdtype(dtype, "complex floating"):
        dtype = xp.float64 if dtype == getattr(xp, "complex128", None) else xp.float32
    return dtype
