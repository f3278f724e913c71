"""The reverse pass alone: the adjoint body its docstring promises, and its numbers.

Each test takes a tiny program through the pipeline up to ``reverse``, runs
``reverse`` itself, and checks the statements it emits (forward statements
first, the seed, adjoints named ``b`` + primal, elementwise gradients in
``unbroadcast``, annotations, restore placeholders, backward loops) and, where
the body runs as it is, the gradient against central finite differences.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import anno, assemble, reverse, tape
from tests.compiler.passes import before, compiled, text
from tests.helpers import finite_difference


def sin_product(x, y):
    z = np.sin(x) * y
    return np.sum(z * z)


def running(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(x[i] * x[i]) * s
    return s


def doubling(x):
    while x < 10.0:
        x = x * 2.0
    return x


def matrix_output(W, x):
    return W @ x


ARGS = (np.array([0.3, -0.7, 1.1]), np.array([0.5, 2.0, -1.5]))


def _reversed(f, **kwargs):
    return reverse.reverse(before(f, reverse.reverse, **kwargs))


def test_forward_statements_then_seed_then_adjoints_in_reverse_order():
    program = _reversed(sin_product, wrt=(0, 1))
    lines = text(program.body).splitlines()
    assert lines[:4] == ["sin = np.sin(x)", "z = sin * y", "mul = z * z", "sum_ = np.sum(mul)"]
    assert lines[4] == "bsum_ = 1.0"  # a full reduction is a scalar: the seed is 1
    # z is read twice by z * z: its adjoint is assigned once, then added to
    assert lines.index("bz = unbroadcast(bmul * z, z)") \
        < lines.index("bz = bz + unbroadcast(bmul * z, z)")
    # the adjoint of z flows to sin before sin's to x (reverse order of the forward sweep)
    assert lines.index("bsin = unbroadcast(bz * y, sin)") \
        < lines.index("bx = unbroadcast(bsin * np.cos(x), x)")
    assert lines[-1] == "return (bx, by)"


def test_adjoints_are_named_after_their_primals():
    program = _reversed(sin_product, wrt=(0, 1))
    assert program.adjoint_of == {"bsum_": "sum_", "bmul": "mul", "bz": "z", "bsin": "sin",
                                  "by": "y", "bx": "x"}
    assert program.scalar_names == {"sum_"}
    assert program.overwritten == set()


def test_every_elementwise_gradient_is_unbroadcast():
    program = _reversed(sin_product, wrt=(0, 1))
    contributions = [ast.unparse(s.value) for s in program.body if isinstance(s, ast.Assign)
                     and s.targets[0].id in ("bx", "by", "bsin")]
    assert contributions and all(c.startswith("unbroadcast(") for c in contributions)


def test_backward_statements_are_annotated_and_forward_ones_are_not():
    program = _reversed(sin_product, wrt=(0, 1))
    forward, backward = program.body[:4], program.body[4:-1]
    assert not any(anno.get(s, anno.GRAD) for s in forward)
    assert all(anno.get(s, anno.GRAD) is True for s in backward)
    assert anno.get(program.body[-1], anno.GRAD) is False  # the return
    lines = {anno.get(s, anno.LINE) for s in program.body}
    first = sin_product.__code__.co_firstlineno
    assert lines <= {first + 1, first + 2}  # every statement names a line of the user's


def test_straight_line_adjoint_matches_finite_differences():
    program = _reversed(sin_product, wrt=(0, 1))
    grad = compiled(program)
    gx, gy = grad(*ARGS)
    np.testing.assert_allclose(gx, finite_difference(sin_product, ARGS, 0), rtol=1e-6)
    np.testing.assert_allclose(gy, finite_difference(sin_product, ARGS, 1), rtol=1e-6)


def test_a_range_loop_runs_backward_with_a_restore_after_each_overwritten_assignment():
    program = _reversed(running)
    body = text(program.body)
    assert "for i in reversed(range(3)):" in body
    assert {"s", "add", "mul", "x_item"} <= program.overwritten
    backward_loop = next(s for s in program.body if isinstance(s, ast.For)
                         and anno.get(s, anno.GRAD))
    markers = [anno.get(s, anno.MARKER) for s in backward_loop.body
               if anno.get(s, anno.MARKER) is not None]
    restored = [names for _, names in markers]
    assert ["s"] in restored and ["add"] in restored
    sites = [site for site, _ in markers]
    assert len(sites) == len(set(sites))  # each placeholder matches one assignment
    forward_sites = {anno.get(s, anno.SITE) for s in ast.walk(program.body[1])
                     if isinstance(s, ast.stmt)}
    assert set(sites) <= forward_sites


def test_a_loop_adjoint_matches_finite_differences_once_its_restores_are_resolved():
    x = np.array([[0.3, -0.4], [0.8, 0.1], [-0.6, 0.5]])
    program = tape.insert_tapes(_reversed(running))
    assert "__srcxform_restore__" not in text(program.body)
    grad = compiled(assemble.keep_no_grad(program))
    np.testing.assert_allclose(grad(x), finite_difference(running, (x,), 0), rtol=1e-6)


def test_a_while_loop_counts_its_trips_and_replays_them():
    program = _reversed(doubling)
    body = text(program.body)
    assert body.startswith("trips = 0\nwhile True:\n    trips = trips + 1")
    assert "for _ in range(trips):" in body
    grad = compiled(assemble.keep_no_grad(tape.insert_tapes(program)))
    assert grad(0.7) == pytest.approx(finite_difference(doubling, (0.7,), 0), rel=1e-6)


def test_a_non_scalar_output_is_seeded_by_a_checked_scalar_seed():
    program = _reversed(matrix_output)
    seed = next(s for s in program.body if anno.get(s, anno.KEEP))
    assert ast.unparse(seed) == "bmatmul = scalar_seed(matmul)"
    assert program.scalar_names == set()


def test_value_and_grad_returns_the_value_first():
    program = _reversed(sin_product, kind="value_and_grad")
    assert ast.unparse(program.body[-1]) == "return (sum_, bx)"
    value, gx = compiled(program)(*ARGS)
    assert value == pytest.approx(sin_product(*ARGS))
    np.testing.assert_allclose(gx, finite_difference(sin_product, ARGS, 0), rtol=1e-6)


def test_split_motion_leaves_the_cotangent_a_free_name():
    program = _reversed(matrix_output, kind="vjp", wrt=(0, 1))
    assert program.seed == "bmatmul"
    assert not any(isinstance(s, ast.Assign) and s.targets[0].id == "bmatmul"
                   for s in program.body if isinstance(s, ast.Assign)
                   and isinstance(s.targets[0], ast.Name))
    assert ast.unparse(program.body[-1]) == "return (matmul, (bW, bx))"


#: A NumPy ufunc made from a Python function: no rule, and no source to inline.
doubled = np.frompyfunc(lambda v: v * 2.0, 1, 1)


def uses_unknown(x):
    return np.sum(doubled(x))


def test_an_active_call_without_a_rule_is_a_located_error():
    line = uses_unknown.__code__.co_firstlineno + 1
    with pytest.raises(sx.TransformError, match=rf"test_reverse.py:{line}:\d+: no derivative "
                                                r"rule for doubled\(\)"):
        _reversed(uses_unknown)
