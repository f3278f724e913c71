"""Zeros of a value's shape and dtype without the value: ``np.zeros_like`` of another name.

After :func:`retarget_likes`, a top-level ``b = np.zeros_like(x)`` whose ``x``
is read nowhere else reads instead an earlier name ``y`` that provably has
``x``'s exact shape and dtype, so the computation of ``x`` (kept only for its
shape and dtype: the adjoint of ``x[i]`` starts from zeros of ``x``'s kind) is
left to the dead-code pass.

Shapes are the exact shapes of a specialised walk (``ShapeFacts.exact``).
Dtypes follow from how names of straight-line code are made, as a class
``(root, level)``: ``level`` ``"same"`` means ``dtype(root)``, ``"float"``
means ``float_of(dtype(root))`` — the dtype a floating ufunc such as
``np.exp`` gives for the root's dtype (the root's own when it is floating or
complex, else the smallest floating type that holds it, which
``np.result_type`` with the root's dtype leaves unchanged).  The rules:

* a copy, ``-a``, ``a.max(axis)``/``np.max`` (and ``min``) keep ``a``'s class;
* ``np.exp(a)``, ``np.log(a)``, ... give ``(root(a), "float")``;
* ``a.sum(axis)``/``np.sum`` and ``a op number`` (``+ - * /``, a Python int or
  float) keep a ``"float"`` class (floating dtypes stay; integers would not);
* ``a op b`` (``+ - *``) of one root is ``"same"`` when both are, else
  ``"float"``; ``a / b`` of one root and both ``"float"`` is ``"float"``;
* anything else starts a class of its own.

Only names bound once (not parameters, not restored or overwritten) count,
and only under NumPy 2 (NEP 50: Python numbers and 0-d arrays promote by
kind, not value).
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .astutil import load_and_store_counts, marker_names, walk_stmts

#: Ufuncs whose result is floating for any numeric argument (``float_of`` its dtype).
_FLOATING = frozenset(id(f) for f in (np.exp, np.log, np.sqrt, np.sin, np.cos, np.tanh,
                                      np.log1p, np.expm1))
_KEEP = frozenset(id(f) for f in (np.max, np.min, np.amax, np.amin))
_SUMS = frozenset(id(f) for f in (np.sum,))
_REDUCTION_KEYWORDS = frozenset({"axis", "keepdims"})

#: NumPy's promotion does not look at values (NEP 50): a Python number never widens an
#: array's floating dtype, nor does a 0-d array's value matter.
_NEP50 = int(np.__version__.split(".")[0]) >= 2

Class = tuple[str, str]  # (root name, "same" | "float")


def retarget_likes(body: list[ast.stmt], walk: Any, params: list[str],
                   fixed: set[str],
                   counts: tuple[dict[str, int], dict[str, int]] | None = None) -> set[str]:
    """Rewrite ``np.zeros_like(x)`` as above (``fixed``: names that must not be taken as
    bound once: overwritten, restored); return the names now read instead.  ``counts``:
    ``body``'s load and store counts, when known (the loads are kept up to date with
    the rewrites; the stores are not changed)."""
    exact = walk.shapes.exact
    chosen: set[str] = set()
    if not exact or not _NEP50 or not any(_zeros_like_of_name(stmt, walk) for stmt in body):
        return chosen  # (nothing to retarget: no class is needed)
    if counts is None:
        counts = load_and_store_counts(body)
    loads, stores = counts[0], dict(counts[1])
    for stmt in walk_stmts(body):
        for name in marker_names(stmt):
            stores[name] = stores.get(name, 0) + 1
    once = {n for n, c in stores.items() if c == 1 and n not in fixed and n not in params}
    classes: dict[str, Class] = {}
    order: list[str] = []
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            continue
        target = stmt.targets[0].id
        value = stmt.value
        if _zeros_like_of_name(stmt, walk):
            x = value.args[0].id
            better = _same_kind(x, classes, order, exact, loads)
            if better is not None:
                value.args[0] = ast.Name(better, ast.Load())
                chosen.add(better)
                loads[x] -= 1
                loads[better] = loads.get(better, 0) + 1
        if target in once:
            classes[target] = _class_of(value, classes, walk) or (target, "same")
            order.append(target)
    return chosen


def _zeros_like_of_name(stmt: ast.stmt, walk: Any) -> bool:
    """``name = np.zeros_like(x)`` for a name ``x``."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return False
    value = stmt.value
    return isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords \
        and isinstance(value.args[0], ast.Name) and walk.rewriter.callee(value) is np.zeros_like


def _same_kind(x: str, classes: dict[str, Class], order: list[str],
               exact: dict[str, Any], loads: dict[str, int]) -> str | None:
    """An earlier name of ``x``'s class and exact shape, when ``x`` is read only here."""
    kind = classes.get(x)
    shape = exact.get(x)
    if kind is None or shape is None or loads.get(x, 0) != 1:
        return None
    for name in order:
        if name != x and classes.get(name) == kind and exact.get(name) == shape:
            return name
    return None


def _class_of(node: ast.expr, classes: dict[str, Class], walk: Any) -> Class | None:
    """The dtype class of ``node`` (module docstring), or None if unknown."""
    if isinstance(node, ast.Name):
        return classes.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _class_of(node.operand, classes, walk)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult,
                                                             ast.Div)):
        for array, other in ((node.left, node.right), (node.right, node.left)):
            if _number(other):
                kind = _class_of(array, classes, walk)
                return kind if kind is not None and kind[1] == "float" else None
        left = _class_of(node.left, classes, walk)
        right = _class_of(node.right, classes, walk)
        if left is None or right is None or left[0] != right[0]:
            return None
        if isinstance(node.op, ast.Div):
            return left if left[1] == right[1] == "float" else None
        return left if left[1] == right[1] == "same" else (left[0], "float")
    if isinstance(node, ast.Call):
        return _call_class(node, classes, walk)
    return None


def _call_class(node: ast.Call, classes: dict[str, Class], walk: Any) -> Class | None:
    func = node.func
    callee = walk.rewriter.callee(node)
    if callee is not None and id(callee) in _FLOATING:
        if len(node.args) != 1 or node.keywords:
            return None
        kind = _class_of(node.args[0], classes, walk)
        return (kind[0], "float") if kind is not None else None
    if callee is not None and id(callee) in _KEEP | _SUMS:
        if not node.args or not _reduction_arguments(node.args[1:], node.keywords):
            return None
        kind = _class_of(node.args[0], classes, walk)
        keeps = id(callee) in _KEEP
    elif callee is None and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id in classes and func.attr in ("max", "min", "sum") \
            and _reduction_arguments(node.args, node.keywords):
        kind = classes[func.value.id]
        keeps = func.attr != "sum"
    else:
        return None
    if kind is None or not (keeps or kind[1] == "float"):
        return None
    return kind


def _reduction_arguments(args: list[ast.expr], keywords: list[ast.keyword]) -> bool:
    """Only an axis (a constant) and ``keepdims``: nothing that sets a dtype or an out."""
    return len(args) <= 1 and all(isinstance(a, ast.Constant) for a in args) and all(
        k.arg in _REDUCTION_KEYWORDS and isinstance(k.value, ast.Constant) for k in keywords)


def _number(node: ast.expr) -> bool:
    """A Python int or float literal (not a bool), perhaps negated."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)
