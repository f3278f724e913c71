"""Pass 2b, control: give jumps a canonical place before normalization.

After :func:`structure` (or :func:`structure_function` on one function's
tree):

* ``break``, ``continue`` and ``return`` only ever end a block: statements that
  followed an ``if`` which may jump have been moved into that ``if``'s
  fall-through branches (copied into each, when several paths fall through);
* a function with more than one ``return`` assigns one result variable on
  every path and returns it once at the end; a ``return`` inside a loop sets
  that variable and a ``done`` flag and breaks out of every enclosing loop;
* loops have no ``else`` clause (rejected earlier by the check pass).

The function computes exactly what it computed before.
"""

from __future__ import annotations

import ast
import copy

from .astutil import assigns, fix_locations, names_mentioned, walk
from .names import Namer
from .program import Program

JUMPS = (ast.Break, ast.Continue, ast.Return)


def _jumps(node: ast.AST, loops: bool = False) -> bool:
    """True when ``node`` contains a jump that leaves its block (not inside a nested loop)."""
    if isinstance(node, JUMPS):
        return True
    if isinstance(node, (ast.For, ast.While)):
        return loops and any(isinstance(n, ast.Return) for n in walk(node))
    return any(_jumps(child, loops) for child in ast.iter_child_nodes(node)
               if isinstance(child, ast.stmt))


def _ends_in_jump(block: list[ast.stmt]) -> bool:
    if not block:
        return False
    last = block[-1]
    if isinstance(last, JUMPS):
        return True
    if isinstance(last, ast.If):
        return _ends_in_jump(last.body) and _ends_in_jump(last.orelse)
    return False


def _attach(block: list[ast.stmt], rest: list[ast.stmt]) -> list[ast.stmt]:
    """``block`` followed by ``rest`` on every path that falls through."""
    if not rest:
        return block
    if not block:
        return copy.deepcopy(rest)
    last = block[-1]
    if isinstance(last, JUMPS):
        return block
    if isinstance(last, ast.If) and (_jumps(last) or _ends_in_jump(last.body)
                                     or _ends_in_jump(last.orelse)):
        last.body = _attach(last.body, rest)
        last.orelse = _attach(last.orelse, rest)
        return block
    return block + copy.deepcopy(rest)


def _structure_block(block: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for i, stmt in enumerate(block):
        if isinstance(stmt, JUMPS):
            out.append(stmt)
            return out  # what follows an unconditional jump never runs
        if isinstance(stmt, (ast.For, ast.While, ast.With)):
            stmt.body = _structure_block(stmt.body)
            out.append(stmt)
            continue
        if isinstance(stmt, ast.If):
            stmt.body = _structure_block(stmt.body)
            stmt.orelse = _structure_block(stmt.orelse)
            if _jumps(stmt):
                rest = _structure_block(block[i + 1:])
                out.extend(_attach([stmt], rest))
                return out
        out.append(stmt)
    return out


class _Returns:
    """Turn several returns into one result variable and one final return."""

    def __init__(self, namer: Namer) -> None:
        self.result = namer.fresh("result")
        self.done = namer.fresh("done")
        self.used_done = False

    def block(self, block: list[ast.stmt], loop_depth: int) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in block:
            if isinstance(stmt, ast.Return):
                assign = ast.Assign([ast.Name(self.result, ast.Store())], stmt.value)
                out.append(ast.copy_location(assign, stmt))
                if loop_depth:
                    self.used_done = True
                    flag = ast.Assign([ast.Name(self.done, ast.Store())], ast.Constant(True))
                    out.append(ast.copy_location(flag, stmt))
                    out.append(ast.copy_location(ast.Break(), stmt))
                continue
            if isinstance(stmt, ast.If):
                stmt.body = self.block(stmt.body, loop_depth)
                stmt.orelse = self.block(stmt.orelse, loop_depth)
            elif isinstance(stmt, (ast.For, ast.While)):
                returns_inside = any(isinstance(n, ast.Return) for n in walk(stmt))
                stmt.body = self.block(stmt.body, loop_depth + 1)
                out.append(stmt)
                if returns_inside:
                    # leave the enclosing loop too, or skip the rest of the function
                    test = ast.Name(self.done, ast.Load())
                    if loop_depth:
                        out.append(ast.copy_location(ast.If(test, [ast.Break()], []), stmt))
                    else:
                        out.append(ast.copy_location(ast.If(test, [ast.Pass()], []), stmt))
                continue
            out.append(stmt)
        return out


def structure(program: Program) -> Program:
    """Rewrite the program's function in place into the canonical form described above."""
    fn = program.parsed.node
    if not _is_canonical(fn):
        structure_function(fn, Namer.for_tree(fn, extra={fn.name}))
    return program


def _is_canonical(fn: ast.FunctionDef) -> bool:
    """A body of simple statements ending in its only return: already in the form
    :func:`structure_function` gives (which would change nothing)."""
    body = fn.body
    if not body or body[-1].__class__ is not ast.Return:
        return False
    return not any(isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Return, ast.Try,
                                  ast.Break, ast.Continue, ast.AsyncFor, ast.AsyncWith,
                                  ast.Match))
                   for s in body[:-1])


def structure_function(fn: ast.FunctionDef, namer: Namer) -> None:
    """Rewrite ``fn``'s body in place into the canonical form described above."""
    returns = [n for n in walk(fn) if isinstance(n, ast.Return)]
    simple = len(returns) == 1 and fn.body and fn.body[-1] is returns[0]
    if not simple:
        rewriter = _Returns(namer)
        body = _structure_block(fn.body)  # returns end their blocks first
        body = rewriter.block(body, 0)
        if rewriter.used_done:
            init = ast.Assign([ast.Name(rewriter.done, ast.Store())], ast.Constant(False))
            body.insert(0, ast.copy_location(init, fn.body[0]))
        # a `if done: pass` marks where the rest of the function must be skipped
        body = _skip_after_done(body, rewriter.done)
        body = _structure_block(body)
        final = ast.Return(ast.Name(rewriter.result, ast.Load()))
        ast.copy_location(final, returns[-1] if returns else fn.body[-1])
        body.append(final)
        fn.body = body
    else:
        fn.body = _structure_block(fn.body)
    fix_locations(fn)


def _skip_after_done(block: list[ast.stmt], done: str) -> list[ast.stmt]:
    """After a statement that may have returned (set ``done``), run the rest only if not."""
    for i, stmt in enumerate(block):
        marker = isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) \
            and stmt.test.id == done and len(stmt.body) == 1 \
            and isinstance(stmt.body[0], ast.Pass)
        if marker:
            rest = _skip_after_done(block[i + 1:], done)
            if not rest:
                return block[:i]
            return _guarded(block[:i], rest, done, stmt)
        if isinstance(stmt, (ast.For, ast.While)):
            stmt.body = _skip_after_done(stmt.body, done)
        if isinstance(stmt, ast.If) and assigns(stmt, done):
            stmt.body = _skip_after_done(stmt.body, done)
            stmt.orelse = _skip_after_done(stmt.orelse, done)
            rest = _skip_after_done(block[i + 1:], done)
            if rest:
                return _guarded(block[:i + 1], rest, done, stmt)
            return block[:i + 1]
    return block


def _guarded(before: list[ast.stmt], rest: list[ast.stmt], done: str,
             at: ast.stmt) -> list[ast.stmt]:
    """``before``, then ``rest`` under ``if not done:``.  A list the rest starts by making
    from constants (``values = []``), under a name nothing before reads or writes, is made
    before the guard instead (harmless when the function has returned): it stays made at
    the level of the function where it was written, as lists that grow must be."""
    seen = set().union(*(names_mentioned(s) for s in before)) if before else set()
    hoisted: list[ast.stmt] = []
    while rest and isinstance(rest[0], ast.Assign) and len(rest[0].targets) == 1 \
            and isinstance(rest[0].targets[0], ast.Name) and rest[0].targets[0].id not in seen \
            and isinstance(rest[0].value, ast.List) \
            and all(isinstance(e, ast.Constant) for e in rest[0].value.elts):
        hoisted.append(rest.pop(0))
    if not rest:
        return before + hoisted
    guard = ast.If(ast.UnaryOp(ast.Not(), ast.Name(done, ast.Load())), rest, [])
    return before + hoisted + [ast.copy_location(guard, at)]


