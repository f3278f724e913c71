"""Whole-sequence uses of a differentiated list/tuple argument (issue 12 leftovers, item 1).

``np.stack(xs)``, ``np.concatenate(xs)``, ``sum(xs)`` … of ``*args`` or of a
list or tuple argument: the sequence's length is part of the specialisation
(``srcxform/compiler/wholeseqs.py``).  Every gradient is compared with HIPS
autograd on the same source; ragged sequences (which NumPy cannot read as one
array) are included, so the old fallback (differentiate the container as one
array) cannot be what passes.
"""

from __future__ import annotations

import autograd
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference, with_autograd_numpy

rs = np.random.RandomState(7)


def stack_star(w, *xs):
    return np.sum(np.tanh(np.stack(xs)) * w)


def stack_star_axis(w, *xs):
    return np.sum(np.stack(xs, axis=1) ** 2 * w)


def concatenate_star(w, *xs):
    return np.sum(np.sin(np.concatenate(xs)) * w)


def vstack_star(w, *xs):
    return np.sum(np.vstack(xs) ** 3 * w)


def hstack_star(w, *xs):
    return np.sum(np.exp(np.hstack(xs)) * w)


def array_star(w, *xs):
    return np.sum(np.array(xs) ** 2 * w)


def builtin_sum_star(w, *xs):
    return np.sum(np.cos(sum(xs)) * w)


def starred_list(w, *xs):
    return np.sum(np.stack([*xs]) * w)


def starred_with_more(w, *xs):
    return np.sum(np.stack((*xs, w)) ** 2)


def only_varargs(*xs):
    return np.sum(np.tanh(np.stack(xs)) ** 2)


def concatenate_list(params, x):
    return np.sum(np.concatenate(params) * x)


def stack_tuple_and_index(pair, x):
    return np.sum(np.stack(pair) * x) + np.sum(pair[0] ** 2)


def autograd_grad(f, argnum, *args):
    return autograd.grad(with_autograd_numpy(f), argnum)(*args)


def close(a, b):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                       rtol=1e-7, atol=1e-10)


SAME = (rs.randn(3), rs.randn(3), rs.randn(3))
CASES = [
    (stack_star, rs.randn(3, 3), SAME),
    (stack_star_axis, rs.randn(3, 3), SAME),
    (concatenate_star, rs.randn(7), (rs.randn(2), rs.randn(4), rs.randn(1))),
    (vstack_star, rs.randn(4, 3), (rs.randn(3), rs.randn(3, 3))),
    (hstack_star, rs.randn(5), (rs.randn(2), rs.randn(3))),
    (array_star, rs.randn(3, 3), SAME),
    (builtin_sum_star, rs.randn(3), SAME),
    (starred_list, rs.randn(3, 3), SAME),
    (starred_with_more, rs.randn(3), SAME[:2]),
]


@pytest.mark.parametrize("f, w, xs", CASES, ids=[c[0].__name__ for c in CASES])
def test_varargs_used_whole_match_autograd(f, w, xs):
    args = (w, *xs)
    wrt = tuple(range(len(args)))
    got = sx.grad(f, wrt=wrt)(*args)
    for i, g in enumerate(got):
        assert np.shape(g) == np.shape(args[i])
        assert close(g, autograd_grad(f, i, *args)), (f.__name__, i)


@pytest.mark.parametrize("f, w, xs", CASES[:3], ids=[c[0].__name__ for c in CASES[:3]])
def test_some_varargs_held_constant(f, w, xs):
    args = (w, *xs)
    got = sx.grad(f, wrt=(0, 2))(*args)
    assert close(got[0], autograd_grad(f, 0, *args))
    assert close(got[1], autograd_grad(f, 2, *args))
    assert close(sx.grad(f, wrt=1)(*args), autograd_grad(f, 1, *args))


def test_two_arities_of_a_whole_use():
    w = rs.randn(4)
    for xs in [(rs.randn(2), rs.randn(2)), (rs.randn(1), rs.randn(2), rs.randn(1))]:
        got = sx.grad(concatenate_star, wrt=tuple(range(1 + len(xs))))(w, *xs)
        for i, g in enumerate(got):
            assert close(g, autograd_grad(concatenate_star, i, w, *xs))


def test_only_varargs_with_python_floats():
    got = sx.grad(only_varargs, wrt=(0, 1))(0.3, -0.7)
    assert close(got, [autograd_grad(only_varargs, i, 0.3, -0.7) for i in range(2)])


def test_a_ragged_list_argument_used_whole():
    params, x = [rs.randn(2), rs.randn(3)], rs.randn(5)
    got = sx.grad(concatenate_list)(params, x)
    assert isinstance(got, list) and len(got) == 2
    want = autograd_grad(concatenate_list, 0, params, x)
    for g, v in zip(got, want):
        assert close(g, v)


def test_a_tuple_argument_used_whole_and_by_index():
    pair, x = (rs.randn(3), rs.randn(3)), rs.randn(2, 3)
    got = sx.grad(stack_tuple_and_index)(pair, x)
    assert isinstance(got, tuple)
    want = autograd_grad(stack_tuple_and_index, 0, pair, x)
    for g, v in zip(got, want):
        assert close(g, v)


def test_vjp_and_jvp_of_a_whole_use():
    w, xs = rs.randn(7), (rs.randn(2), rs.randn(4), rs.randn(1))
    out, pullback = sx.vjp(concatenate_star, w, *xs)
    assert close(out, concatenate_star(w, *xs))
    grads = pullback(1.0)
    for i, g in enumerate(grads):
        assert close(g, autograd_grad(concatenate_star, i, w, *xs))
    tangents = (None, rs.randn(2), rs.randn(4), rs.randn(1))
    _, tangent = sx.jvp(concatenate_star, (w, *xs), tangents)
    want = sum(np.sum(autograd_grad(concatenate_star, i, w, *xs) * tangents[i])
               for i in range(1, 4))
    assert close(tangent, want)


def repeated(w, *xs):
    return np.sum(np.concatenate(xs * 2) * w)


def blocked(w, *xs):
    return np.sum(np.block(list(xs)) * w)


def test_other_whole_uses_stay_located_errors():
    for f, w in ((repeated, rs.randn(8)), (blocked, rs.randn(4))):
        with pytest.raises(sx.TransformError) as info:
            sx.grad(f, wrt=1)(w, rs.randn(2), rs.randn(2))
        assert info.value.filename == __file__
    # (a check of the oracle: the finite difference agrees with autograd here)
    w, xs = rs.randn(7), (rs.randn(2), rs.randn(4), rs.randn(1))
    assert close(finite_difference(lambda a: concatenate_star(w, a, *xs[1:]), [xs[0]], 0),
                 autograd_grad(concatenate_star, 1, w, *xs))
