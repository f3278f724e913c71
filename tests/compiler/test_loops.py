"""The loop pre-pass alone: every loop `for k in range(...)` or `while True`, same values."""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import anno

from .util import compiled, program_of


def _loops(fn_node: ast.FunctionDef) -> list[ast.stmt]:
    return [n for n in ast.walk(fn_node) if isinstance(n, (ast.For, ast.While))]


def _canonical(f):
    program = program_of(f, "canonicalize")
    return program, program.parsed.node


def _check_canonical_and_same(f, *args):
    program, node = _canonical(f)
    for loop in _loops(node):
        if isinstance(loop, ast.While):
            assert isinstance(loop.test, ast.Constant) and loop.test.value is True
            exit_ = loop.body[1]
            assert isinstance(exit_, ast.If) and anno.get(exit_, anno.LOOP_EXIT)
            assert isinstance(exit_.body[0], ast.Break)
        else:
            assert isinstance(loop.target, ast.Name)
            assert isinstance(loop.iter, ast.Call) and loop.iter.func.id == "range"
            assert not loop.iter.keywords
    assert compiled(node, f)(*args) == pytest.approx(f(*args))
    return program, node


def over_rows(X, w):
    s = 0.0
    for row in X:
        s = s + np.sum(row * w)
    return s


def enumerate_zip(x, y):
    s = 0.0
    for k, (a, b) in enumerate(zip(x, y), 1):
        s = s + k * a * b
    return s


def backward_ranges(x):
    s = 0.0
    for i in reversed(range(len(x))):
        s = s * 0.5 + x[i]
    for j in reversed(range(1, 7, 2)):
        s = s + j * x[j % 3]
    return s


def counted_while(x):
    n = 0
    s = x[0]
    while n < 3 and s < 100.0:
        s = s * 2.0 + x[1]
        n = n + 1
    return s


def literal_loop_with_break(x):
    s = 0.0
    for c in (x[0], 2.0, x[1] * 3.0):
        if s > 4.0:
            break
        s = s + c
    return s


def bound_literal(x):
    a = x[0] * 2.0
    pair = (a, x[1])
    a = a + 1.0  # the tuple keeps the value `a` had when it was built
    s = 0.0
    for t in pair:
        s = s + t * t
    return s


def test_loops_over_rows_walk_an_index():
    X, w = np.arange(6.0).reshape(3, 2), np.array([0.5, -1.0])
    _, node = _check_canonical_and_same(over_rows, X, w)
    text = ast.unparse(node)
    assert "loop_value = len(X)" in text and "row = X[i]" in text
    # the trip count is a temporary the normalizer names (`n`), in its own order
    length = next(s for s in node.body if isinstance(s, ast.Assign) and anno.has(s, anno.TEMPORARY))
    assert anno.get(length, anno.TEMPORARY) == "n"
    normalized = "\n".join(ast.unparse(s) for s in program_of(over_rows, "normalize").body)
    assert normalized.startswith("s = 0.0\nn = len(X)\nfor i in range(n):\n    row = X[i]")
    assert "loop_value" not in normalized


def test_enumerate_and_zip_assign_positions_and_elements():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0])
    _, node = _check_canonical_and_same(enumerate_zip, x, y)
    text = ast.unparse(node)
    assert "min(" in text and "k = i + 1" in text


def test_reversed_ranges_run_backward():
    x = np.array([1.0, -2.0, 3.0])
    _, node = _check_canonical_and_same(backward_ranges, x)
    assert "reversed" not in ast.unparse(node)


def test_while_loops_test_first_and_break():
    _check_canonical_and_same(counted_while, np.array([1.0, 3.0]))
    _check_canonical_and_same(counted_while, np.array([90.0, 3.0]))


def test_literal_loops_are_unrolled_with_a_break_flag():
    for x in (np.array([1.0, 1.0]), np.array([3.0, 1.0])):
        program, node = _check_canonical_and_same(literal_loop_with_break, x)
    assert not _loops(node)
    assert {"s", "c", "stop"} <= program.fixed_names  # one name each, as in a loop


def test_a_name_bound_to_a_literal_is_unrolled_over_its_elements():
    program, node = _check_canonical_and_same(bound_literal, np.array([1.0, 3.0]))
    assert not _loops(node) and "t = pair[1]" in ast.unparse(node)
    # the whole transform: the tuple holds `a` as it was (x0 * 2), not a + 1
    value, grad = sx.value_and_grad(bound_literal)(np.array([1.0, 3.0]))
    assert value == pytest.approx(13.0) and grad == pytest.approx([8.0, 6.0])


def sorted_loop(x):
    s = 0.0
    for v in sorted(x):
        s = s + v
    return s


def range_into_tuple(x):
    s = 0.0
    for a, b in range(3):
        s = s + a * b
    return s


@pytest.mark.parametrize("f, message", [
    (sorted_loop, "for loops over sorted"),
    (range_into_tuple, "a range loop must unpack into one name"),
])
def test_loops_the_later_passes_cannot_handle_are_located_errors(f, message):
    with pytest.raises(sx.TransformError, match=message) as info:
        program_of(f, "canonicalize")
    assert info.value.lineno > f.__code__.co_firstlineno
