"""The lower pass alone: fast spellings of backward code, same values.

Tiny programs go through the pipeline (specialized on their arguments'
shapes) up to ``lower``; ``lower`` runs alone and the tests check each
spelling its docstring promises (reductions as methods, ``b += e`` on arrays
the code owns, ``a @ b`` for the sum of a product of vectors, forward
reductions of ndarrays as methods, forward temporaries read once folded back
into their readers with the user's own names kept); the gradient still
matches central finite differences.
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


def two_targets(W, b, x, y):
    h = np.tanh(x @ W + b)
    return np.mean(h * h) + np.sum(h * y)


def test_accumulations_into_owned_arrays_are_in_place():
    args = (*LAYER_ARGS, np.linspace(0.5, 1.5, 8).reshape(4, 2))
    program = before(two_targets, lower.lower, wrt=(0, 1), args=args)
    old = text(program.body)
    assert "bh = bh + " in old
    new = text(lower.lower(program).body)
    assert "bh += " in new and "bh = bh +" not in new
    grads = compiled(after(program, lower.lower))(*args)
    for i, g in enumerate(grads):
        np.testing.assert_allclose(g, finite_difference(two_targets, args, i), rtol=1e-6,
                                   atol=1e-9)


def test_accumulations_of_one_term_are_one_product():
    old, program = _lowered(layer, LAYER_ARGS)
    assert "bh = bh + 0.125 * h" in old
    assert "bh = 0.25 * h" in text(program.body)


def test_reductions_of_backward_arrays_are_methods():
    old, program = _lowered(layer, LAYER_ARGS)
    assert "np.sum(badd, axis=0)" in old
    assert "badd.sum(axis=0)" in text(program.body)


def test_forward_temporaries_read_once_are_folded_back():
    old, program = _lowered(layer, LAYER_ARGS)
    assert "mean = np.mean(x, axis=0)" in old and "matmul = sub @ W" in old
    new = text(program.body).splitlines()
    # the user's names stay; np.mean of a parameter keeps its spelling (x may be a list)
    assert new[:2] == ["sub = x - np.mean(x, axis=0)", "h = np.tanh(sub @ W + b)"]


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


def pick(W, X, labels):
    logits = X @ W
    return -np.mean(logits[np.arange(X.shape[0]), labels])


def pick_twice(W, X, labels):
    logits = X @ W
    rows = np.arange(X.shape[0])
    return -np.mean(logits[rows, labels] * logits[rows, labels[::-1]])


PICK_ARGS = (np.linspace(-1.0, 1.0, 12).reshape(3, 4), np.linspace(-2.0, 1.5, 15).reshape(5, 3),
             np.array([0, 3, 3, 1, 0]))


def test_a_scatter_at_distinct_rows_is_an_indexed_update():
    # (optimize's propagation makes it, lower keeps it)
    program = before(pick, lower.lower, wrt=0, args=PICK_ARGS)
    new = text(lower.lower(program).body)
    assert "np.add.at(" not in new and "[arange, labels] = -0.2" in new


def test_a_scatter_whose_positions_may_repeat_stays_add_at():
    def columns(W, X, labels):  # labels picks columns of one row: positions repeat
        logits = X @ W
        return -np.mean(logits[0, labels])

    program = before(columns, lower.lower, wrt=0, args=PICK_ARGS)
    assert "np.add.at(" in text(lower.lower(program).body)


@pytest.mark.parametrize("f", [pick, pick_twice])
def test_scatters_at_distinct_rows_give_the_gradient(f):
    import autograd

    from tests.helpers import with_autograd_numpy

    program = before(f, lower.lower, wrt=0, args=PICK_ARGS)
    got = compiled(after(lower.lower(program), lower.lower))(*PICK_ARGS)
    np.testing.assert_allclose(got, finite_difference(f, PICK_ARGS, 0), rtol=1e-6, atol=1e-9)
    expected = autograd.grad(with_autograd_numpy(f))(*PICK_ARGS)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_forward_reductions_of_ndarrays_are_methods():
    def lse(W, X):
        logits = X @ W
        m = np.max(logits, axis=1, keepdims=True)
        return np.sum(m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True)))

    program = before(lse, lower.lower, wrt=0, args=PICK_ARGS[:2])
    new = text(lower.lower(program).body)
    assert "m = logits.max(axis=1, keepdims=True)" in new
    assert "exp.sum(axis=1, keepdims=True)" in new


def test_adding_a_number_into_fresh_zeros_is_writing_it():
    program = before(pick, lower.lower, wrt=0, args=PICK_ARGS)
    new = text(lower.lower(program).body)
    assert "blogits[arange, labels] = -0.2" in new and "+= -0.2" not in new
    got = compiled(after(program, lower.lower))(*PICK_ARGS)
    np.testing.assert_allclose(got, finite_difference(pick, PICK_ARGS, 0), rtol=1e-6, atol=1e-9)
