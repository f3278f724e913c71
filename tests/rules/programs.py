"""Small programs that use the matrix and SciPy rules the way models do, and a checker.

After import, ``check_program(f, args, ...)`` raises ``AssertionError`` unless, for
``f`` compiled by srcxform: ``sx.grad`` agrees with central finite differences
along random directions (symmetric ones for the arguments listed in ``sym``),
``sx.jvp`` agrees with finite differences along a random direction,
``sx.vjp``'s pullback of 1 equals the gradient, optionally ``sx.hessian``
applied to a direction agrees with finite differences of the gradient, and
optionally HIPS autograd, running the same source on ``autograd.numpy`` /
``autograd.scipy``, gives the same gradient (along the same directions).
"""

from __future__ import annotations

import types
from typing import Any, Callable

import numpy as np

import srcxform as sx
from tests.helpers import central_difference

EPS = 1e-6


def directions(x: np.ndarray, symmetric: bool, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal(np.shape(x))
    return v + np.swapaxes(v, -1, -2) if symmetric else v


def _with(args: tuple, i: int, value: Any) -> tuple:
    return args[:i] + (value,) + args[i + 1:]


def _along(args: tuple, i: int, direction: Any) -> tuple:
    """Directions for ``args``: ``direction`` for argument ``i``, the others held."""
    return tuple(direction if j == i else None for j in range(len(args)))


def _close(what: str, got: float, want: float, rtol: float, atol: float) -> None:
    if not abs(got - want) <= atol + rtol * abs(want):
        raise AssertionError(f"{what}: srcxform gives {got!r}, the oracle {want!r}")


def for_autograd(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` with ``np``, ``special``, ``stats``, ``sla`` rebound to autograd's modules."""
    import autograd.numpy as anp
    import autograd.scipy.linalg as alinalg
    import autograd.scipy.special as aspecial
    import autograd.scipy.stats as astats

    glob = dict(f.__globals__)
    glob.update(np=anp, special=aspecial, stats=astats, sla=alinalg)
    return types.FunctionType(f.__code__, glob, f.__name__, f.__defaults__, f.__closure__)


def check_program(f: Callable[..., Any], args: tuple, wrt: int = 0, sym: bool = False,
                  hessian: bool = False, autograd: bool = False, rtol: float = 1e-5,
                  atol: float = 1e-6, seed: int = 0) -> None:
    """The checks of the module docstring, for argument ``wrt`` of ``f``."""
    rng = np.random.default_rng(seed)
    x = args[wrt]
    grad = sx.grad(f, wrt=wrt)(*args)
    assert np.shape(grad) == np.shape(x), (np.shape(grad), np.shape(x))
    for _ in range(2):
        v = directions(x, sym, rng)
        numeric = float(central_difference(f, args, _along(args, wrt, v), EPS))
        _close(f"grad of {f.__name__} along a direction", float(np.sum(grad * v)), numeric,
               rtol, atol)
    t = directions(x, sym, rng)
    tangents = tuple(t if i == wrt else None for i in range(len(args)))
    value, jt = sx.jvp(f, args, tangents)
    numeric = float(central_difference(f, args, _along(args, wrt, t), EPS))
    _close(f"jvp of {f.__name__}", float(jt), numeric, rtol, atol)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    out, pullback = sx.vjp(f, *args)
    np.testing.assert_allclose(pullback(1.0)[wrt], grad, rtol=1e-10, atol=1e-12)
    if hessian:
        h = sx.hessian(f, wrt=wrt)(*args)
        v = directions(x, sym, rng)
        df = sx.grad(f, wrt=wrt)
        numeric = central_difference(df, args, _along(args, wrt, v), 1e-5)
        hv = np.tensordot(h, v, axes=np.ndim(x))
        w = directions(x, sym, rng)  # compare along a (symmetric) direction too
        _close(f"hessian of {f.__name__}", float(np.sum(hv * w)), float(np.sum(numeric * w)),
               1e-4, 1e-5)
    if autograd:
        import autograd

        theirs = autograd.grad(for_autograd(f), wrt)(*args)
        for _ in range(2):
            v = directions(x, sym, rng)
            _close(f"grad of {f.__name__} against autograd", float(np.sum(grad * v)),
                   float(np.sum(theirs * v)), 1e-7, 1e-9)
