"""The optimizer's early stop (``compiler/fixedpoint.py``): one round for straight-line
code, two where a loop's dead code changed what it forgets, and the check every test
runs under (``SRCXFORM_CHECK_ROUNDS=1``, set by ``tests/conftest.py``) fails when a
round is skipped that would have changed the code.

The gradients are compared with HIPS autograd on the same source (skipped without it)
and with central differences."""

from __future__ import annotations

import os

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import fixedpoint, optimize
from srcxform.testing import check_grad
from tests.helpers import agrees_with_autograd


def straight(x, y):
    a = np.sin(x) * y
    b = a + 2.0 * x
    c = np.tanh(b) - a
    return np.sum(c * c) + np.sum(b * y)


def negated(x, y):
    # the first round leaves ``neg = -a`` read twice, once by a statement it then
    # finds dead: only the second round moves the negation into its one reader
    a = np.sin(x) * y
    b = a + 2.0 * x
    c = np.tanh(b) - a
    return np.sum(c * c) + np.sum(-a * y)


def looped(w, x):
    z = w * 2.0
    total = 0.0
    for i in range(3):
        total = total + np.sum(z * x[i])
    return total


X = np.linspace(-0.8, 0.7, 4)
Y = np.cos(np.arange(4.0))
W = np.array([0.5, 1.5])
XS = np.arange(6.0).reshape(3, 2) / 7.0


def _fresh(f):
    """A function of ``f``'s source with a code object of its own (so that no code made
    for ``f`` before serves it: ``cache/templates.py``)."""
    return type(f)(f.__code__.replace(), f.__globals__, f.__name__)


def _rounds(monkeypatch, f, args, wrt):
    """The gradient of a new copy of ``f`` and the rounds its optimizer ran (the check
    of the environment off: it runs a round more)."""
    monkeypatch.delenv("SRCXFORM_CHECK_ROUNDS", raising=False)
    rounds = []
    finish_round = optimize.Optimizer.finish_round

    def counted(self, body, walk):
        rounds.append(1)
        return finish_round(self, body, walk)

    monkeypatch.setattr(optimize.Optimizer, "finish_round", counted)
    got = sx.grad(_fresh(f), wrt=wrt)(*args)
    monkeypatch.undo()
    return got, len(rounds)


@pytest.mark.parametrize("f, rounds", [(straight, 1), (negated, 2)])
def test_straight_line_code_takes_a_second_round_only_when_it_changes_the_code(
        monkeypatch, f, rounds):
    got, ran = _rounds(monkeypatch, f, (X, Y), (0, 1))
    assert ran == rounds
    agrees_with_autograd(f, (X, Y), (0, 1))
    check_grad(f, X, Y, wrt=(0, 1))
    for g, want in zip(got, sx.grad(_fresh(f), wrt=(0, 1))(X, Y)):  # (checked rounds)
        np.testing.assert_array_equal(g, want)


def test_a_loop_takes_a_second_round(monkeypatch):
    got, ran = _rounds(monkeypatch, looped, (W, XS), 0)
    assert ran >= 2
    agrees_with_autograd(looped, (W, XS), (0,))
    check_grad(looped, W, XS)
    np.testing.assert_array_equal(got, sx.grad(_fresh(looped))(W, XS))


def test_the_check_fails_a_round_skipped_that_would_change_the_code(monkeypatch):
    # told that every first round settles, the optimizer stops before moving the
    # negation; the check the suite runs under runs the skipped round and fails
    assert os.environ.get("SRCXFORM_CHECK_ROUNDS")
    monkeypatch.setattr(optimize, "settled", lambda *args: True)
    with pytest.raises(AssertionError, match="stopped before its fixed point"):
        sx.grad(_fresh(negated), wrt=(0, 1))(X, Y)


def test_the_settled_test_is_what_the_optimizer_asks():
    # (the monkeypatch above replaces the name the optimizer calls)
    assert optimize.settled is fixedpoint.settled
