"""Arithmetic, elementwise functions, reductions and products on tensors.

After import, each function here records one primitive of the rule table
(``graph.record``) and names its node as PyTorch would (``RsubBackward1`` for
``2 - x``, ``SumBackward1`` for a sum over a dimension, ``MvBackward0`` for a
matrix-vector product ...).  They serve as operators, Tensor methods and
top-level functions alike.  NumPy's shape errors come out as PyTorch's
``RuntimeError`` messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import rules
from ..rules import nn as nn_rules
from . import graph, messages, shape_ops
from .dims import check_dim
from .dtypes import to_numpy_dtype
from .graph import record, wrap

#: The Tensor class (tensor_class.py imports this module, so it is not imported here).
Tensor = Any


_rule = rules.lookup
ADD, SUB, MUL, DIV = _rule(np.add), _rule(np.subtract), _rule(np.multiply), _rule(np.true_divide)
POW, NEG, MOD, MATMUL = _rule(np.power), _rule(np.negative), _rule(np.remainder), _rule(np.matmul)
SUM, MEAN, PROD, MAX, MIN = (_rule(np.sum), _rule(np.mean), _rule(np.prod), _rule(np.max),
                             _rule(np.min))
VAR, STD, CLIP, WHERE = _rule(np.var), _rule(np.std), _rule(np.clip), _rule(np.where)
DOT, OUTER, NORM = _rule(np.dot), _rule(np.outer), _rule(np.linalg.norm)
MAXIMUM, MINIMUM = _rule(np.maximum), _rule(np.minimum)

NUMBER = (int, float, bool, complex, np.ndarray, np.generic)


def is_operand(x: Any) -> bool:
    """True for what a binary operator accepts next to a tensor."""
    return isinstance(x, NUMBER) or isinstance(x, graph.TensorType)


def shape_of(x: Any) -> tuple:
    return tuple(np.shape(graph.unwrap(x)))


def binary(fn: Any, rule: rules.Rule, a: Any, b: Any, name: str | None = None) -> Tensor:
    """Record ``fn(a, b)``; shapes that do not broadcast raise PyTorch's error."""
    try:
        return record(fn, rule, (a, b), None, name)
    except ValueError:
        msg = messages.broadcast_mismatch(shape_of(a), shape_of(b))
        if msg is None:
            raise
        raise RuntimeError(msg) from None


def _scaled(other: Any, alpha: Any) -> Any:
    return other if alpha == 1 else other * alpha


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input + alpha * other."""
    return binary(np.add, ADD, input, _scaled(other, alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input - alpha * other."""
    return binary(np.subtract, SUB, input, _scaled(other, alpha))


def rsub(input: Any, other: Any) -> Tensor:
    """other - input (``2 - x``)."""
    return binary(np.subtract, SUB, other, input, "RsubBackward1")


def mul(input: Any, other: Any) -> Tensor:
    """input * other."""
    return binary(np.multiply, MUL, input, other)


def div(input: Any, other: Any) -> Tensor:
    """input / other (true division)."""
    return binary(np.true_divide, DIV, input, other)


def rdiv(input: Any, other: Any) -> Tensor:
    """other / input (``2 / x``; PyTorch records it as a product)."""
    return binary(np.true_divide, DIV, other, input, "MulBackward0")


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001
    """input ** exponent."""
    if isinstance(input, graph.TensorType):
        name = "PowBackward1" if isinstance(exponent, graph.TensorType) else "PowBackward0"
    else:
        name = "PowBackward2"
    return binary(np.power, POW, input, exponent, name)


def remainder(input: Any, other: Any) -> Tensor:
    """input % other, with the sign of other (Python's convention)."""
    return binary(np.remainder, MOD, input, other)


def neg(input: Any) -> Tensor:
    """-input."""
    return record(np.negative, NEG, (input,))


def matmul(input: Any, other: Any, *, _name: str | None = None) -> Tensor:
    """The matrix product, with NumPy's (and PyTorch's) rules for 1-d and batched operands."""
    a, b = shape_of(input), shape_of(other)
    name = _name or _MATMUL_NAMES.get((len(a), len(b)), "UnsafeViewBackward0")
    try:
        return record(np.matmul, MATMUL, (input, other), None, name)
    except ValueError:
        raise RuntimeError(messages.matmul_mismatch(a, b)) from None


_MATMUL_NAMES = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
                 (2, 2): "MmBackward0"}


def mm(input: Any, mat2: Any) -> Tensor:
    """The product of two matrices."""
    return matmul(input, mat2)


def mv(input: Any, vec: Any) -> Tensor:
    """The product of a matrix and a vector."""
    return matmul(input, vec)


def bmm(input: Any, mat2: Any) -> Tensor:
    """Batched matrix product of two 3-d tensors."""
    return matmul(input, mat2, _name="BmmBackward0")


def dot(input: Any, other: Any) -> Tensor:
    """The inner product of two vectors."""
    return record(np.dot, DOT, (input, other))


def outer(input: Any, vec2: Any) -> Tensor:
    """The outer product of two vectors."""
    return record(np.outer, OUTER, (input, vec2), None, "OuterBackward0")


# --- elementwise functions --------------------------------------------------------------

def _unary(np_fn: Any, doc: str, name: str | None = None) -> Any:
    rule = rules.lookup(np_fn)

    def op(input: Any) -> Tensor:
        return record(np_fn, rule, (input,), None, name)

    op.__name__ = op.__qualname__ = getattr(np_fn, "__name__", "op")
    op.__doc__ = doc
    return op


exp = _unary(np.exp, "e ** input, elementwise.")
exp2 = _unary(np.exp2, "2 ** input, elementwise.")
expm1 = _unary(np.expm1, "exp(input) - 1, elementwise.")
log = _unary(np.log, "The natural logarithm, elementwise.")
log2 = _unary(np.log2, "The base-2 logarithm, elementwise.")
log10 = _unary(np.log10, "The base-10 logarithm, elementwise.")
log1p = _unary(np.log1p, "log(1 + input), elementwise.")
sqrt = _unary(np.sqrt, "The square root, elementwise.")
square = _unary(np.square, "input ** 2, elementwise.")
reciprocal = _unary(np.reciprocal, "1 / input, elementwise.")
sin = _unary(np.sin, "The sine, elementwise.")
cos = _unary(np.cos, "The cosine, elementwise.")
tan = _unary(np.tan, "The tangent, elementwise.")
asin = arcsin = _unary(np.arcsin, "The inverse sine, elementwise.")
acos = arccos = _unary(np.arccos, "The inverse cosine, elementwise.")
atan = arctan = _unary(np.arctan, "The inverse tangent, elementwise.")
sinh = _unary(np.sinh, "The hyperbolic sine, elementwise.")
cosh = _unary(np.cosh, "The hyperbolic cosine, elementwise.")
tanh = _unary(np.tanh, "The hyperbolic tangent, elementwise.")
asinh = arcsinh = _unary(np.arcsinh, "The inverse hyperbolic sine, elementwise.")
atanh = arctanh = _unary(np.arctanh, "The inverse hyperbolic tangent, elementwise.")
abs = absolute = _unary(np.absolute, "The absolute value, elementwise.")  # noqa: A001
sigmoid = _unary(nn_rules.sigmoid, "1 / (1 + exp(-input)), elementwise.")
relu = _unary(nn_rules.relu, "max(input, 0), elementwise.")


def rsqrt(input: Any) -> Tensor:
    """1 / sqrt(input), elementwise."""
    return reciprocal(sqrt(input))


def atan2(input: Any, other: Any) -> Tensor:
    """The angle of (other, input), elementwise."""
    return binary(np.arctan2, rules.lookup(np.arctan2), input, other)


def maximum(input: Any, other: Any) -> Tensor:
    """The larger of two tensors, elementwise."""
    return binary(np.maximum, MAXIMUM, input, other)


def minimum(input: Any, other: Any) -> Tensor:
    """The smaller of two tensors, elementwise."""
    return binary(np.minimum, MINIMUM, input, other)


def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """input limited to [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return record(np.clip, CLIP, (input, min, max))


clip = clamp


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """input where condition holds, else other; ``where(condition)`` gives the indices."""
    if input is None and other is None:
        return tuple(wrap(i) for i in np.nonzero(graph.unwrap(condition)))
    return record(np.where, WHERE, (condition, input, other))


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta input)) / beta, elementwise."""
    return record(nn_rules.softplus, rules.lookup(nn_rules.softplus), (input,),
                  {"beta": beta, "threshold": threshold})


def softmax(input: Any, dim: int | None = None, dtype: Any = None) -> Tensor:
    """exp(input) normalized to sum 1 along ``dim``."""
    return record(nn_rules.softmax, rules.lookup(nn_rules.softmax), (input,),
                  {"axis": -1 if dim is None else check_dim(dim, np.ndim(graph.unwrap(input)))})


def log_softmax(input: Any, dim: int | None = None, dtype: Any = None) -> Tensor:
    """log(softmax(input)) along ``dim``, computed stably."""
    return record(nn_rules.log_softmax, rules.lookup(nn_rules.log_softmax), (input,),
                  {"axis": -1 if dim is None else check_dim(dim, np.ndim(graph.unwrap(input)))})


# --- reductions ----------------------------------------------------------------------------

def _axis(x: Any, dim: Any, axis: Any) -> Any:
    d = axis if axis is not None else dim
    if d is None:
        return None
    return check_dim(d, np.ndim(graph.unwrap(x)))


def _keep(keepdim: bool, keepdims: bool | None) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


def _reduce(fn: Any, rule: rules.Rule, x: Any, axis: Any, keep: bool, full: str, part: str,
            **extra: Any) -> Tensor:
    kwargs = dict(extra)
    if axis is not None:
        kwargs["axis"] = axis
    if keep:
        kwargs["keepdims"] = True
    return record(fn, rule, (x,), kwargs, full if axis is None else part)


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,  # noqa: A001
        axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The sum of all elements, or along ``dim``."""
    extra = {} if dtype is None else {"dtype": _np_dtype(dtype)}
    return _reduce(np.sum, SUM, input, _axis(input, dim, axis), _keep(keepdim, keepdims),
                   "SumBackward0", "SumBackward1", **extra)


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The mean of all elements, or along ``dim``."""
    raw = graph.unwrap(input)
    if dtype is None and isinstance(raw, np.ndarray) and raw.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_torch_type_name(raw.dtype)}")
    extra = {} if dtype is None else {"dtype": _np_dtype(dtype)}
    return _reduce(np.mean, MEAN, input, _axis(input, dim, axis), _keep(keepdim, keepdims),
                   "MeanBackward0", "MeanBackward1", **extra)


def prod(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The product of all elements, or along ``dim``."""
    extra = {} if dtype is None else {"dtype": _np_dtype(dtype)}
    return _reduce(np.prod, PROD, input, _axis(input, dim, axis), _keep(keepdim, keepdims),
                   "ProdBackward0", "ProdBackward1", **extra)


def _correction(unbiased: Any, correction: Any, ddof: Any) -> Any:
    if correction is not None:
        return correction
    if ddof is not None:
        return ddof
    return 0 if unbiased is False else 1


def var(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None, axis: Any = None, ddof: Any = None,
        keepdims: bool | None = None) -> Tensor:
    """The variance (with Bessel's correction unless ``unbiased=False``/``correction=0``)."""
    return _reduce(np.var, VAR, input, _axis(input, dim, axis), _keep(keepdim, keepdims),
                   "VarBackward0", "VarBackward0", ddof=_correction(unbiased, correction, ddof))


def std(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None, axis: Any = None, ddof: Any = None,
        keepdims: bool | None = None) -> Tensor:
    """The standard deviation (Bessel-corrected by default, as PyTorch)."""
    return _reduce(np.std, STD, input, _axis(input, dim, axis), _keep(keepdim, keepdims),
                   "StdBackward0", "StdBackward0", ddof=_correction(unbiased, correction, ddof))


class _ReturnType(tuple):
    """A (values, indices) pair printed as ``torch.return_types.max(...)``."""

    __slots__ = ()
    _kind = "max"

    def __new__(cls, values: Tensor, indices: Tensor) -> _ReturnType:
        return super().__new__(cls, (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self._kind}(\nvalues={self[0]!r},\nindices={self[1]!r})"


class MaxResult(_ReturnType):
    __slots__ = ()
    _kind = "max"


class MinResult(_ReturnType):
    __slots__ = ()
    _kind = "min"


def _extreme(fn: Any, arg: Any, rule: rules.Rule, result: type, input: Any, dim: Any,
             keepdim: bool, axis: Any, keepdims: bool | None, other: Any, names: tuple) -> Any:
    if other is not None or isinstance(dim, graph.TensorType):
        return (maximum if fn is np.max else minimum)(input, dim if other is None else other)
    if axis is not None:  # NumPy's spelling: the values only
        return _reduce(fn, rule, input, _axis(input, None, axis), _keep(keepdim, keepdims),
                       *names)
    if dim is None:
        if np.size(graph.unwrap(input)) == 0:
            raise RuntimeError(
                f"{fn.__name__}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        return record(fn, rule, (input,), None, names[0])
    d = check_dim(dim, np.ndim(graph.unwrap(input)))
    keep = _keep(keepdim, keepdims)
    values = record(fn, rule, (input,), {"axis": d, "keepdims": keep}, names[1])
    indices = arg(graph.unwrap(input), axis=d, keepdims=keep)
    return result(values, wrap(np.asarray(indices)))


def max(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001
        keepdims: bool | None = None, other: Any = None) -> Any:
    """The largest element; along ``dim`` a (values, indices) pair; of two tensors, elementwise."""
    return _extreme(np.max, np.argmax, MAX, MaxResult, input, dim, keepdim, axis, keepdims,
                    other, ("MaxBackward1", "MaxBackward0"))


def min(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001
        keepdims: bool | None = None, other: Any = None) -> Any:
    """The smallest element; along ``dim`` a (values, indices) pair; of two tensors, elementwise."""
    return _extreme(np.min, np.argmin, MIN, MinResult, input, dim, keepdim, axis, keepdims,
                    other, ("MinBackward1", "MinBackward0"))


def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The largest values along ``dim`` (all dimensions when empty)."""
    axis = None if dim in ((), []) else _axis(input, dim, None)
    return _reduce(np.max, MAX, input, axis, keepdim, "AmaxBackward0", "AmaxBackward0")


def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The smallest values along ``dim`` (all dimensions when empty)."""
    axis = None if dim in ((), []) else _axis(input, dim, None)
    return _reduce(np.min, MIN, input, axis, keepdim, "AminBackward0", "AminBackward0")


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """The ``p``-norm over ``dim`` (all elements when None): a vector norm for a number
    ``p`` (as PyTorch's; the 2-norm over several dimensions is Frobenius's), the nuclear
    norm for ``'nuc'`` (over the last two dimensions when ``dim`` is None)."""
    axis = _axis(input, dim, None)
    if p == "nuc" and axis is None:
        axis = (-2, -1)
    x = input if axis is not None else _flat(input)
    kwargs: dict[str, Any] = {}
    if p == "nuc" or p not in ("fro", None, 2, 2.0):
        if p != "nuc" and axis is not None and np.size(axis) > 1:
            raise NotImplementedError(f"srcxform: the vector {p}-norm over several dimensions")
        kwargs["ord"] = p
    if axis is not None:
        kwargs["axis"] = axis
    if keepdim:
        kwargs["keepdims"] = True
    return record(np.linalg.norm, NORM, (x,), kwargs)


def _flat(x: Any) -> Any:
    return shape_ops.reshape(x, (-1,)) if np.ndim(graph.unwrap(x)) > 1 else x


def _np_dtype(d: Any) -> np.dtype:
    return to_numpy_dtype(d)


def _torch_type_name(d: np.dtype) -> str:
    return {"i": "Long", "b": "Bool", "u": "Byte"}.get(d.kind, str(d))


# --- non-differentiable ---------------------------------------------------------------------

def nondiff(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn`` on raw values; array results come back as tensors that do not require grad."""
    out = fn(*(graph.unwrap(a) for a in args), **{k: graph.unwrap(v) for k, v in kwargs.items()})
    if isinstance(out, np.ndarray):
        return wrap(out)
    if isinstance(out, np.generic):
        return wrap(np.asarray(out))
    return out


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (of the flattened tensor unless ``dim``)."""
    return nondiff(np.argmax, input, axis=dim, keepdims=keepdim)


def argmin(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The index of the smallest element (of the flattened tensor unless ``dim``)."""
    return nondiff(np.argmin, input, axis=dim, keepdims=keepdim)


def sign(input: Any) -> Tensor:
    """-1, 0 or 1 by the sign of each element (no gradient)."""
    return nondiff(np.sign, input)


def floor(input: Any) -> Tensor:
    """Each element rounded down (no gradient)."""
    return nondiff(np.floor, input)


def ceil(input: Any) -> Tensor:
    """Each element rounded up (no gradient)."""
    return nondiff(np.ceil, input)


def round(input: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """Each element rounded half to even (no gradient)."""
    return nondiff(np.round, input, decimals)


def trunc(input: Any) -> Tensor:
    """Each element rounded toward zero (no gradient)."""
    return nondiff(np.trunc, input)


def floor_divide(input: Any, other: Any) -> Tensor:
    """input // other (no gradient)."""
    return nondiff(np.floor_divide, input, other)


def eq(input: Any, other: Any) -> Tensor:
    """input == other, elementwise."""
    return nondiff(np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:
    """input != other, elementwise."""
    return nondiff(np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:
    """input < other, elementwise."""
    return nondiff(np.less, input, other)


def le(input: Any, other: Any) -> Tensor:
    """input <= other, elementwise."""
    return nondiff(np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:
    """input > other, elementwise."""
    return nondiff(np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:
    """input >= other, elementwise."""
    return nondiff(np.greater_equal, input, other)


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise closeness, as ``numpy.isclose``."""
    return nondiff(np.isclose, input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element is close, as ``numpy.allclose``."""
    return bool(np.allclose(graph.unwrap(input), graph.unwrap(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def equal(input: Any, other: Any) -> bool:
    """True when both have the same shape and elements."""
    return bool(np.array_equal(graph.unwrap(input), graph.unwrap(other)))


def isnan(input: Any) -> Tensor:
    """True where an element is NaN."""
    return nondiff(np.isnan, input)


def isfinite(input: Any) -> Tensor:
    """True where an element is finite."""
    return nondiff(np.isfinite, input)
