"""NumPy's reductions, shape functions, products and scatter-add on another namespace.

After import, :class:`Arrays` (a base of the namespace object) answers, under
NumPy's names and signatures, the reductions (``sum``, ``mean``, ``prod``,
``max``/``amax``, ``min``, ``std``/``var`` with ``ddof``, ``any``, ``all``,
``argmax``, ``cumsum`` — ``axis``, ``keepdims``, ``dtype`` forwarded as the
array API spells them; a bool array summed counts ones, as in NumPy), the
shape functions (``reshape``, ``ravel``, ``transpose``, ``swapaxes``,
``moveaxis``, ``expand_dims`` with a tuple of axes, ``squeeze``,
``broadcast_to``, ``concatenate``, ``stack``, ``split``, ``flip``, ...), the
products (``matmul``, ``dot``, ``inner``, ``outer``, ``tensordot``,
``einsum`` where the library has it) and :meth:`Arrays.add_at`, NumPy's
``np.add.at`` (the loader writes ``np.add.at(a, i, v)`` as
``a = <ns>.add_at(a, i, v)``, so a library without in-place scatter returns
a new array).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import cannot


def _axes(axis: Any) -> Any:
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(int(a) for a in axis)


class Arrays:
    """Reductions, shapes, products and scatter-add with NumPy's signatures."""

    # -- reductions ------------------------------------------------------------------------
    def _reduce_input(self, a: Any, dtype: Any, floating: bool = False) -> Any:
        a = self.arr(a)
        xp = self.xp
        if dtype is not None:
            return xp.astype(a, self.dtype_of(dtype))
        if floating and not xp.isdtype(a.dtype, ("real floating", "complex floating")):
            return xp.astype(a, self.float)
        if xp.isdtype(a.dtype, "bool"):
            return xp.astype(a, self.int)
        return a

    def _no_out(self, name: str, kwargs: dict) -> None:
        extra = [k for k, v in kwargs.items() if v is not None and not
                 (k == "where" and v is True)]
        if extra:
            raise cannot(f"np.{name}(..., {', '.join(f'{k}=' for k in extra)})", self.name)

    def sum(self, a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False,
            **kwargs: Any) -> Any:
        self._no_out("sum", kwargs)
        if isinstance(a, (list, tuple)) and not a:
            return self.asarray(0.0)
        return self.xp.sum(self._reduce_input(a, dtype), axis=_axes(axis), keepdims=keepdims)

    def prod(self, a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False,
             **kwargs: Any) -> Any:
        self._no_out("prod", kwargs)
        return self.xp.prod(self._reduce_input(a, dtype), axis=_axes(axis), keepdims=keepdims)

    def mean(self, a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False,
             **kwargs: Any) -> Any:
        self._no_out("mean", kwargs)
        return self.xp.mean(self._reduce_input(a, dtype, floating=True), axis=_axes(axis),
                            keepdims=keepdims)

    def var(self, a: Any, axis: Any = None, dtype: Any = None, ddof: float = 0,
            keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("var", kwargs)
        return self.xp.var(self._reduce_input(a, dtype, floating=True), axis=_axes(axis),
                           correction=ddof, keepdims=keepdims)

    def std(self, a: Any, axis: Any = None, dtype: Any = None, ddof: float = 0,
            keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("std", kwargs)
        return self.xp.std(self._reduce_input(a, dtype, floating=True), axis=_axes(axis),
                           correction=ddof, keepdims=keepdims)

    def max(self, a: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("max", kwargs)
        return self.xp.max(self.arr(a), axis=_axes(axis), keepdims=keepdims)

    def min(self, a: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("min", kwargs)
        return self.xp.min(self.arr(a), axis=_axes(axis), keepdims=keepdims)

    amax, amin = max, min

    def any(self, a: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("any", kwargs)
        return self.xp.any(self.arr(a), axis=_axes(axis), keepdims=keepdims)

    def all(self, a: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("all", kwargs)
        return self.xp.all(self.arr(a), axis=_axes(axis), keepdims=keepdims)

    def argmax(self, a: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("argmax", kwargs)
        a = self.arr(a)
        if axis is None:
            a = self.xp.reshape(a, (-1,))
        return self.xp.argmax(a, axis=axis, keepdims=keepdims)

    def argmin(self, a: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Any:
        self._no_out("argmin", kwargs)
        a = self.arr(a)
        if axis is None:
            a = self.xp.reshape(a, (-1,))
        return self.xp.argmin(a, axis=axis, keepdims=keepdims)

    def cumsum(self, a: Any, axis: Any = None, dtype: Any = None, **kwargs: Any) -> Any:
        self._no_out("cumsum", kwargs)
        a = self._reduce_input(a, dtype)
        if axis is None:
            a, axis = self.xp.reshape(a, (-1,)), 0
        return self.xp.cumulative_sum(a, axis=axis)

    def cumprod(self, a: Any, axis: Any = None, dtype: Any = None, **kwargs: Any) -> Any:
        self._no_out("cumprod", kwargs)
        a = self._reduce_input(a, dtype)
        if axis is None:
            a, axis = self.xp.reshape(a, (-1,)), 0
        return self.xp.cumulative_prod(a, axis=axis)

    def count_nonzero(self, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        a = self.arr(a)
        return self.xp.sum(self.xp.astype(a != 0, self.int), axis=_axes(axis),
                           keepdims=keepdims)

    # -- shapes ----------------------------------------------------------------------------
    def reshape(self, a: Any, *shape: Any, order: str = "C", newshape: Any = None) -> Any:
        if order not in ("C", "A"):
            raise cannot(f"np.reshape(..., order={order!r})", self.name)
        if newshape is not None:
            shape = (newshape,)
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return self.xp.reshape(self.arr(a), tuple(int(n) for n in shape))

    def ravel(self, a: Any, order: str = "C") -> Any:
        return self.reshape(a, (-1,), order=order)

    def transpose(self, a: Any, axes: Any = None) -> Any:
        a = self.arr(a)
        if a.ndim < 2 and axes is None:
            return a
        order = tuple(range(a.ndim))[::-1] if axes is None else tuple(axes)
        return self.xp.permute_dims(a, order)

    def swapaxes(self, a: Any, axis1: int, axis2: int) -> Any:
        a = self.arr(a)
        order = list(range(a.ndim))
        order[axis1], order[axis2] = order[axis2], order[axis1]
        return self.xp.permute_dims(a, tuple(order))

    def moveaxis(self, a: Any, source: Any, destination: Any) -> Any:
        return self.xp.moveaxis(self.arr(a), source, destination)

    def expand_dims(self, a: Any, axis: Any) -> Any:
        a = self.arr(a)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        ndim = a.ndim + len(axes)
        for ax in sorted(ax % ndim for ax in axes):
            a = self.xp.expand_dims(a, axis=ax)
        return a

    def squeeze(self, a: Any, axis: Any = None) -> Any:
        a = self.arr(a)
        if axis is None:
            axis = tuple(i for i, n in enumerate(a.shape) if n == 1)
            if not axis:
                return a
        return self.xp.squeeze(a, axis=axis)

    def broadcast_to(self, a: Any, shape: Any, subok: bool = False) -> Any:
        return self.xp.broadcast_to(self.arr(a), self._shape(shape))

    def broadcast_arrays(self, *args: Any) -> list[Any]:
        return list(self.xp.broadcast_arrays(*[self.arr(a) for a in args]))

    def atleast_1d(self, a: Any) -> Any:
        a = self.arr(a)
        return self.xp.reshape(a, (1,)) if a.ndim == 0 else a

    def atleast_2d(self, a: Any) -> Any:
        a = self.atleast_1d(a)
        return self.xp.expand_dims(a, axis=0) if a.ndim == 1 else a

    def _joined(self, arrays: Any) -> list[Any]:
        parts = [self.arr(a) for a in arrays]
        dtype = self.result_type(*parts) if parts else self.float
        return [p if p.dtype == dtype else self.xp.astype(p, dtype) for p in parts]

    def concatenate(self, arrays: Any, axis: Any = 0, **kwargs: Any) -> Any:
        self._no_out("concatenate", kwargs)
        parts = self._joined(arrays)
        if axis is None:
            parts, axis = [self.xp.reshape(p, (-1,)) for p in parts], 0
        return self.xp.concat(parts, axis=axis)

    def stack(self, arrays: Any, axis: int = 0, **kwargs: Any) -> Any:
        self._no_out("stack", kwargs)
        return self.xp.stack(self._joined(arrays), axis=axis)

    def hstack(self, arrays: Any) -> Any:
        parts = [self.atleast_1d(p) for p in arrays]
        return self.concatenate(parts, axis=0 if parts[0].ndim == 1 else 1)

    def vstack(self, arrays: Any) -> Any:
        return self.concatenate([self.atleast_2d(p) for p in arrays], axis=0)

    def split(self, a: Any, indices_or_sections: Any, axis: int = 0) -> list[Any]:
        a = self.arr(a)
        n = a.shape[axis]
        if isinstance(indices_or_sections, (int, np.integer)):
            sections = int(indices_or_sections)
            if n % sections:
                raise ValueError("array split does not result in an equal division")
            cuts = [n // sections * k for k in range(1, sections)]
        else:
            cuts = [int(c) for c in indices_or_sections]
        bounds = [0] + cuts + [n]
        lead = (slice(None),) * (axis % a.ndim)
        return [a[lead + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]

    def flip(self, a: Any, axis: Any = None) -> Any:
        return self.xp.flip(self.arr(a), axis=_axes(axis))

    def roll(self, a: Any, shift: Any, axis: Any = None) -> Any:
        return self.xp.roll(self.arr(a), shift, axis=_axes(axis))

    def tril(self, a: Any, k: int = 0) -> Any:
        return self.xp.tril(self.arr(a), k=k)

    def triu(self, a: Any, k: int = 0) -> Any:
        return self.xp.triu(self.arr(a), k=k)

    def take(self, a: Any, indices: Any, axis: Any = None, **kwargs: Any) -> Any:
        self._no_out("take", kwargs)
        a = self.arr(a)
        if axis is None:
            a, axis = self.xp.reshape(a, (-1,)), 0
        idx = self.arr(indices)
        flat = self.xp.take(a, self.xp.reshape(idx, (-1,)), axis=axis)
        shape = tuple(a.shape[:axis % a.ndim]) + tuple(idx.shape) + tuple(
            a.shape[axis % a.ndim + 1:])
        return self.xp.reshape(flat, shape)

    def take_along_axis(self, a: Any, indices: Any, axis: int) -> Any:
        return self.xp.take_along_axis(self.arr(a), self.arr(indices), axis=axis)

    def sort(self, a: Any, axis: int = -1, **kwargs: Any) -> Any:
        return self.xp.sort(self.arr(a), axis=axis)

    def argsort(self, a: Any, axis: int = -1, **kwargs: Any) -> Any:
        return self.xp.argsort(self.arr(a), axis=axis)

    def nonzero(self, a: Any) -> tuple:
        return tuple(self.xp.nonzero(self.arr(a)))

    def diff(self, a: Any, n: int = 1, axis: int = -1) -> Any:
        return self.xp.diff(self.arr(a), n=n, axis=axis)

    # -- products --------------------------------------------------------------------------
    def matmul(self, a: Any, b: Any, **kwargs: Any) -> Any:
        self._no_out("matmul", kwargs)
        a, b = self.operands(a, b)
        return self.xp.matmul(a, b)

    def dot(self, a: Any, b: Any, out: Any = None) -> Any:
        if out is not None:
            raise cannot("np.dot(..., out=)", self.name)
        a, b = self.operands(a, b)
        if a.ndim == 0 or b.ndim == 0:
            return a * b
        if b.ndim <= 2:
            return self.xp.matmul(a, b)
        return self.xp.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 2]))

    def vdot(self, a: Any, b: Any) -> Any:
        a, b = self.operands(a, b)
        return self.xp.sum(self.xp.reshape(self.xp.conj(a) if self.is_complex(a.dtype) else a,
                                           (-1,)) * self.xp.reshape(b, (-1,)))

    def inner(self, a: Any, b: Any) -> Any:
        a, b = self.operands(a, b)
        if a.ndim == 0 or b.ndim == 0:
            return a * b
        return self.xp.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))

    def outer(self, a: Any, b: Any, out: Any = None) -> Any:
        if out is not None:
            raise cannot("np.outer(..., out=)", self.name)
        a, b = self.operands(a, b)
        return self.xp.reshape(a, (-1, 1)) * self.xp.reshape(b, (1, -1))

    def tensordot(self, a: Any, b: Any, axes: Any = 2) -> Any:
        a, b = self.operands(a, b)
        return self.xp.tensordot(a, b, axes=axes)

    def trace(self, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, **kw: Any) -> Any:
        return self.sum(self.diagonal(a, offset, axis1, axis2), axis=-1)

    def diagonal(self, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        a = self.arr(a)
        order = [i for i in range(a.ndim) if i not in (axis1 % a.ndim, axis2 % a.ndim)]
        a = self.xp.permute_dims(a, tuple(order) + (axis1 % a.ndim, axis2 % a.ndim))
        return self.xp.linalg.diagonal(a, offset=offset)

    def einsum(self, subscripts: str, *operands: Any, **kwargs: Any) -> Any:
        fn = getattr(self.xp, "einsum", None) or getattr(self.native, "einsum", None)
        if fn is None:
            raise cannot("np.einsum", self.name, why="the namespace has no einsum")
        return fn(subscripts, *[self.arr(a) for a in operands], **kwargs)

    # -- scatter-add -------------------------------------------------------------------------
    def add_at(self, a: Any, index: Any, values: Any) -> Any:
        """``np.add.at(a, index, values)``: ``a`` with ``values`` added at ``index``
        (repeated indices add up); ``a`` itself when the library writes in place."""
        a = self.arr(a)
        values = self.like(values, a)
        parts = index if isinstance(index, tuple) else (index,)
        if all(_basic(p) for p in parts):  # no index can repeat
            a[index] = a[index] + values
            return a
        ints = [p for p in parts if not _basic(p)]
        if len(parts) == 1 and len(ints) == 1:
            idx = self.arr(parts[0])
            if self.xp.isdtype(idx.dtype, "bool"):
                a[idx] = a[idx] + values
                return a
            return self.written(a, self.scatter_add_rows(a, idx, values))
        raise cannot("np.add.at with several index arrays", self.name,
                     why="index with one integer array (the first axis)")

    def written(self, a: Any, new: Any) -> Any:
        """``new`` written into ``a`` (``np.add.at`` changes its argument) where the
        library writes in place; ``new`` itself otherwise."""
        if self.mutable:
            a[...] = new
            return a
        return new

    def scatter_add_rows(self, a: Any, idx: Any, values: Any) -> Any:
        """``a`` plus ``values`` added at rows ``idx`` of the first axis (generic: a
        one-hot contraction, exact in floating point up to summation order)."""
        xp = self.xp
        n = a.shape[0]
        flat = xp.reshape(idx, (-1,))
        flat = xp.where(flat < 0, flat + n, flat)
        shape = tuple(idx.shape) + tuple(a.shape[1:])
        values = xp.reshape(xp.broadcast_to(values, shape), (math.prod(idx.shape),)
                            + tuple(a.shape[1:]))
        onehot = xp.astype(xp.reshape(flat, (-1, 1)) == xp.reshape(
            xp.arange(n, device=self.device), (1, -1)), a.dtype)
        return a + xp.tensordot(onehot, values, axes=([0], [0]))


def _basic(part: Any) -> bool:
    return part is None or part is Ellipsis or isinstance(part, (int, np.integer, slice))
