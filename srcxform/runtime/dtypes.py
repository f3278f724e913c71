"""Data types, sizes and the device of the eager runtime.

After import: ``float32``, ``float64``, ``int64``, ``bool`` ... are
:class:`dtype` objects that print as PyTorch's (``torch.float32``), compare
equal to the matching NumPy dtype and are accepted by NumPy wherever it takes
a dtype (each carries ``.dtype``).  ``get_default_dtype``/``set_default_dtype``
read and set the floating dtype given to Python floats (float32 at start, as
in PyTorch).  :class:`Size` is the tuple that ``Tensor.shape`` returns.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class dtype:  # noqa: N801  (PyTorch's spelling)
    """A tensor element type, a thin handle on a NumPy dtype."""

    __slots__ = ("name", "dtype", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype: np.dtype) -> None:
        self.name = name
        self.dtype = np_dtype
        self.is_floating_point = np_dtype.kind == "f"
        self.is_complex = np_dtype.kind == "c"
        self.is_signed = np_dtype.kind in "ifc"
        self.itemsize = np_dtype.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __eq__(self, other: object) -> builtins.bool:
        if isinstance(other, dtype):
            return self.dtype == other.dtype
        try:
            return self.dtype == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __reduce__(self) -> tuple:
        return (as_dtype, (self.name,))


_BY_NUMPY: dict[np.dtype, dtype] = {}
_BY_NAME: dict[str, dtype] = {}


def _make(name: str, np_type: Any, *aliases: str) -> dtype:
    d = dtype(name, np.dtype(np_type))
    _BY_NUMPY[d.dtype] = d
    for n in (name, *aliases):
        _BY_NAME[n] = d
    return d


float16 = _make("float16", np.float16, "half")
float32 = _make("float32", np.float32, "float")
float64 = _make("float64", np.float64, "double")
complex64 = _make("complex64", np.complex64, "cfloat")
complex128 = _make("complex128", np.complex128, "cdouble")
uint8 = _make("uint8", np.uint8)
int8 = _make("int8", np.int8)
int16 = _make("int16", np.int16, "short")
int32 = _make("int32", np.int32, "int")
int64 = _make("int64", np.int64, "long")
bool_ = _make("bool", np.bool_)
half, float_, double, cfloat, cdouble = float16, float32, float64, complex64, complex128
short, int_, long = int16, int32, int64

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
_default = [F32]


def as_dtype(d: Any) -> dtype:
    """The :class:`dtype` of a dtype object, NumPy dtype, type or name."""
    if isinstance(d, dtype):
        return d
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    try:
        return _BY_NUMPY[np.dtype(d)]
    except (KeyError, TypeError):
        raise TypeError(f"unsupported dtype: {d!r}") from None


def to_numpy_dtype(d: Any) -> np.dtype:
    """The NumPy dtype of anything :func:`as_dtype` accepts."""
    return d.dtype if isinstance(d, dtype) else as_dtype(d).dtype


def of_array(a: np.ndarray) -> dtype:
    """The :class:`dtype` of a NumPy array."""
    try:
        return _BY_NUMPY[a.dtype]
    except KeyError:
        d = dtype(str(a.dtype), a.dtype)
        _BY_NUMPY[a.dtype] = d
        return d


def get_default_dtype() -> dtype:
    """The floating dtype Python floats become (``float32`` unless changed)."""
    return _BY_NUMPY[_default[0]]


def default_numpy_dtype() -> np.dtype:
    """The NumPy dtype of :func:`get_default_dtype` (the hot-path form)."""
    return _default[0]


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (``float32`` or ``float64``) the dtype of Python floats."""
    nd = to_numpy_dtype(d)
    if nd not in (F32, F64, np.dtype(np.float16)):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = nd


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n


class device:  # noqa: N801  (PyTorch's spelling)
    """The only device of this runtime: the CPU."""

    __slots__ = ("type", "index")

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:  # noqa: A002
        name = str(type).split(":")[0]
        if name != "cpu":
            raise RuntimeError(f"srcxform runs on the CPU only, not on {type!r}")
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, (device, str)) and str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


CPU = device("cpu")
