"""Running control-flow programs under HIPS autograd, an independent oracle.

:func:`for_autograd` returns the same source (same code objects) with ``np``,
``math`` and ``sx`` rebound in a copied global namespace, and every function of
the same module rebound to that namespace too, so helpers and closures called by
the program see autograd's NumPy as well.

Autograd cannot assign into arrays, so ``np.zeros``/``np.zeros_like`` return a
:class:`WriteBuffer` in that namespace: an array stand-in that supports
``buf[idx] = v``, ``buf[idx] += v`` (and ``-=``, ``*=``, ``/=``) for integer,
slice and tuple-of-those indices (including ``buf[:, 0]``), element and slice
reads, ``len``, ``.shape``, iteration, arithmetic and ``@`` with the buffer
on the left or with a plain array or number on the left, and every NumPy
function of the namespace (which unwraps buffers).  A buffer holding traced
values on the right of an autograd-traced operand (``box @ buf``) is hidden
from autograd; that raises a ``TypeError`` naming WriteBuffer rather than
giving a wrong gradient.  Each write rebuilds the whole
value functionally (a one-hot scatter plus ``where``), so autograd sees the
gradient of the value last written to every element: an overwritten element's
first value gets no gradient, as with a real array.  Writes with duplicate
positions (advanced indexing) are not supported.

``sx.detach`` becomes autograd's ``getval`` (a genuine stop-gradient);
``sx.no_grad()`` becomes a do-nothing context manager, which is *wrong* as a
gradient oracle, so tests must not compare programs that use it against
autograd.
"""

from __future__ import annotations

import contextlib
import math
import operator
import types
import warnings
from typing import Any

import numpy as np


def _unwrap(v: Any) -> Any:
    if isinstance(v, WriteBuffer):
        return v.value
    if type(v) is list:
        return [_unwrap(e) for e in v]
    if type(v) is tuple:
        return tuple(_unwrap(e) for e in v)
    return v


class _FunctionalArray(np.ndarray):
    """A plain array read out of a buffer: ``+=`` and friends build a new value.

    ``buf[i:j] += v`` reads ``buf[i:j]``, applies ``+=`` to what it read and
    writes the result back.  When ``v`` is traced by autograd, an in-place add
    into a plain ndarray would fail, so this subclass makes the in-place
    operators functional.
    """

    def _plain(self) -> np.ndarray:
        return self.view(np.ndarray)

    def __iadd__(self, other):
        return self._plain() + other

    def __isub__(self, other):
        return self._plain() - other

    def __imul__(self, other):
        return self._plain() * other

    def __itruediv__(self, other):
        return self._plain() / other


def _binary(op, reflected=False):
    def method(self, other):
        a, b = self.value, _unwrap(other)
        return op(b, a) if reflected else op(a, b)
    return method


class WriteBuffer:
    """An array that autograd can trace through element and slice writes."""

    __array_priority__ = 1000.0  # ndarray binary operators defer to our reflected methods

    def __init__(self, value: np.ndarray):
        self.value = value

    # -- writes --------------------------------------------------------------
    def __setitem__(self, idx, v):
        import autograd.numpy as anp

        v = _unwrap(v)
        shape = np.shape(self.value)
        size = int(np.prod(shape, dtype=int))
        positions = np.arange(size).reshape(shape)[idx]
        sub_shape = np.shape(positions)
        flat = np.ravel(positions)
        k = flat.size
        if k == 0:
            return
        spread = v * np.ones(sub_shape)  # broadcasts v to the written region
        scatter = np.zeros((size, k))
        scatter[flat, np.arange(k)] = 1.0
        written = anp.reshape(anp.dot(scatter, anp.reshape(spread, (k,))), shape)
        mask = np.zeros(size, dtype=bool)
        mask[flat] = True
        self.value = anp.where(mask.reshape(shape), written, self.value)

    # -- reads ---------------------------------------------------------------
    def __getitem__(self, idx):
        out = self.value[_unwrap(idx)]
        if type(out) is np.ndarray:
            return out.copy().view(_FunctionalArray)
        return out

    def __len__(self):
        return len(self.value)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def shape(self):
        return np.shape(self.value)

    @property
    def ndim(self):
        return np.ndim(self.value)

    @property
    def T(self):
        return self.value.T

    def __getattr__(self, name):
        if name == "value":
            raise AttributeError(name)
        return getattr(self.value, name)

    def __array__(self, dtype=None, copy=None):
        from autograd.tracer import isbox

        if isbox(self.value):
            raise TypeError("a WriteBuffer holding traced values was converted to a plain "
                            "array (it sits on the right of an autograd operator); put it on "
                            "the left or pass it through np.* so the oracle can unwrap it")
        return np.asarray(self.value, dtype=dtype)

    __add__ = _binary(operator.add)
    __radd__ = _binary(operator.add, reflected=True)
    __sub__ = _binary(operator.sub)
    __rsub__ = _binary(operator.sub, reflected=True)
    __mul__ = _binary(operator.mul)
    __rmul__ = _binary(operator.mul, reflected=True)
    __truediv__ = _binary(operator.truediv)
    __rtruediv__ = _binary(operator.truediv, reflected=True)
    __pow__ = _binary(operator.pow)
    __rpow__ = _binary(operator.pow, reflected=True)
    __matmul__ = _binary(operator.matmul)
    __rmatmul__ = _binary(operator.matmul, reflected=True)
    __lt__ = _binary(operator.lt)
    __le__ = _binary(operator.le)
    __gt__ = _binary(operator.gt)
    __ge__ = _binary(operator.ge)

    def __neg__(self):
        return -self.value

    def __repr__(self):
        return f"WriteBuffer({self.value!r})"


class _NumpyForAutograd(types.ModuleType):
    """``autograd.numpy`` whose functions accept WriteBuffers; zeros make buffers."""

    def __init__(self):
        super().__init__("numpy_for_autograd")
        import autograd.numpy as anp

        self._anp = anp
        self._cache: dict[str, Any] = {}

    def zeros(self, shape, dtype=float):
        return WriteBuffer(np.zeros(shape, dtype=dtype))

    def zeros_like(self, a, dtype=None):
        from autograd.tracer import getval

        return WriteBuffer(np.zeros(np.shape(getval(_unwrap(a))), dtype=dtype or float))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._cache:
            return self._cache[name]
        attr = getattr(self._anp, name)
        if callable(attr) and not isinstance(attr, type):
            def wrapped(*args, _fn=attr, **kwargs):
                return _fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
            wrapped.__name__ = name
            attr = wrapped
        self._cache[name] = attr
        return attr


def _math_for_autograd() -> types.ModuleType:
    import autograd.numpy as anp

    m = types.ModuleType("math_for_autograd")
    for name, fn in {"sin": anp.sin, "cos": anp.cos, "tan": anp.tan, "exp": anp.exp,
                     "log": anp.log, "log1p": anp.log1p, "sqrt": anp.sqrt, "tanh": anp.tanh,
                     "sinh": anp.sinh, "cosh": anp.cosh, "atan": anp.arctan,
                     "fabs": anp.abs, "expm1": anp.expm1}.items():
        setattr(m, name, fn)
    m.pi, m.e, m.inf = math.pi, math.e, math.inf
    return m


def _sx_for_autograd() -> types.ModuleType:
    from autograd.tracer import getval

    m = types.ModuleType("sx_for_autograd")
    m.detach = getval

    @contextlib.contextmanager
    def no_grad():  # NOT a stop-gradient: never use autograd on no_grad programs
        yield

    m.no_grad = no_grad
    return m


def _rebind(fn: types.FunctionType, glob: dict) -> types.FunctionType:
    out = types.FunctionType(fn.__code__, glob, fn.__name__, fn.__defaults__, fn.__closure__)
    out.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
    out.__qualname__ = fn.__qualname__
    return out


def for_autograd(f: types.FunctionType) -> types.FunctionType:
    """``f`` (and every function of its module) running on autograd's NumPy."""
    module_globals = f.__globals__
    glob = dict(module_globals)
    glob["np"] = _NumpyForAutograd()
    glob["math"] = _math_for_autograd()
    glob["sx"] = _sx_for_autograd()
    for name, obj in module_globals.items():
        if isinstance(obj, types.FunctionType) and obj.__globals__ is module_globals:
            glob[name] = _rebind(obj, glob)
    return _rebind(f, glob)


def autograd_grads(f: types.FunctionType, args, wrt: tuple[int, ...]) -> list:
    """Autograd's gradient of ``f`` at ``args`` with respect to each index of ``wrt``."""
    import autograd

    fa = for_autograd(f)
    with warnings.catch_warnings():  # a zero gradient is a legitimate answer
        warnings.filterwarnings("ignore", "Output seems independent of input")
        return [autograd.grad(fa, i)(*args) for i in wrt]
