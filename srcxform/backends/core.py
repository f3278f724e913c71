"""NumPy's conversions, dtypes, constants and array creation on another array namespace.

After import, :class:`Core` is the base of every namespace object: it holds
the array-API namespace ``xp`` (as ``array_api_compat`` gives it), the device
arrays are made on and the floating dtype Python floats become (the
arguments'), and answers NumPy's spellings of

* conversion: ``asarray``/``array`` (a NumPy array, a Python or NumPy scalar,
  a nested list, a list of arrays) always give an array of ``xp`` on the
  device; :meth:`Core.arr` is the cheap form the other parts call;
* dtypes: ``np.float64``, ``float``, ``np.result_type(...)``, ``dtype=`` of
  any of NumPy's spellings map to ``xp``'s dtypes (:meth:`Core.dtype_of`);
* creation: ``zeros``, ``ones``, ``empty``, ``full`` and their ``_like``
  forms, ``arange``, ``linspace``, ``eye``/``identity``, on the device, with
  NumPy's default dtypes (a Python float is the arguments' floating dtype);
* constants: ``pi``, ``e``, ``inf``, ``nan``, ``newaxis``.

Python scalars are weak, as in NumPy: combined with an array they take its
dtype (:meth:`Core.like`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import cannot

SCALARS = (float, int, bool, complex)
_NUMPY_SCALAR = np.generic


def _scalar_kind(value: Any) -> int:
    return 0 if isinstance(value, bool) else 1 if isinstance(value, int) else \
        2 if isinstance(value, float) else 3


def _dtype_kind(xp: Any, dtype: Any) -> int:
    if xp.isdtype(dtype, "bool"):
        return 0
    if xp.isdtype(dtype, "integral"):
        return 1
    return 2 if xp.isdtype(dtype, "real floating") else 3


class Core:
    """The state of one namespace object and NumPy's conversions and creation."""

    newaxis = None
    pi = math.pi
    e = math.e
    inf = math.inf
    nan = math.nan
    euler_gamma = float(np.euler_gamma)

    #: Library-level facts, overridden per library (``libraries.py``).
    library = "array-api"
    mutable = True  # arrays support ``a[i] = v``
    strict = False  # operators refuse NumPy's mixed promotions (bool arithmetic, ...)

    def __init__(self, xp: Any, device: Any, float_dtype: Any, array_types: tuple) -> None:
        self.xp = xp
        self.device = device
        self.float = float_dtype
        self.ndarray = array_types
        self.int = xp.int64
        self.bool_ = self.bool = xp.bool
        self.float64, self.float32 = xp.float64, xp.float32
        self.float_ = self.double = xp.float64
        self.int64, self.int32, self.intp = xp.int64, xp.int32, xp.int64
        self.complex128 = getattr(xp, "complex128", None)
        self.complex64 = getattr(xp, "complex64", None)
        self.name = self.library

    def __repr__(self) -> str:
        return f"<srcxform namespace {self.name} on {self.device} ({self.float})>"

    # -- dtypes --------------------------------------------------------------------------
    def dtype_of(self, dtype: Any) -> Any:
        """``xp``'s dtype for any of NumPy's spellings of a dtype (None stays None)."""
        if dtype is None:
            return None
        if dtype is float:
            return self.xp.float64
        if dtype is int:
            return self.xp.int64
        if dtype is bool:
            return self.xp.bool
        if dtype is complex:
            return self.complex128
        try:
            name = np.dtype(dtype).name
        except TypeError:
            return dtype  # already one of xp's dtypes
        found = getattr(self.xp, "bool" if name == "bool" else name, None)
        if found is None:
            raise cannot(f"dtype {name}", self.name)
        return found

    def is_floating(self, dtype: Any) -> bool:
        return self.xp.isdtype(dtype, "real floating")

    def is_complex(self, dtype: Any) -> bool:
        return self.xp.isdtype(dtype, "complex floating")

    def scalar_dtype(self, value: Any) -> Any:
        """The dtype a Python or NumPy scalar becomes on its own."""
        if isinstance(value, bool) or isinstance(value, np.bool_):
            return self.xp.bool
        if isinstance(value, (int, np.integer)):
            return self.int
        if isinstance(value, complex) or isinstance(value, np.complexfloating):
            return self.complex128 if self.float == self.xp.float64 else self.complex64
        if isinstance(value, np.floating) and value.dtype == np.float32:
            return self.xp.float32
        return self.float

    def result_type(self, *args: Any) -> Any:
        """``np.result_type``: dtypes of arrays and dtypes; scalars are weak."""
        found = []
        for a in args:
            if isinstance(a, self.ndarray):
                found.append(a.dtype)
            elif isinstance(a, np.ndarray):
                found.append(self.dtype_of(a.dtype))
            elif isinstance(a, SCALARS) or isinstance(a, _NUMPY_SCALAR):
                continue
            else:
                found.append(self.dtype_of(a))
        if not found:
            return self.scalar_dtype(args[0]) if args else self.float
        return self.xp.result_type(*found)

    #: NumPy's abstract scalar types, as the array API's kinds (for ``issubdtype``).
    floating = "real floating"
    complexfloating = "complex floating"
    inexact = ("real floating", "complex floating")
    integer = "integral"
    signedinteger = "signed integer"
    unsignedinteger = "unsigned integer"
    number = "numeric"

    def issubdtype(self, dtype: Any, kind: Any) -> bool:
        """``np.issubdtype``: ``kind`` an abstract type (``np.floating``) or a dtype."""
        dtype = dtype.dtype if isinstance(dtype, self.ndarray) else self.dtype_of(dtype)
        if isinstance(kind, (str, tuple)):
            return self.xp.isdtype(dtype, kind)
        return dtype == self.dtype_of(kind)

    def iscomplexobj(self, a: Any) -> bool:
        if isinstance(a, self.ndarray):
            return self.is_complex(a.dtype)
        return isinstance(a, complex) or np.iscomplexobj(a)

    def isrealobj(self, a: Any) -> bool:
        return not self.iscomplexobj(a)

    def promote_types(self, a: Any, b: Any) -> Any:
        return self.xp.result_type(self.dtype_of(a), self.dtype_of(b))

    def can_cast(self, a: Any, b: Any, casting: str = "safe") -> bool:
        return self.xp.can_cast(self.dtype_of(a), self.dtype_of(b))

    def finfo(self, dtype: Any) -> Any:
        return self.xp.finfo(self.dtype_of(dtype) if not isinstance(dtype, self.ndarray)
                             else dtype.dtype)

    def iinfo(self, dtype: Any) -> Any:
        return self.xp.iinfo(self.dtype_of(dtype))

    # -- conversion ----------------------------------------------------------------------
    def arr(self, a: Any) -> Any:
        """``a`` as an array of this namespace (arrays of it pass through untouched)."""
        if isinstance(a, self.ndarray):
            return a
        return self.asarray(a)

    def like(self, a: Any, other: Any) -> Any:
        """``a`` as an array; a Python scalar takes ``other``'s dtype where NumPy's would
        (when its kind — bool, integer, floating, complex — is not above the array's)."""
        if isinstance(a, self.ndarray):
            return a
        if isinstance(a, SCALARS) and isinstance(other, self.ndarray):
            dtype = other.dtype
            if _scalar_kind(a) > _dtype_kind(self.xp, dtype):
                dtype = self.scalar_dtype(a)
            return self.xp.asarray(a, dtype=dtype, device=self.device)
        return self.asarray(a)

    def from_numpy(self, a: np.ndarray) -> Any:
        """A NumPy array as an array of this namespace on its device."""
        return self.xp.asarray(a, device=self.device)

    def asarray(self, a: Any, dtype: Any = None, order: Any = None, copy: Any = None) -> Any:
        """``np.asarray``: any array-like as an array of this namespace."""
        dtype = self.dtype_of(dtype)
        xp = self.xp
        if isinstance(a, self.ndarray):
            out = a
        elif isinstance(a, np.ndarray):
            out = self.from_numpy(a)
        elif isinstance(a, SCALARS) or isinstance(a, _NUMPY_SCALAR):
            return xp.asarray(a.item() if isinstance(a, _NUMPY_SCALAR) else a,
                              dtype=dtype if dtype is not None else self.scalar_dtype(a),
                              device=self.device)
        elif isinstance(a, (list, tuple)):
            out = self._from_sequence(a)
        elif hasattr(a, "__array_namespace__") or hasattr(a, "__dlpack__"):
            out = xp.asarray(a, device=self.device)
        else:
            out = self.from_numpy(np.asarray(a))
        if dtype is not None and out.dtype != dtype:
            out = xp.astype(out, dtype)
        if copy:
            out = xp.asarray(out, copy=True)
        return out

    def array(self, a: Any, dtype: Any = None, copy: bool = True, ndmin: int = 0,
              **kwargs: Any) -> Any:
        """``np.array``: a new array (a copy) of this namespace."""
        if kwargs:
            raise cannot(f"np.array(..., {', '.join(kwargs)}=...)", self.name)
        out = self.asarray(a, dtype=dtype)
        if copy and out is a:
            out = self.xp.asarray(out, copy=True)
        while out.ndim < ndmin:
            out = self.xp.expand_dims(out, axis=0)
        return out

    asanyarray = ascontiguousarray = asarray

    def _from_sequence(self, seq: Any) -> Any:
        if any(isinstance(e, self.ndarray) or isinstance(e, (list, tuple, np.ndarray))
               for e in seq):
            parts = [self.arr(e) for e in seq]
            if not parts:
                return self.xp.asarray(np.zeros(0), device=self.device)
            dtype = self.result_type(*parts)
            return self.xp.stack([p if p.dtype == dtype else self.xp.astype(p, dtype)
                                  for p in parts])
        values = list(seq)
        if not values:
            return self.xp.zeros((0,), dtype=self.float, device=self.device)
        dtype = self.scalar_dtype(values[0])
        for v in values[1:]:
            dtype = self.xp.result_type(dtype, self.scalar_dtype(v))
        return self.xp.asarray([v.item() if isinstance(v, _NUMPY_SCALAR) else v
                                for v in values], dtype=dtype, device=self.device)

    def copy(self, a: Any, order: Any = None) -> Any:
        return self.xp.asarray(self.arr(a), copy=True)

    def sum_rows(self, a: Any, keepdims: bool = False) -> Any:
        """``rules/reductions.sum_rows``: ``np.sum(a, axis=1, keepdims=keepdims)`` here."""
        return self.sum(a, axis=1, keepdims=keepdims)

    def sum_columns(self, a: Any, keepdims: bool = False) -> Any:
        """``rules/reductions.sum_columns``: ``np.sum(a, axis=0, keepdims=keepdims)``."""
        return self.sum(a, axis=0, keepdims=keepdims)

    def writable(self, array: Any) -> Any:
        """``compiler/support.writable``: another library's arrays are used as they are."""
        if type(array) is np.ndarray:
            from ..compiler.support import writable

            return writable(array)
        return array

    def complex_adjoints(self, *values: Any, inside: bool = False) -> Any:
        """``compiler/support.complex_adjoints`` for this namespace: None, or this
        namespace's complex dtype when a value (an array, a number, a list of them) is
        complex or ``inside`` (the function makes complex values itself)."""
        if inside or any(self._holds_complex(v) for v in values):
            return self.complex128 if self.float == self.xp.float64 else self.complex64
        return None

    def _holds_complex(self, value: Any) -> bool:
        if isinstance(value, (list, tuple)):
            return any(self._holds_complex(v) for v in value)
        if isinstance(value, dict):
            return any(self._holds_complex(v) for v in value.values())
        return self.iscomplexobj(value)

    def widened(self, value: Any, dtype: Any) -> Any:
        """``compiler/support.widened`` for this namespace: a real array as ``dtype``."""
        if type(value) is np.ndarray:
            from ..compiler.support import widened

            return widened(value, dtype)
        if isinstance(value, self.ndarray) and not self.is_complex(value.dtype):
            return self.xp.astype(value, dtype)
        return value

    def copy_with_views(self, array: Any, *views: Any) -> tuple:
        """``compiler/support.copy_with_views`` for this namespace: a copy of ``array`` for
        ``vjp``'s backward sweep to restore elements into.  A view of it the sweep reads
        cannot be rebased onto the copy here, so one that may share its memory is refused
        (an immutable library's arrays share none that can be written)."""
        if array is None or isinstance(array, list):
            return (array if array is None else array.copy(), *views)
        if type(array) is np.ndarray:
            from ..compiler.support import copy_with_views

            return copy_with_views(array, *views)
        if self.mutable and any(v is array or isinstance(v, self.ndarray) and
                                _may_share(v, array) for v in _flat(views)):
            raise cannot("vjp of code that reads a view of an array it writes into",
                         self.name, why="a view cannot be rebased onto a copy of the array")
        return (self.copy(array), *views)

    def astype(self, a: Any, dtype: Any, copy: bool = True, **kwargs: Any) -> Any:
        return self.xp.astype(self.arr(a), self.dtype_of(dtype))

    # -- creation ------------------------------------------------------------------------
    def _shape(self, shape: Any) -> tuple:
        return (int(shape),) if isinstance(shape, (int, np.integer)) else \
            tuple(int(n) for n in shape)

    def zeros(self, shape: Any, dtype: Any = None, order: Any = None, **kw: Any) -> Any:
        return self.xp.zeros(self._shape(shape), dtype=self.dtype_of(dtype) or self.float,
                             device=self.device)

    def ones(self, shape: Any, dtype: Any = None, order: Any = None, **kw: Any) -> Any:
        return self.xp.ones(self._shape(shape), dtype=self.dtype_of(dtype) or self.float,
                            device=self.device)

    def empty(self, shape: Any, dtype: Any = None, order: Any = None, **kw: Any) -> Any:
        return self.zeros(shape, dtype)

    def full(self, shape: Any, fill_value: Any, dtype: Any = None, order: Any = None,
             **kw: Any) -> Any:
        dtype = self.dtype_of(dtype)
        if isinstance(fill_value, self.ndarray) or isinstance(fill_value, np.ndarray):
            value = self.arr(fill_value)
            if dtype is not None:
                value = self.xp.astype(value, dtype)
            return self.xp.asarray(self.xp.broadcast_to(value, self._shape(shape)), copy=True)
        return self.xp.full(self._shape(shape), fill_value,
                            dtype=dtype or self.scalar_dtype(fill_value), device=self.device)

    def _like_dtype(self, a: Any, dtype: Any) -> Any:
        if dtype is not None:
            return self.dtype_of(dtype)
        if isinstance(a, self.ndarray):
            return a.dtype
        if isinstance(a, np.ndarray):
            return self.dtype_of(a.dtype)
        if isinstance(a, SCALARS) or isinstance(a, _NUMPY_SCALAR):
            return self.scalar_dtype(a)
        return self.arr(a).dtype

    def _like_shape(self, a: Any, shape: Any) -> tuple:
        if shape is not None:
            return self._shape(shape)
        return tuple(a.shape) if hasattr(a, "shape") else tuple(np.shape(a))

    def zeros_like(self, a: Any, dtype: Any = None, order: Any = None, subok: Any = None,
                   shape: Any = None) -> Any:
        return self.xp.zeros(self._like_shape(a, shape), dtype=self._like_dtype(a, dtype),
                             device=self.device)

    def ones_like(self, a: Any, dtype: Any = None, order: Any = None, subok: Any = None,
                  shape: Any = None) -> Any:
        return self.xp.ones(self._like_shape(a, shape), dtype=self._like_dtype(a, dtype),
                            device=self.device)

    empty_like = zeros_like

    def full_like(self, a: Any, fill_value: Any, dtype: Any = None, order: Any = None,
                  subok: Any = None, shape: Any = None) -> Any:
        return self.full(self._like_shape(a, shape), fill_value,
                         dtype=self._like_dtype(a, dtype))

    def arange(self, start: Any, stop: Any = None, step: Any = None, dtype: Any = None,
               **kw: Any) -> Any:
        values = [v for v in (start, stop, step) if v is not None]
        if dtype is None:
            dtype = self.float if any(isinstance(v, (float, np.floating)) for v in values) \
                else self.int
        return self.xp.arange(start, stop, step if step is not None else 1,
                              dtype=self.dtype_of(dtype), device=self.device)

    def linspace(self, start: Any, stop: Any, num: int = 50, endpoint: bool = True,
                 dtype: Any = None, **kw: Any) -> Any:
        if kw:
            raise cannot(f"np.linspace(..., {', '.join(kw)}=...)", self.name)
        return self.xp.linspace(start, stop, num, endpoint=endpoint,
                                dtype=self.dtype_of(dtype) or self.float, device=self.device)

    def eye(self, n: int, m: Any = None, k: int = 0, dtype: Any = None, **kw: Any) -> Any:
        return self.xp.eye(n, m, k=k, dtype=self.dtype_of(dtype) or self.float,
                           device=self.device)

    def identity(self, n: int, dtype: Any = None) -> Any:
        return self.eye(n, dtype=dtype)

    # -- shape questions -----------------------------------------------------------------
    def shape(self, a: Any) -> tuple:
        if isinstance(a, self.ndarray):
            return tuple(a.shape)
        return tuple(np.shape(a)) if not isinstance(a, (list, tuple)) \
            else tuple(self.arr(a).shape)

    def ndim(self, a: Any) -> int:
        return len(self.shape(a))

    def size(self, a: Any, axis: Any = None) -> int:
        shape = self.shape(a)
        return math.prod(shape) if axis is None else shape[axis]

    def isscalar(self, a: Any) -> bool:
        return isinstance(a, SCALARS) or isinstance(a, _NUMPY_SCALAR)

    def broadcast_shapes(self, *shapes: Any) -> tuple:
        return np.broadcast_shapes(*shapes)

    def errstate(self, **kwargs: Any) -> Any:
        return np.errstate(**kwargs)


def _may_share(a: Any, b: Any) -> bool:
    """Whether arrays ``a`` and ``b`` of another library may share memory (True when it
    cannot be told)."""
    storage = getattr(a, "untyped_storage", None)
    if storage is not None:  # torch
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    try:
        return bool(np.shares_memory(np.asarray(a), np.asarray(b)))
    except Exception:  # noqa: BLE001 - no host view of its memory: assume it may
        return True


def _flat(views: Any) -> Any:
    """The arrays of ``views``, with those in lists and tuples (a tape of views) each."""
    for v in views:
        if type(v) in (list, tuple):
            yield from _flat(v)
        else:
            yield v
