"""Comprehensions, generator expressions, ``map`` and ``zip(*pairs)`` (issue 12, item 2).

Each program is written as people write it; its gradient is compared with
HIPS autograd run on the same source (``np`` rebound to ``autograd.numpy``),
and the generated code is checked to hold no comprehension.  Where the
desugaring cannot keep Python's meaning, a located ``TransformError``.
"""

from __future__ import annotations

import ast
import inspect

import autograd
import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler.parse import parse_function
from tests.helpers import central_difference, finite_difference, with_autograd_numpy


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


def dict_comprehension_in_a_loop(w, xs):
    total = 0.0
    for x in xs:
        table = {k: np.sum(w * x) * k for k in range(2)}
        total = total + table[1]
    return total


def comprehension_in_a_while_test(w, xs):
    while sum(np.sum(w * x) for x in xs) > 10:
        w = w / 2
    return np.sum(w)


def comprehension_in_a_conditional_expression(w, xs, flag):
    return np.sum(w) if flag else sum(np.sum(w * x) for x in xs)


@pytest.mark.parametrize("f, construct", [
    (dict_comprehension_in_a_loop, "dict comprehension"),
    (comprehension_in_a_while_test, "generator expression"),
    (comprehension_in_a_conditional_expression, "generator expression"),
])
def test_what_cannot_be_desugared_is_a_located_error(f, construct, data):
    w, xs = data
    with pytest.raises(sx.TransformError) as info:
        sx.grad(f)(w, xs, *([True] if f is comprehension_in_a_conditional_expression else []))
    message = str(info.value)
    assert "test_comprehensions.py" in message and construct in message
    if f is dict_comprehension_in_a_loop:
        assert "dict literal with constant keys" in message  # what to write instead


# -- nested comprehensions, and lists built inside a loop or a branch ------------------------

def rbf(a, b, lengthscale):
    return np.exp(-np.sum((a - b) ** 2) / (2 * lengthscale ** 2))


def kernel_matrix(w, xs):
    K = np.array([[rbf(w * a, w * b, 1.3) for b in xs] for a in xs])
    return np.sum(K ** 2) + np.sum(np.diag(K))


def kernel_matrix_of_vectors(w, xs):
    K = np.array([[w * a + b for b in xs] for a in xs])  # (4, 4, 3)
    return np.sum(np.tanh(K) * np.arange(3.0))


def scaled_rows(w, xs):
    rows = [x[:2] for x in xs]
    out = [[w * v for v in row] for row in rows]
    return sum(np.sum(np.sin(e)) for r in out for e in r) + np.sum(out[1][0] * out[2][1])


def sum_of_sums(w, xs):
    return sum(sum(np.sum(w * a * b) for b in xs) for a in xs)


def rows_summed(w, xs):
    rows = [[np.sum(w * a * b) for b in xs] for a in xs]
    return sum(sum(r) ** 2 for r in rows) + rows[1][0] * rows[2][3]


def row_total(row):
    return sum(row)


def rows_summed_by_a_helper(w, xs):
    rows = [[np.sum(w * a * b) for b in xs] for a in xs]
    return sum(row_total(r) ** 2 for r in rows)


def triangle(w, xs):
    tri = [[np.sum(w * xs[i] * xs[j]) for j in range(i + 1)] for i in range(len(xs))]
    return sum(np.sum(np.stack(r) ** 2) for r in tri)


def list_in_a_loop(w, xs):
    h = w
    total = 0.0
    for _ in range(3):
        h = np.tanh(h * 1.2)
        ys = [np.sum(h * x) for x in xs if np.sum(x) > -2]
        total = total + ys[0] * ys[-1] + sum(ys)
    return total


def list_in_a_branch(w, xs, flag):
    if flag:
        zs = np.stack([np.cos(w * x) for x in xs])
    else:
        zs = w[None, :] ** 2
    return np.sum(zs ** 2)


def array_of_lists_of_generators(w, xs):
    return np.sum(np.array([list(np.sum(w * a * b) for b in xs) for a in xs]) ** 3)


NESTED = [kernel_matrix, kernel_matrix_of_vectors, scaled_rows, sum_of_sums, rows_summed,
          rows_summed_by_a_helper, triangle, list_in_a_loop, array_of_lists_of_generators]


def _cases():
    for f in NESTED:
        yield pytest.param(f, (), id=f.__name__)
    for flag in (True, False):
        yield pytest.param(list_in_a_branch, (flag,), id=f"list_in_a_branch-{flag}")


@pytest.mark.parametrize("f, extra", list(_cases()))
def test_nested_comprehensions_match_autograd_and_differences(f, extra, data):
    w, xs = data
    args = (w, xs, *extra)
    want = autograd.grad(with_autograd_numpy(f))(*args)
    np.testing.assert_allclose(finite_difference(f, args, 0), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(sx.grad(f)(*args), want, rtol=1e-7, atol=1e-12)
    value, again = sx.value_and_grad(f)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    np.testing.assert_allclose(again, want, rtol=1e-7, atol=1e-12)
    if extra:
        flag = extra[0]
        _, pullback = sx.vjp(lambda w: f(w, xs, flag), w)
    else:
        _, pullback = sx.vjp(lambda w: f(w, xs), w)
    np.testing.assert_allclose(pullback(1.0)[0], want, rtol=1e-7, atol=1e-12)
    t = np.array([0.3, -0.2, 0.5])
    _, tangent = sx.jvp(f, args, (t, None, *[None] * len(extra)))
    assert tangent == pytest.approx(float(np.dot(want, t)), rel=1e-7, abs=1e-12)
    fd = central_difference(f, args, [t, None, *[None] * len(extra)])
    assert tangent == pytest.approx(float(fd), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("f", NESTED + [list_in_a_branch], ids=lambda f: f.__name__)
def test_nested_comprehensions_leave_no_comprehension(f):
    node = parse_function(f).node
    assert not any(isinstance(n, (ast.ListComp, ast.GeneratorExp, ast.DictComp))
                   for n in ast.walk(node))


def test_kernel_matrix_is_a_stack_of_stacks_over_one_list_made_at_the_top():
    """The inner rows are slices of one list created at the function's top level (a list
    grows by append only there), each row stacked, then the rows."""
    fn = parse_function(kernel_matrix).node
    text = ast.unparse(fn)
    top_lists = [s.targets[0].id for s in fn.body
                 if isinstance(s, ast.Assign) and isinstance(s.value, ast.List)]
    assert len(top_lists) == 2, text  # the rows, and the one store of every entry
    assert f"np.stack({top_lists[1]}[start:])" in text, text
    assert "np.array" not in text


def test_gradient_with_respect_to_the_list_of_a_nested_comprehension(data):
    w, xs = data
    got = sx.grad(rows_summed, wrt=1)(w, xs)
    want = autograd.grad(with_autograd_numpy(rows_summed), 1)(w, xs)
    assert isinstance(got, list) and len(got) == len(xs)
    for g, a in zip(got, want):
        np.testing.assert_allclose(g, a, rtol=1e-7)


def predictions_squared(w, batch):
    predictions = [np.sum(w * x) for x in batch]
    return sum(p ** 2 for p in predictions)


def helper_with_a_comprehension_in_a_loop(w, xs):
    total = 0.0
    for k in range(2):
        total = total + predictions_squared(w, xs[k:k + 2])
    return total


def positions(n):
    return [2 * i for i in range(n)]


def helper_with_a_constant_list_in_a_loop(w, xs):
    total = 0.0
    for _ in range(2):
        for i in positions(2):
            total = total + np.sum(w * xs[i])
    return total


def test_a_helper_building_a_differentiated_list_in_a_loop_is_refused_located(data):
    """Its list is made anew on each pass, which the backward sweep does not follow (it
    crashed inside generated code); a helper's list of constants in a loop still works."""
    w, xs = data
    with pytest.raises(sx.TransformError) as info:
        sx.grad(helper_with_a_comprehension_in_a_loop)(w, xs)
    line = inspect.getsourcelines(predictions_squared)[1] + 1
    assert info.value.filename == __file__ and info.value.lineno == line, str(info.value)
    got = sx.grad(helper_with_a_constant_list_in_a_loop)(w, xs)
    want = finite_difference(helper_with_a_constant_list_in_a_loop, (w, xs), 0)
    np.testing.assert_allclose(got, want, rtol=1e-6)
