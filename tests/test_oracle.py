"""Every corpus program: srcxform's gradient against HIPS autograd and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.corpus import CORPUS, NOT_FOR_AUTOGRAD
from tests.helpers import as_tuple, finite_difference, with_autograd_numpy

IDS = [f.__name__ for f, _, _ in CORPUS]


def _grads(f, args, wrt):
    out = sx.grad(f, wrt=wrt)(*args)
    return out if isinstance(wrt, tuple) else (out,)


@pytest.mark.parametrize("f,make,wrt", CORPUS, ids=IDS)
def test_matches_finite_differences(f, make, wrt):
    args = make()
    grads = _grads(f, args, wrt)
    for i, g in zip(as_tuple(wrt), grads):
        ref = finite_difference(f, args, i)
        assert np.shape(g) == np.shape(args[i])
        assert np.asarray(g).dtype.kind == "f", f"gradient dtype {np.asarray(g).dtype}"
        np.testing.assert_allclose(g, ref, rtol=1e-5, atol=1e-6, err_msg=f"wrt {i}")


@pytest.mark.parametrize("f,make,wrt", [c for c in CORPUS if c[0].__name__ not in NOT_FOR_AUTOGRAD],
                         ids=[i for i in IDS if i not in NOT_FOR_AUTOGRAD])
def test_matches_autograd(f, make, wrt):
    autograd = pytest.importorskip("autograd")
    args = make()
    grads = _grads(f, args, wrt)
    fa = with_autograd_numpy(f)
    for i, g in zip(as_tuple(wrt), grads):
        ref = autograd.grad(fa, i)(*args)
        np.testing.assert_allclose(g, ref, rtol=1e-9, atol=1e-12, err_msg=f"wrt {i}")


@pytest.mark.parametrize("f,make,wrt", CORPUS, ids=IDS)
def test_value_and_grad_runs_once_and_agrees(f, make, wrt):
    args = make()
    value, grads = sx.value_and_grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    expected = sx.grad(f, wrt=wrt)(*args)
    for a, b in zip(as_tuple(grads) if isinstance(wrt, tuple) else (grads,),
                    expected if isinstance(wrt, tuple) else (expected,)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_advanced_index_with_duplicates():
    from tests.corpus import advanced_index

    x = np.arange(6.0).reshape(3, 2)
    idx = np.array([0, 2, 0, 0])
    g = sx.grad(advanced_index)(x, idx)
    expected = np.zeros_like(x)
    for i in idx:  # each read of row i contributes 2 * x[i]
        expected[i] += 2 * x[i]
    np.testing.assert_allclose(g, expected)
    np.testing.assert_allclose(g, finite_difference(lambda x: advanced_index(x, idx), [x], 0),
                               rtol=1e-6, atol=1e-6)


def test_float_argument_gets_float():
    from tests.corpus import scalar_math

    ga, gb = sx.grad(scalar_math, wrt=(0, 1))(0.7, 0.4)
    assert isinstance(ga, float) and isinstance(gb, float)


def test_float32_stays_float32():
    from tests.corpus import tanh_layer

    x = np.ones(3, dtype=np.float32)
    W = np.full((2, 3), 0.1, dtype=np.float32)
    gx, gW = sx.grad(tanh_layer, wrt=(0, 1))(x, W)
    assert gx.dtype == np.float32 and gW.dtype == np.float32


def test_returned_gradient_is_writable():
    from tests.corpus import unused_arg

    gx, gy = sx.grad(unused_arg, wrt=(0, 1))(np.ones(3), np.ones(3))
    gy += 1.0  # a zero gradient is a real array too
    gx += 1.0
