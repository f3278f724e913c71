"""``unparse.statement_text`` against ``ast.unparse`` (its oracle): every simple statement
of the compiler's and the tests' sources, hand-written statements covering each node it
writes and every parenthesisation rule, trees holding a node twice, random expressions,
and the generated code of the corpus."""

from __future__ import annotations

import ast
import math
import random
from pathlib import Path

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import unparse
from srcxform.compiler.unparse import statement_text

ROOT = Path(unparse.__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not unparse.ENABLED, reason="ast.unparse of this Python "
                                "is not reproduced (unparse.CHECKED); it is used as it is")

HAND = """
x = a + b * c - d / e // f % g @ h ** i ** j
x = (a + b) * (c - d) ** (e ** f) ** g
x = -a ** b, (-a) ** b, -(-a), +~a, not a, not (a and b), (not a) + b
x = a < b <= c != d is e is not f in g not in h
x = (a < b) + c, a + (b < c), (a if b else c) + d
x = a and b or c and not d, (a or b) and c, a or (b or c), (a and b) and c
x = f(a, *b, c=d, **e)(g)[h].i
x = a[b], a[b, c], a[b:c], a[b:c:d], a[:, None], a[::2], a[()], a[(b,)], a[b,]
x = 1 .real, (1.5).real, True.real, 'a'.upper(), (a + b).c, (-a).b, a().b
x = (), (a,), (a, b), [a, *b], [], [[a], (b,)]
x = 1.5, -0.0, 1e309, -1e309, 1e309 - 1e309, 3j, 0.1 + 2j, 'a\\'b"c', b'xy', None, ..., u'u'
x, y = a, b
x = y = z
(x, y), z = a
x[0], x.y = a
x += a * b
x **= -a
x @= a
x //= a
return
return a, b
return (a, b) if c else d
f(a)
a.b(c)[d] = e
x = lambda a: a
x = [a for a in b]
x = a if b else c
x = (yield a)
del a
pass
x = f'{a!r:>{b}}'
x: int = 3
"""


def _statements(text: str) -> list[ast.stmt]:
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.stmt) and not hasattr(node, "body"):
            found.append(node)
    return found


def test_the_hand_written_statements_are_written_as_ast_unparse_writes_them() -> None:
    stmts = _statements("def f():\n" + "\n".join("    " + line for line in
                                                  HAND.strip().splitlines()))
    assert len(stmts) > 30
    for stmt in stmts:
        assert statement_text(stmt) == ast.unparse(stmt), ast.dump(stmt)


def test_every_simple_statement_of_the_sources() -> None:
    paths = sorted((ROOT / "srcxform").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    count = 0
    for path in paths:
        for stmt in _statements(path.read_text()):
            assert statement_text(stmt) == ast.unparse(stmt), (path, stmt.lineno)
            count += 1
    assert count > 20000


def test_constants_the_parser_cannot_write() -> None:
    for value in (math.inf, -math.inf, math.nan, complex(math.inf, 1), (1, 2.5), (3,),
                  ((1, 2), "a"), frozenset({1}), np.float64(1.5), np.int64(3), 2 ** 70,
                  "line\nbreak", True, (), (math.nan,)):
        stmt = ast.Assign([ast.Name("x", ast.Store())], ast.Constant(value), lineno=1)
        assert statement_text(stmt) == ast.unparse(stmt), value
        neg = ast.Expr(ast.Attribute(ast.Constant(value), "real", ast.Load()), lineno=1)
        assert statement_text(neg) == ast.unparse(neg), value


def test_a_node_held_twice_is_parenthesised_as_ast_unparse_does() -> None:
    # ast.unparse keeps one precedence per node for the whole statement: a node held
    # twice is written the second time with what its first place set
    shared = ast.BinOp(ast.Name("a", ast.Load()), ast.Add(), ast.Name("b", ast.Load()))
    call = ast.Call(ast.Name("f", ast.Load()), [shared], [])
    for value in (ast.BinOp(shared, ast.Mult(), call), ast.BinOp(call, ast.Mult(), shared),
                  ast.Tuple([ast.BinOp(shared, ast.Pow(), shared), shared], ast.Load())):
        stmt = ast.Assign([ast.Name("x", ast.Store())], value, lineno=1)
        assert statement_text(stmt) == ast.unparse(stmt)
    assert "f((a + b))" in statement_text(ast.Expr(ast.BinOp(shared, ast.Mult(), call)))


def _random_expr(rng: random.Random, depth: int) -> ast.expr:
    names = [ast.Name(n, ast.Load()) for n in "abc"]
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(names + [ast.Constant(rng.choice([1, 2.5, -0.5, True, "s"]))])
    kind = rng.randrange(9)
    sub = lambda: _random_expr(rng, depth - 1)  # noqa: E731
    if kind == 0:
        return ast.BinOp(sub(), rng.choice(list(unparse._BINOPS))(), sub())
    if kind == 1:
        return ast.UnaryOp(rng.choice(list(unparse._UNARY))(), sub())
    if kind == 2:
        return ast.Compare(sub(), [rng.choice(list(unparse._COMPARE))()], [sub()])
    if kind == 3:
        return ast.BoolOp(rng.choice([ast.And(), ast.Or()]), [sub(), sub(), sub()])
    if kind == 4:
        return ast.Call(sub(), [sub()], [ast.keyword("k", sub())])
    if kind == 5:
        return ast.Attribute(sub(), "attr", ast.Load())
    if kind == 6:
        return ast.Subscript(sub(), rng.choice([sub(), ast.Tuple([sub(), sub()], ast.Load()),
                                               ast.Slice(sub(), None, sub())]), ast.Load())
    if kind == 7:
        return ast.Tuple([sub() for _ in range(rng.randrange(3))], ast.Load())
    return ast.IfExp(sub(), sub(), sub())  # (not written here: the whole goes to ast.unparse)


def test_random_expressions() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        stmt = ast.Assign([ast.Name("x", ast.Store())], _random_expr(rng, 4), lineno=1)
        assert statement_text(stmt) == ast.unparse(stmt), ast.dump(stmt)


def test_the_generated_code_reads_as_before() -> None:
    # the emitter writes each simple statement with statement_text: the text of a
    # generated function is ast.unparse's of its statements (compared through a parse)
    def f(x, w, b):
        h = np.tanh(x @ w + b)
        return np.sum(-h ** 2 + (h[0, 1:] * 2.0).sum() / (1.0 + np.exp(-h[:, None])))

    rng = np.random.default_rng(0)
    df = sx.grad(f, wrt=(0, 1, 2))
    df(rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5))
    text = sx.source(df)
    body = ast.parse(text).body[0].body
    lines = [line.strip() for line in text.splitlines()[1:]
             if line.strip() and not line.strip().startswith("#")]
    assert lines == [ast.unparse(s) for s in body]
