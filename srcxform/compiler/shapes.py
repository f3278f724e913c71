"""Exact shapes of values, for code specialized on its arguments' shapes.

After import, the shape of a primitive's result is known, given the exact
shapes of its array operands and the values of its constant operands
(:func:`constant_value`), whenever NumPy's own rules determine it from those
alone; otherwise ``None``.  Shapes are found by NumPy itself where that is
cheap: :func:`run_for_shape` runs the primitive on zero-strided dummies
(:func:`dummy`: no data is touched beyond a copy of the output), so this
module holds no second copy of NumPy's shape rules except for broadcasting
(:func:`broadcast_shapes`) and products (:func:`product_shape`), whose
dummies would cost real arithmetic.  Which names have which shapes at a
point of generated code is ``shapefacts.py``'s business.

A shape may also be a *pattern*, holding :class:`Dim` s (batch sizes the code
is generic in): :func:`broadcast_shapes` and :func:`product_shape` answer for
patterns too, and :func:`through_representatives` runs any shape function of
copied sizes on two sets of stand-in sizes, so that no NumPy call ever sees a
``Dim`` and a size computed from one (``n - 1``) is never mistaken for one.
"""

from __future__ import annotations

import ast
import math
import warnings
from typing import Any

import numpy as np

#: What :func:`constant_value` returns for an expression that is not a constant.
NOT_CONSTANT = object()


class Dim:
    """A size the code is generic in (a batch dimension): at least 2, the same wherever
    the same ``Dim`` appears in one call's argument shapes, otherwise unknown.  A shape
    holding one is a *pattern*; it is never a constant of generated code, never
    compared with an int but for equality (never equal to one), and NumPy is asked
    about it only through :func:`through_representatives`."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"n{self.index}"

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Dim and other.index == self.index

    def __hash__(self) -> int:
        return hash((Dim, self.index))


#: Two sets of stand-ins for :class:`Dim` ``i`` (distinct primes, none in the other set,
#: large enough that no folded bound of a slice sits between a set's values, small
#: enough that a dummy's copy of an output stays small).
REPRESENTATIVES = ((23, 29, 31, 37, 41, 43), (53, 59, 61, 67, 71, 73))


def size_expr(size: Any, sources: dict[int, tuple[str, int]]) -> ast.expr | None:
    """``size`` as an expression: a literal for an int; for a :class:`Dim`, the size of
    the parameter ``sources`` gives for it along its axis (``X.shape[0]``), or None."""
    if size.__class__ is int:
        return ast.Constant(size)
    source = sources.get(getattr(size, "index", -1))
    if source is None:
        return None
    param, axis = source
    shape = ast.Attribute(ast.Name(param, ast.Load()), "shape", ast.Load())
    return ast.Subscript(shape, ast.Constant(axis), ast.Load())


def has_dim(shape: Any) -> bool:
    """True when ``shape`` is a pattern (holds a :class:`Dim`)."""
    return shape.__class__ is tuple and any(d.__class__ is Dim for d in shape)


def through_representatives(compute: Any, patterns: list[Any]) -> tuple[Any, ...] | None:
    """What ``compute`` (shapes of ints -> a shape or None) gives for ``patterns``: run
    once per set of :data:`REPRESENTATIVES`; a size equal in both runs is that size, one
    that is ``Dim`` ``i``'s stand-in in both is ``Dim`` ``i``, and anything else (a size
    computed from a ``Dim``: ``2 * n``, ``n - 1``) makes the answer None.  Callers ask
    only for shape functions that copy, drop or permute sizes (no bound, no sum)."""
    dims = {d.index for p in patterns if p.__class__ is tuple for d in p if d.__class__ is Dim}
    if max(dims, default=0) >= len(REPRESENTATIVES[0]):
        return None
    results = []
    for reps in REPRESENTATIVES:
        concrete = [p if p.__class__ is not tuple else
                    tuple(reps[d.index] if d.__class__ is Dim else d for d in p)
                    for p in patterns]
        found = compute(concrete)
        if found is None:
            return None
        results.append(found)
    first, second = results
    if len(first) != len(second):
        return None
    out: list[Any] = []
    low, high = REPRESENTATIVES
    for a, b in zip(first, second):
        if a == b:
            out.append(a)
        elif a in low and b in high and low.index(a) == high.index(b) and low.index(a) in dims:
            out.append(Dim(low.index(a)))
        else:
            return None
    return tuple(out)
PRODUCTS = {"matmul", "dot", "outer", "inner"}


def dummy(shape: tuple[int, ...]) -> np.ndarray:
    """A read-only float64 array of ``shape`` that uses one element of memory."""
    return np.broadcast_to(np.float64(0.0), shape)


def constant_value(node: ast.AST) -> Any:
    """The Python value of a constant index or argument expression, or :data:`NOT_CONSTANT`."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Slice):
        parts = [None if p is None else constant_value(p)
                 for p in (node.lower, node.upper, node.step)]
        return NOT_CONSTANT if NOT_CONSTANT in parts else slice(*parts)
    if isinstance(node, ast.Tuple):
        parts = [constant_value(e) for e in node.elts]
        return NOT_CONSTANT if any(p is NOT_CONSTANT for p in parts) else tuple(parts)
    return NOT_CONSTANT


def product_shape(name: str, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape of ``a @ b``, ``np.dot``, ``np.outer`` or ``np.inner`` of these shapes
    (or patterns: ``has_dim``)."""
    if has_dim(a) or has_dim(b):
        return through_representatives(lambda s: product_shape(name, *s), [a, b])
    try:
        if name == "outer":
            return (math.prod(a), math.prod(b))
        if name in ("inner", "dot") and (not a or not b):  # a 0-d operand: a * b
            return np.broadcast_shapes(a, b)
        if name == "inner":
            return a[:-1] + b[:-1]
            return np.broadcast_shapes(a, b)
        if name == "dot" and len(b) > 2:
            return None
        if len(a) == 1 and len(b) == 1:
            return ()
        if len(b) == 1:
            return a[:-1]
        if len(a) == 1:
            return b[:-2] + b[-1:]
        return np.broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])
    except (ValueError, IndexError):
        return None


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape NumPy broadcasts ``shapes`` to, or ``None`` when they do not broadcast.
    Tuples of at most 32 non-negative ints are broadcast here, by NumPy's rule (the
    optimizer asks hundreds of times per function; ``np.broadcast_shapes`` makes arrays
    to answer); anything else is NumPy's to answer."""
    if len(shapes) == 2:  # (the usual question: two equal shapes, or one a scalar's)
        a, b = shapes
        if a.__class__ is tuple and b.__class__ is tuple and (a == b or not a or not b):
            shape = a or b
            if len(shape) <= 32 and all(d.__class__ is int and d >= 0 for d in shape):
                return shape
    if all(shape.__class__ is tuple and len(shape) <= 32
           and all(d.__class__ is int and d >= 0 for d in shape) for shape in shapes):
        out = list(max(shapes, key=len, default=()))
        for shape in shapes:
            offset = len(out) - len(shape)
            for i, d in enumerate(shape, offset):
                have = out[i]
                if d != have:
                    if have == 1:
                        out[i] = d
                    elif d != 1:
                        return None
        return tuple(out)
    if any(has_dim(shape) for shape in shapes):
        return through_representatives(lambda s: broadcast_shapes(*s), list(shapes))
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def run_for_shape(fn: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[int, ...] | None:
    """The shape of ``fn(*args, **kwargs)`` where array arguments are dummies."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return tuple(np.shape(fn(*args, **kwargs)))
    except Exception:
        return None
