"""The names generated code uses for objects it did not get from the user.

After :func:`bind_env`, ``program.env`` is the :class:`Env` of the generated
code: the user's locals it must not reuse are every name the function and
its normalized body assign, and the globals of inlined callees are its first
cells.  After ``Env.ref(obj, "np")`` returns a name, that name refers to ``obj``
inside the generated function: either the user's own global of that name
(when it is the very same object and the function has no local of that
name) or a closure cell the loader fills in.  ``Env.resolve`` answers the
reverse question for the optimizer: which object a dotted name denotes (by
the one resolver, :class:`~.resolve.Scope`, with the cells bound first).
"""

from __future__ import annotations

import ast
import builtins
import types
from typing import Any

from .astutil import names_stored
from .names import Namer
from .parse import Parsed
from .program import Program
from .resolve import MISSING, Scope


class Env:
    """Helper objects referenced by generated code, and name resolution."""

    def __init__(self, parsed: Parsed, namer: Namer, user_locals: set[str]) -> None:
        self.parsed = parsed
        self.namer = namer
        self.user_locals = user_locals
        self.cells: dict[str, Any] = {}
        self.scope = Scope(parsed, user_locals, self.cells)

    def ref(self, obj: Any, preferred: str) -> str:
        """A name that denotes ``obj`` in the generated function."""
        for name, value in self.cells.items():
            if value is obj:
                return name
        g = self.parsed.globals
        if self._global_is(preferred, obj):
            self.namer.reserve(preferred)  # read as a global: no later local may take it
            return preferred
        if isinstance(obj, types.ModuleType):  # the user's own alias, e.g. numpy imported as onp
            for alias, value in g.items():
                if value is obj and not alias.startswith("_") and self._global_is(alias, obj):
                    self.namer.reserve(alias)
                    return alias
        if preferred in self.namer.taken or preferred in g or hasattr(builtins, preferred):
            name = self.namer.fresh(preferred)
        else:
            name = preferred
            self.namer.reserve(name)
        self.cells[name] = obj
        return name

    def _global_is(self, name: str, obj: Any) -> bool:
        """``name`` read in the generated function is the user's global ``obj``: no local of
        the user's or of the generated code (a name the namer handed out) hides it."""
        return (name not in self.user_locals and name not in self.parsed.closure
                and name not in self.namer.made and self.parsed.globals.get(name, MISSING) is obj)

    def resolve(self, node: ast.expr) -> Any:
        """The object a Name/Attribute chain denotes, or ``None`` if unknown."""
        obj = self.scope.resolve(node)
        return None if obj is MISSING else obj


def bind_env(program: Program) -> Program:
    """Set ``program.env`` (see the module docstring)."""
    user_locals = set(program.params) | names_stored(program.parsed.node) \
        | names_stored(program.body)
    env = Env(program.parsed, program.namer, user_locals | set(program.foreign))
    env.cells.update(program.foreign)
    program.env = env
    return program
