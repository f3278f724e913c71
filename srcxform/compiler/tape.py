"""Pass 6c, tape: save exactly the overwritten values the backward sweep reads.

The reverse pass leaves a placeholder after the adjoint of every assignment
to a name that may be assigned more than once at run time (in a loop, or at
two places).  After :func:`insert_tapes`:

* a name gets a stack (``h_stack``) only if the optimized backward sweep reads
  it; every surviving forward assignment to it first pushes the old value
  (``h_stack.append(h)``), and the placeholder that matches it becomes
  ``h = h_stack.pop()``, so during the backward sweep every name holds the
  value it had at the matching point of the forward sweep;
* a loop variable of a loop that cannot be replayed by ``reversed(range(...))``
  is pushed at the start of each iteration and popped at the start of the
  matching backward iteration;
* placeholders of names nobody reads are gone, and names saved before their
  first assignment are first bound to ``None``.
"""

from __future__ import annotations

import ast
import copy

from .names import Namer
from .reverse import RESTORE


def _is_marker(stmt: ast.stmt) -> bool:
    return getattr(stmt, "_sx_marker", None) is not None


def _walk_stmts(stmts: list[ast.stmt]):
    for stmt in stmts:
        yield stmt
        for field in ("body", "orelse"):
            yield from _walk_stmts(getattr(stmt, field, []) or [])


def backward_reads(body: list[ast.stmt]) -> set[str]:
    """Names the backward sweep loads (placeholders excluded)."""
    reads: set[str] = set()
    for stmt in _walk_stmts(body):
        if not getattr(stmt, "_sx_grad", False) or _is_marker(stmt):
            continue
        parts: list[ast.AST] = []
        if isinstance(stmt, (ast.If, ast.While)):
            parts = [stmt.test]
        elif isinstance(stmt, ast.For):
            parts = [stmt.iter]
        else:
            parts = [stmt]
        for part in parts:
            reads |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)
                      and isinstance(n.ctx, ast.Load)}
    return reads


def insert_tapes(body: list[ast.stmt], overwritten: set[str], params: set[str],
                 namer: Namer, np_name: str = "np") -> list[ast.stmt]:
    """Resolve the placeholders (see the module docstring)."""
    reads = backward_reads(body)
    wanted = overwritten & reads
    alive: set[int] = set()
    for stmt in _walk_stmts(body):
        if getattr(stmt, "_sx_grad", False):
            continue
        site = getattr(stmt, "_sx_site", None)
        if site is not None:
            alive.add(site)
        header = getattr(stmt, "_sx_header_site", None)
        if header is not None:
            alive.add(header)
    used: set[str] = set()
    for stmt in _walk_stmts(body):
        mark = getattr(stmt, "_sx_marker", None)
        if mark is not None and mark[0] in alive:
            used |= set(mark[1]) & wanted
    # A name's first assignment at the top level of the function overwrites nothing:
    # it needs no save (and its restore would only bring back an unbound name).
    initial: set[int] = set()
    seen: set[str] = set()
    top = {id(s) for s in body}
    for stmt in _walk_stmts(body):
        if getattr(stmt, "_sx_grad", False):
            continue
        if isinstance(stmt, ast.Assign):
            names = [n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)
                     and isinstance(n.ctx, ast.Store)]
            site = getattr(stmt, "_sx_site", None)
            if site is not None and id(stmt) in top and not seen.intersection(names):
                initial.add(site)
            seen.update(names)
        elif isinstance(stmt, ast.For):
            seen.add(stmt.target.id)
    alive -= initial
    used = set()
    for stmt in _walk_stmts(body):
        mark = getattr(stmt, "_sx_marker", None)
        if mark is not None and mark[0] in alive:
            used |= set(mark[1]) & wanted
    first_defined = {n for n in used if any(
        getattr(st, "_sx_site", None) in initial and n in {
            x.id for t in st.targets for x in ast.walk(t) if isinstance(x, ast.Name)}
        for st in body if isinstance(st, ast.Assign))}
    stacks = {v: namer.fresh(f"{v}_stack") for v in sorted(used)}

    def push(name: str, line: int, index: ast.expr | None = None) -> ast.stmt:
        saved: ast.expr = ast.Name(name, ast.Load())
        if index is not None:  # the elements about to be overwritten, copied
            saved = ast.Call(ast.Attribute(ast.Name(np_name, ast.Load()), "copy", ast.Load()),
                             [ast.Subscript(saved, copy.deepcopy(index), ast.Load())], [])
        call = ast.Call(ast.Attribute(ast.Name(stacks[name], ast.Load()), "append", ast.Load()),
                        [saved], [])
        stmt = ast.Expr(call)
        stmt._sx_line = line
        return stmt

    def rewrite(stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            mark = getattr(stmt, "_sx_marker", None)
            if mark is not None:
                site, names = mark
                if site in alive:
                    index = getattr(stmt, "_sx_store_index", None)
                    for n in names:
                        if n in stacks:
                            target: ast.expr = ast.Name(n, ast.Store())
                            if index is not None:
                                target = ast.Subscript(ast.Name(n, ast.Load()),
                                                       copy.deepcopy(index), ast.Store())
                            pop = ast.Assign([target], ast.Call(
                                ast.Attribute(ast.Name(stacks[n], ast.Load()), "pop",
                                              ast.Load()), [], []))
                            pop._sx_line = stmt._sx_line
                            pop._sx_grad = True
                            out.append(pop)
                continue
            grad = getattr(stmt, "_sx_grad", False)
            if not grad and isinstance(stmt, ast.Assign) and \
                    getattr(stmt, "_sx_site", None) in alive:
                t = stmt.targets[0]
                if isinstance(t, ast.Subscript):
                    if t.value.id in stacks:
                        out.append(push(t.value.id, stmt._sx_line, t.slice))
                else:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name) and n.id in stacks:
                            out.append(push(n.id, stmt._sx_line))
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if inner:
                    new = rewrite(inner)
                    setattr(stmt, field, new if new or field == "orelse" else [ast.Pass()])
            if not grad and isinstance(stmt, ast.For) and \
                    getattr(stmt, "_sx_header_site", None) and stmt.target.id in stacks:
                stmt.body.insert(0, push(stmt.target.id, stmt._sx_line))
            out.append(stmt)
        return out

    body = rewrite(body)
    prelude: list[ast.stmt] = []
    for v, stack in stacks.items():
        new = ast.Assign([ast.Name(stack, ast.Store())], ast.List([], ast.Load()))
        prelude.append(new)
        if v not in params and v not in first_defined:
            prelude.append(ast.Assign([ast.Name(v, ast.Store())], ast.Constant(None)))
    for stmt in prelude:
        stmt._sx_line = 0
        ast.fix_missing_locations(stmt)
    return prelude + body


__all__ = ["RESTORE", "backward_reads", "insert_tapes"]
