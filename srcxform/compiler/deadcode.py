"""Dead-code removal: drop the statements liveness found unneeded.

After :func:`remove_dead`, no statement of the body is one that
:func:`liveness.liveness` marked dead, no ``pass`` remains except as the
whole body of an ``if`` or a loop (which Python needs), and every other
statement is where it was.
"""

from __future__ import annotations

import ast

from .liveness import Liveness


def remove_dead(body: list[ast.stmt], found: Liveness) -> list[ast.stmt]:
    """``body`` without its dead statements (nested blocks are rewritten in place)."""
    out: list[ast.stmt] = []
    for stmt in body:
        if id(stmt) in found.dead or isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.If):
            stmt.body = remove_dead(stmt.body, found) or [ast.Pass()]
            stmt.orelse = remove_dead(stmt.orelse, found)
        elif isinstance(stmt, (ast.For, ast.While)):
            stmt.body = remove_dead(stmt.body, found) or [ast.Pass()]
        out.append(stmt)
    return out
