"""Activity analysis alone: which values depend on wrt, and which also reach the output."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import activity

from .util import program_of


def mixed(x, y):
    a = np.sin(x)
    b = np.sign(x)  # no derivative: b does not vary with x
    c = a * y
    d = np.cos(x)  # varies, but never reaches the result
    g = d * 3.0  # noqa: F841 - nor does this
    e = c + b
    n = x.shape[0]
    return np.sum(e) * n


def test_varied_and_active_names():
    program = program_of(mixed, "check_effects", wrt=0)
    varied = program.varied
    assert {"x", "a", "c", "d", "e", "g"} <= varied
    assert not {"b", "y", "n"} & varied
    program = activity.find_active(program)
    assert {"x", "a", "c", "e"} <= program.active and not {"d", "g"} & program.active
    assert program.active <= program.varied


def test_other_wrt_other_values():
    program = activity.find_active(program_of(mixed, "check_effects", wrt=1))
    assert "y" in program.active and not {"x", "a", "d"} & program.active


def prints(x):
    y = x * 2.0
    print(y)
    return np.sum(y)


def copies_into(x):
    out = np.zeros(3)
    np.copyto(out, x * 2.0)
    return np.sum(out)


def test_a_call_for_its_effect_on_a_varied_value_is_refused():
    program_of(prints, "check_effects")  # print only looks
    with pytest.raises(sx.TransformError, match="called for its effect") as info:
        program_of(copies_into, "check_effects")
    assert info.value.lineno == copies_into.__code__.co_firstlineno + 2
