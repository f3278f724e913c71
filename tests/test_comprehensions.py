"""Comprehensions, generator expressions, ``map`` and ``zip(*pairs)`` (issue 12, item 2).

Each program is written as people write it; its gradient is compared with
HIPS autograd run on the same source (``np`` rebound to ``autograd.numpy``),
and the generated code is checked to hold no comprehension.  Where the
desugaring cannot keep Python's meaning, a located ``TransformError``.
"""

from __future__ import annotations

import ast

import autograd
import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.parse import parse_function
from tests.helpers import central_difference, with_autograd_numpy


def summed_generator(w, xs):
    return sum(np.sum(np.tanh(w * x)) for x in xs)


def filtered_list(w, xs):
    ys = [np.tanh(w * x) for x in xs if np.sum(x) > 0]
    return np.sum(np.stack(ys) ** 2)


def array_of_comprehension(w, xs):
    return np.sum(np.array([w * x for x in xs]) ** 2)


def map_of_lambda(w, xs):
    return sum(map(lambda x: np.sum(w * x ** 2), xs))


def nested_generator_with_condition(w, xs):
    n = len(w)
    smooth = sum((w[i] - w[j]) ** 2 for i in range(n) for j in range(i + 1, n) if j == i + 1)
    return smooth + sum(np.sum(w * x) for x in xs)


def squared_error(prediction, target):
    return np.sum((prediction - target) ** 2)


def zip_star_and_map(w, pairs):
    inputs, targets = zip(*pairs)
    predictions = [np.tanh(w * x) for x in inputs]
    errors = map(squared_error, predictions, targets)
    return sum(errors) / len(pairs)


def comprehension_target_shadows_a_local(w, xs):
    x = 2.0
    s = sum(np.sum(x * w) for x in xs)
    return s * x  # the generator's x does not leak


def sum_with_start(w, xs):
    return sum((np.sum(w * x) for x in xs), np.sum(w ** 2))


def generator_inside_a_loop(w, xs):
    total = 0.0
    for k in range(3):
        total = total + sum(np.sum(np.sin(w * x + k)) for x in xs)
    return total


def list_of_list_comprehension(w, xs):
    rows = list(np.sum(w * x) for x in xs)
    return rows[0] * rows[-1] + sum(rows)


def mlp_with_comprehensions(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    penalty = sum(np.sum(W ** 2) for W, b in params)
    return np.sum(x ** 2) + 0.1 * penalty


PROGRAMS = [summed_generator, filtered_list, array_of_comprehension, map_of_lambda,
            nested_generator_with_condition, comprehension_target_shadows_a_local,
            sum_with_start, generator_inside_a_loop, list_of_list_comprehension]


@pytest.fixture
def data():
    rs = np.random.RandomState(1)
    w = rs.randn(3)
    xs = [rs.randn(3) for _ in range(4)]
    return w, xs


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_gradient_matches_autograd(f, data):
    w, xs = data
    got = sx.grad(f)(w, xs)
    want = autograd.grad(with_autograd_numpy(f))(w, xs)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-12)
    value, again = sx.value_and_grad(f)(w, xs)
    assert value == pytest.approx(f(w, xs))
    np.testing.assert_allclose(again, want, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_no_comprehension_reaches_the_compiler(f):
    node = parse_function(f).node
    assert not any(isinstance(n, (ast.ListComp, ast.GeneratorExp, ast.DictComp))
                   for n in ast.walk(node))


def test_zip_star_and_map_over_pairs(data):
    w, xs = data
    pairs = [(x, 0.5 * x) for x in xs]
    got = sx.grad(zip_star_and_map)(w, pairs)
    want = autograd.grad(with_autograd_numpy(zip_star_and_map))(w, pairs)
    np.testing.assert_allclose(got, want, rtol=1e-7)


def test_jvp_and_vjp_of_a_generator(data):
    w, xs = data
    t = np.array([0.3, -0.2, 0.5])
    out, tangent = sx.jvp(summed_generator, (w, xs), (t, None))
    fd = float(central_difference(summed_generator, (w, xs), (t, None)))
    assert tangent == pytest.approx(fd, rel=1e-6)
    out, pullback = sx.vjp(lambda w: summed_generator(w, xs), w)
    want = autograd.grad(with_autograd_numpy(summed_generator))(w, xs)
    np.testing.assert_allclose(pullback(1.0)[0], want, rtol=1e-7)


def test_comprehension_over_a_pytree_argument():
    rs = np.random.RandomState(2)
    params = [(rs.randn(3, 3), rs.randn(3)), (rs.randn(3, 2), rs.randn(2))]
    x = rs.randn(4, 3)
    got = sx.grad(mlp_with_comprehensions)(params, x)
    want = autograd.grad(with_autograd_numpy(mlp_with_comprehensions))(params, x)
    for (gW, gb), (wW, wb) in zip(got, want):
        np.testing.assert_allclose(gW, wW, rtol=1e-7)
        np.testing.assert_allclose(gb, wb, rtol=1e-7)


def kernel_matrix(w, xs):
    return np.sum(np.array([[np.sum(w * a * b) for b in xs] for a in xs]))


def comprehension_in_a_while_test(w, xs):
    while sum(np.sum(w * x) for x in xs) > 10:
        w = w / 2
    return np.sum(w)


def comprehension_in_a_conditional_expression(w, xs, flag):
    return np.sum(w) if flag else sum(np.sum(w * x) for x in xs)


@pytest.mark.parametrize("f, construct", [
    (kernel_matrix, "list comprehension"),
    (comprehension_in_a_while_test, "generator expression"),
    (comprehension_in_a_conditional_expression, "generator expression"),
])
def test_what_cannot_be_desugared_is_a_located_error(f, construct, data):
    w, xs = data
    with pytest.raises(sx.TransformError) as info:
        sx.grad(f)(w, xs, *([True] if f is comprehension_in_a_conditional_expression else []))
    message = str(info.value)
    assert "test_comprehensions.py" in message and construct in message
