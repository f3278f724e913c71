"""Each rewrite rule of the optimizer alone, on one expression.

Every rule of ``rewrites.RULES`` has cases here: one where it applies (with
the replacement, derived by hand from the identity the rule states) and one
where it must not (``None``: a shape is unknown, a value may be a boolean
mask, the operand is not what the rule needs).  A rule runs alone: the
:class:`Rewriter` it gets has no rules of its own, so a rule that simplifies
its result again leaves it as it built it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import pytest

from srcxform.compiler import rewrite_algebra as alg
from srcxform.compiler import rewrite_shapes as shp
from srcxform.compiler.facts import Facts
from srcxform.compiler.rewriter import Rewriter
from srcxform.compiler.rewrites import RULES, rewriter
from srcxform.compiler.shapefacts import SCALAR, ShapeFacts
from srcxform.compiler.shapes import Dim, has_dim
from tests.compiler.passes import env


@dataclass
class Case:
    """A rule applied to ``source`` under shape facts; ``expected`` is the replacement's
    source, a ``Const`` for a literal, or ``None`` when the rule must not apply."""

    rule: Any
    source: str
    expected: Any
    exact: dict[str, tuple[int, ...]] = field(default_factory=dict)  # specialized shapes
    same: dict[str, str] = field(default_factory=dict)  # name -> shared (unknown) class
    ranks: dict[str, int] = field(default_factory=dict)
    bools: tuple[str, ...] = ()
    inexact: tuple[str, ...] = ()  # surely float or complex (inexact.py)
    scalar_broadcasts: dict[str, str] = field(default_factory=dict)  # name -> "s, like"
    pieces: dict[str, list[str]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)  # names standing for literals
    wants_ranks: bool = False  # the rule notes that ranks would help
    sources: dict[int, tuple[str, int]] = field(default_factory=dict)  # Dim -> (param, axis)


@dataclass
class Const:
    """An expected literal (``ast.Constant``) of this value and type."""

    value: Any


def shape_facts(case: Case) -> ShapeFacts:
    """Shape facts with the case's exact shapes, shared classes, ranks and masks."""
    facts = ShapeFacts(env(), specialized=bool(case.exact))
    facts.exact = dict(case.exact)
    if any(has_dim(s) for s in case.exact.values()):  # patterns: a batch size N
        facts.make_symbolic()
        facts.dim_sources = dict(case.sources)
    for name, shape in case.exact.items():
        facts.classes.of[name] = facts.classes.exact(shape)
    shared: dict[str, str] = {}
    for name, label in case.same.items():
        if label == "scalar":
            facts.classes.of[name] = SCALAR
        else:
            shared.setdefault(label, facts.classes.new(case.ranks.get(name)))
            facts.classes.of[name] = shared[label]
    for name, rank in case.ranks.items():
        if name not in facts.classes.of:
            facts.classes.of[name] = facts.classes.new(rank)
    facts.bool_names = set(case.bools)
    facts.inexact_names = frozenset(case.inexact)
    facts.always_defined = set(facts.classes.of)
    return facts


class _Literals(ast.NodeTransformer):
    """Below the root: ``-c`` of a number is the literal ``-c`` (as the rules see their
    operands, simplified first), and the case's named constants are literals."""

    def __init__(self, constants: dict[str, Any]) -> None:
        self.constants = constants

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return ast.Constant(-node.operand.value)
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.Constant(self.constants[node.id]) if node.id in self.constants else node


def expr(source: str, constants: dict[str, Any] | None = None) -> ast.expr:
    """The expression ``source`` as a rule sees it (see :class:`_Literals`)."""
    root = ast.parse(source, mode="eval").body
    literals = _Literals(constants or {})
    for name, child in ast.iter_fields(root):
        if isinstance(child, ast.AST):
            setattr(root, name, literals.visit(child))
        elif isinstance(child, list):
            setattr(root, name, [literals.visit(c) if isinstance(c, ast.AST) else c
                                 for c in child])
    return root


def run(case: Case) -> tuple[ast.expr | None, Rewriter]:
    """The case's rule applied alone."""
    rw = Rewriter(env(), shape_facts(case), rules={})
    facts = Facts()
    for name, pair in case.scalar_broadcasts.items():
        s, like = (expr(p) for p in pair.split(", "))
        facts.scalar_broadcasts[name] = (s, like)
    for name, parts in case.pieces.items():
        facts.pieces[name] = [expr(p) for p in parts]
    return case.rule(expr(case.source, case.constants), rw, facts), rw


#: Shapes with a batch size N (``shapes.Dim``), which the generated code reads as X.shape[0].
N = Dim(0)
PATTERN = {"X": (N, 3), "y": (N,), "g": (N, 3), "b": (3,), "c": (4, 3)}
SOURCE = {0: ("X", 0)}

CASES = [
    # -- unary operators ---------------------------------------------------------------------
    Case(alg.fold_not, "not True", Const(False)),
    Case(alg.fold_not, "not x", None),
    Case(alg.fold_negative_number, "-2.5", Const(-2.5)),
    Case(alg.fold_negative_number, "-x", None),
    Case(alg.double_negation, "--x", "x"),
    Case(alg.double_negation, "-x", None),
    Case(alg.negate_broadcast_scalar, "-np.broadcast_to(s, np.shape(v))",
         "np.broadcast_to(-s, np.shape(v))", same={"s": "scalar"}),
    Case(alg.negate_broadcast_scalar, "-g", "np.broadcast_to(-s, np.shape(v))",
         scalar_broadcasts={"g": "s, v"}),
    Case(alg.negate_broadcast_scalar, "-np.broadcast_to(a, np.shape(v))", None,
         ranks={"a": 1}),
    Case(alg.drop_unary_plus, "+x", "x"),
    Case(alg.drop_unary_plus, "-x", None),
    # -- literals and logic ------------------------------------------------------------------
    Case(alg.fold_comparison, "2 < 3", Const(True)),
    Case(alg.fold_comparison, "None is not None", Const(False)),
    Case(alg.fold_comparison, "x < 3", None),
    Case(alg.fold_bool_op, "True and False", Const(False)),
    Case(alg.fold_bool_op, "True and x", None),
    Case(alg.drop_literal_operands, "True and x", "x"),
    Case(alg.drop_literal_operands, "x and False and y", Const(False)),
    Case(alg.drop_literal_operands, "False or x or y", "x or y"),
    Case(alg.drop_literal_operands, "x or True", Const(True)),
    Case(alg.drop_literal_operands, "x and y", None),
    Case(alg.decide_if_expression, "a if False else b", "b"),
    Case(alg.decide_if_expression, "a if c else b", None),
    Case(alg.index_constant_tuple, "S[1]", Const(4), constants={"S": (3, 4)}),
    Case(alg.index_constant_tuple, "S[i]", None, constants={"S": (3, 4)}),
    Case(alg.index_split_pieces, "parts[1]", "g[2:5]", pieces={"parts": ["g[:2]", "g[2:5]"]}),
    Case(alg.index_split_pieces, "parts[1]", None),
    Case(alg.index_tuple_literal, "(a, b)[0]", "a"),
    Case(alg.index_tuple_literal, "(a, b)[k]", None),
    # -- binary operators --------------------------------------------------------------------
    Case(alg.fold_numbers, "2 * 3.5", Const(7.0)),
    Case(alg.fold_numbers, "10.0 ** 20", None),  # stays written out beyond 1e15
    Case(alg.fold_numbers, "2 * x", None),
    Case(alg.gather_factors, "x * 2 * 3", "x * 6"),
    Case(alg.gather_factors, "x * y * 3", None),
    Case(alg.multiply_by_one, "1 * x", "x"),
    Case(alg.multiply_by_one, "x * 1", "x"),
    Case(alg.multiply_by_one, "m * 1", None, bools=("m",)),  # a mask times 1 is numbers
    Case(alg.multiply_by_one, "x * 1.0", None),  # x may be an integer array: 1.0 makes floats
    Case(alg.multiply_by_one, "1.0 * x", "x", inexact=("x",)),
    Case(alg.multiply_by_one, "1.0 * (x / 2)", "x / 2"),  # a true division is inexact
    Case(alg.times_one_beside_inexact, "b + 1.0 * z", "b + z", inexact=("b",)),
    Case(alg.times_one_beside_inexact, "z * 1.0 - b", "z - b", inexact=("b",)),
    Case(alg.times_one_beside_inexact, "b * (z * 1.0)", "b * z", inexact=("b",)),
    Case(alg.times_one_beside_inexact, "b + 1.0 * z", None),  # b may be an integer too
    Case(alg.times_one_beside_inexact, "b + 1.0 * m", None, inexact=("b",), bools=("m",)),
    Case(alg.times_one_beside_inexact, "b / (1.0 * z)", None, inexact=("b",)),
    Case(alg.multiply_by_minus_one, "x * -1.0", None),
    Case(alg.multiply_by_minus_one, "x * -1.0", "-x", inexact=("x",)),
    Case(alg.multiply_by_minus_one, "x * -1", "-x"),
    Case(alg.multiply_by_minus_one, "-1 * m", None, bools=("m",)),
    Case(alg.divide_by_one, "x / 1", None),  # an integer n / 1 is a float
    Case(alg.divide_by_one, "x / 1", "x", inexact=("x",)),
    Case(alg.divide_by_one, "(x * 0.5) / 1", "x * 0.5"),
    Case(alg.divide_by_one, "1 / x", None),
    Case(alg.power_of_one, "x ** 1", "x"),
    Case(alg.power_of_one, "x ** 2", None),
    Case(alg.power_of_one, "x ** 1.0", None),
    Case(alg.power_of_one, "x ** 1.0", "x", inexact=("x",)),
    Case(alg.add_zero, "0 + x", "x", ranks={"x": 2}),
    Case(alg.add_zero, "x + 0", "x", ranks={"x": 2}),
    Case(alg.add_zero, "x + 0", None),  # x's shape unknown: + 0 might broadcast
    Case(alg.add_zero, "m + 0", None, ranks={"m": 1}, bools=("m",)),
    Case(alg.add_zero, "x + 0.0", None, ranks={"x": 1}),
    Case(alg.add_zero, "x + 0.0", "x", ranks={"x": 1}, inexact=("x",)),
    Case(alg.subtract_zero, "x - 0", "x", ranks={"x": 1}),
    Case(alg.subtract_zero, "m - 0", None, ranks={"m": 1}, bools=("m",)),  # ints now
    Case(alg.subtract_zero, "x - 0.0", None, ranks={"x": 1}),
    Case(alg.subtract_zero, "x - 0", None),
    Case(alg.subtract_from_zero, "0 - x", "-x"),
    Case(alg.subtract_from_zero, "0 - m", None, bools=("m",)),
    Case(alg.negation_times_number, "-u * 3", "u * -3"),
    Case(alg.negation_times_number, "-u * v", None),
    Case(alg.add_negation, "a + -e", "a - e"),
    Case(alg.add_negation, "a - -e", None),
    Case(alg.add_negative_product, "a + e * -2.0", "a - e * 2.0"),
    Case(alg.add_negative_product, "a - e * -2.0", "a + e * 2.0"),
    Case(alg.add_negative_product, "a + e * 2.0", None),
    Case(alg.number_times_negation, "3 * -u", "-3 * u"),
    Case(alg.number_times_negation, "v * -u", None),
    Case(alg.gather_leading_factors, "2 * (3 * e)", "6 * e"),
    Case(alg.gather_leading_factors, "2 * (f * e)", None),
    # -- broadcasts in binary operators -------------------------------------------------------
    Case(shp.distribute_broadcast_scalar, "g * x", "s * x",
         scalar_broadcasts={"g": "s, v"}, same={"x": "V", "v": "V"}),
    Case(shp.distribute_broadcast_scalar, "g * t", "np.broadcast_to(s * t, np.shape(v))",
         scalar_broadcasts={"g": "s, v"}, same={"t": "scalar"}),
    Case(shp.distribute_broadcast_scalar, "x * g", "x * s",
         scalar_broadcasts={"g": "s, v"}, same={"x": "V", "v": "V"}),
    Case(shp.distribute_broadcast_scalar, "g * x", None,  # x's shape is not v's
         scalar_broadcasts={"g": "s, v"}, same={"x": "X", "v": "V"}),
    Case(shp.drop_broadcast_operand, "np.broadcast_to(a, np.shape(v)) + x", "a + x",
         same={"x": "V", "v": "V"}),
    Case(shp.drop_broadcast_operand, "np.broadcast_to(a, np.shape(v)) + x", None),
    Case(shp.matmul_with_broadcast_number, "g @ W", "2.0 * np.sum(W, axis=0)",
         scalar_broadcasts={"g": "2.0, v"}, exact={"v": (3,), "W": (3, 4)}),
    Case(shp.matmul_with_broadcast_number, "x @ W", None, exact={"x": (3,), "W": (3, 4)}),
    # -- calls ---------------------------------------------------------------------------------
    Case(shp.fold_shape_query, "np.ndim(x)", Const(2), ranks={"x": 2}),
    Case(shp.fold_shape_query, "np.shape(x)", Const((3, 4)), exact={"x": (3, 4)}),
    Case(shp.fold_shape_query, "np.size(s)", Const(1), same={"s": "scalar"}),
    Case(shp.fold_shape_query, "np.ndim(later)", "np.ndim(first)", wants_ranks=True,
         same={"first": "A", "later": "A"}),  # asks the earliest value of the same shape
    Case(shp.fold_shape_query, "np.sum(x)", None),
    Case(shp.fold_len, "len(x)", Const(3), exact={"x": (3, 4)}),
    Case(shp.fold_len, "len(x)", None),
    Case(shp.fold_min_max, "max(12, 1)", Const(12)),
    Case(shp.fold_min_max, "min(0, 1, 5)", Const(0)),
    Case(shp.fold_min_max, "max(n, 1)", None),
    Case(shp.scalar_zeros_like, "np.zeros_like(t)", Const(0.0), exact={"t": ()}),
    Case(shp.scalar_zeros_like, "np.zeros_like(x)", None, exact={"x": (2,)}),
    Case(shp.scalar_math, "np.cos(t)", "math.cos(t)", exact={"t": ()}),
    Case(shp.scalar_math, "np.cos(x)", None, exact={"x": (2,)}),
    Case(shp.seed_of_scalar, "scalar_seed(out)", Const(1.0), same={"out": "scalar"}),
    Case(shp.seed_of_scalar, "scalar_seed(out)", None, wants_ranks=True),
    Case(shp.drop_unbroadcast, "unbroadcast(g, x)", "g", same={"g": "A", "x": "A"}),
    Case(shp.drop_unbroadcast, "unbroadcast(g, x)", "np.sum(g, axis=0)",
         exact={"g": (5, 3), "x": (3,)}),
    Case(shp.drop_unbroadcast, "unbroadcast(g, x)", "np.sum(g, axis=1, keepdims=True)",
         exact={"g": (2, 3), "x": (2, 1)}),
    Case(shp.drop_unbroadcast, "unbroadcast(g, x)", None, wants_ranks=True),
    Case(shp.reshape_broadcast_scalar, "np.reshape(g, (6,))", "np.broadcast_to(s, (6,))",
         scalar_broadcasts={"g": "s, v"}, exact={"g": (2, 3), "v": (2, 3), "s": ()}),
    Case(shp.reshape_broadcast_scalar, "np.reshape(x, (6,))", None, exact={"x": (2, 3)}),
    Case(shp.drop_needless_broadcast, "np.broadcast_to(e, np.shape(v))", "e",
         same={"e": "A", "v": "A"}),
    Case(shp.drop_needless_broadcast, "np.broadcast_to(s, np.shape(v))",
         "np.broadcast_to(s, (4, 2))", exact={"v": (4, 2), "s": ()}),
    Case(shp.drop_needless_broadcast, "np.broadcast_to(s, np.shape(v))", None),
    Case(shp.outer_with_broadcast_number, "np.outer(g, x)", "np.tile(x, (2, 1))",
         scalar_broadcasts={"g": "1.0, v"}, exact={"v": (2,), "x": (3,)}),
    Case(shp.outer_with_broadcast_number, "np.outer(y, x)", None,
         exact={"y": (2,), "x": (3,)}),
    # -- attributes ----------------------------------------------------------------------------
    Case(shp.fold_shape_attribute, "x.size", Const(12), exact={"x": (3, 4)}),
    Case(shp.fold_shape_attribute, "x.shape", None),
    # -- patterns: N is a batch size (at least 2) taken from X ---------------------------
    Case(shp.fold_size_of_dim, "y.shape[0]", "X.shape[0]", exact=PATTERN, sources=SOURCE),
    Case(shp.fold_size_of_dim, "X.shape[0]", None, exact=PATTERN, sources=SOURCE),
    Case(shp.fold_size_of_dim, "y.shape[0]", None, exact={"y": (4,)}),  # a number's job
    Case(shp.fold_len, "len(g)", "X.shape[0]", exact=PATTERN, sources=SOURCE),
    Case(shp.fold_shape_query, "np.size(g)", "X.shape[0] * 3", exact=PATTERN,
         sources=SOURCE),
    Case(shp.fold_shape_query, "np.size(X)", "np.size(X)", exact=PATTERN, sources=SOURCE,
         wants_ranks=True),  # (the parameter's own size stays as written)
    Case(shp.fold_min_max, "max(X.shape[0], 1)", "X.shape[0]", exact=PATTERN,
         sources=SOURCE),
    Case(shp.fold_min_max, "max(np.size(g), 1)", "np.size(g)", exact=PATTERN,
         sources=SOURCE),
    Case(shp.fold_min_max, "max(np.size(e), 1)", None, exact={**PATTERN, "e": (0, 3)},
         sources=SOURCE),  # a size 0: the max is 1
    Case(shp.drop_unbroadcast, "unbroadcast(g, b)", "np.sum(g, axis=0)", exact=PATTERN),
    Case(shp.drop_unbroadcast, "unbroadcast(g, c)", None, exact=PATTERN,
         wants_ranks=True),  # (4, 3) is not (N, 3): N is not known to be 4
    Case(shp.fold_shape_attribute, "g.size", "X.shape[0] * 3", exact=PATTERN,
         sources=SOURCE),
    Case(shp.fold_shape_attribute, "g.shape", None, exact=PATTERN, sources=SOURCE),
]


def _case_id(case: Case) -> str:
    return f"{case.rule.__name__}: {case.source}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_rule_alone(case):
    out, rw = run(case)
    if case.expected is None:
        assert out is None
    elif isinstance(case.expected, Const):
        assert isinstance(out, ast.Constant)
        assert out.value == case.expected.value
        assert type(out.value) is type(case.expected.value)
    else:
        assert out is not None and ast.unparse(out) == case.expected
    assert (rw.rank_queries > 0) == case.wants_ranks


def test_every_rule_has_a_case_where_it_applies_and_one_where_it_does_not():
    applies = {c.rule for c in CASES if c.expected is not None}
    declines = {c.rule for c in CASES if c.expected is None}
    rules = {rule for _, rule in RULES}
    assert rules == applies == declines
    assert len(RULES) == len(rules)  # each rule listed once


def test_every_rule_is_listed_for_the_kind_of_node_it_takes():
    for kind, rule in RULES:
        case = next(c for c in CASES if c.rule is rule)
        assert isinstance(expr(case.source), kind), rule.__name__


def _bottom_up(node: ast.expr, rw: Rewriter) -> ast.expr:
    """``node`` simplified children first, as the propagation pass does."""
    for name, child in ast.iter_fields(node):
        if isinstance(child, ast.expr):
            setattr(node, name, _bottom_up(child, rw))
    return rw.simplify(node, Facts())


def test_with_every_rule_a_nest_of_identities_simplifies_all_the_way():
    rw = rewriter(env(), shape_facts(Case(None, "", None)))
    # -1 is a literal, x * -1 is -x, 0 - -x is --x, which is x
    assert ast.unparse(_bottom_up(ast.parse("0 - x * -1", mode="eval").body, rw)) == "x"
    # (x * 2) * 3 gathers to x * 6; + 0 of a value of unknown shape stays
    assert ast.unparse(_bottom_up(ast.parse("x * 2 * 3 + 0", mode="eval").body, rw)) \
        == "x * 6 + 0"
