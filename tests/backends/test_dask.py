"""Gradients over chunked Dask data on the local scheduler.

``sx.grad(loss)(params, X, y)`` with NumPy parameters and Dask data returns
lazy Dask arrays (reduced across the row chunks by Dask) equal to NumPy's
gradients; ``sx.computed`` returns them computed, value and gradient in one
``dask.compute``.  The data is never computed by srcxform itself.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.backends.libraries import assert_like_numpy, require
from tests.backends.losses import problems

PROBLEMS = [pytest.param(*p, id=p[0].__name__) for p in problems()]


def _chunked(da, a):
    return da.from_array(a, chunks=(len(a) // 4,) + a.shape[1:])


@pytest.mark.parametrize("loss,params,X,y,wrt", PROBLEMS)
def test_gradient_is_lazy_and_equals_numpy(loss, params, X, y, wrt):
    lib = require("dask")
    da = lib.module
    Xd, yd = _chunked(da, X), _chunked(da, y)
    assert Xd.numblocks[0] == 4
    df = sx.grad(loss, wrt=wrt)
    want = df(*params, X, y)
    got = df(*params, Xd, yd)
    for g in got if isinstance(got, tuple) else (got,):
        assert isinstance(g, da.Array), f"{type(g)}: the gradient must stay lazy"
    assert_like_numpy(got, want, lib, f"grad of {loss.__name__}", rtol=1e-10)


@pytest.mark.parametrize("loss,params,X,y,wrt", PROBLEMS)
def test_computed_value_and_gradient(loss, params, X, y, wrt):
    lib = require("dask")
    da = lib.module
    dvf = sx.computed(sx.value_and_grad(loss, wrt=wrt))
    value, grads = dvf(*params, _chunked(da, X), _chunked(da, y))
    want_value, want_grads = sx.value_and_grad(loss, wrt=wrt)(*params, X, y)
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    for g, w in zip(grads if isinstance(wrt, tuple) else (grads,),
                    want_grads if isinstance(wrt, tuple) else (want_grads,)):
        assert isinstance(g, (np.ndarray, np.generic, float)), type(g)
        np.testing.assert_allclose(g, w, rtol=1e-10)


def test_computed_leaves_numpy_results_alone():
    def f(x):
        return np.sum(x ** 2)

    x = np.arange(3.0)
    got = sx.computed(sx.grad(f))(x)
    assert type(got) is np.ndarray
    np.testing.assert_array_equal(got, 2 * x)
    assert sx.source(sx.computed(sx.grad(f))) == sx.source(sx.grad(f))


def test_ridge_update_with_numpy_buffer_runs_on_dask():
    """The issue's failure: ``loss += 0.1 * (w @ w)`` after a Dask term made NumPy write a
    Dask array into a NumPy buffer (``out=``); on the namespace it is a new value."""
    lib = require("dask")
    da = lib.module
    loss, params, X, y, wrt = problems()[2]
    dvf = sx.value_and_grad(loss, wrt=wrt)
    value, grad = dvf(*params, _chunked(da, X), _chunked(da, y))
    want_value, want_grad = dvf(*params, X, y)
    np.testing.assert_allclose(value.compute(), want_value, rtol=1e-12)
    np.testing.assert_allclose(grad.compute(), want_grad, rtol=1e-10)
