"""Running generated code on the array namespace of its arguments.

Generated code is NumPy source.  When a gradient is called with arrays of
another library (PyTorch, Dask, CuPy, JAX, ``array-api-strict``, any
array-API namespace), the code that runs is the same text loaded once more
with NumPy's names bound to a namespace object for that library
(``namespace.py``), so ``sx.source`` and tracebacks show what users read on
every library.  After import:

* :func:`namespace_of` ``(args, kwargs)`` is the cheap question asked on
  every call that is not plainly NumPy (``type(a) in PLAIN`` per argument
  first): ``None`` for NumPy, else the cached namespace object of the
  arguments (``detect.py``: the namespace, its device, its floating dtype);
* :func:`call` ``(fn, ns, args, kwargs)`` runs generated function ``fn`` on
  ``ns``: NumPy arrays among the arguments are converted to ``ns``'s arrays
  on its device, and ``fn``'s version for ``ns`` (``bind.py``: compiled once
  per function and namespace, cached, released with ``fn``) runs;
* :func:`bound` / :func:`bound_all` give those versions themselves;
* :func:`computed` wraps a function so lazy (Dask) results come back computed.

Nothing here is imported on the NumPy path beyond ``detect.PLAIN``'s check.
What a namespace cannot do raises :class:`NamespaceError` (a ``TypeError``)
naming the operation, the function and the namespace.
"""

from __future__ import annotations

from typing import Any, Callable

from .bind import bound, bound_all
from .compute import computed
from .detect import PLAIN, is_foreign_type, namespace_for
from .errors import NamespaceError
from .namespace import Namespace

__all__ = ["PLAIN", "Namespace", "NamespaceError", "bound", "bound_all", "call", "computed",
           "is_foreign_type", "namespace_for", "namespace_of"]


def namespace_of(args: tuple, kwargs: dict | None = None) -> Namespace | None:
    """The namespace object of a call's non-NumPy arrays, or ``None`` for NumPy."""
    plain = PLAIN
    if all(type(a) in plain for a in args) and (
            not kwargs or all(type(v) in plain for v in kwargs.values())):
        return None
    return namespace_for(list(args) + list((kwargs or {}).values()))


def adopt(ns: Namespace, args: tuple, kwargs: dict | None = None) -> tuple[tuple, dict]:
    """The arguments with NumPy arrays converted to ``ns``'s arrays."""
    return (tuple(ns.adopt(a) for a in args),
            {k: ns.adopt(v) for k, v in (kwargs or {}).items()})


def call(fn: Callable[..., Any], ns: Namespace, args: tuple, kwargs: dict | None = None
         ) -> Any:
    """Run generated function ``fn`` on namespace ``ns``."""
    args, kwargs = adopt(ns, args, kwargs)
    return bound(fn, ns)(*args, **kwargs)
