"""Name allocation shared by the passes: readable, unique, never the user's.

After a :class:`Namer` is built from a function, ``fresh(base)`` returns
``base`` itself when no name in the function, its globals or the builtins
uses it, and otherwise ``base_1``, ``base_2``, ...; every name it hands out is
reserved, so generated temporaries, adjoints and helpers never collide with
each other or with anything the user wrote.
"""

from __future__ import annotations

import ast
import builtins
import keyword

_BUILTINS = set(dir(builtins))


class Namer:
    """Hands out fresh identifiers."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    @classmethod
    def for_tree(cls, tree: ast.AST, extra: set[str] | None = None) -> Namer:
        """A namer that avoids every identifier appearing in ``tree``."""
        taken = set(extra or ())
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                taken.add(node.id)
            elif isinstance(node, ast.arg):
                taken.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                taken.add(node.name)
        return cls(taken)

    def reserve(self, name: str) -> None:
        """Mark ``name`` as used."""
        self.taken.add(name)

    def fresh(self, base: str) -> str:
        """A new identifier that reads like ``base``."""
        base = base or "t"
        if keyword.iskeyword(base) or base in _BUILTINS:
            base += "_"
        if base not in self.taken:
            self.taken.add(base)
            return base
        stem = base.rstrip("_") or base
        i = 1
        while f"{stem}_{i}" in self.taken:
            i += 1
        name = f"{stem}_{i}"
        self.taken.add(name)
        return name
