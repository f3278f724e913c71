"""``sx.hessian``, ``sx.hvp`` and ``grad(grad(f))`` of functions with keyword-only parameters.

The keyword-only values (given, or the defaults as ``__kwdefaults__`` holds them at the
call) reach the generated gradient by keyword, so each result must match HIPS autograd's
``hessian`` of the same source called with the same keywords, and central differences
of ``sx.grad`` at those keywords (``tests/helpers.py``).  Before the fix every call here
raised ``TypeError: grad_f(): too many positional arguments``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, jacobian_difference, with_autograd_numpy

X = np.array([0.3, -1.2, 0.7])
Y = np.array([1.1, 0.4, -0.5])


def with_default(x, *, p=2.0):
    return np.sum(np.sin(x) * p * x ** 2)


def without_default(x, *, p):
    return np.sum(np.sin(x) * p * x ** 2)


def two_positional(x, y, *, p, q=0.5):
    return np.sum(np.sin(x * y) * p + q * x ** 2 * y ** 3)


def keywords_dict(x, **kw):
    return np.sum(np.tanh(x) * kw["p"] * x ** 2)


def scalar(x, *, p=2.0):
    return np.sin(x) * p * x ** 3


def _close(actual, expected, what):
    np.testing.assert_allclose(np.asarray(actual, dtype=float),
                               np.asarray(expected, dtype=float),
                               rtol=1e-6, atol=1e-7, err_msg=what)


def _by_differences(f, args, kwargs, i):
    """The Hessian wrt ``args[i]`` as central differences of ``sx.grad`` at ``kwargs``."""
    return jacobian_difference(functools.partial(sx.grad(f, wrt=i), **kwargs), args, i)


CASES = [  # (function, positional args, keywords, wrt)
    (with_default, (X,), {}, 0),
    (with_default, (X,), {"p": 3.0}, 0),
    (without_default, (X,), {"p": -1.5}, 0),
    (two_positional, (X, Y), {"p": 2.0}, 1),
    (two_positional, (X, Y), {"p": 2.0, "q": 1.5}, -1),
    (two_positional, (X, Y), {"p": 2.0}, 0),
    (keywords_dict, (X,), {"p": 3.0}, 0),
    (scalar, (0.7,), {}, 0),
    (scalar, (0.7,), {"p": -2.0}, 0),
]


@pytest.mark.parametrize("f, args, kwargs, wrt", CASES,
                         ids=[f"{c[0].__name__}-{sorted(c[2])}-{c[3]}" for c in CASES])
def test_hessian_with_keywords_matches_autograd_and_differences(f, args, kwargs, wrt):
    autograd = pytest.importorskip("autograd")
    H = sx.hessian(f, wrt=wrt)(*args, **kwargs)
    i = wrt % len(args)
    assert np.shape(H) == np.shape(args[i]) * 2
    want = autograd.hessian(with_autograd_numpy(f), i)(*args, **kwargs)
    _close(H, want, f"hessian of {f.__name__} vs autograd")
    _close(H, _by_differences(f, args, kwargs, i), f"hessian of {f.__name__} vs differences")


def test_hessian_with_a_tuple_wrt_naming_a_keyword_only_parameter():
    """The ``p`` blocks: d2f/dp2 = 0 and d2f/dx dp = d/dx (df/dp) (differences of ``sx.grad``)."""
    (hxx, hxp), (hpx, hpp) = sx.hessian(with_default, wrt=(0, "p"))(X, p=3.0)
    _close(hxx, _by_differences(with_default, (X,), {"p": 3.0}, 0), "d2f/dx2")
    assert hpp == 0.0
    dfdp = finite_difference(lambda p: sx.grad(with_default, wrt="p")(X, p=p), [3.0], 0)
    assert dfdp == pytest.approx(0.0, abs=1e-6)
    want = jacobian_difference(lambda x: sx.grad(with_default, wrt="p")(x, p=3.0), [X], 0)
    _close(hxp, want, "d2f/dx dp")
    _close(hpx, want, "d2f/dp dx")


def _fresh_with_default():
    def f(x, *, p=2.0):
        return np.sum(np.sin(x) * p * x ** 2)
    return f


def test_hessian_follows_changed_kwdefaults():
    f = _fresh_with_default()
    h = sx.hessian(f)
    _close(h(X), _by_differences(f, (X,), {"p": 2.0}, 0), "before")
    f.__kwdefaults__ = {"p": 5.0}
    want = _by_differences(f, (X,), {"p": 5.0}, 0)
    _close(h(X), want, "the existing hessian after __kwdefaults__ changed")
    _close(sx.hessian(f)(X), want, "a new hessian after __kwdefaults__ changed")
    assert not np.allclose(want, _by_differences(f, (X,), {"p": 2.0}, 0))


def test_hvp_with_keywords_and_changed_kwdefaults():
    v = np.array([0.5, -1.0, 2.0])
    f = _fresh_with_default()
    _close(sx.hvp(f, (X,), (v,)), _by_differences(f, (X,), {}, 0) @ v, "default p")
    bound = functools.partial(two_positional, p=2.0, q=1.5)
    _close(sx.hvp(bound, (X, Y), (None, v), wrt=1),
           _by_differences(two_positional, (X, Y), {"p": 2.0, "q": 1.5}, 1) @ v,
           "keywords bound by a partial")
    _close(sx.hvp(bound, (X, Y), (None, None), wrt=1), np.zeros(3), "no tangent")
    f.__kwdefaults__ = {"p": -3.0}
    _close(sx.hvp(f, (X,), (v,)), _by_differences(f, (X,), {"p": -3.0}, 0) @ v,
           "after __kwdefaults__ changed")


def test_grad_of_grad_with_keywords_follows_kwdefaults():
    def f(x, *, p=2.0):
        return np.sin(x) * p * x ** 3

    def second(x, p):  # by hand
        return p * (6 * x * np.sin(x) + 6 * x ** 2 * np.cos(x) - x ** 3 * np.sin(x))

    gg = sx.grad(sx.grad(f))
    assert gg(0.7) == pytest.approx(second(0.7, 2.0), rel=1e-12)
    assert gg(0.7, p=3.0) == pytest.approx(second(0.7, 3.0), rel=1e-12)
    f.__kwdefaults__ = {"p": 4.0}
    assert gg(0.7) == pytest.approx(second(0.7, 4.0), rel=1e-12)
    assert sx.hessian(f)(0.7) == pytest.approx(second(0.7, 4.0), rel=1e-12)
