"""Gradients generic in a batch size: one compiled version serves every batch size.

The first call compiles for exact shapes; after a call with other sizes, the
sizes that changed are compiled as ``Dim`` s (``cache/sizes.py``).  Each program
here is written as users write it and called at batch sizes 20 and 23 (which
makes the batch dynamic), then at many more — small ones (2, 3), one equal to
another size of the program (so an equality the compiler must not assume), 1
(a pattern of its own) — each gradient checked against HIPS autograd on the same
source (and central differences for one size), and the version that served it
checked to be the pattern version where one is expected.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest
from helpers import with_autograd_numpy

import srcxform as sx
from srcxform.cache import entry as entries
from srcxform.cache import sizes
from srcxform.compiler import driver
from srcxform.compiler.shapes import (
    Dim,
    broadcast_shapes,
    has_dim,
    product_shape,
    through_representatives,
)
from srcxform.testing import check_grad

ag = pytest.importorskip("autograd")


# -- programs as written ---------------------------------------------------------------------
def logreg(w, X, y):
    n = X.shape[0]
    z = X @ w
    return -np.sum(y * z - np.logaddexp(0.0, z)) / n


def mlp(W1, b1, W2, b2, X, Y):
    H = np.tanh(X @ W1 + b1)
    P = H @ W2 + b2
    return np.mean((P - Y) ** 2)


def softmax_labels(W, X, labels):
    logits = X @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])


def softmax_onehot(W, b, X, Y):
    p = X @ W + b
    p = np.exp(p - np.max(p, axis=1, keepdims=True))
    p = p / p.sum(axis=1, keepdims=True)
    return -np.sum(Y * np.log(p)) / X.shape[0]


def rbf_kernel(ls, X, y):
    d = X[:, None, :] - X[None, :, :]
    K = np.exp(-0.5 * np.sum(d ** 2, axis=2) / ls ** 2) + 0.1 * np.eye(len(X))
    return y @ np.linalg.solve(K, y)


def standardised(w, X, y):
    mu = X.mean(axis=0, keepdims=True)
    sd = X.std(axis=0, keepdims=True)
    Z = (X - mu) / sd
    r = Z @ w - y
    return r @ r / len(y)


def shifted(w, X):
    # a slice with a bound along the batch: its size is n - 1, never a Dim
    d = X[1:] - X[:-1]
    return np.sum((d @ w) ** 2) / (X.shape[0] - 1)


def covariance(A, X):
    C = X.T @ X / len(X)
    return np.sum((A @ C) ** 2) + np.sum(X[:, 0] * (X @ A)[:, 1])


def reshaped(w, X):
    flat = X.reshape(-1)
    return np.sum(np.sin(flat) * np.mean(X @ w))


def stacked(w, X):
    both = np.concatenate([X, 2.0 * X], axis=0)
    return np.sum(np.tanh(both @ w)) / both.shape[0]


def first_row_scales(w, X):
    # bounded slices of the batch meet by broadcasting: (n - 1, 3) times (1, 3)
    base = X[:1]
    rest = X[1:]
    return np.sum(np.tanh(rest * base) @ w)


def feature_batch(W, X):
    # the batch meets a size of its own: X is (n, 3), W is (3, 3)
    return np.sum(np.tanh(X @ W) * X)


def _data(rng, n, name):
    X = rng.normal(size=(n, 3))
    if name == "logreg":
        return (rng.normal(size=3), X, (rng.random(n) > 0.5).astype(float))
    if name == "mlp":
        return (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 1)),
                rng.normal(size=1), X, rng.normal(size=(n, 1)))
    if name == "softmax_labels":
        return (rng.normal(size=(3, 4)), X, rng.integers(0, 4, n))
    if name == "softmax_onehot":
        return (rng.normal(size=(3, 4)), rng.normal(size=4), X, np.eye(4)[rng.integers(0, 4, n)])
    if name == "rbf_kernel":
        return (1.3, X, rng.normal(size=n))
    if name == "standardised":
        return (rng.normal(size=3), X, rng.normal(size=n))
    if name in ("shifted", "reshaped", "stacked", "first_row_scales"):
        return (rng.normal(size=3), X)
    if name in ("covariance", "feature_batch"):
        return (rng.normal(size=(3, 3)), X)
    raise AssertionError(name)


PROGRAMS = {f.__name__: f for f in (logreg, mlp, softmax_labels, softmax_onehot, rbf_kernel,
                                     standardised, shifted, covariance, reshaped, stacked,
                                     feature_batch, first_row_scales)}
WRT = {"mlp": (0, 1, 2, 3), "softmax_onehot": (0, 1), "first_row_scales": (0, 1)}
#: Programs whose pattern version must serve the later sizes (the others may fall back).
SERVED = {"logreg", "mlp", "softmax_labels", "softmax_onehot", "standardised", "covariance",
          "feature_batch", "stacked", "rbf_kernel"}


def _autograd(f, args, wrt):
    g = with_autograd_numpy(f)
    return [ag.grad(g, i)(*args) for i in wrt]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_batch_size_agrees_with_autograd(name):
    f = PROGRAMS[name]
    fresh = type(f)(f.__code__, f.__globals__, f.__name__)  # an entry of its own
    wrt = WRT.get(name, (0,))
    df = sx.grad(fresh, wrt=wrt)
    rng = np.random.default_rng(7)
    for n in (20, 23, 2, 3, 4, 31, 57, 1, 20):
        if n == 1 and name == "shifted":
            continue  # (its loss divides by n - 1)
        args = _data(rng, n, name)
        got = df(*args)
        got = got if isinstance(got, tuple) else (got,)
        for g, want in zip(got, _autograd(f, args, wrt)):
            np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-12, err_msg=f"n={n}")
    entry = entries.entries_of(fresh)[0]
    if name in SERVED:
        assert entry.patterns, "no version was compiled for a pattern of batch sizes"
        for made in entry.patterns.values():  # no Dim ever reaches the text
            assert "n0" not in {n.id for n in ast.walk(ast.parse(made.source))
                                if isinstance(n, ast.Name)}
    check_grad(fresh, *_data(rng, 6, name), wrt=wrt)  # central differences, a pattern size


def test_one_version_serves_new_batch_sizes():
    f = type(softmax_labels)(softmax_labels.__code__, softmax_labels.__globals__, "f")
    df = sx.grad(f)
    rng = np.random.default_rng(1)
    for n in (16, 19):
        df(*_data(rng, n, "softmax_labels"))
    entry = entries.entries_of(f)[0]
    (made,) = entry.patterns.values()
    for n in (5, 64, 100):
        df(*_data(rng, n, "softmax_labels"))
    assert list(entry.patterns.values()) == [made]  # no compile for 5, 64 or 100 rows
    assert "X.shape[0]" in made.source and "128" not in made.source
    # the batch of 1 is a pattern of its own (a size 1 broadcasts)
    df(*_data(rng, 1, "softmax_labels"))
    assert len(entry.patterns) == 1


def test_pattern_code_reads_like_the_program():
    pattern = {"W": (3, 4), "X": (Dim(0), 3), "labels": (Dim(0),)}
    made = driver.transform(softmax_labels, 0, shapes=pattern)
    tree = ast.parse(made.source)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert "n0" not in names and "Dim" not in made.source
    assert "1 / len(labels)" in made.source or "labels.shape[0]" in made.source \
        or "X.shape[0]" in made.source
    assert "np.add.at" not in made.source  # rows selected once each: a plain += (unique)


# -- the shape algebra of patterns -----------------------------------------------------------
def test_patterns_broadcast_and_multiply():
    n, m = Dim(0), Dim(1)
    assert broadcast_shapes((n, 1), (n, 5)) == (n, 5)
    assert broadcast_shapes((n,), (5,)) is None  # n is not known to be 5
    assert broadcast_shapes((n,), (m,)) is None  # nor to be m
    assert broadcast_shapes((n, 3), (3,)) == (n, 3)
    assert product_shape("matmul", (n, 3), (3, 4)) == (n, 4)
    assert product_shape("matmul", (3, n), (n, m)) == (3, m)
    assert product_shape("outer", (n,), (3,)) == (n, 3)
    assert product_shape("outer", (n, 2), (3,)) is None  # 2 n: a product of sizes


def test_sizes_computed_from_a_dim_are_unknown():
    n = Dim(0)
    # n - 1, 2 n: not a Dim, not a number
    assert through_representatives(lambda s: (s[0][0] - 1,), [(n,)]) is None
    assert through_representatives(lambda s: (2 * s[0][0],), [(n,)]) is None
    assert through_representatives(lambda s: (s[0][0], 7), [(n,)]) == (n, 7)


def test_bounded_slices_and_size_functions_are_not_patterns():
    pattern = {"w": (3,), "X": (Dim(0), 3)}
    made = driver.transform(shifted, 0, shapes=pattern)
    X = np.random.default_rng(0).normal(size=(9, 3))
    w = np.ones(3)
    np.testing.assert_allclose(made.fn(w, X), ag.grad(with_autograd_numpy(shifted))(w, X),
                               rtol=1e-9)


def test_pattern_of_call_keys():
    X, y = np.zeros((5, 3)), np.zeros(5)
    dynamic = {("X", 0), ("y", 0)}
    shapes = {"X": (5, 3), "y": (5,)}
    pattern = sizes.pattern_of_call(dynamic, ["X", "y"], [X, y], shapes)
    assert pattern == {"X": (Dim(0), 3), "y": (Dim(0),)}
    # a size 1 stays a number; two different sizes are two Dims
    assert sizes.pattern_of_call(dynamic, ["X", "y"], [np.zeros((1, 3)), np.zeros(1)],
                                 shapes) is None
    pattern = sizes.pattern_of_call(dynamic, ["X", "y"], [X, np.zeros(4)], shapes)
    assert pattern == {"X": (Dim(0), 3), "y": (Dim(1),)}
    # only arrays: a list keeps its shape
    assert sizes.pattern_of_call(dynamic, ["X"], [[[0.0] * 3] * 5], {"X": (5, 3)}) is None


def mean_of_rows(w, X):
    return np.mean(np.tanh(X @ w))


def test_a_list_of_a_served_shape_gets_its_own_version():
    # the pattern's code reads X.shape[0]: a list of the same shape is keyed apart
    f = type(mean_of_rows)(mean_of_rows.__code__, mean_of_rows.__globals__, "f")
    df = sx.grad(f)
    rng = np.random.default_rng(4)
    w = rng.normal(size=3)
    for n in (6, 7):
        df(w, rng.normal(size=(n, 3)))
    assert "X.shape[0]" in sx.source(df)
    X = rng.normal(size=(7, 3))
    want = ag.grad(with_autograd_numpy(mean_of_rows))(w, X)
    np.testing.assert_allclose(df(w, X.tolist()), want, rtol=1e-12)
    np.testing.assert_allclose(df(w, X), want, rtol=1e-12)


def mean_output(w, X):
    return np.mean(X @ w)


def test_float32_gradients_of_a_pattern_stay_float32():
    # the mean's seed, broadcast to the batch, is kept a Python number (compiler/weak.py)
    f = type(mean_output)(mean_output.__code__, mean_output.__globals__, "f")
    df = sx.grad(f)
    rng = np.random.default_rng(5)
    w = rng.normal(size=3).astype(np.float32)
    for n in (6, 7, 9):
        X = rng.normal(size=(n, 3)).astype(np.float32)
        g = df(w, X)
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, X.mean(axis=0), rtol=1e-6)
    assert entries.entries_of(f)[0].patterns


def test_other_transforms_read_code_for_exact_shapes():
    # hessian differentiates the generated gradient again: after new batch sizes it is given
    # the exact shapes' code (the pattern's reads sizes from its parameters, X.shape[0]),
    # and its Hessian is right at every size
    f = type(logreg)(logreg.__code__, logreg.__globals__, "f")
    df = sx.grad(f)
    rng = np.random.default_rng(6)
    entry = entries.entries_of
    for n in (8, 9, 11):
        args = _data(rng, n, "logreg")
        df(*args)
        H = sx.hessian(f)(*args)
        want = ag.hessian(with_autograd_numpy(logreg))(*args)
        np.testing.assert_allclose(H, want, rtol=1e-9, atol=1e-12)
    made = entry(f)[0]
    assert made.patterns  # the calls at 9 and 11 were served by the pattern's version
    for version in made.versions.values():  # and hessian replaced it by exact shapes' code
        assert not any(has_dim(s) for s in version.shapes.values()), version.source


def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def test_another_librarys_arrays_get_code_for_their_exact_shapes():
    # the pattern's loop, of unknown length, reads blocks of 64 rows (xs[t:t + 64]) past
    # the end, which the array API leaves unspecified (array-api-strict raises); the exact
    # shapes' code of a loop under 64 steps reads all rows at once
    from tests.backends.libraries import assert_like_numpy, convert_args, require

    lib = require("array_api_strict")
    f = type(rnn)(rnn.__code__, rnn.__globals__, "f")
    df = sx.grad(f, wrt=(0, 1))
    rng = np.random.default_rng(8)
    W, U, h = 0.3 * rng.normal(size=(4, 4)), rng.normal(size=(4, 3)), rng.normal(size=4)
    for T in (30, 40):
        args = (W, U, h, rng.normal(size=(T, 3)))
        want = ag.grad(with_autograd_numpy(rnn), (0, 1))(*args)
        for g, w in zip(df(*args), want):
            np.testing.assert_allclose(g, w, rtol=1e-9)
    assert entries.entries_of(f)[0].patterns
    assert_like_numpy(df(*convert_args(lib, args)), df(*args), lib, "grad of rnn")


def mlp_pairs(params, X, y):
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return np.mean((h @ W + b - y) ** 2)


def test_parameters_as_a_list_of_pairs():
    f = type(mlp_pairs)(mlp_pairs.__code__, mlp_pairs.__globals__, "mlp_pairs_once")
    df = sx.grad(f)
    rng = np.random.default_rng(9)
    params = [(rng.normal(size=(3, 5)), np.zeros(5)), (rng.normal(size=(5, 1)), np.zeros(1))]
    for n in (20, 23, 2, 7, 40):
        X, y = rng.normal(size=(n, 3)), rng.normal(size=(n, 1))
        got = df(params, X, y)
        want = ag.grad(with_autograd_numpy(mlp_pairs))(params, X, y)
        for (gw, gb), (ww, wb) in zip(got, want):
            np.testing.assert_allclose(gw, ww, rtol=1e-9)
            np.testing.assert_allclose(gb, wb, rtol=1e-9)
    # (the pairs are flattened into a function of arrays, whose entry has the pattern)
    assert any(e.patterns for fn in list(entries._ENTRIES.keys())
               for e in entries.entries_of(fn)
               if getattr(fn, "__name__", "") == "mlp_pairs_once")
