"""``for x in reversed(seq)``: backward over arrays, lists, tuples, pytrees and literals.

Each gradient is checked against central differences of the function itself (and
the value against the function), in every mode the loop can be written in.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference

RNG = np.random.default_rng(7)
W = RNG.standard_normal((3, 3)) * 0.5
XS = RNG.standard_normal((4, 3))


def rnn_backward_in_time(W, xs):
    h = np.zeros(3)
    for x in reversed(xs):
        h = np.tanh(W @ h + x)
    return np.sum(h ** 2)


def positions_of_a_reversed_walk(W, xs):
    h = np.zeros(3)
    for i, x in enumerate(reversed(xs)):
        h = np.tanh(W @ h + x * (i + 1.0))
    return np.sum(h * h)


def layers_from_the_last(params, x):
    for W, b in reversed(params):
        x = np.tanh(x @ W + b)
    return np.sum(x)


def reversed_literal(W, xs):
    a, b = xs[0], xs[1]
    total = 0.0
    for k, v in enumerate(reversed([a, W @ b, a * b])):
        total = total + (k + 1.0) * np.sum(np.sin(v))
    return total


def states_kept_then_walked_back(W, xs):
    hs = []
    h = np.zeros(3)
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    g = np.zeros(3)
    for h in reversed(hs):
        g = 0.5 * g + h * h
    return np.sum(g)


def stops_early(W, xs):
    h = np.ones(3)
    for x in reversed(xs):
        if np.sum(h) > 50.0:
            break
        h = h * 1.5 + W @ x
    return np.sum(h)


CASES = {
    "array": (rnn_backward_in_time, (W, XS)),
    "list": (rnn_backward_in_time, (W, list(XS))),
    "tuple": (rnn_backward_in_time, (W, tuple(XS))),
    "enumerate": (positions_of_a_reversed_walk, (W, XS)),
    "literal": (reversed_literal, (W, XS)),
    "appended": (states_kept_then_walked_back, (W, XS)),
    "break": (stops_early, (W, XS)),
}


@pytest.mark.parametrize("name", CASES)
def test_a_backward_walk_differentiates_like_the_function(name) -> None:
    f, args = CASES[name]
    numeric = finite_difference(f, args, 0)
    np.testing.assert_allclose(sx.grad(f)(*args), numeric, rtol=1e-6, atol=1e-9)
    value, g = sx.value_and_grad(f)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(sx.vjp(f, *args)[1](1.0)[0], numeric, rtol=1e-6, atol=1e-9)
    tangent = RNG.standard_normal(W.shape)
    np.testing.assert_allclose(sx.jvp(f, args, (tangent, None))[1],
                               np.sum(numeric * tangent), rtol=1e-6, atol=1e-9)


def test_a_list_of_layers_walked_from_the_last() -> None:
    params = [(RNG.standard_normal((3, 3)), RNG.standard_normal(3)) for _ in range(3)]
    x = RNG.standard_normal((2, 3))
    got = sx.grad(layers_from_the_last)(params, x)
    assert isinstance(got, list) and len(got) == 3
    for i, (gW, gb) in enumerate(got):
        for j, g in enumerate((gW, gb)):
            def along(p, i=i, j=j):
                moved = [list(layer) for layer in params]
                moved[i][j] = p
                return layers_from_the_last([tuple(layer) for layer in moved], x)
            np.testing.assert_allclose(g, finite_difference(along, (params[i][j],), 0),
                                       rtol=1e-6, atol=1e-9)
