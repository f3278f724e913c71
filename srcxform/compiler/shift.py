"""Shift-invariant maxima: a max subtracted only for numerical safety gets no adjoint.

After :func:`drop_shift_maxima`, a name ``m`` bound once, in the function's
top-level straight-line code, by ``m = np.max(x, axis=a, keepdims=True)``
(``np.amax``, ``x.max(...)``) is no longer in ``program.active`` when the
returned value provably does not depend on ``m`` at all: the log-sum-exp
and softmax idioms ``x - m - np.log(np.sum(np.exp(x - m), axis=a,
keepdims=True))``, ``m + np.log(np.sum(np.exp(x - m), ...))`` and
``np.exp(x - m) / np.sum(np.exp(x - m), ...)``.  Their derivative with
respect to ``m`` is exactly zero, so leaving it out changes the gradient by
rounding only (it is what a hand-written gradient does, and it saves the
max's mask).

The proof is an abstract interpretation of the statements after ``m``.
Write ``s`` for ``m`` broadcast along ``a``; every value is tracked as one of

* ``ADD c``: ``base + c * s`` (``m`` itself is ``ADD 1``),
* ``MUL c``: ``base * exp(c * s)``,

with ``c = 0`` meaning "does not depend on ``m``", or as unknown.  ``x - m``,
``exp``, ``log``, sums (for ``MUL``) and maxima (for ``ADD``) along ``a``
with ``keepdims=True``, ``+``/``-`` of two ``ADD`` values, ``*``/``/`` of
two ``MUL`` values and products with number constants move between these
forms; a value that depends on ``m`` may meet only ``x`` itself and number
constants, so it keeps ``x``'s shape and ``a`` names the same axis
throughout.  Anything else that mentions a value depending on ``m`` (another
call, an index, a statement in a loop or branch, a second assignment of a
name) makes the proof fail and ``m`` keeps its adjoint.
"""

from __future__ import annotations

import ast

import numpy as np

from . import anno
from .astutil import names_mentioned, walk, walk_stmts
from .program import Program

#: ``("add", c)`` or ``("mul", c)``; ``None`` for a value of unknown form.
Form = tuple[str, float] | None

_FREE = ("add", 0.0)  # does not depend on m

_MAXES = (np.max, np.amax)


def drop_shift_maxima(program: Program) -> Program:
    """Take every provably shift-only max out of ``program.active`` (module docstring)."""
    body = program.body
    if not program.active or not isinstance(program.result, ast.Name):
        return program
    counts: dict[str, int] = {}
    for stmt in walk_stmts(body):
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                for n in walk(t):
                    if isinstance(n, ast.Name):
                        counts[n.id] = counts.get(n.id, 0) + 1
    for i, stmt in enumerate(body):
        found = _max_of(stmt)
        if found is None:
            continue
        m, x, axis = found
        if m not in program.active or counts.get(m) != 1 or counts.get(x, 0) > 1:
            continue
        if any(x in _stored(s) for s in walk_stmts(body[i + 1:])):
            continue  # x must mean the same value after the max
        if _invariant(body[i + 1:], m, x, axis, program.result.id, counts):
            program.active = program.active - {m}
    return program


def _stored(stmt: ast.stmt) -> set[str]:
    if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For)):
        return set()
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return {n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)}


def _max_of(stmt: ast.stmt) -> tuple[str, str, int] | None:
    """``(m, x, axis)`` of ``m = np.max(x, axis=axis, keepdims=True)``, else ``None``."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
        return None
    call = stmt.value
    if anno.get(call, anno.METHOD) == "max" and isinstance(call.func, ast.Attribute):
        operand, rest = call.func.value, list(call.args)
    elif any(anno.get(call, anno.CALLEE) is f for f in _MAXES) and call.args:
        operand, rest = call.args[0], list(call.args[1:])
    else:
        return None
    axis = _reduction_axis(rest, call.keywords)
    if not isinstance(operand, ast.Name) or axis is None:
        return None
    return stmt.targets[0].id, operand.id, axis


def _reduction_axis(args: list[ast.expr], keywords: list[ast.keyword]) -> int | None:
    """The axis of a reduction called with ``axis=<int>, keepdims=True`` and nothing else."""
    kw = {k.arg: k.value for k in keywords}
    if args or set(kw) != {"axis", "keepdims"}:
        return None
    axis, keep = kw["axis"], kw["keepdims"]
    if not (isinstance(keep, ast.Constant) and keep.value is True):
        return None
    if isinstance(axis, ast.Constant) and type(axis.value) is int:
        return axis.value
    if (isinstance(axis, ast.UnaryOp) and isinstance(axis.op, ast.USub)
            and isinstance(axis.operand, ast.Constant) and type(axis.operand.value) is int):
        return -axis.operand.value
    return None


def _invariant(rest: list[ast.stmt], m: str, x: str, axis: int, result: str,
               counts: dict[str, int]) -> bool:
    """Whether ``result`` provably does not depend on ``m`` (module docstring)."""
    forms: dict[str, tuple[str, float]] = {m: ("add", 1.0)}
    for stmt in rest:
        mentioned = names_mentioned(stmt)
        if mentioned.isdisjoint(forms):
            continue
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            return False  # a loop, branch, effect or element write sees it
        target = stmt.targets[0].id
        if counts.get(target) != 1:
            return False
        form = _form(stmt.value, forms, x, axis)
        if form is None:
            return False
        if form[1] == 0.0:
            continue  # free of m from here on
        forms[target] = form
    return result not in forms


def _form(node: ast.expr, forms: dict[str, tuple[str, float]], x: str, axis: int) -> Form:
    """The form of ``node`` (``None`` when unknown or when it mixes in another value)."""
    if isinstance(node, ast.Name):
        if node.id in forms:
            return forms[node.id]
        return _FREE if node.id == x else None
    if isinstance(node, ast.Constant):
        return _FREE if _is_number(node.value) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _form(node.operand, forms, x, axis)
        if inner is None:
            return None
        return ("add", -inner[1]) if inner[0] == "add" else inner
    if isinstance(node, ast.BinOp):
        return _binop(node, forms, x, axis)
    if isinstance(node, ast.Call):
        return _call(node, forms, x, axis)
    return None


def _binop(node: ast.BinOp, forms: dict[str, tuple[str, float]], x: str, axis: int) -> Form:
    left = _form(node.left, forms, x, axis)
    right = _form(node.right, forms, x, axis)
    if left is None or right is None:
        return None
    if isinstance(node.op, (ast.Add, ast.Sub)):
        left, right = _as("add", left), _as("add", right)
        if left is None or right is None:
            return None
        sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
        return _normal(("add", left[1] + sign * right[1]))
    if isinstance(node.op, (ast.Mult, ast.Div)):
        for const, other in ((node.left, right), (node.right, left)):
            if isinstance(const, ast.Constant) and other[0] == "add" and other[1] != 0.0:
                if isinstance(node.op, ast.Div) and const is node.left:
                    return None
                k = float(const.value)
                if k == 0.0:
                    return None
                return _normal(("add", other[1] * (k if isinstance(node.op, ast.Mult) else 1 / k)))
        left, right = _as("mul", left), _as("mul", right)
        if left is None or right is None:
            return None
        sign = 1.0 if isinstance(node.op, ast.Mult) else -1.0
        return _normal(("mul", left[1] + sign * right[1]))
    return None


def _call(node: ast.Call, forms: dict[str, tuple[str, float]], x: str, axis: int) -> Form:
    callee = anno.get(node, anno.CALLEE)
    method = anno.get(node, anno.METHOD)
    if method is not None and isinstance(node.func, ast.Attribute):
        operand, rest = node.func.value, list(node.args)
        name = method
    elif node.args:
        operand, rest = node.args[0], list(node.args[1:])
        name = {id(np.exp): "exp", id(np.log): "log", id(np.sum): "sum",
                id(np.max): "max", id(np.amax): "max"}.get(id(callee))
    else:
        return None
    inner = _form(operand, forms, x, axis)
    if name is None or inner is None:
        return None
    if name in ("exp", "log"):
        if rest or node.keywords:
            return None
        if name == "exp":
            inner = _as("add", inner)
            return None if inner is None else _normal(("mul", inner[1]))
        inner = _as("mul", inner)
        return None if inner is None else _normal(("add", inner[1]))
    if _reduction_axis(rest, node.keywords) != axis:
        return None
    wanted = "mul" if name == "sum" else "add"
    return _as(wanted, inner)


def _as(kind: str, form: tuple[str, float]) -> Form:
    """``form`` read as ``kind`` (a value free of ``m`` is both), else ``None``."""
    if form[1] == 0.0:
        return (kind, 0.0)
    return form if form[0] == kind else None


def _normal(form: tuple[str, float]) -> tuple[str, float]:
    return _FREE if form[1] == 0.0 else form


def _is_number(value: object) -> bool:
    return type(value) in (int, float)
