"""The forward (tangent) pass alone: each varied assignment followed by its tangent's.

Tiny programs go through the jvp pipeline up to ``forward``; ``forward`` runs
alone and the tests check its promises: the tangent of every varied name
(``d`` + name) right after the name's assignment, none for a value that does
not vary, loops and branches kept in place, the tangents of ``wrt`` as
parameters, ``return (value, tangent)``, the tangents' shapes, and the numbers
against central finite differences along the tangent.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

from srcxform.compiler import anno, forward
from tests.compiler.passes import before, compiled, text
from tests.helpers import central_difference


def mixed(x, y, c):
    z = np.sin(x) * y
    k = c * 2.0
    return np.sum(z * z) + k


def leaky(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0:
            s = s + x[i] ** 2
        else:
            s = s + 0.1 * x[i]
    return s


ARGS = (np.array([0.3, -0.7, 1.1]), np.array([0.5, 2.0, -1.5]), 0.4)


def _tangent(f, wrt, args):
    return forward.forward(before(f, forward.forward, wrt=wrt, kind="jvp", args=args))


def test_each_varied_assignment_is_followed_by_its_tangent():
    program = _tangent(mixed, (0,), ARGS)
    lines = text(program.body).splitlines()
    assert lines[:4] == ["sin = np.sin(x)", "dsin = dx * np.cos(x)", "z = sin * y",
                         "dz = np.broadcast_to(dsin * y, np.shape(z))"]
    assert "dmul = dz * z + dz * z" in lines
    assert lines[-1] == "return (add, dadd)"


def test_a_value_that_does_not_vary_gets_no_tangent():
    program = _tangent(mixed, (0,), ARGS)
    assert "k = c * 2.0" in text(program.body)
    assigned = {n.id for s in program.body for n in ast.walk(s)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assert not {"dk", "dc"} & assigned
    assert set(program.tangent_of.values()) == {"x", "sin", "z", "mul", "sum_", "add"}


def test_the_tangents_of_wrt_are_parameters_with_their_primals_shapes():
    program = _tangent(mixed, (0, 1), ARGS)
    assert program.tangent_params == ["dx", "dy"]
    assert program.generated_params == ["x", "y", "c", "dx", "dy"]
    assert program.shapes["dx"] == (3,) and program.shapes["dy"] == (3,)
    assert program.overwritten == set()


def test_every_statement_is_tangent_code_on_a_user_line():
    program = _tangent(mixed, (0,), ARGS)
    first = mixed.__code__.co_firstlineno
    for stmt in program.body[:-1]:
        assert anno.get(stmt, anno.FORWARD) is True
        assert first < anno.get(stmt, anno.LINE) <= first + 3


def test_branches_and_loops_keep_their_shape():
    x = np.array([0.7, -0.4, 1.2])
    program = _tangent(leaky, 0, (x,))
    loop = next(s for s in program.body if isinstance(s, ast.For))
    branch = next(s for s in loop.body if isinstance(s, ast.If))
    assert "ds_1 =" in text(branch.body) or "ds =" in text(branch.body)
    assert text(branch.orelse).count("= ") >= 2  # the primal and its tangent
    assert program.overwritten  # the carried sum is reassigned in the loop


@pytest.mark.parametrize("f, wrt, args", [
    (mixed, (0,), ARGS),
    (mixed, (0, 1), ARGS),
    (leaky, 0, (np.array([0.7, -0.4, 1.2]),)),
])
def test_the_tangent_matches_differences_along_it(f, wrt, args):
    program = _tangent(f, wrt, args)
    jvp = compiled(program)
    rng = np.random.default_rng(0)
    wrt = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = [rng.normal(size=np.shape(args[i])) for i in wrt]
    value, tangent = jvp(*args, *tangents)
    directions = [tangents[wrt.index(i)] if i in wrt else None for i in range(len(args))]
    assert value == pytest.approx(f(*args))
    assert tangent == pytest.approx(float(central_difference(f, args, directions)), rel=1e-6)


def _pair(u, t=0.5):
    return u, t


def overwritten_by_constant_pair(x, a):
    v, s = x, a
    k = 0
    while k < 1 and s < 0.0:
        k += 1
        v, s = _pair(np.sin(np.zeros(3)))  # a tuple of an array and a float, not varied
    return np.sum(v * x) + s * a


def test_unpacking_a_sequence_without_tangent_zeroes_each_part():
    """(A ragged tuple has no np.zeros_like: each unpacked name gets its own zero.)"""
    x, a = np.array([0.3, -0.7, 1.1]), -0.4
    dx, da = np.array([1.0, 2.0, -1.0]), 0.5
    program = _tangent(overwritten_by_constant_pair, (0, 1), (x, a))
    assert "np.zeros_like(seq)" not in text(program.body)
    fn = compiled(program)
    _, tangent = fn(x, a, dx, da)
    expected = central_difference(overwritten_by_constant_pair, (x, a), (dx, da))
    np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-8)
