"""Name allocation shared by the passes: readable, unique, never the user's.

After a :class:`Namer` is built from a function, ``fresh(base)`` returns
``base`` itself when no name in the function or the builtins uses it, and
otherwise ``base_1``, ``base_2``, ...; every name it hands out is reserved,
so generated temporaries, adjoints and helpers never collide with each other
or with anything the user wrote.  It is the one allocator of names for the
whole generated function: inlining a callee reserves (:meth:`~Namer.reserve`) every
name the callee reads as a global, builtin or closure variable before any of
the callee's locals is named (``inline.py``), so no later temporary, adjoint
or renamed local takes a name that any involved scope reads; and ``made``
holds every name it handed out (a local of the generated function), so a
name read later as a global that was already handed out is known to be
shadowed.  :func:`operation_name` is the readable base name of a temporary:
the operation it holds.
"""

from __future__ import annotations

import ast
import builtins
import keyword

from .astutil import walk

_BUILTINS = set(dir(builtins))

#: Temporaries are named after their operation: ``a @ b`` gives ``matmul``.
BINOP_NAMES = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
    ast.MatMult: "matmul", ast.Mod: "mod", ast.FloorDiv: "floordiv", ast.BitAnd: "both",
    ast.BitOr: "either", ast.BitXor: "xor", ast.LShift: "lshift", ast.RShift: "rshift",
}
UNARY_NAMES = {ast.USub: "neg", ast.UAdd: "pos", ast.Not: "not_", ast.Invert: "inv"}


class Namer:
    """Hands out fresh identifiers."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())
        self.made: set[str] = set()  # the names fresh() handed out: locals of generated code

    @classmethod
    def for_tree(cls, tree: ast.AST, extra: set[str] | None = None) -> Namer:
        """A namer that avoids every identifier appearing in ``tree``."""
        taken = set(extra or ())
        for node in walk(tree):
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
            self.made.add(base)
            return base
        stem = base.rstrip("_") or base
        i = 1
        while f"{stem}_{i}" in self.taken:
            i += 1
        name = f"{stem}_{i}"
        self.taken.add(name)
        self.made.add(name)
        return name


def operation_name(node: ast.expr) -> str:
    """The base name of a temporary holding ``node``'s value (``matmul`` for ``a @ b``)."""
    if isinstance(node, ast.BinOp):
        return BINOP_NAMES.get(type(node.op), "op")
    if isinstance(node, ast.UnaryOp):
        return UNARY_NAMES.get(type(node.op), "op")
    if isinstance(node, ast.Compare):
        return "cond"
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "call")
        return {"true_divide": "div", "absolute": "abs"}.get(name, name)
    if isinstance(node, ast.Attribute):
        v = node.value
        return f"{v.id}_{node.attr}" if isinstance(v, ast.Name) else node.attr
    if isinstance(node, ast.Subscript):
        v = node.value.id if isinstance(node.value, ast.Name) else "item"
        s = node.slice
        if isinstance(s, ast.Constant) and isinstance(s.value, int) and s.value >= 0:
            return f"{v}{s.value}"
        return f"{v}_slice" if isinstance(s, (ast.Slice, ast.Tuple)) else f"{v}_item"
    if isinstance(node, (ast.Tuple, ast.List)):
        return "seq"
    if isinstance(node, ast.IfExp):
        return "choice"
    return "t"
