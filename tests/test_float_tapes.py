"""Tapes of Python-float loop states in one array of doubles (listtapes.py, floatstates.py).

Each program is checked against central finite differences; the source checks show
the float tape was made (and with or without its per-step test), so a gradient right
only because the rewrite was skipped is noticed.  ``FLOAT_TAPE_STEPS`` is lowered so
that short loops run the array path too (``float_tape`` reads it at run time).
Type fidelity: a state that is not exactly a ``float`` (``np.float64``, ``int``,
``complex``) must reach the backward sweep as itself: a Python float divided by
``0.0`` raises where an ``np.float64`` gives ``inf``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import support
from srcxform.compiler.support import float_tape
from tests.helpers import finite_difference

N = 12


@pytest.fixture
def short_float_tapes(monkeypatch):
    """Every float tape an array of doubles, however few its steps."""
    monkeypatch.setattr(support, "FLOAT_TAPE_STEPS", 1)


def _grad_and_source(f, *args, wrt=0):
    df = sx.grad(f, wrt=wrt)
    got = df(*args)
    return got, sx.source(df)


def _check(f, args, wrt, got, rtol=1e-6):
    got = got if isinstance(wrt, tuple) else (got,)
    for i, g in zip(wrt if isinstance(wrt, tuple) else (wrt,), got):
        want = finite_difference(f, args, i)
        assert abs(g - want) <= rtol * max(1.0, abs(want)), (f.__name__, i, g, want)


def scan(a, x):
    for _ in range(N):
        x = x + 0.05 * (math.sin(a * x) - 0.5 * x)
    return x * x


def scan_long(a, x):
    for _ in range(1500):
        x = x + 0.002 * (math.sin(a * x) - 0.5 * x)
    return x * x


def scan_scaled(a, x, c):
    for _ in range(N):
        x = c * x + 0.05 * math.sin(a * x)
    return x * x


def from_int(a, k):
    x = k
    for _ in range(N):
        x = 0.9 * x + a * math.sin(x)
    return x * x


def ratio(a, c):
    x = 1.0
    s = 0.0
    for _ in range(N):
        s = s + a / x
        x = x * c
    return s


def test_a_state_that_stays_a_float_is_taped_in_an_array(short_float_tapes):
    got, text = _grad_and_source(scan, 1.3, 0.4, wrt=(0, 1))
    assert "x_tape = float_tape(range(N), x)" in text
    assert "        x_tape[t] = x\n" in text and "type(" not in text
    assert "for x in reversed(x_tape):" in text and "append" not in text
    _check(scan, (1.3, 0.4), (0, 1), got)


def test_a_long_loop_tapes_its_floats_in_an_array():
    got, text = _grad_and_source(scan_long, 1.3, 0.4, wrt=(0, 1))
    assert "x_tape = float_tape(range(1500), x)" in text
    _check(scan_long, (1.3, 0.4), (0, 1), got, rtol=1e-5)
    # what the generated code gets for it: 8 bytes a step, read back as the floats stored
    tape = float_tape(range(1500), 0.4, 2.0)
    assert type(tape) is memoryview and tape.format == "d" and len(tape) == 1500
    assert tape.nbytes == 8 * 1500
    tape[3] = -0.0
    assert math.copysign(1.0, tape[3]) == -1.0 and type(tape[3]) is float


def test_short_loops_and_states_not_starting_as_floats_keep_their_values_in_a_list():
    # (a complex, np.float64 or int state, or one whose update reads one, stays a list)
    assert float_tape(range(10), 0.4) == [None] * 10
    for other in (np.float64(0.4), 1, True, 0.4j, np.array(0.4)):
        assert float_tape(range(1500), other) == [None] * 1500
        assert float_tape(range(1500), 0.4, other) == [None] * 1500
    assert float_tape(range(0), 0.4) == [] and float_tape(range(5, 2), 0.4) == []


@pytest.mark.parametrize("c", [0.98, np.float64(0.98), 1])
def test_every_name_a_state_depends_on_is_tested_before_the_loop(short_float_tapes, c):
    got, text = _grad_and_source(scan_scaled, 1.3, 0.4, c, wrt=(0, 1))
    assert "x_tape = float_tape(range(N), x, c)" in text and "x_tape[t] = x" in text
    _check(lambda a, x: scan_scaled(a, x, c), (1.3, 0.4), (0, 1), got)


def test_a_state_that_starts_as_an_int(short_float_tapes):
    got, text = _grad_and_source(from_int, 0.7, 1)
    assert "float_tape(range(N), x, a)" in text
    _check(lambda a: from_int(a, 1), (0.7,), 0, got)


@pytest.mark.parametrize("c", [0.5, np.float64(0.5), np.float64(0.0)])
def test_the_backward_sweep_sees_each_state_as_its_own_type(short_float_tapes, c):
    with np.errstate(divide="ignore"):
        got, text = _grad_and_source(ratio, 1.5, c)
        assert "x_tape = float_tape(range(N), x, c)" in text
        assert "for x in reversed(x_tape):" in text
        if c == 0.0:  # np.float64(0.0): 1.0 / x is inf, no ZeroDivisionError
            assert ratio(1.5, c) == math.inf and got == math.inf
        else:
            _check(lambda a: ratio(a, c), (1.5,), 0, got)


def test_a_python_float_zero_still_raises(short_float_tapes):
    df = sx.grad(ratio)
    with pytest.raises(ZeroDivisionError):
        ratio(1.5, 0.0)
    with pytest.raises(ZeroDivisionError):
        df(1.5, 0.0)


def switches(a, c):
    x = 1.0
    s = 0.0
    for t in range(N):
        s = s + a / x
        if t > 3:
            x = x * c
        else:
            x = x * 0.5
    return s


@pytest.mark.parametrize("c", [0.5, np.float64(0.5), np.float64(0.0)])
def test_a_state_whose_type_may_change_on_a_later_step_keeps_a_list(short_float_tapes, c):
    with np.errstate(divide="ignore", invalid="ignore"):
        got, text = _grad_and_source(switches, 1.5, c)
        assert "float_tape" not in text and "x_stack.append(x)" in text
        if c == 0.0:  # the steps after the fifth divide by np.float64(0.0)
            assert switches(1.5, c) == math.inf and got == math.inf
        else:
            _check(lambda a: switches(a, c), (1.5,), 0, got)


def test_a_state_that_becomes_an_array_after_some_steps(short_float_tapes):
    def grows(a, x, v):
        for t in range(N):
            x = x * a + (v if t == 3 else 0.0)
        return np.sum(x * x)

    v = np.array([0.1, -0.2, 0.3])
    got, text = _grad_and_source(grows, 0.9, 0.4, v, wrt=(0, 1))
    assert "float_tape" not in text  # (no state of it is known to be a scalar)
    _check(lambda a, x: grows(a, x, v), (0.9, 0.4), (0, 1), got)


def test_second_derivative_through_a_float_tape():
    second = sx.grad(sx.grad(scan_long, wrt=1), wrt=1)(1.3, 0.4)
    first = sx.grad(scan_long, wrt=1)
    want = finite_difference(first, (1.3, 0.4), 1, eps=1e-5)
    assert abs(second - want) <= 1e-5 * max(1.0, abs(want))
