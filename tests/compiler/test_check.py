"""The check pass alone: supported constructs pass, anything else is a located error."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx

from .util import program_of


def supported(x):
    with sx.no_grad():
        m = np.max(x)
    s = 0.0
    for i in range(3):
        if x[i] > m or i == 0:
            continue
        s += x[i] if i else 0.0
    d = {"a": s}
    return d["a"] * 2.0


def test_supported_constructs_pass_unchanged():
    program = program_of(supported, "check")
    assert program.parsed.node.body[0].items  # (nothing rewritten)


def with_try(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def with_decorated_nested_def(x):
    @staticmethod
    def g(v):
        return v * 2.0
    return g(x)


def with_eval(x):
    return eval("x * 2")


def without_return(x):
    if x > 0:
        return x


def with_for_else(x):
    for v in x:
        v = v * 2.0
    else:
        v = 0.0
    return v


def with_star_args(*xs):
    return xs[0]


def with_other_context(x):
    with open("f") as fh:
        y = fh
    return y


@pytest.mark.parametrize("f, construct, offset", [
    (with_try, "try statement", 1),
    (with_decorated_nested_def, "decorated nested function", 1),
    (with_eval, "eval()", 1),
    (without_return, "missing return", 1),
    (with_for_else, "for-else", 1),
    (with_star_args, "variadic parameter", 0),
    (with_other_context, "with block", 1),
])
def test_unsupported_constructs_are_located(f, construct, offset):
    with pytest.raises(sx.TransformError) as info:
        program_of(f, "check")
    assert info.value.construct == construct
    assert info.value.lineno == f.__code__.co_firstlineno + offset
