"""``sx.jvp`` (forward mode) on every corpus program, against autograd and finite differences.

For each program of ``tests/corpus.py`` and ``tests/control_flow/programs.py``
(straight-line code, branches, loops, lists, dicts, array writes), a random
tangent for each differentiated argument and ``None`` for the others (held
constant) must give

* the program's value, and
* a tangent equal to central differences along the tangent,
  ``(f(x + eps t) - f(x - eps t)) / 2 eps`` (of the frozen surrogate for
  programs that stop the gradient), and to HIPS autograd's ``make_jvp``
  (summed over the differentiated arguments).

Also: non-scalar outputs, ``None`` tangents, shape errors, the readable source of
``sx.jvp_fn`` and golden files of two forward-mode functions.
"""

from __future__ import annotations

import os
import pathlib
import warnings

import numpy as np
import pytest

import srcxform as sx
from tests.control_flow.programs import leaky_penalty
from tests.corpus import tanh_layer
from tests.helpers import central_difference
from tests.transforms.common import (
    VECTOR_CASES,
    assert_close,
    every_other,
    frozen_fd,
    layer,
    like,
    params,
    rng_for,
)

GOLDEN = pathlib.Path(__file__).parent.parent / "golden"


def _tangents(entry, args):
    rng = rng_for("jvp" + entry.name)
    return tuple(like(a, rng) if i in entry.wrt else None for i, a in enumerate(args))


def _autograd_jvp(fa, args, tangents):
    import autograd

    total = 0.0
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Output seems independent of input")
        for i, t in enumerate(tangents):
            if t is not None:
                total = total + autograd.make_jvp(fa, i)(*args)(t)[1]
    return total


@pytest.mark.parametrize("entry", params())
def test_jvp_matches_finite_differences(entry):
    args = entry.make()
    tangents = _tangents(entry, args)
    out, tangent = sx.jvp(entry.f, args, tangents)
    assert_close(out, entry.f(*entry.make()), rtol=1e-12, atol=1e-14,
                 what=f"jvp's value of {entry.name}")
    if entry.frozen is None:
        ref, how = central_difference(entry.f, args, tangents), "central differences"
    else:
        ref, how = frozen_fd(entry, args, tangents), "differences of the frozen surrogate"
    assert_close(tangent, ref, rtol=1e-5, atol=1e-6,
                 what=f"jvp tangent of {entry.name} disagrees with {how}")


@pytest.mark.parametrize("entry", params(autograd=True))
def test_jvp_matches_autograd(entry):
    pytest.importorskip("autograd")
    args = entry.make()
    tangents = _tangents(entry, args)
    _, tangent = sx.jvp(entry.f, args, tangents)
    ref = _autograd_jvp(entry.autograd_fn(), args, tangents)
    assert_close(tangent, ref, rtol=1e-8, atol=1e-10,
                 what=f"jvp tangent of {entry.name} disagrees with autograd")


@pytest.mark.parametrize("entry", params())
def test_jvp_does_not_mutate_inputs(entry):
    args = entry.make()
    tangents = _tangents(entry, args)
    before = [np.copy(a) for a in args], [None if t is None else np.copy(t) for t in tangents]
    sx.jvp(entry.f, args, tangents)
    for a, b in zip(args, before[0]):
        np.testing.assert_array_equal(a, b)
    for t, b in zip(tangents, before[1]):
        if t is not None:
            np.testing.assert_array_equal(t, b)


# -- non-scalar outputs ---------------------------------------------------------------

@pytest.mark.parametrize("f,make,autograd_ok", VECTOR_CASES,
                         ids=[f.__name__ for f, _, _ in VECTOR_CASES])
def test_jvp_of_vector_output(f, make, autograd_ok):
    args = make()
    rng = rng_for("vec" + f.__name__)
    tangents = tuple(like(a, rng) for a in args)
    out, tangent = sx.jvp(f, args, tangents)
    assert_close(out, f(*args), rtol=1e-12, atol=1e-14, what="value")
    assert np.shape(tangent) == np.shape(out)
    assert_close(tangent, central_difference(f, args, tangents), rtol=1e-5, atol=1e-6,
                 what=f"jvp of {f.__name__} vs central differences")
    if autograd_ok:  # autograd cannot write into arrays
        from tests.control_flow.oracles import for_autograd

        ref = _autograd_jvp(for_autograd(f), args, tangents)
        assert_close(tangent, ref, rtol=1e-9, atol=1e-12, what="vs autograd")


# -- None tangents, errors ------------------------------------------------------------

def test_none_tangent_holds_the_argument_constant():
    x, W = np.array([0.3, -0.5, 0.8]), np.array([[0.2, 0.1, -0.4], [0.7, -0.3, 0.5]])
    tx, tW = np.array([1.0, 2.0, -1.0]), np.full((2, 3), 0.5)
    _, only_x = sx.jvp(layer, (x, W), (tx, None))
    _, only_w = sx.jvp(layer, (x, W), (None, tW))
    _, both = sx.jvp(layer, (x, W), (tx, tW))
    assert_close(only_x, central_difference(layer, (x, W), (tx, None)), rtol=1e-5, atol=1e-6,
                 what="x only")
    assert_close(only_w, central_difference(layer, (x, W), (None, tW)), rtol=1e-5, atol=1e-6,
                 what="W only")
    assert_close(both, only_x + only_w, rtol=1e-12, atol=1e-14, what="linearity")


def test_all_tangents_none_gives_zero():
    x = np.array([0.3, -0.5, 0.8])
    out, tangent = sx.jvp(every_other, (x,), (None,))
    assert_close(out, every_other(x), rtol=0, atol=0, what="value")
    assert np.shape(tangent) == np.shape(out) and not np.any(tangent)


def test_scalar_output_gets_scalar_tangent():
    out, tangent = sx.jvp(leaky_penalty, (np.array([0.7, -0.4]),), (np.array([1.0, 1.0]),))
    assert np.ndim(tangent) == 0
    assert_close(tangent, 2 * 0.7 + 0.1, rtol=1e-12, atol=0, what="leaky_penalty tangent")


def test_tangent_shape_mismatch_raises():
    x = np.ones(3)
    with pytest.raises(ValueError, match="shape"):
        sx.jvp(every_other, (x,), (np.ones(4),))
    with pytest.raises(ValueError, match="shape"):
        sx.jvp(tanh_layer, (x, np.ones((4, 3))), (np.ones(3), np.ones((3, 4))))
    with pytest.raises(ValueError):
        sx.jvp(every_other, (x,), (np.ones(3), np.ones(3)))  # one tangent per primal


# -- source ---------------------------------------------------------------------------

def test_jvp_fn_source_is_readable_python():
    fn = sx.jvp_fn(leaky_penalty)
    text = sx.source(fn)
    compile(text, "jvp_fn", "exec")
    assert "# tangent of:" in text
    x, t = np.array([0.7, -0.4, 1.2]), np.array([0.5, 1.0, -2.0])
    value, tangent = fn(x, t)
    assert_close(value, leaky_penalty(x), rtol=1e-12, atol=0, what="value")
    assert_close(tangent, central_difference(leaky_penalty, (x,), (t,)), rtol=1e-5, atol=1e-6,
                 what="tangent")


def test_jvp_fn_takes_tangents_of_wrt_after_the_parameters():
    fn = sx.jvp_fn(tanh_layer, wrt=(0, 1))
    x, W = np.array([0.3, -0.5, 0.8]), np.arange(12.0).reshape(4, 3) / 10
    tx, tW = np.ones(3), np.full((4, 3), 0.1)
    assert_close(fn(x, W, tx, tW)[1], sx.jvp(tanh_layer, (x, W), (tx, tW))[1],
                 rtol=1e-12, atol=1e-14, what="jvp_fn vs jvp")


GOLDEN_CASES = {"jvp_tanh_layer": (tanh_layer, (0, 1)), "jvp_leaky_penalty": (leaky_penalty, 0)}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_forward_source_matches_golden(name):
    """Regenerate with ``SRCXFORM_UPDATE_GOLDEN=1`` and review the diff of tests/golden/."""
    f, wrt = GOLDEN_CASES[name]
    text = sx.source(sx.jvp_fn(f, wrt=wrt))
    path = GOLDEN / f"{name}.py"
    if os.environ.get("SRCXFORM_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with SRCXFORM_UPDATE_GOLDEN=1"
    assert text == path.read_text()
    compile(text, name, "exec")
    assert "# tangent of:" in text


def _empty_sum(x, y, a):
    # `sum([])` is the int 0: a returned broadcast must not take its dtype
    acc = []
    return np.sum(x * y) + a * a + 0.5 * sum(acc)


def test_tangent_is_not_truncated_to_an_integer_like_value():
    x, y, a = np.array([0.1, 0.2, 0.3]), np.array([0.5, -0.1, 0.2]), 0.7
    tangents = (np.full(3, 0.25), np.full(3, -0.5), 0.5)
    value, tangent = sx.jvp(_empty_sum, (x, y, a), tangents)
    assert np.isclose(tangent, central_difference(_empty_sum, (x, y, a), tangents), rtol=1e-7)
    assert np.ndim(tangent) == 0 and not isinstance(tangent, np.ndarray)
