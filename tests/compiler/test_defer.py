"""The defer pass alone: a backward loop's outer products summed by one matrix product.

An RNN-like loop goes through the pipeline (specialized on its arguments'
shapes) up to ``defer``; ``defer`` runs alone and the tests check what its
docstring promises: the accumulation ``bW = bW + np.outer(u, v)`` leaves the
loop, ``u`` and ``v`` are appended to lists where the product was, and one
``np.array(u_rows).T @ np.array(v_rows)`` is added after the loop under
``if u_rows:``; a loop it must not touch stays as it was; the gradient still
matches central finite differences, also for zero steps.
"""

from __future__ import annotations

import numpy as np

from srcxform.compiler import defer
from tests.compiler.passes import after, before, compiled, text
from tests.helpers import finite_difference


def rnn(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def rnn_gated(W, h, xs):
    for t in range(xs.shape[0]):
        if xs[t, 0] > 0.0:
            h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def _args(steps=4):
    rng = np.random.default_rng(1)
    return 0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3), \
        rng.standard_normal((steps, 3))


def _deferred(f, args):
    program = before(f, defer.defer_outer_products, wrt=(0, 1), args=args)
    return program, text(program.body), defer.defer_outer_products(program)


def test_outer_products_leave_the_loop_as_one_matrix_product():
    _, old, program = _deferred(rnn, _args())
    assert "np.outer(badd, h)" in old and "bW = bW + grad_a" in old
    new = text(program.body)
    assert "np.outer" not in new
    assert "badd_rows = []\nh_rows = []\nfor t in reversed(range(4)):" in new
    assert "    badd_rows.append(badd)\n    h_rows.append(h)\n" in new
    assert new.endswith("if badd_rows:\n    bW = bW + np.array(badd_rows).T @ np.array(h_rows)"
                        "\nreturn (bW, bh)")


def test_the_gradient_is_unchanged_also_for_zero_steps():
    for steps in (4, 0):
        args = _args(steps)
        _, _, program = _deferred(rnn, args)
        grad = compiled(after(program, defer.defer_outer_products))
        gW, gh = grad(*args)
        np.testing.assert_allclose(gW, finite_difference(rnn, args, 0), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(gh, finite_difference(rnn, args, 1), rtol=1e-6, atol=1e-9)


def test_an_outer_product_under_a_branch_stays_in_the_loop():
    args = _args()
    _, old, program = _deferred(rnn_gated, args)
    assert "np.outer" in old
    assert text(program.body) == old
