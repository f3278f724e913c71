"""Static ranks (``ndim``) of values, for specializing generated code.

After :func:`rank_of_primitive`, the rank of a primitive's result is known
whenever it follows from its arguments' ranks and constant arguments alone
(elementwise broadcasting, reductions with a constant ``axis``, products,
transposes, reshapes to a literal shape, basic indexing with literals);
otherwise it is ``None`` and the generated code keeps its rank tests.
"""

from __future__ import annotations

import ast

from .primitives import is_basic_index_syntax

REDUCTIONS = {"sum", "mean", "prod", "max", "min", "var", "std", "norm"}
SAME_RANK = {"transpose", "transpose_attribute", "transpose_method", "copy", "clip"}


def _const(node: ast.expr | None, default: object = None) -> object:
    """The value of a literal argument, ``default`` when absent, ``...`` when computed."""
    if node is None:
        return default
    return node.value if isinstance(node, ast.Constant) else ...


def rank_of_primitive(name: str, elementwise: bool, ranks: list[int | None],
                      args: list[ast.expr], keywords: dict[str, ast.expr]) -> int | None:
    """The rank of a primitive's result, or ``None`` when it cannot be known statically."""
    if elementwise:
        known = [r for r in ranks]
        return None if any(r is None for r in known) or not known else max(known)
    if name in SAME_RANK:
        return ranks[0] if ranks else None
    if name in REDUCTIONS:
        axis = _const(keywords.get("axis", args[1] if len(args) > 1 else None))
        keep = _const(keywords.get("keepdims"), False)
        if axis is ... or keep is ...:
            return None
        if axis is None:
            return ranks[0] if keep else 0
        if keep:
            return ranks[0]
        n = len(axis) if isinstance(axis, tuple) else 1
        return None if ranks[0] is None else ranks[0] - n
    if name in ("matmul", "dot"):
        a, b = ranks[:2]
        if a is None or b is None:
            return None
        if a == 1 and b == 1:
            return 0
        if name == "dot" and (a == 0 or b == 0):
            return max(a, b)
        if name == "dot":  # a's last axis meets b's second to last (its only one if 1-d)
            return a + b - 2
        if b == 1:
            return a - 1
        if a == 1:
            return b - 1
        return max(a, b)
    if name == "outer":
        return 2
    if name == "reshape" and len(args) >= 2:
        # np.reshape(a, shape, order) or a.reshape(*shape)
        shape = [_const(a) for a in (args[1:2] if isinstance(_const(args[1]), tuple)
                                     else args[1:])]
        if any(s is ... for s in shape):
            return None
        if len(shape) == 1:
            return len(shape[0]) if isinstance(shape[0], tuple) else 1
        return len(shape)
    if name in ("getitem_basic",) and ranks and ranks[0] is not None:
        index = args[1]
        if not is_basic_index_syntax(index):
            return None
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        ints = sum(1 for p in parts if isinstance(p, ast.Constant)
                   and isinstance(p.value, int) and not isinstance(p.value, bool))
        nones = sum(1 for p in parts if isinstance(p, ast.Constant) and p.value is None)
        return ranks[0] - ints + nones
    return None
