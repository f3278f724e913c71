"""Name resolution: what a name in a transformed function denotes, decided in one place.

After a :class:`Scope` is built for a function, ``scope.lookup(name)`` follows
Python's rules for a name read inside that function body, in this order:

1. a name the compiler bound to an object (``bound``: the globals of an
   inlined callee under a fresh name, helpers of generated code, function
   values and known objects; by default a callee's parameters bound to known
   objects, ``parsed.known``);
2. a local of the function (``locals``): not an object known at transform
   time, so :data:`MISSING`;
3. a variable of an enclosing function (a closure cell; an empty cell is
   :data:`MISSING`);
4. a global of the function's module;
5. a builtin;

and anything else is :data:`MISSING`.  ``scope.resolve(node)`` does the same
for a dotted reference (``np.linalg.norm``: a missing attribute is
:data:`MISSING`), ``scope.where(name)`` says which of the five places a name
comes from, and ``scope.resolve_strict(node, parsed)`` raises a located
``TransformError`` for an undefined name or attribute instead.

Every pass that asks what a name means (the check pass, the loop pre-pass,
normalization, inlining, the environment of generated code) asks a Scope.
"""

from __future__ import annotations

import ast
import builtins
import types
from typing import Any

from .. import depends
from .diagnostics import error
from .parse import Parsed

#: Not an object known at transform time (a local, an empty cell, an undefined name).
MISSING: Any = object()

BOUND, LOCAL, CLOSURE, GLOBAL, BUILTIN, UNDEFINED = (
    "bound", "local", "closure", "global", "builtin", "undefined")


class Scope:
    """Python's scoping for one function body (see the module docstring)."""

    def __init__(self, parsed: Parsed, locals: set[str] | None = None,
                 bound: dict[str, Any] | None = None) -> None:
        self.globals = parsed.globals
        self.closure = parsed.closure
        self.locals: set[str] = set() if locals is None else locals
        # (a callee inlined with some parameters bound to known objects: parsed.known)
        self.bound: dict[str, Any] = dict(parsed.known) if bound is None else bound

    def where(self, name: str) -> str:
        """Where ``name`` comes from: ``bound``, ``local``, ``closure``, ``global``,
        ``builtin`` or ``undefined``."""
        if name in self.bound:
            return BOUND
        if name in self.locals:
            return LOCAL
        if name in self.closure:
            return CLOSURE
        if name in self.globals:
            return GLOBAL
        if hasattr(builtins, name):
            return BUILTIN
        return UNDEFINED

    def lookup(self, name: str) -> Any:
        """The object ``name`` denotes, or :data:`MISSING`."""
        if name in self.bound:
            return self.bound[name]
        if name in self.locals:
            return MISSING
        if name in self.closure:
            try:
                return self.closure[name].cell_contents
            except ValueError:  # an enclosing variable not assigned yet
                return MISSING
        if name in self.globals:
            return self.globals[name]
        return getattr(builtins, name, MISSING)

    def resolve(self, node: ast.expr) -> Any:
        """The object a Name or dotted Attribute chain denotes, or :data:`MISSING`."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return MISSING if base is MISSING else _attribute(base, node.attr, MISSING)
        return MISSING

    def resolve_strict(self, node: ast.expr, parsed: Parsed) -> Any:
        """As :meth:`resolve`, but an undefined name or a missing attribute of a known
        object raises ``TransformError`` located in ``parsed``'s file."""
        if isinstance(node, ast.Name):
            obj = self.lookup(node.id)
            if obj is MISSING and self.where(node.id) == UNDEFINED:
                raise error(parsed, node, f"name {node.id!r} is not defined", "undefined name")
            return obj
        if isinstance(node, ast.Attribute):
            base = self.resolve_strict(node.value, parsed)
            if base is MISSING:
                return MISSING
            try:
                return _attribute(base, node.attr)
            except AttributeError:
                raise error(parsed, node, f"{ast.unparse(node)!r} does not exist",
                            "undefined attribute") from None
        return MISSING


_NO_DEFAULT: Any = object()


def _attribute(base: Any, attr: str, default: Any = _NO_DEFAULT) -> Any:
    """``getattr(base, attr)``; when ``base`` is a user's object (not a module, class or
    library object) and the value is what code is compiled for — a function or another
    such object, a list, tuple or dict (of layers, say) — the read is noted
    (``depends.note_attribute``): a later ``obj.act = np.sin`` (or ``Class.method =``)
    makes that code stale.  Numbers and arrays are read by the generated code when it
    runs, and a property computes its value, so those are not noted."""
    if default is _NO_DEFAULT:
        value = getattr(base, attr)
    else:
        value = getattr(base, attr, default)
        if value is default:
            return value
    if isinstance(base, (types.ModuleType, type)) or depends.is_library(base) \
            or isinstance(value, (int, float, complex, bool, str, bytes, type(None))) \
            or hasattr(value, "__array__"):
        return value
    if not (callable(value) or isinstance(value, (list, tuple, dict))
            or not depends.is_library(value)):
        return value
    if attr in getattr(base, "__dict__", {}):
        depends.note_attribute(base, attr, value)  # the object's own attribute
        return value
    for cls in type(base).__mro__:  # a class attribute: a method is noted as its function
        raw = cls.__dict__.get(attr, _NO_DEFAULT)
        if raw is _NO_DEFAULT:
            continue
        if not isinstance(raw, property) and not depends.is_library(cls):
            depends.note_attribute(cls, attr, getattr(cls, attr))
        break
    return value
