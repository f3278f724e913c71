"""What a transform reads while it runs, recorded for the cache.

After ``with recording() as rec:`` around a transform on this thread:

* ``rec.functions`` lists each function whose source ``compiler/parse.py``
  read — the transformed function first, then every inlined helper — with
  the free references of that source: the names it reads but does not bind,
  each with the attribute chain read on it (``("m", "helper")`` for
  ``m.helper(x)``);
* ``rec.rules`` lists the rules of the table the compiler looked up that
  users registered (``sx.adjoint``), whose bodies it inlines;
* ``rec.frozen`` holds the ids of the objects the loader bound into the
  generated code by value (a helper's globals of another module, defaults,
  srcxform's own helpers), as opposed to the user's globals and closure
  cells, which generated code reads live.

The cache (``srcxform/cache/``) turns a recording into the facts it checks
before it serves generated code.  Recordings nest: a note reaches every
recording open on the thread.  ``ACTIVE[0]`` counts the recordings open on
all threads, so the table's ``lookup`` pays one comparison when none is.
This module imports nothing from srcxform, so the rule table can import it.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: How many recordings are open on all threads (a list, so importers share it).
ACTIVE = [0]
_local = threading.local()
_active_lock = threading.Lock()


@dataclass
class Noted:
    """One function whose source a transform read, with its free references."""

    fn: Any
    chains: frozenset[tuple[str, ...]]


@dataclass
class Recording:
    """Everything one transform read (see the module docstring)."""

    functions: list[Noted] = field(default_factory=list)
    rules: list[Any] = field(default_factory=list)
    frozen: set[int] = field(default_factory=set)
    keep: list[Any] = field(default_factory=list)  # keeps the frozen ids meaningful

    def merge(self, other: Recording) -> None:
        """Add what ``other`` (a nested transform, another thread) recorded."""
        self.functions.extend(other.functions)
        self.rules.extend(other.rules)
        self.frozen |= other.frozen
        self.keep.extend(other.keep)


def _open() -> list[Recording]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextmanager
def recording() -> Iterator[Recording]:
    """Record what the transforms run inside the ``with`` block read."""
    rec = Recording()
    stack = _open()
    stack.append(rec)
    with _active_lock:
        ACTIVE[0] += 1
    try:
        yield rec
    finally:
        stack.remove(rec)
        with _active_lock:
            ACTIVE[0] -= 1


def merge_into_open(rec: Recording) -> None:
    """Hand what another thread recorded to every recording open on this one."""
    for open_rec in _open():
        open_rec.merge(rec)


def note_function(fn: Any, node: ast.AST) -> None:
    """``fn``'s source (its syntax tree ``node``) is being transformed or inlined."""
    stack = _open()
    if not stack:
        return
    noted = Noted(fn, frozenset(free_references(node)))
    for rec in stack:
        rec.functions.append(noted)


def note_rule(rule: Any) -> None:
    """The compiler looked ``rule`` up; a user's rule's body is inlined, so it counts."""
    module = getattr(getattr(rule, "vjp", None), "__module__", "") or ""
    if module == "srcxform" or module.startswith("srcxform."):
        return
    for rec in _open():
        rec.rules.append(rule)


def note_frozen(objects: Any) -> None:
    """The loader bound ``objects`` into generated code by value."""
    stack = _open()
    if not stack:
        return
    objects = list(objects)
    for rec in stack:
        rec.frozen.update(id(o) for o in objects)
        rec.keep.extend(objects)


# -- free references of a function's source ---------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def free_references(node: ast.AST) -> set[tuple[str, ...]]:
    """The names ``node`` (a function or lambda) reads without binding, with attribute chains.

    Scoping follows Python's: a name bound anywhere in a scope is local to it
    in all of it; nested functions, lambdas and comprehensions see their
    enclosing function's names; a class body's names are not seen by its
    methods.  When unsure, a name counts as free: a reference recorded in
    excess costs a check, one missed could serve stale code.
    """
    return _scope(node)


def _arg_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return {a.arg for a in every}


def _chain(node: ast.AST) -> tuple[str, ...] | None:
    """``("a", "b", "c")`` for the expression ``a.b.c``; None if it is not such a chain."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return (node.id, *reversed(attrs))
    return None


_PATTERNS = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar", "MatchMapping")
                  if hasattr(ast, n))


def _scope(node: ast.AST) -> set[tuple[str, ...]]:
    """Free chains of one scope (a function, lambda, comprehension or class)."""
    bound: set[str] = set()
    declared: set[str] = set()
    reads: set[tuple[str, ...]] = set()
    inner: list[ast.AST] = []  # nested scopes
    todo: list[ast.AST] = []
    if isinstance(node, _FUNCTIONS):
        bound |= _arg_names(node.args)
        todo.extend(node.body if isinstance(node.body, list) else [node.body])
    elif isinstance(node, _COMPREHENSIONS):
        for i, gen in enumerate(node.generators):
            todo.append(gen.target)
            if i:  # the first iterable is evaluated in the enclosing scope
                todo.append(gen.iter)
            todo.extend(gen.ifs)
        todo.extend([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])
    elif isinstance(node, ast.ClassDef):
        todo.extend(node.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
            todo.extend(n.decorator_list)
            if isinstance(n, ast.ClassDef):
                todo.extend(n.bases + [k.value for k in n.keywords])
            else:
                todo.extend(d for d in n.args.defaults + n.args.kw_defaults if d is not None)
            inner.append(n)
            continue
        if isinstance(n, ast.Lambda):
            todo.extend(d for d in n.args.defaults + n.args.kw_defaults if d is not None)
            inner.append(n)
            continue
        if isinstance(n, _COMPREHENSIONS):
            todo.append(n.generators[0].iter)
            inner.append(n)
            continue
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            declared.update(n.names)
            continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in n.names)
            continue
        if isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                reads.add((n.id,))
            else:
                bound.add(n.id)
            continue
        if isinstance(n, ast.Attribute):
            chain = _chain(n)
            if chain is not None:
                reads.add(chain)
                continue  # the chain's own Name is in it
        if isinstance(n, _PATTERNS):
            bound.update(v for v in (getattr(n, "name", None), getattr(n, "rest", None)) if v)
        todo.extend(ast.iter_child_nodes(n))
    local = bound - declared
    free = {c for c in reads if c[0] not in local}
    for sub in inner:
        found = _scope(sub)
        # a class body's names are not seen by the functions inside it
        free |= found if isinstance(node, ast.ClassDef) else {
            c for c in found if c[0] not in local}
    return free
