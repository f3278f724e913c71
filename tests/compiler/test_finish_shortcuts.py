"""The shortcuts of the finish (issue 14, transform time) against what they replace: the
line-break scan, the one-walk name index and its counts, the two-shape broadcast, the
surely-inexact names from an index, the negations sunk with counts given, and the
emitter placing statements only (the text and origins a fix of every node's position
gives)."""

from __future__ import annotations

import ast
import inspect
import random
from pathlib import Path

import numpy as np
import pytest

from srcxform.compiler import assemble, astutil, driver, inexact, lower, signs
from srcxform.compiler.astutil import copy_tree, fix_locations
from srcxform.compiler.emit import emit_with_origins
from srcxform.compiler.loader import FIND_LINE_BREAK, LINE_BREAKS
from srcxform.compiler.shapes import broadcast_shapes
from tests.control_flow import programs
from tests.corpus import CORPUS

SOURCES = sorted((Path(astutil.__file__).parent).glob("*.py"))[:12]


def _trees() -> list[ast.Module]:
    return [ast.parse(p.read_text()) for p in SOURCES]


def test_line_break_scan_finds_exactly_the_line_breaks() -> None:
    for code in range(0x3000):
        c = chr(code)
        assert (FIND_LINE_BREAK.search(f"a{c}b") is not None) == (c in LINE_BREAKS), code
    for c in LINE_BREAKS:
        assert FIND_LINE_BREAK.search("x = 1" + c + "y = 2")


def test_names_and_gives_the_names_and_the_classes_in_walk_order() -> None:
    classes = frozenset({ast.Assign, ast.Subscript, ast.Lambda, ast.comprehension})
    for tree in _trees():
        for part in (tree, tree.body):
            found, other = astutil.names_and(part, classes)
            walked = list(astutil.walk(part))
            assert found == [n for n in walked if n.__class__ is ast.Name]
            assert other == [n for n in walked if n.__class__ in classes]
            subscripts = [n for n in other if n.__class__ is ast.Subscript]
            assert astutil.counted(found + subscripts) == astutil.name_counts(part)


def test_two_shapes_broadcast_as_numpy_does() -> None:
    rng = random.Random(0)
    dims = [0, 1, 2, 3, 8]
    for _ in range(3000):
        a = tuple(rng.choice(dims) for _ in range(rng.randint(0, 3)))
        b = a if rng.random() < 0.3 else () if rng.random() < 0.2 else \
            tuple(rng.choice(dims) for _ in range(rng.randint(0, 3)))
        try:
            want = tuple(np.broadcast_shapes(a, b))
        except ValueError:
            want = None
        assert broadcast_shapes(a, b) == want, (a, b)
        assert broadcast_shapes(b, a) == want, (b, a)


def _entries() -> list[tuple]:
    """The straight-line corpus, then the control-flow one (129 programs)."""
    return [(f, make, wrt) for f, make, wrt in CORPUS] + \
        [(entry[0], entry[1], entry[2]) for entry in programs.CORPUS]


_PREPARED: dict[int, object] = {}


def _prepared(f, wrt, args) -> object:
    """The program of ``f`` just before its source is emitted, specialised on ``args``
    (made once per module: the tests below change copies of its body only)."""
    if id(f) not in _PREPARED:
        _PREPARED[id(f)] = _prepare(f, wrt, args)
    return _PREPARED[id(f)]


def _prepare(f, wrt, args) -> object:
    names = list(inspect.signature(f).parameters)
    shapes = {n: np.shape(a) for n, a in zip(names, args) if isinstance(a, np.ndarray)}
    front = driver.front(f, wrt)
    passes = driver.PIPELINES["grad"][driver.FRONTS["grad"]:]
    return driver.run(driver._finishing(front, None, None, shapes or None),
                      passes[:passes.index(assemble.emit_source)])


@pytest.mark.parametrize("index", range(0, 130, 5))
def test_emitting_with_statements_placed_gives_what_every_node_placed_gives(index) -> None:
    entries = _entries()
    if index >= len(entries):
        pytest.skip("fewer programs")
    for f, make, wrt in entries[index:index + 5]:
        program = _prepared(f, wrt, make())
        args = program.parsed.node.args
        placed = copy_tree(program.body, {})
        fix_locations(ast.Module(body=placed, type_ignores=[]))
        got = emit_with_origins("g", args, copy_tree(program.body, {}), program.parsed)
        want = emit_with_origins("g", args, placed, program.parsed)
        assert got == want, f.__name__


@pytest.mark.parametrize("index", range(0, 130, 10))
def test_inexact_names_and_sunk_negations_with_what_the_caller_knows(index) -> None:
    entries = _entries()
    if index >= len(entries):
        pytest.skip("fewer programs")
    for f, make, wrt in entries[index:index + 10]:
        program = _prepared(f, wrt, make())
        body = program.body
        index_ = astutil.names_and(body, inexact.BINDING | {ast.Subscript})
        assert inexact.surely_inexact_names(body, program.params, program.wrt, program.env,
                                            index_) == \
            inexact.surely_inexact_names(body, program.params, program.wrt, program.env)
        given, alone = copy_tree(body, {}), copy_tree(body, {})
        loads, stores = astutil.load_and_store_counts(given)
        signs.sink_negations(given, set(program.derivative_of), program.env,
                             (loads, stores))
        signs.sink_negations(alone, set(program.derivative_of), program.env)
        assert [ast.dump(s) for s in given] == [ast.dump(s) for s in alone], f.__name__
        assert (loads, stores) == astutil.load_and_store_counts(given)  # no name changed


def _aliasing_loads_plainly(node: ast.AST, ranks: dict[str, int] | None,
                            passthrough: frozenset[str]) -> set[str]:
    """``lower._aliasing_loads`` spelled plainly (every node visited, every test written
    out), the reference its faster spelling is checked against."""
    found: set[str] = set()

    def visit(parent: ast.AST, operand: bool) -> None:
        for child in ast.iter_child_nodes(parent):
            child_operand = isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.Compare,
                                                ast.AugAssign))
            if isinstance(parent, ast.Subscript) and child is parent.value:
                child_operand = operand or isinstance(parent.ctx, ast.Store)
            elif isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) \
                    and parent.func.id in passthrough and parent.args \
                    and child is parent.args[0]:
                child_operand = operand
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                if child_operand:
                    continue
                if isinstance(parent, ast.Subscript) and child is parent.value \
                        and lower._int_index(parent.slice) and ranks is not None \
                        and ranks.get(child.id) == lower._index_length(parent.slice):
                    continue
                if isinstance(parent, ast.Attribute) and parent.attr in (
                        "sum", "mean", "max", "min", "prod", "copy", "shape", "ndim", "size"):
                    continue
                found.add(child.id)
            visit(child, child_operand)

    visit(node, False)
    return found


def test_aliasing_loads_as_spelled_plainly() -> None:
    rng = random.Random(1)
    statements = [s for tree in _trees() for s in ast.walk(tree) if isinstance(s, ast.stmt)]
    statements += [s for i, (f, make, wrt) in enumerate(_entries()) if i % 4 == 0
                   for s in astutil.walk_stmts(_prepared(f, wrt, make()).body)]
    checked = 0
    for stmt in statements:
        names = sorted(astutil.names_mentioned(stmt))
        ranks = {n: rng.randint(0, 3) for n in names} if rng.random() < 0.7 else None
        passthrough = frozenset(n for n in names if rng.random() < 0.2)
        want = _aliasing_loads_plainly(stmt, ranks, passthrough)
        assert lower._aliasing_loads(stmt, ranks, passthrough) == want, ast.unparse(stmt)
        checked += bool(want)
    assert checked > 100


_OPERANDS = ["0", "1", "-1", "1.0", "2.0", "-2.0", "x", "y", "s", "-x", "-s", "x * 2.0", "y * 1.0",
             "2.0 * x", "x * -2.0", "np.broadcast_to(2.0, np.shape(x))",
             "np.broadcast_to(s, np.shape(x))", "np.broadcast_to(y, np.shape(x))"]
_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.MatMult: "@", ast.Div: "/",
            ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.FloorDiv: "//"}


def test_binop_rules_rewrite_only_their_declared_operators() -> None:
    """Each rule of ``rewrites.BINOP_OPERATORS`` returns None, asking nothing, for every
    operator it is not declared for, and rewrites some operand pair for its own."""
    from srcxform.compiler import rewrites
    from srcxform.compiler.facts import Facts
    from srcxform.compiler.rewriter import Rewriter
    from tests.compiler.passes import env
    from tests.compiler.test_optimize_rules import Case, expr, shape_facts

    assert set(rewrites._OPERATORS) == set(_SYMBOLS)
    case = Case(None, "", None, exact={"x": (3,), "y": (3,), "s": ()},
                inexact=("x", "y", "s"))
    applied = {rule: 0 for rule in rewrites.BINOP_OPERATORS}
    for a in _OPERANDS:
        for b in _OPERANDS:
            for op, symbol in _SYMBOLS.items():
                source = f"({a}) {symbol} ({b})"
                for rule, declared in rewrites.BINOP_OPERATORS.items():
                    rw = Rewriter(env(), shape_facts(case), rules={})
                    found = rule(expr(source), rw, Facts())
                    if op in declared:
                        applied[rule] += found is not None
                    else:
                        assert found is None and rw.rank_queries == 0, (rule.__name__, source)
    assert all(applied.values()), [r.__name__ for r, n in applied.items() if not n]
    for op in _SYMBOLS:  # the rules kept for an operator: the others, in the same order
        kept = rewrites._BY_KIND[(ast.BinOp, op)]
        assert kept == [r for r in rewrites._BY_KIND[ast.BinOp] if r in kept]
        assert set(rewrites._BY_KIND[ast.BinOp]) - set(kept) <= set(rewrites.BINOP_OPERATORS)


def _unread_backward_program() -> driver.Program:
    """A loop-free program whose backward sweep assigns a name nothing reads."""
    from srcxform.compiler import anno
    from srcxform.compiler.parse import parse_function
    from srcxform.compiler.program import start

    def f(x):
        return x * 2.0

    program = start(parse_function(f))
    body = ast.parse("a = x * 2.0\nb_unread = a\nr = a").body
    anno.set(body[1], anno.GRAD, True)
    program.body = body
    return program


def test_drop_unread_leaves_loop_free_code_and_checks_it_did_not_need_to(monkeypatch) -> None:
    from srcxform.compiler import deadcode

    monkeypatch.delenv("SRCXFORM_CHECK_ROUNDS", raising=False)
    program = deadcode.drop_unread(_unread_backward_program())
    assert [ast.unparse(s) for s in program.body] == ["a = x * 2.0", "b_unread = a", "r = a"]
    monkeypatch.setenv("SRCXFORM_CHECK_ROUNDS", "1")  # (as the tests and fuzzers run)
    with pytest.raises(AssertionError, match="drop_unread skipped"):
        deadcode.drop_unread(_unread_backward_program())
    program = _unread_backward_program()
    program.overwritten = {"a"}  # (a name overwritten: the pass searches)
    assert [ast.unparse(s) for s in deadcode.drop_unread(program).body] == \
        ["a = x * 2.0", "r = a"]
