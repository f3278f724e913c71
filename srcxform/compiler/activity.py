"""Pass 4, activity analysis: which values need an adjoint.

After :func:`active_names`, the returned set holds the local names that both
depend on a ``wrt`` parameter through differentiable operations (*varied*)
and can influence the returned value (*useful*).  Only these get adjoints.
Inside loops and branches the analysis is flow-insensitive (iterated to a
fixed point over every assignment), which can only add names, never miss one.
"""

from __future__ import annotations

import ast

from .normalize import Program
from .primitives import classify, targets


def assignments(stmts: list[ast.stmt]):
    """Every assignment in ``stmts``, nested blocks included, in program order."""
    for stmt in stmts:
        if isinstance(stmt, ast.Assign):
            yield stmt
        for field in ("body", "orelse"):
            yield from assignments(getattr(stmt, field, []) or [])


def active_names(program: Program, wrt: list[str]) -> set[str]:
    """The set of active local names of ``program`` for ``wrt``."""
    ops = [(stmt, classify(stmt)) for stmt in assignments(program.body)]
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for stmt, op in ops:
            if any(n in varied for n in op.flow_names()):
                new = set(targets(stmt)) - varied
                if new:
                    varied |= new
                    changed = True
    useful: set[str] = set()
    if isinstance(program.result, ast.Name):
        useful.add(program.result.id)
    changed = True
    while changed:
        changed = False
        for stmt, op in reversed(ops):
            if useful.intersection(targets(stmt)):
                new = set(op.flow_names()) - useful
                if new:
                    useful |= new
                    changed = True
    return varied & useful
