"""Negations sunk into the subtraction that absorbs them (part of pass 6b, lower).

After :func:`sink_negations`, a backward statement ``t = -u`` (``u`` an
adjoint: floating point, where negation is exact) whose value reaches,
through names each bound and read once and through products and quotients
only, an addition or a subtraction, is written without the minus and that
addition flips::

    blse = np.sum(-bsub_1, axis=1)   →   blse = np.sum(bsub_1, axis=1)
    bsum_ = blse / sum_                  bsum_ = blse / sum_
    bsub = bsum_ * exp                   bsub = bsum_ * exp
    blogits = bsub_1 + bsub              blogits = bsub_1 - bsub

The negation may sit anywhere in a statement's value (``bx += -bt * y`` is
``bx -= bt * y``); the chain passes through products, quotients and
``np.sum``/``np.mean`` (``np.sum(-u, axis=1)``).  One pass over an array less; every
value is the same, bit for bit (IEEE negation commutes exactly with
multiplication, division, summation and rounding: ``(-u) * v == -(u * v)``,
``sum(-u) == -sum(u)``, ``a + -n == a - n``, ``-n - a == -(n + a)``).  The
names in between hold the negation of what they held — each is read only by
the next step, so nothing else sees it.  A chain that ends anywhere else (a
call, a subscript, a return, a second reader, a loop) is left as it was.
"""

from __future__ import annotations

import ast
from typing import Callable

import numpy as np

from . import anno
from .astutil import load_and_store_counts, marker_names, mentions, walk_stmts
from .env import Env

_LINEAR = frozenset({id(np.sum), id(np.mean)})


def sink_negations(body: list[ast.stmt], adjoints: set[str], env: Env,
                   counts: tuple[dict[str, int], dict[str, int]] | None = None) -> None:
    """Rewrite ``body``'s top-level backward negations as above (in place); ``counts``:
    ``load_and_store_counts(body)`` when the caller has them (they are copied: the edits
    here change no name, so they hold after it too)."""
    if counts is None:
        loads, stores = load_and_store_counts(body)
    else:
        loads, stores = counts[0], dict(counts[1])
    for stmt in walk_stmts(body):
        for name in marker_names(stmt):
            stores[name] = stores.get(name, 0) + 1
    for i, stmt in enumerate(body):
        if not (_backward_assign(stmt) or _backward_update(stmt)):
            continue
        for path in _negations(stmt.value, adjoints):
            negation = path[-1]
            edits: list[Callable[[], None]] = []
            state = _absorb(stmt, path, edits, env)
            if state == "pending" and isinstance(stmt, ast.AugAssign):
                edits.append(_flip(stmt))  # b += -n is b -= n
            elif state == "pending":
                more = _chain(body, i, stores, loads, env)
                edits = None if more is None else edits + more
            elif state == "stuck":
                edits = None
            if edits is not None:
                _replace(path[-2] if len(path) > 1 else stmt, negation, negation.operand)()
                for edit in edits:
                    edit()
                break


def _negations(node: ast.expr, adjoints: set[str]) -> list[list[ast.expr]]:
    """The paths from ``node`` to each negation ``-u`` of an adjoint ``u`` in it."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Name) and node.operand.id in adjoints:
        return [[node]]
    return [[node, *path] for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)
            for path in _negations(child, adjoints)]


def _linear_reduction(node: ast.expr, env: Env) -> bool:
    """``np.sum(a, ...)`` or ``np.mean(a, ...)``: the sum of negations is the negated sum."""
    return isinstance(node, ast.Call) and bool(node.args) \
        and id(env.resolve(node.func)) in _LINEAR and not any(
            k.arg in ("out", "where", "initial", "dtype") for k in node.keywords) \
        and len(node.args) <= 2


def _backward_assign(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
        and isinstance(stmt.targets[0], ast.Name) and anno.get(stmt, anno.GRAD, False)


def _backward_update(stmt: ast.stmt) -> bool:
    """``b += e`` or ``b -= e`` of the backward sweep."""
    return isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) \
        and isinstance(stmt.op, (ast.Add, ast.Sub)) and anno.get(stmt, anno.GRAD, False)


def _chain(body: list[ast.stmt], start: int, stores: dict[str, int],
           loads: dict[str, int], env: Env) -> list[Callable[[], None]] | None:
    """The edits that absorb the negation of ``body[start]``'s value, or None."""
    i = start
    edits: list[Callable[[], None]] = []
    while True:
        name = body[i].targets[0].id
        if stores.get(name) != 1 or loads.get(name) != 1:
            return None
        j = next((k for k in range(i + 1, len(body)) if mentions(body[k], name)), None)
        if j is None:
            return None
        reader = body[j]
        augmented = _backward_update(reader)
        if not (augmented or _backward_assign(reader)):
            return None
        path = _path_to(reader.value, name)
        if path is None:
            return None
        state = _absorb(reader, path, edits, env)
        if state == "absorbed":
            return edits
        if state == "stuck":
            return None
        # the whole value is negated now: its target holds the negation
        if augmented:
            edits.append(_flip(reader))
            return edits
        i = j


def _path_to(node: ast.expr, name: str) -> list[ast.expr] | None:
    """The nodes from ``node`` down to the one read of ``name`` in it (None if not
    found)."""
    if isinstance(node, ast.Name):
        return [node] if node.id == name else None
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            found = _path_to(child, name)
            if found is not None:
                return [node, *found]
    return None


def _absorb(reader: ast.Assign | ast.AugAssign, path: list[ast.expr],
            edits: list[Callable[[], None]], env: Env) -> str:
    """Carry a negation up from the read (``path[-1]``), planning edits: ``"absorbed"``
    by an addition, subtraction or negation; ``"pending"`` at the top of the value;
    ``"stuck"`` at anything else."""
    for k in range(len(path) - 1, 0, -1):
        child, parent = path[k], path[k - 1]
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Mult, ast.Div)):
            continue  # (-u) * v is -(u * v); u / (-v) is -(u / v)
        if _linear_reduction(parent, env) and parent.args[0] is child:
            continue
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub):
            if k == len(path) - 1 and isinstance(child, ast.UnaryOp):
                return "stuck"  # --u itself: optimize's double_negation folds it
            holder = path[k - 2] if k >= 2 else reader  # --n is n
            edits.append(_replace(holder, parent, child))
            return "absorbed"
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
            edits.append(_flip(parent) if parent.right is child else _swap(parent))
            return "absorbed"  # a + -n is a - n; -n + a is a - n
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Sub):
            edits.append(_flip(parent))
            if parent.right is child:
                return "absorbed"  # a - -n is a + n
            continue  # -n - a is -(n + a)
        return "stuck"
    return "pending"


def _flip(node: ast.BinOp | ast.AugAssign) -> Callable[[], None]:
    def edit() -> None:
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    return edit


def _swap(node: ast.BinOp) -> Callable[[], None]:
    def edit() -> None:
        node.left, node.right, node.op = node.right, node.left, ast.Sub()
    return edit


def _replace(holder: ast.AST, old: ast.expr, new: ast.expr) -> Callable[[], None]:
    """Put ``new`` where ``holder`` has ``old``."""
    def edit() -> None:
        for field, value in ast.iter_fields(holder):
            if value is old:
                setattr(holder, field, new)
            elif isinstance(value, list):
                for idx, item in enumerate(value):
                    if item is old:
                        value[idx] = new
    return edit
