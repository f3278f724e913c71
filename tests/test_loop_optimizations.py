"""Loop optimizations of the backward sweep: where each applies, where it must not.

Every program is checked against central finite differences; the source
checks show that the optimization under test did (or did not) fire, so a
gradient that is right only because the rewrite was skipped is noticed.
"""

from __future__ import annotations

import math
import re

import numpy as np

import srcxform as sx
from srcxform.testing import check_grad


def _source(f, *args, wrt=0):
    df = sx.grad(f, wrt=wrt)
    df(*args)
    return sx.source(df)


def _saved(name, text):
    """True when ``text`` saves ``name`` on a tape (a list stack or a preallocated array)."""
    return re.search(rf"\b{name}_(stack|tape)\b", text) is not None


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


# --- cheap values recomputed instead of saved (compiler/tape.py) --------------------------

def float_steps(a, x):
    for _ in range(20):
        m = a * x
        x = x + 0.1 * math.sin(m)
    return x * x


def row_inputs(W, h, xs):
    for t in range(xs.shape[0]):
        row = xs[t]
        h = np.tanh(W @ h + row)
    return np.sum(h * h)


def rows_rescaled(W, h, xs):
    for t in range(xs.shape[0]):
        row = xs[t]
        h = np.tanh(W @ h + row * h)
        if np.sum(h) > 0.0:
            xs = xs * 0.9
    return np.sum(h * h)


def rows_rescaled_always(W, h, xs):
    for t in range(xs.shape[0]):
        row = xs[t]
        h = np.tanh(W @ h + row * h)
        xs = xs * 0.9
    return np.sum(h * h)


def rows_read_after(W, h, xs):
    for _ in range(2):
        for t in range(xs.shape[0]):
            row = xs[t]
            h = np.tanh(W @ h + row * h)
        h = h * row  # the last row, read after the inner loop (in each outer step)
    return np.sum(h * h)


def written_rows(W, h):
    hs = np.zeros((5, 3))
    hs[0] = h
    for t in range(4):
        row = hs[t]
        hs[t + 1] = np.tanh(W @ row)
    return np.sum(hs ** 2)


def test_scalar_arithmetic_recomputed_in_the_backward_loop():
    text = _source(float_steps, 1.3, 0.4, wrt=(0, 1))
    assert not _saved("m", text) and "m = a * x" in text.split("# grad of: for")[1]
    check_grad(float_steps, 1.3, 0.4, wrt=(0, 1))


def test_row_of_an_input_recomputed_as_a_view():
    W, _, h, xs = _rnn_args(np.random.default_rng(6), n_in=4)
    text = _source(row_inputs, W, h, xs, wrt=(0, 1, 2))
    assert not _saved("row", text) and "row = xs[t]" in text.split("reversed")[1]
    check_grad(row_inputs, W, h, xs, wrt=(0, 1, 2))


def test_operand_reassigned_under_a_branch_keeps_its_save():
    W, _, h, xs = _rnn_args(np.random.default_rng(11), n_in=4)
    assert _saved("row", _source(rows_rescaled, W, h, xs, wrt=(0, 1, 2)))
    check_grad(rows_rescaled, W, h, xs, wrt=(0, 1, 2))


def counted_scale(a, x):
    s = 0.0
    for t in range(6):
        c = a * t
        s = s + math.sin(c * x) * c
    return s


def test_scalar_of_the_loop_counter_recomputed():
    assert not _saved("c", _source(counted_scale, 0.7, 1.3, wrt=(0, 1)))
    check_grad(counted_scale, 0.7, 1.3, wrt=(0, 1))


def test_row_recomputed_after_its_array_is_restored():
    W, _, h, xs = _rnn_args(np.random.default_rng(16), n_in=4)
    backward = _source(rows_rescaled_always, W, h, xs, wrt=(0, 1, 2)).split("reversed")[1]
    assert not _saved("row", backward)
    restore = re.search(r"xs = xs_(stack\.pop\(\)|tape\[t\])", backward)
    assert restore is not None and backward.index("row = xs[t]") > restore.start()
    check_grad(rows_rescaled_always, W, h, xs, wrt=(0, 1, 2))


def test_value_read_after_its_loop_keeps_its_save():
    W, _, h, xs = _rnn_args(np.random.default_rng(12), n_in=4)
    assert _saved("row", _source(rows_read_after, W, h, xs, wrt=(0, 1, 2)))
    check_grad(rows_read_after, W, h, xs, wrt=(0, 1, 2))


def test_row_of_an_array_written_in_place_keeps_its_save():
    W, _, h, _ = _rnn_args(np.random.default_rng(7), n_hidden=3)
    assert _saved("row", _source(written_rows, W, h, wrt=(0, 1)))
    check_grad(written_rows, W, h, wrt=(0, 1))


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


def chained_elements(x, y):
    s = 0.0
    for t in range(x.shape[0]):
        a = x[t]
        b = y[t]
        d = a - b
        s = s + a * b + math.sin(d)
    return s


def test_values_recomputed_from_recomputed_values_come_after_them():
    rng = np.random.default_rng(13)
    x, y = rng.standard_normal(4), rng.standard_normal(4)
    backward = _source(chained_elements, x, y, wrt=(0, 1)).split("reversed")[1]
    assert not _saved("d", backward) and "a = x[t]" in backward and "d = a - b" in backward
    assert backward.index("d = a - b") > max(backward.index("a = x[t]"),
                                             backward.index("b = y[t]"))
    check_grad(chained_elements, x, y, wrt=(0, 1))


# --- restores nobody sees are not saved (compiler/tape.py) --------------------------------

def damped(k, x, v):
    for _ in range(5):
        a = -k * x - 0.1 * v
        x = x + 0.1 * v
        v = v + 0.1 * a
    return np.sum(x ** 2)


def damped_nonlinear(k, x, v):
    for _ in range(5):
        a = -k * x * v
        x = x + 0.1 * v
        v = v + 0.1 * a
    return np.sum(x ** 2)


def test_value_read_only_before_its_restores_is_not_saved():
    rng = np.random.default_rng(14)
    x, v = rng.standard_normal(3), rng.standard_normal(3)
    assert not _saved("v", _source(damped, 2.0, x, v, wrt=(0, 1)))
    check_grad(damped, 2.0, x, v, wrt=(0, 1, 2))


def test_value_read_after_a_restore_is_saved():
    rng = np.random.default_rng(15)
    x, v = rng.standard_normal(3), rng.standard_normal(3)
    assert _saved("v", _source(damped_nonlinear, 2.0, x, v, wrt=(0, 1)))
    check_grad(damped_nonlinear, 2.0, x, v, wrt=(0, 1, 2))


# --- an adjoint copied once before its loop, not every iteration (compiler/lower.py) -----

def rows_written(W, xs):
    h = np.zeros(W.shape[0])
    out = np.zeros((xs.shape[0], W.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
        out[t] = h
    return np.sum(out ** 2)


def rows_written_alias(xs):
    out = np.zeros(xs.shape)
    keep = 0.0
    for t in range(xs.shape[0]):
        out[t] = xs[t] * 2.0
    for t in range(xs.shape[0]):
        keep = keep + np.sum(out[t] * out)  # a row is read beside the whole array
    return keep


def _loop_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if "reversed(range(" in ln or
                 ln.strip().startswith("for _ in range(trips"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for ln in lines[start + 1:]:
        if ln.strip() and len(ln) - len(ln.lstrip()) <= indent:
            break
        body.append(ln)
    return body


def test_adjoint_of_rows_is_copied_once_before_the_loop():
    rng = np.random.default_rng(11)
    W, xs = rng.normal(size=(3, 3)) * 0.4, rng.normal(size=(5, 3))
    check_grad(rows_written, W, xs, wrt=0)
    check_grad(rows_written, W, xs, wrt=1)
    text = _source(rows_written, W, xs)
    assert not any(".copy()" in ln for ln in _loop_lines(text)), text


def test_rows_read_beside_the_whole_array_stay_right():
    xs = np.random.default_rng(13).normal(size=(4, 3))
    check_grad(rows_written_alias, xs)


# --- backward values the tapes left unread (deadcode.drop_unread) -------------------------

def rnn_inputs(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def test_a_row_computed_again_but_then_read_as_a_slice_is_dropped():
    rng = np.random.default_rng(3)
    args = (0.5 * rng.standard_normal((3, 3)), rng.standard_normal((3, 2)),
            rng.standard_normal(3), rng.standard_normal((6, 2)))
    text = _source(rnn_inputs, *args, wrt=(0, 1))
    backward = text.split("reversed(range(6)):")[1].split("if badd_rows")[0]
    assert "xs_item = xs[t]" not in backward  # (the block sums read xs[t:t + 64] instead)
    assert "xs[:len(badd_rows)]" in text
    check_grad(rnn_inputs, *args, wrt=(0, 1))
