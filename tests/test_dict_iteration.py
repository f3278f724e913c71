"""Iterating a dict whose keys are known when compiling (issue 12, dicts as written).

Each program is written the way people write it: a dict comprehension over a
module-global dict's ``.items()``, ``sorted(d)`` of a local dict with constant
keys, ``for k, v in d.items()`` accumulating a loss, ``sum(d.values())``, a
dict (and a dict of dicts) of parameters iterated.  Gradients are compared
with HIPS autograd on the same source (``np`` rebound to ``autograd.numpy``)
and with central finite differences, through ``grad``, ``value_and_grad``,
``vjp``, ``jvp`` and ``hessian``.  A dict whose keys cannot be known when
compiling is a located ``TransformError`` saying what to write instead.
"""

from __future__ import annotations

import autograd
import numpy as np
import pytest

import srcxform as sx
from tests.helpers import central_difference, finite_difference, with_autograd_numpy


def squared(r):
    return 0.5 * r ** 2


def pseudo_huber(r):
    return (1.0 + r ** 2) ** 0.5 - 1.0


def cauchy_like(r):
    return r ** 2 / (1.0 + r ** 2)


PENALTIES = {"squared": squared, "pseudo_huber": pseudo_huber, "cauchy": cauchy_like}
MIX = {"cauchy": 0.5, "pseudo_huber": 0.3, "squared": 0.2}
SCALES = {"a": 1.0, "b": 2.0, "c": -0.5}


def mixture_of_penalties(w, x):
    resid = x * w - 1.0
    terms = {name: np.mean(fn(resid)) for name, fn in PENALTIES.items()}
    return sum(MIX[name] * terms[name] for name in sorted(terms))


def sorted_local_dict(w):
    parts = {"tail": np.sum(w[1:] ** 2), "head": w[0] ** 3}
    parts["middle"] = np.sum(np.sin(w))
    total = 0.0
    for k in sorted(parts):
        total = total * 0.5 + parts[k]
    return total


def items_accumulating_a_loss(w, x):
    losses = {"fit": np.sum((x @ w - 1.0) ** 2), "ridge": np.sum(w ** 2)}
    losses["lasso"] = np.sum(np.sqrt(w ** 2 + 1e-3))
    weights = {"fit": 1.0, "ridge": 0.1, "lasso": 0.01}
    loss = 0.0
    for name, value in losses.items():
        loss = loss + weights[name] * value
    return loss


def values_summed(w):
    parts = {"a": np.sum(w ** 2), "b": np.sum(np.cos(w)), "c": w[0] * w[1]}
    return sum(parts.values()) + sum(v * v for v in parts.values()) + len(parts)


def global_dict_keys_values_and_membership(w):
    total = 0.0
    for k in SCALES.keys():
        total = total + SCALES[k] * np.sum(w ** 2)
    for scale in SCALES.values():
        total = total + scale * w[0]
    if "a" in SCALES:
        total = total * 2.0
    return total + len(SCALES)


def enumerate_continue_and_break(w):
    parts = {"x": w[0] ** 2, "skip": 100.0 * w[1], "y": w[1] * w[2], "z": w[2] ** 3}
    total = 0.0
    for i, (k, v) in enumerate(parts.items()):
        if k == "skip":
            continue
        total = total + (i + 1) * v
        if total > 1e6:
            break
    return total


def params_dict_loss(params, x):
    h = np.tanh(x @ params["W"] + params["b"])
    reg = sum(np.sum(v ** 2) for v in params.values())
    for name, p in params.items():
        reg = reg + 0.1 * np.sum(p) * len(name)
    return np.sum(h ** 2) + 0.01 * reg


def nested_params_loss(params, x):
    for name in sorted(params):
        layer = params[name]
        x = np.tanh(x @ layer["W"] + layer["b"])
    reg = 0.0
    for layer in params.values():
        for _name, v in layer.items():
            reg = reg + np.sum(v ** 2)
    return np.sum(x ** 2) + 0.01 * reg


def make_closure_loss():
    scales = {"x": 2.0, "y": 0.5}

    def loss(w):
        return sum(s * np.sum(w ** 2) for s in scales.values()) + np.sum(w)
    return loss


closure_loss = make_closure_loss()


@pytest.fixture
def data():
    rs = np.random.RandomState(3)
    return rs.randn(3), rs.randn(4, 3)


ARRAY_PROGRAMS = [sorted_local_dict, values_summed, global_dict_keys_values_and_membership,
                  enumerate_continue_and_break, closure_loss]


@pytest.mark.parametrize("f", ARRAY_PROGRAMS, ids=lambda f: f.__name__)
def test_one_argument_programs_match_autograd(f, data):
    w, _ = data
    want = autograd.grad(with_autograd_numpy(f))(w)
    np.testing.assert_allclose(sx.grad(f)(w), want, rtol=1e-7, atol=1e-12)
    value, again = sx.value_and_grad(f)(w)
    assert value == pytest.approx(f(w))
    np.testing.assert_allclose(again, want, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(want, finite_difference(f, (w,), 0), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [items_accumulating_a_loss, mixture_of_penalties],
                         ids=lambda f: f.__name__)
def test_two_argument_programs_match_autograd(f, data):
    w, x = data
    want = autograd.grad(with_autograd_numpy(f))(w, x)
    np.testing.assert_allclose(sx.grad(f)(w, x), want, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(want, finite_difference(f, (w, x), 0), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [mixture_of_penalties, items_accumulating_a_loss],
                         ids=lambda f: f.__name__)
def test_vjp_jvp_and_hessian(f, data):
    w, x = data
    t = np.array([0.3, -0.2, 0.5])
    out, tangent = sx.jvp(f, (w, x), (t, np.zeros_like(x)))
    assert out == pytest.approx(f(w, x))
    fd = float(central_difference(f, (w, x), (t, None)))
    assert tangent == pytest.approx(fd, rel=1e-5)
    out, pullback = sx.vjp(lambda w: f(w, x), w)
    want = autograd.grad(with_autograd_numpy(f))(w, x)
    np.testing.assert_allclose(pullback(1.0)[0], want, rtol=1e-7)
    hess = sx.hessian(f)(w, x)
    want_h = autograd.hessian(with_autograd_numpy(f))(w, x)
    np.testing.assert_allclose(hess, want_h, rtol=1e-6, atol=1e-10)


def test_the_generated_code_reads_each_key_by_name(data):
    w, x = data
    code = "\n".join(line.split("#")[0] for line in
                     sx.source(sx.grad(mixture_of_penalties)).splitlines())
    assert "MIX['cauchy']" in code and "terms" in code
    assert "items()" not in code and "sorted(" not in code


def test_a_dict_of_parameters_iterated(data):
    rs = np.random.RandomState(4)
    params = {"W": rs.randn(3, 2), "b": rs.randn(2)}
    _, x = data
    got = sx.grad(params_dict_loss)(params, x)
    want = autograd.grad(with_autograd_numpy(params_dict_loss))(params, x)
    assert set(got) == {"W", "b"}
    for k in params:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-7, atol=1e-12)
    value, again = sx.value_and_grad(params_dict_loss)(params, x)
    assert value == pytest.approx(params_dict_loss(params, x))
    np.testing.assert_allclose(again["W"], want["W"], rtol=1e-7)


def test_a_dict_of_layer_dicts_iterated(data):
    rs = np.random.RandomState(5)
    params = {"layer1": {"W": rs.randn(3, 4), "b": rs.randn(4)},
              "layer2": {"W": rs.randn(4, 2), "b": rs.randn(2)}}
    _, x = data
    got = sx.grad(nested_params_loss)(params, x)
    want = autograd.grad(with_autograd_numpy(nested_params_loss))(params, x)
    for name in params:
        for k in ("W", "b"):
            np.testing.assert_allclose(got[name][k], want[name][k], rtol=1e-7, atol=1e-12)


# -- what cannot be known when compiling ---------------------------------------------------

def keys_added_in_a_range_loop(w):
    d = {}
    for i in range(3):
        d[i] = w[i] ** 2
    total = 0.0
    for k, v in d.items():
        total = total + v * len(str(k))
    return total


def keys_added_under_a_branch(w):
    d = {"a": w[0]}
    if w[1] > 0:
        d["b"] = w[1]
    return sum(d[k] for k in sorted(d))


def keys_added_while_iterating(w):
    d = {"a": w[0]}
    for k in d:
        d[k + "x"] = w[1]
    return d["a"]


@pytest.mark.parametrize("f, construct, says", [
    (keys_added_in_a_range_loop, "dict iteration", "build it with constant keys"),
    (keys_added_under_a_branch, "dict iteration", "not known when srcxform compiles"),
    (keys_added_while_iterating, "dict changed during iteration", "sorted(...) or list(...)"),
])
def test_unknowable_keys_are_a_located_error(f, construct, says, data):
    w, _ = data
    with pytest.raises(sx.TransformError) as info:
        sx.grad(f)(w)
    message = str(info.value)
    assert "test_dict_iteration.py:" in message and construct in message and says in message


def test_a_computed_key_says_what_to_write_instead(data):
    def lookup(w, i):
        d = {0: w[0], 1: w[1]}
        return d[i] * 2.0

    with pytest.raises(sx.TransformError) as info:
        sx.grad(lookup)(data[0], 1)
    message = str(info.value)
    assert "test_dict_iteration.py:" in message and "dict indexing" in message
    assert "loop" in message  # it says which loops make keys constant


WEIGHTS = {"a": 1.0, "b": 2.0}


def weighted_by_a_global_dict(w):
    return sum(WEIGHTS[k] * np.sum(w ** 2) for k in WEIGHTS)


def test_a_global_dict_changed_in_place_rebuilds_the_code():
    w = np.array([1.0, 2.0])
    df = sx.grad(weighted_by_a_global_dict)
    np.testing.assert_allclose(df(w), 6.0 * w)
    WEIGHTS["b"] = 3.0  # a value: read when the code runs
    np.testing.assert_allclose(df(w), 8.0 * w)
    WEIGHTS["c"] = 10.0  # a new key: the unrolled code is stale, so it is made again
    try:
        np.testing.assert_allclose(df(w), 28.0 * w)
    finally:
        del WEIGHTS["c"]
        WEIGHTS["b"] = 2.0
    np.testing.assert_allclose(df(w), 6.0 * w)


# -- a dict argument that is not differentiated: its keys are not known when compiling -----


def weighted_by_key(w, weights):
    total = 0.0
    for k in weights:  # Python walks the keys; a compiled loop would walk positions
        total = total + weights[k] * np.sum(w * k)
    return total


def weighted_items(w, weights):
    total = 0.0
    for k, v in weights.items():
        total = total + v * np.sum(w ** k)
    return total


def total_over_rows(w, xs):
    total = 0.0
    for x in xs:
        total = total + np.sum(w * x)
    return total


W3 = np.array([0.5, -1.0, 2.0])


@pytest.mark.parametrize("keys", [{1: 2.0, 0: 3.0}, {0: 1.0, 1: 1.0}])
def test_a_dict_argument_walked_by_position_is_refused(keys):
    # {0: 1.0, 1: 1.0} once gave sum(w) twice (keys read as positions: a silent wrong
    # gradient); now a located error, in the code for these shapes and in the generic code
    with pytest.raises(sx.TransformError, match="walks 'weights' by position") as info:
        sx.grad(weighted_by_key)(W3, keys)
    assert info.value.lineno == weighted_by_key.__code__.co_firstlineno + 2
    df = sx.grad(total_over_rows)
    np.testing.assert_allclose(df(W3, [W3, 2 * W3]), 3 * W3)  # lists and arrays: walked
    np.testing.assert_allclose(df(W3, np.ones((4, 3))), np.full(3, 4.0))
    np.testing.assert_allclose(df(W3, (W3,)), W3)
    with pytest.raises(sx.TransformError, match="walks 'xs' by position"):
        df(W3, keys)


def test_items_of_a_dict_argument_is_a_located_error():
    with pytest.raises(sx.TransformError, match=r"\.items\(\) of a dict whose keys") as info:
        sx.grad(weighted_items)(W3, {1: 2.0, 2: 0.5})
    assert info.value.lineno == weighted_items.__code__.co_firstlineno + 2
