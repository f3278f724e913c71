"""Generated-code failures the model corpus found, each reduced to a few lines.

Each program here gives a crash inside generated code or a wrong gradient
today; the house rule is the right gradient or a located ``TransformError``.
Every test asserts the gradient against central finite differences and is
``xfail(strict=True)`` until fixed (then it XPASSes: remove the mark).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import gammaln, logsumexp

import srcxform as sx
from tests.helpers import finite_difference

X = np.array([[0.2], [0.5], [0.9]])

EXPAND_DIMS = ("bug: the gradient of a scalar or vector times an np.expand_dims broadcast "
               "is not reduced to its shape (the GP kernel of models/programs/gp_factory.py)")


def _check(f, *args):
    g = sx.grad(f)(*args)
    assert np.shape(g) == np.shape(args[0]), f"gradient shape {np.shape(g)}"
    np.testing.assert_allclose(g, finite_difference(f, args, 0), rtol=1e-6, atol=1e-8)


def scale_times_pairwise(kp):
    s = np.exp(kp[0])
    d = np.expand_dims(X, 1) - np.expand_dims(X, 0)
    return np.sum(s * np.sum(d ** 2, axis=2))


def vector_times_pairwise(kp):
    s = np.exp(kp)
    d = np.expand_dims(X, 1) - np.expand_dims(X, 0)
    return np.sum(s * np.sum(d ** 2, axis=2))


def scale_times_pairwise_by_none(kp):  # the same with X[:, None, :]: right today
    s = np.exp(kp[0])
    d = X[:, None, :] - X[None, :, :]
    return np.sum(s * np.sum(d ** 2, axis=2))


def test_scalar_times_expand_dims_broadcast():
    _check(scale_times_pairwise, np.array([0.1, 0.2]))  # crashes: bkp[0] = (3, 3) matrix


def test_vector_times_expand_dims_broadcast():
    _check(vector_times_pairwise, np.array([0.1, 0.2, 0.3]))  # returns a (3, 3) "gradient"


def test_the_same_broadcast_by_none_indexing_works():
    _check(scale_times_pairwise_by_none, np.array([0.1, 0.2]))


def _unpack(p):
    return np.reshape(p[:4], (2, 2)), p[4:]


def tuple_indexed(p):
    pair = _unpack(p)
    return np.sum(pair[0] ** 2) + np.sum(pair[1] ** 3)


def tuple_concatenated(x):
    a = (x, 2 * x)
    b = a + (3 * x,)
    return np.sum(b[0] * b[2])


def _layers(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return x


def pairs_looped_in_helper(W1, b1, W2, b2, x):
    params = [(W1, b1), (W2, b2)]
    return np.sum(_layers(params, x))


def _penalized(w, l2):
    return np.sum(np.tanh(w) ** 2) + l2 * np.sum(w ** 2)


def test_tuple_returned_and_indexed():
    _check(tuple_indexed, np.arange(6.0) / 6)


def test_tuple_concatenation():
    _check(tuple_concatenated, np.arange(3.0))


def test_list_of_pairs_looped_in_a_helper():
    rs = np.random.RandomState(0)
    args = (rs.randn(3, 2), rs.randn(2), rs.randn(2, 2), rs.randn(2), rs.randn(4, 3))
    _check(pairs_looped_in_helper, *args)


def test_grad_of_a_partial():
    _check(functools.partial(_penalized, l2=0.1), np.array([0.3, -0.5]))


# -- a temporary named after a global a helper or a nested function reads (negative_binomial,
#    rnn): `gammaln = gammaln(...)` made the later read of the global an UnboundLocalError --

def _log_gamma_terms(r, counts):
    return gammaln(r + counts) - gammaln(counts + 1) - gammaln(r)


def gamma_helper(params):
    r = np.exp(params[0])
    return np.sum(_log_gamma_terms(r, np.array([1.0, 3.0, 0.0])))


def gamma_nested(params):
    def terms(r):
        return logsumexp(r) + gammaln(r)

    return np.sum(terms(params) * terms(2.0 * params))


def test_temporary_never_shadows_a_global_a_helper_reads():
    _check(gamma_helper, np.array([0.4, -0.2]))


def test_temporary_never_shadows_a_global_a_nested_function_reads():
    _check(gamma_nested, np.array([0.4, 1.3, 0.7]))


def products_appended(x):
    out = []
    for i in range(3):
        out.append(x[i:i + 2] * x[i])
    return np.sum(np.array(out) ** 3)


def test_hessian_of_np_array_of_an_appended_list():
    # forward mode over the gradient: the adjoint of the list is a list even where the
    # gradient of np.array(out) is one array whose rows are its elements.  Oracle: HIPS
    # autograd on the same source
    import autograd
    import autograd.numpy as anp

    def products_appended_ag(x):
        out = []
        for i in range(3):
            out.append(x[i:i + 2] * x[i])
        return anp.sum(anp.array(out) ** 3)

    x = np.array([0.3, 0.7, -0.2, 0.5])
    _check(products_appended, x)
    np.testing.assert_allclose(sx.hessian(products_appended)(x),
                               autograd.hessian(products_appended_ag)(x), rtol=1e-10)


def rows_of_a_list_of_lists_summed(w):
    """A list of list literals, each row summed with the builtin ``sum`` in a loop: the row's
    adjoint (a list, ``to_each``) was added to the list's element adjoint with ``+``, which
    concatenates (a wrong gradient, silently); found with nested comprehensions."""
    rows = []
    for a in X:
        rows.append([np.sum(w * a), np.sum(w ** 2 * a)])
    total = 0.0
    for r in rows:
        total = total + sum(r) ** 2
    return total


def test_rows_of_a_list_of_lists_summed_by_sum():
    _check(rows_of_a_list_of_lists_summed, np.array([0.3, -0.4]))
