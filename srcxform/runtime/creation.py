"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, ``randn`` ...

After import, every factory here returns a new leaf tensor.  Python floats
(and lists of them) become the default dtype (float32 unless changed), Python
ints int64, NumPy arrays keep their dtype; ``requires_grad=True`` is accepted
for floating dtypes only, with PyTorch's error otherwise.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import dtypes, graph, messages
from .random import Generator, numpy_generator
from .shape_ops import shape_arg

Tensor = Any  # the class lives in tensor_class.py; factories only build through graph.wrap


def _leaf(value: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and value.dtype.kind not in "fc":
        raise RuntimeError(messages.INT_REQUIRES_GRAD_FACTORY)
    if requires_grad and value.dtype.kind == "c":
        raise RuntimeError(messages.COMPLEX_REQUIRES_GRAD)
    return graph.wrap(value, bool(requires_grad))


def _nested_values(data: Any) -> Any:
    if isinstance(data, graph.TensorType):
        return data._value
    if isinstance(data, (list, tuple)):
        return [_nested_values(d) for d in data]
    return data


def _infer(data: Any) -> np.ndarray:
    """The array PyTorch would build from ``data`` (float64 from Python floats → default)."""
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    arr = np.array(_nested_values(data))
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if arr.dtype == dtypes.F64:
        return arr.astype(dtypes.default_numpy_dtype())
    if arr.dtype.kind == "c" and dtypes.default_numpy_dtype() == dtypes.F32:
        return arr.astype(np.complex64)
    return arr


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data``."""
    if isinstance(data, graph.TensorType):
        warnings.warn(messages.COPY_CONSTRUCT, UserWarning, stacklevel=2)
        value = data._value.copy()
    else:
        value = _infer(data)
    if dtype is not None:
        value = value.astype(dtypes.to_numpy_dtype(dtype), copy=False)
    return _leaf(value, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory with a tensor or array when the dtype fits."""
    nd = None if dtype is None else dtypes.to_numpy_dtype(dtype)
    if isinstance(data, graph.TensorType):
        return data if nd is None or data._value.dtype == nd else data.to(nd)
    if isinstance(data, np.ndarray):
        return graph.wrap(data if nd is None else data.astype(nd, copy=False))
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory and dtype."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return graph.wrap(ndarray)


def is_tensor(obj: Any) -> bool:
    """True for a tensor."""
    return isinstance(obj, graph.TensorType)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


def _float(dtype: Any) -> np.dtype:
    return dtypes.default_numpy_dtype() if dtype is None else dtypes.to_numpy_dtype(dtype)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return _leaf(np.zeros(shape_arg(size), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _leaf(np.ones(shape_arg(size), _float(dtype)), requires_grad)


empty = zeros


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype from the value)."""
    if dtype is None:
        nd = _infer(fill_value).dtype
    else:
        nd = dtypes.to_numpy_dtype(dtype)
    return _leaf(np.full(shape_arg((size,)), graph.unwrap(fill_value), nd), requires_grad)


def _like(input: Any, dtype: Any) -> tuple[tuple, np.dtype]:
    raw = graph.unwrap(input)
    return np.shape(raw), (np.asarray(raw).dtype if dtype is None else dtypes.to_numpy_dtype(dtype))


def zeros_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape and dtype."""
    shape, nd = _like(input, dtype)
    return _leaf(np.zeros(shape, nd), requires_grad)


def ones_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape and dtype."""
    shape, nd = _like(input, dtype)
    return _leaf(np.ones(shape, nd), requires_grad)


empty_like = zeros_like


def full_like(input: Any, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``input``'s shape and dtype."""
    shape, nd = _like(input, dtype)
    return _leaf(np.full(shape, fill_value, nd), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (default 0) up to, not including, ``end`` by ``step``."""
    if end is None:
        start, end = 0, start
    whole = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    nd = (np.dtype(np.int64) if whole else dtypes.default_numpy_dtype()) if dtype is None \
        else dtypes.to_numpy_dtype(dtype)
    return _leaf(np.arange(start, end, step).astype(nd), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _leaf(np.linspace(start, end, steps).astype(_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n`` by ``m`` identity matrix."""
    return _leaf(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Samples from U[0, 1) of shape ``size``."""
    nd = _float(dtype)
    value = numpy_generator(generator).random(shape_arg(size), dtype=np.float64).astype(nd)
    return _leaf(value, requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Samples from N(0, 1) of shape ``size``."""
    nd = _float(dtype)
    value = numpy_generator(generator).standard_normal(shape_arg(size)).astype(nd)
    return _leaf(value, requires_grad)


def rand_like(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from U[0, 1) of ``input``'s shape and dtype."""
    shape, nd = _like(input, dtype)
    return rand(shape, dtype=nd, requires_grad=requires_grad)


def randn_like(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from N(0, 1) of ``input``'s shape and dtype."""
    shape, nd = _like(input, dtype)
    return randn(shape, dtype=nd, requires_grad=requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), generator: Generator | None = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    if high is None:
        low, high = 0, low
    nd = np.dtype(np.int64) if dtype is None else dtypes.to_numpy_dtype(dtype)
    value = numpy_generator(generator).integers(low, high, shape_arg((size,))).astype(nd)
    return _leaf(value, requires_grad)


def randperm(n: int, generator: Generator | None = None, dtype: Any = None,
             device: Any = None) -> Tensor:
    """A random permutation of 0 .. n-1."""
    nd = np.dtype(np.int64) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return graph.wrap(numpy_generator(generator).permutation(n).astype(nd))
