"""Second derivatives (issue 13): ``sx.hessian`` through the rules gradient code calls.

After this module passes, the Hessians of programs using ``np.einsum`` (several
subscripts, 2 and 3 operands, a diagonal), ``np.linalg.multi_dot``, a reshape
followed by an element write, and ``np.split``/``np.array_split`` pieces used in an
inlined helper match HIPS autograd's ``hessian`` on the same source (where autograd
runs it) and central differences of ``sx.grad``; their ``sx.jvp`` matches
``grad @ t``; and ``grad(grad(f))`` through einsum is the second derivative.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, jacobian_difference

anp = pytest.importorskip("autograd.numpy")
autograd = pytest.importorskip("autograd")


def einsum_matvec(x):
    A = np.reshape(x, (2, 2))
    return np.sum(np.einsum('ij,j->i', A, x[:2]) ** 2)


def einsum_matmat(x):
    A = np.reshape(x, (2, 2))
    return np.sum(np.einsum('ij,jk->ik', A, np.sin(A)) ** 2)


def einsum_dot(x):
    return np.einsum('i,i->', x, np.cos(x)) ** 2


def einsum_diagonal(x):
    A = np.reshape(x, (2, 2))
    return np.sum(np.einsum('ii->i', A) ** 3) + np.sum(A ** 2)


def einsum_three(x):
    A = np.reshape(x, (2, 2))
    return np.sum(np.einsum('ij,jk,kl->il', A, A ** 2, A) ** 2)


def multi_dot_matrices(x):
    A = np.reshape(x, (2, 2))
    return np.sum(np.linalg.multi_dot([A, np.tanh(A), A]) ** 2)


def multi_dot_vectors(x):
    A = np.reshape(x, (2, 2))
    return np.linalg.multi_dot([x[:2], A, A.T, x[2:]]) ** 2


def reshape_then_write(x):
    A = x.reshape(2, 2).copy()
    A[0, 1] = A[0, 1] * 3.0
    return np.sum(A ** 2)


def _halves(v):
    a, b = np.split(v, 2)
    return np.sum(a * b) + np.sum(b ** 3)


def split_in_helper(x):
    return _halves(x) * 2.0


def _pieces(v):
    parts = np.array_split(v, 3)
    return parts[0].sum() * np.sum(parts[2] ** 2) + np.sum(np.sin(parts[1]))


def array_split_in_helper(x):
    return _pieces(x ** 2)


def _ends(v):
    return np.split(v, [1, 3])


def split_returned_by_helper(x):
    p, q, r = _ends(x)
    return np.sum(p) * np.sum(q ** 2) + np.sum(r * q[:1])


#: programs autograd runs too (its numpy passed as ``np``)
WITH_AUTOGRAD = [einsum_matvec, einsum_matmat, einsum_dot, einsum_three, multi_dot_matrices,
                 multi_dot_vectors]
#: autograd refuses einsum's repeated indices and element writes; it has no split of lists
DIFFERENCES_ONLY = [einsum_diagonal, reshape_then_write, split_in_helper, array_split_in_helper,
                    split_returned_by_helper]
ALL = WITH_AUTOGRAD + DIFFERENCES_ONLY
X = np.array([0.3, -0.7, 1.1, 0.5])


@pytest.mark.parametrize("f", ALL, ids=[f.__name__ for f in ALL])
def test_hessian_matches_differences_of_grad(f) -> None:
    H = sx.hessian(f)(X)
    assert np.shape(H) == (4, 4)
    np.testing.assert_allclose(H, jacobian_difference(sx.grad(f), [X], 0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(H, H.T, rtol=1e-9, atol=1e-9)


def _with_autograd(f):
    """``f``'s source run with ``np`` bound to autograd's NumPy."""
    space = {"np": anp}
    exec(compile(inspect.getsource(f), "<autograd twin>", "exec"), space)
    return space[f.__name__]


@pytest.mark.parametrize("f", WITH_AUTOGRAD, ids=[f.__name__ for f in WITH_AUTOGRAD])
def test_hessian_matches_autograd(f) -> None:
    want = autograd.hessian(_with_autograd(f))(X)
    np.testing.assert_allclose(sx.hessian(f)(X), want, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("f", ALL, ids=[f.__name__ for f in ALL])
def test_grad_and_jvp_match(f) -> None:
    g = sx.grad(f)(X)
    np.testing.assert_allclose(g, jacobian_difference(f, [X], 0), rtol=1e-6, atol=1e-7)
    t = np.array([0.5, -1.0, 0.25, 2.0])
    value, tangent = sx.jvp(f, (X,), (t,))
    np.testing.assert_allclose(value, f(X))
    np.testing.assert_allclose(tangent, g @ t, rtol=1e-9, atol=1e-9)


def test_grad_of_grad_through_einsum() -> None:
    B = np.array([[1.0, 2.0], [-0.5, 0.3]])

    def f(s):
        return np.sum(np.einsum("ij,jk->ik", B + s * B.T, B) ** 2)

    first = sx.grad(f)
    numeric = finite_difference(first, (0.1,), 0, eps=1e-5)
    assert abs(sx.grad(sx.grad(f))(0.1) - numeric) <= 1e-6 * max(1.0, abs(numeric))
