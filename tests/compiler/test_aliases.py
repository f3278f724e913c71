"""Alias and ownership analysis alone: which arrays a function may write into."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.aliases import fresh_where_written, growing_lists, writable_arrays
from srcxform.compiler.parse import parse_function

from .util import program_of


def _writable(f):
    parsed = parse_function(f)
    return writable_arrays(parsed.node, [a.arg for a in parsed.node.args.args])


def fresh_buffer(x):
    out = np.zeros(3)
    out[0] = x[0]
    y = x * 2.0  # an operator's result is a new array
    y[1] = 0.0
    return np.sum(out) + np.sum(y)


def argument_written(x):
    x[0] = 1.0
    return np.sum(x)


def aliased(x):
    a = np.zeros(3)
    b = a
    a[0] = x[0]
    return np.sum(b)


def packed(x):
    a = np.zeros(3)
    pair = (a, x)
    a[0] = x[0]
    return np.sum(pair[0])


def handed_over(x):
    a = np.zeros(3)
    b = a
    b[0] = x[0]
    return np.sum(b)


def double_buffer(x):
    u = np.zeros(3)
    for t in range(3):
        new = np.zeros(3)
        new[0] = x[t] + u[0]
        u = new
    return np.sum(u)


def copied_before_write(x):
    b = np.ones(3)
    c = b
    b = b.copy()
    b[0] = x[0]
    return np.sum(b) + np.sum(c)


def written_before_copy(x):
    b = np.ones(3)
    c = b
    b[0] = x[0]
    b = b.copy()
    return np.sum(b) + np.sum(c)


@pytest.mark.parametrize("f, expected", [
    (fresh_buffer, {"out", "y"}),
    (argument_written, set()),
    (aliased, set()),
    (packed, set()),
    (handed_over, {"b"}),  # `a` is read nowhere else: `b` is the array's only name
    (double_buffer, {"new"}),
    (copied_before_write, {"b"}),
    (written_before_copy, set()),
])
def test_writable_arrays(f, expected):
    assert _writable(f) & {"out", "y", "x", "a", "b", "new", "u", "c"} == expected


def walks_what_it_writes(x):
    out = np.zeros(3)
    out[0] = x[0]
    s = 0.0
    for v in out:
        s = s + v * x[1]
    out[1] = s
    return s + np.sum(out)


def test_the_analysis_sees_the_function_as_written():
    """The loops pass copies a sequence the body may change before walking it; that copy
    is not an alias of the user's (a regression: the write into `out` was refused)."""
    program = program_of(walks_what_it_writes, "find_owned")
    assert "out" in program.writable
    value, grad = sx.value_and_grad(walks_what_it_writes)(np.array([2.0, 3.0]))
    assert value == pytest.approx(14.0) and grad == pytest.approx([7.0, 4.0])


def test_fresh_where_written_is_flow_sensitive():
    assert fresh_where_written(parse_function(copied_before_write).node, "b")
    assert not fresh_where_written(parse_function(written_before_copy).node, "b")


def collects(x):
    hs = []
    for i in range(2):
        hs.append(x * i)
    return sum(hs)


def collects_late(x):
    if x[0] > 0:
        hs = []
    else:
        hs = [x]
    hs.append(x)
    return sum(hs)


def test_growing_lists_are_created_once_at_the_top():
    parsed = parse_function(collects)
    assert growing_lists(parsed.node, parsed) == {"hs"}
    parsed = parse_function(collects_late)
    with pytest.raises(sx.TransformError, match="grows by append"):
        growing_lists(parsed.node, parsed)
