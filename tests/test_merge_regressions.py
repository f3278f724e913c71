"""Programs that went wrong where this round's branches met (issues 10, 12, 14, 15).

Each was found while merging the pytree, functions, mutation, tape-array and
backend work: one was a silently wrong gradient (a swap inside a loop after
straight-line tuples became known), the others crashes in generated code or
refusals of programs that are fine.  Every expectation is an independent
oracle: central finite differences (``tests/helpers.py``) or the closed form
derived in the comment.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, jacobian_difference

X = np.array([0.3, -0.5, -1.1])
Y = np.array([-1.1, 0.7, 0.9])
A = 0.21


def swap_in_loop(x, y, a):
    v0 = x
    v1 = np.sin(v0)
    for _ in range(1):
        v0, v1 = v1, v0
    return np.sum(v0 * x + v1 * y) + a * a


def unpack_layers(weights, shapes):
    layers = []
    for m, n in shapes:
        layers.append((weights[:m * n].reshape((m, n)), weights[m * n:m * n + n]))
        weights = weights[(m + 1) * n:]
    return layers


def pairs_from_a_helper(weights):
    """A list of (W, b) pairs a helper builds by append, looped over with unpacking."""
    h = np.linspace(-1.0, 1.0, 6).reshape(6, 1)
    for W, b in unpack_layers(weights, [(1, 4), (4, 1)]):
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def keys_from_a_tuple(params):
    return sum(np.sum(params[name] ** 2) for name in ("u1", "u2"))


def affine(weights, *inputs):
    ones = np.ones((inputs[0].shape[0], 1))
    return np.concatenate(inputs + (ones,), axis=1) @ weights


def star_args_in_a_loop(W, xs):
    h = np.zeros((2, 3))
    for x in xs:
        h = np.tanh(affine(W, x, h))
    return np.sum(h)


def half_then_reversed(x, y, a):
    v0 = x if a > 0.0 else x
    v1 = v0[::-1]
    s1 = v0[0]
    return np.sum(v0 * x + v1 * y) + a * (s1 + a)


def pick(u, t=0.5):
    if t > 0.0:
        t += t
    return u, t


def augmented_float_through_a_helper(x, y, a):
    v0, s0 = x, a
    s1 = s0
    for _ in range(1):
        v0, s0 = pick(v0, s0)
    return np.sum(v0 * x) + s0 * (s1 + a)


C = np.array([0.3, -0.6, 0.9])


def augmented_with_a_global_array(x, a):
    v0 = C * x
    s0 = a
    s1 = v0[0]
    if v0[0] > s0:
        s0 += s1
    return np.sum(v0 * x) + s0 * (s1 + a)


CASES = [
    (swap_in_loop, (X, Y, A), (0, 1, 2)),
    (pairs_from_a_helper, (0.5 * np.random.RandomState(9).randn(13),), (0,)),
    (keys_from_a_tuple, ({"u1": np.ones((3, 1)), "u2": 2.0 * np.ones((3, 1))},), None),
    (star_args_in_a_loop, (0.3 * np.random.RandomState(1).randn(7, 3),
                           np.random.RandomState(2).randn(4, 2, 3)), (0,)),
    (augmented_float_through_a_helper, (X, Y, A), (0, 1, 2)),
    (augmented_with_a_global_array, (X, -0.3), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_matches_finite_differences(f, args, wrt):
    if wrt is None:  # a dict argument: 2 * u per leaf, by hand
        got = sx.grad(f)(*args)
        for k, v in args[0].items():
            np.testing.assert_allclose(got[k], 2.0 * v, rtol=1e-12)
        return
    got = sx.grad(f, wrt=wrt)(*args)
    got = got if isinstance(got, tuple) else (got,)
    for i, g in zip(wrt, got):
        np.testing.assert_allclose(g, finite_difference(f, args, i), rtol=1e-5, atol=1e-7)


def test_hessian_writing_into_a_tangent_made_by_broadcasting():
    """Forward mode over gradient code that writes ``bv0[::-1] += ...`` into an array whose
    tangent was ``np.broadcast_to(...)`` (read-only): the Hessian is 2 I by hand."""
    H = sx.hessian(half_then_reversed, wrt=0)(X, Y, A)
    np.testing.assert_allclose(H, 2.0 * np.eye(3), atol=1e-12)
    columns = jacobian_difference(sx.grad(half_then_reversed, wrt=0), (X, Y, A), 0)
    np.testing.assert_allclose(H, columns, atol=1e-6)


def test_an_array_argument_where_the_code_assumed_a_number_is_refused():
    """``s0 += ...`` was compiled as a rebinding for a number ``a``; an array ``a`` would be
    written in place and seen through ``s1``: refused on entry, located."""
    df = sx.grad(augmented_float_through_a_helper, wrt=0)
    df(X, Y, A)
    with pytest.raises(sx.TransformError, match=r"test_merge_regressions\.py:\d+:\d+: .*'a'"):
        df(X, Y, np.array([0.2, 0.1, 0.3]))


def copy_folded_then_written(x):
    P1 = x.reshape(2, 2) * 1.0
    P2 = P1 * 1.0  # a new array: the write into P1 below must not reach it
    P1[:, 0] = 1.0
    return np.sum(P2 * P2)


def view_folded_then_written(x):
    buf = np.zeros(4)
    P = buf.reshape(2, 2) * 1.0 + x[0]  # a new array, not a view of buf
    for _ in range(2):
        buf[3] = 0.8
    return np.sum(P * P)


@pytest.mark.parametrize("f", [copy_folded_then_written, view_folded_then_written])
def test_an_identity_folded_away_leaves_a_new_array(f):
    """``e * 1.0`` folded to ``e`` must not make a name of an array written later
    (found by the mutation fuzzer: the forward value itself was wrong)."""
    x = np.array([0.1, -0.2, 0.3, 0.4])
    value, g = sx.value_and_grad(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12)
    np.testing.assert_allclose(g, finite_difference(f, (x,), 0), rtol=1e-6, atol=1e-8)
