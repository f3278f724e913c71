"""Slices of lists and tuples: a constant slice of a pytree list, a runtime one of a local.

``for W, b in params[:-1]`` (every layer but the last) is how people write an
MLP over a list of pairs; ``xs[:n]`` with ``n`` known only at run time is a
slice whose adjoint is a list that must be added element by element (a ``+``
of lists concatenates: the gradient once came out wrong, silently).  Each
gradient is checked against HIPS autograd on the same source and against
central finite differences.
"""

import autograd
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, with_autograd_numpy


def mlp_but_last(params, X, y):
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    out = h @ W + b
    return np.mean((out[:, 0] - y) ** 2)


def hidden_named(params, X, y):
    h = X
    hidden = params[:-1]
    for W, b in hidden:
        h = np.maximum(0.0, h @ W + b)
    return np.mean(h) + np.sum(params[-1][0]) * np.mean(y)


def sum_of_first_n(x, n):
    xs = [x, 2 * x, x ** 2]
    ys = xs[:n]
    return np.sum(sum(ys))


def ends_of_middle(x, n):
    xs = [x, 2 * x, x ** 2]
    ys = xs[1:n]
    return np.sum(ys[0] * ys[-1])


def loop_over_tail(x, n):
    xs = [x, 2 * x, x ** 2, x ** 3]
    t = 0.0
    for v in xs[n:]:
        t = t + np.sum(v)
    return t


def pairs_up_to(x, n):
    pairs = [(x, 2 * x), (x ** 2, x ** 3)]
    t = 0.0
    for a, b in pairs[:n]:
        t = t + np.sum(a * b)
    return t


def every_other_backwards(x):
    xs = (x, 2 * x, x ** 2, np.sin(x))
    t = 0.0
    for v in xs[::-2]:
        t = t + np.sum(v * x)
    return t


def _params(rng):
    sizes = [(4, 6), (6, 5), (5, 1)]
    return [(rng.normal(size=s) * 0.5, rng.normal(size=s[1]) * 0.1) for s in sizes]


@pytest.mark.parametrize("f", [mlp_but_last, hidden_named])
def test_a_constant_slice_of_a_list_of_pairs(f):
    rng = np.random.default_rng(3)
    params, X, y = _params(rng), rng.normal(size=(7, 4)), rng.normal(size=7)
    got = sx.grad(f)(params, X, y)
    want = autograd.grad(with_autograd_numpy(f))(params, X, y)
    assert len(got) == len(want) == 3
    for (gW, gb), (wW, wb) in zip(got, want):
        np.testing.assert_allclose(gW, wW, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(gb, wb, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f, extra", [
    (sum_of_first_n, (2,)), (sum_of_first_n, (3,)), (ends_of_middle, (3,)),
    (loop_over_tail, (1,)), (pairs_up_to, (1,)), (pairs_up_to, (2,)),
    (every_other_backwards, ()),
])
def test_slices_of_local_sequences(f, extra):
    x = np.array([0.3, -0.7, 1.1])
    got = sx.grad(f)(x, *extra)
    np.testing.assert_allclose(got, autograd.grad(with_autograd_numpy(f))(x, *extra),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, finite_difference(f, (x, *extra), 0), rtol=1e-6,
                               atol=1e-8)


def test_one_gradient_serves_slices_of_every_length():
    df = sx.grad(sum_of_first_n)
    x = np.array([0.3, -0.7, 1.1])
    for n, want in ((1, np.ones(3)), (2, 3 * np.ones(3)), (3, 3 + 2 * x), (0, np.zeros(3))):
        np.testing.assert_allclose(df(x, n), want, rtol=1e-12)


# -- lists and tuples joined with + or repeated with * -----------------------------------------

def joined_literals(x):
    a = [x, x ** 2]
    b = (np.sin(x),)
    c = a + [2 * x]
    d = b + (x * 3,)
    return np.sum(np.stack(c) ** 2) + np.sum(d[0] * d[1])


def shapes_joined(x):
    shape = x.shape + (1,)
    zeros = [0.0] * 3
    return np.sum(x.reshape(shape) ** 2) + sum(zeros)


def joined_with_a_growing_list(x):
    a = [x, x ** 2]
    b = []
    for k in range(2):
        b.append(np.cos(x) * k)
    c = a + b
    return np.sum(np.stack(c) ** 2)


def rebuilt_in_a_loop(x):
    acc = ()
    for k in range(3):
        acc = acc + (x * k,)
    return np.sum(acc[1] * acc[2])


@pytest.mark.parametrize("f", [joined_literals, shapes_joined])
def test_sequences_of_known_length_join(f):
    x = np.array([0.3, -0.7, 1.1])
    got = sx.grad(f)(x)
    np.testing.assert_allclose(got, autograd.grad(with_autograd_numpy(f))(x), rtol=1e-10)


@pytest.mark.parametrize("f, line", [(joined_with_a_growing_list, "c = a + b"),
                                     (rebuilt_in_a_loop, "acc = acc + (x * k,)")])
def test_a_sequence_joined_as_a_whole_is_refused_located(f, line):
    # (array arithmetic on it would crash, or for lucky shapes give a wrong gradient)
    with pytest.raises(sx.TransformError) as info:
        sx.grad(f)(np.array([0.3, -0.7, 1.1]))
    err = info.value
    lines, first = __import__("inspect").getsourcelines(f)
    want = first + next(i for i, text in enumerate(lines) if line in text)
    assert err.lineno == want and "sequence +" in str(err)
