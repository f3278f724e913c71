"""Independent oracles for the tests: central finite differences and HIPS autograd.

Every finite difference of the suite is computed here, from one formula
(:func:`central_difference`): ``(f(x + eps t) - f(x - eps t)) / (2 eps)``
along a direction ``t`` given per argument (a ``None`` direction, or entry of a list,
tuple or dict of directions, holds its value; complex values and directions keep their
imaginary parts).  The other helpers are that
formula along the coordinate directions of one argument
(:func:`finite_difference`, :func:`jacobian_difference`), and the
four-point second difference (:func:`second_difference`).  Steps default to
``EPS`` = 1e-6 in float64.
"""

from __future__ import annotations

import types
from typing import Any, Callable, Sequence

import numpy as np

#: The default step of every difference.
EPS = 1e-6


def _shift(value: Any, direction: Any, h: float) -> Any:
    """``value + h * direction``: a ``None`` direction holds the value; a list, tuple
    (named too) or dict along one of directions moves entry by entry (and stays one; a
    ``None`` entry holds its entry)."""
    if direction is None:
        return value
    if isinstance(value, dict) and isinstance(direction, dict):
        return {k: _shift(v, direction.get(k), h) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and isinstance(direction, (list, tuple)):
        moved = [_shift(v, d, h) for v, d in zip(value, direction)]
        return type(value)(*moved) if hasattr(type(value), "_fields") else type(value)(moved)
    return value + h * direction


def _difference(up: Any, down: Any, eps: float) -> Any:
    """``(up - down) / (2 eps)`` in float64 (complex128 for a complex output); a list or
    tuple output element by element."""
    if isinstance(up, (list, tuple)):
        return [_difference(u, d, eps) for u, d in zip(up, down)]
    wide = complex if np.iscomplexobj(up) or np.iscomplexobj(down) else float
    return (np.asarray(up, dtype=wide) - np.asarray(down, dtype=wide)) / (2 * eps)


def central_difference(f: Callable[..., Any], args: Sequence[Any], directions: Sequence[Any],
                       eps: float = EPS) -> Any:
    """The derivative of ``f(*args)`` along ``directions`` (one per argument, ``None``:
    held constant; complex directions too) by central differences: a float64 array of
    ``f``'s output shape, complex128 for a complex output (a list of them for a list or
    tuple output)."""
    up = f(*[_shift(a, d, eps) for a, d in zip(args, directions)])
    down = f(*[_shift(a, d, -eps) for a, d in zip(args, directions)])
    return _difference(up, down, eps)


def _coordinates(args: Sequence[Any], i: int):
    """``args[i]`` as a float64 array, whether it is a Python scalar, and for each of its
    elements the directions moving that element alone."""
    x = args[i]
    scalar = np.ndim(x) == 0 and not isinstance(x, np.ndarray)
    x = np.array(x, dtype=float)
    args = list(args)
    args[i] = float(x) if scalar else x

    def directions():
        for idx in np.ndindex(x.shape):
            basis = np.zeros(x.shape)
            basis[idx] = 1.0
            direction: list[Any] = [None] * len(args)
            direction[i] = float(basis) if scalar else basis
            yield idx, direction

    return args, x, scalar, directions()


def finite_difference(f: Callable[..., Any], args: Sequence[Any], i: int,
                      eps: float = EPS) -> Any:
    """The gradient of scalar ``f`` with respect to ``args[i]``, element by element
    (a float for a float argument; complex where ``f`` is complex)."""
    args, x, scalar, directions = _coordinates(args, i)
    g = np.array([np.reshape(central_difference(f, args, direction, eps), ())
                  for _, direction in directions]).reshape(x.shape)
    return g.item() if scalar else g


def jacobian_difference(f: Callable[..., Any], args: Sequence[Any], i: int,
                        eps: float = EPS) -> np.ndarray:
    """The derivative of array-valued ``f`` with respect to ``args[i]``: shape
    ``f(...).shape + args[i].shape`` (a column per element of ``args[i]``)."""
    args, x, _, directions = _coordinates(args, i)
    columns = [central_difference(f, args, direction, eps) for _, direction in directions]
    return np.stack(columns, axis=-1).reshape(np.shape(columns[0]) + x.shape)


def second_difference(f: Callable[..., Any], args: Sequence[Any], i: int,
                      eps: float = 1e-4) -> np.ndarray:
    """The Hessian of scalar ``f`` with respect to ``args[i]`` by four-point differences
    ``(f(x+a+b) - f(x+a-b) - f(x-a+b) + f(x-a-b)) / (4 eps^2)``: shape ``x.shape * 2``."""
    x = np.array(args[i], dtype=float)
    n = x.size

    def at(delta: np.ndarray) -> float:
        live = list(args)
        moved = x + delta.reshape(x.shape)
        live[i] = float(moved) if isinstance(args[i], float) else moved
        return float(f(*live))

    H = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            ea, eb = np.eye(n)[a] * eps, np.eye(n)[b] * eps
            H[a, b] = (at(ea + eb) - at(ea - eb) - at(eb - ea) + at(-ea - eb)) / (4 * eps ** 2)
    return H.reshape(x.shape + x.shape)


def with_autograd_numpy(f):
    """The same function source with ``np`` rebound to ``autograd.numpy``."""
    import autograd.numpy as anp

    glob = dict(f.__globals__)
    glob["np"] = anp
    twin = types.FunctionType(f.__code__, glob, f.__name__, f.__defaults__, f.__closure__)
    twin.__kwdefaults__ = f.__kwdefaults__
    return twin


def as_tuple(wrt):
    """``wrt`` as a tuple of parameter indices."""
    return wrt if isinstance(wrt, tuple) else (wrt,)


def generated_source(f: Callable[..., Any], args: Sequence[Any], wrt: Any) -> str:
    """The source of ``sx.grad(f, wrt=wrt)`` after one call with ``args``."""
    import srcxform as sx

    df = sx.grad(f, wrt=wrt)
    df(*args)
    return sx.source(df)


def agrees_with_autograd(f: Callable[..., Any], args: Sequence[Any], wrt: Sequence[int]) -> None:
    """``sx.grad(f, wrt=wrt)`` equals HIPS autograd's gradient of the same source (skipped
    without autograd), and ``check_grad`` (central differences) passes."""
    import pytest

    import srcxform as sx
    from srcxform.testing import check_grad

    ag = pytest.importorskip("autograd")
    ours = sx.grad(f, wrt=wrt)(*args)
    for i, got in zip(wrt, ours):
        want = ag.grad(with_autograd_numpy(f), i)(*args)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    check_grad(f, *args, wrt=wrt)
