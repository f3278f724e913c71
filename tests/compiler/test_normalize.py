"""The normalize pass alone: one primitive per statement, single assignment, located lines."""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import anno
from srcxform.compiler.normalize import is_atom
from tests import corpus
from tests.control_flow import programs

from .util import all_statements, body_text, program_of


def _is_index(node: ast.expr) -> bool:
    if isinstance(node, ast.Slice):
        return all(p is None or is_atom(p) for p in (node.lower, node.upper, node.step))
    if isinstance(node, ast.Tuple):
        return all(_is_index(e) for e in node.elts)
    return is_atom(node)


def _is_primitive(value: ast.expr) -> bool:
    """One of the right-hand sides the module docstring lists."""
    if is_atom(value):
        return True
    if isinstance(value, ast.BinOp):
        return is_atom(value.left) and is_atom(value.right)
    if isinstance(value, ast.UnaryOp):
        return is_atom(value.operand)
    if isinstance(value, ast.Compare):
        return is_atom(value.left) and all(is_atom(c) for c in value.comparators)
    if isinstance(value, ast.Call):
        receiver_ok = anno.get(value, anno.METHOD) is None or is_atom(value.func.value)
        return receiver_ok and all(is_atom(a) for a in value.args) \
            and all(is_atom(k.value) for k in value.keywords) and anno.has(value, anno.CALLEE)
    if isinstance(value, ast.Attribute):
        return is_atom(value.value)
    if isinstance(value, ast.Subscript):
        return is_atom(value.value) and _is_index(value.slice)
    if isinstance(value, (ast.Tuple, ast.List)):
        return all(is_atom(e) for e in value.elts)
    return isinstance(value, ast.JoinedStr)


def _check_normal_form(program) -> None:
    for stmt in all_statements(program.body):
        if not isinstance(stmt, (ast.Pass, ast.Break)):  # (placeholders)
            assert isinstance(anno.get(stmt, anno.LINE), int), ast.unparse(stmt)
        if isinstance(stmt, ast.Assign):
            assert len(stmt.targets) == 1, ast.unparse(stmt)
            target = stmt.targets[0]
            if isinstance(target, ast.Tuple):
                assert all(isinstance(e, ast.Name) for e in target.elts) and is_atom(stmt.value)
            elif isinstance(target, ast.Subscript):
                assert is_atom(target.value) and _is_index(target.slice) and is_atom(stmt.value)
            else:
                assert isinstance(target, ast.Name) and _is_primitive(stmt.value), \
                    ast.unparse(stmt)
        elif isinstance(stmt, ast.Expr):
            assert isinstance(stmt.value, ast.Call) and _is_primitive(stmt.value)
        elif isinstance(stmt, (ast.If, ast.While)):
            assert is_atom(stmt.test)
        elif isinstance(stmt, ast.For):
            assert anno.get(stmt.iter, anno.RANGE) and all(is_atom(a) for a in stmt.iter.args)
        else:
            assert isinstance(stmt, (ast.Break, ast.Continue, ast.Assert, ast.Pass)), \
                ast.unparse(stmt)
    assert is_atom(program.result)


CORPUS = [f for f, _, _ in corpus.CORPUS] + list(
    {f.__name__: f for f, _, _, _ in programs.CORPUS}.values())


@pytest.mark.parametrize("f", CORPUS, ids=lambda f: f.__name__)
def test_every_corpus_program_normalizes_to_primitives(f):
    _check_normal_form(program_of(f, "normalize"))


def layer(x, W):
    h = np.tanh(W @ x)
    h = h * 2.0
    return np.sum(h)


def test_temporaries_are_named_after_their_operation_and_names_assigned_once():
    program = program_of(layer, "normalize")
    assert body_text(program) == ["matmul = W @ x", "h = np.tanh(matmul)", "h_1 = h * 2.0",
                                  "sum_ = np.sum(h_1)"]
    assert program.versions["h"] == "h_1" and ast.unparse(program.result) == "sum_"
    calls = [s.value for s in program.body if isinstance(s.value, ast.Call)]
    assert [anno.get(c, anno.CALLEE) for c in calls] == [np.tanh, np.sum]
    lines = [anno.get(s, anno.LINE) for s in program.body]
    first = layer.__code__.co_firstlineno
    assert lines == [first + 1, first + 1, first + 2, first + 3]


def counted(x):
    s = 0.0
    n = len(x)
    for i in range(n - 1):
        s = s + x[i] * x[i + 1]
    return s


def test_loop_counters_and_lengths_are_ints():
    program = program_of(counted, "normalize")
    assert {"n", "i"} <= program.int_names and "s" not in program.int_names
    index_names = [n for s in all_statements(program.body) for n in ast.walk(s)
                   if isinstance(n, ast.Subscript) for n in ast.walk(n.slice)
                   if isinstance(n, ast.Name)]
    assert index_names and all(anno.get(n, anno.INT) for n in index_names)


def gathered(x):
    hs = []
    for i in range(3):
        hs.append(x * i)
    with sx.no_grad():
        scale = np.max(x)
    return sum(hs) * scale


def test_lists_appends_and_no_grad_are_marked():
    program = program_of(gathered, "normalize")
    assert program.lists == {"hs"}
    appends = [s for s in all_statements(program.body) if anno.get(s, anno.APPEND)]
    assert len(appends) == 1 and ast.unparse(appends[0]).startswith("hs.append(")
    no_grad = [ast.unparse(s) for s in program.body if anno.get(s, anno.NOGRAD)]
    assert no_grad == ["scale = np.max(x)"]


def pairs(x):
    p = (x[0], x[1] * 2.0)
    a = p[0]
    b = p[1]
    return a * b


def test_an_element_of_a_tuple_literal_is_the_element_itself():
    program = program_of(pairs, "normalize")
    assert body_text(program)[-3:] == ["a = x0", "b = mul", "mul_1 = a * b"]


def tanh_twice(x, y):
    v0 = np.exp(np.tanh(x))
    s = 0.0
    for t in (y, np.tanh(v0)):
        s = s + t
    return np.sum(s)


def test_temporaries_are_named_in_program_order_across_loops():
    """A value the loops pass evaluates once gets its name when normalized, after the
    temporaries of the statements before the loop."""
    text = body_text(program_of(tanh_twice, "normalize"))
    assert text[:3] == ["tanh = np.tanh(x)", "v0 = np.exp(tanh)", "s = 0.0"]
    assert text[3] == "tanh_1 = np.tanh(v0)"


def writes_into_argument(x):
    x[0] = 1.0
    return np.sum(x)


def test_a_write_into_an_array_it_did_not_create_is_a_located_error():
    with pytest.raises(sx.TransformError, match="writes into 'x'") as info:
        program_of(writes_into_argument, "normalize")
    assert info.value.lineno == writes_into_argument.__code__.co_firstlineno + 1


def uses_undefined(x):
    return x * undefined_name  # noqa: F821


def test_an_undefined_name_is_a_located_error():
    with pytest.raises(sx.TransformError, match="'undefined_name' is not defined"):
        program_of(uses_undefined, "normalize")
