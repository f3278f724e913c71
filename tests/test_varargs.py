"""``*args``/``**kwargs`` on the differentiated function itself (issue 12, item 4).

Such a function is compiled per arity (``srcxform/varargs.py``).  Every
gradient is compared with HIPS autograd on the same source and/or central
finite differences; what cannot be followed stays a located error.
"""

from __future__ import annotations

import functools
import inspect

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, with_autograd_numpy


def loss(w, *data):
    total = 0.0
    for d in data:
        total = total + np.sum((d @ w) ** 2)
    return total


def penalty(*params):
    return sum(np.sum(p ** 2) for p in params)


def model(x, w, **opts):
    return np.sum(np.tanh(x @ w) * opts["scale"])


def cell(h, x, *weights):
    Wh, Wx, b = weights
    return np.tanh(h @ Wh + x @ Wx + b)


def rnn(h, xs, *weights):
    for t in range(xs.shape[0]):
        h = cell(h, xs[t], *weights)
    return np.sum(h ** 2)


def step(h, *weights):
    Wh, b = weights
    return np.sum(np.tanh(h @ Wh + b) ** 2)


def objective(w, X, y, **hyper):
    residual = X @ w - y
    return np.mean(residual ** 2) + hyper["l2"] * np.sum(w ** 2) \
        + hyper["l1"] * np.sum(np.sqrt(w ** 2 + 1e-3))


def mixed(w, *xs, **hyper):
    out = 0.0
    for i, x in enumerate(xs):
        out = out + hyper["decay"] ** i * np.sum(np.sin(x * w))
    return out * len(xs)


def stacks(w, *xs):
    return np.sum(np.stack(xs) * w)


def repeats(w, *xs):
    return np.sum(np.stack(xs + xs[::-1] * 2) * w)


rs = np.random.RandomState(0)
W = rs.randn(3)
X1, X2, X3 = rs.randn(4, 3), rs.randn(5, 3), rs.randn(2, 3)


def autograd_grad(f, argnum, *args, **kwargs):
    return autograd.grad(with_autograd_numpy(f), argnum)(*args, **kwargs)


def close(a, b):
    if isinstance(a, tuple):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return np.allclose(a, b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("wrt", [0, 1, 2, (0, 1), (0, 2), (2, 0, 1), -1])
def test_loss_of_extra_positionals_matches_autograd(wrt):
    got = sx.grad(loss, wrt=wrt)(W, X1, X2)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    want = tuple(autograd_grad(loss, i % 3, W, X1, X2) for i in items)
    assert close(got if isinstance(wrt, tuple) else (got,), want)


def test_two_arities_one_after_the_other_with_the_same_gradient():
    df = sx.grad(loss, wrt=(0, 1))
    for args in [(W, X1, X2), (W, X1, X2, X3), (W, X1, X2), (W, X3), (W, X1, X2, X3)]:
        want = (autograd_grad(loss, 0, *args), autograd_grad(loss, 1, *args))
        assert close(df(*args), want)
    assert np.allclose(sx.grad(loss)(W), 0.0)  # no extra argument at all


def test_penalty_of_only_varargs():
    Wm, b = rs.randn(2, 3), rs.randn(3)
    got = sx.grad(penalty, wrt=(0, 1))(Wm, b)
    assert close(got, (2 * Wm, 2 * b))
    assert close(sx.grad(penalty, wrt=2)(Wm, b, 1.5), 3.0)


def test_keyword_dict_read_by_constant_key():
    x = rs.randn(4, 3)
    got = sx.grad(model, wrt=1)(x, W, scale=2.0)
    assert close(got, autograd_grad(model, 1, x, W, scale=2.0))
    value, (dw, dscale) = sx.value_and_grad(model, wrt=(1, "scale"))(x, W, scale=2.0)
    assert close(value, model(x, W, scale=2.0))
    assert close(dw, autograd_grad(model, 1, x, W, scale=2.0))
    assert close(dscale, finite_difference(lambda s: model(x, W, scale=s), [2.0], 0))


def test_rnn_with_weights_as_varargs():
    Wh, Wx, b = rs.randn(3, 3) * 0.5, rs.randn(2, 3) * 0.5, rs.randn(3) * 0.1
    h0, xs = rs.randn(3), rs.randn(4, 2)
    got = sx.grad(rnn, wrt=(0, 2, 3, 4))(h0, xs, Wh, Wx, b)
    want = tuple(autograd_grad(rnn, i, h0, xs, Wh, Wx, b) for i in (0, 2, 3, 4))
    assert close(got, want)
    got = sx.grad(step, wrt=(0, 1, 2))(h0, Wh, b)
    assert close(got, tuple(autograd_grad(step, i, h0, Wh, b) for i in (0, 1, 2)))


def test_hyperparameters_as_keywords():
    X, y = rs.randn(6, 3), rs.randn(6)
    hyper = {"l2": 0.1, "l1": 0.01}
    got = sx.grad(objective)(W, X, y, **hyper)
    assert close(got, autograd_grad(objective, 0, W, X, y, **hyper))
    dl2 = sx.grad(objective, wrt="l2")(W, X, y, **hyper)
    assert close(dl2, finite_difference(lambda v: objective(W, X, y, l2=v, l1=0.01), [0.1], 0))
    # the keys in another order are another specialisation, still right
    assert close(sx.grad(objective)(W, X, y, l1=0.01, l2=0.1), got)


def test_varargs_and_keywords_together():
    a, b = rs.randn(3), rs.randn(3)
    df = sx.grad(mixed, wrt=(0, 1, 2, "decay"))
    got = df(W, a, b, decay=0.5)
    for j, i in enumerate((0, 1, 2)):
        assert close(got[j], finite_difference(lambda *v: mixed(*v, decay=0.5), [W, a, b], i))
    assert close(got[3], finite_difference(lambda d: mixed(W, a, b, decay=d), [0.5], 0))
    got3 = sx.grad(mixed)(W, a, b, a, decay=0.5)
    assert close(got3, finite_difference(lambda v: mixed(v, a, b, a, decay=0.5), [W], 0))


def test_vjp_differentiates_every_primal():
    value, pullback = sx.vjp(loss, W, X1, X2)
    assert close(value, loss(W, X1, X2))
    grads = pullback(1.0)
    assert len(grads) == 3
    assert close(grads, tuple(autograd_grad(loss, i, W, X1, X2) for i in range(3)))
    assert close(pullback(2.0)[0], 2 * grads[0])


def test_jvp():
    tangents = (rs.randn(3), rs.randn(4, 3), rs.randn(5, 3))
    out, tangent = sx.jvp(loss, (W, X1, X2), tangents)
    assert close(out, loss(W, X1, X2))
    grads = [autograd_grad(loss, i, W, X1, X2) for i in range(3)]
    assert close(tangent, sum(np.sum(g * t) for g, t in zip(grads, tangents)))
    out, tangent = sx.jvp(loss, (W, X1, X2), (None, tangents[1], None))
    assert close(tangent, np.sum(grads[1] * tangents[1]))


def test_hessian_and_hvp():
    H = sx.hessian(loss)(W, X1, X2)
    assert close(H, 2 * (X1.T @ X1 + X2.T @ X2))
    v = rs.randn(3)
    assert close(sx.hvp(loss, (W, X1, X2), (v, None, None)), H @ v)


def test_bound_method_and_partial():
    class Model:
        def loss(self, w, *data):
            return sum(np.sum((d @ w) ** 2) for d in data)

    m = Model()
    got = sx.grad(m.loss, wrt=(0, 2))(W, X1, X2)
    assert close(got, (autograd_grad(loss, 0, W, X1, X2), autograd_grad(loss, 2, W, X1, X2)))
    part = functools.partial(loss, W)
    assert close(sx.grad(part, wrt=1)(X1, X2), autograd_grad(loss, 2, W, X1, X2))


def test_old_refusal_is_gone():
    def uses_varargs(*xs):
        return np.sum(xs[0] ** 2)

    assert close(sx.grad(uses_varargs)(X1), 2 * X1)


def test_what_cannot_work_is_refused_and_located():
    with pytest.raises(sx.TransformError) as info:
        sx.grad(repeats, wrt=1)(W, W, W)
    assert info.value.filename == __file__
    assert "*xs" in str(info.value)
    with pytest.raises(ValueError, match="variadic parameter"):
        sx.grad(loss, wrt="data")(W, X1)
    with pytest.raises(ValueError, match="out of range"):
        sx.grad(loss, wrt=3)(W, X1)
    with pytest.raises(TypeError, match="extra keywords"):
        sx.grad(sx.grad(model, wrt=1), wrt=1)(X1, W, scale=2.0)
    with pytest.raises(sx.TransformError) as info:
        sx.grad(loss, checkpoint=True)(W, X1)
    assert info.value.construct == "variadic parameter"


def test_varargs_stacked_whole_match_autograd():
    args = (W, rs.randn(*W.shape), rs.randn(*W.shape))
    got = sx.grad(stacks, wrt=(0, 1, 2))(*args)
    for i, g in enumerate(got):
        assert close(g, autograd_grad(stacks, i, *args))


def tanh_product(*xs):
    return np.sum(np.tanh(xs[0]) * xs[1] ** 2)


d_tanh_product = sx.grad(tanh_product)


def calls_a_variadic_gradient(x, y):
    return d_tanh_product(x, y) * 3.0


d_tanh_product_both = sx.value_and_grad(tanh_product, wrt=(0, 1))


def calls_two_variadic_gradients(x, y):
    value, (gx, gy) = d_tanh_product_both(x, y)
    return np.sum(gx * gy) + value + np.sum(d_tanh_product(y, x) ** 2)


def calls_a_variadic_gradient_starred(x, y):
    pair = (x, y)
    return d_tanh_product(*pair) * 3.0  # the line the error names


def _autograd_callers():
    """The two callers above, written with autograd's gradients of the same source."""
    d = autograd.grad(with_autograd_numpy(tanh_product))
    d0, d1 = (autograd.grad(with_autograd_numpy(tanh_product), i) for i in (0, 1))
    tp = with_autograd_numpy(tanh_product)
    return {calls_a_variadic_gradient: lambda x, y: d(x, y) * 3.0,
            calls_two_variadic_gradients: lambda x, y: anp.sum(d0(x, y) * d1(x, y))
            + tp(x, y) + anp.sum(d(y, x) ** 2)}


@pytest.mark.parametrize("f, args", [
    (calls_a_variadic_gradient, (0.3, -0.7)),
    (calls_two_variadic_gradients, (0.3, -0.7)),
    (calls_two_variadic_gradients, (np.array([0.3, -0.2]), np.array([0.5, 1.1]))),
], ids=["one-floats", "two-floats", "two-arrays"])
def test_gradient_of_a_variadic_function_called_inside_differentiated_code(f, args):
    """``grad(f)`` of a ``*args`` function called in code being differentiated: the code of
    the twin for the call's arity is inlined, like any generated gradient."""
    want_f = _autograd_callers()[f]
    value = f(*args)
    assert close(want_f(*args), value)
    for wrt in (0, 1):
        want = autograd.grad(want_f, wrt)(*args)
        assert close(sx.grad(f, wrt=wrt)(*args), want)
        assert close(finite_difference(f, args, wrt), want)
        v, g = sx.value_and_grad(f, wrt=wrt)(*args)
        assert close(v, value) and close(g, want)
    ax, ay = (np.asarray(a, dtype=float) for a in args)
    _, pullback = sx.vjp(f, ax, ay)
    for got, wrt in zip(pullback(1.0), (0, 1)):
        assert close(got, autograd.grad(want_f, wrt)(ax, ay))
    tx, ty = 0.4 * np.ones_like(ax), -0.3 * np.ones_like(ay)
    _, tangent = sx.jvp(f, (ax, ay), (tx, ty))
    want = sum(np.sum(autograd.grad(want_f, i)(ax, ay) * t) for i, t in ((0, tx), (1, ty)))
    assert close(tangent, want)


def test_a_variadic_gradient_called_with_a_starred_argument_is_refused_at_the_call():
    with pytest.raises(sx.TransformError) as info:
        sx.grad(calls_a_variadic_gradient_starred)(0.3, 0.5)
    line = inspect.getsourcelines(calls_a_variadic_gradient_starred)[1] + 2
    assert info.value.filename == __file__ and info.value.lineno == line, str(info.value)
    assert "list the arguments one by one" in str(info.value)


@pytest.mark.parametrize("wrt", [0, 1])
def test_grad_of_grad_of_a_variadic_function_matches_autograd(wrt):
    args = (0.3, -0.7)
    got = sx.grad(sx.grad(tanh_product), wrt=wrt)(*args)
    want = autograd.grad(autograd.grad(with_autograd_numpy(tanh_product)), wrt)(*args)
    assert isinstance(got, float)
    assert close(got, want)
    value, got = sx.value_and_grad(sx.grad(tanh_product, wrt=1), wrt=wrt)(*args)
    want = autograd.grad(autograd.grad(with_autograd_numpy(tanh_product), 1), wrt)(*args)
    assert close(got, want)
    assert close(value, autograd.grad(with_autograd_numpy(tanh_product), 1)(*args))


def test_third_derivative_of_a_variadic_function_and_of_penalty():
    third = sx.grad(sx.grad(sx.grad(tanh_product)))(0.3, -0.7)
    ag = autograd.grad
    assert close(third, ag(ag(ag(with_autograd_numpy(tanh_product))))(0.3, -0.7))
    assert close(sx.grad(sx.grad(penalty))(1.0, 2.0), 2.0)


def weighted_by_position(w, xs):
    total = 0.0
    for i in range(len(xs)):
        total = total + np.sum(xs[i] * w) * (i + 1)
    return total


def test_a_tuple_read_at_computed_positions_gets_a_list_of_adjoints():
    a, b = rs.randn(3), rs.randn(3)
    got = sx.grad(weighted_by_position, wrt=(0, 1))(W, (a, b))
    assert close(got[0], a + 2 * b)
    assert close(tuple(got[1]), (W, 2 * W))
