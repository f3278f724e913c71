"""``sx.vjp`` (split motion) on every corpus program and on non-scalar outputs.

For each corpus program, ``pullback(c)`` for random scalar cotangents ``c``
must equal ``c * sx.grad(f)`` (``pullback(1.0)`` exactly the gradient) and
``c`` times autograd's ``make_vjp``, for every differentiated argument; the
pullback is called several times with different cotangents (programs with
loops keep their tapes in the residuals) and must neither re-run the forward
sweep nor mutate the primals or the returned output.  Functions with array
outputs are checked against autograd and finite differences of ``<c, f(x)>``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import srcxform as sx
from tests.control_flow.oracles import for_autograd
from tests.helpers import finite_difference
from tests.transforms.common import (
    ENTRIES,
    VECTOR_CASES,
    assert_close,
    every_other,
    params,
    prefix_products,
    rng_for,
)


def _copy(value):
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return np.copy(value)


def _grads(entry, args):
    g = sx.grad(entry.f, wrt=entry.wrt)(*args)
    return g if isinstance(g, tuple) else (g,)


@pytest.mark.parametrize("entry", params())
def test_pullback_is_cotangent_times_grad_every_call(entry):
    args = entry.make()
    out, pullback = sx.vjp(entry.f, *args)
    assert_close(out, entry.f(*entry.make()), rtol=1e-12, atol=1e-14, what="vjp's value")
    grads = _grads(entry, entry.make())
    saved_args, saved_out = [np.copy(a) for a in args], _copy(out)
    for c in (1.0, -2.5, 0.0, 3.25, 1.0):
        result = pullback(c)
        assert isinstance(result, tuple) and len(result) == len(args)
        for i, g in zip(entry.wrt, grads):
            assert np.shape(result[i]) == np.shape(args[i])
            assert_close(result[i], c * np.asarray(g), rtol=1e-10, atol=1e-12,
                         what=f"{entry.name}: pullback({c})[{i}] != {c} * grad")
    for a, b in zip(args, saved_args):
        np.testing.assert_array_equal(a, b, err_msg=f"{entry.name}: vjp mutated a primal")
    np.testing.assert_array_equal(out, saved_out, err_msg=f"{entry.name}: output mutated")


@pytest.mark.parametrize("entry", params(autograd=True))
def test_pullback_matches_autograd(entry):
    autograd = pytest.importorskip("autograd")
    args = entry.make()
    _, pullback = sx.vjp(entry.f, *args)
    c = float(rng_for("vjp" + entry.name).normal())
    result = pullback(c)
    fa = entry.autograd_fn()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        for i in entry.wrt:
            ref = autograd.make_vjp(fa, i)(*args)[0](c)
            assert_close(result[i], ref, rtol=1e-8, atol=1e-10,
                         what=f"{entry.name}: pullback[{i}] disagrees with autograd")


def test_corpus_includes_loops_and_branches():
    names = {e.name for e in ENTRIES}
    assert {"leaky_penalty", "rnn", "jacobi_sweeps", "first_crossing"} <= names
    assert len(ENTRIES) >= 120


# -- non-scalar outputs ---------------------------------------------------------------

VECTOR_IDS = [f.__name__ for f, _, _ in VECTOR_CASES]


@pytest.mark.parametrize("f,make,autograd_ok", VECTOR_CASES, ids=VECTOR_IDS)
def test_pullback_of_array_output(f, make, autograd_ok):
    args = make()
    out, pullback = sx.vjp(f, *args)
    assert_close(out, f(*args), rtol=1e-12, atol=1e-14, what="value")
    rng = rng_for("cot" + f.__name__)
    for _ in range(3):  # several cotangents, one forward sweep
        c = rng.normal(size=np.shape(out))
        result = pullback(c)
        def inner(*xs, c=c):
            return np.sum(c * f(*xs))

        for i in range(len(args)):
            ref = finite_difference(inner, list(args), i)
            assert_close(result[i], ref, rtol=1e-5, atol=1e-6,
                         what=f"{f.__name__}: pullback[{i}] vs differences of <c, f>")
            if autograd_ok:
                import autograd

                ag = autograd.make_vjp(for_autograd(f), i)(*args)[0](c)
                assert_close(result[i], ag, rtol=1e-9, atol=1e-12,
                             what=f"{f.__name__}: pullback[{i}] vs autograd")


def test_gradients_returned_are_independent_of_the_residuals():
    x = np.array([0.9, -1.1, 0.6, 1.3])
    out, pullback = sx.vjp(prefix_products, x)
    c = np.array([1.0, -2.0, 0.5, 3.0])
    first = pullback(c)[0]
    expected = np.copy(first)
    first += 100.0  # the caller owns what it got
    c *= 0.0
    np.testing.assert_array_equal(pullback(np.array([1.0, -2.0, 0.5, 3.0]))[0], expected)


def sine_chain(x):
    s = np.sin(x)
    for _ in range(3):
        s = np.exp(np.sin(s)) * x
    return np.sum(s)


def test_pullback_does_not_rerun_the_forward_sweep(monkeypatch):
    """The backward sweep reads saved residuals: no call of the forward primitives."""
    x = np.array([0.3, -0.2, 0.5])
    out, pullback = sx.vjp(sine_chain, x)
    expected = pullback(1.0)[0]
    calls = {"sin": 0, "exp": 0}

    def counting(name, fn):
        def wrapper(*a, **k):
            calls[name] += 1
            return fn(*a, **k)
        return wrapper

    monkeypatch.setattr(np, "sin", counting("sin", np.sin))
    monkeypatch.setattr(np, "exp", counting("exp", np.exp))
    for c in (1.0, 2.0):
        assert_close(pullback(c)[0], c * expected, rtol=1e-12, atol=0, what="pullback")
    assert calls == {"sin": 0, "exp": 0}, f"the backward sweep recomputed the forward: {calls}"
    backward = pullback.__srcxform__.backward
    assert "sine_chain" not in backward.__code__.co_names


def test_cotangent_shape_mismatch_raises():
    out, pullback = sx.vjp(every_other, np.arange(5.0))
    with pytest.raises(ValueError, match="shape"):
        pullback(np.ones(2))
    with pytest.raises(ValueError, match="shape"):
        pullback(1.0)
    _, scalar_pullback = sx.vjp(sine_chain, np.ones(3))
    with pytest.raises(ValueError, match="shape"):
        scalar_pullback(np.ones(3))


def _scan_states(W, xs):
    # an array-valued loop: every hidden state is an output row
    h = np.zeros(W.shape[0])
    out = np.zeros((xs.shape[0], W.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
        out[t] = h
    return out


def test_split_sweeps_match_golden():
    """The generated forward and backward sweeps of a loop (review changes to the golden)."""
    import os
    import pathlib

    rng = np.random.default_rng(5)
    W, xs = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(4, 3))
    out, pullback = sx.vjp(_scan_states, W, xs)
    ct = rng.normal(size=out.shape)
    gW, gxs = pullback(ct)
    phi = lambda W_, xs_: float(np.sum(ct * _scan_states(W_, xs_)))  # noqa: E731
    assert_close(gW, finite_difference(phi, (W, xs), 0), rtol=1e-5, atol=1e-7,
                 what="vjp of _scan_states wrt W")
    assert_close(gxs, finite_difference(phi, (W, xs), 1), rtol=1e-5, atol=1e-7,
                 what="vjp of _scan_states wrt xs")
    text = sx.source(pullback)
    path = pathlib.Path(__file__).parent.parent / "golden" / "vjp_scan_states.py"
    if os.environ.get("SRCXFORM_UPDATE_GOLDEN"):
        path.write_text(text)
    compile(text, "vjp_scan_states", "exec")
    assert text == path.read_text()


def test_cotangent_written_in_a_loop_is_copied_once_and_left_intact():
    rng = np.random.default_rng(12)
    W, xs = rng.normal(size=(3, 3)) * 0.4, rng.normal(size=(5, 3))
    out, pullback = sx.vjp(_scan_states, W, xs)
    ct = rng.normal(size=out.shape)
    before = ct.copy()
    first = pullback(ct)
    np.testing.assert_array_equal(ct, before)  # the user's cotangent is not written into
    second = pullback(ct)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    backward = sx.source(pullback).split("def backward_")[1]
    loop = backward.split("for t in reversed(range(5)):")[1].split("    if ")[0]
    assert ".copy()" not in loop, backward  # copied once, before the loop
