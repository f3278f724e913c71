"""Loop optimizations of the backward sweep: where each applies, where it must not.

Every program is checked against central finite differences; the source
checks show that the optimization under test did (or did not) fire, so a
gradient that is right only because the rewrite was skipped is noticed.
"""

from __future__ import annotations

import numpy as np

import srcxform as sx
from srcxform.testing import check_grad


def _source(f, *args, wrt=0):
    df = sx.grad(f, wrt=wrt)
    df(*args)
    return sx.source(df)


# --- deferred outer products (compiler/defer.py) ----------------------------------------

def rnn_two_uses(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + W @ np.sin(h))
    return np.sum(h * h)


def rnn_nested(W, h, xs):
    for _ in range(2):
        for t in range(xs.shape[0]):
            h = np.tanh(W @ h + xs[t])
    return np.sum(h ** 3)


def rnn_zero_steps(W, h, n):
    for _ in range(n):
        h = np.tanh(W @ h)
    return np.sum(h * h)


def rnn_under_if(W, h, xs):
    for t in range(xs.shape[0]):
        if t % 2 == 0:
            h = np.tanh(W @ h)
        else:
            h = np.sin(h + xs[t])
    return np.sum(h * h)


def rnn_matrix_state(W, H, n):
    for _ in range(n):
        H = np.tanh(W @ H)
    return np.sum(H * H)


def rnn_written_rows(W, h):
    hs = np.zeros((5, 4))
    hs[0] = h
    for t in range(4):
        hs[t + 1] = np.tanh(W @ hs[t])
    return np.sum(hs ** 2)


def _rnn_args(rng, n_hidden=4, n_in=3, steps=5):
    W = 0.5 * rng.standard_normal((n_hidden, n_hidden))
    U = rng.standard_normal((n_hidden, n_in))
    h = 0.3 * rng.standard_normal(n_hidden)
    xs = rng.standard_normal((steps, n_in))
    return W, U, h, xs


def test_outer_products_batched_with_two_uses_of_W():
    args = _rnn_args(np.random.default_rng(0))
    text = _source(rnn_two_uses, *args, wrt=(0, 1))
    assert "_rows.append(" in text and "np.outer" not in text
    check_grad(rnn_two_uses, *args, wrt=(0, 1, 2))


def test_outer_products_batched_in_nested_loops():
    W, _, h, xs = _rnn_args(np.random.default_rng(1), n_in=4)
    assert "_rows.append(" in _source(rnn_nested, W, h, xs, wrt=(0, 1))
    check_grad(rnn_nested, W, h, xs, wrt=(0, 1, 2))


def test_outer_products_of_a_loop_that_runs_zero_times():
    W, _, h, _ = _rnn_args(np.random.default_rng(2))
    assert "_rows.append(" in _source(rnn_zero_steps, W, h, 3, wrt=(0, 1))
    grads = sx.grad(rnn_zero_steps, wrt=(0, 1))(W, h, 0)
    assert np.array_equal(grads[0], np.zeros_like(W))
    assert np.allclose(grads[1], 2 * h)
    check_grad(rnn_zero_steps, W, h, 0, wrt=(0, 1))
    check_grad(rnn_zero_steps, W, h, 4, wrt=(0, 1))


def test_outer_product_under_if_is_not_batched():
    W, _, h, xs = _rnn_args(np.random.default_rng(3), n_in=4)
    text = _source(rnn_under_if, W, h, xs, wrt=(0, 1))
    assert "_rows.append(" not in text
    check_grad(rnn_under_if, W, h, xs, wrt=(0, 1, 2))


def test_matrix_products_are_not_batched():
    rng = np.random.default_rng(4)
    W = 0.5 * rng.standard_normal((3, 3))
    H = rng.standard_normal((3, 2))
    assert "_rows.append(" not in _source(rnn_matrix_state, W, H, 4, wrt=(0, 1))
    check_grad(rnn_matrix_state, W, H, 4, wrt=(0, 1))


def test_rows_of_an_array_written_in_place_are_not_batched():
    W, _, h, _ = _rnn_args(np.random.default_rng(5))
    # (the rows of hs are views into an array the backward sweep writes back into)
    assert "_rows.append(" not in _source(rnn_written_rows, W, h, wrt=(0, 1))
    check_grad(rnn_written_rows, W, h, wrt=(0, 1))


# --- np.split of known offsets, dot products (compiler/optimize.py, lower.py) --------------

def padded_chain(k, x):
    for _ in range(5):
        ext = np.concatenate((np.zeros(1), x, np.zeros(1)))
        x = x + 0.1 * k * (ext[:-2] - 2.0 * x + ext[2:])
    return np.sum(x ** 2)


def growing(x):
    for _ in range(3):
        x = np.concatenate((x, np.sin(x[:1])))
    return np.sum(x ** 3)


def scaled_matrix(k, A):
    for _ in range(3):
        A = np.tanh(k * A)
    return np.sum(A)


def test_concatenate_adjoint_slices_known_offsets():
    x = np.random.default_rng(8).standard_normal(4)
    text = _source(padded_chain, 0.7, x, wrt=(0, 1))
    assert "np.split" not in text and "@" in text  # (dk: the vector dot product)
    check_grad(padded_chain, 0.7, x, wrt=(0, 1))


def test_concatenate_of_changing_shapes_keeps_split():
    x = np.random.default_rng(9).standard_normal(3)
    assert "np.split" in _source(growing, x)
    check_grad(growing, x)


def test_sum_of_matrix_products_is_not_a_dot_product():
    A = np.random.default_rng(10).standard_normal((2, 3))
    assert "@" not in _source(scaled_matrix, 0.8, A, wrt=(0, 1))
    check_grad(scaled_matrix, 0.8, A, wrt=(0, 1))
