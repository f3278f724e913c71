"""Results of their own: a gradient never shares memory with the caller's data.

Optimization can reduce a derivative to one of the function's inputs: the
gradient of ``np.sum(0.5 * x**2)`` is ``x`` itself, of ``np.sum(x * y[0])``
with respect to ``x`` the row ``y[0]``.  Returned as it is, the gradient
would be the caller's array (or a view of it), and a caller that updates the
gradient in place (``g *= lr``) would change its own parameters.

After :func:`unshare_results`, every item of the generated function's final
``return`` (into nested tuples and lists) that may be an argument, a module
global or a closure value — or a view of one (an index, ``.T``, ``reshape``
and the other view-making methods and NumPy functions, through any chain of
local names) — is returned as ``copied(item)`` (``rules/shaping.py``, under
``np.copy``'s rule: a copy of an array, a number as it is; a shape of ``(3,)``
may be a list's as well as an array's, and ``x[0]`` of a list a Python float,
so ``item.copy()`` would not do).  Items computed by anything else are new arrays and stay as
they are.
"""

from __future__ import annotations

import ast

import numpy as np

from ..rules.shaping import copied
from .astutil import walk_stmts
from .program import Program

#: Attributes that return a view of the object they are read from.
_VIEW_ATTRIBUTES = frozenset({"T", "mT", "real", "imag", "flat"})
#: Methods and NumPy functions that may return a view of their (first) argument.
_VIEW_CALLS = frozenset({
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims",
    "view", "diagonal", "broadcast_to", "atleast_1d", "atleast_2d", "atleast_3d",
    "asarray", "asanyarray", "real", "imag", "flip", "fliplr", "flipud", "rot90",
    "broadcast_arrays", "matrix_transpose", "permute_dims",
})


def unshare_results(program: Program) -> Program:
    """Copy the returned items that may share memory with outside data (docstring)."""
    body = program.body
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return program
    definitions: dict[str, list[ast.expr]] = {}  # name -> every value it may be bound to
    for stmt in walk_stmts(body):
        if isinstance(stmt, ast.Assign):
            pairs = [(t, stmt.value) for t in stmt.targets]
        elif isinstance(stmt, ast.For):
            pairs = [(stmt.target, stmt.iter)]  # (an element of what it walks may be a view)
        else:
            continue  # (``b += e`` changes the object ``b`` holds, it binds no other)
        for target, value in pairs:
            if isinstance(target, ast.Name):
                definitions.setdefault(target.id, []).append(value)
            elif isinstance(target, (ast.Tuple, ast.List)):  # unpacked: any part of value
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        definitions.setdefault(node.id, []).append(value)
    ret = body[-1]
    ret.value = _Copier(program, definitions).item(ret.value)
    return program


class _Copier:
    def __init__(self, program: Program, definitions: dict[str, list[ast.expr]]) -> None:
        self.program = program
        self.definitions = definitions

    def item(self, node: ast.expr) -> ast.expr:
        if isinstance(node, (ast.Tuple, ast.List)):
            node.elts = [self.item(e) for e in node.elts]
            return node
        roots = self.outside_roots(node, set())
        if not roots:
            return node
        ref = self.program.env.ref(copied, "copied")
        return ast.Call(ast.Name(ref, ast.Load()), [node], [])

    def outside_roots(self, node: ast.expr, seen: set[str]) -> set[str]:
        """The outside names (arguments, globals, closure values) ``node`` may view."""
        if isinstance(node, ast.Name):
            if node.id in seen or node.id in self.program.int_names:
                return set()
            seen.add(node.id)
            defs = self.definitions.get(node.id)
            if defs is None:
                return {node.id} if self.may_be_data(node) else set()
            out: set[str] = set()
            for value in defs:
                out |= self.outside_roots(value, seen)
            if node.id in self.program.params:  # a parameter rebound on some path only
                out.add(node.id)
            return out
        if isinstance(node, ast.Subscript):
            return self.outside_roots(node.value, seen)
        if isinstance(node, ast.Attribute) and node.attr in _VIEW_ATTRIBUTES:
            return self.outside_roots(node.value, seen)
        if isinstance(node, (ast.Tuple, ast.List)):  # (a value unpacked into names)
            return set().union(*(self.outside_roots(e, seen) for e in node.elts))
        if isinstance(node, ast.IfExp):
            return self.outside_roots(node.body, seen) | self.outside_roots(node.orelse, seen)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _VIEW_CALLS:
            out = set()
            for base in [node.func.value] + node.args[:1]:  # a method's object, a function's
                out |= self.outside_roots(base, seen)       # first argument
            return out
        return set()

    def may_be_data(self, node: ast.Name) -> bool:
        """Whether a name bound outside the function may hold an array (not a module, a
        function or a number, which nobody can write into)."""
        if node.id in self.program.params or self.program.env is None:
            return True
        value = self.program.env.resolve(node)
        return value is None or hasattr(value, "shape") and not isinstance(value, np.generic)
