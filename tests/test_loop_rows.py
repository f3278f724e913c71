"""Loop code spelled as a hand-writer would: batched row products (compiler/hoist.py),
backward loops over list tapes (compiler/listtapes.py), zeros of known shape in loops
(compiler/loopzeros.py).

Every program is checked against central finite differences (and the RNNs against
HIPS autograd on the same source); the source checks show whether the rewrite under
test fired, so a gradient right only because the rewrite was skipped is noticed, and
the programs where a rewrite must not apply show it did not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.driver import transform
from srcxform.testing import check_grad
from tests.helpers import central_difference, finite_difference, with_autograd_numpy


def _source(f, *args, wrt=0):
    df = sx.grad(f, wrt=wrt)
    df(*args)
    return sx.source(df)


def _forward_part(text):
    """The code of the generated source up to the backward sweep (its first ``grad of``
    comment), without comment lines."""
    head = text.split("# grad of:")[0]
    return "\n".join(line for line in head.splitlines() if not line.lstrip().startswith("#"))


def _rnn_args(rng, steps=5, n_hidden=4, n_in=3):
    W = 0.5 * rng.standard_normal((n_hidden, n_hidden))
    U = rng.standard_normal((n_hidden, n_in))
    h = 0.3 * rng.standard_normal(n_hidden)
    xs = rng.standard_normal((steps, n_in))
    return W, U, h, xs


def _agrees_with_autograd(f, args, wrt):
    ag = pytest.importorskip("autograd")
    ours = sx.grad(f, wrt=wrt)(*args)
    for i, got in zip(wrt, ours):
        want = ag.grad(with_autograd_numpy(f), i)(*args)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


# --- row products batched (hoist.py) ---------------------------------------------------------

def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_from_one(W, U, h, xs):
    for t in range(1, xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_rows_on_the_left(W, V, h, xs):
    for t in range(xs.shape[0]):
        x = xs[t]
        h = np.tanh(h @ W + x @ V)
    return np.sum(h ** 2)


def rnn_n_steps(W, U, h, xs, n):
    for t in range(n):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_vector_weights(w, h, xs):
    for t in range(xs.shape[0]):
        h = np.sin(h + w @ xs[t])
    return h * h


def rnn_input_decays(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
        xs = xs * 0.9  # the rows change from step to step: no batch
    return np.sum(h * h)


def rnn_weights_decay(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
        U = 0.9 * U  # the operand changes from step to step: no batch
    return np.sum(h * h)


def rnn_feeds_its_input(W, U, h, xs):
    ys = xs.copy()
    for t in range(xs.shape[0] - 1):
        h = np.tanh(W @ h + U @ ys[t])
        ys[t + 1] = ys[t + 1] + h[:2]  # the state is written into the rows: no batch
    return np.sum(h * h)


def rnn_input_under_if(W, U, h, xs):
    for t in range(xs.shape[0]):
        if t % 2 == 0:
            h = np.tanh(W @ h + U @ xs[t])
        else:
            h = np.tanh(W @ h)
    return np.sum(h * h)


def test_short_loop_reads_its_products_from_one_product():
    args = _rnn_args(np.random.default_rng(0))
    text = _source(rnn, *args, wrt=(0, 1))
    assert "np.inner(xs, U)" in text and "U @ xs" not in _forward_part(text)
    check_grad(rnn, *args, wrt=(0, 1, 2, 3))
    _agrees_with_autograd(rnn, args, (0, 1, 2, 3))


def test_long_loop_batches_a_block_of_steps_at_a_time():
    args = _rnn_args(np.random.default_rng(1), steps=150, n_hidden=3, n_in=2)
    text = _source(rnn, *args, wrt=(0, 1))
    assert "% 64 == 0" in text and "np.inner(xs[t:t + 64], U)" in text
    check_grad(rnn, *args, wrt=(0, 1, 2, 3))
    _agrees_with_autograd(rnn, args, (0, 1, 2, 3))


def test_loop_from_one_reads_rows_from_the_start():
    args = _rnn_args(np.random.default_rng(2))
    text = _source(rnn_from_one, *args, wrt=(0, 1))
    assert "np.inner(xs[1:], U)" in text and "[t - 1]" in text
    check_grad(rnn_from_one, *args, wrt=(0, 1, 2, 3))


def test_rows_on_the_left_of_the_product():
    W, V, h, xs = _rnn_args(np.random.default_rng(3))
    V = V.T.copy()  # (n_in, n_hidden)
    text = _source(rnn_rows_on_the_left, W, V, h, xs, wrt=(0, 1))
    assert "xs @ V" in text and "x @ V" not in _forward_part(text)
    check_grad(rnn_rows_on_the_left, W, V, h, xs, wrt=(0, 1, 2, 3))


def test_vector_weights_give_one_number_per_step():
    rng = np.random.default_rng(4)
    w, h, xs = rng.standard_normal(3), 0.3, rng.standard_normal((6, 3))
    assert "np.inner(xs, w)" in _source(rnn_vector_weights, w, h, xs, wrt=0)
    check_grad(rnn_vector_weights, w, h, xs, wrt=(0, 1, 2))


def test_trip_count_of_a_name_batches_blocks_and_fails_where_f_fails():
    W, U, h, xs = _rnn_args(np.random.default_rng(5), steps=70)
    text = _source(rnn_n_steps, W, U, h, xs, 70, wrt=(0, 1))
    assert "% 64 == 0" in text
    for n in (0, 3, 64, 65, 70):
        check_grad(rnn_n_steps, W, U, h, xs, n, wrt=(0, 1, 2, 3))
    with pytest.raises(IndexError):
        rnn_n_steps(W, U, h, xs, 71)
    with pytest.raises(IndexError):
        sx.grad(rnn_n_steps, wrt=(0, 1))(W, U, h, xs, 71)


def test_lists_as_operands():
    W, U, h, xs = _rnn_args(np.random.default_rng(6))
    want = sx.grad(rnn, wrt=0)(W, U, h, xs)
    for u, x in ((U.tolist(), xs), (U, xs.tolist())):
        np.testing.assert_allclose(sx.grad(rnn, wrt=0)(W, u, h, x), want, rtol=1e-12)


@pytest.mark.parametrize("f", [rnn_input_decays, rnn_weights_decay, rnn_feeds_its_input,
                               rnn_input_under_if])
def test_products_whose_operands_change_or_may_not_run_are_not_batched(f):
    args = _rnn_args(np.random.default_rng(7), n_in=2)
    text = _source(f, *args, wrt=(0, 1))
    assert "np.inner" not in text and ("U @ xs" in text or "U @ ys" in text)
    check_grad(f, *args, wrt=(0, 1, 2, 3))


def test_forward_mode_batches_the_products_too():
    W, U, h, xs = _rnn_args(np.random.default_rng(8))
    rng = np.random.default_rng(9)
    dW, dU = rng.standard_normal(W.shape), rng.standard_normal(U.shape)
    _, tangent = sx.jvp(rnn, (W, U, h, xs), (dW, dU, None, None))
    numeric = float(central_difference(rnn, (W, U, h, xs), (dW, dU, None, None)))
    assert abs(tangent - numeric) < 1e-6 * max(1.0, abs(numeric))
    shapes = {"W": W.shape, "U": U.shape, "h": h.shape, "xs": xs.shape}
    made = transform(rnn, ("W", "U"), "jvp", shapes=shapes)
    assert "np.inner(xs, U)" in made.source


# --- backward loops over list tapes (listtapes.py) -------------------------------------------

def float_steps(a, x):
    for _ in range(30):
        x = x + 0.05 * (math.sin(a * x) - 0.5 * x)
    return x * x


def float_steps_counted(a, x):
    for t in range(30):
        x = x + 0.05 * (math.sin(a * x) - 0.01 * t * x)
    return x * x


def float_steps_n(a, x, n):
    for _ in range(n):
        x = x + 0.05 * math.sin(a * x)
        a = a * math.cos(x)
    return x * x + a


def test_backward_loop_iterates_over_its_list_tape():
    text = _source(float_steps, 1.3, 0.4, wrt=(0, 1))
    assert "for x in reversed(x_tape):" in text and ".pop()" not in text
    check_grad(float_steps, 1.3, 0.4, wrt=(0, 1))


def test_backward_loop_reading_its_counter_keeps_its_pops():
    text = _source(float_steps_counted, 1.3, 0.4, wrt=(0, 1))
    assert ".pop()" in text
    check_grad(float_steps_counted, 1.3, 0.4, wrt=(0, 1))


def test_two_list_tapes_one_loop_target_and_zero_steps():
    text = _source(float_steps_n, 1.3, 0.4, 10, wrt=(0, 1))
    assert text.count("_tape):") == 1 and ".pop()" in text
    for n in (0, 1, 10):
        check_grad(float_steps_n, 1.3, 0.4, n, wrt=(0, 1))
    assert sx.grad(float_steps_n, wrt=(0, 1))(1.3, 0.4, 0) == (1.0, 0.8)


def test_second_derivative_of_a_loop_over_its_tape():
    second = sx.grad(sx.grad(float_steps, wrt=1), wrt=1)(1.3, 0.4)
    first = sx.grad(float_steps, wrt=1)
    numeric = finite_difference(first, (1.3, 0.4), 1, eps=1e-4)
    assert abs(second - numeric) < 1e-6 * max(1.0, abs(numeric))


# --- zeros of known shape in loops (loopzeros.py) --------------------------------------------

def padded_chain(k, x):
    for _ in range(6):
        ext = np.concatenate((np.zeros(1), x, np.zeros(1)))
        x = x + 0.1 * k * (ext[:-2] - 2.0 * x + ext[2:])
    return np.sum(x ** 2)


def sums_of_neighbours(k, x):
    for _ in range(6):
        ext = x * 1.0  # (a product: may be a list's repetition as far as the compiler knows)
        x = x + 0.1 * k * (ext[:-2] + ext[2:]).sum()
    return np.sum(x ** 2)


def test_zeros_like_in_a_loop_made_from_the_known_shape():
    rng = np.random.default_rng(10)
    x = 0.3 * rng.standard_normal(5)
    text = _source(padded_chain, 2.0, x, wrt=(0, 1))
    # (adjoint_dtype: None unless a value is complex, widen.py)
    assert "np.zeros(7, adjoint_dtype or ext.dtype)" in text and "zeros_like(ext" not in text
    check_grad(padded_chain, 2.0, x, wrt=(0, 1))


def test_float32_zeros_keep_their_dtype():
    x = np.linspace(-0.5, 0.5, 5, dtype=np.float32)
    got = sx.grad(padded_chain, wrt=1)(2.0, x)
    assert got.dtype == np.float64  # (ext is float64: np.zeros(1) is)
    want = sx.grad(padded_chain, wrt=1)(2.0, x.astype(np.float64))
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_zeros_like_of_a_name_not_known_to_be_an_array_is_kept():
    rng = np.random.default_rng(11)
    x = 0.3 * rng.standard_normal(5)
    text = _source(sums_of_neighbours, 2.0, x, wrt=(0, 1))
    assert "np.zeros(" not in text.replace("np.zeros(1)", "")
    check_grad(sums_of_neighbours, 2.0, x, wrt=(0, 1))
