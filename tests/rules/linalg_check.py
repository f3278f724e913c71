"""A checker for rules of matrix functions: tuple outputs, symmetric inputs, stacks.

After import, :func:`check_case` raises ``AssertionError`` unless, for one call of a
primitive (a :class:`Case` whose placeholders make well-conditioned inputs: SPD,
symmetric with distinct eigenvalues, distinct singular values, real distinct
eigenvalues), its rule of the table

* gives, for each differentiated argument, a gradient of the argument's shape and
  dtype that agrees with central finite differences of ``sum_k <g_k, out_k>`` (per
  element for small non-symmetric inputs, along random directions otherwise;
  along symmetric directions for inputs read as symmetric matrices), with a
  cotangent on each output of a tuple separately and on all of them at once;
* has a tangent (``registry.tangent``) of the output's structure that agrees with
  finite differences along a random direction, and satisfies the dot-product
  identity ``<g, J t> == <J^T g, t>`` with the gradient;
* keeps float32 inputs' gradients and tangents float32 (``check_float32``).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from srcxform.rules import registry
from tests.helpers import central_difference, finite_difference

EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-6
FULL_FD_MAX = 30  # above this many elements, check along random directions


@dataclass(frozen=True)
class M:
    """A float64 array of ``shape`` of a ``kind`` (matrices in the last two axes):

    ``normal`` (standard normal), ``invertible`` (normal + n I), ``spd``
    (B B^T / n + I), ``sym`` (symmetric, eigenvalues 1, 2, ..., n plus noise),
    ``sv`` (singular values 1..k spread, well separated), ``eig`` (real distinct
    eigenvalues, well-conditioned eigenvectors), ``positive`` (uniform in [0.5, 2)),
    ``triangular`` (lower, diagonal in [1, 2); ``upper``: its transpose),
    ``uniform`` (in [lo, hi)),
    ``simplex`` (positive, each column along axis 0 summing to 1).
    """

    shape: tuple[int, ...]
    kind: str = "normal"
    lo: float = 0.0
    hi: float = 1.0

    @property
    def symmetric(self) -> bool:
        return self.kind in ("spd", "sym")

    @property
    def directional(self) -> bool:
        """Checked along admissible random directions only (not element by element)."""
        return self.symmetric or self.kind == "simplex"

    def make(self, rng: np.random.Generator) -> np.ndarray:
        shape = self.shape
        if self.kind == "normal":
            return rng.standard_normal(shape)
        if self.kind == "uniform":
            return rng.uniform(self.lo, self.hi, shape)
        if self.kind == "positive":
            return rng.uniform(0.5, 2.0, shape)
        if self.kind == "simplex":  # points of the simplex along axis 0
            x = rng.uniform(0.5, 2.0, shape)
            return x / np.sum(x, axis=0)
        n = shape[-1]
        if self.kind == "invertible":
            return rng.standard_normal(shape) + n * np.eye(n)
        if self.kind in ("triangular", "upper"):
            low = np.tril(rng.standard_normal(shape), -1) * 0.5
            low = low + np.eye(n) * rng.uniform(1.0, 2.0, shape[:-1])[..., None]
            return low if self.kind == "triangular" else np.swapaxes(low, -1, -2)
        if self.kind == "spd":
            b = rng.standard_normal(shape)
            return b @ np.swapaxes(b, -1, -2) / n + np.eye(n)
        if self.kind == "sym":
            q = np.linalg.qr(rng.standard_normal(shape))[0]
            w = np.arange(1.0, n + 1.0) + rng.uniform(-0.2, 0.2, shape[:-2] + (n,))
            return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)
        if self.kind == "sv":
            m = shape[-2]
            k = min(m, n)
            u = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, k)))[0]
            v = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, k)))[0]
            s = np.arange(k, 0, -1) + 0.5 + rng.uniform(-0.2, 0.2, shape[:-2] + (k,))
            return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)
        if self.kind == "eig":
            v = rng.standard_normal(shape) * 0.3 + np.eye(n)
            w = np.arange(1.0, n + 1.0) * 1.5 + rng.uniform(-0.2, 0.2, shape[:-2] + (n,))
            return (v * w[..., None, :]) @ np.linalg.inv(v)
        raise ValueError(self.kind)


@dataclass(frozen=True)
class Case:
    """A call: positional and keyword arguments (placeholders or literals) and the
    positions to differentiate (default: every placeholder)."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    wrt: tuple[int, ...] | None = None
    raises: type[Exception] | None = None

    def positions(self) -> tuple[int, ...]:
        if self.wrt is not None:
            return self.wrt
        return tuple(i for i, a in enumerate(self.args) if isinstance(a, (M, list)))

    def label(self) -> str:
        def show(a: Any) -> str:
            if isinstance(a, M):
                return f"{a.kind}{a.shape}".replace(" ", "")
            if isinstance(a, list):
                return "[" + ",".join(show(e) for e in a) + "]"
            return repr(a)
        parts = [show(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return ",".join(parts)


def c(*args: Any, wrt: tuple[int, ...] | None = None, raises: type[Exception] | None = None,
      **kwargs: Any) -> Case:
    return Case(args, kwargs, wrt, raises)


def rng_for(label: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(label.encode()))


def materialize(case: Case, rng: np.random.Generator, dtype: Any = np.float64
                ) -> tuple[list, dict]:
    def make(a: Any) -> Any:
        if isinstance(a, M):
            return a.make(rng).astype(dtype)
        if isinstance(a, list):
            return [make(e) for e in a]
        return a
    assert not any(isinstance(v, (M, list)) for v in case.kwargs.values()), \
        "placeholders are positional (keyword values are options)"
    return [make(a) for a in case.args], dict(case.kwargs)


def _leaves(case: Case) -> list[tuple[tuple[int, ...], M]]:
    """(address, placeholder) of each differentiated value: (i,) or (i, k) in a list."""
    out = []
    for i in case.positions():
        a = case.args[i]
        if isinstance(a, list):
            out += [((i, k), e) for k, e in enumerate(a) if isinstance(e, M)]
        else:
            out.append(((i,), a))
    return out


def _get(args: list, address: tuple[int, ...]) -> Any:
    value = args[address[0]]
    return value[address[1]] if len(address) == 2 else value


def _with(args: list, address: tuple[int, ...], value: Any) -> list:
    new = list(args)
    if len(address) == 2:
        seq = list(new[address[0]])
        seq[address[1]] = value
        new[address[0]] = seq
    else:
        new[address[0]] = value
    return new


def _parts(out: Any) -> list:
    return list(out) if isinstance(out, tuple) else [out]


def _parts_of(numeric: Any, out: Any) -> list:
    """``central_difference``'s result (a list for a list or tuple output) in the parts
    :func:`_parts` gives of the output ``out``."""
    return list(numeric) if isinstance(out, tuple) else [np.asarray(numeric)]


def _inner(a: Any, b: Any) -> float:
    return float(sum(np.sum(np.asarray(x, dtype=float) * np.asarray(y, dtype=float))
                     for x, y in zip(_parts(a), _parts(b))))


def _direction(placeholder: M, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal(np.shape(x))
    if placeholder.symmetric:
        v = v + np.swapaxes(v, -1, -2)
    if placeholder.kind == "simplex":  # stay on the simplex: components sum to 1
        v = v - np.mean(v, axis=0)
    return v


def _cotangents(out: Any, rng: np.random.Generator) -> list[Any]:
    """A random cotangent on each output alone (zeros on the others), then on all."""
    parts = _parts(out)
    full = [rng.standard_normal(np.shape(p)) for p in parts]
    if not isinstance(out, tuple):
        return [full[0]]
    each = [tuple(f if i == k else np.zeros(np.shape(p)) for i, (f, p) in
                  enumerate(zip(full, parts))) for k in range(len(parts))]
    return each + [tuple(full)]


def _compare(where: str, numeric: Any, analytic: Any, rtol: float, atol: float) -> None:
    numeric, analytic = np.asarray(numeric, float), np.asarray(analytic, float)
    err = np.abs(numeric - analytic) - (atol + rtol * np.abs(numeric))
    if np.any(err > 0):
        worst = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
        raise AssertionError(f"{where}: rule gives {analytic[worst]!r}, finite differences "
                             f"{numeric[worst]!r} at {worst} (of shape {numeric.shape})")


def check_case(rule: registry.Rule, primal: Callable[..., Any], case: Case,
               label: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    """The gradient and tangent checks of the module docstring for one case."""
    rng = rng_for(label)
    args, kwargs = materialize(case, rng)
    out = primal(*args, **kwargs)
    if case.raises is not None:
        import pytest
        with pytest.raises(case.raises):
            rule.vjp(_cotangents(out, rng)[-1], out, *args, **kwargs)
        return
    leaves = _leaves(case)
    for g in _cotangents(out, rng):
        grads = rule.vjp(g, out, *args, **kwargs)
        assert isinstance(grads, tuple), f"rule returned {type(grads).__name__}"

        def phi(new_args: list, g: Any = g) -> float:
            return _inner(g, primal(*new_args, **kwargs))

        for address, placeholder in leaves:
            x = _get(args, address)
            grad = grads[address[0]]
            assert grad is not None, f"no gradient for argument {address}"
            if len(address) == 2:
                grad = grad[address[1]]
            if rule.elementwise:
                grad = registry.unbroadcast(grad, x)
            where = f"gradient of argument {address} (cotangent {_describe(g)})"
            assert np.shape(grad) == np.shape(x), \
                f"{where}: shape {np.shape(grad)} != {np.shape(x)}"
            assert np.all(np.isfinite(grad)), f"{where}: not finite"
            def along(y: Any, address: tuple[int, ...] = address) -> Any:
                return phi(_with(args, address, y))

            if np.size(x) <= FULL_FD_MAX and not placeholder.directional:
                numeric = finite_difference(along, [x], 0, EPS)
                _compare(where, numeric, grad, rtol, atol)
            else:
                for _ in range(3):
                    v = _direction(placeholder, x, rng)
                    numeric = central_difference(along, [x], [v], EPS)
                    _compare(where + " along a random direction", numeric, np.sum(grad * v),
                             rtol, atol)
    _check_tangents(rule, primal, case, args, kwargs, out, leaves, rng, rtol, atol)


def _describe(g: Any) -> str:
    if not isinstance(g, tuple):
        return "on the output"
    live = [i for i, p in enumerate(g) if np.any(p)]
    return "on all outputs" if len(live) == len(g) else f"on output {live}"


def _check_tangents(rule: registry.Rule, primal: Callable[..., Any], case: Case, args: list,
                    kwargs: dict, out: Any, leaves: list, rng: np.random.Generator,
                    rtol: float, atol: float) -> None:
    for address, placeholder in leaves:
        x = _get(args, address)
        t = _direction(placeholder, x, rng)
        if len(address) == 2:
            t_arg = [np.zeros_like(e) for e in args[address[0]]]
            t_arg[address[1]] = t
        else:
            t_arg = t
        jt = registry.tangent(rule, primal, address[0], t_arg, out, args, kwargs)
        where = f"tangent of argument {address}"
        assert isinstance(jt, tuple) == isinstance(out, tuple), f"{where}: structure"
        for a, b in zip(_parts(jt), _parts(out)):
            assert np.shape(a) == np.shape(b), f"{where}: shape {np.shape(a)} != {np.shape(b)}"
        numeric = central_difference(
            lambda y, address=address: primal(*_with(args, address, y), **kwargs), [x], [t], EPS)
        for k, (a, n) in enumerate(zip(_parts(jt), _parts_of(numeric, out))):
            _compare(f"{where}, output {k}", n, a, rtol, atol)
        g = _cotangents(out, rng)[-1]
        grads = rule.vjp(g, out, *args, **kwargs)
        grad = grads[address[0]]
        grad = grad[address[1]] if len(address) == 2 else grad
        if rule.elementwise:
            grad = registry.unbroadcast(grad, x)
        lhs, rhs = _inner(g, jt), float(np.sum(np.asarray(grad) * t))
        assert math.isclose(lhs, rhs, rel_tol=1e-7, abs_tol=1e-9), \
            f"{where}: <g, J t> = {lhs} but <J^T g, t> = {rhs}"


def check_float32(rule: registry.Rule, primal: Callable[..., Any], case: Case,
                  label: str) -> None:
    """Gradients and tangents of float32 inputs are float32 (where the primal keeps
    float32: SciPy's distributions compute in float64)."""
    rng = rng_for("float32" + label)
    args, kwargs = materialize(case, rng, np.float32)
    out = primal(*args, **kwargs)
    if any(np.result_type(p) != np.float32 for p in _parts(out)
           if np.issubdtype(np.result_type(p), np.floating)):
        return
    g = tuple(np.ones_like(p) for p in out) if isinstance(out, tuple) else np.ones_like(out)
    grads = rule.vjp(g, out, *args, **kwargs)
    for address, placeholder in _leaves(case):
        grad = grads[address[0]]
        grad = grad[address[1]] if len(address) == 2 else grad
        assert np.result_type(grad) == np.float32, f"gradient {address}: {np.result_type(grad)}"
        x = _get(args, address)
        t = _direction(placeholder, x, rng).astype(np.float32)
        if len(address) == 2:
            t_arg = [np.zeros_like(e) for e in args[address[0]]]
            t_arg[address[1]] = t
        else:
            t_arg = t
        jt = registry.tangent(rule, primal, address[0], t_arg, out, args, kwargs)
        for part in _parts(jt):
            if np.issubdtype(np.result_type(part), np.floating):
                assert np.result_type(part) == np.float32, f"tangent {address}: {part.dtype}"
