"""unshare.py: a gradient that optimization reduced to an input is a copy of it.

Each expectation is derived by hand (the derivative is the input or a view of
it); what is checked beyond the value is that the caller's arrays do not
change when the gradient is updated in place, as an optimizer step does.
"""

import numpy as np
import pytest

import srcxform as sx

G = np.array([1.0, -2.0, 0.5])


def half_square(x):
    return np.sum(0.5 * x**2)  # gradient: x


def times_row(x, y):
    return np.sum(x * y[0])  # gradient wrt x: the view y[0]


def times_reshaped(x, y):
    return np.sum(x * y.reshape(3))  # gradient wrt x: a reshaped view of y


def times_transposed(x, y):
    return np.sum(x * y.T)  # gradient wrt x: y.T


def times_global(x):
    return np.sum(x * G)  # gradient: the module's array G


def _update_in_place(g):
    g *= 10.0
    return g


def test_a_gradient_equal_to_an_argument_is_a_copy():
    x = np.array([0.3, -1.2, 2.0])
    keep = x.copy()
    g = sx.grad(half_square)(x)
    np.testing.assert_array_equal(g, keep)
    _update_in_place(g)
    np.testing.assert_array_equal(x, keep)
    assert "copied(x)" in sx.source(sx.grad(half_square))


@pytest.mark.parametrize("f, y", [
    (times_row, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])),
    (times_reshaped, np.array([[1.0], [2.0], [3.0]])),
    (times_transposed, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).T.copy()),
])
def test_a_gradient_that_is_a_view_of_an_argument_is_a_copy(f, y):
    x = np.array([0.5, 1.5, -1.0]) if f is not times_transposed else np.ones((2, 3))
    keep = y.copy()
    g = sx.grad(f)(x, y)
    want = {times_row: lambda: keep[0], times_reshaped: lambda: keep.reshape(3),
            times_transposed: lambda: keep.T}[f]()
    np.testing.assert_array_equal(g, want)
    assert not np.shares_memory(g, y)
    _update_in_place(g)
    np.testing.assert_array_equal(y, keep)


def test_a_gradient_equal_to_a_module_global_is_a_copy():
    keep = G.copy()
    g = sx.grad(times_global)(np.ones(3))
    np.testing.assert_array_equal(g, keep)
    _update_in_place(g)
    np.testing.assert_array_equal(G, keep)


def test_numbers_stay_numbers():
    g = sx.grad(half_square)(3.0)
    assert type(g) is float and g == 3.0
    z = np.array(2.5)
    g = sx.grad(half_square)(z)
    assert g == 2.5 and not np.shares_memory(g, z)


def test_second_derivatives_pass_through_the_copy():
    assert sx.grad(sx.grad(half_square))(3.0) == pytest.approx(1.0)
    np.testing.assert_allclose(sx.hessian(half_square)(np.array([1.0, 2.0])), np.eye(2))


def test_vjp_and_jvp_results_are_their_own():
    x = np.array([1.0, 2.0])
    ct = np.array([3.0, 4.0])
    out, pullback = sx.vjp(lambda v: v * 1.0, x)
    (g,) = pullback(ct)
    np.testing.assert_array_equal(g, ct)
    assert not np.shares_memory(g, ct)
    t = np.array([0.5, 0.25])
    value, tangent = sx.jvp(lambda v: v * 1.0, (x,), (t,))
    np.testing.assert_array_equal(tangent, t)
    assert not np.shares_memory(tangent, t) and not np.shares_memory(value, x)


def test_new_arrays_are_not_copied_again():
    def f(x, W):
        return np.sum(np.tanh(W @ x) ** 2)

    text = sx.source(sx.grad(f, wrt=(0, 1)))
    assert "copy" not in text


def first_times(x, a):
    return x[0] * a  # gradient wrt a: x[0], a float when x is a list


def test_a_view_of_a_list_argument_is_a_number_as_it_is():
    for x in ([0.5, -1.0, 2.0], np.array([0.5, -1.0, 2.0])):
        gx, ga = sx.grad(first_times, wrt=(0, 1))(x, 3.0)
        assert ga == 0.5
        np.testing.assert_array_equal(gx, [3.0, 0.0, 0.0])
