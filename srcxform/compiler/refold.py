"""Forward temporaries read once, folded back into the expression that reads them.

Normalization gives every operation its own statement (``mul = a * x``,
``sin = math.sin(mul)``, ...), which the passes need; once the gradient is
optimized, a temporary of the forward sweep that is read exactly once, by a
later forward statement of the same block, is only a name.  After
:func:`refold`, each such ``t = e`` is gone and ``e`` stands where ``t`` was
read, so the forward sweep reads like the user's own lines
(``x = x + 0.05 * (math.sin(a * x) - 0.5 * x)``) and a scalar loop pays no
stores and loads for its temporaries.

A temporary is folded only when that cannot change what is computed: ``e``
is operators, names, numbers, attributes, indexing and calls of pure NumPy,
``math`` or SciPy functions; no name ``e`` reads is rebound, no array is
written into and nothing is called for its effect between ``t = e`` and its
reader; ``t`` is none of
the user's own names (``keep``), is assigned once (per iteration) and is not
written into.  Its restore placeholders (in a loop's backward sweep) are
dropped with it: nothing reads what they would restore.  Values are unchanged: the same
operations run in the same order.
"""

from __future__ import annotations

import ast

from . import anno
from .astutil import (
    BLOCK_FIELDS,
    blocks,
    counted,
    marker_names,
    names_and,
    names_loaded,
    walk,
    walk_stmts,
)
from .effects import deterministic
from .env import Env

_SUBSCRIPTS = frozenset({ast.Subscript})

#: Statements without blocks and without names deleted (``del`` counts as a store here).
_SIMPLE = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return,
                     ast.Assert, ast.Pass})
_FOLDABLE = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Name, ast.Constant, ast.Attribute,
             ast.Subscript, ast.Call, ast.Tuple, ast.Slice, ast.keyword, ast.Load,
             ast.operator, ast.unaryop, ast.cmpop)


def refold(body: list[ast.stmt], env: Env, keep: set[str]) -> None:
    """Fold the forward temporaries of ``body`` read once into their readers (docstring)."""
    loads: dict[str, int] = {}
    stores: dict[str, int] = {}
    fixed = set(keep)
    scans: dict[int, tuple[set[str], set[str], bool]] = {}  # (_scan, from the same walk)
    for stmt in walk_stmts(body):
        if marker_names(stmt):  # a restore placeholder's arguments are not reads...
            index = anno.get(stmt, anno.STORE_INDEX)
            if index is not None:  # ...but the index of the elements it restores is
                fixed |= names_loaded(index)
            continue
        if stmt.__class__ in _SIMPLE:  # (the same counts, from one faster walk)
            found, subscripts = names_and(stmt, _SUBSCRIPTS)
            own_loads, own_stores, written = counted(found + subscripts)
            for name, n in own_loads.items():
                loads[name] = loads.get(name, 0) + n
            for name, n in own_stores.items():
                stores[name] = stores.get(name, 0) + n
            fixed |= written  # written into: never folded away
            # (a simple statement deletes no name: what it changes is what it stores)
            scans[id(stmt)] = (set(own_loads), set(own_stores),
                               any(n.ctx.__class__ is ast.Store for n in subscripts))
            continue
        for n in _own_nodes(stmt):
            if isinstance(n, ast.Name):
                counts = loads if isinstance(n.ctx, ast.Load) else stores
                counts[n.id] = counts.get(n.id, 0) + 1
            elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) \
                    and isinstance(n.value, ast.Name):
                fixed.add(n.value.id)  # written into: never folded away
    folded: set[str] = set()
    for block, _ in blocks(body):
        folded |= _refold_block(block, env, loads, stores, fixed, scans)
    if folded:
        body[:] = _drop_restores(body, folded)


def _own_nodes(stmt: ast.stmt):
    """The nodes of ``stmt`` outside its nested blocks (those are statements of their own)."""
    todo = [getattr(stmt, f) for f in stmt._fields if f not in BLOCK_FIELDS]
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, ast.AST):
            yield item
            todo.extend(getattr(item, f, None) for f in item._fields)


def _drop_restores(block: list[ast.stmt], folded: set[str]) -> list[ast.stmt]:
    """``block`` without the restore placeholders of folded temporaries (nothing reads
    what they restore), and without backward loops and branches left empty by that."""
    kept = []
    for stmt in block:
        names = marker_names(stmt)
        if names and set(names) & folded:
            rest = [n for n in names if n not in folded]
            if not rest:
                continue
            anno.set(stmt, anno.MARKER, (anno.get(stmt, anno.MARKER)[0], rest))
        emptied = False
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                new = _drop_restores(inner, folded)
                emptied = emptied or not new
                setattr(stmt, field, new or ([ast.Pass()] if field == "body" else []))
        if emptied and _idle(stmt):
            continue
        kept.append(stmt)
    return kept


def _idle(stmt: ast.stmt) -> bool:
    """A backward loop or branch that does nothing (its body ``pass``, its header no call
    but ``range``/``reversed``)."""
    if not anno.get(stmt, anno.GRAD, False) or not isinstance(stmt, (ast.For, ast.If)):
        return False
    if not all(isinstance(s, ast.Pass) for s in stmt.body + stmt.orelse):
        return False
    header = stmt.iter if isinstance(stmt, ast.For) else stmt.test
    return all(isinstance(n.func, ast.Name) and n.func.id in ("range", "reversed")
               for n in walk(header) if isinstance(n, ast.Call))


def _forward(stmt: ast.stmt) -> bool:
    return not (anno.get(stmt, anno.GRAD, False) or anno.get(stmt, anno.FORWARD, False))


def _refold_block(block: list[ast.stmt], env: Env, loads: dict[str, int],
                  stores: dict[str, int], fixed: set[str],
                  scans: dict[int, tuple[set[str], set[str], bool]]) -> set[str]:
    """Fold in one block; the names folded away (``scans``: :func:`_scan` of statements
    not changed since)."""
    pending: dict[str, tuple[int, set[str]]] = {}  # temp -> (its index, names its value reads)
    drop: list[int] = []
    folded: set[str] = set()
    for i, stmt in enumerate(block):
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Expr, ast.AugAssign)) \
                or not _forward(stmt):
            # never moved into a branch or a loop body, nor across a call for its effect,
            # an in-place update or backward code
            pending.clear()
            continue
        loaded, changed, writes = scans.get(id(stmt)) or _scan(stmt)
        for name in loaded & set(pending):
            index, _ = pending.pop(name)
            if _replace_load(stmt, name, block[index].value):
                drop.append(index)
                folded.add(name)
        if writes:
            pending.clear()  # a write into an array, which any alias may see
        elif changed:
            pending = {t: v for t, v in pending.items() if not (v[1] & changed)}
        if _foldable(stmt, env, loads, stores, fixed):
            pending[stmt.targets[0].id] = (i, names_loaded(stmt.value))
    for i in sorted(drop, reverse=True):
        del block[i]
    return folded


def _scan(stmt: ast.stmt) -> tuple[set[str], set[str], bool]:
    """The names a simple statement reads, the names it rebinds or writes into, and
    whether it writes into an array (one walk)."""
    loaded: set[str] = set()
    changed: set[str] = set()
    writes = False
    for n in walk(stmt):
        if isinstance(n, ast.Name):
            (loaded if isinstance(n.ctx, ast.Load) else changed).add(n.id)
        elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store):
            writes = True
    return loaded, changed, writes


def _foldable(stmt: ast.stmt, env: Env, loads: dict[str, int], stores: dict[str, int],
              fixed: set[str]) -> bool:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and _forward(stmt)):
        return False
    name = stmt.targets[0].id
    if name in fixed or loads.get(name) != 1 or stores.get(name) != 1:
        return False
    if anno.get(stmt, anno.NOGRAD, False) \
            or isinstance(stmt.value, (ast.Tuple, ast.List)):
        return False
    return all(isinstance(n, _FOLDABLE) and (not isinstance(n, ast.Call) or _pure(n, env))
               for n in walk(stmt.value))


def _pure(call: ast.Call, env: Env) -> bool:
    if any(k.arg is None or k.arg == "out" for k in call.keywords):
        return False
    if isinstance(call.func, ast.Attribute) and env.resolve(call.func) is None:
        return False  # a method call: its object may be anything
    return deterministic(env.resolve(call.func))


def _replace_load(stmt: ast.stmt, name: str, value: ast.expr) -> bool:
    """Put ``value`` where ``stmt`` reads ``name`` (once); False when it cannot."""
    for node in walk(stmt):
        for field, old in ast.iter_fields(node):
            if isinstance(old, ast.Name) and old.id == name and isinstance(old.ctx, ast.Load):
                setattr(node, field, value)
                return True
            if isinstance(old, list):
                for k, item in enumerate(old):
                    if isinstance(item, ast.Name) and item.id == name \
                            and isinstance(item.ctx, ast.Load):
                        old[k] = value
                        return True
    return False
