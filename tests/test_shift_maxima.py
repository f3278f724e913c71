"""A max subtracted only for numerical safety (log-sum-exp, softmax) gets no adjoint.

``compiler/shift.py`` drops the max's adjoint (its mask) only when the
returned value provably does not depend on it.  Each test checks the
gradient against central finite differences, and the generated text for
whether the mask is there: gone in the shift-invariant idioms, kept wherever
the max really matters.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference

RNG = np.random.default_rng(7)
Z = RNG.normal(size=(5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
Y = np.eye(4)[LABELS]


def xent_labels(z, labels):
    m = np.max(z, axis=1, keepdims=True)
    logp = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(z.shape[0]), labels])


def xent_onehot(z, y):
    m = np.max(z, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return -np.mean(np.sum(y * (z - lse), axis=1))


def softmax_weighted(z, y):
    m = z.max(axis=-1, keepdims=True)
    e = np.exp(z - m)
    p = e / np.sum(e, axis=-1, keepdims=True)
    return np.sum(p * y * 3.0)


def scaled_shift(z, y):  # 2 * (z - m) - 2 * log-sum-exp of (z - m): still free of m
    m = np.max(z, axis=1, keepdims=True)
    a = (z - m) * 2.0
    lse = np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.sum(y * (a - lse * 2.0))


# -- the max matters: its adjoint must stay ---------------------------------------------------

def centred_sum(z, y):
    m = np.max(z, axis=1, keepdims=True)
    return np.sum(y * (z - m))


def half_shift(z, y):  # log-sum-exp of z minus m / 2: depends on m
    m = np.max(z, axis=1, keepdims=True)
    lse = m * 0.5 + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.sum(y * lse)


def squared_shift(z, y):
    m = np.max(z, axis=1, keepdims=True)
    return np.sum(np.exp(z - m) ** 2 * y)


def other_axis(z, y):  # the sum runs along another axis than the max
    m = np.max(z, axis=1, keepdims=True)
    e = np.exp(z - m)
    return np.sum(y * (e / np.sum(e, axis=0, keepdims=True)))


def mixed_with_y(z, y):  # y meets a value that depends on m before it is free of m
    m = np.max(z, axis=1, keepdims=True)
    lse = np.log(np.sum(y * np.exp(z - m), axis=1, keepdims=True))
    return np.sum(lse + m)


def max_also_returned(z, y):
    m = np.max(z, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.sum(lse) + np.sum(m)


def max_in_a_loop(z, y):
    m = np.max(z, axis=1, keepdims=True)
    total = 0.0
    for _ in range(2):
        total = total + np.sum(y * (z - m))
    return total


FREE = [(xent_labels, LABELS), (xent_onehot, Y), (softmax_weighted, Y), (scaled_shift, Y)]
BOUND = [centred_sum, half_shift, squared_shift, other_axis, mixed_with_y, max_also_returned,
         max_in_a_loop]


@pytest.mark.parametrize("f, other", FREE, ids=[f.__name__ for f, _ in FREE])
def test_shift_invariant_max_has_no_adjoint(f, other):
    g = sx.grad(f)
    np.testing.assert_allclose(g(Z, other), finite_difference(f, (Z, other), 0),
                               rtol=1e-6, atol=1e-8)
    assert "mask" not in sx.source(g)


@pytest.mark.parametrize("f", BOUND, ids=[f.__name__ for f in BOUND])
def test_max_that_matters_keeps_its_adjoint(f):
    g = sx.grad(f)
    np.testing.assert_allclose(g(Z, Y), finite_difference(f, (Z, Y), 0), rtol=1e-6, atol=1e-8)
    assert "mask" in sx.source(g) or "argmax" in sx.source(g)


def test_value_and_grad_keeps_the_value():
    value, gz = sx.value_and_grad(xent_labels)(Z, LABELS)
    assert value == pytest.approx(xent_labels(Z, LABELS), rel=1e-14)
    np.testing.assert_allclose(gz, finite_difference(xent_labels, (Z, LABELS), 0),
                               rtol=1e-6, atol=1e-8)
