"""Rewrite rules that use shape facts: broadcasting, ``unbroadcast``, shape queries.

Each rule takes ``(node, rw, facts)`` (see ``rewrites.py``) and returns a
replacement with the same value and shape, or ``None``.  After a rule
applies, these hold:

* ``np.ndim``/``np.size``/``np.shape``/``len``/``.shape``/``.size``/``.ndim``
  of values of known rank or shape are literals; a query that stays asks the
  earliest value of the same shape (so later values may die);
* ``unbroadcast(g, x)`` is ``g`` when ``g`` provably has ``x``'s shape, or a
  plain ``np.sum`` over the broadcast axes when both shapes are known;
* a broadcast scalar ``np.broadcast_to(s, S)`` combined with an array of
  shape ``S`` is ``s`` itself, combined with a scalar stays one broadcast,
  and reshaped stays a broadcast of ``s``; ``np.broadcast_to(e, S)`` of an
  ``e`` of shape ``S`` is ``e``;
* ``np.zeros_like`` of a float is ``0.0``; ``np.cos``/``np.sin``/``np.tanh``/
  ``np.arctan`` of a float are their ``math`` twins (same value, ~20x
  faster); ``scalar_seed`` of a scalar is ``1.0``;
* ``np.outer`` and ``@`` with an operand that is a broadcast Python number
  keep the number a number (``weak.py``), so the product keeps the other
  operand's dtype (a float32 gradient stays float32).

A rule that could apply if the arguments' ranks were known calls
``rw.wants_ranks()``: the caller then specializes the code on them.
"""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

import numpy as np

from ..rules import unbroadcast
from .rewrite_algebra import is_literal
from .shapefacts import SCALAR, ShapeFacts
from .shapes import has_dim
from .support import scalar_seed
from .weak import product_of_broadcast

if TYPE_CHECKING:
    from .facts import Facts
    from .rewriter import Rewriter

#: NumPy ufuncs whose ``math`` twin is total on floats (no overflow or domain error).
_SCALAR_MATH = {id(np.cos): "cos", id(np.sin): "sin", id(np.tanh): "tanh",
                id(np.arctan): "atan"}
_ARITHMETIC = (ast.Mult, ast.Div, ast.Add, ast.Sub)
_RESHAPES = (np.expand_dims, np.broadcast_to, np.reshape, np.transpose)


# -- binary operators with broadcasts ------------------------------------------------------
def matmul_with_broadcast_number(node: ast.BinOp, rw: Rewriter, facts: Facts
                                 ) -> ast.expr | None:
    """``np.broadcast_to(c, S) @ e`` (either side) for a Python number ``c``: ``c`` times a
    sum or tiling of ``e``, which keeps ``e``'s dtype (``weak.py``)."""
    if not isinstance(node.op, ast.MatMult):
        return None
    weak = product_of_broadcast("matmul", node.left, node.right,
                                lambda e: rw.scalar_broadcast(e, facts), rw.shapes.pattern_of,
                                rw.np_name().id, lambda s: _written_shape(rw.shapes, s))
    return None if weak is None else rw.simplify(weak, facts)


def outer_with_broadcast_number(node: ast.Call, rw: Rewriter, facts: Facts
                                ) -> ast.expr | None:
    """``np.outer`` with a broadcast Python number as one operand, written as for ``@``."""
    if not (rw.callee(node) is np.outer and len(node.args) == 2 and not node.keywords):
        return None
    weak = product_of_broadcast("outer", node.args[0], node.args[1],
                                lambda e: rw.scalar_broadcast(e, facts), rw.shapes.pattern_of,
                                rw.np_name().id, lambda s: _written_shape(rw.shapes, s))
    return None if weak is None else rw.simplify(weak, facts)


def distribute_broadcast_scalar(node: ast.BinOp, rw: Rewriter, facts: Facts
                                ) -> ast.expr | None:
    """``np.broadcast_to(s, S) op e`` is ``s op e`` for ``e`` of shape ``S``, and
    ``np.broadcast_to(s op e, S)`` for a scalar ``e`` (either side)."""
    if not isinstance(node.op, _ARITHMETIC):
        return None
    left, right, op, shapes = node.left, node.right, node.op, rw.shapes
    lb = rw.scalar_broadcast(left, facts)
    rb = rw.scalar_broadcast(right, facts)
    if lb is not None and rb is None:
        if shapes.same_as_like(right, lb[1]):
            return rw.simplify(ast.BinOp(lb[0], op, right), facts)
        if shapes.class_of(right) == SCALAR:
            return rw.broadcast(rw.simplify(ast.BinOp(lb[0], op, right), facts), lb[1])
    if rb is not None and lb is None:
        if shapes.same_as_like(left, rb[1]):
            return rw.simplify(ast.BinOp(left, op, rb[0]), facts)
        if shapes.class_of(left) == SCALAR:
            return rw.broadcast(rw.simplify(ast.BinOp(left, op, rb[0]), facts), rb[1])
    return None


def drop_broadcast_operand(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``np.broadcast_to(a, S) op e`` with ``e`` of shape ``S`` is ``a op e``: NumPy
    broadcasts ``a`` itself."""
    if not isinstance(node.op, _ARITHMETIC):
        return None
    left, right = node.left, node.right
    for side, other in ((left, right), (right, left)):
        parts = rw.array_broadcast(side, facts)
        if parts is not None and rw.shapes.same_as_like(other, parts[1]):
            a = parts[0]
            pair = (a, other) if side is left else (other, a)
            return rw.simplify(ast.BinOp(pair[0], node.op, pair[1]), facts)
    return None


# -- calls ---------------------------------------------------------------------------------
def fold_shape_query(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``np.ndim``/``np.size``/``np.shape`` of a value of known rank or shape is a literal;
    otherwise the query asks the earliest value known to have the same shape."""
    fn = rw.callee(node)
    if not (any(fn is f for f in (np.ndim, np.size, np.shape)) and len(node.args) == 1
            and not node.keywords):
        return None
    a, shapes = node.args[0], rw.shapes
    if is_literal(a) and a.value is not None:
        return ast.Constant(fn(a.value))
    if shapes.class_of(a) == SCALAR:
        return ast.Constant(fn(0.0))
    if fn is np.ndim:
        r = shapes.rank_of(a)
        if r is not None:
            return ast.Constant(r)
        rw.wants_ranks()
    exact = shapes.exact_of(a)
    if exact is not None and any(fn is f for f in (np.size, np.shape)):
        return ast.Constant(math.prod(exact) if fn is np.size else exact)
    written = _written_sizes(shapes, a) if fn is np.size else None
    if written is not None:
        return written
    if fn is np.size:
        rw.wants_ranks()
    if not isinstance(a, ast.Name):
        return None
    # ask the earliest value of the same shape, so later ones may die
    node.args = [ast.Name(shapes.earliest_like(a.id), ast.Load())]
    return node


def fold_len(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``len(a)`` of an array of known shape is its first dimension."""
    if rw.callee(node) is len and len(node.args) == 1 and not node.keywords:
        exact = rw.shapes.exact_of(node.args[0])
        if exact:
            return ast.Constant(exact[0])
        pattern = rw.shapes.pattern_of(node.args[0]) if rw.shapes.symbolic else None
        if pattern:
            return _source_of(rw.shapes, pattern[0], node)
    return None


def _source_of(shapes: ShapeFacts, size: object, node: ast.expr) -> ast.expr | None:
    """``size`` written from a parameter (``ShapeFacts.size_of``), unless that is ``node``."""
    written = shapes.size_of(size)
    if written is None or ast.dump(written) == ast.dump(node):
        return None
    return written


def _written_shape(shapes: ShapeFacts, shape: tuple) -> ast.expr | None:
    """A shape as an expression: a literal, or for a pattern a tuple of the parameters'
    sizes (``(X.shape[0], 3)``); None when a size has no such spelling."""
    if not has_dim(shape):
        return ast.Constant(shape)
    parts = _sizes_written(shapes, shape)
    return None if parts is None else ast.Tuple(parts, ast.Load())


def _sizes_written(shapes: ShapeFacts, pattern: tuple) -> list[ast.expr] | None:
    """Each size of ``pattern`` as an expression (``ShapeFacts.size_of``), or None."""
    parts = [shapes.size_of(d) for d in pattern]
    return None if any(p is None for p in parts) else parts


def _written_sizes(shapes: ShapeFacts, a: ast.expr) -> ast.expr | None:
    """The size of ``a``, of a known pattern, written with the parameters' sizes
    (``X.shape[0] * 10``), or None.  (A shape is not written so: ``np.shape(v)`` is how a
    broadcast names its target, ``shapefacts.broadcast_parts``.)"""
    pattern = shapes.pattern_of(a) if shapes.symbolic else None
    if pattern is None or not has_dim(pattern) or isinstance(a, ast.Name) and any(
            a.id == source for source, _ in shapes.dim_sources.values()):
        return None  # (a parameter's own size stays as written)
    parts = _sizes_written(shapes, pattern)
    if parts is None:
        return None
    dims = [p for p in parts if not isinstance(p, ast.Constant)]
    scale = math.prod(p.value for p in parts if isinstance(p, ast.Constant))
    product = dims[0]
    for d in dims[1:]:
        product = ast.BinOp(product, ast.Mult(), d)
    return product if scale == 1 else ast.BinOp(product, ast.Mult(), ast.Constant(scale))


def fold_min_max(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``max(12, 1)`` (builtin ``min``/``max`` of int constants, such as folded sizes) is
    the constant; ``max(np.size(a), 1)`` is ``np.size(a)`` when no size of ``a`` is 0."""
    fn = rw.callee(node)
    if not ((fn is min or fn is max) and len(node.args) >= 2 and not node.keywords):
        return None
    if all(isinstance(a, ast.Constant) and type(a.value) is int for a in node.args):
        return ast.Constant(fn(a.value for a in node.args))
    if fn is max and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) \
            and node.args[1].value == 1 and isinstance(node.args[0], ast.Call) \
            and len(node.args[0].args) == 1 and not node.args[0].keywords \
            and rw.callee(node.args[0]) is np.size:
        # max(np.size(a), 1) of an array no size of which is 0 (a Dim is at least 2)
        pattern = rw.shapes.pattern_of(node.args[0].args[0])
        if pattern is not None and all(d != 0 for d in pattern):
            return node.args[0]
    if fn is max and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) \
            and node.args[1].value == 1 \
            and has_dim((rw.shapes.dim_of(node.args[0], facts.sizes),)):
        return node.args[0]  # max(X.shape[0], 1) of a batch size (at least 2)
    return None


def scalar_zeros_like(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``np.zeros_like(s)`` of a scalar is ``0.0`` (a float, as the gradient of a float)."""
    if rw.callee(node) is np.zeros_like and len(node.args) == 1 and not node.keywords \
            and rw.shapes.exact_of(node.args[0]) == ():
        return ast.Constant(0.0)
    return None


def scalar_math(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``np.cos(s)`` of a float ``s`` is ``math.cos(s)`` (same value, ~20x faster); not of a
    value that may be complex (``math.cos`` refuses it; ``complexity.py``)."""
    fn = rw.callee(node)
    if id(fn) in _SCALAR_MATH and len(node.args) == 1 and not node.keywords \
            and rw.shapes.exact_of(node.args[0]) == () \
            and not rw.shapes.maybe_bool(node.args[0]) \
            and not rw.shapes.maybe_complex(node.args[0]):
        math_name = ast.Name(rw.env.ref(math, "math"), ast.Load())
        return ast.Call(ast.Attribute(math_name, _SCALAR_MATH[id(fn)], ast.Load()),
                        node.args, [])
    return None


def seed_of_scalar(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``scalar_seed(out)`` of a scalar is ``1.0``."""
    if rw.callee(node) is scalar_seed and len(node.args) == 1:
        if rw.shapes.class_of(node.args[0]) == SCALAR:
            return ast.Constant(1.0)
        rw.wants_ranks()  # knowing the ranks may show the output is a scalar
    return None


def drop_unbroadcast(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``unbroadcast(g, x)`` is ``g`` when ``g`` has ``x``'s shape, else an explicit
    ``np.sum`` when both shapes are known."""
    if not (rw.callee(node) is unbroadcast and len(node.args) == 2):
        return None
    g, x = node.args
    if rw.shapes.same_shape(g, x):
        return g
    bc = rw.scalar_broadcast(g, facts)
    if bc is not None and rw.shapes.same_as_like(x, bc[1]):
        return g
    explicit = explicit_unbroadcast(g, x, rw)
    if explicit is not None:
        return explicit
    rw.wants_ranks()
    return None


def explicit_unbroadcast(g: ast.expr, x: ast.expr, rw: Rewriter) -> ast.expr | None:
    """``unbroadcast(g, x)`` as a plain ``np.sum`` when both shapes are known (patterns
    too: the axes follow from which sizes are 1, and a ``Dim`` is at least 2)."""
    gs, xs = rw.shapes.pattern_of(g), rw.shapes.pattern_of(x)
    total = ast.Attribute(rw.np_name(), "sum", ast.Load())
    if xs == ():  # (whatever g's shape)
        return ast.Call(total, [g], [])
    if gs is None or xs is None:
        return None
    lead = len(gs) - len(xs)
    if lead < 0 or not all(n == 1 or gs[lead + i] == n for i, n in enumerate(xs)):
        return None
    units = tuple(lead + i for i, n in enumerate(xs) if n == 1 and gs[lead + i] != 1)
    if lead and not units:
        axis = ast.Constant(0 if lead == 1 else tuple(range(lead)))
        return ast.Call(total, [g], [ast.keyword("axis", axis)])
    if units and not lead:
        axis = ast.Constant(units[0] if len(units) == 1 else units)
        return ast.Call(total, [g], [ast.keyword("axis", axis),
                                     ast.keyword("keepdims", ast.Constant(True))])
    return None


def reshape_broadcast_scalar(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """Reshaping (or broadcasting again) a broadcast scalar broadcasts the scalar."""
    fn = rw.callee(node)
    if not (fn in _RESHAPES and node.args):
        return None
    inner = rw.scalar_broadcast(node.args[0], facts)
    if inner is None:
        return None
    if fn is np.broadcast_to and len(node.args) == 2:
        return rw.simplify(ast.Call(node.func, [inner[0], node.args[1]], []), facts)
    exact = rw.shapes.exact_of_call(node)
    if exact is not None:
        return rw.broadcast(inner[0], ast.Constant(exact))
    if rw.shapes.symbolic:  # a pattern: to the shape of a name known to have it
        like = rw.shapes.name_of_pattern(rw.shapes.pattern_of_call(node))
        if like is not None:
            return rw.broadcast(inner[0], ast.Name(like, ast.Load()))
    return None


def drop_needless_broadcast(node: ast.Call, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``np.broadcast_to(e, np.shape(v))`` is ``e`` when ``e`` has ``v``'s shape; with
    ``v``'s shape known the target shape is written out."""
    parts = rw.shapes.broadcast_parts(node)
    if parts is None:
        return None
    s, v = parts
    if rw.shapes.same_as_like(s, v):
        return s
    if not isinstance(v, ast.Constant):
        exact = rw.shapes.exact_of(v)
        if exact is not None:  # np.shape(v) of a known shape: write the shape
            node.args[1] = ast.Constant(exact)
            return node
    return None


# -- attributes ----------------------------------------------------------------------------
def fold_shape_attribute(node: ast.Attribute, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``a.shape``/``a.size``/``a.ndim`` of an array of known shape is a literal; of a
    known pattern, ``a.ndim`` is a literal and ``a.size`` written from the parameters."""
    if node.attr in ("shape", "size", "ndim"):
        exact = rw.shapes.exact_of(node.value)
        if exact is not None:
            return ast.Constant({"shape": exact, "size": math.prod(exact),
                                 "ndim": len(exact)}[node.attr])
        if not rw.shapes.symbolic:
            return None
        if node.attr == "ndim":
            rank = rw.shapes.rank_of(node.value)
            return None if rank is None else ast.Constant(rank)
        return _written_sizes(rw.shapes, node.value) if node.attr == "size" else None
    return None


def fold_size_of_dim(node: ast.Subscript, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``a.shape[k]`` (or ``np.shape(a)[k]``) of a known size is the size: a literal, or a
    batch size written from the parameter it comes from (``len(X)``)."""
    if not rw.shapes.symbolic:
        return None
    size = rw.shapes.dim_of(node, facts.sizes)
    if size is None:
        return None
    return _source_of(rw.shapes, size, node)
