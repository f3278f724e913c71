"""A matrix's sums along one axis as one matrix-vector product (compiler/fastsums.py).

The helpers are checked against NumPy's own ``a.sum`` for every kind of value
(the fast path's dtypes, and values that must fall back: other dtypes, other
ranks, subclasses, long rows); gradients of programs that sum along one axis
against HIPS autograd on the same source and central finite differences, with
the source showing whether the rewrite fired (so a gradient right only because
it did not is noticed).
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.fastsums import MAX_ROW
from srcxform.rules.reductions import sum_columns, sum_rows
from tests.helpers import agrees_with_autograd as _agrees
from tests.helpers import central_difference
from tests.helpers import generated_source as _source

FAST_DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def _values(dtype, shape, rng):
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", FAST_DTYPES)
@pytest.mark.parametrize("shape", [(128, 10), (3, 1), (1, 7), (0, 4), (5, 0), (16, MAX_ROW)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_helpers_equal_numpy_sums(dtype, shape, keepdims):
    rng = np.random.default_rng(0)
    a = _values(dtype, shape, rng)
    tol = 1e-5 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12
    for helper, axis in ((sum_rows, 1), (sum_columns, 0)):
        got = helper(a, keepdims=keepdims)
        want = a.sum(axis=axis, keepdims=keepdims)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
        got[...] = 7  # a fresh array: writing it changes no later sum
        np.testing.assert_allclose(helper(a, keepdims=keepdims), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("layout", ["transposed", "strided"])
def test_helpers_on_views(layout):
    rng = np.random.default_rng(1)
    base = rng.standard_normal((12, 20))
    a = base.T if layout == "transposed" else base[::2, 1::3]
    np.testing.assert_allclose(sum_rows(a), a.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(sum_columns(a, keepdims=True), a.sum(axis=0, keepdims=True),
                               rtol=1e-12)


@pytest.mark.parametrize("value", [
    np.arange(12, dtype=np.int32).reshape(3, 4),        # ints: sum widens, a dot would not
    np.array([[True, True], [True, False]]),             # bools: a dot is a logical or
    np.arange(6, dtype=np.float16).reshape(2, 3),
    np.arange(24.0).reshape(2, 3, 4),                    # another rank
    np.arange(5.0),
    np.ones((2, MAX_ROW + 1)),                           # long rows (only sum_rows)
    np.ma.masked_array(np.arange(6.0).reshape(2, 3), mask=[[0, 1, 0], [0, 0, 1]]),
    np.arange(6.0).reshape(2, 3).astype(">f8"),          # not native byte order
], ids=["int32", "bool", "float16", "rank3", "rank1", "long_rows", "masked", "big_endian"])
def test_helpers_fall_back_to_numpy(value):
    for helper, axis in ((sum_rows, 1), (sum_columns, 0)):
        if np.ndim(value) < 2 and axis == 1:
            continue
        got = helper(value, keepdims=True)
        want = value.sum(axis=axis, keepdims=True)
        assert type(got) is type(want) and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def softmax_xent(W, b, X, Y):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * (logits - lse), axis=1))


def row_norms(A, c):
    E = np.exp(A)
    r = np.sum(E, axis=-1) + c
    return np.sum(np.sqrt(r) * np.sum(A, axis=0)[: A.shape[0]]) + np.sum(E * A)


def rank3(T, w):
    s = np.sum(np.tanh(T) * w, axis=1)
    return np.sum(s * s)


def _softmax_args(rng, batch=6, n_in=3, n_out=4):
    X = rng.standard_normal((batch, n_in))
    W = rng.standard_normal((n_in, n_out))
    b = rng.standard_normal(n_out)
    Y = np.eye(n_out)[rng.integers(0, n_out, batch)]
    return W, b, X, Y


def test_softmax_sums_are_products():
    args = _softmax_args(np.random.default_rng(2))
    text = _source(softmax_xent, args, (0, 1))
    assert "sum_rows(exp, keepdims=True)" in text and "sum_columns(" in text
    assert ".sum(axis" not in text
    _agrees(softmax_xent, args, (0, 1))


def test_negative_axes_of_a_matrix():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((4, 6))
    text = _source(row_norms, (A, 2.0), (0, 1))
    assert "sum_rows(E)" in text and "sum_columns(A)" in text  # (np.sum of a parameter)
    _agrees(row_norms, (A, 2.0), (0, 1))


def test_other_ranks_keep_numpy_sums():
    rng = np.random.default_rng(4)
    T, w = rng.standard_normal((3, 4, 5)), rng.standard_normal(5)
    text = _source(rank3, (T, w), (0, 1))
    assert "sum_rows" not in text and "sum_columns" not in text
    _agrees(rank3, (T, w), (0, 1))


def test_float32_gradients_keep_their_dtype():
    W, b, X, Y = (a.astype(np.float32) for a in _softmax_args(np.random.default_rng(5)))
    gW, gb = sx.grad(softmax_xent, wrt=(0, 1))(W, b, X, Y)
    assert gW.dtype == np.float32 and gb.dtype == np.float32
    want = sx.grad(softmax_xent, wrt=(0, 1))(*(a.astype(np.float64) for a in (W, b, X, Y)))
    np.testing.assert_allclose(gW, want[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gb, want[1], rtol=1e-4, atol=1e-5)


def test_jvp_of_a_row_sum():
    rng = np.random.default_rng(6)
    A, t = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))

    def f(A):
        return np.sum(np.log(np.sum(np.exp(A), axis=1)))

    _, tangent = sx.jvp(f, (A,), (t,))
    want = central_difference(f, (A,), (t,))
    np.testing.assert_allclose(tangent, want, rtol=1e-7)
