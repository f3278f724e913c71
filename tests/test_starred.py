"""``*args``/``**kwargs`` of helpers and starred calls (issue 12, item 4).

Each gradient is compared with HIPS autograd on the same source; what
srcxform cannot see the length of is a located ``TransformError``.
"""

from __future__ import annotations

import autograd
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import with_autograd_numpy


def reparameterized(mean, log_std):
    rs = np.random.RandomState(0)
    eps = rs.randn(*mean.shape)
    return np.sum((mean + eps * np.exp(log_std)) ** 2)


def reparameterized_tuple_shape(mean, log_std):
    rs = np.random.RandomState(0)
    shape = (2, 3)
    eps = rs.randn(*shape)
    return np.sum((mean + eps * np.exp(log_std)) ** 2)


def affine(x, W, b):
    return x @ W + b


def star_a_pair(W, b, x):
    layer = (W, b)
    return np.sum(np.tanh(affine(x, *layer)))


def stack_layers(x, *layers):
    for W, b in layers:
        x = np.tanh(x @ W + b)
    return x


def two_layers_through_varargs(W0, b0, W1, b1, x):
    return np.sum(stack_layers(x, (W0, b0), (W1, b1)) ** 2)


def starred_list_into_varargs(W0, b0, W1, b1, x):
    return np.sum(stack_layers(x, *[(W0, b0), (W1, b1)]) ** 2)


def dense(x, W, b, shift=0.0, scale=1.0):
    return scale * np.tanh(x @ W + b + shift)


def net(x, params, **options):
    for W, b in params:
        x = dense(x, W, b, **options)
    return x


def kwargs_passed_on(W0, b0, W1, b1, x):
    params = [(W0, b0), (W1, b1)]
    return np.sum(net(x, params, scale=0.5, shift=0.1) ** 2)


def total(*parts):
    return sum(np.sum(p ** 2) for p in parts)


def varargs_with_a_generator(W0, b0, W1, b1, x):
    return total(W0, b0, W1 * x[0, 0])


@pytest.fixture
def layers():
    rs = np.random.RandomState(3)
    return (rs.randn(3, 3), rs.randn(3), rs.randn(3, 2), rs.randn(2), rs.randn(4, 3))


@pytest.mark.parametrize("f", [two_layers_through_varargs, starred_list_into_varargs,
                               kwargs_passed_on, varargs_with_a_generator],
                         ids=lambda f: f.__name__)
def test_helpers_with_varargs_and_kwargs(f, layers):
    got = sx.grad(f, wrt=(0, 3, 4))(*layers)
    want = autograd.grad(with_autograd_numpy(f), (0, 3, 4))(*layers)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("f", [reparameterized, reparameterized_tuple_shape],
                         ids=lambda f: f.__name__)
def test_starred_shape_of_a_random_draw(f):
    mean, log_std = np.full((2, 3), 0.2), np.full((2, 3), -0.1)
    got = sx.grad(f, wrt=(0, 1))(mean, log_std)
    want = autograd.grad(with_autograd_numpy(f), (0, 1))(mean, log_std)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7)


def test_starred_pair_into_a_helper(layers):
    W, b, x = layers[0], layers[1], layers[4]
    got = sx.grad(star_a_pair, wrt=(0, 1))(W, b, x)
    want = autograd.grad(with_autograd_numpy(star_a_pair), (0, 1))(W, b, x)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7)


def star_an_argument_list(x, pair):
    return np.sum(np.maximum(*pair) * x)


def test_a_starred_value_of_unknown_length_into_a_rule_is_located():
    with pytest.raises(sx.TransformError) as info:
        sx.grad(star_an_argument_list)(np.ones(2), np.ones((2, 2)))
    assert "test_starred.py" in str(info.value) and "starred argument" in str(info.value)
