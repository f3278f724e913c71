"""Transforms compose to any order (issue 12 item 7), against HIPS autograd and finite
differences.

A gradient of a gradient of a gradient (and a fourth), straight-line and with a loop
(whose generated code keeps tapes); gradients with respect to another argument, and
``value_and_grad``, ``vjp``, ``jvp`` and ``hessian`` of a generated gradient; a generated
gradient called inside a function being differentiated (a Newton step), its results
unpacked or given keywords; ``sx.source`` of generated code of any order; and what cannot
be done refused at the user's call, located.
"""

from __future__ import annotations

import inspect

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import central_difference, second_difference, with_autograd_numpy

X = 0.4


def tanh(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


def tanh_by_doubling(x, k=3):
    t = np.tanh(x / 2.0 ** k)
    for _ in range(k):
        t = 2.0 * t / (1.0 + t * t)
    return t


def mixed(a, b):
    s = 0.0
    for i in range(3):
        s = s + np.sin(a * (i + 1)) * b ** 3
    return s


def nth(transform, f, n, **kwargs):
    for _ in range(n):
        f = transform(f, **kwargs)
    return f


@pytest.mark.parametrize("order", [1, 2, 3, 4])
@pytest.mark.parametrize("f", [tanh, tanh_by_doubling], ids=["straight", "loop"])
def test_nth_derivative_matches_autograd(f, order):
    ours = nth(sx.grad, f, order)(X)
    theirs = nth(autograd.grad, with_autograd_numpy(f), order)(X)
    if order > 1:  # a float argument gets a float (order 1: issue 10 float-gradient-type)
        assert type(ours) is float
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_fourth_derivative_of_tanh_in_closed_form():
    t = np.tanh(X)
    assert nth(sx.grad, tanh, 4)(X) == pytest.approx((1 - t * t) * (16 * t - 24 * t ** 3))


@pytest.mark.parametrize("f", [tanh, tanh_by_doubling], ids=["straight", "loop"])
def test_third_derivative_by_finite_differences_of_the_second(f):
    d2, d3 = nth(sx.grad, f, 2), nth(sx.grad, f, 3)
    fd = central_difference(d2, (X,), (1.0,), eps=1e-5)
    assert d3(X) == pytest.approx(float(fd), rel=1e-6)


@pytest.mark.parametrize("outer", [0, 1, (0, 1)])
def test_gradient_of_a_gradient_with_respect_to_either_argument(outer):
    a, b = 0.3, 0.7
    ours = sx.grad(sx.grad(mixed, wrt=0), wrt=outer)(a, b)
    ag = autograd.grad(with_autograd_numpy(mixed), 0)
    items = outer if isinstance(outer, tuple) else (outer,)
    theirs = [autograd.grad(ag, i)(a, b) for i in items]
    np.testing.assert_allclose(ours if isinstance(outer, tuple) else [ours], theirs, rtol=1e-9)


@pytest.mark.parametrize("f", [tanh, tanh_by_doubling], ids=["straight", "loop"])
def test_every_transform_of_a_generated_gradient(f):
    d1 = sx.grad(f)
    ag1 = autograd.grad(with_autograd_numpy(f))
    ag2, ag3 = autograd.grad(ag1), autograd.grad(autograd.grad(ag1))
    value, slope = sx.value_and_grad(d1)(X)
    assert value == pytest.approx(ag1(X)) and slope == pytest.approx(ag2(X))
    out, pullback = sx.vjp(d1, X)
    assert out == pytest.approx(ag1(X)) and pullback(2.0)[0] == pytest.approx(2 * ag2(X))
    out, tangent = sx.jvp(d1, (X,), (0.5,))
    assert out == pytest.approx(ag1(X)) and tangent == pytest.approx(0.5 * ag2(X))
    assert float(sx.hessian(d1)(X)) == pytest.approx(ag3(X))


# -- a generated gradient called inside a function being differentiated --------------------


def inner(r, a):
    return 0.25 * r ** 4 + 0.5 * a * r ** 2 - r


d_inner = sx.grad(inner)
d2_inner = sx.grad(d_inner)


def newton(a, steps=5):
    r = 1.0
    for _ in range(steps):
        r = r - d_inner(r, a) / d2_inner(r, a)
    return r ** 2 + np.sin(a) * r


def newton_autograd(a, steps=5):
    d1 = autograd.grad(lambda r, a: 0.25 * r ** 4 + 0.5 * a * r ** 2 - r)
    d2 = autograd.grad(d1)
    r = 1.0
    for _ in range(steps):
        r = r - d1(r, a) / d2(r, a)
    return r ** 2 + anp.sin(a) * r


def test_newton_step_calling_generated_gradients():
    a = 0.7
    assert sx.grad(newton)(a) == pytest.approx(autograd.grad(newton_autograd)(a), rel=1e-9)
    value, slope = sx.value_and_grad(newton)(a)
    assert value == pytest.approx(newton(a)) and slope == pytest.approx(
        float(central_difference(newton, (a,), (1.0,))), rel=1e-6)
    assert sx.vjp(newton, a)[1](1.0)[0] == pytest.approx(slope)
    assert sx.jvp(newton, (a,), (1.0,))[1] == pytest.approx(slope)
    second = autograd.grad(autograd.grad(newton_autograd))(a)
    assert float(sx.hessian(newton)(a)) == pytest.approx(second, rel=1e-7)
    assert sx.grad(sx.grad(newton))(a) == pytest.approx(second, rel=1e-7)


def energy(v, w):
    return np.sum(np.tanh(v * w) ** 2)


both_slopes = sx.grad(energy, wrt=(0, 1))


def uses_both_slopes(v, w):
    gv, gw = both_slopes(v, w)
    return np.sum(gv * gw) + np.sum(v)


def scaled(x, scale=2.0):
    return scale * np.sin(x)


d_scaled = sx.grad(scaled)


def uses_keywords(x):
    return d_scaled(x, scale=3.0) * x + d_scaled(x)


d3_tanh = nth(sx.grad, tanh, 3)


def uses_third_derivative(x):
    return d3_tanh(x) * x


def test_generated_gradient_with_two_results_called_on_arrays():
    v, w = np.array([0.1, 0.5, 0.9]), np.array([0.3, -0.2, 0.4])
    ours = sx.grad(uses_both_slopes, wrt=(0, 1))(v, w)
    ag = with_autograd_numpy(energy)
    gv, gw = autograd.grad(ag, 0), autograd.grad(ag, 1)
    theirs = autograd.grad(lambda v, w: anp.sum(gv(v, w) * gw(v, w)) + anp.sum(v), (0, 1))
    for o, t in zip(ours, theirs(v, w)):
        np.testing.assert_allclose(o, t, rtol=1e-9)


@pytest.mark.parametrize("f", [uses_keywords, uses_third_derivative])
def test_generated_gradient_called_with_keywords_or_of_third_order(f):
    ours = sx.grad(f)(X)
    assert ours == pytest.approx(float(central_difference(f, (X,), (1.0,), eps=1e-5)), rel=1e-6)


def wave(v):
    return np.sum(np.sin(v) ** 2) * np.cos(np.sum(v * v))


wave_slope = sx.grad(wave)
wave_value_and_slope = sx.value_and_grad(wave)


def slope_energy(v):
    return np.sum(wave_slope(v) ** 2)


def value_times_slope(v):
    value, slope = wave_value_and_slope(v)
    return value * np.sum(slope * v)


@pytest.mark.parametrize("f", [slope_energy, value_times_slope])
def test_gradient_and_hessian_of_functions_calling_generated_code_on_arrays(f):
    v = np.array([0.2, 0.5, -0.3])
    ag = autograd.grad(with_autograd_numpy(wave))

    def theirs(v):
        if f is slope_energy:
            return anp.sum(ag(v) ** 2)
        return with_autograd_numpy(wave)(v) * anp.sum(ag(v) * v)

    np.testing.assert_allclose(sx.grad(f)(v), autograd.grad(theirs)(v), rtol=1e-9)
    np.testing.assert_allclose(sx.hessian(f)(v), autograd.hessian(theirs)(v), rtol=1e-8)
    np.testing.assert_allclose(sx.hessian(f)(v), second_difference(f, (v,), 0), atol=1e-5)


# -- source, and what is refused -------------------------------------------------------------


def test_source_of_a_third_derivative_before_and_after_its_first_call():
    d3 = nth(sx.grad, tanh, 3)
    for _ in range(2):
        text = sx.source(d3)
        compile(text, "<test>", "exec")
        assert text.startswith("def ") and "return" in text
        d3(X)


looping_slope = sx.grad(tanh_by_doubling)


def calls_code_with_tapes(x):
    return looping_slope(x) * x  # the line the error must name


def test_generated_code_that_cannot_be_inlined_is_refused_at_the_call():
    line = inspect.getsourcelines(calls_code_with_tapes)[1] + 1
    with pytest.raises(sx.TransformError) as info:
        sx.grad(calls_code_with_tapes)(X)
    assert info.value.filename == __file__ and info.value.lineno == line, str(info.value)


def first_term(v):
    return np.sin(v[0]) * np.sum(v ** 2)


first_term_slope = sx.grad(first_term)  # its code writes into the array it made: bv[0] += ...


def calls_code_writing_an_array(v):
    return np.sum(first_term_slope(v) * v)  # the line the error must name


def test_generated_code_writing_an_array_works_or_is_refused_at_the_call():
    v = np.array([0.2, 0.5, -0.3])
    try:
        ours = sx.grad(calls_code_writing_an_array)(v)
    except sx.TransformError as exc:  # helpers writing into arrays they made: issue 12 item 5
        line = inspect.getsourcelines(calls_code_writing_an_array)[1] + 1
        assert exc.filename == __file__ and exc.lineno == line, str(exc)
        return
    ag = autograd.grad(with_autograd_numpy(first_term))
    np.testing.assert_allclose(ours, autograd.grad(lambda v: anp.sum(ag(v) * v))(v), rtol=1e-9)
