"""Forward loop work nothing needs is not generated (compiler/deadcode.drop_dead_forward).

An accumulator whose forward values the backward sweep never reads (``t = t + x * y``
differentiated with respect to ``x``) is gone from the generated forward sweep, with
its loop when nothing else is left in it; a value a loop condition, the result, a
tape or an effect needs stays.  Every gradient is checked against central finite
differences; the source checks show what the forward sweep still computes.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference


def _forward_part(text):
    """The generated code before the backward sweep (its first ``grad of`` comment),
    without comment lines."""
    head = text.split("# grad of:")[0]
    return "\n".join(line for line in head.splitlines() if not line.lstrip().startswith("#"))


def _grad_and_source(f, *args, wrt=0):
    df = sx.grad(f, wrt=wrt)
    got = df(*args)
    return got, sx.source(df)


def _check(f, args, got, i=0):
    np.testing.assert_allclose(got, finite_difference(f, args, i), rtol=1e-6, atol=1e-8)


def acc(x, ys):
    t = 0.0
    for y in ys:
        t = t + x * y
    return t


def acc_augmented(x, ys):
    t = 0.0
    for y in ys:
        t += x * y
    return t


def acc_array(x, ys):
    t = np.zeros(3)
    for y in ys:
        t = t + x * y
    return np.sum(t)


def acc_array_augmented(x, ys):
    t = np.zeros(3)
    for y in ys:
        t += x * y
    return np.sum(t)


def acc_sin(x, ys):
    t = 0.0
    for y in ys:
        t = t + np.sin(x * y)
    return t


@pytest.mark.parametrize("f, x, ys", [
    (acc, 1.5, np.arange(1.0, 5.0)),
    (acc_augmented, 1.5, np.arange(1.0, 5.0)),
    (acc_array, np.array([0.5, -1.0, 2.0]), np.arange(12.0).reshape(4, 3) / 7),
    (acc_array_augmented, np.array([0.5, -1.0, 2.0]), np.arange(12.0).reshape(4, 3) / 7),
    (acc_sin, 1.5, np.arange(1.0, 5.0) / 3),
], ids=lambda v: getattr(v, "__name__", ""))
def test_a_dead_accumulator_is_not_computed(f, x, ys):
    got, text = _grad_and_source(f, x, ys)
    forward = _forward_part(text)
    assert "t = " not in forward and "t += " not in forward and "for " not in forward, text
    _check(f, (x, ys), got)


def test_the_value_is_still_computed_for_value_and_grad():
    x, ys = 1.5, np.arange(1.0, 5.0)
    df = sx.value_and_grad(acc)
    value, got = df(x, ys)
    assert value == acc(x, ys)
    assert "t = t + x * y" in sx.source(df)
    _check(acc, (x, ys), got)


def capped(x, ys):
    t = 0.0
    s = 0.0
    for y in ys:
        t = t + y
        if t > 1.5:
            s = s + x * y
    return s


def test_an_accumulator_a_condition_reads_stays():
    x, ys = 1.5, np.array([0.5, 0.75, 0.5, 1.0])
    got, text = _grad_and_source(capped, x, ys)
    assert "add = t + y" in _forward_part(text)
    _check(capped, (x, ys), got)


def counted(x, ys):
    n = 0
    t = 0.0
    for y in ys:
        n = n + 1
        print("step", n)
        t = t + x * y
    return t


def test_a_loop_with_an_effect_stays(capsys):
    x, ys = 1.5, np.arange(1.0, 4.0)
    df = sx.grad(counted)
    capsys.readouterr()
    got = df(x, ys)
    assert capsys.readouterr().out.split() == ["step", "1", "step", "2", "step", "3"]
    forward = _forward_part(sx.source(df))
    assert "print(" in forward and "t = " not in forward
    _check(lambda x, ys: acc(x, ys), (x, ys), got)


def scan(a, x):
    s = 0.0
    for _ in range(20):
        s = s + x
        x = x + 0.05 * (np.sin(a * x) - 0.5 * x)
    return x * x


def test_a_value_the_backward_sweep_reads_stays_and_the_rest_goes():
    got, text = _grad_and_source(scan, 1.3, 0.4, wrt=(0, 1))
    forward = _forward_part(text)
    assert "s = s + x" not in forward and "x = x + " in forward
    for i in (0, 1):
        np.testing.assert_allclose(got[i], finite_difference(scan, (1.3, 0.4), i),
                                   rtol=1e-6, atol=1e-8)


def saturate(x):
    s = 0.0
    for v in x:
        if v < -1.0:
            s = s + (-1.0 + 0.1 * (v + 1.0))
        elif v < 1.0:
            s = s + (v - v ** 3 / 3.0)
        else:
            s = s + (2.0 / 3.0 + 0.1 * (v - 1.0))
    return s


def test_a_branch_left_empty_turns_its_test_around():
    x = np.array([-1.5, -0.5, 0.3, 1.2, 2.0])
    got, text = _grad_and_source(saturate, x)
    forward = _forward_part(text)
    assert "if not cond:" in forward and "pass" not in forward and "s = " not in forward
    _check(saturate, (x,), got)


def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def test_the_rows_of_the_last_block_are_still_freed_after_the_loop():
    rng = np.random.default_rng(3)
    W, U = 0.4 * rng.standard_normal((4, 4)), rng.standard_normal((4, 2))
    h, xs = rng.standard_normal(4), 0.3 * rng.standard_normal((70, 2))
    got, text = _grad_and_source(rnn, W, U, h, xs, wrt=(0, 1))
    assert "U_xs = np.inner(xs[t:t + 64], U)" in text and "\n    U_xs = None\n" in text
    for i in (0, 1):
        np.testing.assert_allclose(got[i], finite_difference(rnn, (W, U, h, xs), i),
                                   rtol=1e-6, atol=1e-8)
