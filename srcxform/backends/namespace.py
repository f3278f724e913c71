"""The namespace object generated code runs with in place of the ``numpy`` module.

After import, :class:`Namespace` is NumPy's vocabulary (the functions,
ufuncs, methods, attributes and constants generated code and srcxform's
helpers use) over one array-API namespace, one device and one floating
dtype; :class:`MathModule` is the ``math`` module over the same namespace
(a Python number goes to ``math``, an array to the namespace).  A name the
namespace does not have raises :class:`~.errors.NamespaceError` naming it —
the loader asks :meth:`Namespace.has` for every name of the generated text
first, so such code is refused before it runs.  The per-library subclasses
(PyTorch, Dask, CuPy, JAX, the strict reference namespace) are in
``libraries.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .arrays import Arrays
from .core import Core
from .elementwise import BINARY, Elementwise, Ufunc
from .errors import cannot
from .linalg import Linalg
from .methods import Methods


class Namespace(Core, Elementwise, Arrays, Methods):
    """NumPy's names over one array namespace, device and floating dtype."""

    def __init__(self, xp: Any, device: Any, float_dtype: Any, array_types: tuple,
                 native: Any = None) -> None:
        super().__init__(xp, device, float_dtype, array_types)
        self.native = native if native is not None else xp
        for name in BINARY:
            setattr(self, name, Ufunc(self, name))
        self.linalg = Linalg(self)
        self.math = MathModule(self)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise cannot(f"np.{name}", self.name, why="srcxform has no counterpart for it")

    def has(self, chain: tuple[str, ...]) -> bool:
        """Whether ``np.<chain>`` (e.g. ``("linalg", "norm")``) has a counterpart here."""
        obj: Any = self
        for part in chain:
            try:
                obj = getattr(obj, part)
            except (AttributeError, TypeError):
                return False
        return True

    # -- indexing (the loader routes subscripts here where ``index_rewrite``) --------------------
    index_rewrite = False
    slice = slice

    def getitem(self, a: Any, index: Any) -> Any:
        return a[index]

    def setitem(self, a: Any, index: Any, value: Any) -> None:
        a[index] = value

    # -- the entry and exit of a bound function ----------------------------------------------
    def adopt(self, value: Any) -> Any:
        """An argument as generated code should see it: NumPy arrays (also inside lists,
        tuples and dicts) become arrays of this namespace; NumPy scalars Python numbers."""
        kind = type(value)
        if kind is np.ndarray:
            return self.from_numpy(value)
        if kind in (list, tuple):
            return kind(self.adopt(v) for v in value)
        if kind is dict:
            return {k: self.adopt(v) for k, v in value.items()}
        if isinstance(value, np.generic):
            return value.item() if value.dtype.kind in "biufc" else value
        return value

    def adopt_global(self, value: Any) -> Any:
        """A module constant or closure variable read by generated code (NumPy arrays
        converted, anything else as is)."""
        return self.from_numpy(value) if type(value) is np.ndarray else value


#: ``math`` functions that the array API spells differently.
_MATH_NAMES = {"asin": "asin", "acos": "acos", "atan": "atan", "asinh": "asinh",
               "acosh": "acosh", "atanh": "atanh", "fabs": "abs", "atan2": "atan2",
               "pow": "pow", "hypot": "hypot", "copysign": "copysign"}
_MATH_NATIVE = {"erf", "erfc", "lgamma", "gamma"}


class MathModule:
    """``math`` for generated code on a namespace: numbers to ``math``, arrays to ``ns``.

    A function the namespace lacks (``erf``, ``lgamma``) runs on a 0-d array
    through ``float()``; on a larger array it raises :class:`NamespaceError`.
    """

    def __init__(self, ns: Namespace) -> None:
        self.ns = ns
        self.pi, self.e, self.tau = math.pi, math.e, math.tau
        self.inf, self.nan = math.inf, math.nan

    def __getattr__(self, name: str) -> Any:
        plain = getattr(math, name)
        if not callable(plain):
            return plain
        ns = self.ns
        api = _MATH_NAMES.get(name, name)
        found = getattr(ns.xp, api, None)
        if found is None and name in _MATH_NATIVE:
            found = getattr(ns.native, name, None) or getattr(
                getattr(ns.native, "special", None), name, None)
        arrays = ns.ndarray

        def fn(*args: Any) -> Any:
            if not any(isinstance(a, arrays) for a in args):
                return plain(*args)
            if found is not None:
                if len(args) == 1:
                    return found(args[0])
                return found(*ns.operands(*args))
            if all(getattr(a, "ndim", 0) == 0 for a in args):
                return plain(*[float(a) for a in args])
            raise cannot(f"math.{name}", ns.name, why="the namespace has no such function")

        fn.__name__ = name
        setattr(self, name, fn)
        return fn
