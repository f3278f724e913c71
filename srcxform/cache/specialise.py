"""Specialisation: the facts about a call's arguments that select compiled code.

After import, :data:`SPECIALISERS` lists every kind of argument fact that
generated code is specialised on.  Each :class:`Specialiser` gives

* ``key(args, kwargs)`` — a hashable summary of the call, computed on every
  call of a dispatching gradient (so it must be cheap); calls with equal keys
  run the same compiled version;
* ``options(names, values)`` — the keyword arguments of
  ``compiler.transform`` that compile a version for such a call.

Today there is one kind: :class:`ArgumentShapes` (the shape of every
argument; ``()`` for Python and NumPy scalars).  Adding a kind — the pytree
structure of the arguments, the functions passed as arguments, the array
namespace — is one more ``Specialiser`` appended here, plus the
``transform`` keyword it feeds; the cache's key becomes the tuple of every
kind's key.  (Facts about the world rather than the arguments — module
constants, helpers — are the guard's facts, ``facts.py``.)

Also here: :func:`bind_all` (the values ``f`` would see) and :func:`promote`
(integer arguments that are differentiated become float, as peers do).
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any, Callable

import numpy as np

from ..compiler.parse import code_signature
from .statics import static_key, static_options

#: Types a differentiated argument is promoted to float from (besides integer arrays).
INT_TYPES = frozenset({int, bool, np.bool_} | {t for t in np.sctypeDict.values()
                                               if isinstance(t, type)
                                               and issubclass(t, (np.integer, np.bool_))})


def shape_of(value: Any) -> tuple[int, ...]:
    """The shape of an argument (``()`` for a Python number)."""
    kind = type(value)
    if kind is float or kind is int or kind is bool:
        return ()
    if kind is list or kind is tuple or kind is dict:
        return container_shape(value)
    static = static_key(value)  # a function or object compiled in: its identity (statics.py)
    if static is not None:
        return static
    return tuple(np.shape(value))


def container_shape(value: Any) -> Any:
    """A list, tuple or dict argument's key: its NumPy shape when it is a regular nest of
    numbers and arrays, else its structure (``sx.tree.structure``: containers and each
    leaf's shape), so a ragged list is a key like any other."""
    if not isinstance(value, dict):
        try:
            return tuple(np.shape(value))
        except ValueError:
            pass
    from ..tree import structure

    return structure(value)


#: The key of a complex Python number: not a shape, so a version compiled for a float is
#: never served to it, and ``ArgumentShapes.options`` gives the compiler no shape for it
#: (``np.sin(z)`` of a scalar stays NumPy's, never the ``math.sin`` of a float).
COMPLEX_SCALAR = "complex"


def key_of(value: Any) -> Hashable:
    """An argument's part of the shapes key: its shape (:func:`shape_of`), or
    :data:`COMPLEX_SCALAR` for a complex Python number."""
    kind = type(value)
    if kind is float or kind is int or kind is bool:
        return ()
    return COMPLEX_SCALAR if kind is complex else shape_of(value)


def key_part(value: Any) -> Hashable:
    """An argument's part of a call's key: :func:`key_of`, except that a list or tuple with a
    NumPy shape is ``("sequence", shape)``, so that a version compiled for an array of that
    shape is never served to it (a version generic in a batch size reads the size of an
    array parameter as ``X.shape[0]``, ``cache/sizes.py``, which a list has not)."""
    found = key_of(value)
    kind = type(value)
    if (kind is list or kind is tuple) and type(found) is tuple:
        return ("sequence", found)
    return found


class Specialiser:
    """One kind of argument fact generated code may be specialised on."""

    name = "abstract"

    def key(self, args: tuple, kwargs: dict) -> Hashable:
        raise NotImplementedError

    def options(self, names: list[str], values: list[Any]) -> dict[str, Any]:
        raise NotImplementedError


class ArgumentShapes(Specialiser):
    """The shapes of the arguments (``transform(..., shapes={name: shape})``)."""

    name = "shapes"

    def key(self, args: tuple, kwargs: dict) -> Hashable:
        ndarray = np.ndarray
        key = tuple([a.shape if type(a) is ndarray else key_part(a) for a in args])
        if kwargs:
            key += tuple(sorted((k, key_part(v)) for k, v in kwargs.items()))
        return key

    def options(self, names: list[str], values: list[Any]) -> dict[str, Any]:
        shapes = {n: key_of(v) for n, v in zip(names, values) if static_key(v) is None}
        return {"shapes": {n: s for n, s in shapes.items() if type(s) is tuple}}


SPECIALISERS: list[Specialiser] = [ArgumentShapes()]


def call_key(args: tuple, kwargs: dict) -> Hashable:
    """The specialisation key of a call: every kind's key."""
    if len(SPECIALISERS) == 1:
        return SPECIALISERS[0].key(args, kwargs)
    return tuple(s.key(args, kwargs) for s in SPECIALISERS)


def inline_key(params: list[str], S: str) -> str | None:
    """``call_key`` of a call with these positional parameters as an expression, for the
    guard to compute inline (``S[0]`` is ``np.ndarray``, ``S[2]`` ``type``, ``S[5]``
    :func:`key_part`); None when a specialiser has no inline form."""
    if len(SPECIALISERS) != 1 or type(SPECIALISERS[0]) is not ArgumentShapes:
        return None
    parts = [f"{p}.shape if {S}[2]({p}) is {S}[0] else {S}[5]({p})" for p in params]
    return "(" + "".join(f"{part}, " for part in parts) + ")"


def transform_options(names: list[str], values: list[Any]) -> dict[str, Any]:
    """The ``transform`` keywords compiling a version for these argument values."""
    options: dict[str, Any] = {}
    for s in SPECIALISERS:
        options.update(s.options(names, values))
    options.update(static_options(names, values))
    return options


_positional: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plain_parameters(f: Callable[..., Any]) -> tuple[str, ...] | None:
    """``f``'s parameter names when all are plain positional ones (cached), else None."""
    try:
        found = _positional.get(f)
    except TypeError:
        return None
    code = getattr(f, "__code__", None)
    if found is None or found[0] is not code:
        params = code_signature(f).parameters.values()
        plain = all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)
        found = (code, tuple(p.name for p in params) if plain else ())
        _positional[f] = found
    return found[1] or None


def bind_all(f: Callable[..., Any], args: tuple, kwargs: dict | None = None
             ) -> tuple[list[str], list[Any]]:
    """``f``'s parameter names and the values ``f(*args, **kwargs)`` would see."""
    if not kwargs:
        plain = _plain_parameters(f)
        if plain is not None and len(plain) == len(args):  # the common call: no binding
            return list(plain), list(args)
    signature = code_signature(f)
    try:
        bound = signature.bind(*args, **(kwargs or {}))
    except TypeError as exc:
        raise TypeError(f"{getattr(f, '__qualname__', f)}(): {exc}") from None
    bound.apply_defaults()
    names, values = [], []
    for name, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{f.__qualname__} has *args or **kwargs, which srcxform's "
                            f"transforms do not take")
        names.append(name)
        values.append(bound.arguments[name])
    return names, values


def differentiates_tree(args: tuple, kwargs: dict, wrt: list[tuple[int | None, str]]) -> bool:
    """A differentiated argument is a list, tuple or dict (a pytree: ``srcxform/pytrees.py``)."""
    for pos, name in wrt:
        value = args[pos] if pos is not None and pos < len(args) else kwargs.get(name)
        if isinstance(value, (list, tuple, dict)):
            return True
    return False


def regular_trees(args: tuple, kwargs: dict, wrt: list[tuple[int | None, str]]) -> bool:
    """Every differentiated list or tuple argument is a regular nest NumPy reads as one array
    (no dict among them)."""
    for pos, name in wrt:
        value = args[pos] if pos is not None and pos < len(args) else kwargs.get(name)
        if isinstance(value, (list, tuple, dict)) and type(container_shape(value)) is not tuple:
            return False
    return True


def needs_float(value: Any) -> bool:
    """An integer (or bool) array or number: differentiated, it is promoted to float."""
    if type(value) is np.ndarray:
        return value.dtype.kind in "biu"
    return type(value) in INT_TYPES


def as_float(value: Any) -> Any:
    """``value`` promoted to float (float64 for arrays, ``float`` for numbers)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    return float(value)


def promote(args: tuple, kwargs: dict, wrt: list[tuple[int | None, str]]) -> tuple[tuple, dict]:
    """The call with each differentiated integer argument promoted to float."""
    for pos, name in wrt:
        if pos is not None and pos < len(args):
            if needs_float(args[pos]):
                args = args[:pos] + (as_float(args[pos]),) + args[pos + 1:]
        elif name in kwargs and needs_float(kwargs[name]):
            kwargs = {**kwargs, name: as_float(kwargs[name])}
    return args, kwargs


def wrt_parameters(f: Callable[..., Any], wrt: Any) -> list[tuple[int | None, str]]:
    """``(positional index or None, name)`` of each parameter ``wrt`` names."""
    params = list(code_signature(f).parameters.values())
    positional = [p.name for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    out = []
    for w in items:
        name = positional[w] if isinstance(w, int) else w
        out.append((positional.index(name) if name in positional else None, name))
    return out
