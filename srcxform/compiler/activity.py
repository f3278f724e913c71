"""Pass 4, activity analysis: which values need an adjoint.

After :func:`active_names`, the returned set holds exactly the local names
that both depend on a ``wrt`` parameter through differentiable operations
(*varied*) and can influence the returned value (*useful*).  Only these get
adjoints; statements on other values are left to the forward sweep (and
dropped by dead-code elimination when the gradient does not need them).
"""

from __future__ import annotations

import ast

from .normalize import Program
from .primitives import classify, targets


def active_names(program: Program, wrt: list[str]) -> set[str]:
    """The set of active local names of ``program`` for ``wrt``."""
    ops = [(stmt, classify(stmt)) for stmt in program.body]
    varied = set(wrt)
    for stmt, op in ops:
        if any(n in varied for n in op.flow_names()):
            varied.update(targets(stmt))
    useful: set[str] = set()
    if isinstance(program.result, ast.Name):
        useful.add(program.result.id)
    for stmt, op in reversed(ops):
        if useful.intersection(targets(stmt)):
            useful.update(op.flow_names())
    return varied & useful
