"""sx.grad(f, checkpoint=...): loops taped a stretch at a time, checked against oracles.

Every checkpointed gradient is compared with HIPS autograd on the same source
and with central finite differences; the generated source of a checkpointed
RNN is a golden file (``tests/golden/checkpoint_rnn.py``, regenerated with
``SRCXFORM_UPDATE_GOLDEN=1``).
"""

from __future__ import annotations

import math
import os
import pathlib

import numpy as np
import pytest
from autograd import grad as autograd_grad

import srcxform as sx
from tests.helpers import finite_difference, with_autograd_numpy

GOLDEN = pathlib.Path(__file__).parent / "golden"


def rnn(W, U, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def two_states(a, x, v):
    # two loop-carried names, one of them read before it is assigned
    for _ in range(7):
        v = 0.9 * v + np.sin(a * x)
        x = x + 0.1 * v
    return np.sum(x * x) + np.sum(v)


def offset_range(a, x):
    for t in range(2, 9):
        x = x + 0.05 * np.cos(a * x + t)
    return np.sum(x ** 2)


def float_scan(a, x):
    for _ in range(23):
        x = x + 0.01 * (math.sin(a * x) - 0.5 * x)
    return x * x


def before_and_after(w, x):
    y = np.tanh(w * x)
    for _ in range(6):
        y = np.sin(w * y) + y
    y = y * y
    return np.sum(y)


def two_loops(w, x):
    for _ in range(5):
        x = np.tanh(w * x)
    s = np.sum(x)
    for _ in range(4):
        s = s * np.cos(s + w[0])
    return s


def rnn_args(rng, steps=9, n=3, m=2):
    return (0.8 * rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal((n, m)),
            0.1 * rng.standard_normal(n), rng.standard_normal((steps, m)))


CASES = [
    (rnn, lambda rng: rnn_args(rng), (0, 1, 2)),
    (rnn, lambda rng: rnn_args(rng, steps=1), (0, 2)),
    (rnn, lambda rng: rnn_args(rng, steps=0), (0, 2)),  # no step at all
    (two_states, lambda rng: (rng.uniform(0.5, 1.5, 4), rng.standard_normal(4),
                              rng.standard_normal(4)), (0, 1, 2)),
    (offset_range, lambda rng: (rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)), (0, 1)),
    (float_scan, lambda rng: (float(rng.uniform(0.5, 2.0)), float(rng.uniform(-1, 1))), (0, 1)),
    (before_and_after, lambda rng: (rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)), (0, 1)),
    (two_loops, lambda rng: (rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)), (0, 1)),
]
SPECS = [True, "sqrt", 1, 2, 3, 50]


def _oracles(f, args, wrt):
    auto = with_autograd_numpy(f)
    return [np.asarray(autograd_grad(auto, i)(*args)) for i in wrt], \
        [finite_difference(f, args, i) for i in wrt]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("f, make, wrt", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_checkpointed_gradient_matches_oracles(f, make, wrt, spec):
    args = make(np.random.default_rng(3))
    got = sx.grad(f, wrt=wrt, checkpoint=spec)(*args)
    if f is float_scan:  # (autograd does not see through math.sin)
        auto = None
        fd = [finite_difference(f, args, i) for i in wrt]
    else:
        auto, fd = _oracles(f, args, wrt)
    for k, _ in enumerate(wrt):
        if auto is not None:
            np.testing.assert_allclose(got[k], auto[k], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got[k], fd[k], rtol=1e-5, atol=1e-7)


def test_checkpointed_code_keeps_states_not_steps():
    """The loop is rewritten (its note says what is kept); without the option it is not."""
    args = rnn_args(np.random.default_rng(0), steps=100)
    df = sx.grad(rnn, wrt=(0, 1), checkpoint=True)
    df(*args)
    text = sx.source(df)
    assert "# checkpointed: h kept every 10 steps" in text
    assert "checkpoints.append(h)" in text and "h = checkpoints.pop()" in text
    plain = sx.grad(rnn, wrt=(0, 1))
    plain(*args)
    assert "checkpoint" not in sx.source(plain)


def test_checkpointed_source_matches_golden():
    # a function of its own: after other tests' sizes, rnn's versions are generic in them
    fresh = type(rnn)(rnn.__code__, rnn.__globals__, rnn.__name__)
    df = sx.grad(fresh, wrt=(0, 1), checkpoint="sqrt")
    df(*rnn_args(np.random.default_rng(0), steps=400, n=4, m=2))
    text = sx.source(df)
    path = GOLDEN / "checkpoint_rnn.py"
    if os.environ.get("SRCXFORM_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()
    compile(text, "checkpoint_rnn", "exec")


def test_trip_count_known_only_at_run_time():
    """A gradient not specialised to shapes computes the stretch length when it runs."""
    def loop(w, x, n):
        for _ in range(n):
            x = np.sin(w * x) + x
        return np.sum(x)

    rng = np.random.default_rng(1)
    w, x = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    df = sx.grad(loop, wrt=(0, 1), checkpoint=True)
    for n in (0, 1, 5, 17):
        got = df(w, x, n)
        for k in (0, 1):
            want = finite_difference(loop, (w, x, n), k)
            np.testing.assert_allclose(got[k], want, rtol=1e-5, atol=1e-7)


def test_value_and_grad_checkpointed():
    args = rnn_args(np.random.default_rng(2))
    value, (gW, gh) = sx.value_and_grad(rnn, wrt=(0, 2), checkpoint=4)(*args)
    assert value == pytest.approx(rnn(*args))
    auto, _ = _oracles(rnn, args, (0, 2))
    np.testing.assert_allclose(gW, auto[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gh, auto[1], rtol=1e-9, atol=1e-12)


def test_state_written_in_place_is_not_checkpointed_and_stays_right():
    """A loop writing into an array is left taped (a stretch run again would write twice)."""
    def scatter(w, x):
        out = np.zeros(5)
        for t in range(5):
            out[t] = np.sum(w * x)
            x = np.sin(x * w) + out[t]
        return np.sum(out * out) + np.sum(x)

    rng = np.random.default_rng(4)
    args = (rng.uniform(0.5, 1.5, 3), rng.standard_normal(3))
    for wrt in (0, 1):
        df = sx.grad(scatter, wrt=wrt, checkpoint=2)
        got = df(*args)
        assert "checkpoints" not in sx.source(df)
        np.testing.assert_allclose(got, finite_difference(scatter, args, wrt), rtol=1e-5,
                                   atol=1e-7)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "revolve", "yes", [4]])
def test_bad_checkpoint_values_are_refused(bad):
    with pytest.raises(ValueError, match="checkpoint="):
        sx.grad(rnn, checkpoint=bad)


def test_checkpoint_none_or_false_is_the_plain_gradient():
    args = rnn_args(np.random.default_rng(5))
    for off in (None, False):
        df = sx.grad(rnn, wrt=0, checkpoint=off)
        np.testing.assert_array_equal(df(*args), sx.grad(rnn, wrt=0)(*args))
