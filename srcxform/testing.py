"""Testing helpers: gradients checked against finite differences and the eager runtime.

After import, :func:`check_grad` compares ``srcxform.grad(f, wrt=...)`` with
central finite differences in float64 and :func:`assert_matches_eager`
compares the transformed value and gradient with ``f`` run eagerly on
tensors; both raise ``AssertionError`` naming the worst element on mismatch.
The gradient checked is what ``grad`` serves now (its cache rebuilds after a
rule, helper or default changed), and for a function with a rule registered
by ``sx.adjoint`` it is the rule's: ``check_grad`` never passes a wrong rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

EPS = 1e-6


def _positions(f: Callable[..., Any], args: tuple, wrt: Any) -> list[int]:
    """Positional indices of the ``wrt`` arguments (indices or parameter names)."""
    names = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, (tuple, list)) else (wrt,)
    out = []
    for w in items:
        if isinstance(w, str):
            if w not in names[:len(args)]:
                raise ValueError(f"wrt={w!r} names no positional argument of {f.__name__}")
            out.append(names.index(w))
        else:
            if not -len(args) <= w < len(args):
                raise ValueError(f"wrt={w!r} is out of range for {len(args)} arguments")
            out.append(w % len(args))
    return out


def _as_float64(a: Any) -> Any:
    """Floating arguments in float64 (finite differences need the precision); others as given."""
    if isinstance(a, (bool, int, np.integer)):
        return a
    if isinstance(a, (float, np.floating)):
        return float(a)
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return a.astype(np.float64)
    return a


def _scalar(value: Any) -> float:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"f must return a scalar, got an array of shape {arr.shape}")
    return float(arr.reshape(()))


def _numeric_grad(f: Callable[..., Any], args: list, pos: int, eps: float) -> Any:
    x = args[pos]
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        hi, lo = list(args), list(args)
        h = eps * max(1.0, abs(x))
        hi[pos], lo[pos] = x + h, x - h
        return (_scalar(f(*hi)) - _scalar(f(*lo))) / (2 * h)
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        h = eps * max(1.0, abs(float(x[idx])))
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        hi, lo = list(args), list(args)
        hi[pos], lo[pos] = xp, xm
        grad[idx] = (_scalar(f(*hi)) - _scalar(f(*lo))) / (2 * h)
    return grad


def _worst(analytic: Any, expected: Any, rtol: float, atol: float) -> tuple | None:
    """``(index, analytic, expected)`` of the worst element outside tolerance, else None."""
    a = np.asarray(analytic, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return ("shape", a.shape, e.shape)
    excess = np.abs(a - e) - (atol + rtol * np.abs(e))
    excess = np.where(np.isnan(a) != np.isnan(e), np.inf, np.nan_to_num(excess, nan=-1.0))
    if excess.size == 0 or excess.max() <= 0:
        return None
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
    return (idx, float(a[idx]), float(e[idx]))


def _as_tuple(value: Any, n: int, single: bool) -> tuple:
    return (value,) if single else tuple(value)


def check_grad(f: Callable[..., Any], *args: Any, wrt: Any = 0, rtol: float = 1e-5,
               atol: float = 1e-6, eps: float = EPS) -> None:
    """Assert that ``srcxform.grad(f, wrt=wrt)(*args)`` matches central differences."""
    import srcxform

    args64 = [_as_float64(a) for a in args]
    positions = _positions(f, tuple(args64), wrt)
    single = not isinstance(wrt, (tuple, list))
    analytic = _as_tuple(srcxform.grad(f, wrt=wrt)(*args64), len(positions), single)
    for pos, got in zip(positions, analytic):
        numeric = _numeric_grad(f, args64, pos, eps)
        bad = _worst(got, numeric, rtol, atol)
        if bad is not None:
            raise AssertionError(_report(f, pos, bad, "numeric (central differences)"))


def _report(f: Callable[..., Any], pos: int, bad: tuple, other: str) -> str:
    name = getattr(f, "__name__", "f")
    if bad[0] == "shape":
        return (f"gradient of {name} w.r.t. argument {pos}: shape {bad[1]} but {other} "
                f"has shape {bad[2]}")
    return (f"gradient of {name} w.r.t. argument {pos} differs at index {bad[0]}: "
            f"analytic {bad[1]!r}, {other} {bad[2]!r}")


def assert_matches_eager(f: Callable[..., Any], *args: Any, wrt: Any = 0, rtol: float = 1e-7,
                         atol: float = 1e-9) -> None:
    """Assert that the transformed value and gradient equal ``f`` run eagerly on tensors."""
    import srcxform
    from srcxform import runtime

    args64 = [_as_float64(a) for a in args]
    positions = _positions(f, tuple(args64), wrt)
    single = not isinstance(wrt, (tuple, list))
    eager_args = []
    for i, a in enumerate(args64):
        if i in positions:
            eager_args.append(runtime.tensor(np.asarray(a, dtype=np.float64), requires_grad=True))
        elif isinstance(a, np.ndarray):
            eager_args.append(runtime.tensor(a))
        else:
            eager_args.append(a)
    out = f(*eager_args)
    eager_value = _scalar(out.detach().numpy() if isinstance(out, runtime.Tensor) else out)
    if isinstance(out, runtime.Tensor) and out.requires_grad:
        out.backward()
    eager_grads = []
    for i in positions:
        g = eager_args[i].grad
        eager_grads.append(np.zeros(np.shape(args64[i])) if g is None else g.numpy())

    value, grads = srcxform.value_and_grad(f, wrt=wrt)(*args64)
    grads = _as_tuple(grads, len(positions), single)
    name = getattr(f, "__name__", "f")
    bad = _worst(value, eager_value, rtol, atol)
    if bad is not None:
        raise AssertionError(f"value of {name}: transformed {bad[1]!r}, eager {bad[2]!r}")
    plain = _as_tuple(srcxform.grad(f, wrt=wrt)(*args64), len(positions), single)
    for pos, got, again, want in zip(positions, grads, plain, eager_grads):
        for result in (got, again):
            bad = _worst(result, want, rtol, atol)
            if bad is not None:
                raise AssertionError(_report(f, pos, bad, "eager"))
