"""The one name resolver: Python's scoping decided in one place."""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.env import Env
from srcxform.compiler.names import Namer
from srcxform.compiler.parse import parse_function
from srcxform.compiler.resolve import (
    BOUND,
    BUILTIN,
    CLOSURE,
    GLOBAL,
    LOCAL,
    MISSING,
    UNDEFINED,
    Scope,
)

SCALE = 2.0


def _make(later_assigned: bool = True):
    offset = 1.0

    def f(x):
        y = x * SCALE + offset
        return abs(y) + late + np.sum(y)

    if later_assigned:
        late = 3.0
    return f


def _ref(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


def test_lookup_order_bound_local_closure_global_builtin():
    parsed = parse_function(_make())
    scope = Scope(parsed, {"x", "y", "np"}, {"helper": print})
    assert scope.where("helper") == BOUND and scope.lookup("helper") is print
    assert scope.where("y") == LOCAL and scope.lookup("y") is MISSING
    assert scope.where("offset") == CLOSURE and scope.lookup("offset") == 1.0
    assert scope.where("SCALE") == GLOBAL and scope.lookup("SCALE") == 2.0
    assert scope.where("abs") == BUILTIN and scope.lookup("abs") is abs
    assert scope.where("nowhere") == UNDEFINED and scope.lookup("nowhere") is MISSING
    # a local shadows the global of the same name; a bound name shadows everything
    assert scope.lookup("np") is MISSING
    assert Scope(parsed, set(), {"SCALE": 5}).lookup("SCALE") == 5


def test_an_unassigned_closure_cell_is_missing():
    parsed = parse_function(_make(later_assigned=False))
    assert Scope(parsed).where("late") == CLOSURE
    assert Scope(parsed).lookup("late") is MISSING


def test_dotted_references():
    scope = Scope(parse_function(_make()))
    assert scope.resolve(_ref("np.linalg.norm")) is np.linalg.norm
    assert scope.resolve(_ref("np.no_such_thing")) is MISSING
    assert scope.resolve(_ref("math.pi")) is math.pi
    assert scope.resolve(_ref("nowhere.pi")) is MISSING
    assert scope.resolve(_ref("f(x)")) is MISSING
    assert Scope(parse_function(_make()), {"np"}).resolve(_ref("np.sum")) is MISSING


def test_strict_resolution_raises_located_errors():
    parsed = parse_function(_make())
    scope = Scope(parsed, {"y"})
    assert scope.resolve_strict(_ref("np.sum"), parsed) is np.sum
    assert scope.resolve_strict(_ref("y.sum"), parsed) is MISSING  # a local's attribute
    node = ast.Name("nowhere", ast.Load(), lineno=3, col_offset=2)
    with pytest.raises(sx.TransformError, match="'nowhere' is not defined") as info:
        scope.resolve_strict(node, parsed)
    assert info.value.lineno == 3 and info.value.col == 2
    with pytest.raises(sx.TransformError, match="does not exist"):
        scope.resolve_strict(_ref("np.no_such_thing"), parsed)


def test_env_resolves_through_the_same_scope():
    parsed = parse_function(_make())
    env = Env(parsed, Namer(), {"x", "y"})
    assert env.resolve(_ref("np.sum")) is np.sum
    assert env.resolve(_ref("y")) is None  # a user's local
    name = env.ref(math.sqrt, "sqrt")
    assert env.resolve(ast.Name(name, ast.Load())) is math.sqrt  # a helper cell comes first
