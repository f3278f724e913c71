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
  first assignment are first bound to ``None``;
* a name whose every backward read comes before the first statement holding
  one of its restores is not saved (no restore would ever be seen);
* a cheap value of a ``range`` loop (a basic index of an array nothing writes
  into, like ``x[t]``; arithmetic on scalars) is not saved but computed again
  in the backward loop, at a point where its operands hold the values they had
  when the forward sweep computed it and before every backward read of it (see
  :func:`recompute_cheap_values`);
* a backward branch left with nothing to do once its restores are dropped is
  gone too (its test may name a value the optimized forward sweep never
  computes, which a later transform of this code would reject).
"""

from __future__ import annotations

import ast
import copy

from .defer import MemoryFacts
from .env import Env
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


def _stmt_lists(stmts: list[ast.stmt], owner: ast.stmt | None = None):
    """Every statement list with the statement that owns it (None: the function body)."""
    yield stmts, owner
    for stmt in stmts:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                yield from _stmt_lists(inner, stmt)


def _reads_outside(body: list[ast.stmt], loop: ast.stmt) -> set[str]:
    """Names the backward sweep loads outside ``loop``'s body (its header included)."""
    reads: set[str] = set()
    for stmt in body:
        if stmt is loop:
            reads |= backward_reads([_header(loop)])
            continue
        reads |= backward_reads([stmt]) if not hasattr(stmt, "body") else \
            backward_reads([_header(stmt)])
        for field in ("body", "orelse"):
            reads |= _reads_outside(getattr(stmt, field, []) or [], loop)
    return reads


def _header(stmt: ast.stmt) -> ast.stmt:
    """``stmt`` without its nested statements (for its test or iterator)."""
    head = copy.copy(stmt)
    head.body, head.orelse = [], []
    return head


def _is_call_of(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == name and len(node.args) == 1 and not node.keywords


def _cheap(value: ast.expr, counter: str, scalars: set[str],
           memory: MemoryFacts | None) -> bool:
    """True when recomputing ``value`` costs less than saving and restoring it: a basic
    index (a view) of an array nobody writes into, or arithmetic on scalars."""
    def index_part(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, int) and not isinstance(node.value, bool)
        if isinstance(node, ast.Name):
            return node.id == counter
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return index_part(node.operand)
        if isinstance(node, ast.Slice):
            return all(p is None or index_part(p) for p in (node.lower, node.upper, node.step))
        return False

    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
        parts = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
        return memory is not None and memory.never_written(value.value.id) \
            and all(index_part(p) for p in parts)

    def scalar(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return isinstance(node, ast.Name) and (node.id in scalars or node.id == counter)

    if isinstance(value, ast.BinOp) and not isinstance(value.op, ast.MatMult):
        return scalar(value.left) and scalar(value.right)
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        return scalar(value.operand)
    return False


def recompute_cheap_values(body: list[ast.stmt], overwritten: set[str], params: set[str],
                           scalars: set[str], env: Env | None = None) -> None:
    """Recompute cheap loop values in the backward sweep instead of saving them.

    For ``n = e`` at the top of a ``range`` loop's body, the only assignment to ``n``,
    with ``e`` cheap (see :func:`_cheap`): the matching backward loop (replayed by
    ``reversed(range(...))``) evaluates ``n = e`` again where every operand of ``e``
    holds the value it had at ``n = e`` in the forward sweep (after the restores of
    the operands reassigned later in the same iteration), provided every backward read
    of ``n`` lies between that point and the place ``n``'s restore was, so ``n`` needs
    no stack.
    """
    memory = MemoryFacts(body, env) if env is not None else None
    lists = list(_stmt_lists(body))
    owner_of: dict[int, tuple[list[ast.stmt], ast.stmt | None]] = {}
    for stmts, owner in lists:
        for stmt in stmts:
            owner_of[id(stmt)] = (stmts, owner)
    sites: dict[str, list[ast.stmt]] = {}
    other_stores: set[str] = set(params)
    for stmt in _walk_stmts(body):
        if getattr(stmt, "_sx_grad", False):
            continue
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                and len(stmt.targets) == 1 and getattr(stmt, "_sx_site", None) is not None:
            sites.setdefault(stmt.targets[0].id, []).append(stmt)
            continue
        for node in ast.walk(stmt) if not isinstance(stmt, (ast.For, ast.While, ast.If)) \
                else [stmt.target] if isinstance(stmt, ast.For) else []:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                other_stores.add(node.id)
    markers: dict[str, list[ast.stmt]] = {}
    marker_of_site: dict[int, ast.stmt] = {}
    for stmt in _walk_stmts(body):
        if _is_marker(stmt):
            marker_of_site[stmt._sx_marker[0]] = stmt
            for n in stmt._sx_marker[1]:
                markers.setdefault(n, []).append(stmt)
    order = {id(stmt): i for i, stmt in enumerate(_walk_stmts(body))}
    recomputed: dict[str, ast.stmt] = {}
    # (in the order of the forward definitions: an operand defined earlier in the
    # iteration is settled, saved or recomputed, before the values computed from it)
    for name in sorted(overwritten, key=lambda n: order[id(sites[n][0])] if n in sites
                       else -1):
        if name in other_stores or len(sites.get(name, [])) != 1 \
                or len(markers.get(name, [])) != 1:
            continue
        define = sites[name][0]
        forward, loop = owner_of[id(define)]
        mark = markers[name][0]
        backward, back_loop = owner_of[id(mark)]
        if not (isinstance(loop, ast.For) and loop.body is forward
                and isinstance(loop.target, ast.Name) and _is_call_of(loop.iter, "range")
                and isinstance(back_loop, ast.For) and back_loop.body is backward
                and isinstance(back_loop.target, ast.Name)
                and back_loop.target.id == loop.target.id
                and _is_call_of(back_loop.iter, "reversed")
                and _is_call_of(back_loop.iter.args[0], "range")
                and mark._sx_marker[0] == define._sx_site):
            continue
        if any(isinstance(n, (ast.Break, ast.Continue, ast.Return))
               for node in (loop, back_loop) for n in ast.walk(node)):
            continue
        counter = loop.target.id
        if not _cheap(define.value, counter, scalars, memory):
            continue
        operands = {n.id for n in ast.walk(define.value) if isinstance(n, ast.Name)}
        if name in operands:
            continue
        position = 0
        at = forward.index(define)
        ok = True
        for operand in operands - {counter}:
            for stmt in _walk_stmts(forward):
                stores = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
                          and isinstance(n.ctx, ast.Store)}
                if operand not in stores:
                    continue
                if stmt not in forward or not isinstance(stmt, ast.Assign) \
                        or getattr(stmt, "_sx_site", None) is None:
                    ok = False  # assigned under a branch or nested loop, or unpacked
                    break
                if forward.index(stmt) > at:
                    restore = marker_of_site.get(stmt._sx_site)
                    if restore is None or restore not in backward:
                        ok = False
                        break
                    position = max(position, backward.index(restore) + 1)
            if not ok:
                break
            if operand in recomputed:  # after the operand's own recomputation
                position = max(position, backward.index(recomputed[operand]) + 1)
        end = backward.index(mark)
        if not ok or position > end:
            continue
        readers = [i for i, stmt in enumerate(backward) if not _is_marker(stmt)
                   and name in backward_reads([stmt])]
        if not readers or any(not position <= i < end for i in readers) \
                or name in _reads_outside(body, back_loop):
            continue
        again = ast.Assign([ast.Name(name, ast.Store())], copy.deepcopy(define.value))
        again._sx_grad = True
        again._sx_line = define._sx_line
        backward.insert(position, again)
        recomputed[name] = again
        rest = [n for n in mark._sx_marker[1] if n != name]
        if rest:
            mark._sx_marker = (mark._sx_marker[0], rest)
        else:
            backward.remove(mark)


def _never_read_after_restore(body: list[ast.stmt]) -> set[str]:
    """Names every backward read of which comes before the first statement of the
    function body that holds a restore of them: no restore is ever seen."""
    first_restore: dict[str, int] = {}
    last_read: dict[str, int] = {}
    for i, stmt in enumerate(body):
        for inner in _walk_stmts([stmt]):
            for n in getattr(inner, "_sx_marker", None) and inner._sx_marker[1] or ():
                first_restore.setdefault(n, i)
        for n in backward_reads([stmt]):
            last_read[n] = i
    return {n for n, i in first_restore.items() if last_read.get(n, -1) < i}


def _empty(block: list[ast.stmt]) -> bool:
    return all(isinstance(s, ast.Pass) for s in block)


def insert_tapes(body: list[ast.stmt], overwritten: set[str], params: set[str],
                 namer: Namer, np_name: str = "np",
                 scalars: set[str] = frozenset(), env: Env | None = None) -> list[ast.stmt]:
    """Resolve the placeholders (see the module docstring)."""
    recompute_cheap_values(body, overwritten, params, set(scalars), env)
    reads = backward_reads(body)
    wanted = overwritten & reads - _never_read_after_restore(body)
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
            if grad and isinstance(stmt, ast.If) and _empty(stmt.body) \
                    and _empty(stmt.orelse) \
                    and not any(isinstance(n, ast.Call) for n in ast.walk(stmt.test)):
                continue  # a backward branch left empty once its restores were dropped
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
