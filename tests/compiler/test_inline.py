"""Inlining of user functions alone: the callee's body at the call site, hygienic."""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.funcvalues import is_user_function

from ._callees import scaled, softplus
from .util import body_text, compiled, program_of

SCALE = 2.0


def calls_scaled(x):
    y = scaled(x) + SCALE
    return np.sum(y)


def test_the_callee_body_replaces_the_call():
    program = program_of(calls_scaled, "normalize")
    text = "\n".join(body_text(program))
    assert "scaled(" not in text
    # the callee's local `y` and its parameter `x` got fresh names: they do not clash with
    # the caller's `y` and `x`
    assert text.splitlines()[:2] == ["x_1 = x", "y_1 = x_1 * SCALE_1"]
    # the callee's global SCALE (10) is another object than the caller's (2): bound apart
    assert program.foreign == {"SCALE_1": 10.0}


def test_the_inlined_program_computes_the_same():
    x = np.array([1.0, -2.0])
    df = sx.value_and_grad(calls_scaled)
    value, grad = df(x)
    assert value == pytest.approx(calls_scaled(x)) and grad == pytest.approx([10.0, 10.0])


def calls_softplus(x):
    return np.sum(softplus(x, beta=2.0))


def test_defaults_become_constants_or_bound_objects():
    program = program_of(calls_softplus, "normalize")
    text = body_text(program)
    assert "beta = 2.0" in text  # the keyword argument
    shift = [name for name in program.foreign if name.startswith("shift")]
    assert len(shift) == 1 and program.foreign[shift[0]] is softplus.__defaults__[1]


def countdown(n):
    if n > 0:
        return countdown(n - 1)
    return n


def test_recursion_is_a_located_error():
    with pytest.raises(sx.TransformError, match="calls itself"):
        program_of(countdown, "normalize")


def test_user_functions_and_library_functions():
    assert is_user_function(scaled) and is_user_function(calls_scaled)
    assert not is_user_function(np.tanh) and not is_user_function(np.sum)
    assert not is_user_function(sx.detach) and not is_user_function(len)


def loops_inside(x):
    return walk(x) * 2.0


def walk(v):
    s = 0.0
    for e in v:
        s = s + e * e
    return s


def test_a_callee_goes_through_the_front_end_too():
    program = program_of(loops_inside, "normalize")
    loops = [s for s in program.body if isinstance(s, ast.For)]
    assert len(loops) == 1 and ast.unparse(loops[0].iter).startswith("range(")
    canonical = program_of(loops_inside, "canonicalize").parsed.node
    assert compiled(canonical, loops_inside)(np.array([1.0, 2.0])) == pytest.approx(10.0)
