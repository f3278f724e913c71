"""``srcxform.testing``: check_grad and assert_matches_eager pass on right gradients, fail on wrong.

The compiler is the lead's (``srcxform.grad``/``value_and_grad``); the
failure cases patch those functions to return a wrong value or gradient, so
the helpers' own comparison is what is tested.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import srcxform
from srcxform import testing


def poly(x):
    return np.sum(x ** 3 - 2.0 * x)


def net(x, w, b):
    h = np.tanh(x @ w + b)
    return np.mean(h * h)


def scalar_mix(a, x):
    return a * np.sum(np.exp(x)) + a * a


def reduce_axes(x):
    return np.sum(np.mean(x, axis=0) * np.max(x, axis=1).sum())


def broadcast_mix(x, y):
    return np.sum(np.sin(x) * y - x / (1.0 + y * y))


RNG = np.random.default_rng(5)
X34, W42, B2 = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2)), RNG.normal(size=(2,))
ROW = RNG.normal(size=(4,))

CASES = [
    ("poly", poly, (np.array([0.5, -1.0, 2.0]),), 0),
    ("net_x", net, (X34, W42, B2), 0),
    ("net_all", net, (X34, W42, B2), (0, 1, 2)),
    ("net_by_name", net, (X34, W42, B2), ("w", "b")),
    ("scalar_float", scalar_mix, (1.5, np.array([0.1, 0.2])), 0),
    ("scalar_both", scalar_mix, (1.5, np.array([0.1, 0.2])), (0, 1)),
    ("reduce_axes", reduce_axes, (X34,), 0),
    ("broadcast", broadcast_mix, (X34, ROW), (0, 1)),
]


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_check_grad_passes(name: str, f: Any, args: tuple, wrt: Any) -> None:
    testing.check_grad(f, *args, wrt=wrt)


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_assert_matches_eager_passes(name: str, f: Any, args: tuple, wrt: Any) -> None:
    testing.assert_matches_eager(f, *args, wrt=wrt)


def _off_by(delta: float, at: tuple) -> Any:
    real = srcxform.grad

    def wrong_grad(f: Any, wrt: Any = 0) -> Any:
        df = real(f, wrt=wrt)

        def run(*args: Any) -> Any:
            g = np.array(df(*args), dtype=float)
            g[at] += delta
            return g
        return run
    return wrong_grad


def test_check_grad_reports_the_worst_element(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srcxform, "grad", _off_by(0.5, (1, 2)))
    with pytest.raises(AssertionError) as info:
        testing.check_grad(reduce_axes, X34)
    text = str(info.value)
    assert "index (1, 2)" in text and "analytic" in text and "numeric" in text


def test_check_grad_tolerances_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(srcxform, "grad", _off_by(1e-4, (0,)))
    with pytest.raises(AssertionError):
        testing.check_grad(poly, np.array([0.5, -1.0, 2.0]))
    testing.check_grad(poly, np.array([0.5, -1.0, 2.0]), atol=1e-3)


def test_assert_matches_eager_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    real = srcxform.value_and_grad

    def wrong(f: Any, wrt: Any = 0) -> Any:
        vg = real(f, wrt=wrt)
        return lambda *args: (vg(*args)[0], vg(*args)[1] * 1.001)

    monkeypatch.setattr(srcxform, "value_and_grad", wrong)
    with pytest.raises(AssertionError, match="differs at index"):
        testing.assert_matches_eager(poly, np.array([0.5, -1.0, 2.0]))


def test_assert_matches_eager_catches_a_wrong_value(monkeypatch: pytest.MonkeyPatch) -> None:
    real = srcxform.value_and_grad
    monkeypatch.setattr(srcxform, "value_and_grad", lambda f, wrt=0: (
        lambda *a: (real(f, wrt=wrt)(*a)[0] + 1e-3, real(f, wrt=wrt)(*a)[1])))
    with pytest.raises(AssertionError, match="value of poly"):
        testing.assert_matches_eager(poly, np.array([0.5, -1.0, 2.0]))


def test_wrt_that_names_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="'q'"):
        testing.check_grad(net, X34, W42, B2, wrt="q")
    with pytest.raises(ValueError, match="5"):
        testing.check_grad(net, X34, W42, B2, wrt=5)


def test_numeric_gradient_of_a_float_argument() -> None:
    grad = testing._numeric_grad(lambda a: a ** 3, [2.0], 0, 1e-6)
    assert math.isclose(grad, 12.0, rel_tol=1e-6)  # d/da a^3 = 3a^2
