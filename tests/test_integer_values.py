"""Integer arrays that the function turns into floats keep their meaning in the gradient.

``n * 1.0``, ``n / 1``, ``n + 0.0`` of an integer array ``n`` are float arrays: the
optimizer must not fold them to ``n`` (``inexact.py``), or the generated code raises
NumPy's "Integers to negative integer powers are not allowed" or overflows int64 where
the function computed in floats.  Each gradient is checked against central differences
(and the value against the function itself); integer arguments are not differentiated.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference


def times_one(x, n):
    m = n * 1.0
    return np.sum(x * m ** -1)


def over_one(x, n):
    m = n / 1
    return np.sum(x * m ** -2)


def plus_zero(x, n):
    m = n + 0.0
    return np.sum(x / 3.0 * m ** -1)


def minus_zero(x, n):
    m = n - 0.0
    return np.sum(np.sin(x) * m ** -1)


def cubes_in_floats(x, n):
    m = n * 1.0  # 3e9 cubed overflows int64; in floats it is 2.7e28
    return np.sum(x * m ** 3) * 1e-19


def in_a_loop(x, n):
    total = 0.0
    for k in range(3):
        c = n * 1.0 + k
        total = total + np.sum(x * c ** -1)
    return total


def rounded_then_float(x, n):
    m = (np.round(x * 4.0) + 3 * n).astype(np.int64) * 1.0  # integers of floats, made float
    return np.sum(x * m ** -1)


PROGRAMS = [rounded_then_float, times_one, over_one, plus_zero, minus_zero, cubes_in_floats,
            in_a_loop]


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
def test_an_integer_array_made_float_by_the_function(f) -> None:
    x = np.array([0.3, -1.2, 2.0])
    n = np.array([2, 5, 3_000_000_000]) if f is cubes_in_floats else np.array([2, 5, 7])
    numeric = finite_difference(f, (x, n), 0)
    np.testing.assert_allclose(sx.grad(f)(x, n), numeric, rtol=1e-6, atol=1e-12)
    value, g = sx.value_and_grad(f)(x, n)
    assert value == pytest.approx(f(x, n), rel=1e-12)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(sx.vjp(f, x, n)[1](1.0)[0], numeric, rtol=1e-6, atol=1e-12)
    tangent = np.array([1.0, -0.5, 0.25])
    np.testing.assert_allclose(sx.jvp(f, (x, n), (tangent, np.zeros(3)))[1],
                               numeric @ tangent, rtol=1e-6, atol=1e-12)


def test_the_gradient_by_an_integer_factor_is_a_float_array() -> None:
    """d/dx sum(x * n) is n's values as the float gradient of a float x."""
    def weighted(x, n):
        return np.sum(x * n)

    got = sx.grad(weighted)(np.array([0.5, 1.5]), np.array([3, 4]))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [3.0, 4.0])


def test_an_integer_array_beside_a_float_adjoint_is_added_as_it_is() -> None:
    """``by += 1.0 * n`` is ``by += n`` (a float adjoint plus integers is floats), and the
    gradient still matches central differences."""
    def weighted(x, n):
        y = np.tanh(x)
        return np.sum(y * n) + np.sum(y ** 2)

    x, n = np.array([0.3, -0.7, 1.1]), np.array([2, -1, 4])
    df = sx.grad(weighted)
    np.testing.assert_allclose(df(x, n), finite_difference(weighted, (x, n), 0), rtol=1e-6)
    assert "1.0 * n" not in sx.source(df)
