"""Memory facts of generated code: which arrays may be written in place or shared.

After a :class:`MemoryFacts` is built from a whole function body,
``mutated`` holds every name whose array may be written in place (an element
write, an ``out=`` argument, a method that may write into its object,
``np.add.at``, an element restore), ``sources`` maps each name to the names
its value may be a view of, and :meth:`MemoryFacts.never_written` tells
whether any array a name may share memory with is ever written.  The defer
pass (outer products it may batch) and the tape pass (views it may read
again instead of saving) ask it; nothing here changes a tree.
"""

from __future__ import annotations

import ast
import copy

import numpy as np

from . import anno
from .astutil import marker_names, names_loaded, root_name, walk, walk_stmts
from .env import Env

#: Array methods that never write into their object.
PURE_METHODS = {"sum", "mean", "max", "min", "prod", "reshape", "copy", "astype", "ravel",
                "transpose", "swapaxes", "dot", "any", "all", "item", "tolist"}
_FRESH_CALLS = {id(np.outer), id(np.zeros_like), id(np.full_like), id(np.zeros),
                id(np.ones), id(np.full), id(np.sum), id(np.mean), id(np.where), id(np.array),
                id(np.concatenate), id(np.stack), id(np.dot), id(np.matmul)}
#: Functions (by attribute name) that write into their first argument.
WRITING_FUNCTIONS = {"at", "copyto", "put", "place", "putmask", "fill_diagonal"}


class MemoryFacts:
    """Whole-function facts: which arrays may be written in place, and which names may
    share memory (a name bound to a view, a subscript or any non-fresh value of others)."""

    def __init__(self, body: list[ast.stmt], env: Env) -> None:
        self.env = env
        self.mutated: set[str] = set()
        self.sources: dict[str, set[str]] = {}  # name -> names its value may be a view of
        self.linked: dict[str, set[str]] | None = None
        for stmt in walk_stmts(body):
            if anno.get(stmt, anno.MARKER) is not None:
                if anno.get(stmt, anno.STORE_INDEX) is not None:
                    self.mutated.update(marker_names(stmt))
                continue
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self.note_target(target, stmt.value)
            elif isinstance(stmt, ast.AugAssign):
                root = root_name(stmt.target)
                if root is not None:
                    self.mutated.add(root)
            elif isinstance(stmt, ast.For):
                for n in walk(stmt.target):
                    if isinstance(n, ast.Name):
                        self.sources.setdefault(n.id, set()).update(names_loaded(stmt.iter))
            for node in walk(stmt):
                if isinstance(node, ast.Call):
                    self.note_call(node)

    def note_target(self, target: ast.expr, value: ast.expr) -> None:
        """Record what assigning ``value`` to ``target`` binds or writes."""
        if isinstance(target, ast.Name):
            if not self.fresh(value):
                self.sources.setdefault(target.id, set()).update(names_loaded(value))
        elif isinstance(target, (ast.Subscript, ast.Attribute)):
            root = root_name(target)
            if root is not None:
                self.mutated.add(root)
        else:  # unpacking: every name may be part of the value
            for n in walk(target):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    self.sources.setdefault(n.id, set()).update(names_loaded(value))
                elif isinstance(n, (ast.Subscript, ast.Attribute)):
                    root = root_name(n)
                    if root is not None:
                        self.mutated.add(root)

    def note_call(self, call: ast.Call) -> None:
        """Record the arrays a call may write into."""
        written: list[ast.expr] = []
        for kw in call.keywords:
            if kw.arg == "out" or kw.arg is None:
                written.append(kw.value)
        fn = self.env.resolve(call.func)
        if fn is None and isinstance(call.func, ast.Attribute) \
                and call.func.attr not in PURE_METHODS:
            written.append(call.func.value)  # a method that may write into its object
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRITING_FUNCTIONS:
            written.extend(call.args[:1])  # np.add.at(a, ...), np.copyto(a, ...)
        for node in written:
            self.mutated.update(names_loaded(node))

    def fresh(self, node: ast.expr) -> bool:
        """True when ``node``'s value is a new object (no view of another)."""
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Constant)):
            return True
        if isinstance(node, ast.Call):
            fn = self.env.resolve(node.func)
            return isinstance(fn, np.ufunc) or id(fn) in _FRESH_CALLS
        return False

    def never_written(self, name: str) -> bool:
        """No array ``name`` may share memory with is ever written in place (sharing
        goes both ways: a view of ``name`` written, or ``name`` a view of a written one)."""
        if self.linked is None:
            self.linked = {}
            for n, sources in self.sources.items():
                for m in sources:
                    self.linked.setdefault(n, set()).add(m)
                    self.linked.setdefault(m, set()).add(n)
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in self.mutated:
                return False
            todo.extend(self.linked.get(n, ()))
        return True


def without_tape(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """A copy of ``stmts`` without the tape pass's pushes and pops (they write lists, which
    :class:`MemoryFacts` must not count as the program's writes)."""
    out = []
    for stmt in stmts:
        if anno.get(stmt, anno.TAPE) is not None:
            continue
        stmt = copy.copy(stmt)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                setattr(stmt, field, without_tape(inner))
        out.append(stmt)
    return out
