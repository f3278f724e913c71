"""Pass 6c, tape: save exactly the overwritten values the backward sweep reads.

The reverse pass leaves a placeholder (annotation ``marker``) after the
adjoint of every assignment to a name that may be assigned more than once at
run time (in a loop, or at two places).  After :func:`insert_tapes`:

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
  into, like ``x[t]``; arithmetic on scalars; one elementwise ``+ - * /`` of
  arrays nothing writes into, like ``a * x``) is not saved but computed again
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

import numpy as np

from . import anno
from .aliases import generated_code_resolver
from .astutil import (
    BLOCK_FIELDS,
    blocks,
    has_loop,
    names_loaded,
    names_mentioned,
    names_stored,
    names_written_into,
    walk,
    walk_stmts,
)
from .env import Env
from .memory import MemoryFacts
from .mutation import sharers_at_writes
from .names import Namer
from .program import Program
from .reverse import RESTORE


def insert_tapes(program: Program) -> Program:
    """Resolve the restore placeholders of ``program.body`` (see the module docstring).

    Reads ``body``, ``overwritten``, ``params``, ``namer``, ``env`` and
    ``trusted_shapes`` (names of scalar shape are cheap to recompute); sets ``body``.
    """
    np_name = program.env.ref(np, "np")
    scalars = {n for n, shape in program.trusted_shapes.items() if shape == ()}
    # (a parameter's first overwrite is saved in user code; generated gradient code, whose
    # stacks a second transform replays, keeps the earlier rule until that is checked there)
    generated = getattr(program.parsed.fn, "__srcxform__", None) is not None
    program.body = tape_body(program.body, program.overwritten, set(program.params),
                             program.namer, np_name, scalars, program.env,
                             save_parameters=not generated)
    return program


def tape_body(body: list[ast.stmt], overwritten: set[str], params: set[str], namer: Namer,
              np_name: str = "np", scalars: set[str] = frozenset(),
              env: Env | None = None, save_parameters: bool = True) -> list[ast.stmt]:
    """:func:`insert_tapes` of a body: ``params`` are bound on entry, ``scalars`` hold
    scalars wherever they are read, ``np_name`` refers to NumPy."""
    recompute_cheap_values(body, overwritten, params, set(scalars), env)
    plan = _Plan(body, overwritten, params if save_parameters else frozenset(), env)
    stacks = {v: namer.fresh(f"{v}_stack") for v in sorted(plan.used)}
    body = _Rewrite(stacks, plan.alive, np_name).block(body)
    prelude: list[ast.stmt] = []
    for v, stack in stacks.items():
        prelude.append(ast.Assign([ast.Name(stack, ast.Store())], ast.List([], ast.Load())))
        if v not in params and v not in plan.first_defined:
            prelude.append(ast.Assign([ast.Name(v, ast.Store())], ast.Constant(None)))
    for stmt in prelude:
        anno.set(stmt, anno.LINE, 0)
        ast.fix_missing_locations(stmt)
    return prelude + body


def _is_marker(stmt: ast.stmt) -> bool:
    """True for a restore placeholder."""
    return anno.get(stmt, anno.MARKER) is not None


def backward_reads(body: list[ast.stmt]) -> set[str]:
    """Names the backward sweep loads (of a placeholder only the index of the elements it
    puts back, ``a[i:k] = a_stack.pop()``; of a compound statement only its test or
    iterator)."""
    reads: set[str] = set()
    for stmt in walk_stmts(body):
        if not anno.get(stmt, anno.GRAD, False):
            continue
        if _is_marker(stmt):
            index = anno.get(stmt, anno.STORE_INDEX)
            if index is not None:
                reads |= names_loaded(index)
            continue
        if isinstance(stmt, (ast.If, ast.While)):
            reads |= names_loaded(stmt.test)
        elif isinstance(stmt, ast.For):
            reads |= names_loaded(stmt.iter)
        else:
            reads |= names_loaded(stmt)
    return reads


class _Plan:
    """Which saves and restores are needed.

    ``alive``: the sites of forward assignments (and loop headers) whose old value is
    pushed; ``used``: the names that get a stack; ``first_defined``: those of them
    whose first assignment is at the top of the function (no ``None`` binding needed).
    """

    def __init__(self, body: list[ast.stmt], overwritten: set[str],
                 params: set[str] = frozenset(), env: Env | None = None) -> None:
        wanted: set[str] = set()  # (nothing overwritten, nothing to save: no reads asked)
        if overwritten:
            seen = _arrays_seen_through_views(body, env)
            reads = backward_reads(body) | seen
            wanted = overwritten & reads - (_never_read_after_restore(body) - seen)
        self.alive: set[int] = set()
        for stmt in walk_stmts(body):
            if anno.get(stmt, anno.GRAD, False):
                continue
            for key in (anno.SITE, anno.HEADER_SITE):
                site = anno.get(stmt, key)
                if site is not None:
                    self.alive.add(site)
        initial = _initial_sites(body, params)
        self.alive -= initial
        self.used: set[str] = set()
        for stmt in walk_stmts(body) if wanted else ():
            mark = anno.get(stmt, anno.MARKER)
            if mark is not None and mark[0] in self.alive:
                self.used |= set(mark[1]) & wanted
        self.first_defined = {n for n in self.used if any(
            anno.get(st, anno.SITE) in initial and n in names_mentioned(st.targets)
            for st in body if isinstance(st, ast.Assign))}


def _arrays_seen_through_views(body: list[ast.stmt], env: Env | None) -> set[str]:
    """Arrays written by element while a name the backward sweep reads may share their
    memory (a view, an alias): their overwritten elements are saved and put back in place,
    so the view sees what it held in the forward sweep (``mutation.py``)."""
    if not any(names_written_into(st.targets) for st in walk_stmts(body)
               if isinstance(st, ast.Assign) and not anno.get(st, anno.GRAD, False)):
        return set()
    sharers = sharers_at_writes(body, [], generated_code_resolver(env),
                                skip=lambda st: anno.get(st, anno.GRAD, False))
    reads = backward_reads(body)
    return {w for w, names in sharers.items() if names & reads}


def _initial_sites(body: list[ast.stmt], params: set[str] = frozenset()) -> set[int]:
    """Sites of a name's first assignment, at the top level of the function: it
    overwrites nothing, so it needs no save (and its restore would only bring back an
    unbound name).  A parameter is bound on entry: its first assignment overwrites it."""
    initial: set[int] = set()
    seen: set[str] = set(params)
    top = {id(s) for s in body}
    for stmt in walk_stmts(body):
        if anno.get(stmt, anno.GRAD, False):
            continue
        if isinstance(stmt, ast.Assign):
            names = names_stored(stmt.targets)
            site = anno.get(stmt, anno.SITE)
            written = isinstance(stmt.targets[0], ast.Subscript)  # an element write
            if site is not None and id(stmt) in top and not written \
                    and not seen.intersection(names):
                initial.add(site)
            seen.update(names)
        elif isinstance(stmt, ast.For):
            seen.add(stmt.target.id)
    return initial


class _Rewrite:
    """Puts the pushes before the alive forward assignments and turns their
    placeholders into pops."""

    def __init__(self, stacks: dict[str, str], alive: set[int], np_name: str) -> None:
        self.stacks = stacks
        self.alive = alive
        self.np_name = np_name

    def push(self, name: str, line: int, index: ast.expr | None = None) -> ast.stmt:
        """``name_stack.append(name)`` (of a copy of ``name[index]`` for an element write)."""
        saved: ast.expr = ast.Name(name, ast.Load())
        if index is not None:  # the elements about to be overwritten, copied
            saved = ast.Call(ast.Attribute(ast.Name(self.np_name, ast.Load()), "copy",
                                           ast.Load()),
                             [ast.Subscript(saved, copy.deepcopy(index), ast.Load())], [])
        call = ast.Call(ast.Attribute(ast.Name(self.stacks[name], ast.Load()), "append",
                                      ast.Load()), [saved], [])
        stmt = ast.Expr(call)
        anno.set(stmt, anno.LINE, line)
        anno.set(stmt, anno.TAPE, self.stacks[name])
        return stmt

    def pops(self, mark: ast.stmt) -> list[ast.stmt]:
        """``v = v_stack.pop()`` for each saved name a placeholder restores."""
        site, names = anno.get(mark, anno.MARKER)
        if site not in self.alive:
            return []
        index = anno.get(mark, anno.STORE_INDEX)
        out = []
        for n in names:
            if n in self.stacks:
                target: ast.expr = ast.Name(n, ast.Store())
                if index is not None:
                    target = ast.Subscript(ast.Name(n, ast.Load()), copy.deepcopy(index),
                                           ast.Store())
                pop = ast.Assign([target], ast.Call(
                    ast.Attribute(ast.Name(self.stacks[n], ast.Load()), "pop", ast.Load()),
                    [], []))
                anno.set(pop, anno.LINE, anno.get(mark, anno.LINE))
                anno.set(pop, anno.GRAD, True)
                anno.set(pop, anno.TAPE, self.stacks[n])
                out.append(pop)
        return out

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """``stmts`` with pushes inserted and placeholders resolved (nested blocks too)."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            if _is_marker(stmt):
                out.extend(self.pops(stmt))
                continue
            grad = anno.get(stmt, anno.GRAD, False)
            if not grad and isinstance(stmt, ast.Assign) and \
                    anno.get(stmt, anno.SITE) in self.alive:
                t = stmt.targets[0]
                line = anno.get(stmt, anno.LINE)
                if isinstance(t, ast.Subscript):
                    if t.value.id in self.stacks:
                        out.append(self.push(t.value.id, line, t.slice))
                else:
                    for n in walk(t):
                        if isinstance(n, ast.Name) and n.id in self.stacks:
                            out.append(self.push(n.id, line))
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None)
                if inner:
                    new = self.block(inner)
                    setattr(stmt, field, new if new or field == "orelse" else [ast.Pass()])
            if grad and isinstance(stmt, ast.If) and _empty(stmt.body) \
                    and _empty(stmt.orelse) \
                    and not any(isinstance(n, ast.Call) for n in walk(stmt.test)):
                continue  # a backward branch left empty once its restores were dropped
            if not grad and isinstance(stmt, ast.For) and \
                    anno.get(stmt, anno.HEADER_SITE) and stmt.target.id in self.stacks:
                stmt.body.insert(0, self.push(stmt.target.id, anno.get(stmt, anno.LINE)))
            out.append(stmt)
        return out


def _empty(block: list[ast.stmt]) -> bool:
    """True for a block of ``pass`` statements only."""
    return all(isinstance(s, ast.Pass) for s in block)


def _never_read_after_restore(body: list[ast.stmt]) -> set[str]:
    """Names every backward read of which comes before the first statement of the
    function body that holds a restore of them: no restore is ever seen."""
    first_restore: dict[str, int] = {}
    last_read: dict[str, int] = {}
    for i, stmt in enumerate(body):
        for inner in walk_stmts([stmt]):
            for n in (anno.get(inner, anno.MARKER) or (None, ()))[1]:
                first_restore.setdefault(n, i)
        for n in backward_reads([stmt]):
            last_read[n] = i
    return {n for n, i in first_restore.items() if last_read.get(n, -1) < i}


# -- cheap values computed again instead of saved -----------------------------------------------
def _reads_outside(body: list[ast.stmt], loop: ast.stmt) -> set[str]:
    """Names the backward sweep loads outside ``loop``'s body (its header included)."""
    reads: set[str] = set()
    for stmt in body:
        if stmt is loop:
            reads |= backward_reads([_header(loop)])
            continue
        reads |= backward_reads([stmt]) if not hasattr(stmt, "body") else \
            backward_reads([_header(stmt)])
        for field in BLOCK_FIELDS:
            reads |= _reads_outside(getattr(stmt, field, []) or [], loop)
    return reads


def _header(stmt: ast.stmt) -> ast.stmt:
    """``stmt`` without its nested statements (for its test or iterator)."""
    head = copy.copy(stmt)
    head.body, head.orelse = [], []
    return head


def _is_call_of(node: ast.expr, name: str) -> bool:
    """True for ``name(x)`` (one positional argument)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == name and len(node.args) == 1 and not node.keywords


def _cheap(value: ast.expr, counter: str, scalars: set[str],
           memory: MemoryFacts | None) -> bool:
    """True when recomputing ``value`` costs less than saving and restoring it: a basic
    index (a view) of an array nobody writes into, arithmetic on scalars, or one
    elementwise operation on arrays nobody writes into (no stack of its results)."""
    def index_part(node: ast.expr) -> bool:
        """An int literal, the loop counter, their negation, or a slice of them."""
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
        """A number literal, a name holding a scalar, or the loop counter."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return isinstance(node, ast.Name) and (node.id in scalars or node.id == counter)

    def unwritten(node: ast.expr) -> bool:
        """A number literal, or a name of a value nothing writes into (maybe an array)."""
        if isinstance(node, ast.Name):
            return memory is not None and memory.never_written(node.id)
        return scalar(node)

    if isinstance(value, ast.BinOp) and not isinstance(value.op, ast.MatMult):
        if scalar(value.left) and scalar(value.right):
            return True
        # one elementwise operation on arrays: a hand-writer recomputes it (``a * x``)
        return isinstance(value.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)) \
            and unwritten(value.left) and unwritten(value.right)
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
    if has_loop(body):  # (only values defined in loops are recomputed)
        _Recompute(body, params, scalars, env).run(overwritten)


class _Recompute:
    """The facts :func:`recompute_cheap_values` decides by, and its decisions."""

    def __init__(self, body: list[ast.stmt], params: set[str], scalars: set[str],
                 env: Env | None) -> None:
        self.body = body
        self.scalars = scalars
        self.memory = MemoryFacts(body, env) if env is not None else None
        self.owner_of: dict[int, tuple[list[ast.stmt], ast.stmt | None]] = {}
        for stmts, owner in blocks(body):
            for stmt in stmts:
                self.owner_of[id(stmt)] = (stmts, owner)
        self.sites: dict[str, list[ast.stmt]] = {}  # forward assignments with a site, by name
        self.other_stores: set[str] = set(params)  # names written any other way
        for stmt in walk_stmts(body):
            if anno.get(stmt, anno.GRAD, False):
                continue
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                    and len(stmt.targets) == 1 and anno.get(stmt, anno.SITE) is not None:
                self.sites.setdefault(stmt.targets[0].id, []).append(stmt)
            elif isinstance(stmt, ast.For):
                if isinstance(stmt.target, ast.Name):
                    self.other_stores.add(stmt.target.id)
            elif not isinstance(stmt, (ast.While, ast.If)):
                self.other_stores |= names_stored(stmt)
        self.markers: dict[str, list[ast.stmt]] = {}
        self.marker_of_site: dict[int, ast.stmt] = {}
        for stmt in walk_stmts(body):
            mark = anno.get(stmt, anno.MARKER)
            if mark is not None:
                self.marker_of_site[mark[0]] = stmt
                for n in mark[1]:
                    self.markers.setdefault(n, []).append(stmt)
        self.order = {id(stmt): i for i, stmt in enumerate(walk_stmts(body))}
        self.recomputed: dict[str, ast.stmt] = {}
        # per loop, computed once (a loop full of values must not cost a walk per value)
        self.jumps: dict[tuple[int, int], bool] = {}
        self.outside: dict[int, set[str]] = {}          # backward loop -> reads outside it
        self.index: dict[int, dict[int, int]] = {}      # block -> statement -> its index
        self.stores: dict[int, list[set[str]]] = {}     # forward body -> stores per statement
        self.reads: dict[int, list[set[str]]] = {}      # backward body -> reads per statement

    def run(self, overwritten: set[str]) -> None:
        """Try each name, in the order of the forward definitions: an operand defined
        earlier in the iteration is settled, saved or recomputed, before the values
        computed from it."""
        for name in sorted(overwritten, key=lambda n: self.order[id(self.sites[n][0])]
                           if n in self.sites else -1):
            if name in self.other_stores or len(self.sites.get(name, [])) != 1 \
                    or len(self.markers.get(name, [])) != 1:
                continue
            self.attempt(name)

    def loops(self, name: str) -> tuple[ast.For, ast.For] | None:
        """The forward ``range`` loop whose body defines ``name`` and the backward loop
        replaying it whose body restores it, when both are plain (no early exit)."""
        define = self.sites[name][0]
        forward, loop = self.owner_of[id(define)]
        mark = self.markers[name][0]
        backward, back_loop = self.owner_of[id(mark)]
        if not (isinstance(loop, ast.For) and loop.body is forward
                and isinstance(loop.target, ast.Name) and _is_call_of(loop.iter, "range")
                and isinstance(back_loop, ast.For) and back_loop.body is backward
                and isinstance(back_loop.target, ast.Name)
                and back_loop.target.id == loop.target.id
                and _is_call_of(back_loop.iter, "reversed")
                and _is_call_of(back_loop.iter.args[0], "range")
                and anno.get(mark, anno.MARKER)[0] == anno.get(define, anno.SITE)):
            return None
        key = (id(loop), id(back_loop))
        if key not in self.jumps:  # once per loop pair, not per name
            self.jumps[key] = any(isinstance(n, (ast.Break, ast.Continue, ast.Return))
                                  for node in (loop, back_loop) for n in walk(node))
        return None if self.jumps[key] else (loop, back_loop)

    def index_in(self, block: list[ast.stmt], stmt: ast.stmt) -> int | None:
        """The index of ``stmt`` in ``block`` (``None``: not a statement of it)."""
        table = self.index.get(id(block))
        if table is None:
            table = self.index[id(block)] = {id(s): i for i, s in enumerate(block)}
        return table.get(id(stmt))

    def stores_of(self, forward: list[ast.stmt]) -> list[tuple[ast.stmt, set[str]]]:
        """Every statement of ``forward`` (nested ones too) with the names it stores."""
        found = self.stores.get(id(forward))
        if found is None:
            found = [(s, names_stored(s)) for s in walk_stmts(forward)]
            self.stores[id(forward)] = found
        return found

    def reads_of(self, backward: list[ast.stmt]) -> list[set[str]]:
        """The backward reads of each statement of ``backward`` (placeholders read none)."""
        found = self.reads.get(id(backward))
        if found is None:
            found = self.reads[id(backward)] = [set() if _is_marker(s) else backward_reads([s])
                                                for s in backward]
        return found

    def reads_outside(self, back_loop: ast.For) -> set[str]:
        """Names the backward sweep loads outside ``back_loop``'s body."""
        if id(back_loop) not in self.outside:
            self.outside[id(back_loop)] = _reads_outside(self.body, back_loop)
        return self.outside[id(back_loop)]

    def position(self, define: ast.Assign, operands: set[str], loop: ast.For,
                 back_loop: ast.For) -> int | None:
        """The earliest index in the backward body where every operand holds the value
        it had at ``define``, or ``None`` when an operand's history is not that plain."""
        forward, backward = loop.body, back_loop.body
        position = 0
        at = self.index_in(forward, define)
        for operand in operands:
            for stmt, stored in self.stores_of(forward):
                if operand not in stored:
                    continue
                index = self.index_in(forward, stmt)
                if index is None or not isinstance(stmt, ast.Assign) \
                        or anno.get(stmt, anno.SITE) is None:
                    return None  # assigned under a branch or nested loop, or unpacked
                if index > at:
                    restore = self.marker_of_site.get(anno.get(stmt, anno.SITE))
                    back = None if restore is None else self.index_in(backward, restore)
                    if back is None:
                        return None
                    position = max(position, back + 1)
            if operand in self.recomputed:  # after the operand's own recomputation
                again = self.index_in(backward, self.recomputed[operand])
                if again is None:
                    return None  # recomputed in another (a nested) backward loop
                position = max(position, again + 1)
        return position

    def attempt(self, name: str) -> None:
        """Recompute ``name`` in its backward loop when that is cheap and every backward
        read of it then sees the value it had."""
        define, mark = self.sites[name][0], self.markers[name][0]
        _, loop = self.owner_of[id(define)]
        if not isinstance(loop, ast.For) or not isinstance(loop.target, ast.Name) \
                or not _cheap(define.value, loop.target.id, self.scalars, self.memory):
            return  # (the cheap test first: it needs no walk)
        found = self.loops(name)
        if found is None:
            return
        loop, back_loop = found
        counter = loop.target.id
        operands = names_mentioned(define.value)
        if name in operands:
            return
        position = self.position(define, operands - {counter}, loop, back_loop)
        backward = back_loop.body
        end = self.index_in(backward, mark)
        if position is None or position > end:
            return
        readers = [i for i, reads in enumerate(self.reads_of(backward)) if name in reads]
        if not readers or any(not position <= i < end for i in readers) \
                or name in self.reads_outside(back_loop):
            return
        again = ast.Assign([ast.Name(name, ast.Store())], copy.deepcopy(define.value))
        anno.set(again, anno.GRAD, True)
        anno.set(again, anno.LINE, anno.get(define, anno.LINE))
        site, names = anno.get(mark, anno.MARKER)
        rest = [n for n in names if n != name]
        reads = self.reads_of(backward)
        if rest:
            anno.set(mark, anno.MARKER, (site, rest))
        else:
            del backward[end]  # (the placeholder, which reads nothing)
            del reads[end]
        backward.insert(position, again)
        reads.insert(position, backward_reads([again]))
        self.recomputed[name] = again
        self.forget(back_loop)

    def forget(self, back_loop: ast.For) -> None:
        """Drop what was computed about ``back_loop``'s body, which just changed (its reads
        per statement were kept up to date by the caller)."""
        backward = back_loop.body
        self.index.pop(id(backward), None)
        # its new reads lie outside every other backward loop
        self.outside = {k: v for k, v in self.outside.items() if k == id(back_loop)}


__all__ = ["RESTORE", "backward_reads", "insert_tapes", "tape_body"]
