"""Forward temporaries folded back into their readers (compiler/refold.py).

The generated source of programs written the way people write them is read
for what the module docstring promises — a temporary read once by a later
forward statement of its block is folded into it, the user's own names stay,
nothing moves into a loop or past a call made for its effect, a value the
backward sweep reads keeps its name — and every gradient is checked against
central finite differences and HIPS autograd on the same source.  Also the
scaled update of an explicit Euler step (``horner.py``): ``b - (b * c1) *
c2`` is ``b * (1 - c1 c2)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, with_autograd_numpy


def mlp(W1, b1, W2, x):
    h = np.tanh(x @ W1 + b1)
    return np.sum((h @ W2) ** 2)


def euler(a, x):
    for _ in range(20):
        x = x + 0.05 * (math.sin(a * x) - 0.5 * x)
    return x * x


def loop_into(w, x):
    z = w * 2.0
    total = 0.0
    for i in range(3):
        total = total + np.sum(z * x[i])
    return total


def printed(w, x):
    s = w * x
    print("step")
    return np.sum(np.sin(s))


W1 = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
B1 = np.array([0.1, -0.2])
W2 = np.array([0.7, -0.4])
X3 = np.linspace(-1.5, 1.0, 12).reshape(4, 3)


def _source(f, wrt, *args):
    df = sx.grad(f, wrt=wrt)
    df(*args)
    return sx.source(df)


def test_temporaries_read_once_are_folded_and_user_names_stay():
    src = _source(mlp, (0, 1, 2), W1, B1, W2, X3)
    assert "    h = np.tanh(X3 @ W1 + b1)" not in src  # (the parameter is x)
    assert "    h = np.tanh(x @ W1 + b1)\n" in src
    assert "matmul = x @ W1" not in src


def test_a_value_is_not_moved_into_a_loop():
    src = _source(loop_into, 0, np.array([0.5, 1.5]), X3[:, :2])
    assert "    z = w * 2.0\n" in src


def test_a_value_is_not_moved_past_a_call_for_its_effect():
    src = _source(printed, 0, np.array([0.5, 1.5]), np.array([0.2, -0.3]))
    lines = src.splitlines()
    assert lines.index("    print('step')") > lines.index("    s = w * x")


def test_the_euler_step_backward_is_one_scaling():
    src = _source(euler, (0, 1), 1.3, 0.4)
    assert "x = x + 0.05 * (math.sin(mul) - 0.5 * x)" in src
    assert "bx = bx * 0.975" in src


@pytest.mark.parametrize("f, wrt, args", [
    (mlp, (0, 1, 2), (W1, B1, W2, X3)),
    (euler, (0, 1), (1.3, 0.4)),
    (loop_into, 0, (np.array([0.5, 1.5]), X3[:, :2])),
    (printed, 0, (np.array([0.5, 1.5]), np.array([0.2, -0.3]))),
])
def test_gradients_match_the_oracles(f, wrt, args, capsys):
    import autograd

    wrt = wrt if isinstance(wrt, tuple) else (wrt,)
    got = sx.grad(f, wrt=wrt)(*args)
    got = got if isinstance(got, tuple) else (got,)
    for i, g in zip(wrt, got):
        np.testing.assert_allclose(g, finite_difference(f, args, i), rtol=1e-5, atol=1e-7)
    if f is euler:
        return  # (autograd cannot differentiate math.sin)
    expected = autograd.grad(with_autograd_numpy(f), argnum=wrt)(*args)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)
