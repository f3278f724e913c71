"""The optimize pass as a whole, alone on reverse-mode bodies.

Each test takes a tiny program through the pipeline up to ``optimize``, runs
``optimize`` itself and checks what its docstring promises: the fixed point
(folding, propagation, dead code), ``unbroadcast`` gone where shapes are
known to agree, a returned broadcast made writable, the facts it leaves on the
program (``rank_dependent``, ``exact_shapes``, ``trusted_shapes``, stable
shapes of loop values), and that a second run changes nothing.
"""

from __future__ import annotations

import numpy as np

from srcxform.compiler import optimize
from tests.compiler.passes import after, before, compiled, text
from tests.helpers import finite_difference


def product(x, y):
    return np.sum(x * y)


def total(x):
    return np.sum(x)


def loop(x, W):
    h = x
    for _ in range(3):
        h = np.tanh(W @ h)
    return np.sum(h)


def _optimized(f, wrt=0, args=None):
    program = before(f, optimize.optimize, wrt=wrt, args=args)
    return text(program.body), optimize.optimize(program)


def test_generic_code_folds_and_keeps_only_what_shapes_cannot_decide():
    old, program = _optimized(product, (0, 1))
    assert "if None is not None" in old and "bsum_ = 1.0" in old
    assert text(program.body) == ("mul = x * y\n"
                                  "bmul = np.broadcast_to(1.0, np.shape(mul))\n"
                                  "bx = unbroadcast(bmul * y, x)\n"
                                  "by = unbroadcast(bmul * x, y)\n"
                                  "return (bx, by)")
    assert program.rank_dependent  # knowing the shapes would remove the unbroadcasts


def test_with_known_shapes_the_gradient_of_a_product_is_the_other_factor():
    args = (np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0]))
    _, program = _optimized(product, (0, 1), args)
    assert text(program.body) == "return (y, x)"
    assert not program.rank_dependent
    assert program.trusted_shapes == {"x": (3,), "y": (3,), "bx": (3,), "by": (3,)}
    assert program.exact_shapes == {"x": (3,), "y": (3,)}


def test_a_returned_broadcast_is_a_writable_array():
    _, program = _optimized(total, 0, (np.ones((2, 3)),))
    assert text(program.body) == "bx = np.full((2, 3), 1.0)\nreturn bx"
    bx = compiled(after(program, optimize.optimize))(np.ones((2, 3)))
    bx[0, 0] = 5.0  # (np.broadcast_to would be read-only)


def test_loop_values_keep_their_stable_shapes():
    args = (np.array([0.1, 0.2, 0.3]), 0.5 * np.eye(3))
    _, program = _optimized(loop, (0, 1), args)
    assert program.trusted_shapes["h"] == (3,)  # every assignment in the loop gives (3,)
    assert program.trusted_shapes["bW"] == (3, 3)
    assert "unbroadcast" not in text(program.body) and "np.shape" not in text(program.body)
    assert "bh = np.full((3,), 1.0)" in text(program.body)


def test_the_fixed_point_is_reached():
    args = (np.array([0.1, 0.2, 0.3]), 0.5 * np.eye(3))
    _, program = _optimized(loop, (0, 1), args)
    first = text(program.body)
    assert text(optimize.optimize(program).body) == first


def test_the_optimized_gradient_matches_finite_differences():
    args = (np.array([0.1, -0.4, 0.3]), 0.5 * np.eye(3) + 0.1)
    for shaped in (None, args):
        _, program = _optimized(loop, (0, 1), shaped)
        gx, gW = compiled(after(program, optimize.optimize))(*args)
        np.testing.assert_allclose(gx, finite_difference(loop, args, 0), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(gW, finite_difference(loop, args, 1), rtol=1e-6, atol=1e-9)


def dunder(x):
    __a = x
    s = 0.0
    for _ in range(3):
        x = x * 2.0
        s = s + __a * x
    return s


def test_a_copy_into_a_dunder_name_is_not_confused_with_a_later_value():
    # (main once returned 68.6 here: __a was read as the doubled x)
    grad = compiled(after(optimize.optimize(before(dunder, optimize.optimize)),
                          optimize.optimize))
    assert np.isclose(grad(0.7), finite_difference(dunder, (0.7,), 0), rtol=1e-6)
    assert np.isclose(grad(0.7), 28 * 0.7)
