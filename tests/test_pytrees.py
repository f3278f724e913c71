"""Pytree arguments (issue 12, item 1): lists, tuples and dicts of arrays and numbers.

Programs are written the way people write them (a list of ``(W, b)`` tuples
looped over with ``for W, b in params:``, a dict of parameters, a ragged
list of sequences that is not differentiated); every gradient is compared
with HIPS autograd on the same source (its gradient has the argument's
structure too) or, for ``jvp``, with central finite differences.
"""

from __future__ import annotations

import collections

import autograd
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import central_difference, with_autograd_numpy


def _init(rs, sizes):
    return [(0.5 * rs.randn(m, n), 0.1 * rs.randn(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def mlp_loss(params, x, y):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.mean((h - y) ** 2)


def mlp_loss_appending(params, x):
    outs = []
    for W, b in params:
        x = np.tanh(x @ W + b)
        outs.append(np.sum(x ** 2))
    total = 0.0
    for o in outs:
        total = total + o
    return total


def dict_loss(p, x, y):
    pred = x @ p["w"] + p["b"]
    return np.sum((pred - y) ** 2) + p["scale"] * np.sum(p["w"] ** 2)


def nested_loss(model, x):
    enc = model["encoder"]
    h = np.tanh(x @ enc[0][0] + enc[0][1])
    W, b = enc[1]
    h = np.tanh(h @ W + b)
    return np.sum(h * model["head"]) + model["bias"]


def ragged_arrays(ws, x):
    total = 0.0
    for i in range(len(ws)):
        total = total + np.sum(np.sin(ws[i] * x[i]))
    return total


def bag_of_words(emb, docs):
    """``docs`` is a list of index lists of different lengths (not differentiated)."""
    total = 0.0
    for doc in docs:
        total = total + np.sum(np.tanh(np.sum(emb[doc], axis=0)))
    return total


def l2_penalty(params, lam):
    return lam * np.sum(sx.flatten(params)[0] ** 2) + np.sum(params["a"] ** 3)


@pytest.fixture
def rs():
    return np.random.RandomState(0)


def _assert_tree_close(got, want):
    assert type(got) is type(want), (type(got), type(want))
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        for k in want:
            _assert_tree_close(got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _assert_tree_close(g, w)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-10)


def test_mlp_list_of_pairs_gradient_has_the_same_structure(rs):
    params = _init(rs, [3, 4, 2])
    x, y = rs.randn(5, 3), rs.randn(5, 2)
    got = sx.grad(mlp_loss)(params, x, y)
    want = autograd.grad(with_autograd_numpy(mlp_loss))(params, x, y)
    assert isinstance(got, list) and all(isinstance(p, tuple) for p in got)
    _assert_tree_close(got, [tuple(p) for p in want])
    value, again = sx.value_and_grad(mlp_loss)(params, x, y)
    assert value == pytest.approx(mlp_loss(params, x, y))
    _assert_tree_close(again, got)


def test_a_new_structure_compiles_again_and_is_right(rs):
    df = sx.grad(mlp_loss)
    for sizes in ([3, 4, 2], [3, 5, 5, 2], [3, 2]):
        params = _init(rs, sizes)
        x, y = rs.randn(4, 3), rs.randn(4, 2)
        want = autograd.grad(with_autograd_numpy(mlp_loss))(params, x, y)
        _assert_tree_close(df(params, x, y), [tuple(p) for p in want])


def test_appends_inside_a_loop_over_pairs(rs):
    params = _init(rs, [3, 3, 3])
    x = rs.randn(2, 3)
    got = sx.grad(mlp_loss_appending)(params, x)
    want = autograd.grad(with_autograd_numpy(mlp_loss_appending))(params, x)
    _assert_tree_close(got, [tuple(p) for p in want])


def test_dict_parameters_with_a_python_float(rs):
    p = {"w": rs.randn(3), "b": rs.randn(), "scale": 0.3}
    x, y = rs.randn(4, 3), rs.randn(4)
    got = sx.grad(dict_loss)(p, x, y)
    want = autograd.grad(with_autograd_numpy(dict_loss))(p, x, y)
    assert type(got["scale"]) is float and type(got["b"]) is float  # as the arguments
    _assert_tree_close(got, {k: (v if k == "w" else float(v)) for k, v in want.items()})


def test_nested_dict_of_list_of_tuples_wrt_by_name(rs):
    model = {"encoder": [(rs.randn(3, 4), rs.randn(4)), (rs.randn(4, 2), rs.randn(2))],
             "head": rs.randn(2), "bias": 0.5}
    x = rs.randn(3)
    got_model, got_x = sx.grad(nested_loss, wrt=("model", "x"))(model, x)
    want_model, want_x = autograd.grad(with_autograd_numpy(nested_loss), (0, 1))(model, x)
    want_model = dict(want_model)
    want_model["encoder"] = [tuple(p) for p in want_model["encoder"]]
    want_model["bias"] = float(want_model["bias"])
    _assert_tree_close(got_model, want_model)
    np.testing.assert_allclose(got_x, want_x, rtol=1e-7)


def test_list_of_arrays_of_different_shapes(rs):
    ws = [rs.randn(2), rs.randn(3, 2), rs.randn(4)]
    x = [rs.randn(2), rs.randn(3, 2), rs.randn(4)]
    got = sx.grad(ragged_arrays)(ws, x)
    want = autograd.grad(with_autograd_numpy(ragged_arrays))(ws, x)
    _assert_tree_close(got, list(want))


def test_ragged_list_not_differentiated_is_keyed_by_structure(rs):
    emb = rs.randn(6, 3)
    df = sx.grad(bag_of_words)
    for docs in ([[0, 1, 2], [3], [4, 5, 0, 1]], [[1, 1], [2, 3, 4]]):
        want = autograd.grad(with_autograd_numpy(bag_of_words))(emb, docs)
        np.testing.assert_allclose(df(emb, docs), want, rtol=1e-7)


def test_flatten_inside_a_differentiated_function(rs):
    params = {"a": rs.randn(3), "b": [rs.randn(2, 2), rs.randn(2)]}
    got = sx.grad(l2_penalty)(params, 0.1)
    want = autograd.grad(with_autograd_numpy(_l2_penalty_autograd))(params, 0.1)
    want = {"a": want["a"], "b": list(want["b"])}
    _assert_tree_close(got, want)


def _l2_penalty_autograd(params, lam):
    flat = np.concatenate([params["a"].ravel(), params["b"][0].ravel(), params["b"][1].ravel()])
    return lam * np.sum(flat ** 2) + np.sum(params["a"] ** 3)


def test_vjp_of_a_tuple_primal(rs):
    pair = (rs.randn(3, 2), rs.randn(2))
    x = rs.randn(4, 3)

    def layer(pair, x):
        W, b = pair
        return np.tanh(x @ W + b)

    out, pullback = sx.vjp(layer, pair, x)
    g = rs.randn(*out.shape)
    (d_pair, d_x) = pullback(g)
    want_pair = autograd.grad(lambda p, x: np.sum(with_autograd_numpy(layer)(p, x) * g))(pair, x)
    assert isinstance(d_pair, tuple)
    _assert_tree_close(d_pair, tuple(want_pair))
    want_x = autograd.grad(lambda p, x: np.sum(with_autograd_numpy(layer)(p, x) * g), 1)(pair, x)
    np.testing.assert_allclose(d_x, want_x, rtol=1e-7)


def test_jvp_of_a_dict_primal_against_finite_differences(rs):
    p = {"w": rs.randn(3), "b": 0.4, "scale": 0.2}
    t = {"w": rs.randn(3), "b": 0.7, "scale": -0.5}
    x, y = rs.randn(4, 3), rs.randn(4)
    out, tangent = sx.jvp(dict_loss, (p, x, y), (t, None, None))
    assert out == pytest.approx(dict_loss(p, x, y))

    fd = float(central_difference(dict_loss, (p, x, y), (t, None, None)))
    assert tangent == pytest.approx(fd, rel=1e-6)
    assert central_difference(lambda w: dict_loss(dict(p, w=w), x, y), [p["w"]], [t["w"]]) \
        != pytest.approx(0.0)  # (the direction moves the function)


def test_hessian_refuses_a_pytree_argument(rs):
    with pytest.raises(TypeError, match="sx.flatten"):
        sx.hessian(mlp_loss)(_init(rs, [2, 2]), rs.randn(1, 2), rs.randn(1, 2))


def test_namedtuple_argument_is_refused_saying_what_to_pass(rs):
    Pair = collections.namedtuple("Pair", "W b")
    with pytest.raises(TypeError, match="plain tuple"):
        sx.grad(mlp_loss)([Pair(rs.randn(2, 2), rs.randn(2))], rs.randn(1, 2), rs.randn(1, 2))


def uses_container_as_array(params, x):
    return np.sum(np.concatenate(params) * x)


def uses_container_as_a_sequence(params, x):
    return np.sum(np.concatenate(params * 2) * x)


def test_a_ragged_container_concatenated_whole(rs):
    params, x = [rs.randn(2), rs.randn(3)], rs.randn(5)
    got = sx.grad(uses_container_as_array)(params, x)
    want = autograd.grad(with_autograd_numpy(uses_container_as_array))(params, x)
    assert isinstance(got, list)
    _assert_tree_close(got, want)


def test_a_container_used_as_a_whole_is_a_located_error(rs):
    with pytest.raises(sx.TransformError) as info:
        # (a ragged list: a regular one used whole is differentiated as one array, as before)
        sx.grad(uses_container_as_a_sequence)([rs.randn(2), rs.randn(3)], rs.randn(10))
    assert "test_pytrees.py" in str(info.value)


def literal_list_loop_reassigning_a_parameter(W0, b0, W1, b1, x):
    params = [(W0, b0), (W1, b1)]
    for W, b in params:
        x = np.tanh(x @ W + b)  # x, a parameter, overwritten in an unrolled loop
    return np.sum(x ** 2)


def test_a_parameter_overwritten_in_an_unrolled_loop_is_saved(rs):
    """(tape.py saved nothing before the first overwrite of a parameter: wrong gradient)"""
    args = (rs.randn(3, 3), rs.randn(3), rs.randn(3, 2), rs.randn(2), rs.randn(4, 3))
    got = sx.grad(literal_list_loop_reassigning_a_parameter, wrt=(0, 1, 4))(*args)
    want = autograd.grad(with_autograd_numpy(literal_list_loop_reassigning_a_parameter),
                         (0, 1, 4))(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-7)


def one_leaf(p, s):
    return np.sum(np.sin(np.stack(p, axis=0)) * s) + np.sum(p[0] ** 2)


def test_a_one_element_tuple_gets_a_one_element_tuple():
    """(A 1-tuple's gradient was wrapped twice: ((g,),).)"""
    p, s = (np.array([-0.23, 1.53]),), 2.0
    got = sx.grad(one_leaf)(p, s)
    expected = autograd.grad(with_autograd_numpy(one_leaf))(p, s)
    assert isinstance(got, tuple) and len(got) == 1 and got[0].shape == (2,)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-13)
    both = sx.grad(one_leaf, wrt=(0, 1))(p, s)
    assert isinstance(both[0], tuple) and len(both[0]) == 1
    assert type(both[1]) is float  # a Python float's gradient is a float (API.md)
    assert both[1] == pytest.approx(autograd.grad(with_autograd_numpy(one_leaf), 1)(p, s))
    value, grads = sx.value_and_grad(one_leaf)(p, s)
    assert value == pytest.approx(one_leaf(p, s)) and len(grads) == 1
