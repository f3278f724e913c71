"""Repeated expressions computed once (common subexpression elimination).

After :func:`share_repeats`, a normalized statement ``t2 = e`` whose value
``e`` an earlier statement ``t1 = e`` of the same block already computed,
with no operand of ``e`` (nor ``t1``) changed in between, is gone and every
read of ``t2`` reads ``t1``.  Users write ``logits - m`` twice in one
log-softmax line; the gradient then computes it once and gives it one
adjoint.

Only values that are safe to share qualify: ``e`` is an operator, an
attribute, an index or a call of a NumPy/SciPy/``math`` function the rule
table knows (never a method, never a call with ``out=``), and neither name is
ever written into, appended to, returned or packed into a tuple or list,
assigned twice, run in place
(``z += e`` on an array) or read before ``t2``'s assignment.  Everything else is left as
written.
"""

from __future__ import annotations

import ast
from typing import Any

from .. import rules
from . import anno
from .astutil import (
    BLOCK_FIELDS,
    blocks,
    names_changed,
    names_loaded,
    names_written_into,
    store_counts,
    walk,
    walk_stmts,
)
from .effects import deterministic
from .program import Program


def share_repeats(program: Program) -> Program:
    """Drop recomputations of a value a name of the same block holds (module docstring)."""
    body = program.body
    if not _repeats(body):  # (the usual case: then the walks below would find nothing)
        return program
    unsafe = _unsafe_names(body) | set(program.lists)
    if program.result is not None:  # two results the caller gets must stay two objects
        unsafe |= names_loaded(program.result)
    stores = store_counts(body)
    first_read, positions = _first_reads(body)
    renames: dict[str, str] = {}
    for block, _ in blocks(body):
        _share_in_block(block, stores, unsafe, first_read, positions, renames)
    if not renames:
        return program
    _rename_loads(body, renames)
    if program.result is not None:
        _rename_loads([program.result], renames)
    return program


#: The values :func:`_candidate` may share.
_SHAREABLE = (ast.BinOp, ast.UnaryOp, ast.Attribute, ast.Subscript, ast.Call)


def _repeats(body: list[ast.stmt]) -> bool:
    """Whether two assignments of one block assign values of one text (``ast.dump``):
    without, no value is shared (a shared value's key holds its text)."""
    for block, _ in blocks(body):
        seen: set[Any] = set()
        for stmt in block:
            if stmt.__class__ is ast.Assign and isinstance(stmt.value, _SHAREABLE):
                key = _tree_key(stmt.value)
                if key in seen:
                    return True
                seen.add(key)
    return False


def _first_reads(body: list[ast.stmt]) -> tuple[dict[str, int], dict[int, int]]:
    """Each name -> the position (in program order) of the first statement reading it (a
    statement's nested blocks are not its own reads), and each statement's position by id."""
    first: dict[str, int] = {}
    positions: dict[int, int] = {}
    for position, stmt in enumerate(walk_stmts(body)):
        own = [getattr(stmt, f) for f in stmt._fields if f not in BLOCK_FIELDS]
        for name in names_loaded([n for n in own if isinstance(n, ast.AST)]):
            first.setdefault(name, position)
        positions[id(stmt)] = position
    return first, positions


def _unsafe_names(body: list[ast.stmt]) -> set[str]:
    """Names whose memory something may write or that may escape: element writes,
    appends, in-place updates, ``out=`` buffers, arguments of calls made for their effect
    or of functions not known to be pure, items of tuple and list literals."""
    unsafe = names_written_into(body)
    for stmt in walk_stmts(body):
        place = anno.get(stmt, anno.INPLACE)
        if place is not None:
            unsafe |= {place[1], place[2]}
        if isinstance(stmt, ast.Expr):
            unsafe |= names_loaded(stmt)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.Tuple, ast.List)):
            unsafe |= names_loaded(stmt.value)  # packed: may reach the caller as two objects
        for node in walk(stmt):
            if isinstance(node, ast.keyword) and node.arg == "out":
                unsafe |= names_loaded(node.value)
            elif isinstance(node, ast.Call) and not _harmless_call(node):
                unsafe |= names_loaded(node)
    return unsafe


def _share_in_block(block: list[ast.stmt], stores: dict[str, int], unsafe: set[str],
                    first_read: dict[str, int], positions: dict[int, int],
                    renames: dict[str, str]) -> None:
    seen: dict[Any, str] = {}  # key -> the name holding that value
    depends: dict[str, list[Any]] = {}  # name -> the keys of the values read from it

    def forget(changed: set[str]) -> None:
        for name in changed:
            for key in depends.pop(name, ()):
                seen.pop(key, None)

    drop: list[int] = []
    for i, stmt in enumerate(block):
        if renames:
            _rename_loads([stmt], renames)  # (so a repeat of a repeat is seen as one)
        key = _candidate(stmt, stores, unsafe)
        if key is None:
            if isinstance(stmt, ast.Expr):  # a call for its effect: anything may change
                seen.clear()
                depends.clear()
            else:
                forget(names_changed(stmt))
            continue
        target = stmt.targets[0].id
        read_from = first_read.get(target)
        if key in seen and (read_from is None or read_from > positions[id(stmt)]):
            renames[target] = seen[key]
            drop.append(i)
            continue
        forget({target})  # (a value read from target's previous value, in a loop)
        if key not in seen:
            seen[key] = target
            for name in names_loaded(stmt.value) | {target}:
                depends.setdefault(name, []).append(key)
    for i in reversed(drop):
        del block[i]


def _candidate(stmt: ast.stmt, stores: dict[str, int], unsafe: set[str]) -> Any:
    """A key naming the value ``t = e`` computes, or ``None`` when it may not be shared."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return None
    target = stmt.targets[0].id
    if stores.get(target, 0) != 1 or target in unsafe or anno.get(stmt, anno.INPLACE):
        return None
    if anno.get(stmt, anno.NOGRAD, False) or anno.get(stmt, anno.APPEND, False):
        return None
    value = stmt.value
    if not isinstance(value, _SHAREABLE):
        return None
    parts: list[Any] = [_tree_key(value)]
    for node in walk(value):
        if isinstance(node, ast.Name):
            if node.id in unsafe:
                return None
            parts.append((node.id, bool(anno.get(node, anno.GLOBAL, False))))
        elif isinstance(node, ast.Call):
            callee = anno.get(node, anno.CALLEE)
            if anno.get(node, anno.METHOD) is not None or not _pure_function(callee):
                return None
            if any(k.arg is None or k.arg == "out" for k in node.keywords):
                return None
            parts.append(id(callee))
        elif isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Starred)) \
                and node is value:
            return None
    return tuple(parts)


def _tree_key(node: Any) -> Any:
    """A hashable key equal for two trees exactly when ``ast.dump`` gives them the same
    text (classes and fields, not positions; a constant by its class and ``repr``, so
    ``0.0`` and ``-0.0`` differ), made without building the text."""
    if isinstance(node, ast.AST):
        return (node.__class__, *[_tree_key(getattr(node, f, None)) for f in node._fields])
    if node.__class__ is list:
        return tuple(_tree_key(item) for item in node)
    if node is None or node.__class__ in (str, int, bool):
        return (node.__class__, node)
    return (node.__class__, repr(node))


def _harmless_call(call: ast.Call) -> bool:
    """A call that cannot write into its arguments: a known NumPy function or a method
    the rule table differentiates."""
    method = anno.get(call, anno.METHOD)
    if method is not None:
        return bool(rules.lookup_method(method)) or method in rules.NONDIFF_METHODS
    callee = anno.get(call, anno.CALLEE)
    return _pure_function(callee) or callee in (len, range, min, max, abs, float, int)


def _pure_function(fn: Any) -> bool:
    """A deterministic NumPy/SciPy/``math`` function the rule table knows."""
    return fn is not None and deterministic(fn) \
        and bool(rules.lookup(fn) or rules.is_nondifferentiable(fn))


def _rename_loads(tree: list[ast.AST], renames: dict[str, str]) -> None:
    for top in tree:
        for node in walk(top):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                new = renames.get(node.id)
                while new is not None:
                    node.id = new
                    new = renames.get(new)
