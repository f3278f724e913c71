"""Dead-code removal: drop the statements liveness found unneeded.

After :func:`remove_dead`, no statement of the body is one that
:func:`liveness.liveness` marked dead, no ``pass`` remains except as the
whole body of an ``if`` or a loop (which Python needs), and every other
statement is where it was.

After :func:`drop_dead_forward`, run once the tapes are in place, no forward
statement remains that liveness finds dead with every backward statement
needed (no accumulator computed only for the restores of the backward sweep).

After :func:`drop_unread`, run once the tapes are in place, no backward
statement ``name = value`` remains whose name nothing reads and whose value
calls nothing (a value the tape pass chose to compute again, ``xs_item =
xs[t]``, that the tape arrays then read as a slice instead); code without
loops or overwritten names, where no tape makes such a statement, is not
searched.
"""

from __future__ import annotations

import ast
import os

from . import anno
from .astutil import BLOCK_FIELDS, has_loop, names_loaded, names_stored, walk, walk_stmts
from .liveness import Liveness, liveness
from .program import Program


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


def drop_dead_forward(program: Program) -> Program:
    """Drop the forward work nothing needs once the tapes are in place.

    Before the tape pass, the backward sweep's restore placeholders count every
    overwritten name as read, so optimize keeps each forward assignment of one (an
    accumulator ``t = t + x * y`` whose values the backward sweep never reads
    included).  Now that the tapes say what the backward sweep reads, liveness runs
    again with every backward statement needed: a forward statement stays when it has
    an effect, feeds a tape, a loop's range or the result, or defines a name a needed
    statement reads; a ``for`` loop over ``range(...)`` whose body is left empty goes
    too, and an ``if`` left with nothing but an ``else`` is ``if not``.  A ``name =
    None`` after a binding of ``name`` stays: it frees the value.  Reads and sets
    ``body``.
    """
    found = liveness(program.body, program.env, restores=False, keep_backward=True)
    found.dead -= _releases(program.body)
    if found.dead:
        program.body = remove_dead(program.body, found)
    _turn_empty_ifs(program.body)
    return program


def _releases(body: list[ast.stmt]) -> set[int]:
    """The ids of the statements ``name = None`` that come after a binding of ``name``:
    they free its value (``U_xs = None`` after a loop of row blocks, hoist.py)."""
    bound: set[str] = set()
    found: set[int] = set()
    if not any(_binds_none(stmt) for stmt in walk_stmts(body)):
        return found  # (no ``name = None`` at all: the names bound need not be found)
    for stmt in walk_stmts(body):
        if _binds_none(stmt) and stmt.targets[0].id in bound:
            found.add(id(stmt))
        bound |= names_stored(stmt) if not isinstance(stmt, (ast.If, ast.For, ast.While)) \
            else names_stored(getattr(stmt, "target", ast.Pass()))
    return found


def _binds_none(stmt: ast.stmt) -> bool:
    """``name = None``."""
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
        and isinstance(stmt.targets[0], ast.Name) \
        and isinstance(stmt.value, ast.Constant) and stmt.value.value is None


def _turn_empty_ifs(block: list[ast.stmt]) -> None:
    """``if t: pass`` / ``else: body`` of the forward sweep as ``if not t: body``."""
    for stmt in block:
        if isinstance(stmt, ast.If) and stmt.orelse and not anno.get(stmt, anno.GRAD, False) \
                and all(isinstance(s, ast.Pass) for s in stmt.body):
            stmt.test = ast.copy_location(ast.UnaryOp(ast.Not(), stmt.test), stmt.test)
            stmt.body, stmt.orelse = stmt.orelse, []
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                _turn_empty_ifs(inner)


def drop_unread(program: Program) -> Program:
    """Drop backward assignments of names nothing reads (see the module docstring): none
    later in program order, none in a loop around the assignment (its next iteration).
    Code without loops and without overwritten names has no tape to make one unread:
    it is left as it is (``SRCXFORM_CHECK_ROUNDS=1``, set by the tests and the fuzzers,
    looks anyway and fails if there was one)."""
    if not program.overwritten and not has_loop(program.body):
        if os.environ.get("SRCXFORM_CHECK_ROUNDS") and _drop_once(program.body):
            raise AssertionError("drop_unread skipped an unread backward assignment in "
                                 "code without loops or overwritten names")
        return program
    while _drop_once(program.body):
        pass
    return program


def _drop_once(body: list[ast.stmt]) -> bool:
    last_read: dict[str, int] = {}
    in_loop: dict[int, set[str]] = {}  # loop id -> names read anywhere in it
    candidates: list[tuple[ast.stmt, int, list[int]]] = []
    position = 0

    def visit(block: list[ast.stmt], loops: list[int]) -> None:
        nonlocal position
        for stmt in block:
            position += 1
            own = [getattr(stmt, f) for f in stmt._fields if f not in BLOCK_FIELDS]
            reads = names_loaded([node for part in own if isinstance(part, (ast.AST, list))
                                  for node in (part if isinstance(part, list) else [part])
                                  if isinstance(node, ast.AST)])
            for name in reads:
                last_read[name] = position
            for loop in loops:
                in_loop[loop] |= reads
            if isinstance(stmt, ast.Assign) and anno.get(stmt, anno.GRAD, False) \
                    and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and anno.get(stmt, anno.TAPE) is None \
                    and not any(isinstance(n, ast.Call) for n in walk(stmt.value)):
                candidates.append((stmt, position, list(loops)))
            inner_loops = loops + [id(stmt)] if isinstance(stmt, (ast.For, ast.While)) \
                else loops
            if isinstance(stmt, (ast.For, ast.While)):
                in_loop[id(stmt)] = set(reads)
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None)
                if inner:
                    visit(inner, inner_loops)

    visit(body, [])
    dead = {id(stmt) for stmt, at, loops in candidates
            if last_read.get(stmt.targets[0].id, 0) <= at
            and not any(stmt.targets[0].id in in_loop[loop] for loop in loops)}
    if dead:
        _remove(body, dead)
    return bool(dead)


def _remove(block: list[ast.stmt], dead: set[int]) -> None:
    block[:] = [s for s in block if id(s) not in dead]
    for stmt in block:
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                _remove(inner, dead)
                if not inner and field == "body":
                    inner.append(ast.Pass())
