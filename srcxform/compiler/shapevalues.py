"""Values that follow from shapes alone, in code specialized on argument shapes.

After import:

* :func:`shape_only_value` evaluates, at transform time, an expression that
  reads arrays only through their known shapes (``np.cumsum([np.shape(a)[0]
  for a in seq])``, the split points of ``np.concatenate``'s adjoint);
* :func:`split_pieces` gives the pieces of ``np.split(g, indices, axis)`` as
  basic slices of ``g`` (the same views) when ``g``'s shape and the indices
  are known that way.

Both answer ``None``/``NOT_CONSTANT`` rather than guess; neither changes a tree.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

import numpy as np

from .. import depends
from ..rules.shaping import split_points
from .effects import pure
from .shapefacts import ShapeFacts, is_number
from .shapes import NOT_CONSTANT, dummy

_QUERIES = (np.shape, np.ndim, np.size, len)


def split_pieces(node: ast.expr, facts: ShapeFacts) -> list[ast.expr] | None:
    """For ``np.split(g, indices, axis)`` with ``g``'s shape and the indices known
    (from shapes alone), the pieces as basic slices of ``g`` (the same views)."""
    env = facts.env
    if not (isinstance(node, ast.Call) and env.resolve(node.func) is np.split
            and 2 <= len(node.args) <= 3 and not node.keywords
            and isinstance(node.args[0], ast.Name)):
        return None
    shape = facts.exact_of(node.args[0])
    axis = node.args[2].value if len(node.args) == 3 and is_number(node.args[2]) else (
        0 if len(node.args) == 2 else None)
    if shape is None or not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
        return None
    axis %= len(shape)
    indices = shape_only_value(node.args[1], facts)
    if isinstance(indices, np.ndarray) and indices.ndim == 1 \
            and np.issubdtype(indices.dtype, np.integer):
        indices = indices.tolist()
    if not (isinstance(indices, (list, tuple)) and all(
            type(i) is int and 0 <= i <= shape[axis] for i in indices)
            and list(indices) == sorted(indices)):
        return None
    bounds = [0, *indices, shape[axis]]
    pieces: list[ast.expr] = []
    for lo, hi in zip(bounds, bounds[1:]):
        part = ast.Slice(None if lo == 0 else ast.Constant(lo),
                         None if hi == shape[axis] else ast.Constant(hi), None)
        index = part if axis == 0 else ast.Tuple([ast.Slice()] * axis + [part], ast.Load())
        pieces.append(ast.Subscript(ast.Name(node.args[0].id, ast.Load()), index, ast.Load()))
    return pieces


def shape_only_value(node: ast.expr, facts: ShapeFacts) -> Any:
    """The value of ``node`` when it reads arrays only through their (known) shapes,
    as ``np.cumsum([np.shape(a)[0] for a in seq])``; else ``NOT_CONSTANT``."""
    if not facts.specialized or not pure(node, facts.env):
        return NOT_CONSTANT
    names: dict[str, Any] = {}
    if not _Reads(facts, names).only_shapes(node, set()):
        return NOT_CONSTANT
    try:
        with np.errstate(all="ignore"):
            return eval(compile(ast.fix_missing_locations(ast.Expression(
                copy.deepcopy(node))), "<shape>", "eval"), {"__builtins__": {}, **names})
    except Exception:
        return NOT_CONSTANT


class _Reads:
    """Checks that an expression reads arrays only through their shapes, binding each
    name it reads (to a dummy of the array's shape, or to the object a global names)."""

    def __init__(self, facts: ShapeFacts, names: dict[str, Any]) -> None:
        self.facts = facts
        self.names = names

    def known(self, n: ast.expr, bound: set[str]) -> bool:
        """True (binding a dummy) for a name whose exact shape is known."""
        if not isinstance(n, ast.Name):
            return False
        if n.id in bound:
            return True
        shape = self.facts.exact_name(n.id)
        if shape is None or n.id in self.facts.int_names:
            return False
        self.names[n.id] = dummy(shape)
        return True

    def bind_tuple(self, name: str) -> None:
        """Bind a tuple of arrays of known shapes to dummies of those shapes."""
        self.names[name] = tuple(dummy(e) for e in self.facts.tuple_shapes[name])

    def only_shapes(self, n: ast.AST, bound: set[str]) -> bool:
        """True when ``n`` reads arrays only through ``shape``/``ndim``/``size``/``len``."""
        facts = self.facts
        if isinstance(n, ast.Constant):
            return True
        if isinstance(n, ast.Name):
            if n.id in bound or n.id in facts.exact or n.id in facts.tuple_shapes:
                return False  # an array's values, not only its shape
            obj = facts.env.resolve(n)
            if obj is None:
                return False
            self.names[n.id] = depends.note_value(obj)  # the code may fold it: a dependency
            return True
        if isinstance(n, ast.Attribute):
            if n.attr in ("shape", "ndim", "size") and self.known(n.value, bound):
                return True
            return self.only_shapes(n.value, bound)
        if isinstance(n, ast.Call):
            return self.call(n, bound)
        if isinstance(n, ast.ListComp) and len(n.generators) == 1:
            gen = n.generators[0]
            if gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name) \
                    or not isinstance(gen.iter, ast.Name) \
                    or gen.iter.id not in facts.tuple_shapes:
                return False
            self.bind_tuple(gen.iter.id)
            return self.only_shapes(n.elt, bound | {gen.target.id})
        if isinstance(n, (ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.BinOp,
                          ast.UnaryOp)):
            return all(self.only_shapes(c, bound) for c in ast.iter_child_nodes(n)
                       if not isinstance(c, (ast.expr_context, ast.operator, ast.unaryop)))
        return False

    def call(self, n: ast.Call, bound: set[str]) -> bool:
        """A shape query of a known array, ``split_points`` of a sequence of them, or a
        call whose every part reads only shapes."""
        fn = self.facts.env.resolve(n.func)
        if fn in _QUERIES and len(n.args) == 1 and not n.keywords \
                and self.known(n.args[0], bound):
            return self.only_shapes(n.func, bound)
        if fn is split_points and not n.keywords:
            for a in n.args:  # it reads its sequence's shapes only
                if isinstance(a, ast.Name) and a.id in self.facts.tuple_shapes:
                    self.bind_tuple(a.id)
                elif not (isinstance(a, ast.Name) and self.known(a, bound)
                          or self.only_shapes(a, bound)):
                    return False
            return self.only_shapes(n.func, bound)
        return self.only_shapes(n.func, bound) and all(
            self.only_shapes(a, bound) for a in n.args) and all(
            self.only_shapes(k.value, bound) for k in n.keywords)
