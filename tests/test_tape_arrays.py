"""Preallocated tapes (compiler/tapearrays.py, support.retape): one array per loop tape.

After this module passes: a range loop's tape of vectors is one ``np.empty``
array written a row per step and read back by row, and the gradient agrees
with central finite differences and with HIPS autograd; a value of another
dtype, an ndarray subclass or a non-array on the tape is kept exactly (a tape
of its dtype, or the values themselves), never cast; a trip count known only
at run time (zero steps too) sizes the tape by ``len(range(n))``; loops that
cannot use one (nested, checkpointed) keep their lists; one forward sweep of
a vjp serves several pullbacks; and the peak memory of a long loop's gradient
is within 1.2x of a hand-written gradient that keeps its states in one
preallocated array.
"""

from __future__ import annotations

import gc
import tracemalloc
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.support import HeldValues, retape
from tests.helpers import finite_difference, jacobian_difference


def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_autograd(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = anp.tanh(anp.dot(W, h) + anp.dot(U, xs[t]))
    return anp.sum(h * h)


def rnn_steps(W, h, n):
    for _ in range(n):
        h = np.tanh(W @ h) + 0.1
    return np.sum(h ** 3)


def rnn_twice(W, h, xs):
    for _ in range(2):
        for t in range(xs.shape[0]):
            h = np.tanh(W @ h + xs[t])
    return np.sum(h * h)


def _args(seed=0, steps=6, n=4, n_in=3):
    rng = np.random.default_rng(seed)
    return (0.6 * rng.standard_normal((n, n)), rng.standard_normal((n, n_in)),
            0.3 * rng.standard_normal(n), rng.standard_normal((steps, n_in)))


def _source(df):
    return sx.source(df)


def _fd(f, args, wrt):
    return tuple(finite_difference(f, args, i) for i in wrt)


def test_a_range_loop_tapes_its_states_in_one_array():
    args = _args()
    df = sx.grad(rnn, wrt=(0, 1, 2))
    got = df(*args)
    text = _source(df)
    assert "h_tape = np.empty((6, 4))" in text and "h = h_tape[t]" in text
    assert "h_stack" not in text
    want = autograd.grad(rnn_autograd, (0, 1, 2))(*args)
    for g, a, d in zip(got, want, _fd(rnn, args, (0, 1, 2))):
        np.testing.assert_allclose(g, a, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g, d, rtol=1e-6, atol=1e-8)


def test_gradient_called_again_reads_fresh_tapes():
    df = sx.grad(rnn, wrt=(0, 1))
    first = df(*_args(1))
    other = df(*_args(2))
    again = df(*_args(1))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    for g, d in zip(other, _fd(rnn, _args(2), (0, 1))):
        np.testing.assert_allclose(g, d, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_a_trip_count_known_at_run_time_sizes_the_tape(n):
    rng = np.random.default_rng(3)
    W, h = 0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3)
    df = sx.grad(rnn_steps, wrt=(0, 1))
    got = df(W, h, n)
    assert "h_tape = np.empty((len(range(n)), 3))" in _source(df)
    for g, d in zip(got, _fd(lambda W, h: rnn_steps(W, h, n), (W, h), (0, 1))):
        np.testing.assert_allclose(g, d, rtol=1e-6, atol=1e-8)


def test_a_state_that_changes_dtype_is_kept_exactly():
    """The first state float32, the next ones float64 (W is float64): the first row
    starts a float32 tape, the second turns it into the values themselves."""
    W, U, h, xs = _args(4)
    h32 = h.astype(np.float32)
    df = sx.grad(rnn, wrt=(0, 1))
    got = df(W, U, h32, xs)
    want = autograd.grad(rnn_autograd, (0, 1))(W, U, h32, xs)
    for g, a in zip(got, want):
        np.testing.assert_allclose(g, a, rtol=1e-6, atol=1e-8)
    for g, d in zip(got, _fd(lambda W, U: rnn(W, U, h32, xs), (W, U), (0, 1))):
        np.testing.assert_allclose(g, d, rtol=1e-5, atol=1e-7)


def test_an_integer_first_state_is_not_cast():
    W, U, _, xs = _args(5)
    h = np.array([1, -2, 0, 3])
    got = sx.grad(rnn, wrt=(0, 1))(W, U, h, xs)
    for g, d in zip(got, _fd(lambda W, U: rnn(W, U, h, xs), (W, U), (0, 1))):
        np.testing.assert_allclose(g, d, rtol=1e-6, atol=1e-8)


def test_nested_and_checkpointed_loops_keep_lists():
    rng = np.random.default_rng(6)
    W, h, xs = 0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3), \
        rng.standard_normal((4, 3))
    df = sx.grad(rnn_twice, wrt=(0, 1))
    got = df(W, h, xs)
    assert "h_stack" in _source(df) and "_tape" not in _source(df)
    for g, d in zip(got, _fd(rnn_twice, (W, h, xs), (0, 1))):
        np.testing.assert_allclose(g, d, rtol=1e-6, atol=1e-8)
    args = _args(7, steps=9)
    dc = sx.grad(rnn, wrt=(0, 1), checkpoint=3)
    got = dc(*args)
    assert "h_stack" in _source(dc) and "_tape" not in _source(dc)
    for g, d in zip(got, _fd(rnn, args, (0, 1))):
        np.testing.assert_allclose(g, d, rtol=1e-6, atol=1e-8)


def test_one_forward_sweep_serves_several_pullbacks():
    args = _args(8)
    value, pullback = sx.vjp(rnn, *args)
    assert np.isclose(value, rnn(*args))
    first, second = pullback(1.0), pullback(2.0)
    want = autograd.grad(rnn_autograd, (0, 1, 2, 3))(*args)
    for g1, g2, a in zip(first, second, want):
        np.testing.assert_allclose(g1, a, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g2, 2.0 * a, rtol=1e-10, atol=1e-12)


# --- retape: a value the typed tape cannot hold exactly ---------------------------------------

def test_retape_starts_a_tape_of_the_first_values_dtype():
    tape = np.empty((3, 2))
    first = np.array([1.5, 2.5], dtype=np.float32)
    tape = retape(tape, 0, first)
    assert tape.dtype == np.float32 and tape.shape == (3, 2)
    np.testing.assert_array_equal(tape[0], first)


def test_retape_keeps_the_values_themselves_once_the_dtype_changes():
    tape = np.empty((3, 2), dtype=np.float32)
    tape[0] = [1.5, 2.5]
    tape[1] = [3.5, 4.5]
    later = np.array([1.0 + 2.0j, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no ComplexWarning: nothing is cast)
        held = retape(tape, 2, later)
    assert isinstance(held, HeldValues) and held.dtype is None
    assert held[0].dtype == np.float32 and list(held[1]) == [3.5, 4.5]
    assert held[2] is later
    value = np.arange(2.0)
    assert retape(held, 1, value) is held and held[1] is value


def test_retape_keeps_subclasses_and_other_values_as_they_are():
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    held = retape(np.empty((2, 2)), 0, masked)
    assert isinstance(held, HeldValues) and held[0] is masked
    values = [1.0, 2.0]
    held = retape(np.empty((2, 2)), 0, values)
    assert held[0] is values


# --- peak memory --------------------------------------------------------------------------

def _peak(fn):
    fn()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _hand(W, U, h, xs):
    """The states in one array; the pre-activation adjoints of one block of steps."""
    steps, n, block = xs.shape[0], h.shape[0], 64
    hs = np.empty((steps + 1, n))
    hs[0] = h
    for t in range(steps):
        hs[t + 1] = np.tanh(W @ hs[t] + U @ xs[t])
    dW, dU = np.zeros_like(W), np.zeros_like(U)
    dz = np.empty((block, n))
    dh = 2.0 * hs[steps]
    for stop in range(steps, 0, -block):
        start = max(0, stop - block)
        for t in range(stop - 1, start - 1, -1):
            dz[t - start] = dh * (1.0 - hs[t + 1] * hs[t + 1])
            dh = W.T @ dz[t - start]
        dW += dz[:stop - start].T @ hs[start:stop]
        dU += dz[:stop - start].T @ xs[start:stop]
    return dW, dU


def test_a_long_loops_gradient_peaks_near_a_hand_written_one():
    W, U, h, xs = _args(9, steps=3000, n=32, n_in=4)
    # W scaled to a contraction: with _args' W (spectral radius about 3.4) the states are
    # chaotic and the gradient grows to 1e208, so the last bit of any product (the inputs'
    # one batched product against the hand's one per step) changes its every digit
    args = (W / np.sqrt(32), U, h, xs)
    df = sx.grad(rnn, wrt=(0, 1))
    for g, w in zip(df(*args), _hand(*args)):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)
    ratio = _peak(lambda: df(*args)) / _peak(lambda: _hand(*args))
    assert ratio <= 1.2, ratio  # (a list of 3000 separate states: about 1.45x)


# --- the deferred outer products read their rows from the arrays ----------------------------

def rnn_from_one(W, U, h, xs):
    for t in range(1, xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_from_one_autograd(W, U, h, xs):
    for t in range(1, xs.shape[0]):
        h = anp.tanh(anp.dot(W, h) + anp.dot(U, xs[t]))
    return anp.sum(h * h)


@pytest.mark.parametrize("steps", [1, 63, 64, 150])
def test_block_sums_read_rows_of_the_tape_and_the_input(steps):
    args = _args(10, steps=steps)
    df = sx.grad(rnn, wrt=(0, 1, 2))
    got = df(*args)
    text = _source(df)
    assert "h_rows" not in text and "xs_item_rows" not in text
    assert "np.asarray(h_tape[:len(badd_rows)])" in text
    if steps > 64:
        assert "np.asarray(h_tape[t:t + 64])" in text and "np.asarray(xs[t:t + 64])" in text
    want = autograd.grad(rnn_autograd, (0, 1, 2))(*args)
    for g, a in zip(got, want):
        np.testing.assert_allclose(g, a, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("steps", [2, 65, 130])
def test_rows_of_a_loop_that_starts_at_one(steps):
    args = _args(11, steps=steps)
    df = sx.grad(rnn_from_one, wrt=(0, 1, 2))
    got = df(*args)
    text = _source(df)
    assert "h_rows" not in text and "h = h_tape[t - 1]" in text
    want = autograd.grad(rnn_from_one_autograd, (0, 1, 2))(*args)
    for g, a in zip(got, want):
        np.testing.assert_allclose(g, a, rtol=1e-10, atol=1e-12)


def test_rows_of_a_tape_that_keeps_the_values_themselves():
    W, U, h, xs = _args(12, steps=150)
    h32 = h.astype(np.float32)
    got = sx.grad(rnn, wrt=(0, 1))(W, U, h32, xs)
    want = autograd.grad(rnn_autograd, (0, 1))(W, U, h32, xs)
    for g, a in zip(got, want):
        np.testing.assert_allclose(g, a, rtol=1e-6, atol=1e-8)


# --- generated code with tape arrays, transformed again --------------------------------------

def rnn_w(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h * h)


@pytest.mark.parametrize("steps", [5, 70])
def test_hessian_and_hvp_of_a_gradient_with_tape_arrays(steps):
    """Forward mode over the generated gradient (tape arrays, a block sum every 64
    steps) against central differences of the gradient."""
    rng = np.random.default_rng(13)
    W, h, xs = 0.5 * rng.standard_normal((3, 3)), rng.standard_normal(3), \
        rng.standard_normal((steps, 3))
    g = sx.grad(rnn_w, wrt=0)
    g(W, h, xs)
    assert "h = h_tape[t]" in _source(g)
    H = sx.hessian(rnn_w, wrt=0)(W, h, xs)
    want = jacobian_difference(g, (W, h, xs), 0)
    np.testing.assert_allclose(H, want, rtol=1e-5, atol=1e-7)
    v = rng.standard_normal((3, 3))
    hv = sx.hvp(rnn_w, (W, h, xs), (v, None, None), wrt=0)
    np.testing.assert_allclose(hv, np.tensordot(H, v, axes=2), rtol=1e-8, atol=1e-10)
