"""Flow facts over a body with branches and loops, shared by reverse, split and tape.

After import:

* :func:`upward_exposed` gives the names some path through a body may read
  before writing them (a loop may run zero times: its body writes nothing
  for certain);
* :func:`overwritten` gives the names that may be assigned more than once
  at run time (in a loop, or at two places), whose old values a backward
  sweep must save or recompute;
* :func:`bound_before_branches` gives, for each ``if``, the names certainly
  assigned whenever it is reached.

What counts as a read or a write is the caller's (a callback per statement),
so the one walk serves normalized programs and generated code alike.
"""

from __future__ import annotations

import ast
from typing import Callable

from .astutil import LOOPS

Names = Callable[[ast.stmt], set[str]]


def upward_exposed(stmts: list[ast.stmt], reads: Names, writes: Names) -> set[str]:
    """Names some path through ``stmts`` reads before writing them.

    ``reads(stmt)`` is what a statement reads (for an ``if`` or a loop: its test or
    iterator only); ``writes(stmt)`` what a simple statement writes, and for a loop
    what its header writes for its body (a ``for`` target).
    """

    def walk(block: list[ast.stmt], assigned: set[str]) -> tuple[set[str], set[str]]:
        """The names exposed in ``block`` and those it writes on every path."""
        exposed: set[str] = set()
        assigned = set(assigned)
        for stmt in block:
            exposed |= reads(stmt) - assigned
            if isinstance(stmt, ast.If):
                e1, a1 = walk(stmt.body, assigned)
                e2, a2 = walk(stmt.orelse, assigned)
                exposed |= e1 | e2
                assigned |= a1 & a2  # assigned on every path
            elif isinstance(stmt, LOOPS):
                e, _ = walk(stmt.body, assigned | writes(stmt))  # the loop may not run
                exposed |= e
            else:
                assigned |= writes(stmt)
        return exposed, assigned

    return walk(stmts, set())[0]


def overwritten(stmts: list[ast.stmt], writes: Names, bound: set[str] = frozenset()
                ) -> set[str]:
    """Names that may be written more than once at run time (in a loop, or twice; the
    names ``bound`` are written once on entry); a ``for`` loop writes its target once per
    iteration."""
    counts: dict[str, int] = dict.fromkeys(bound, 1)

    def count(block: list[ast.stmt], in_loop: bool) -> None:
        """Count the writes of ``block`` (twice each inside a loop)."""
        for stmt in block:
            if isinstance(stmt, ast.If):
                count(stmt.body, in_loop)
                count(stmt.orelse, in_loop)
            elif isinstance(stmt, LOOPS):
                if isinstance(stmt, ast.For):
                    counts[stmt.target.id] = counts.get(stmt.target.id, 0) + 2
                count(stmt.body, True)
            else:
                for n in writes(stmt):
                    counts[n] = counts.get(n, 0) + (2 if in_loop else 1)

    count(stmts, False)
    return {n for n, c in counts.items() if c > 1}


def bound_before_branches(stmts: list[ast.stmt], bound: set[str],
                          writes: Names) -> dict[int, set[str]]:
    """For each ``if`` (by id), the names certainly written whenever it is reached
    (``bound``: written on entry; a ``for`` target is bound inside its loop)."""
    found: dict[int, set[str]] = {}

    def walk(block: list[ast.stmt], assigned: set[str]) -> set[str]:
        """Record the ``if``s of ``block``; the names it writes on every path."""
        assigned = set(assigned)
        for stmt in block:
            if isinstance(stmt, ast.If):
                found[id(stmt)] = set(assigned)
                assigned |= walk(stmt.body, assigned) & walk(stmt.orelse, assigned)
            elif isinstance(stmt, LOOPS):
                inner = set(assigned)
                if isinstance(stmt, ast.For):
                    inner.add(stmt.target.id)
                walk(stmt.body, inner)  # the loop may not run: nothing certain after it
            else:
                assigned.update(writes(stmt))
        return assigned

    walk(stmts, bound)
    return found
