"""NumPy's elementwise functions (ufuncs) on another array namespace.

After import, :class:`Elementwise` (a base of the namespace object) has one
method per NumPy ufunc generated code may call — ``np.sin``, ``np.arctan``,
``np.power``, ``np.logaddexp``, ``np.maximum``, comparisons, ... — under
NumPy's name, calling the array API's function (``atan``, ``pow``, ...).
Arguments may be Python scalars (weak: they take the other operand's dtype)
or NumPy arrays; the result is an array of the namespace.  ``out=`` and
``where=`` are refused with a :class:`~.errors.NamespaceError`.  ``np.add``,
``np.multiply`` and the other binary ufuncs are :class:`Ufunc` objects, so
``np.add.at`` (scatter-add, see ``arrays.py``), ``np.multiply.outer`` and
``np.add.reduce`` work too.  The ``op_*`` methods are Python's arithmetic
operators with NumPy's promotions (a bool array in arithmetic counts as 0/1),
which the loader uses for namespaces whose operators are strict.
"""

from __future__ import annotations

import builtins
import math
import operator
from typing import Any, Callable

import numpy as np

from .core import _dtype_kind
from .errors import cannot

#: NumPy name -> array API name, one argument.
UNARY = {
    "abs": "abs", "absolute": "abs", "fabs": "abs", "negative": "negative",
    "positive": "positive", "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin",
    "arccos": "acos", "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "exp": "exp",
    "expm1": "expm1", "log": "log", "log1p": "log1p", "log2": "log2", "log10": "log10",
    "sqrt": "sqrt", "square": "square", "sign": "sign", "floor": "floor", "ceil": "ceil",
    "trunc": "trunc", "fix": "trunc", "rint": "round", "isnan": "isnan",
    "isfinite": "isfinite", "isinf": "isinf", "logical_not": "logical_not",
    "reciprocal": "reciprocal", "conj": "conj", "conjugate": "conj", "real": "real",
    "imag": "imag", "signbit": "signbit",
}

#: NumPy name -> array API name, two arguments.
BINARY = {
    "add": "add", "subtract": "subtract", "multiply": "multiply", "divide": "divide",
    "true_divide": "divide", "floor_divide": "floor_divide", "power": "pow",
    "float_power": "pow", "mod": "remainder", "remainder": "remainder",
    "maximum": "maximum", "minimum": "minimum", "arctan2": "atan2", "hypot": "hypot",
    "logaddexp": "logaddexp", "copysign": "copysign", "nextafter": "nextafter",
    "equal": "equal", "not_equal": "not_equal", "less": "less", "less_equal": "less_equal",
    "greater": "greater", "greater_equal": "greater_equal", "logical_and": "logical_and",
    "logical_or": "logical_or", "logical_xor": "logical_xor",
}

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow, "matmul": operator.matmul,
}


def _refuse_options(ns: Any, name: str, kwargs: dict) -> None:
    extra = [k for k, v in kwargs.items() if not (k == "dtype" and v is None)]
    if extra:
        raise cannot(f"np.{name}(..., {', '.join(f'{k}=' for k in extra)})", ns.name,
                     why="generated code for other namespaces takes no output buffers or "
                         "masks")


def _unary(np_name: str, api_name: str) -> Callable[..., Any]:
    def fn(self: Any, x: Any, /, **kwargs: Any) -> Any:
        if kwargs:
            dtype = kwargs.pop("dtype", None)
            _refuse_options(self, np_name, kwargs)
            x = self.astype(x, dtype) if dtype is not None else x
        if type(x) in _PYTHON:
            return self.scalar_math(np_name, api_name, x)
        return getattr(self.xp, api_name)(self.arr(x))

    fn.__name__ = fn.__qualname__ = np_name
    return fn


def _binary(np_name: str, api_name: str) -> Callable[..., Any]:
    def fn(self: Any, a: Any, b: Any, /, **kwargs: Any) -> Any:
        if kwargs:
            _refuse_options(self, np_name, kwargs)
        a, b = self.operands(a, b)
        return getattr(self.xp, api_name)(a, b)

    fn.__name__ = fn.__qualname__ = np_name
    return fn


_PYTHON = (float, int, bool)


class Ufunc:
    """A binary NumPy ufunc of a namespace: callable, with ``at``, ``outer``, ``reduce``."""

    def __init__(self, ns: Any, name: str) -> None:
        self.ns = ns
        self.__name__ = name
        self.call = getattr(ns, "_ufunc_" + name)

    def __call__(self, a: Any, b: Any, /, **kwargs: Any) -> Any:
        return self.call(a, b, **kwargs)

    def __repr__(self) -> str:
        return f"<ufunc {self.__name__} on {self.ns.name}>"

    def outer(self, a: Any, b: Any) -> Any:
        a, b = self.ns.arr(a), self.ns.arr(b)
        xp = self.ns.xp
        return self.call(xp.reshape(a, tuple(a.shape) + (1,) * b.ndim), b)

    def reduce(self, a: Any, axis: Any = 0, keepdims: bool = False, **kwargs: Any) -> Any:
        reducers = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min",
                    "logical_and": "all", "logical_or": "any"}
        if self.__name__ not in reducers or kwargs:
            raise cannot(f"np.{self.__name__}.reduce", self.ns.name)
        return getattr(self.ns, reducers[self.__name__])(a, axis=axis, keepdims=keepdims)

    def at(self, a: Any, index: Any, b: Any = None) -> Any:
        if self.__name__ != "add":
            raise cannot(f"np.{self.__name__}.at", self.ns.name,
                         why="only np.add.at (a scatter-add) is supported")
        return self.ns.add_at(a, index, b)


class Elementwise:
    """NumPy's ufuncs (methods named as NumPy's) and NumPy-promoting operators."""

    def operands(self, a: Any, b: Any) -> tuple[Any, Any]:
        """Both operands as arrays; a scalar takes the other's dtype as NumPy's would."""
        arrays = self.ndarray
        if isinstance(a, arrays):
            if not isinstance(b, arrays):
                b = self.like(b, a)
            return self.same_kind(a, b) if a.dtype != b.dtype else (a, b)
        if isinstance(b, arrays):
            a = self.like(a, b)
            return self.same_kind(a, b) if a.dtype != b.dtype else (a, b)
        if type(a) in _PYTHON and type(b) in _PYTHON:  # both weak: the wider kind wins
            kind = float if float in (type(a), type(b)) else type(a) if type(a) is type(b) \
                else int
            return self.asarray(kind(a)), self.asarray(kind(b))
        a, b = self.arr(a), self.arr(b)
        return self.same_kind(a, b) if a.dtype != b.dtype else (a, b)

    def same_kind(self, a: Any, b: Any) -> tuple[Any, Any]:
        """Arrays of different kinds (bool, integer, floating) promoted as NumPy does: the
        array of the lower kind takes the other's dtype (the array API leaves it open)."""
        xp = self.xp
        ka, kb = _dtype_kind(xp, a.dtype), _dtype_kind(xp, b.dtype)
        if ka < kb:
            return xp.astype(a, b.dtype), b
        if kb < ka:
            return a, xp.astype(b, a.dtype)
        return a, b

    def scalar_math(self, np_name: str, api_name: str, x: Any) -> Any:
        """A ufunc of a Python number: NumPy gives a float64 scalar; here a 0-d array."""
        return getattr(self.xp, api_name)(self.asarray(x))

    def len(self, obj: Any, /) -> int:
        """The builtin ``len``; an array's first dimension (the array API has no len)."""
        if isinstance(obj, self.ndarray):
            return int(obj.shape[0])
        return builtins.len(obj)

    def exp2(self, x: Any, /) -> Any:
        x = self.arr(x)
        if not self.xp.isdtype(x.dtype, ("real floating", "complex floating")):
            x = self.xp.astype(x, self.float)
        return self.xp.pow(self.like(2.0, x), x)

    def cbrt(self, x: Any, /) -> Any:
        x = self.arr(x)
        return self.xp.sign(x) * self.xp.abs(x) ** (1.0 / 3.0)

    def logaddexp2(self, a: Any, b: Any, /) -> Any:
        a, b = self.operands(a, b)
        ln2 = math.log(2.0)
        return self.xp.logaddexp(a * ln2, b * ln2) / ln2

    def heaviside(self, x: Any, h0: Any, /) -> Any:
        x, h0 = self.operands(x, h0)
        one, zero = self.like(1.0, x), self.like(0.0, x)
        return self.xp.where(x > 0, one, self.xp.where(x < 0, zero, h0))

    def round(self, x: Any, decimals: int = 0, out: Any = None) -> Any:
        if out is not None:
            raise cannot("np.round(..., out=)", self.name)
        x = self.arr(x)
        if decimals == 0:
            return self.xp.round(x)
        scale = 10.0 ** decimals
        return self.xp.round(x * scale) / scale

    around = round

    def where(self, condition: Any, x: Any = None, y: Any = None, /) -> Any:
        if x is None and y is None:
            return self.nonzero(condition)
        condition = self.arr(condition)
        if not self.xp.isdtype(condition.dtype, "bool"):
            condition = condition != 0
        x, y = self.operands(x, y)
        if x.dtype != y.dtype:
            dtype = self.xp.result_type(x.dtype, y.dtype)
            x, y = self.xp.astype(x, dtype), self.xp.astype(y, dtype)
        return self.xp.where(condition, x, y)

    def clip(self, a: Any, a_min: Any = None, a_max: Any = None, out: Any = None,
             **kwargs: Any) -> Any:
        if out is not None or kwargs:
            raise cannot("np.clip(..., out=)", self.name)
        a = self.arr(a)
        lo = None if a_min is None else self.like(a_min, a)
        hi = None if a_max is None else self.like(a_max, a)
        if lo is not None:
            a = self.xp.maximum(a, self.xp.astype(lo, a.dtype))
        if hi is not None:
            a = self.xp.minimum(a, self.xp.astype(hi, a.dtype))
        return a

    def isclose(self, a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Any:
        a, b = self.operands(a, b)
        return self.xp.abs(a - b) <= atol + rtol * self.xp.abs(b)

    def allclose(self, a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return bool(self.xp.all(self.isclose(a, b, rtol, atol)))

    # -- operators with NumPy's promotions ---------------------------------------------------
    def numeric(self, a: Any, b: Any) -> tuple[Any, Any]:
        """Operands for arithmetic: bool arrays counted as numbers, scalars weak."""
        xp = self.xp
        arrays = self.ndarray
        if isinstance(a, arrays) and xp.isdtype(a.dtype, "bool"):
            a = xp.astype(a, b.dtype if isinstance(b, arrays) and not
                          xp.isdtype(b.dtype, "bool") else self.scalar_dtype(b))
        if isinstance(b, arrays) and xp.isdtype(b.dtype, "bool"):
            b = xp.astype(b, a.dtype if isinstance(a, arrays) else self.scalar_dtype(a))
        if isinstance(a, arrays) and isinstance(b, _PYTHON) and not \
                isinstance(b, bool) and not (isinstance(b, float) and
                                             xp.isdtype(a.dtype, "integral")):
            return a, b
        if isinstance(b, arrays) and isinstance(a, _PYTHON) and not \
                isinstance(a, bool) and not (isinstance(a, float) and
                                             xp.isdtype(b.dtype, "integral")):
            return a, b
        return self.operands(a, b)


def _augmented(name: str, op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    inplace = getattr(operator, "i" + name)

    def fn(self: Any, a: Any, b: Any) -> Any:
        arrays = self.ndarray
        if not isinstance(a, arrays):
            if type(a) is np.ndarray:
                a = self.from_numpy(a)
            elif not isinstance(b, arrays) and type(b) is not np.ndarray:
                return inplace(a, b)  # lists extend in place, numbers as Python does
        result = getattr(self, "op_" + name)(a, b) if self.strict else op(a, b)
        if isinstance(a, arrays) and result.dtype != a.dtype and \
                self.xp.isdtype(a.dtype, ("real floating", "complex floating")):
            result = self.xp.astype(result, a.dtype)  # NumPy's in-place keeps a's dtype
        return result

    fn.__name__ = fn.__qualname__ = "iop_" + name
    return fn


def _operator(name: str, op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def fn(self: Any, a: Any, b: Any) -> Any:
        arrays = self.ndarray
        if not isinstance(a, arrays) and not isinstance(b, arrays):
            if isinstance(a, (list, tuple, str)) or isinstance(b, (list, tuple, str)):
                return op(a, b)
            if type(a) in _PYTHON and type(b) in _PYTHON:
                return op(a, b)
        a, b = self.numeric(a, b)
        return op(a, b)

    fn.__name__ = fn.__qualname__ = "op_" + name
    return fn


for _np_name, _api_name in UNARY.items():
    setattr(Elementwise, _np_name, _unary(_np_name, _api_name))
for _np_name, _api_name in BINARY.items():
    setattr(Elementwise, "_ufunc_" + _np_name, _binary(_np_name, _api_name))
for _name, _op in _OPERATORS.items():
    setattr(Elementwise, "op_" + _name, _operator(_name, _op))
    setattr(Elementwise, "iop_" + _name, _augmented(_name, _op))
del _np_name, _api_name, _name, _op
