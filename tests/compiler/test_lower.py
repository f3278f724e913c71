"""The lower pass alone: fast spellings of backward code, same values.

Tiny programs go through the pipeline (specialized on their arguments'
shapes) up to ``lower``; ``lower`` runs alone and the tests check each
spelling its docstring promises (reductions as methods, ``b += e`` on arrays
the code owns, ``a @ b`` for the sum of a product of vectors) and that the
user's own forward statements keep their spelling; the gradient still matches
central finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

from srcxform.compiler import lower
from tests.compiler.passes import after, before, compiled, env, statements, text
from tests.helpers import finite_difference


def layer(W, b, x):
    h = np.tanh((x - np.mean(x, axis=0)) @ W + b)
    return np.mean(h * h)


def scale(k, x):
    return np.sum(np.tanh(k * x))


LAYER_ARGS = (0.1 * np.arange(6.0).reshape(3, 2), np.array([0.2, -0.1]),
              np.linspace(-1.0, 1.0, 12).reshape(4, 3))
SCALE_ARGS = (0.5, np.array([0.3, -0.2, 0.9]))


def _lowered(f, args):
    program = before(f, lower.lower, wrt=(0, 1), args=args)
    return text(program.body), lower.lower(program)


def test_accumulations_into_owned_arrays_are_in_place():
    old, program = _lowered(layer, LAYER_ARGS)
    new = text(program.body)
    assert "bh = bh + 0.125 * h" in old
    assert "bh += 0.125 * h" in new and "bh = bh +" not in new


def test_reductions_of_backward_arrays_are_methods():
    old, program = _lowered(layer, LAYER_ARGS)
    assert "np.sum(badd, axis=0)" in old
    assert "badd.sum(axis=0)" in text(program.body)


def test_forward_statements_keep_their_spelling():
    old, program = _lowered(layer, LAYER_ARGS)
    forward = [line for line in old.splitlines() if not line.startswith(("b", "return"))]
    assert "mean = np.mean(x, axis=0)" in forward
    new = text(program.body).splitlines()
    assert all(line in new for line in forward)


def test_the_sum_of_a_product_of_vectors_is_a_dot_product():
    old, program = _lowered(scale, SCALE_ARGS)
    assert "bk = np.sum(bmul * x)" in old
    assert "bk = bmul @ x" in text(program.body)


@pytest.mark.parametrize("f, args", [(layer, LAYER_ARGS), (scale, SCALE_ARGS)])
def test_the_gradient_is_unchanged(f, args):
    _, program = _lowered(f, args)
    grads = compiled(after(program, lower.lower))(*args)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, finite_difference(f, args, i), rtol=1e-6, atol=1e-9)


def _lower_body(source, exact, grad=True):
    body = statements(source)
    for stmt in body:
        from srcxform.compiler import anno
        anno.set(stmt, anno.GRAD, grad)
    return text(lower.lower_body(body, env(), exact, set(), exact))


def test_an_array_referred_to_elsewhere_is_not_updated_in_place():
    exact = {"g": (3,), "e": (3,), "b": (3,), "keep": (3,)}
    owned = _lower_body("b = g * 2.0\nb = b + e", exact)
    assert owned == "b = g * 2.0\nb += e"
    shared = _lower_body("b = g * 2.0\nkeep = b\nb = b + e", exact)
    assert shared.endswith("b = b + e")  # keep still refers to b's array
    user = _lower_body("b = g * 2.0\nb = b + e", exact, grad=False)
    assert user == "b = g * 2.0\nb = b + e"  # the user's own statements are never rewritten
