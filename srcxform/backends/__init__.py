"""Running generated code on the array namespace of its arguments.

Generated code is NumPy source.  When a gradient is called with arrays of
another library (PyTorch, Dask, CuPy, JAX, ``array-api-strict``, any
array-API namespace), the code that runs is the same text loaded once more
with NumPy's names bound to a namespace object for that library
(``namespace.py``), so ``sx.source`` and tracebacks show what users read on
every library.  After import:

* :func:`namespace_of` ``(args, kwargs)`` is the cheap question asked on
  every call (``type(a) in PLAIN`` per argument first): ``None`` for NumPy,
  else the cached namespace object of the arguments (``detect.py``: the
  namespace, its device, its floating dtype);
* :func:`call` ``(fn, ns, args, kwargs)`` runs generated function ``fn`` on
  ``ns``: NumPy arrays among the arguments are converted to ``ns``'s arrays
  on its device, and ``fn``'s version for ``ns`` (``bind.py``: compiled once
  per function and namespace, cached, released with ``fn``) runs;
* :func:`bound` / :func:`bound_all` give those versions themselves, :func:`run`
  runs a generated function wherever its arguments live, :func:`sweeps`
  gives ``vjp``'s two sweeps for its primals;
* :func:`computed` wraps a function so lazy (Dask) results come back computed.

Only ``detect.py`` (no array library) is imported on the NumPy path; the
namespace machinery loads on the first call with another library's arrays.
What a namespace cannot do raises :class:`NamespaceError` (a ``TypeError``)
naming the operation, the function and the namespace.
"""

from __future__ import annotations

from typing import Any, Callable

from .detect import PLAIN, is_foreign_type, namespace_for
from .errors import NamespaceError

__all__ = ["PLAIN", "NamespaceError", "adopt", "array_module", "bound", "bound_all", "call",
           "computed", "is_foreign_type", "namespace_for", "namespace_of", "run", "sweeps"]


def namespace_of(args: Any, kwargs: dict | None = None) -> Any:
    """The namespace object of a call's non-NumPy arrays, or ``None`` for NumPy."""
    plain = PLAIN
    if all(type(a) in plain for a in args) and (
            not kwargs or all(type(v) in plain for v in kwargs.values())):
        return None
    return namespace_for(list(args) + list((kwargs or {}).values()))


def adopt(ns: Any, args: Any, kwargs: dict | None = None) -> tuple[tuple, dict]:
    """The arguments with NumPy arrays converted to ``ns``'s arrays."""
    return (tuple(ns.adopt(a) for a in args),
            {k: ns.adopt(v) for k, v in (kwargs or {}).items()})


def bound(fn: Callable[..., Any], ns: Any) -> Callable[..., Any]:
    """Generated function ``fn`` loaded to run on namespace object ``ns`` (cached)."""
    from .bind import bound as load

    return load(fn, ns)


def bound_all(fns: list[Callable[..., Any]], ns: Any) -> list[Callable[..., Any]]:
    """Functions compiled from one generated text, loaded together for ``ns`` (cached)."""
    from .bind import bound_all as load_all

    return load_all(fns, ns)


def call(fn: Callable[..., Any], ns: Any, args: Any, kwargs: dict | None = None) -> Any:
    """Run generated function ``fn`` on namespace ``ns``."""
    args, kwargs = adopt(ns, args, kwargs)
    try:
        return bound(fn, ns)(*args, **kwargs)
    except NamespaceError as exc:
        if hasattr(exc, "add_note") and getattr(fn, "__qualname__", None):
            exc.add_note(f"(while running {fn.__qualname__} on {ns.name} arrays)")
        raise


def run(fn: Callable[..., Any], args: Any, kwargs: dict | None = None) -> Any:
    """Run generated function ``fn`` on its arguments' namespace (NumPy: unchanged)."""
    ns = namespace_of(args, kwargs)
    if ns is None:
        return fn(*args, **(kwargs or {}))
    return call(fn, ns, args, kwargs)


def array_module(values: Any) -> Any:
    """``numpy`` for NumPy values, else the namespace object of their library (NumPy's
    names: ``m.zeros``, ``m.stack``, ``m.reshape``), for code that builds arrays."""
    ns = namespace_of(values)
    if ns is None:
        import numpy

        return numpy
    return ns


def _same(value: Any) -> Any:
    return value


def sweeps(forward: Callable[..., Any], backward: Callable[..., Any], values: list[Any]
           ) -> tuple[Callable[..., Any], Callable[..., Any], list[Any], Callable[[Any], Any]]:
    """``vjp``'s sweeps for these primal values: ``(forward, backward, values, adopt)``,
    loaded for the values' namespace (NumPy: unchanged); ``adopt`` converts a cotangent."""
    ns = namespace_of(values)
    if ns is None:
        return forward, backward, values, _same
    forward, backward = bound_all([forward, backward], ns)
    return forward, backward, [ns.adopt(v) for v in values], ns.adopt


def computed(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` whose Dask results come back computed, in one ``dask.compute`` call."""
    from .compute import computed as wrap

    return wrap(fn)
