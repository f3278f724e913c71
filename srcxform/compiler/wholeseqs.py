"""Whole-sequence uses of a container argument: which calls may take it as one sequence.

A list or tuple argument of differentiated leaves (a pytree argument or the
``*args`` of a fixed-arity twin, see ``srcxform/twins.py``) is bound in the
twin's prologue to the literal of its leaves, ``xs = (xs_0, xs_1, )``: its
length is part of the specialisation.  After normalization a whole use such
as ``np.stack(xs)`` reads that name exactly as it reads a tuple the function
built itself (``seq = (a, b); np.stack(seq)``), and the rules of functions
that take a sequence of arrays give the sequence's adjoint element by
element (``bxs[k]`` is the adjoint of ``xs_k``).  :func:`is_whole_use` says
whether a statement is such a use, so ``containers.py`` lets it through
instead of refusing the container as one it cannot follow.

Only a flat container qualifies (its items are leaves or other values, not
containers themselves), and only as the first positional argument of:

* the joins ``np.stack``, ``np.concatenate``, ``np.vstack``, ``np.hstack``,
  ``np.dstack``, ``np.column_stack`` (any ``axis=``);
* ``np.array`` / ``np.asarray`` of the sequence;
* the builtin ``sum`` (its rule hands the output's adjoint to each element).

Any other whole use (``xs * 2``, a function that reads a sequence its own
way, such as ``np.block``) stays refused by ``containers.py``.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

import numpy as np

from . import anno
from .astutil import walk

#: Functions whose first argument is a sequence of arrays, each element getting its own
#: adjoint from the function's rule.
SEQUENCE_FUNCTIONS: tuple[Any, ...] = tuple(
    f for f in (np.stack, np.concatenate, np.vstack, np.hstack, np.dstack, np.column_stack,
                getattr(np, "row_stack", None), np.array, np.asarray, builtins.sum)
    if f is not None)


def is_whole_use(stmt: ast.stmt, name: str) -> bool:
    """``stmt`` is ``v = F(name, ...)`` with ``F`` one of :data:`SEQUENCE_FUNCTIONS` and
    ``name`` read nowhere else in it: the sequence ``name`` is used whole, element by
    element."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call)):
        return False
    call = stmt.value
    callee = anno.get(call, anno.CALLEE, None)
    if not any(callee is f for f in SEQUENCE_FUNCTIONS):
        return False
    if not call.args or not (isinstance(call.args[0], ast.Name) and call.args[0].id == name):
        return False
    rest = [*call.args[1:], *(k.value for k in call.keywords)]
    return not any(isinstance(n, ast.Name) and n.id == name
                   for part in rest for n in walk(part))
