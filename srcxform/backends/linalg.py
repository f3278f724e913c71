"""``np.linalg`` on another array namespace.

After import, :class:`Linalg` is the ``linalg`` attribute of a namespace
object: ``norm`` with NumPy's signature (the default 2-norm / Frobenius norm
over any axes is computed from sums of squares, so it runs on every
namespace; other orders use the array API's ``vector_norm``/``matrix_norm``),
and ``inv``, ``solve``, ``det``, ``slogdet``, ``cholesky``, ``eigh``,
``eigvalsh``, ``svd``, ``qr``, ``pinv`` where the namespace has the array
API's ``linalg`` extension.  A missing function raises a
:class:`~.errors.NamespaceError` naming it.
"""

from __future__ import annotations

from typing import Any

from .errors import cannot


class Linalg:
    """``np.linalg`` with NumPy's signatures over a namespace object ``ns``."""

    def __init__(self, ns: Any) -> None:
        self.ns = ns
        self.xla = getattr(ns.xp, "linalg", None)

    def _fn(self, name: str) -> Any:
        fn = getattr(self.xla, name, None) if self.xla is not None else None
        if fn is None:
            raise cannot(f"np.linalg.{name}", self.ns.name,
                         why="the namespace has no such linalg function")
        return fn

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._fn(name)

    def norm(self, x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
        ns = self.ns
        x = ns.arr(x)
        xp = ns.xp
        if ord is None or (ord == 2 and (axis is None and x.ndim == 1
                                         or isinstance(axis, int))) or ord == "fro":
            mag = xp.abs(x) if ns.is_complex(x.dtype) else x
            axes = None if axis is None else (axis if isinstance(axis, int) else tuple(axis))
            return xp.sqrt(xp.sum(mag * mag, axis=axes, keepdims=keepdims))
        if axis is None and x.ndim == 1 or isinstance(axis, int):
            return self._fn("vector_norm")(x, axis=axis, keepdims=keepdims, ord=ord)
        if axis is None and x.ndim == 2:
            axis = (0, 1)
        if isinstance(axis, tuple) and len(axis) == 2 and tuple(a % x.ndim for a in axis) == \
                (x.ndim - 2, x.ndim - 1):
            return self._fn("matrix_norm")(x, keepdims=keepdims, ord=ord)
        raise cannot(f"np.linalg.norm(ord={ord!r}, axis={axis!r})", ns.name)

    def inv(self, a: Any) -> Any:
        return self._fn("inv")(self.ns.arr(a))

    def det(self, a: Any) -> Any:
        return self._fn("det")(self.ns.arr(a))

    def slogdet(self, a: Any) -> Any:
        return self._fn("slogdet")(self.ns.arr(a))

    def cholesky(self, a: Any) -> Any:
        return self._fn("cholesky")(self.ns.arr(a))

    def solve(self, a: Any, b: Any) -> Any:
        a, b = self.ns.operands(a, b)
        return self._fn("solve")(a, b)

    def eigh(self, a: Any, UPLO: str = "L") -> Any:
        if UPLO != "L":
            raise cannot("np.linalg.eigh(UPLO='U')", self.ns.name)
        return self._fn("eigh")(self.ns.arr(a))

    def eigvalsh(self, a: Any, UPLO: str = "L") -> Any:
        return self._fn("eigvalsh")(self.ns.arr(a))

    def svd(self, a: Any, full_matrices: bool = True, compute_uv: bool = True,
            hermitian: bool = False) -> Any:
        a = self.ns.arr(a)
        if not compute_uv:
            return self._fn("svdvals")(a)
        return self._fn("svd")(a, full_matrices=full_matrices)

    def qr(self, a: Any, mode: str = "reduced") -> Any:
        return self._fn("qr")(self.ns.arr(a), mode=mode)

    def pinv(self, a: Any, rcond: Any = None, hermitian: bool = False) -> Any:
        return self._fn("pinv")(self.ns.arr(a))

    def matrix_power(self, a: Any, n: int) -> Any:
        return self._fn("matrix_power")(self.ns.arr(a), n)
