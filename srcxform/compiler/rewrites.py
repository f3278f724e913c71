"""Rewrites: simplify one expression node with a list of small named rules.

A rule is a function ``rule(node, rw, facts) -> ast.expr | None`` for one
kind of node (``ast.BinOp``, ``ast.Call``, ...): it returns the node's
simpler replacement (which has the same value and shape), or ``None`` when
it does not apply.  :meth:`Rewriter.simplify` tries the rules of the node's
kind in the order of :data:`RULES` and takes the first answer
(``rewriter.py``; :func:`rewriter` makes one with every rule); a rule that
builds a new node simplifies it again through ``rw.simplify``.  Children are
simplified before their parent (the propagation pass walks bottom-up), and
the optimize pass repeats its walk until nothing changes, so the rules reach
a fixed point over the whole body.

The rules themselves live in ``rewrite_algebra.py`` (numbers, logic,
identities, negations, indexing of literals) and ``rewrite_shapes.py``
(broadcasting, ``unbroadcast``, shape queries, scalar math); each is
testable alone with a ``Rewriter`` over known shape facts.
"""

from __future__ import annotations

import ast
from typing import Any

from .env import Env
from .rewrite_algebra import (
    add_negation,
    add_negative_product,
    add_zero,
    decide_if_expression,
    divide_by_one,
    double_negation,
    drop_literal_operands,
    drop_unary_plus,
    fold_bool_op,
    fold_comparison,
    fold_negative_number,
    fold_not,
    fold_numbers,
    gather_factors,
    gather_leading_factors,
    index_constant_tuple,
    index_split_pieces,
    index_tuple_literal,
    multiply_by_minus_one,
    multiply_by_one,
    negate_broadcast_scalar,
    negation_times_number,
    number_times_negation,
    power_of_one,
    subtract_from_zero,
    subtract_zero,
    times_one_beside_inexact,
)
from .rewrite_shapes import (
    distribute_broadcast_scalar,
    drop_broadcast_operand,
    drop_needless_broadcast,
    drop_unbroadcast,
    fold_len,
    fold_min_max,
    fold_shape_attribute,
    fold_shape_query,
    fold_size_of_dim,
    matmul_with_broadcast_number,
    outer_with_broadcast_number,
    reshape_broadcast_scalar,
    scalar_math,
    scalar_zeros_like,
    seed_of_scalar,
)
from .rewriter import Rewriter, Rule
from .shapefacts import ShapeFacts

#: Every rule with the kind of node it applies to; a node's rules are tried in this order.
RULES: list[tuple[type, Rule]] = [
    (ast.UnaryOp, fold_not),
    (ast.UnaryOp, fold_negative_number),
    (ast.UnaryOp, double_negation),
    (ast.UnaryOp, negate_broadcast_scalar),
    (ast.UnaryOp, drop_unary_plus),
    (ast.BinOp, matmul_with_broadcast_number),
    (ast.BinOp, fold_numbers),
    (ast.BinOp, gather_factors),
    (ast.BinOp, multiply_by_one),
    (ast.BinOp, times_one_beside_inexact),
    (ast.BinOp, multiply_by_minus_one),
    (ast.BinOp, divide_by_one),
    (ast.BinOp, power_of_one),
    (ast.BinOp, add_zero),
    (ast.BinOp, subtract_zero),
    (ast.BinOp, subtract_from_zero),
    (ast.BinOp, negation_times_number),
    (ast.BinOp, distribute_broadcast_scalar),
    (ast.BinOp, drop_broadcast_operand),
    (ast.BinOp, add_negation),
    (ast.BinOp, add_negative_product),
    (ast.BinOp, number_times_negation),
    (ast.BinOp, gather_leading_factors),
    (ast.Compare, fold_comparison),
    (ast.BoolOp, fold_bool_op),
    (ast.BoolOp, drop_literal_operands),
    (ast.IfExp, decide_if_expression),
    (ast.Subscript, index_constant_tuple),
    (ast.Subscript, index_split_pieces),
    (ast.Subscript, index_tuple_literal),
    (ast.Subscript, fold_size_of_dim),
    (ast.Call, fold_shape_query),
    (ast.Call, fold_len),
    (ast.Call, fold_min_max),
    (ast.Call, scalar_zeros_like),
    (ast.Call, scalar_math),
    (ast.Call, seed_of_scalar),
    (ast.Call, outer_with_broadcast_number),
    (ast.Call, drop_unbroadcast),
    (ast.Call, reshape_broadcast_scalar),
    (ast.Call, drop_needless_broadcast),
    (ast.Attribute, fold_shape_attribute),
]

#: The operators each ``BinOp`` rule may rewrite (its first test: for any other it returns
#: None, having asked nothing); a rule not named here is tried for every operator.
#: ``tests/compiler/test_finish_shortcuts.py`` checks the rules against it.
BINOP_OPERATORS: dict[Rule, tuple[type, ...]] = {
    matmul_with_broadcast_number: (ast.MatMult,),
    gather_factors: (ast.Mult,),
    multiply_by_one: (ast.Mult,),
    times_one_beside_inexact: (ast.Add, ast.Sub, ast.Mult),
    multiply_by_minus_one: (ast.Mult,),
    divide_by_one: (ast.Div,),
    power_of_one: (ast.Pow,),
    add_zero: (ast.Add,),
    subtract_zero: (ast.Sub,),
    subtract_from_zero: (ast.Sub,),
    negation_times_number: (ast.Mult,),
    distribute_broadcast_scalar: (ast.Mult, ast.Div, ast.Add, ast.Sub),
    drop_broadcast_operand: (ast.Mult, ast.Div, ast.Add, ast.Sub),
    add_negation: (ast.Add,),
    add_negative_product: (ast.Add, ast.Sub),
    number_times_negation: (ast.Mult,),
    gather_leading_factors: (ast.Mult,),
}
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.MatMult, ast.Div, ast.Mod, ast.Pow, ast.LShift,
              ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.FloorDiv)

#: Kind of node -> its rules in order; for ``BinOp`` also ``(BinOp, operator)`` -> the
#: rules that may rewrite that operator, in the same order (fewer rules tried).
_BY_KIND: dict[Any, list[Rule]] = {}
for _kind, _rule in RULES:
    _BY_KIND.setdefault(_kind, []).append(_rule)
for _op in _OPERATORS:
    _BY_KIND[(ast.BinOp, _op)] = [r for r in _BY_KIND[ast.BinOp]
                                  if _op in BINOP_OPERATORS.get(r, (_op,))]


def rewriter(env: Env, shapes: ShapeFacts) -> Rewriter:
    """A :class:`Rewriter` with every rule of :data:`RULES`."""
    return Rewriter(env, shapes, _BY_KIND)
