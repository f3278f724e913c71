"""Static arguments: function values and user objects a version is compiled for.

A parameter the transformed function calls (``kernel(a, b)``,
``nonlinearity(x)``) or whose methods it calls (``self.predict(x)``) is
compiled in: the compiler inlines the very function or method it holds
(``compiler/funcvalues.py``).  So its value is a fact of the specialisation.
After import, :func:`static_key` is that fact for one argument (a
:class:`StaticKey`, equal only for the same object, held alive while the
version is cached) and :func:`static_options` the ``transform`` keyword
naming the static arguments of a call.  An argument that is ``None`` is
static too (``if ax is not None:`` is decided when compiling).  A different
function, partial or object is a different key, so a version compiled for another one is never
served.  What a user object's attributes hold is read by the generated code
when it runs (``self.scale`` stays an attribute read), not frozen.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..compiler.funcvalues import is_static_object


class StaticKey:
    """The identity of a static argument, as a specialisation key (a bound method: of its
    object and function, since ``obj.method`` makes a new method object each time)."""

    __slots__ = ("value", "parts")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.parts = (value.__self__, value.__func__) if inspect.ismethod(value) else (value,)

    def __eq__(self, other: object) -> bool:
        return type(other) is StaticKey and len(other.parts) == len(self.parts) \
            and all(a is b for a, b in zip(self.parts, other.parts))

    def __hash__(self) -> int:
        return hash(tuple(map(id, self.parts)))

    def __repr__(self) -> str:
        return f"static({getattr(self.value, '__qualname__', type(self.value).__name__)})"


def static_key(value: Any) -> StaticKey | None:
    """The key of ``value`` if it is a static argument (or ``None``, which ``if p is None``
    tests decide when compiling), else None."""
    return StaticKey(value) if value is None or is_static_object(value) else None


def static_options(names: list[str], values: list[Any]) -> dict[str, Any]:
    """``{"statics": {name: value}}`` for the static arguments of a call."""
    return {"statics": {n: v for n, v in zip(names, values)
                        if v is None or is_static_object(v)}}
