"""Which names of normalized code only ever hold Python ints.

After :func:`infer_ints`, the returned set holds the names every assignment
of which gives an int: a ``range`` loop's counter, ``len(...)``, ``int(...)``,
an element of a ``.shape``, int constants, and ``+ - * // %``, ``min``,
``max`` and negation of such values (a fixed point over every assignment;
a name assigned anything else at least once is left out).  An index made of
these names is basic indexing; the optimizer folds arithmetic on them.
"""

from __future__ import annotations

import ast

from . import anno
from .astutil import walk

_INT_OPS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)


def infer_ints(body: list[ast.stmt], params: list[str] = ()) -> set[str]:
    """Names every assignment of which gives a Python int (loop counters, lengths, ...);
    a parameter, bound to anything on entry, never is one."""
    values: dict[str, list] = {p: [None] for p in params}
    for node in walk(ast.Module(body, [])):
        if isinstance(node, ast.Assign):
            t = node.targets[0]
            if isinstance(t, ast.Name):
                values.setdefault(t.id, []).append(node.value)
            elif isinstance(t, ast.Subscript):
                if isinstance(t.value, ast.Name):
                    values.setdefault(t.value.id, []).append(None)
            else:
                for e in walk(t):
                    if isinstance(e, ast.Name):
                        values.setdefault(e.id, []).append(None)
        elif isinstance(node, ast.For):
            call = node.iter
            is_range = isinstance(call, ast.Call) and anno.get(call, anno.RANGE, False)
            values.setdefault(node.target.id, []).append("int" if is_range else None)

    def int_valued(e, ints: set[str]) -> bool:
        if e == "int":
            return True
        if e is None:
            return False
        if isinstance(e, ast.Constant):
            return isinstance(e.value, int) and not isinstance(e.value, bool)
        if isinstance(e, ast.Name):
            return e.id in ints
        if isinstance(e, ast.BinOp) and isinstance(e.op, _INT_OPS):
            return int_valued(e.left, ints) and int_valued(e.right, ints)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
            return int_valued(e.operand, ints)
        if isinstance(e, ast.Call):
            callee = anno.get(e, anno.CALLEE)
            if any(callee is f for f in (len, int)):
                return True
            if any(callee is f for f in (min, max)) and e.args:
                return all(int_valued(a, ints) for a in e.args)
            return False
        if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name) \
                and e.value.id in shapes and isinstance(e.slice, ast.Constant):
            return True
        return False

    shapes = {n for n, vs in values.items() if all(
        isinstance(v, ast.Attribute) and v.attr == "shape" for v in vs)}
    ints = set(values)
    changed = True
    while changed:
        changed = False
        for name in list(ints):
            if not all(int_valued(v, ints) for v in values[name]):
                ints.discard(name)
                changed = True
    return ints
