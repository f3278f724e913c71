"""The split pass alone: one taped adjoint body becomes a forward and a backward sweep.

A loop program goes through the vjp pipeline up to ``split``; ``split`` runs
alone and the tests check its promises: the forward sweep returns the value
and exactly the residuals the backward sweep reads, the backward sweep unpacks
them, copies the ones it mutates, and returns the gradients; one forward run
serves several backward runs; the pullback of 1 is the gradient (against
central finite differences).
"""

from __future__ import annotations

import ast

import numpy as np

from srcxform.compiler import split
from tests.compiler.passes import after, before, text
from tests.helpers import finite_difference


def rnn(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def rnn_twice(W, h, xs):
    for _ in range(2):
        for t in range(xs.shape[0]):
            h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def _args():
    rng = np.random.default_rng(2)
    return 0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3), \
        rng.standard_normal((4, 3))


def _split(args, f=rnn):
    program = before(f, split.split, wrt=(0, 1), kind="vjp", args=args)
    return text(program.body), split.split(program)


def test_the_forward_sweep_returns_the_value_and_the_residuals_read_backward():
    old, program = _split(_args())
    assert program.residuals == "residuals" and program.seed == "bsum_"
    forward = text(program.forward_body)
    # (adjoint_dtype: the arguments' complexity, read on entry, widen.py)
    before = old.split("\nadjoint_dtype_1 = ")[0]
    assert forward == before + "\nreturn (sum_, (W, h, adjoint_dtype, h_tape))"
    assert not any(isinstance(n, ast.Name) and n.id == "bsum_"
                   for s in program.forward_body for n in ast.walk(s))


def test_the_backward_sweep_unpacks_and_copies_what_it_mutates():
    _, program = _split(_args(), rnn_twice)  # (an inner loop's tape stays a list it pops)
    backward = text(program.backward_body).splitlines()
    assert backward[:5] == ["W, h, h_stack, xs_shape0_stack, xs_shape0, adjoint_dtype = "
                            "residuals",
                            "h_stack = h_stack.copy()",
                            "xs_shape0_stack = xs_shape0_stack.copy()",
                            "adjoint_dtype_1 = complex_adjoints(adjoint_dtype, bsum_)",
                            "bh = np.full((3,), bsum_)"]
    assert backward[-1] == "return (bW, bh)"


def test_a_tape_array_is_read_not_copied():
    _, program = _split(_args())
    backward = text(program.backward_body).splitlines()
    assert backward[:3] == ["W, h, adjoint_dtype, h_tape = residuals",
                            "adjoint_dtype_1 = complex_adjoints(adjoint_dtype, bsum_)",
                            "bh = np.full((3,), bsum_)"]
    assert "    h = h_tape[t]" in backward


def test_one_forward_run_serves_several_backward_runs():
    args = _args()
    _, program = _split(args)
    program = after(program, split.split)
    value, residuals = program.fn(*args)
    assert np.isclose(value, rnn(*args))
    first = program.backward(residuals, 1.0)
    second = program.backward(residuals, 2.0)
    for g1, g2, i in zip(first, second, (0, 1)):
        np.testing.assert_allclose(g1, finite_difference(rnn, args, i), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(g2, 2.0 * g1, rtol=1e-12)


def branch_on_sum(x):
    if np.sum(x) > 0:
        y = np.sin(x)
    else:
        y = np.cos(x)
    return np.sum(y * x)


def test_residuals_come_parameters_first_then_as_a_walk_of_the_forward_sweep_meets_them():
    program = split.split(before(branch_on_sum, split.split, kind="vjp"))
    # (breadth first: the top-level mul before the y assigned inside the branch)
    assert ast.unparse(program.forward_body[-1]) == "return (sum_1, (x, cond, mul, y))"
    assert ast.unparse(program.backward_body[0]) == "x, cond, mul, y = residuals"
