"""The aggregates pass alone: a dict with constant keys becomes one variable per key."""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx

from .util import compiled, program_of


def params(x):
    p = {"w": x * 2.0, "b": 1.0}
    p["b"] = p["b"] + np.sum(x)
    p["w"] += 1.0
    return np.sum(p["w"]) * p["b"]


def test_a_dict_becomes_variables():
    node = program_of(params, "replace_dicts").parsed.node
    assert not any(isinstance(n, ast.Dict) for n in ast.walk(node))
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    assert {"p_w", "p_b"} <= names and "p" not in names
    x = np.array([1.0, 2.0])
    assert compiled(node, params)(x) == pytest.approx(params(x))


def computed_key(x, k):
    p = {"a": x}
    return p[k]


def whole_dict(x):
    p = {"a": x}
    return np.sum(np.stack(p))  # (np.stack(list(p.values())) would be spelled out)


@pytest.mark.parametrize("f, message", [(computed_key, "known only when the code runs"),
                                        (whole_dict, "used as a whole")])
def test_other_uses_of_a_dict_are_located_errors(f, message):
    with pytest.raises(sx.TransformError, match=message) as info:
        program_of(f, "replace_dicts")
    assert info.value.lineno == f.__code__.co_firstlineno + 2
