"""Oracles for the model corpus, leaf by leaf over nested arguments.

Written independently of ``srcxform.tree`` (the module under test elsewhere):
:func:`leaf_paths` lists the numeric leaves of an argument (tuples, lists,
dicts by sorted key; ``None`` and non-numeric leaves hold no gradient) with
the path to each; :func:`replace` rebuilds an argument with one leaf
changed.  On top of them:

* :func:`fd_gradient` — central finite differences of ``f`` with respect to
  argument ``i``, element by element, in the argument's own structure;
* :func:`fd_directional` — ``(f(x + e t) - f(x - e t)) / 2e`` along a tree
  of tangents;
* :func:`fd_jacobian` — the same, column by column, for an array-valued ``f``
  (all three from ``tests/helpers.py``'s one formula, along directions that are
  trees with ``None`` at the leaves held constant);
* :func:`assert_structure` — a gradient has its argument's containers
  (types, lengths, keys), each leaf its leaf's shape, a float dtype, and a
  Python float for a Python float;
* :func:`assert_leaves_close` — values compared leaf by leaf by path.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from tests.helpers import central_difference, jacobian_difference

Path = tuple


def is_leaf_with_gradient(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, (float, np.floating)):
        return True
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def _children(x: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(x, (tuple, list)):
        return list(enumerate(x))
    if isinstance(x, dict):
        return [(k, x[k]) for k in sorted(x)]
    return None


def leaf_paths(x: Any, prefix: Path = ()) -> list[tuple[Path, Any]]:
    """``[(path, leaf)]`` for every float leaf of ``x``, depth first."""
    kids = _children(x)
    if kids is None:
        return [(prefix, x)] if is_leaf_with_gradient(x) else []
    out = []
    for key, child in kids:
        out.extend(leaf_paths(child, prefix + (key,)))
    return out


def get(x: Any, path: Path) -> Any:
    for key in path:
        x = x[key]
    return x


def replace(x: Any, path: Path, value: Any) -> Any:
    """``x`` with the leaf at ``path`` replaced (containers rebuilt, others shared)."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(x, dict):
        out = dict(x)
        out[key] = replace(x[key], rest, value)
        return out
    items = list(x)
    items[key] = replace(x[key], rest, value)
    if isinstance(x, list):
        return items
    if hasattr(type(x), "_fields"):
        return type(x)(*items)
    return tuple(items)


def random_like(x: Any, rng: np.random.Generator) -> Any:
    """A tree like ``x`` with normal values at every float leaf (floats stay floats)."""
    for path, leaf in leaf_paths(x):
        value = float(rng.normal()) if isinstance(leaf, float) else rng.normal(size=np.shape(leaf))
        x = replace(x, path, value)
    return x


def _none_like(x: Any) -> Any:
    """A tree of ``x``'s containers with ``None`` at every leaf: a direction holding it."""
    kids = _children(x)
    if kids is None:
        return None
    if isinstance(x, dict):
        return {k: _none_like(v) for k, v in x.items()}
    items = [_none_like(v) for v in x]
    if isinstance(x, list):
        return items
    return type(x)(*items) if hasattr(type(x), "_fields") else tuple(items)


def _float_directions(x: Any, tangent: Any) -> Any:
    """A direction for ``x`` along ``tangent`` at its float leaves only (others held)."""
    direction = _none_like(x)
    for path, _ in leaf_paths(x):
        direction = replace(direction, path, get(tangent, path))
    return direction


def fd_gradient(f: Callable[..., Any], args: tuple, i: int, eps: float = 1e-6) -> Any:
    """Central differences of scalar ``f`` w.r.t. ``args[i]``, in ``args[i]``'s structure
    (``tests/helpers.central_difference`` along each element of each float leaf)."""
    arg = args[i]
    grad = arg
    for path, leaf in leaf_paths(arg):
        base = np.array(leaf, dtype=float)
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            basis = np.zeros(base.shape)
            basis[idx] = 1.0
            direction = replace(_none_like(arg), path,
                                float(basis) if isinstance(leaf, float) else basis)
            directions = [direction if j == i else None for j in range(len(args))]
            g[idx] = float(central_difference(f, args, directions, eps))
        grad = replace(grad, path, float(g) if isinstance(leaf, float) else g)
    return grad


def fd_directional(f: Callable[..., Any], args: tuple, tangents: tuple,
                   eps: float = 1e-6) -> float:
    """``(f(x + e t) - f(x - e t)) / 2e`` along ``tangents`` (at the float leaves)."""
    directions = [None if t is None else _float_directions(a, t) for a, t in zip(args, tangents)]
    return float(central_difference(f, args, directions, eps))


def tree_vdot(grad: Any, tangent: Any) -> float:
    """Sum over float leaves of ``<grad leaf, tangent leaf>`` (paths of ``tangent``)."""
    total = 0.0
    for path, t in leaf_paths(tangent):
        total += float(np.sum(np.asarray(get(grad, path), dtype=float) * t))
    return total


def assert_structure(g: Any, arg: Any, what: str) -> None:
    """``g`` has ``arg``'s containers and leaf shapes; float leaves get float gradients."""
    kids = _children(arg)
    if kids is None:
        if not is_leaf_with_gradient(arg):
            return
        if type(arg) is float:
            assert type(g) is float, \
                f"{what}: a float leaf must get a Python float, got {type(g).__name__}"
            return
        assert np.shape(g) == np.shape(arg), \
            f"{what}: gradient shape {np.shape(g)} != leaf shape {np.shape(arg)}"
        assert np.asarray(g).dtype.kind == "f", f"{what}: gradient dtype {np.asarray(g).dtype}"
        return
    assert type(g) is type(arg), \
        f"{what}: gradient is a {type(g).__name__}, the argument a {type(arg).__name__}"
    if isinstance(arg, dict):
        assert sorted(g) == sorted(arg), f"{what}: keys {sorted(g)} != {sorted(arg)}"
    else:
        assert len(g) == len(arg), f"{what}: {len(g)} entries, the argument has {len(arg)}"
    for key, child in kids:
        assert_structure(g[key], child, f"{what}[{key!r}]")


def assert_leaves_close(actual: Any, expected: Any, arg: Any, *, rtol: float, atol: float,
                        what: str) -> None:
    """Every float leaf of ``arg``'s structure: ``actual`` close to ``expected``."""
    for path, _ in leaf_paths(arg):
        a = np.asarray(get(actual, path), dtype=float)
        b = np.asarray(get(expected, path), dtype=float)
        where = what + "".join(f"[{k!r}]" for k in path)
        assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
        scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol * scale, err_msg=where)


def fd_jacobian(f: Callable[..., Any], args: tuple, i: int, eps: float = 1e-6) -> np.ndarray:
    """Central differences of array-valued ``f`` w.r.t. array or float ``args[i]``:
    shape ``f(...).shape + args[i].shape`` (``tests/helpers.jacobian_difference``)."""
    return jacobian_difference(f, args, i, eps)
