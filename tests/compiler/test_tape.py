"""The tape pass alone: save exactly the overwritten values the backward sweep reads.

Loop programs go through the pipeline up to ``tape``; ``insert_tapes`` runs
alone and the tests check its promises: no placeholder is left; a value the
backward sweep reads after a restore gets a stack, pushed before each
surviving forward assignment and popped where its placeholder was; a cheap
value (a basic index of an array nothing writes into) is computed again in
the backward loop instead; a name nobody reads gets no stack; the gradient
matches central finite differences.
"""

from __future__ import annotations

import math

import numpy as np

from srcxform.compiler import assemble, tape
from tests.compiler.passes import after, before, compiled, text
from tests.helpers import finite_difference


def running(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(x[i] * x[i]) * s
    return s


def counted(x):
    k = 0
    while k < 3:
        x = math.sin(x) * 1.5
        k = k + 1
    return x


X = np.array([[0.3, -0.4], [0.8, 0.1], [-0.6, 0.5]])


def _taped(f, args):
    program = before(f, tape.insert_tapes, args=args)
    return text(program.body), tape.insert_tapes(program)


def test_placeholders_become_pushes_and_pops_of_what_is_read():
    old, program = _taped(running, (X,))
    assert "__srcxform_restore__(1, s)" in old
    new = text(program.body)
    assert "__srcxform_restore__" not in new
    assert new.startswith("s_stack = []\nsum__stack = []\nsum_ = None\n"
                          "adjoint_dtype = complex_adjoints(x)\ns = 0.0\n")  # (widen.py)
    assert "    s_stack.append(s)\n    s = s + sum_ * s\n" in new  # the old value, saved
    assert "    s = s_stack.pop()\n" in new
    assert "    sum_ = sum__stack.pop()\n" in new


def test_a_cheap_view_is_computed_again_instead_of_saved():
    old, program = _taped(running, (X,))
    assert "__srcxform_restore__(6, x_item)" in old  # (x[i] read twice: one view, cse.py)
    new = text(program.body)
    assert "x_item_stack" not in new and "mul_stack" not in new and "add_stack" not in new
    backward = new.split("reversed(range(3)):")[1]
    assert backward.startswith("\n    x_item = x[i]\n")


def test_the_taped_gradient_matches_finite_differences():
    _, program = _taped(running, (X,))
    grad = compiled(after(program, tape.insert_tapes))
    np.testing.assert_allclose(grad(X), finite_difference(running, (X,), 0), rtol=1e-6)


def test_a_counted_loop_restores_what_its_backward_sweep_reads():
    old, program = _taped(counted, (0.4,))
    new = text(program.body)
    assert "__srcxform_restore__" in old and "__srcxform_restore__" not in new
    assert "x_stack.append(x)" in new and "x = x_stack.pop()" in new
    assert "k_stack" not in new  # the counter is never read backward
    grad = compiled(assemble.keep_no_grad(program))
    assert np.isclose(grad(0.4), finite_difference(counted, (0.4,), 0), rtol=1e-6)
