"""The control pass alone: jumps end their blocks, one return at the end, same values."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from .util import compiled, program_of

JUMPS = (ast.Break, ast.Continue, ast.Return)


def early_returns(x):
    if x[0] > 1.0:
        return x[0] * 2.0
    s = 0.0
    for v in x:
        if v < 0.0:
            return s
        if v > 5.0:
            continue
        s = s + v
    t = s * 3.0
    return t


def nested_loop_return(x):
    s = 0.0
    for i in range(3):
        for j in range(3):
            if x[i] * x[j] > 4.0:
                return s
            s = s + x[i] * x[j]
        s = s * 0.5
    return s


def _blocks(node):
    for sub in ast.walk(node):
        for field in ("body", "orelse"):
            block = getattr(sub, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


@pytest.mark.parametrize("f", [early_returns, nested_loop_return])
def test_jumps_end_blocks_and_one_return_remains(f):
    node = program_of(f, "structure").parsed.node
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
    assert returns == [node.body[-1]]
    for block in _blocks(node):
        for stmt in block[:-1]:
            assert not isinstance(stmt, JUMPS), ast.unparse(stmt)


@pytest.mark.parametrize("f", [early_returns, nested_loop_return])
@pytest.mark.parametrize("x", [[2.0, 1.0, 3.0], [0.5, 6.0, 1.0], [0.5, 1.0, -1.0],
                               [1.0, 2.5, 3.0]])
def test_the_structured_function_computes_the_same(f, x):
    x = np.array(x)
    node = program_of(f, "structure").parsed.node
    assert compiled(node, f)(x) == pytest.approx(f(x))
