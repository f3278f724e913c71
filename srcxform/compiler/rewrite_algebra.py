"""Algebraic rewrite rules: numbers, logic, identities, negations, indexing of literals.

Each rule takes ``(node, rw, facts)`` (see ``rewrites.py``) and returns a
replacement with the same value and shape, or ``None``.  After a rule
applies, these hold:

* arithmetic and comparisons of literals are folded (a result beyond 1e15
  stays written out);
* ``e * 1``, ``1 * e``, ``e / 1``, ``e ** 1``, ``e + 0``, ``0 + e``, ``e - 0``
  are ``e`` (never for a value that may be a boolean mask, which ``* 1``
  turns into numbers; never when ``e``'s shape is unknown, which ``+ 0``
  might broadcast);
* negations move outward and merge: ``--e`` is ``e``, ``e * -1`` is ``-e``,
  ``-u * c`` is ``u * -c``, ``a + -e`` is ``a - e``, ``a + e * -c`` is
  ``a - e * c``; numbers of a product gather (``(e * c1) * c2`` is
  ``e * (c1 c2)``);
* ``and``/``or``/``not``/``x if c else y`` on literals are decided, and a
  literal tuple indexed by a literal is its element.
"""

from __future__ import annotations

import ast
import copy
import operator
from typing import TYPE_CHECKING

from .shapefacts import is_number

if TYPE_CHECKING:
    from .facts import Facts
    from .rewriter import Rewriter

_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
        ast.FloorDiv: operator.floordiv}
_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
        ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
        ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
        ast.NotIn: lambda a, b: a not in b}


def is_literal(node: ast.AST) -> bool:
    """A constant Python value: a number, string, bool, tuple or None."""
    return isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, (int, float, complex, str, bool, tuple)))


def is_value(node: ast.AST, value: float) -> bool:
    """True for the number literal ``value``."""
    return is_number(node) and node.value == value


def _negated(node: ast.expr) -> bool:
    """True for ``-e``."""
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)


# -- unary operators --------------------------------------------------------------------------
def fold_not(node: ast.UnaryOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``not c`` of a literal is a literal."""
    if isinstance(node.op, ast.Not) and is_literal(node.operand):
        return ast.Constant(not node.operand.value)
    return None


def fold_negative_number(node: ast.UnaryOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``-c`` of a number is the number ``-c``."""
    if isinstance(node.op, ast.USub) and is_number(node.operand):
        return ast.Constant(-node.operand.value)
    return None


def double_negation(node: ast.UnaryOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``--e`` is ``e``."""
    if isinstance(node.op, ast.USub) and _negated(node.operand):
        return node.operand.operand
    return None


def negate_broadcast_scalar(node: ast.UnaryOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``-np.broadcast_to(s, S)`` is ``np.broadcast_to(-s, S)`` (negate the scalar once)."""
    if not isinstance(node.op, ast.USub):
        return None
    bc = rw.scalar_broadcast(node.operand, facts)
    if bc is None:
        return None
    return rw.broadcast(rw.simplify(ast.UnaryOp(ast.USub(), bc[0]), facts), bc[1])


def drop_unary_plus(node: ast.UnaryOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``+e`` is ``e``."""
    return node.operand if isinstance(node.op, ast.UAdd) else None


# -- literals and logic -----------------------------------------------------------------------
def fold_comparison(node: ast.Compare, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """A comparison of two literals is ``True`` or ``False``."""
    if not (is_literal(node.left) and all(is_literal(c) for c in node.comparators)
            and len(node.ops) == 1):
        return None
    fn = _CMP.get(type(node.ops[0]))
    try:
        return ast.Constant(bool(fn(node.left.value, node.comparators[0].value)))
    except Exception:
        return node


def fold_bool_op(node: ast.BoolOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``and``/``or`` of literals only is ``True`` or ``False``."""
    if not all(is_literal(v) for v in node.values):
        return None
    vals = [v.value for v in node.values]
    return ast.Constant(bool(all(vals) if isinstance(node.op, ast.And) else any(vals)))


def drop_literal_operands(node: ast.BoolOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """Literal operands of ``and``/``or`` decide it or drop out (``True and e`` is ``e``)."""
    deciding = not isinstance(node.op, ast.And)  # the literal truth that decides the whole
    kept = []
    for v in node.values:
        if is_literal(v):
            if bool(v.value) == deciding:
                return ast.Constant(deciding)
            continue
        kept.append(v)
    if len(kept) == len(node.values):
        return None
    if not kept:
        return ast.Constant(not deciding)
    if len(kept) == 1:
        return kept[0]
    node.values = kept
    return node


def decide_if_expression(node: ast.IfExp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``a if c else b`` with a literal ``c`` is ``a`` or ``b``."""
    if is_literal(node.test):
        return node.body if node.test.value else node.orelse
    return None


def _int_index(node: ast.Subscript) -> bool:
    """True for ``a[k]`` with an int literal ``k``."""
    return is_number(node.slice) and isinstance(node.slice.value, int)


def index_constant_tuple(node: ast.Subscript, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """A constant tuple indexed by an int literal is its element (a shape's dimension)."""
    if not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, tuple)
            and _int_index(node)):
        return None
    try:
        return ast.Constant(node.value.value[node.slice.value])
    except IndexError:
        return node


def index_split_pieces(node: ast.Subscript, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``parts[k]`` of ``parts = np.split(g, ...)`` with known offsets is a slice of ``g``."""
    if not (isinstance(node.value, ast.Name) and _int_index(node)
            and isinstance(node.ctx, ast.Load)):
        return None
    pieces = facts.pieces.get(node.value.id)
    if pieces is not None and -len(pieces) <= node.slice.value < len(pieces):
        return copy.deepcopy(pieces[node.slice.value])
    return None


def index_tuple_literal(node: ast.Subscript, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``(a, b)[1]`` is ``b``."""
    if not (isinstance(node.value, ast.Tuple) and _int_index(node)):
        return None
    try:
        return node.value.elts[node.slice.value]
    except IndexError:
        return node


# -- binary operators -------------------------------------------------------------------------
def fold_numbers(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """Arithmetic on two numbers is a number (when it stays below 1e15)."""
    left, right = node.left, node.right
    if not (is_number(left) and is_number(right) and type(node.op) in _BIN):
        return None
    try:
        v = _BIN[type(node.op)](left.value, right.value)
    except Exception:
        return None
    if isinstance(v, (int, float)) and abs(v) < 1e15:
        return ast.Constant(v)
    return None


def gather_factors(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``(e * c1) * c2`` is ``e * (c1 c2)``: numbers of a product kept together."""
    left, right = node.left, node.right
    if isinstance(node.op, ast.Mult) and is_number(right) and isinstance(left, ast.BinOp) \
            and isinstance(left.op, ast.Mult) and is_number(left.right):
        # (a new node: ``left`` may be a value the facts hold, substituted elsewhere too)
        product = ast.BinOp(left.left, ast.Mult(), ast.Constant(left.right.value * right.value))
        return rw.simplify(product, facts)
    return None


def _keeps_type(literal: ast.expr, e: ast.expr, rw: Rewriter) -> bool:
    """True when ``e`` combined with the number ``literal`` (``e * 1.0``, ``e + 0.0``) has
    ``e``'s type: always for an int literal and a non-boolean ``e``; for a float literal only
    when ``e`` is surely inexact (an integer array times 1.0 is a float array, and an
    integer array to a negative power raises)."""
    if rw.shapes.maybe_bool(e):
        return False
    return not isinstance(literal.value, float) or rw.shapes.surely_inexact(e)


def multiply_by_one(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``1 * e`` and ``e * 1`` are ``e`` (a boolean mask times 1 must stay a number, an
    integer array times 1.0 a float array)."""
    if not isinstance(node.op, ast.Mult):
        return None
    if is_value(node.left, 1) and _keeps_type(node.left, node.right, rw):
        return node.right
    if is_value(node.right, 1) and _keeps_type(node.right, node.left, rw):
        return node.left
    return None


def _times_float_one(node: ast.expr) -> ast.expr | None:
    """``e`` of ``e * 1.0`` or ``1.0 * e``, else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for one, e in ((node.left, node.right), (node.right, node.left)):
            if is_value(one, 1) and isinstance(one.value, float):
                return e
    return None


def times_one_beside_inexact(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``a + e * 1.0`` is ``a + e`` (also ``-``, ``*``, either side) when ``a`` is surely
    inexact: the sum is a float (or complex) whatever ``e`` holds, and an integer ``e`` is
    the same number as a float (what :func:`multiply_by_one` keeps only for itself)."""
    if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        return None
    shapes = rw.shapes
    for side in ("left", "right"):
        e = _times_float_one(getattr(node, side))
        other = node.right if side == "left" else node.left
        if e is not None and not shapes.maybe_bool(e) and shapes.surely_inexact(other):
            parts = {"left": node.left, "right": node.right, side: e}
            return rw.simplify(ast.BinOp(parts["left"], node.op, parts["right"]), facts)
    return None


def multiply_by_minus_one(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``-1 * e`` and ``e * -1`` are ``-e`` (types kept as in :func:`multiply_by_one`)."""
    if not isinstance(node.op, ast.Mult):
        return None
    if is_value(node.left, -1) and _keeps_type(node.left, node.right, rw):
        return rw.simplify(ast.UnaryOp(ast.USub(), node.right), facts)
    if is_value(node.right, -1) and _keeps_type(node.right, node.left, rw):
        return rw.simplify(ast.UnaryOp(ast.USub(), node.left), facts)
    return None


def divide_by_one(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``e / 1`` is ``e`` when ``e`` is surely inexact (``n / 1`` of an int is a float)."""
    if isinstance(node.op, ast.Div) and is_value(node.right, 1) \
            and rw.shapes.surely_inexact(node.left):
        return node.left
    return None


def power_of_one(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``e ** 1`` is ``e`` (``e ** 1.0`` only when ``e`` is surely inexact)."""
    if isinstance(node.op, ast.Pow) and is_value(node.right, 1) \
            and _keeps_type(node.right, node.left, rw):
        return node.left
    return None


def add_zero(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``0 + e`` and ``e + 0`` are ``e`` when ``e``'s shape class is known (``+ 0`` of an
    unknown shape might broadcast) and it is no boolean mask."""
    if not isinstance(node.op, ast.Add):
        return None
    left, right, shapes = node.left, node.right, rw.shapes
    if is_value(left, 0) and shapes.class_of(right) is not None \
            and _keeps_type(left, right, rw):
        return right
    if is_value(right, 0) and shapes.class_of(left) is not None \
            and _keeps_type(right, left, rw):
        return left
    return None


def subtract_zero(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``e - 0`` is ``e`` when ``e``'s shape class is known (types kept as in
    :func:`multiply_by_one`)."""
    if isinstance(node.op, ast.Sub) and is_value(node.right, 0) \
            and rw.shapes.class_of(node.left) is not None \
            and _keeps_type(node.right, node.left, rw):
        return node.left
    return None


def subtract_from_zero(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``0 - e`` is ``-e``."""
    if isinstance(node.op, ast.Sub) and is_value(node.left, 0) \
            and not rw.shapes.maybe_bool(node.right):
        return rw.simplify(ast.UnaryOp(ast.USub(), node.right), facts)
    return None


def negation_times_number(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``-u * c`` is ``u * -c``."""
    if isinstance(node.op, ast.Mult) and _negated(node.left) and is_number(node.right):
        return rw.simplify(ast.BinOp(node.left.operand, node.op,
                                     ast.Constant(-node.right.value)), facts)
    return None


def add_negation(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``a + -e`` is ``a - e``."""
    if isinstance(node.op, ast.Add) and _negated(node.right):
        return rw.simplify(ast.BinOp(node.left, ast.Sub(), node.right.operand), facts)
    return None


def add_negative_product(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``a + e * -c`` is ``a - e * c`` and ``a - e * -c`` is ``a + e * c`` (exact)."""
    right = node.right
    if isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(right, ast.BinOp) \
            and isinstance(right.op, ast.Mult) and is_number(right.right) \
            and right.right.value < 0:
        flipped = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        product = ast.BinOp(right.left, ast.Mult(), ast.Constant(-right.right.value))
        return rw.simplify(ast.BinOp(node.left, flipped, product), facts)
    return None


def number_times_negation(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``c * -u`` is ``-c * u``."""
    if isinstance(node.op, ast.Mult) and is_number(node.left) and _negated(node.right):
        return rw.simplify(ast.BinOp(ast.Constant(-node.left.value), node.op,
                                     node.right.operand), facts)
    return None


def gather_leading_factors(node: ast.BinOp, rw: Rewriter, facts: Facts) -> ast.expr | None:
    """``c1 * (c2 * e)`` is ``(c1 c2) * e``."""
    left, right = node.left, node.right
    if isinstance(node.op, ast.Mult) and is_number(left) and isinstance(right, ast.BinOp) \
            and isinstance(right.op, ast.Mult) and is_number(right.left):
        return rw.simplify(ast.BinOp(ast.Constant(left.value * right.left.value), node.op,
                                     right.right), facts)
    return None
