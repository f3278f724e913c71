"""``likes.py``: zeros of a value's kind without computing the value.

A picked element's adjoint starts from ``np.zeros_like(x)``; when ``x`` is read
nowhere else and an earlier name provably has its exact shape and dtype, the
zeros are made like that name and ``x`` (here the log-softmax, a subtraction
and a log) is not computed.  The tests check that the rewrite happens there,
that it does not where shape or dtype could differ or ``x`` is read
elsewhere, and every gradient against central finite differences and HIPS
autograd on the same source — in float64 and float32 (the dtype kept).
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, with_autograd_numpy

RNG = np.random.default_rng(3)
W0 = RNG.standard_normal((4, 5))
B0 = 0.1 * RNG.standard_normal(5)
X0 = RNG.standard_normal((6, 4))
LABELS = RNG.integers(0, 5, 6)


def labels_xent(W, b, X, labels):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), labels])


def logp_also_read(W, b, X, labels):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), labels]) + 0.1 * np.sum(logp * logp)


def integer_first(W, b, X, labels):
    counts = labels * 2  # an integer array of the picked value's shape: never its kind
    picked = W[0] * counts[:5] + b
    return np.sum(counts) + picked[1] * 3.0


def broadcast_larger(W, b, X, labels):
    row = np.exp(b)  # shape (5,); the picked value is (6, 5)
    wide = X @ W + row
    return wide[2, 3] * 2.0 + np.sum(row)


def reduced_first(W, b, X, labels):
    z = X @ W + b
    s = np.exp(np.max(z, axis=1, keepdims=True))  # of the picked value's kind, not shape
    x = z - s
    return x[1, 2] * 3.0


def _source(f, args, wrt=(0, 1)):
    """The generated code without its comments."""
    df = sx.grad(f, wrt=wrt)
    df(*args)
    return "\n".join(line for line in sx.source(df).splitlines()
                     if not line.strip().startswith("#"))


def _check(f, args, wrt=(0, 1)):
    import autograd

    got = sx.grad(f, wrt=wrt)(*args)
    for i, g in zip(wrt, got):
        np.testing.assert_allclose(g, finite_difference(f, args, i), rtol=1e-6, atol=1e-8)
    expected = autograd.grad(with_autograd_numpy(f), wrt)(*args)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_the_log_softmax_read_only_for_its_kind_is_not_computed():
    source = _source(labels_xent, (W0, B0, X0, LABELS))
    assert "np.log" not in source
    assert "np.zeros_like(exp, adjoint_dtype)" in source  # (adjoint_dtype: widen.py)
    _check(labels_xent, (W0, B0, X0, LABELS))


def test_float32_stays_float32():
    args = (W0.astype(np.float32), B0.astype(np.float32), X0.astype(np.float32), LABELS)
    got = sx.grad(labels_xent, wrt=(0, 1))(*args)
    assert all(g.dtype == np.float32 for g in got)
    want = sx.grad(labels_xent, wrt=(0, 1))(W0, B0, X0, LABELS)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)


def test_a_value_read_elsewhere_is_kept():
    source = _source(logp_also_read, (W0, B0, X0, LABELS))
    assert "np.log" in source
    _check(logp_also_read, (W0, B0, X0, LABELS))


@pytest.mark.parametrize("f", [integer_first, broadcast_larger, reduced_first])
def test_no_name_of_another_kind_or_shape_is_taken(f):
    args = (W0, B0, X0, LABELS)
    source = _source(f, args)
    for line in source.splitlines():
        if "zeros_like(" in line:
            assert "counts" not in line and "row" not in line and "(s)" not in line, line
    _check(f, args)
