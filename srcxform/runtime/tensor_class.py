"""The eager ``Tensor``: a NumPy array with PyTorch's autograd behaviour.

After import, a :class:`Tensor` holds its values in a NumPy array and, when it
was computed from tensors that require grad with grad mode on, a ``grad_fn``
node.  ``backward`` runs the graph (``engine.backward``) and accumulates into
the ``.grad`` of leaves.  Operators, methods and NumPy functions
(``__array_ufunc__``/``__array_function__``) all record through the one rule
table.  ``t.data`` is a tensor sharing ``t``'s memory outside the graph, as in
PyTorch; ``t.numpy()`` is the array itself.
"""

from __future__ import annotations

import copy as _copy
import warnings
from typing import Any, Iterator

import numpy as np

from . import (
    dtypes,
    engine,
    graph,
    inplace_ops,
    linalg_ops,
    math_ops,
    messages,
    numpy_ops,
    numpy_protocol,
    shape_ops,
)
from .formatting import tensor_repr


def _operand(method: Any) -> Any:
    """Wrap a binary operator so unsupported operands give NotImplemented."""
    def op(self: Tensor, other: Any) -> Any:
        if not math_ops.is_operand(other):
            return NotImplemented
        return method(self, other)

    op.__name__ = method.__name__
    return op


def _reflected(method: Any) -> Any:
    def op(self: Tensor, other: Any) -> Any:
        if not math_ops.is_operand(other):
            return NotImplemented
        return method(other, self)

    return op


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    __slots__ = ("_value", "_requires_grad", "_grad", "_grad_fn", "_retains_grad",
                 "_accumulator", "__weakref__")

    def __init__(self, *args: Any) -> None:
        """``Tensor([1., 2.])`` copies data as float; ``Tensor(2, 3)`` makes zeros of that shape."""
        dt = dtypes.default_numpy_dtype()
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            value = np.array(graph.unwrap(args[0]), dtype=dt)
        else:
            value = np.zeros(shape_ops.shape_arg(args), dtype=dt)
        self._value = value
        self._requires_grad = False
        self._grad = None
        self._grad_fn = None
        self._retains_grad = False
        self._accumulator = None

    # --- autograd state -----------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._grad_fn is not None:
            if flag:
                return
            raise RuntimeError(messages.NON_LEAF_REQUIRES_GRAD)
        if flag and self._value.dtype.kind not in "fc":
            raise RuntimeError(messages.INT_REQUIRES_GRAD)
        if flag and self._value.dtype.kind == "c":
            raise RuntimeError(messages.COMPLEX_REQUIRES_GRAD)
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True, *, flag: bool | None = None) -> Tensor:
        """Set ``requires_grad`` in place (``flag=`` is accepted too); returns ``self``."""
        self.requires_grad = requires_grad if flag is None else flag
        return self

    @property
    def grad_fn(self) -> graph.Node | None:
        """The node that made this tensor, or None for a leaf."""
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        """True unless the tensor was computed by recorded operations."""
        return self._grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves and retained non-leaves only)."""
        if self._grad is None and self._grad_fn is not None and not self._retains_grad:
            warnings.warn(messages.NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                            f"type {type(value).__name__}")
        if value is not None and value._value.shape != self._value.shape:
            raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in ``.grad`` during backward."""
        if not self._requires_grad:
            raise RuntimeError(messages.RETAIN_NO_GRAD)
        if self._grad_fn is not None:
            self._retains_grad = True
            graph.retain(self)

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf whose gradient backward keeps."""
        return self._retains_grad

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf), weighted by ``gradient``, into every leaf's ``.grad``."""
        if create_graph:
            raise NotImplementedError("srcxform: create_graph=True (higher-order eager "
                                      "gradients) is not supported; use srcxform.hessian")
        if inputs is not None:
            raise NotImplementedError("srcxform: backward(inputs=...) is not supported")
        if gradient is None:
            if self._requires_grad and self._value.size != 1:
                raise RuntimeError(messages.IMPLICIT_NON_SCALAR)
            g = np.ones_like(self._value)
        else:
            g = np.asarray(graph.unwrap(gradient))
            if g.shape != self._value.shape:
                raise RuntimeError(messages.shape_mismatch(g.shape, self._value.shape))
            if g.dtype != self._value.dtype:
                g = g.astype(self._value.dtype)
        if not self._requires_grad:
            raise RuntimeError(messages.NOT_REQUIRES_GRAD)
        engine.backward([self], [g], bool(retain_graph))

    def detach(self) -> Tensor:
        """A tensor sharing this one's memory, outside the graph."""
        return graph.wrap(self._value)

    def detach_(self) -> Tensor:
        """Make this tensor a leaf that does not require grad; returns ``self``."""
        self._grad_fn = None
        self._requires_grad = False
        self._retains_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's memory, outside the graph (writes show through)."""
        return graph.wrap(self._value)

    @data.setter
    def data(self, value: Any) -> None:
        self._value = value._value if isinstance(value, Tensor) else np.asarray(value)

    # --- conversions --------------------------------------------------------------------

    def item(self) -> Any:
        """The single element as a Python number."""
        if self._value.size != 1:
            raise RuntimeError(messages.item_of_many(self._value.size))
        return self._value.item()

    def tolist(self) -> Any:
        """The elements as nested Python lists."""
        return self._value.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array holding this tensor's values (shared memory)."""
        if self._requires_grad and not force:
            raise RuntimeError(messages.NUMPY_REQUIRES_GRAD)
        return self._value

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        a = self.numpy()
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return numpy_protocol.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        return numpy_protocol.array_function(func, args, kwargs)

    def __repr__(self) -> str:
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise RuntimeError(messages.AMBIGUOUS_BOOL)
        return bool(self._value.item())

    def __float__(self) -> float:
        return float(_real_item(self.item(), "double"))

    def __int__(self) -> int:
        return int(_real_item(self.item(), "int64_t"))

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iub" or self._value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._value.item())

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._value.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._value.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter([shape_ops.getitem(self, i) for i in range(self._value.shape[0])])

    def __hash__(self) -> int:
        return id(self)

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new._value = self._value.copy()
        new._requires_grad = self._requires_grad
        new._grad = _copy.deepcopy(self._grad, memo)
        new._grad_fn = None
        new._retains_grad = False
        new._accumulator = None
        return new

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return (_rebuild, (type(self), self._value, self._requires_grad))

    # --- shape and type -------------------------------------------------------------------

    @property
    def shape(self) -> dtypes.Size:
        """The size of each dimension."""
        return dtypes.Size(self._value.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return dtypes.Size(self._value.shape)
        return self._value.shape[math_ops.check_dim(dim, self._value.ndim)]

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._value.ndim

    def dim(self) -> int:
        """The number of dimensions."""
        return self._value.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return self._value.size

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        """The element type (``torch.float32`` ...)."""
        return dtypes.of_array(self._value)

    @property
    def device(self) -> dtypes.device:
        """Always the CPU."""
        return dtypes.CPU

    is_cuda = False

    def is_floating_point(self) -> bool:
        """True for a floating dtype."""
        return self._value.dtype.kind == "f"

    def element_size(self) -> int:
        """Bytes per element."""
        return self._value.itemsize

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """The tensor in the dtype given (device arguments must name the CPU)."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                target = a.dtype
            elif not (isinstance(a, (str, dtypes.device)) and str(a).startswith("cpu")):
                target = a
        if target is None:
            return self
        return shape_ops.to_dtype(self, target)

    def type(self, dtype: Any = None) -> Any:
        """The dtype's name without an argument, else the tensor converted to ``dtype``."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self._value.dtype, "Tensor")
        return shape_ops.to_dtype(self, dtype)

    def float(self) -> Tensor:
        """A float32 copy (``self`` when already float32)."""
        return shape_ops.to_dtype(self, dtypes.float32)

    def double(self) -> Tensor:
        """A float64 copy (``self`` when already float64)."""
        return shape_ops.to_dtype(self, dtypes.float64)

    def half(self) -> Tensor:
        """A float16 copy."""
        return shape_ops.to_dtype(self, dtypes.float16)

    def long(self) -> Tensor:
        """An int64 copy."""
        return shape_ops.to_dtype(self, dtypes.int64)

    def int(self) -> Tensor:
        """An int32 copy."""
        return shape_ops.to_dtype(self, dtypes.int32)

    def bool(self) -> Tensor:
        """A bool copy."""
        return shape_ops.to_dtype(self, dtypes.bool_)

    def astype(self, dtype: Any) -> Tensor:
        """The tensor in ``dtype`` (NumPy's spelling of ``to``)."""
        return shape_ops.to_dtype(self, dtype)

    def cpu(self) -> Tensor:
        """``self``: everything lives on the CPU."""
        return self

    def contiguous(self) -> Tensor:
        """``self`` (memory layout is NumPy's business)."""
        return self

    def clone(self) -> Tensor:
        """A copy that stays in the graph."""
        return shape_ops.clone(self)

    def copy(self) -> Tensor:
        """A copy that stays in the graph (NumPy's spelling of ``clone``)."""
        return shape_ops.clone(self)

    # --- operators ------------------------------------------------------------------------

    __add__ = _operand(math_ops.add)
    __radd__ = _reflected(math_ops.add)
    __sub__ = _operand(math_ops.sub)
    __rsub__ = _operand(math_ops.rsub)
    __mul__ = _operand(math_ops.mul)
    __rmul__ = _reflected(math_ops.mul)
    __truediv__ = _operand(math_ops.div)
    __rtruediv__ = _operand(math_ops.rdiv)
    __pow__ = _operand(math_ops.pow)
    __rpow__ = _reflected(math_ops.pow)
    __matmul__ = _operand(math_ops.matmul)
    __rmatmul__ = _reflected(math_ops.matmul)
    __mod__ = _operand(math_ops.remainder)
    __rmod__ = _reflected(math_ops.remainder)
    __floordiv__ = _operand(math_ops.floor_divide)
    __rfloordiv__ = _reflected(math_ops.floor_divide)
    __lt__ = _operand(math_ops.lt)
    __le__ = _operand(math_ops.le)
    __gt__ = _operand(math_ops.gt)
    __ge__ = _operand(math_ops.ge)
    __eq__ = _operand(math_ops.eq)  # type: ignore[assignment]
    __ne__ = _operand(math_ops.ne)  # type: ignore[assignment]

    def __neg__(self) -> Tensor:
        return math_ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return math_ops.abs(self)

    def __invert__(self) -> Tensor:
        return math_ops.nondiff(np.invert, self)

    def __and__(self, other: Any) -> Tensor:
        return math_ops.nondiff(np.bitwise_and, self, other)

    def __or__(self, other: Any) -> Tensor:
        return math_ops.nondiff(np.bitwise_or, self, other)

    def __xor__(self, other: Any) -> Tensor:
        return math_ops.nondiff(np.bitwise_xor, self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    __iadd__ = inplace_ops.add_
    __isub__ = inplace_ops.sub_
    __imul__ = inplace_ops.mul_
    __itruediv__ = inplace_ops.div_

    def __getitem__(self, index: Any) -> Tensor:
        return shape_ops.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        shape_ops.setitem(self, index, value)

    # --- methods (the same functions as at top level) ----------------------------------------

    add, sub, mul, div, pow = math_ops.add, math_ops.sub, math_ops.mul, math_ops.div, math_ops.pow
    multiply, divide, subtract, true_divide = math_ops.mul, math_ops.div, math_ops.sub, math_ops.div
    matmul, mm, mv, bmm = math_ops.matmul, math_ops.mm, math_ops.mv, math_ops.bmm
    dot, outer, remainder = math_ops.dot, math_ops.outer, math_ops.remainder
    neg = negative = math_ops.neg
    exp, exp2, expm1, log, log2, log10, log1p = (math_ops.exp, math_ops.exp2, math_ops.expm1,
                                                 math_ops.log, math_ops.log2, math_ops.log10,
                                                 math_ops.log1p)
    sqrt, rsqrt, square, reciprocal = (math_ops.sqrt, math_ops.rsqrt, math_ops.square,
                                       math_ops.reciprocal)
    sin, cos, tan, sinh, cosh, tanh = (math_ops.sin, math_ops.cos, math_ops.tan, math_ops.sinh,
                                       math_ops.cosh, math_ops.tanh)
    asin = arcsin = math_ops.asin
    acos = arccos = math_ops.acos
    atan = arctan = math_ops.atan
    asinh, atanh, atan2 = math_ops.asinh, math_ops.atanh, math_ops.atan2
    abs = absolute = math_ops.abs
    sigmoid, relu, softmax, log_softmax = (math_ops.sigmoid, math_ops.relu, math_ops.softmax,
                                           math_ops.log_softmax)
    clamp = clip = math_ops.clamp
    maximum, minimum = math_ops.maximum, math_ops.minimum
    sum, mean, prod = math_ops.sum, math_ops.mean, math_ops.prod
    var, std, norm = math_ops.var, math_ops.std, math_ops.norm
    max, min, amax, amin = math_ops.max, math_ops.min, math_ops.amax, math_ops.amin
    argmax, argmin, sign, floor, ceil, round, trunc = (
        math_ops.argmax, math_ops.argmin, math_ops.sign, math_ops.floor, math_ops.ceil,
        math_ops.round, math_ops.trunc)
    eq, ne, lt = math_ops.eq, math_ops.ne, math_ops.lt
    le, gt, ge = math_ops.le, math_ops.gt, math_ops.ge
    isnan, isfinite, allclose, isclose, equal = (math_ops.isnan, math_ops.isfinite,
                                                 math_ops.allclose, math_ops.isclose,
                                                 math_ops.equal)
    where = math_ops.where

    def any(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """True where any element (along ``dim``) is nonzero."""
        return math_ops.nondiff(np.any, self, axis=dim, keepdims=keepdim)

    def all(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero."""
        return math_ops.nondiff(np.all, self, axis=dim, keepdims=keepdim)

    view = reshape = shape_ops.reshape
    flatten, unsqueeze, squeeze, t = (shape_ops.flatten, shape_ops.unsqueeze, shape_ops.squeeze,
                                      shape_ops.t)
    permute, expand, unbind, split, chunk = (shape_ops.permute, shape_ops.expand,
                                             shape_ops.unbind, shape_ops.split, shape_ops.chunk)

    def view_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s shape."""
        return shape_ops.reshape(self, other._value.shape)

    reshape_as = view_as

    def expand_as(self, other: Tensor) -> Tensor:
        """This tensor broadcast to ``other``'s shape."""
        return shape_ops.expand(self, other._value.shape)

    def ravel(self) -> Tensor:
        """The elements as a 1-d tensor."""
        return shape_ops.reshape(self, (-1,))

    def transpose(self, *dims: Any) -> Tensor:
        """``transpose(d0, d1)`` swaps two dimensions; NumPy's forms permute."""
        if len(dims) == 2 and all(isinstance(d, (int, np.integer)) for d in dims):
            return shape_ops.transpose(self, *dims)
        if not dims:
            return shape_ops.permute(self, tuple(range(self._value.ndim))[::-1])
        return shape_ops.permute(self, *dims)

    swapaxes = swapdims = shape_ops.transpose

    @property
    def T(self) -> Tensor:  # noqa: N802
        """All dimensions reversed."""
        return shape_ops.T(self)

    @property
    def mT(self) -> Tensor:  # noqa: N802
        """The last two dimensions swapped."""
        return shape_ops.transpose(self, -2, -1)

    # --- in place ---------------------------------------------------------------------------

    add_, sub_, mul_, div_ = inplace_ops.add_, inplace_ops.sub_, inplace_ops.mul_, inplace_ops.div_
    zero_, fill_, copy_, clamp_ = (inplace_ops.zero_, inplace_ops.fill_, inplace_ops.copy_,
                                   inplace_ops.clamp_)
    uniform_, normal_ = inplace_ops.uniform_, inplace_ops.normal_


_TYPE_NAMES = {np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
               np.dtype(np.int64): "LongTensor", np.dtype(np.int32): "IntTensor",
               np.dtype(np.bool_): "BoolTensor", np.dtype(np.float16): "HalfTensor"}


def _rebuild(cls: type, value: np.ndarray, requires_grad: bool) -> Tensor:
    t = graph.wrap(value, requires_grad)
    if cls is not Tensor:
        t = cls(t, requires_grad) if requires_grad is not None else cls(t)
    return t


for _name, _method in linalg_ops.METHODS.items():  # t.det(), t.logsumexp(dim), ...
    setattr(Tensor, _name, _method)
for _name in numpy_ops.METHODS:  # PyTorch's methods over the table's NumPy rules
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, getattr(numpy_ops, _name))

graph.bind_tensor_class(Tensor)


def _real_item(value: Any, target: str) -> Any:
    """``value`` as a real number for ``float()``/``int()`` (``math.sqrt(t)`` ...): a complex
    value with a nonzero imaginary part raises PyTorch's ``RuntimeError``."""
    if isinstance(value, complex):
        if value.imag != 0:
            raise RuntimeError(messages.complex_to_real(target))
        return value.real
    return value
