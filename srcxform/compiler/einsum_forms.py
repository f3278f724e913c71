"""``np.einsum``'s interleaved form, written as the subscripts string NumPy reads in it.

NumPy defines ``np.einsum(a, [0, 1], b, [1, 2], [0, 2])`` (operands, each followed
by a sublist of integer labels in ``[0, 52)`` or ``Ellipsis``, and optionally an
output sublist) as the subscripts string its labels spell.  After
:func:`subscripts_form`, such a call whose sublists are constants (literals, a
tuple or list the function builds of literals, a global or closure value) is the
call ``np.einsum('ab,bc->ac', a, b)``, with the same keywords: one rule, in both
modes and to any order, differentiates it.  The output is always written out
(NumPy's implicit output is the ellipsis, then the labels used once in increasing
order).  A call in the interleaved form with a sublist srcxform cannot read at
transform time is a located ``TransformError``.  A call whose form cannot be told
(``np.einsum(spec, x, y)`` of a variable ``spec``) is left as written.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from ..rules.einsum_spec import LABELS, sublist_subscripts
from . import anno
from .diagnostics import error
from .resolve import MISSING

_NOT_CONSTANT = object()  # a sequence srcxform cannot read at transform time
_UNKNOWN = object()  # not visibly a sequence (an operand, or a value of unknown kind)


def subscripts_form(norm: Any, node: ast.Call, callee: Any) -> ast.Call:
    """``node`` with an interleaved ``np.einsum`` written with a subscripts string (see the
    module docstring); any other call is returned unchanged."""
    if callee is not np.einsum or len(node.args) < 2 \
            or any(isinstance(a, ast.Starred) for a in node.args):
        return node
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return node
    if _sublist(norm, node.args[1]) is _UNKNOWN:
        return node  # the subscripts string form (or a form only the values tell)
    pairs = len(node.args) // 2
    operands = node.args[0:2 * pairs:2]
    sublists = [_labels(norm, s) for s in node.args[1:2 * pairs:2]]
    output = _labels(norm, node.args[-1]) if len(node.args) % 2 else None
    spec = sublist_subscripts(sublists, output)
    call = ast.Call(func=node.func, args=[ast.Constant(spec), *operands],
                    keywords=node.keywords)
    return ast.copy_location(call, node)


def _labels(norm: Any, node: ast.expr) -> list:
    """The labels of a sublist argument, or a located ``TransformError``."""
    labels = _sublist(norm, node)
    if labels is _UNKNOWN or labels is _NOT_CONSTANT:
        raise error(norm.parsed, node, "np.einsum in the interleaved form (operand, sublist, "
                    "...) with a sublist srcxform cannot read at transform time: write each "
                    "sublist as a constant (a tuple or list of ints), or pass a subscripts "
                    "string", "np.einsum")
    for label in labels:
        if label is not Ellipsis and not 0 <= label < LABELS:
            raise error(norm.parsed, node, f"np.einsum's sublist label {label} is not in "
                        f"[0, {LABELS})", "np.einsum")
    return labels


def _sublist(norm: Any, node: ast.expr) -> Any:
    """The labels (ints and ``Ellipsis``) of ``node`` when it is a constant sequence,
    ``_NOT_CONSTANT`` for another sequence, ``_UNKNOWN`` when it is not visibly one."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return _constants([_item(norm, e) for e in node.elts])
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return _UNKNOWN
    held = norm.atom(node)
    if isinstance(held, ast.Constant):  # a tuple of constants the normalizer folded
        return _constants(list(held.value)) if isinstance(held.value, (tuple, list)) \
            else _UNKNOWN
    if isinstance(held, ast.Name) and held.id not in norm.fixed:
        bound = _bound_value(norm, held.id)  # `t = (1, 2)`: the normalizer keeps a constant
        if isinstance(bound, ast.Constant) and isinstance(bound.value, (tuple, list)):
            return _constants(list(bound.value))
    if isinstance(held, ast.Name) and held.id in norm.literal_seqs:
        return _constants([_item(norm, e) for e in norm.literal_seqs[held.id]])
    if not anno.get(held, anno.GLOBAL, False):
        return _UNKNOWN
    value = norm.resolve(node)
    if value is MISSING or not isinstance(value, (list, tuple)):
        return _UNKNOWN
    return _constants(list(value))


def _bound_value(norm: Any, name: str) -> ast.expr | None:
    """The value of the one assignment ``name = value`` normalized so far, if any."""
    for stmt in reversed(norm.out):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
            return stmt.value
    return None


def _item(norm: Any, node: ast.expr) -> Any:
    """The value of a sublist's item when it is a constant (``0``, ``...``, ``Ellipsis``,
    a global), else ``_NOT_CONSTANT``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        held = norm.atom(node)
        if isinstance(held, ast.Constant):
            return held.value
        if anno.get(held, anno.GLOBAL, False):
            value = norm.resolve(node)
            return _NOT_CONSTANT if value is MISSING else value
    return _NOT_CONSTANT


def _constants(items: list) -> Any:
    labels = []
    for item in items:
        if item is Ellipsis:
            labels.append(item)
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            labels.append(int(item))
        else:
            return _NOT_CONSTANT
    return labels
