"""The autograd oracle's array-write stand-in behaves like a NumPy array.

``oracles.WriteBuffer`` must give the values a real array would after the
same writes, and autograd's gradients through it must match finite
differences, including a zero gradient for an overwritten value.  These tests
do not involve srcxform's compiler.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.control_flow.oracles import WriteBuffer, autograd_grads, for_autograd
from tests.helpers import finite_difference

pytest.importorskip("autograd")


def writes(x):
    out = np.zeros(6)
    out[0] = x[0] * x[1]
    out[1:4] += np.sin(x)
    out[-1] = x[2] ** 2
    out[2] -= 0.5 * x[0]
    out[4:6] = x[:2]
    out[4] *= x[1]
    out[0] = x[2]  # overwrites out[0]: the first value's gradient must vanish
    return np.sum(out * np.arange(1.0, 7.0)) + out[3] * out[1]


def columns(x, w):
    feats = np.zeros((len(x), 3))
    feats[:, 0] = x
    feats[:, 1] = x ** 2
    feats[1, 2] = w[0]
    feats[:, 2] += 0.5
    for i in range(len(x)):
        feats[i, 1] += feats[i, 0] * w[1]
    return np.sum(np.tanh(feats @ w))


def reads_and_ops(x):
    buf = np.zeros(3)
    buf[:] = x
    y = 2.0 * buf + buf ** 2 - buf / 3.0
    z = buf @ np.exp(buf) + buf.sum() + len(buf) + buf.shape[0]
    s = 0.0
    for v in buf:
        s += v * v
    return np.sum(y) + z + s + buf.T[0]


def plain_array_on_the_left(x):
    buf = np.zeros(3)
    buf[1:] = x[:2] ** 2
    buf[0] += x[2]
    return np.sum(np.arange(1.0, 4.0) * buf) + np.ones(3) @ buf + np.sum(1.0 - buf)


def fresh_buffer_on_the_right(W, x):
    h = np.zeros(2)  # never written: a plain zero array on the right of W @
    h = np.tanh(W @ h + x)
    return np.sum(h ** 2)


CASES = [
    (writes, lambda: (np.array([0.3, -0.7, 1.1]),), (0,)),
    (columns, lambda: (np.array([0.3, -0.7, 1.1, 0.4]), np.array([0.5, -0.2, 0.8])), (0, 1)),
    (reads_and_ops, lambda: (np.array([0.3, -0.7, 1.1]),), (0,)),
    (plain_array_on_the_left, lambda: (np.array([0.3, -0.7, 1.1]),), (0,)),
    (fresh_buffer_on_the_right, lambda: (np.array([[0.5, -0.1], [0.2, 0.3]]),
                                         np.array([0.4, -0.6])), (0, 1)),
]


@pytest.mark.parametrize("f,make,wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_values_match_numpy(f, make, wrt):
    args = make()
    np.testing.assert_allclose(for_autograd(f)(*args), f(*args), rtol=1e-13)


@pytest.mark.parametrize("f,make,wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_autograd_through_buffers_matches_finite_differences(f, make, wrt):
    args = make()
    for i, g in zip(wrt, autograd_grads(f, args, wrt)):
        np.testing.assert_allclose(g, finite_difference(f, args, i), rtol=1e-6, atol=1e-7)


def test_overwritten_value_gets_no_gradient():
    def f(x):
        out = np.zeros(2)
        out[0] = x[0] ** 3
        out[0] = x[1]
        out[1] = x[1] * 2.0
        return np.sum(out)

    (g,) = autograd_grads(f, (np.array([0.5, 0.25]),), (0,))
    np.testing.assert_array_equal(g, [0.0, 3.0])


def test_traced_buffer_on_the_right_fails_loudly():
    import autograd
    import autograd.numpy as anp

    def f(x):
        buf = WriteBuffer(np.zeros(2))
        buf[0] = x[0]
        return anp.sum(x @ buf)  # the buffer is hidden from autograd on the right of @

    with pytest.raises(TypeError, match="WriteBuffer"):
        autograd.grad(f)(np.array([1.0, 2.0]))
