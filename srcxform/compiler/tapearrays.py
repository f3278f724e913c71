"""Pass 6e, tape arrays: a loop's tape in one preallocated array when its trip count is known.

The tape pass (tape.py) saves a value a loop overwrites by pushing it onto a
list (``h_stack.append(h)``) and popping it in the backward loop; a list of
``T`` separate arrays costs an array header (about 112 bytes) and a pointer
per step besides the data, 20% more than the data itself for a vector of 64
floats.  A hand-writer keeps the states in one ``(T, n)`` array.  After
:func:`preallocate_tapes`, every stack that qualifies is such an array:

* before the forward loop, ``h_tape = np.empty((T,) + shape)`` (``T`` the trip
  count, a constant or ``len(range(...))`` of the loop's own range);
* the push becomes a store of row ``t`` (a copy of the value), guarded so the
  tape holds exactly what was pushed::

      if type(h) is ndarray and h.dtype is h_tape.dtype and h.shape == h_tape.shape[1:]:
          h_tape[t] = h
      else:
          h_tape = retape(h_tape, t, h)

  (a row is never broadcast into: a value of another shape goes the slow way)
  :func:`retape` (a value of another dtype or shape, a subclass, anything not an
  ndarray of the tape's dtype) stores it in a tape of the value's dtype when
  nothing is stored yet, else turns the tape into a list of the values
  themselves (:class:`~.support.HeldValues`): never a cast;
* the pop becomes ``h = h_tape[t]`` (a view of the row; nothing ever writes
  into it, and the backward sweep reads each row once).

A stack qualifies when it has exactly one push ``S.append(v)``, a statement of
the body of a forward loop ``for t in range(n)`` or ``range(a, n)`` (``a`` an
int literal) at the top of the function, and exactly one pop ``v = S.pop()``,
a statement of the body of the backward loop ``for t in reversed(range(...))``
with the same range at the top of the function; neither loop has ``break``,
``continue`` or ``return``, the forward body never assigns ``t``, ``n`` is a
literal or a name, ``v`` has a trusted shape of rank 1 or more, and nothing
writes into ``v``'s array.  So the push runs once per step, at row ``t - a``,
and the pop of step ``t`` reads the row its push wrote.  Other stacks (in
nested loops, checkpointed stretches, element restores) stay lists.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

import numpy as np

from . import anno
from .astutil import fix_locations, load_counts, mentions, names_stored, walk, walk_stmts
from .memory import MemoryFacts, without_tape
from .program import Program
from .shapes import size_expr
from .support import float_tape, retape


def preallocate_tapes(program: Program) -> Program:
    """Turn the qualifying stacks of ``program.body`` into arrays (module docstring).

    Reads ``body``, ``trusted_patterns``, ``size_sources`` and ``env``; sets ``body``.
    """
    program.body = _TapeArrays(program).run()
    return program


def range_args(node: ast.expr) -> tuple[int, ast.expr] | None:
    """``(a, n)`` of ``range(n)`` (``a`` 0) or ``range(a, n)`` with ``a`` an int literal."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "range" and 1 <= len(node.args) <= 2 and not node.keywords):
        return None
    if len(node.args) == 1:
        start, stop = 0, node.args[0]
    else:
        first, stop = node.args
        if not (isinstance(first, ast.Constant) and type(first.value) is int):
            return None
        start = first.value
    if not (isinstance(stop, ast.Name)
            or isinstance(stop, ast.Constant) and type(stop.value) is int):
        return None
    return start, stop


def _backward_range(loop: ast.For) -> ast.expr | None:
    """``range(...)`` of ``reversed(range(...))``."""
    it = loop.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "reversed" \
            and len(it.args) == 1 and not it.keywords:
        return it.args[0]
    return None


def plain_loop(loop: ast.For) -> bool:
    """A ``for`` loop over a name with no ``else``, ``break``, ``continue`` or ``return``."""
    return isinstance(loop.target, ast.Name) and not loop.orelse and not any(
        isinstance(n, (ast.Break, ast.Continue, ast.Return)) for n in walk(loop))


def push_of(stmt: ast.stmt, stack: str) -> str | None:
    """``v`` of ``stack.append(v)``."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "append" \
                and isinstance(call.func.value, ast.Name) and call.func.value.id == stack \
                and len(call.args) == 1 and isinstance(call.args[0], ast.Name) \
                and not call.keywords:
            return call.args[0].id
    return None


def pop_of(stmt: ast.stmt, stack: str) -> str | None:
    """``v`` of ``v = stack.pop()``."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "pop" \
                and isinstance(call.func.value, ast.Name) and call.func.value.id == stack \
                and not call.args and not call.keywords:
            return stmt.targets[0].id
    return None


class _TapeArrays:
    """The rewrite of one function body."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.body = program.body
        self.env = program.env
        self.shapes = program.trusted_patterns
        self.sources = program.size_sources  # a batch size is written from its parameter
        self.memory: MemoryFacts | None = None
        self.tapes: set[str] = set()
        self.plain: dict[int, bool] = {}  # loop id -> plain_loop (asked once per loop)
        self.stored: dict[int, set[str]] = {}  # loop id -> the names its body stores
        # where each tape statement is: the top-level loop whose body holds it directly
        self.owner: dict[int, ast.For | None] = {}
        for stmt in self.body:
            if isinstance(stmt, ast.For):
                for inner in stmt.body:
                    self.owner[id(inner)] = stmt

    def run(self) -> list[ast.stmt]:
        """The body with every qualifying stack an array."""
        pushes: dict[str, list[ast.stmt]] = {}
        pops: dict[str, list[ast.stmt]] = {}
        for stmt in walk_stmts(self.body):
            stack = anno.get(stmt, anno.TAPE)
            if stack is not None:
                side = pops if anno.get(stmt, anno.GRAD, False) else pushes
                side.setdefault(stack, []).append(stmt)
        before: dict[int, list[ast.stmt]] = {}   # forward loop -> allocations before it
        dropped: set[int] = set()               # the stacks' ``S = []``
        for stack in sorted(pushes):
            found = self.qualifies(stack, pushes[stack], pops.get(stack, []))
            if found is None:
                continue
            init, loop, back, value, shape, (start, stop) = found
            tape = self.env.namer.fresh(f"{value}_tape")
            before.setdefault(id(loop), []).append(
                self.allocation(tape, value, shape, start, stop, loop))
            dropped.add(id(init))
            counter = loop.target.id
            row = self.row(counter, start)
            self.tapes.add(tape)
            push, pop = pushes[stack][0], pops[stack][0]
            _replace(loop.body, push, self.store(tape, value, row, push))
            _replace(back.body, pop, self.restore(tape, value, row, pop))
        for i, stmt in enumerate(self.body):
            if isinstance(stmt, ast.For) and anno.get(stmt, anno.GRAD, False):
                dropped |= self.rows_from_arrays(stmt, self.body[i + 1:i + 2])
        out: list[ast.stmt] = []
        for stmt in self.body:
            if id(stmt) in dropped:
                continue
            out.extend(before.get(id(stmt), []))
            out.append(stmt)
        return out

    # -- the deferred outer products' rows, read from arrays ---------------------------------
    def rows_from_arrays(self, back: ast.For, after: list[ast.stmt]) -> set[int]:
        """Read the rows of defer's lists from arrays where each row is one.

        In a backward loop ``for t in reversed(range(a, n))`` whose deferred block
        (``if len(first) == 64:``) sums the lists' rows, a list whose one append adds a
        value the same iteration read as ``X[t]`` (an input nothing writes or rebinds) or
        restored as ``T[t - a]`` (a tape) is dropped: its rows are the steps of the block,
        ``X[t:t + 64]`` inside the loop and ``X[a:a + len(first)]`` after it.  Those are in
        step order, the lists' in backward order, so the lists kept are reversed
        (``np.array(first[::-1])``).  Returns the ids of the list bindings to drop.
        """
        if self.memory is None:
            self.memory = MemoryFacts(without_tape(self.body), self.env)
        replay = _backward_range(back)
        args = None if replay is None else range_args(replay)
        flush = next((s for s in back.body if isinstance(s, ast.If)
                      and anno.get(s, anno.DEFERRED, False)), None)
        guard = after[0] if after and isinstance(after[0], ast.If) \
            and anno.get(after[0], anno.DEFERRED, False) else None
        if args is None or not plain_loop(back) or guard is None \
                or not isinstance(guard.test, ast.Name):
            return set()
        first, block, counter = guard.test.id, 0, back.target.id
        if flush is not None:  # (none in a loop too short to fill a block)
            test = flush.test
            if not (isinstance(test, ast.Compare) and isinstance(test.left, ast.Call)
                    and test.left.args and isinstance(test.left.args[0], ast.Name)
                    and test.left.args[0].id == first
                    and isinstance(test.comparators[0], ast.Constant)):
                return set()
            block = test.comparators[0].value
        start = args[0]
        stored = names_stored(back.body)
        source: dict[str, tuple[str, int]] = {}   # name -> (array, row of step t is t - k)
        appends: dict[str, list[ast.stmt]] = {}
        rows: dict[str, tuple[str, int]] = {}
        appended: dict[str, str] = {}             # list -> the name it appends
        for stmt in back.body:
            if isinstance(stmt, ast.Expr) and anno.get(stmt, anno.DEFERRED, False):
                call = stmt.value
                listed = call.func.value.id
                appends.setdefault(listed, []).append(stmt)
                if call.args[0].id in source:
                    rows[listed] = source[call.args[0].id]
                    appended[listed] = call.args[0].id
                continue
            for n in names_stored(stmt):
                source.pop(n, None)
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                    and isinstance(stmt.value, ast.Subscript) \
                    and isinstance(stmt.value.value, ast.Name) \
                    and isinstance(stmt.value.slice, (ast.Name, ast.BinOp)):
                array, index = stmt.value.value.id, stmt.value.slice
                if array in self.tapes and ast.dump(index) == ast.dump(self.row(counter, start)):
                    source[stmt.targets[0].id] = (array, start)
                elif isinstance(index, ast.Name) and index.id == counter \
                        and array not in stored and self.memory.never_written(array):
                    source[stmt.targets[0].id] = (array, 0)
        chosen = {n: r for n, r in rows.items() if n != first and len(appends[n]) == 1}
        if not chosen:
            return set()
        back.body = [s for s in back.body if not any(s is appends[n][0] for n in chosen)]
        sources_appended = [(appended[n], n) for n in chosen]
        np_name = self.env.ref(np, "np")
        if flush is not None:
            self.respell(flush, chosen, np_name, counter, block, None)
            flush.body = [s for s in flush.body if not _clears(s, chosen)]
        self.respell(guard, chosen, np_name, counter, block, (first, start))
        # a row read only for a list now gone (``xs_item = xs[t]``) is read no more
        loads = load_counts(self.body)
        back.body = [s for s in back.body if not (
            anno.get(s, anno.GRAD, False) and isinstance(s, ast.Assign)
            and isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Subscript)
            and anno.get(s, anno.TAPE) is None and loads.get(s.targets[0].id, 0) == 0
            and s.targets[0].id in {v for v, _ in sources_appended})] or [ast.Pass()]
        index = self.body.index(back)
        return {id(s) for s in self.body[:index] if isinstance(s, ast.Assign)
                and anno.get(s, anno.DEFERRED, False) and s.targets[0].id in chosen}

    def row(self, counter: str, start: int) -> ast.expr:
        """The row of step ``counter`` in a tape of a loop starting at ``start``."""
        return ast.Name(counter, ast.Load()) if start == 0 else \
            ast.BinOp(ast.Name(counter, ast.Load()), ast.Sub(), ast.Constant(start))

    def respell(self, block_if: ast.If, chosen: dict[str, tuple[str, int]], np_name: str,
                counter: str, block: int, tail: tuple[str, int] | None) -> None:
        """In a deferred block: ``np.array(L)`` of a chosen list as a slice of its array
        (``tail``: after the loop, ``(first list, loop start)``), other lists reversed."""
        def rows_of(array: str, k: int) -> ast.expr:
            if tail is None:  # the block of steps t .. t + block - 1
                low: ast.expr = ast.Name(counter, ast.Load()) if k == 0 else \
                    ast.BinOp(ast.Name(counter, ast.Load()), ast.Sub(), ast.Constant(k))
                count: ast.expr = ast.Constant(block)
            else:  # the steps a .. a + len(first) - 1
                low = ast.Constant(tail[1] - k)
                count = ast.Call(ast.Name("len", ast.Load()), [ast.Name(tail[0], ast.Load())], [])
            high = count if isinstance(low, ast.Constant) and low.value == 0 else \
                ast.BinOp(copy.deepcopy(low), ast.Add(), count)
            if isinstance(low, ast.Constant) and low.value == 0:
                low = None
            part = ast.Subscript(ast.Name(array, ast.Load()), ast.Slice(low, high), ast.Load())
            return ast.Call(ast.Attribute(ast.Name(np_name, ast.Load()), "asarray", ast.Load()),
                            [part], [])

        class Respell(ast.NodeTransformer):
            def visit_Call(self, node: ast.Call) -> ast.expr:
                self.generic_visit(node)
                if isinstance(node.func, ast.Attribute) and node.func.attr == "array" \
                        and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
                    listed = node.args[0].id
                    if listed in chosen:
                        return rows_of(*chosen[listed])
                    node.args[0] = ast.Subscript(node.args[0], ast.Slice(
                        None, None, ast.UnaryOp(ast.USub(), ast.Constant(1))), ast.Load())
                return node

        for stmt in block_if.body:
            Respell().visit(stmt)
            ast.fix_missing_locations(stmt)

    def qualifies(self, stack: str, pushes: list[ast.stmt], pops: list[ast.stmt]
                  ) -> tuple[ast.stmt, ast.For, ast.For, str, tuple[int, ...],
                             tuple[int, ast.expr]] | None:
        """What the rewrite of ``stack`` needs, when it qualifies (module docstring)."""
        if len(pushes) != 1 or len(pops) != 1:
            return None
        value = push_of(pushes[0], stack)
        if value is None or pop_of(pops[0], stack) != value:
            return None
        loop, back = self.owner.get(id(pushes[0])), self.owner.get(id(pops[0]))
        if loop is None or back is None or anno.get(loop, anno.GRAD, False) \
                or not anno.get(back, anno.GRAD, False) \
                or not (self.is_plain(loop) and self.is_plain(back)) \
                or back.target.id != loop.target.id:
            return None
        args = range_args(loop.iter)
        replay = _backward_range(back)
        if args is None or replay is None or ast.dump(replay) != ast.dump(loop.iter) \
                or loop.target.id in self.stored_in(loop):
            return None
        shape = self.shapes.get(value)
        if shape is None or len(shape) < 1 \
                or any(size_expr(n, self.sources) is None for n in shape):
            return None
        init = next((s for s in self.body if isinstance(s, ast.Assign)
                     and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                     and s.targets[0].id == stack and isinstance(s.value, ast.List)
                     and not s.value.elts), None)
        if init is None or self.body.index(init) > self.body.index(loop):
            return None
        if self.memory is None:
            self.memory = MemoryFacts(without_tape(self.body), self.env)
        if not self.memory.never_written(value):
            return None
        return init, loop, back, value, shape, args

    def is_plain(self, loop: ast.For) -> bool:
        """:func:`plain_loop`, once per loop."""
        if id(loop) not in self.plain:
            self.plain[id(loop)] = plain_loop(loop)
        return self.plain[id(loop)]

    def stored_in(self, loop: ast.For) -> set[str]:
        """The names ``loop``'s body stores, found once per loop."""
        if id(loop) not in self.stored:
            self.stored[id(loop)] = names_stored(loop.body)
        return self.stored[id(loop)]

    def allocation(self, tape: str, value: str, shape: tuple[int, ...], start: int,
                   stop: ast.expr, loop: ast.For) -> ast.stmt:
        """``tape = np.empty((steps, *shape))`` with a comment saying what it holds."""
        if isinstance(stop, ast.Constant):
            steps: ast.expr = ast.Constant(max(0, stop.value - start))
        else:
            steps = ast.Call(ast.Name("len", ast.Load()), [copy.deepcopy(loop.iter)], [])
        dims = ast.Tuple([steps] + [size_expr(n, self.sources) for n in shape], ast.Load())
        empty = ast.Attribute(ast.Name(self.env.ref(np, "np"), ast.Load()), "empty", ast.Load())
        stmt = ast.Assign([ast.Name(tape, ast.Store())], ast.Call(empty, [dims], []))
        anno.set(stmt, anno.LINE, anno.get(loop, anno.LINE))
        anno.set(stmt, anno.NOTE, [f"the {value} of every step of the loop below, one row each"])
        return ast.fix_missing_locations(stmt)

    def store(self, tape: str, value: str, row: ast.expr, push: ast.stmt) -> ast.stmt:
        """The guarded store of ``value`` in row ``row`` of ``tape`` (module docstring)."""
        ndarray = self.env.ref(np.ndarray, "ndarray")
        test = ast.BoolOp(ast.And(), [
            ast.Compare(ast.Call(ast.Name("type", ast.Load()), [ast.Name(value, ast.Load())], []),
                        [ast.Is()], [ast.Name(ndarray, ast.Load())]),
            ast.Compare(ast.Attribute(ast.Name(value, ast.Load()), "dtype", ast.Load()),
                        [ast.Is()],
                        [ast.Attribute(ast.Name(tape, ast.Load()), "dtype", ast.Load())]),
            ast.Compare(ast.Attribute(ast.Name(value, ast.Load()), "shape", ast.Load()),
                        [ast.Eq()],
                        [ast.Subscript(ast.Attribute(ast.Name(tape, ast.Load()), "shape",
                                                     ast.Load()),
                                       ast.Slice(ast.Constant(1), None, None), ast.Load())])])
        fast = ast.Assign([ast.Subscript(ast.Name(tape, ast.Load()), copy.deepcopy(row),
                                         ast.Store())], ast.Name(value, ast.Load()))
        slow = ast.Assign([ast.Name(tape, ast.Store())], ast.Call(
            ast.Name(self.env.ref(retape, "retape"), ast.Load()),
            [ast.Name(tape, ast.Load()), copy.deepcopy(row), ast.Name(value, ast.Load())], []))
        stmt = ast.If(test, [fast], [slow])
        for s in (stmt, fast, slow):
            anno.set(s, anno.LINE, anno.get(push, anno.LINE))
            anno.set(s, anno.TAPE, tape)
        return ast.fix_missing_locations(stmt)

    def restore(self, tape: str, value: str, row: ast.expr, pop: ast.stmt) -> ast.stmt:
        """``value = tape[row]``."""
        stmt = ast.Assign([ast.Name(value, ast.Store())],
                          ast.Subscript(ast.Name(tape, ast.Load()), row, ast.Load()))
        for key in (anno.LINE, anno.GRAD):
            anno.set(stmt, key, anno.get(pop, key))
        anno.set(stmt, anno.TAPE, tape)
        return ast.fix_missing_locations(stmt)


def _clears(stmt: ast.stmt, lists: dict[str, tuple[str, int]]) -> bool:
    """True for ``L.clear()`` of one of ``lists``."""
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
        and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "clear" \
        and isinstance(stmt.value.func.value, ast.Name) and stmt.value.func.value.id in lists


def _replace(block: list[ast.stmt], old: ast.stmt, new: ast.stmt) -> None:
    block[next(i for i, s in enumerate(block) if s is old)] = new


# -- generated code transformed again ----------------------------------------------------------
def untape_generated(program: Program) -> Program:
    """Before the front end: tape arrays of generated code, transformed again, as lists.

    ``sx.hessian``, ``hvp`` and ``grad(grad(f))`` transform the code a gradient
    generated.  Its tape arrays are written through :func:`retape`, which no
    transform differentiates; so where ``parsed.node`` holds the guarded store this
    pass made (``if type(v) is ndarray and v.dtype is T.dtype and ...: T[row] = v`` else
    ``T = retape(T, row, v)``, ``retape`` resolving to :func:`~.support.retape`),
    the store becomes ``T.append(v)`` and ``T = np.empty(...)`` becomes ``T = []``; so do
    a float tape's store ``T[row] = v`` and ``T = float_tape(...)`` (listtapes.py).
    Each step appends exactly once, in step order, so the reads ``T[row]`` and
    ``T[lo:hi]`` read the same values from the list.  A backward loop over a list
    tape, ``for v in reversed(S):`` (listtapes.py), is the loop the tape pass wrote
    before it, ``for k in range(len(S)): v = S.pop(); ...`` (the same values in the same
    order; the front end follows pops of a tape, not a loop over a list's values).
    Defer's block sum inside a loop (``if len(L) == 64: ...; L.clear()``, a list
    emptied for its effect, which no transform differentiates) is dropped: the sum
    after the loop then adds every row, which is the same total.  A ufunc written into
    its own operand, ``f(v, out=v)`` (outbuffers.py), is ``v = f(v)``.  Only for generated
    code (its file name starts with ``<srcxform``).  Reads ``parsed``; changes
    ``parsed.node``.
    """
    parsed = program.parsed
    if not parsed.filename.startswith("<srcxform"):
        return program
    names, allocators = _names_of(parsed, retape), _names_of(parsed, float_tape)
    floats = {s.targets[0].id for s in walk(parsed.node) if isinstance(s, ast.Assign)
              and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
              and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)
              and s.value.func.id in allocators}
    tapes: set[str] = set()

    def store_of(stmt: ast.stmt) -> tuple[str, str] | None:
        """``(T, v)`` of the guarded store, or of ``T[row] = v`` into a float tape."""
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Subscript) \
                and isinstance(stmt.targets[0].value, ast.Name) \
                and stmt.targets[0].value.id in floats and isinstance(stmt.value, ast.Name):
            return stmt.targets[0].value.id, stmt.value.id
        if not (isinstance(stmt, ast.If) and len(stmt.body) == 1 and len(stmt.orelse) == 1):
            return None
        slow = stmt.orelse[0]
        if not (isinstance(slow, ast.Assign) and len(slow.targets) == 1
                and isinstance(slow.targets[0], ast.Name) and isinstance(slow.value, ast.Call)
                and isinstance(slow.value.func, ast.Name) and slow.value.func.id in names
                and len(slow.value.args) == 3
                and all(isinstance(a, ast.Name) for a in slow.value.args[::2])):
            return None
        tape, value = slow.targets[0].id, slow.value.args[2].id
        fast = stmt.body[0]
        if not (isinstance(fast, ast.Assign) and isinstance(fast.targets[0], ast.Subscript)
                and isinstance(fast.targets[0].value, ast.Name)
                and fast.targets[0].value.id == tape
                and isinstance(fast.value, ast.Name) and fast.value.id == value):
            return None
        return tape, value

    def block(stmts: list[ast.stmt]) -> list[ast.stmt]:
        out = []
        for stmt in stmts:
            if _block_sum(stmt):
                continue  # (the rows are all summed after the loop instead)
            into = _into_itself(stmt)
            if into is not None:
                out.append(into)
                continue
            if isinstance(stmt, ast.For) and _reversed_name(stmt.iter, parsed):
                _as_pops(stmt, parsed.node)
            found = store_of(stmt)
            if found is not None:
                tape, value = found
                tapes.add(tape)
                new = ast.Expr(ast.Call(ast.Attribute(ast.Name(tape, ast.Load()), "append",
                                                      ast.Load()),
                                        [ast.Name(value, ast.Load())], []))
                out.append(ast.copy_location(new, stmt))
                continue
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if inner and isinstance(inner, list) and isinstance(inner[0], ast.stmt):
                    setattr(stmt, field, block(inner))
            out.append(stmt)
        return out

    node = parsed.node
    node.body = block(node.body)
    for stmt in walk(node):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in tapes \
                and isinstance(stmt.value, ast.Call) \
                and (isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "empty"
                     or stmt.targets[0].id in floats):
            stmt.value = ast.copy_location(ast.List([], ast.Load()), stmt.value)
    ast.fix_missing_locations(node)
    return program


def _names_of(parsed: Any, obj: Any) -> set[str]:
    """The global and closure names of ``parsed`` bound to ``obj``."""
    names = {n for n, v in parsed.globals.items() if v is obj}
    for n, cell in parsed.closure.items():  # (cells: empty ones raise ValueError)
        try:
            if cell.cell_contents is obj:
                names.add(n)
        except ValueError:
            pass
    return names


def _into_itself(stmt: ast.stmt) -> ast.Assign | None:
    """``v = f(v)`` for outbuffers.py's ``f(v, out=v)`` (a ufunc into its own fresh
    operand: the same value, as a value the front end follows), else None."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return None
    call = stmt.value
    if not (len(call.args) == 1 and isinstance(call.args[0], ast.Name)
            and len(call.keywords) == 1 and call.keywords[0].arg == "out"
            and isinstance(call.keywords[0].value, ast.Name)
            and call.keywords[0].value.id == call.args[0].id):
        return None
    value = ast.copy_location(ast.Call(call.func, call.args, []), call)
    return ast.copy_location(ast.Assign([ast.Name(call.args[0].id, ast.Store())], value), stmt)


def _as_pops(loop: ast.For, fn: ast.AST) -> None:
    """``for v in reversed(S): body`` as the tape pass wrote it before listtapes.py:
    ``for k in range(len(S)): v = S.pop(); body`` (``S`` is read by nothing after)."""
    stack = loop.iter.args[0].id
    counter, n = f"{stack}_step", 0
    while mentions(fn, counter):
        n += 1
        counter = f"{stack}_step{n}"
    pop = ast.Assign([loop.target], ast.Call(
        ast.Attribute(ast.Name(stack, ast.Load()), "pop", ast.Load()), [], []))
    loop.iter = ast.copy_location(ast.Call(ast.Name("range", ast.Load()), [ast.Call(
        ast.Name("len", ast.Load()), [ast.Name(stack, ast.Load())], [])], []), loop.iter)
    loop.target = ast.Name(counter, ast.Store())
    loop.body.insert(0, ast.copy_location(pop, loop))
    fix_locations(loop)


def _reversed_name(node: ast.expr, parsed: Any) -> bool:
    """``reversed(S)`` of a name, ``reversed`` the builtin (not a global or closure name)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == "reversed" and len(node.args) == 1 \
        and isinstance(node.args[0], ast.Name) and not node.keywords \
        and "reversed" not in parsed.globals and "reversed" not in parsed.closure


def _block_sum(stmt: ast.stmt) -> bool:
    """True for defer's ``if len(L) == k: ...; L.clear()`` (no ``else``)."""
    if not (isinstance(stmt, ast.If) and not stmt.orelse and isinstance(stmt.test, ast.Compare)
            and isinstance(stmt.test.ops[0], ast.Eq) and isinstance(stmt.test.left, ast.Call)
            and isinstance(stmt.test.left.func, ast.Name) and stmt.test.left.func.id == "len"
            and len(stmt.test.left.args) == 1 and isinstance(stmt.test.left.args[0], ast.Name)):
        return False
    listed = stmt.test.left.args[0].id
    return any(_clears(s, {listed: ("", 0)}) for s in stmt.body)
