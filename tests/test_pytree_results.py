"""Pytree results for ``sx.vjp`` and ``sx.jvp`` (issue 12 leftovers, item 2).

A function returning a dict (literal, ``dict(k=v)``, or a local dict built by
constant keys), nested in tuples and lists or holding them, gives its value
and tangent in that structure and takes its cotangent in it
(``srcxform/compiler/results.py``).  The pullback is checked against HIPS
autograd on the same source (the gradient of the cotangent's inner product
with the output), the tangent against central finite differences.
"""

from __future__ import annotations

import autograd
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import central_difference, with_autograd_numpy

rs = np.random.RandomState(3)


def dict_literal(params):
    return {"a": np.sum(params[0] ** 2), "b": params[1] * 2.0}


def nested(x, w):
    h = np.tanh(x * w)
    return [{"h": h, "stats": (np.sum(h), {"max": np.max(h * w)})}, x ** 3]


def built_by_keys(x, w):
    out = {"loss": np.sum((x * w) ** 2)}
    out["grad_like"] = np.cos(x) * w
    out["loss"] = out["loss"] + 1.0
    return out


def dict_call(x, w):
    return dict(y=np.sin(x) * w, z=np.sum(x * w))


def variadic(w, *xs):
    return {"stacked": np.stack(xs) * w, "norm": np.sum(w ** 2)}


def leaves(tree):
    """The leaves of a result, dicts in insertion order (as the function builds them)."""
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in leaves(v)]
    return [tree]


def like(tree, it):
    if isinstance(tree, dict):
        return {k: like(v, it) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(like(v, it) for v in tree)
    return next(it)


def same_structure(a, b):
    if isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for k in b:
            same_structure(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same_structure(x, y)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def random_like(tree):
    return like(tree, iter([rs.randn(*np.shape(v)) if np.ndim(v) else float(rs.randn())
                            for v in leaves(tree)]))


CASES = [
    (dict_literal, ([rs.randn(2), rs.randn(3)],)),
    (nested, (rs.randn(3), rs.randn(3))),
    (built_by_keys, (rs.randn(3), rs.randn(3))),
    (dict_call, (rs.randn(2), rs.randn(2))),
    (variadic, (rs.randn(3), rs.randn(3), rs.randn(3))),
]


@pytest.mark.parametrize("f, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_vjp_of_a_pytree_result_matches_autograd(f, args):
    out, pullback = sx.vjp(f, *args)
    same_structure(out, f(*args))
    cotangent = random_like(out)
    grads = pullback(cotangent)
    assert len(grads) == len(args)
    anp_f = with_autograd_numpy(f)

    def inner(*a):
        return sum(autograd.numpy.sum(o * c) for o, c in zip(leaves(anp_f(*a)),
                                                              leaves(cotangent)))

    for i, g in enumerate(grads):
        want = autograd.grad(inner, i)(*args)
        same_structure(g, want)


@pytest.mark.parametrize("f, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_jvp_of_a_pytree_result_matches_finite_differences(f, args):
    tangents = tuple(random_like(a) for a in args)
    out, tangent = sx.jvp(f, args, tangents)
    same_structure(out, f(*args))
    want = central_difference(lambda *a: leaves(f(*a)), args, tangents)
    got = leaves(tangent)
    assert len(got) == len(want)
    same_structure(tangent, like(out, iter(want)))


def test_a_cotangent_of_another_structure_names_the_mismatch():
    out, pullback = sx.vjp(dict_literal, [rs.randn(2), rs.randn(3)])
    with pytest.raises(ValueError, match=r"keys \['a', 'b'\]"):
        pullback({"a": 1.0})
    with pytest.raises(ValueError, match="dict"):
        pullback((1.0, np.ones(3)))


def test_grad_of_a_dict_result_stays_refused():
    with pytest.raises(sx.TransformError, match="dict"):
        sx.grad(dict_call)(rs.randn(2), rs.randn(2))


def key_under_a_branch(x):
    out = {"a": np.sum(x)}
    if x[0] > 0:
        out["b"] = x * 2.0
    return out


def test_a_dict_whose_keys_depend_on_the_data_is_a_located_error():
    with pytest.raises(sx.TransformError) as info:
        sx.vjp(key_under_a_branch, rs.randn(3))
    assert info.value.filename == __file__
