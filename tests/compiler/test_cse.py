"""The cse pass alone: a value computed twice in one block is computed once.

Each program goes through the pipeline up to ``share_repeats``; the pass runs
alone and the tests check what its docstring promises — the repeat is gone
and its readers read the first name — and what it must not do: share across
a write into an operand, share the results of calls that may differ (methods,
``np.random``), share a value that is read before the repeat's assignment.
The gradients of the whole pipeline are checked against central finite
differences and HIPS autograd on the same source (where autograd runs it).
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import cse
from tests.compiler.passes import before, text
from tests.helpers import finite_difference, with_autograd_numpy


def log_softmax_pick(W, X):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(logp[:, 0])


def written_between(x):
    y = x * 1.0
    a = y * 2.0
    y[0] = 5.0
    b = y * 2.0
    return np.sum(a * b)


def in_a_loop(x):
    total = 0.0
    for i in range(3):
        u = np.sin(x) * i
        v = np.sin(x) * i
        total = total + np.sum(u * v)
    return total


def method_calls(x):
    a = x.sum()
    b = x.sum()
    return a * b


def two_results(x):
    a = np.sin(x) * 2.0
    b = np.sin(x) * 2.0
    return a, b


def chained(x):
    a = np.sin(x) * 2.0
    b = np.sin(x) * 2.0
    return np.sum(a * b)


W0 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
X0 = np.linspace(-2.0, 1.5, 15).reshape(5, 3)
V0 = np.array([0.3, -0.7, 1.1])


def _shared(f, args):
    program = before(f, cse.share_repeats, args=args)
    old = text(program.body)
    return old, text(cse.share_repeats(program).body)


def test_a_repeated_value_is_computed_once():
    old, new = _shared(log_softmax_pick, (W0, X0))
    assert old.count("= logits - m") == 2
    assert new.count("= logits - m") == 1
    assert "sub_1" not in new


def test_no_sharing_across_a_write_into_an_operand():
    old, new = _shared(written_between, (V0,))
    assert new.count("* 2.0") == 2


def test_repeats_inside_a_loop_body_are_shared():
    old, new = _shared(in_a_loop, (V0,))
    assert old.count("np.sin(x)") == 2
    assert new.count("np.sin(x)") == 1


def test_method_calls_are_not_shared():
    old, new = _shared(method_calls, (V0,))
    assert new.count(".sum()") == 2


@pytest.mark.parametrize("f, args", [
    (log_softmax_pick, (W0, X0)), (written_between, (V0,)), (in_a_loop, (V0,)),
    (method_calls, (V0,)), (chained, (V0,))])
def test_gradients_match_the_oracles(f, args):
    import autograd

    got = sx.grad(f)(*args)
    np.testing.assert_allclose(got, finite_difference(f, args, 0), rtol=1e-6, atol=1e-8)
    if f is written_between:
        return  # (autograd does not write into arrays)
    expected = autograd.grad(with_autograd_numpy(f))(*args)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_a_repeat_of_a_repeat_is_shared():
    old, new = _shared(chained, (V0,))
    assert old.count("np.sin(x)") == 2 and new.count("np.sin(x)") == 1
    assert new.count("* 2.0") == 1


def test_two_results_stay_two_objects():
    out, pullback = sx.vjp(two_results, V0)
    assert out[0] is not out[1]
    out[0][0] = 100.0  # the caller owns each result
    assert out[1][0] == pytest.approx(2.0 * np.sin(V0[0]))
    (g,) = pullback((np.ones(3), np.ones(3)))
    np.testing.assert_allclose(g, 4.0 * np.cos(V0), rtol=1e-13)


def test_random_draws_are_never_merged():
    from srcxform.compiler.effects import deterministic

    assert deterministic(np.sin) and deterministic(np.linalg.solve)
    assert not deterministic(np.random.rand) and not deterministic(np.copyto)


def test_the_key_of_a_value_matches_ast_dump():
    """Two values are one key exactly when ast.dump prints them alike: operands, operators,
    keywords, slices and constants by class and repr (0.0 and -0.0 differ, as 1 and 1.0)."""
    texts = ["a * b", "a*b", "b * a", "x * -0.0", "x * 0.0", "x * 1", "x * 1.0", "x * True",
             "np.sum(a, axis=0)", "np.sum(a, axis=1)", "np.sum(a, 0)", "a[1:2]", "a[1:2,]",
             "a[None]", "f(a)", "f(*a)", "'s' + t", "b's' + t", "x ** 2", "x ** 2.0"]
    trees = [ast.parse(t, mode="eval").body for t in texts]
    for s in trees:
        for t in trees:
            assert (cse._tree_key(s) == cse._tree_key(t)) == (ast.dump(s) == ast.dump(t))
