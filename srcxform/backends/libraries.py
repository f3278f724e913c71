"""What differs between array libraries, one small class each.

After import, :func:`make` returns the :class:`~.namespace.Namespace` subclass
instance for an ``array_api_compat`` namespace, a device and a floating
dtype: PyTorch (scatter-add by ``index_put_``, NumPy arrays moved with
``torch.asarray``), Dask (lazy; NumPy arrays become one-chunk Dask arrays),
CuPy (``cupyx.scatter_add``), JAX (immutable arrays: in-place writes are
refused by the loader, scatter-add is ``a.at[i].add(v)``), the array API's
strict reference namespace and any other array-API namespace (operators
with NumPy's promotions, as the standard leaves mixed bool/float
arithmetic undefined).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import cannot
from .namespace import Namespace


def positive_steps(index: Any, shape: tuple) -> tuple[Any, list[int]] | None:
    """``index`` with each slice of negative step written with a positive one, and the
    axes of the result to flip; None when it has no such slice (or holds arrays)."""
    parts = list(index) if type(index) is tuple else [index]
    if not any(type(p) is slice and p.step is not None and p.step < 0 for p in parts):
        return None
    if not all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts):
        return None
    if Ellipsis in parts:
        k = parts.index(Ellipsis)
        used = sum(1 for p in parts if p is not None and p is not Ellipsis)
        parts = parts[:k] + [slice(None)] * (len(shape) - used) + parts[k + 1:]
    out: list[Any] = []
    flips: list[int] = []
    axis = result = 0
    for p in parts:
        if p is None:
            out.append(None)
            result += 1
            continue
        if isinstance(p, slice):
            start, stop, step = p.indices(shape[axis])
            if step < 0:
                taken = range(start, stop, step)
                p = slice(taken[-1], taken[0] + 1, -step) if len(taken) else slice(0, 0)
                flips.append(result)
            result += 1
        out.append(p)
        axis += 1
    return tuple(out), flips


class TorchNamespace(Namespace):
    library = "torch"
    index_rewrite = True

    def getitem(self, a: Any, index: Any) -> Any:
        if not isinstance(a, self.ndarray):
            return a[index]
        positive = positive_steps(index, tuple(a.shape))
        if positive is not None:  # PyTorch slices only forwards
            out = a[positive[0]]
            return self.native.flip(out, positive[1]) if positive[1] else out
        out = a[index]
        if out.ndim == 0:
            return out.clone()  # NumPy's a[i, j] is a copy, PyTorch's a view
        return out

    def setitem(self, a: Any, index: Any, value: Any) -> None:
        positive = positive_steps(index, tuple(a.shape)) if isinstance(a, self.ndarray) \
            else None
        if positive is None:
            a[index] = self.from_numpy(value) if isinstance(value, np.ndarray) else value
            return
        key, flips = positive
        target = a[key]
        value = self.native.broadcast_to(self.like(value, a), tuple(target.shape))
        a[key] = self.native.flip(value, flips) if flips else value

    def from_numpy(self, a: np.ndarray) -> Any:
        return self.native.asarray(a, device=self.device)

    def scatter_add_rows(self, a: Any, idx: Any, values: Any) -> Any:
        torch = self.native
        flat = torch.reshape(idx, (-1,))
        shape = tuple(idx.shape) + tuple(a.shape[1:])
        values = torch.reshape(torch.broadcast_to(values, shape),
                               (flat.shape[0],) + tuple(a.shape[1:]))
        return a.index_put_((flat,), values.to(a.dtype), accumulate=True)

    def written(self, a: Any, new: Any) -> Any:
        return a  # index_put_ wrote into a


class DaskNamespace(Namespace):
    library = "dask"

    def from_numpy(self, a: np.ndarray) -> Any:
        return self.native.from_array(a, chunks=a.shape or ())


class CupyNamespace(Namespace):
    library = "cupy"
    index_rewrite = True

    def getitem(self, a: Any, index: Any) -> Any:
        out = a[index]
        if isinstance(a, self.ndarray) and out.ndim == 0:
            return out.copy()  # NumPy's a[i, j] is a copy, CuPy's a view
        return out

    def from_numpy(self, a: np.ndarray) -> Any:
        with self.device:
            return self.native.asarray(a)

    def scatter_add_rows(self, a: Any, idx: Any, values: Any) -> Any:
        import cupyx  # noqa: PLC0415  (only with CuPy)

        shape = tuple(idx.shape) + tuple(a.shape[1:])
        cupyx.scatter_add(a, idx, self.native.broadcast_to(values, shape).astype(a.dtype))
        return a

    def written(self, a: Any, new: Any) -> Any:
        return a


def clipped(parts: list, shape: tuple) -> list:
    """``parts`` (an index of ints, slices, ``None`` and at most one ``...``) with slice
    bounds past an axis's ends clipped to it, as NumPy reads them (the array API leaves
    them unspecified: ``x[t:t + 64]`` of a loop's last block, ``compiler/hoist.py``)."""
    if not any(type(p) is slice for p in parts):
        return parts
    k = parts.index(Ellipsis) if Ellipsis in parts else len(parts)
    axes: list[int | None] = [None] * len(parts)
    axis = 0
    for i in range(k):  # before the ellipsis: from the first axis on
        if parts[i] is not None:
            axes[i], axis = axis, axis + 1
    axis = len(shape)
    for i in range(len(parts) - 1, k, -1):  # after it: from the last axis back
        if parts[i] is not None:
            axis -= 1
            axes[i] = axis
    out = list(parts)
    for i, p in enumerate(parts):
        if type(p) is not slice or p == slice(None) or axes[i] is None \
                or not 0 <= axes[i] < len(shape) or type(shape[axes[i]]) is not int \
                or not all(b is None or isinstance(b, (int, np.integer))
                           for b in (p.start, p.stop, p.step)):
            continue
        start, stop, step = p.indices(shape[axes[i]])  # NumPy's reading, within the axis
        if step > 0:
            out[i] = slice(start, stop, step)
        elif start < 0 or stop >= start:  # nothing selected
            out[i] = slice(0, 0, 1)
        else:  # (a stop of -1 here is "past the first element")
            out[i] = slice(start, None if stop < 0 else stop, step)
    return out


class JaxNamespace(Namespace):
    library = "jax"
    mutable = False

    def add_at(self, a: Any, index: Any, values: Any) -> Any:
        a = self.arr(a)
        return a.at[index].add(self.like(values, a))


class StrictIndexing(Namespace):
    """Indexing as NumPy's on namespaces that take only the array API's indices: a
    partial index gets its trailing ``...``, one integer array indexes by ``take``."""

    strict = True
    index_rewrite = True

    def _index(self, a: Any, index: Any) -> tuple[Any, int | None]:
        """The index as the array API takes it, or ``(array, axis)`` for ``take``."""
        parts = list(index) if type(index) is tuple else [index]
        arrays = [k for k, p in enumerate(parts) if isinstance(p, (list, np.ndarray))
                  or isinstance(p, self.ndarray)]
        for k in arrays:
            parts[k] = self.arr(parts[k])
        if arrays:
            only = parts[arrays[0]]
            if len(parts) == 1 and self.xp.isdtype(only.dtype, "bool"):
                return only, None
            rest = [p for k, p in enumerate(parts) if k != arrays[0]]
            if len(arrays) == 1 and all(p == slice(None) or p is Ellipsis for p in rest) \
                    and Ellipsis not in parts[:arrays[0]]:
                return only, arrays[0]
            if len(arrays) == len(parts) == a.ndim and all(
                    not self.xp.isdtype(parts[k].dtype, "bool") for k in arrays):
                return tuple(parts), None
            raise cannot(f"the index {index!r}", self.name,
                         why="the array API indexes with one integer array per axis, or "
                             "one array alone")
        used = sum(1 for p in parts if p is not None)
        if Ellipsis not in parts and used < getattr(a, "ndim", used):
            parts.append(Ellipsis)
        return tuple(clipped(parts, tuple(a.shape))), None

    def getitem(self, a: Any, index: Any) -> Any:
        if not isinstance(a, self.ndarray):
            return a[index]
        key, axis = self._index(a, index)
        if axis is not None:
            return self.take(a, key, axis=axis)
        return a[key]

    def setitem(self, a: Any, index: Any, value: Any) -> None:
        if not isinstance(a, self.ndarray):
            a[index] = value
            return
        key, axis = self._index(a, index)
        if axis is not None:
            raise cannot("a write through an integer-array index", self.name,
                         why="the array API has no such write")
        if type(key) is tuple and any(p is None for p in key):  # new axes have size 1
            full = tuple(a[key].shape)
            key = tuple(p for p in key if p is not None)
            value = self.xp.reshape(self.xp.broadcast_to(self.like(value, a), full),
                                    tuple(a[key].shape))
        if isinstance(value, np.ndarray):
            value = self.from_numpy(value)
        elif isinstance(value, self.ndarray) and value.dtype != a.dtype:
            value = self.xp.astype(value, a.dtype)
        a[key] = value


class StrictNamespace(StrictIndexing):
    library = "array_api_strict"


class GenericNamespace(StrictIndexing):
    pass


def _native(xp: Any) -> Any:
    """The library behind an ``array_api_compat`` namespace (``torch``, ``dask.array``)."""
    import importlib

    name = getattr(xp, "__name__", "")
    for prefix in ("array_api_compat.", "array_api_strict"):
        if name.startswith(prefix):
            inner = name[len(prefix):] if prefix.endswith(".") else None
            if inner:
                try:
                    return importlib.import_module(inner)
                except ImportError:
                    return xp
    return xp


def kind_of(xp: Any) -> type[Namespace]:
    """The :class:`Namespace` subclass for an ``array_api_compat`` namespace."""
    import array_api_compat as compat

    if compat.is_torch_namespace(xp):
        return TorchNamespace
    if compat.is_dask_namespace(xp):
        return DaskNamespace
    if compat.is_cupy_namespace(xp):
        return CupyNamespace
    if compat.is_jax_namespace(xp):
        return JaxNamespace
    if compat.is_array_api_strict_namespace(xp):
        return StrictNamespace
    return GenericNamespace


def make(xp: Any, device: Any, float_dtype: Any, array_types: tuple) -> Namespace:
    """The namespace object for ``xp`` on ``device`` with floating dtype ``float_dtype``."""
    cls = kind_of(xp)
    ns = cls(xp, device, float_dtype, array_types, native=_native(xp))
    if cls is GenericNamespace:
        ns.name = getattr(xp, "__name__", "array-api")
    return ns
