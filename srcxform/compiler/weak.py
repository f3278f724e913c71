"""Products with a broadcast Python number, written so they keep their operand's dtype.

A gradient's seed is the Python float ``1.0``; NumPy 2 types a Python number
*weakly*: ``1.0 * x`` has ``x``'s dtype (float32 stays float32).  The rule
of a reduction materialises the seed (``np.broadcast_to(1.0, (n,))``, a
float64 array), and a product with it — ``np.outer(g, x)``, ``g @ W`` in the
rule of ``W @ x`` — then made a float32 argument's gradient float64 (and
multiplied a matrix by ones).

After :func:`product_of_broadcast`, such a product, with one operand the
broadcast of a Python number ``c`` to a known shape and the other of a known
shape, is the same value written with ``c`` kept a number: ``c`` times a sum
or a tiling of the other operand, whose dtype it keeps.  The optimizer calls
it for ``np.outer`` calls and ``@``.  Shapes may be patterns (a batch size
``shapes.Dim``), whose sizes ``written`` spells from the parameters.
"""

from __future__ import annotations

import ast
import math
from typing import Any, Callable

Parts = Callable[[ast.expr], "tuple[ast.expr, ast.expr] | None"]
Exact = Callable[[ast.expr], "tuple[int, ...] | None"]
Written = Callable[[tuple], "ast.expr | None"]


def _call(np_name: str, fn: str, args: list[ast.expr], **keywords: Any) -> ast.Call:
    return ast.Call(ast.Attribute(ast.Name(np_name, ast.Load()), fn, ast.Load()), args,
                    [ast.keyword(k, ast.Constant(v)) for k, v in keywords.items()])


def _scaled(c: ast.expr, e: ast.expr) -> ast.expr:
    return e if isinstance(c, ast.Constant) and c.value == 1 else ast.BinOp(c, ast.Mult(), e)


def _number(node: ast.expr) -> bool:
    """``node`` is surely a Python int or float: a literal, an array's size ``X.shape[0]``,
    or arithmetic of them (``1 / X.shape[0]``, the seed of a mean over a batch)."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.USub, ast.UAdd)) and _number(node.operand)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)) \
            and _number(node.left) and _number(node.right)
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
        and node.value.attr == "shape" and isinstance(node.slice, ast.Constant) \
        and type(node.slice.value) is int


def product_of_broadcast(kind: str, left: ast.expr, right: ast.expr, broadcast: Parts,
                         exact_of: Exact, np_name: str, written: Written | None = None
                         ) -> ast.expr | None:
    """``np.outer(left, right)`` (``kind`` "outer") or ``left @ right`` ("matmul") without
    the broadcast number, or None when neither operand is one or a shape is unknown.

    ``broadcast(e)`` gives ``(c, shape)`` for ``e`` a broadcast of the scalar ``c`` to
    ``shape`` (a constant shape or an array of that shape); ``exact_of`` gives an
    expression's shape (or pattern) when it is known, and ``written`` a shape as an
    expression, or None (by default: a constant, for shapes of numbers).
    """
    written = written or _constant
    for side in (0, 1):
        b, other = (left, right) if side == 0 else (right, left)
        parts = broadcast(b)
        if parts is None or not _number(parts[0]):
            continue
        c, like = parts
        shape = like.value if isinstance(like, ast.Constant) else exact_of(like)
        other_shape = exact_of(other)
        if not isinstance(shape, tuple) or other_shape is None:
            return None
        if kind == "outer":
            return _outer(side, c, shape, other, len(other_shape) == 1, np_name, written)
        return _matmul(side, c, shape, other, other_shape, np_name, written)
    return None


def _constant(shape: tuple) -> ast.expr | None:
    """A shape of numbers as a literal (None for a pattern)."""
    return ast.Constant(shape) if all(type(d) is int for d in shape) else None


def _outer(side: int, c: ast.expr, shape: tuple, other: ast.expr, flat: bool,
           np_name: str, written: Written) -> ast.expr | None:
    if all(type(d) is int for d in shape):
        n: tuple = (math.prod(shape),)
    elif len(shape) == 1:
        n = shape
    else:
        return None  # (a product of sizes)
    reps = written((*n, 1) if side == 0 else (1, *n))
    if reps is None:
        return None
    flat = other if flat else _call(np_name, "ravel", [other])
    if side == 0:  # outer(b, x): every row is x
        tiled = _call(np_name, "tile", [flat, reps])
    else:  # outer(x, b): every column is x
        column = _call(np_name, "reshape", [flat, ast.Constant((-1, 1))])
        tiled = _call(np_name, "tile", [column, reps])
    return _scaled(c, tiled)


def _broadcast(np_name: str, value: ast.expr, shape: tuple, written: Written
               ) -> ast.expr | None:
    target = written(shape)
    return None if target is None else _call(np_name, "broadcast_to", [value, target])


def _matmul(side: int, c: ast.expr, shape: tuple, other: ast.expr, other_shape: tuple,
            np_name: str, written: Written) -> ast.expr | None:
    if len(shape) not in (1, 2) or len(other_shape) not in (1, 2):
        return None
    if side == 0:  # b @ M: sum M over its first (contracted) axis
        if len(other_shape) == 1:
            summed = _scaled(c, _call(np_name, "sum", [other]))
        else:
            summed = _scaled(c, _call(np_name, "sum", [other], axis=0))
        if len(shape) == 1:
            return summed
        return _broadcast(np_name, summed, (shape[0],) + other_shape[1:], written)
    # M @ b: sum M over its last (contracted) axis
    if len(other_shape) == 1:
        summed = _scaled(c, _call(np_name, "sum", [other]))
        if len(shape) == 1:
            return summed
        return _broadcast(np_name, summed, shape[1:], written)
    if len(shape) == 1:
        return _scaled(c, _call(np_name, "sum", [other], axis=1))
    column = _scaled(c, _call(np_name, "sum", [other], axis=1, keepdims=True))
    return _broadcast(np_name, column, (other_shape[0], shape[1]), written)
