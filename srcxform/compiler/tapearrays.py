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

      if type(h) is ndarray and h.dtype is h_tape.dtype:
          h_tape[t] = h
      else:
          h_tape = retape(h_tape, t, h)

  :func:`retape` (a value of another dtype, a subclass, anything not an
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

import numpy as np

from . import anno
from .astutil import names_stored, walk_stmts
from .memory import MemoryFacts
from .program import Program
from .support import retape


def preallocate_tapes(program: Program) -> Program:
    """Turn the qualifying stacks of ``program.body`` into arrays (module docstring).

    Reads ``body``, ``trusted_shapes`` and ``env``; sets ``body``.
    """
    program.body = _TapeArrays(program).run()
    return program


def _range_args(node: ast.expr) -> tuple[int, ast.expr] | None:
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


def _plain_loop(loop: ast.For) -> bool:
    """A ``for`` loop over a name with no ``else``, ``break``, ``continue`` or ``return``."""
    return isinstance(loop.target, ast.Name) and not loop.orelse and not any(
        isinstance(n, (ast.Break, ast.Continue, ast.Return)) for n in ast.walk(loop))


def _push_of(stmt: ast.stmt, stack: str) -> str | None:
    """``v`` of ``stack.append(v)``."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "append" \
                and isinstance(call.func.value, ast.Name) and call.func.value.id == stack \
                and len(call.args) == 1 and isinstance(call.args[0], ast.Name) \
                and not call.keywords:
            return call.args[0].id
    return None


def _pop_of(stmt: ast.stmt, stack: str) -> str | None:
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
        self.shapes = program.trusted_shapes
        self.memory: MemoryFacts | None = None
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
            row = ast.Name(counter, ast.Load()) if start == 0 else \
                ast.BinOp(ast.Name(counter, ast.Load()), ast.Sub(), ast.Constant(start))
            push, pop = pushes[stack][0], pops[stack][0]
            _replace(loop.body, push, self.store(tape, value, row, push))
            _replace(back.body, pop, self.restore(tape, value, row, pop))
        out: list[ast.stmt] = []
        for stmt in self.body:
            if id(stmt) in dropped:
                continue
            out.extend(before.get(id(stmt), []))
            out.append(stmt)
        return out

    def qualifies(self, stack: str, pushes: list[ast.stmt], pops: list[ast.stmt]
                  ) -> tuple[ast.stmt, ast.For, ast.For, str, tuple[int, ...],
                             tuple[int, ast.expr]] | None:
        """What the rewrite of ``stack`` needs, when it qualifies (module docstring)."""
        if len(pushes) != 1 or len(pops) != 1:
            return None
        value = _push_of(pushes[0], stack)
        if value is None or _pop_of(pops[0], stack) != value:
            return None
        loop, back = self.owner.get(id(pushes[0])), self.owner.get(id(pops[0]))
        if loop is None or back is None or anno.get(loop, anno.GRAD, False) \
                or not anno.get(back, anno.GRAD, False) \
                or not (_plain_loop(loop) and _plain_loop(back)) \
                or back.target.id != loop.target.id:
            return None
        args = _range_args(loop.iter)
        replay = _backward_range(back)
        if args is None or replay is None or ast.dump(replay) != ast.dump(loop.iter) \
                or loop.target.id in names_stored(loop.body):
            return None
        shape = self.shapes.get(value)
        if shape is None or len(shape) < 1:
            return None
        init = next((s for s in self.body if isinstance(s, ast.Assign)
                     and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                     and s.targets[0].id == stack and isinstance(s.value, ast.List)
                     and not s.value.elts), None)
        if init is None or self.body.index(init) > self.body.index(loop):
            return None
        if self.memory is None:
            self.memory = MemoryFacts(_without_tape(self.body), self.env)
        if not self.memory.never_written(value):
            return None
        return init, loop, back, value, shape, args

    def allocation(self, tape: str, value: str, shape: tuple[int, ...], start: int,
                   stop: ast.expr, loop: ast.For) -> ast.stmt:
        """``tape = np.empty((steps, *shape))`` with a comment saying what it holds."""
        if isinstance(stop, ast.Constant):
            steps: ast.expr = ast.Constant(max(0, stop.value - start))
        else:
            steps = ast.Call(ast.Name("len", ast.Load()), [copy.deepcopy(loop.iter)], [])
        dims = ast.Tuple([steps] + [ast.Constant(n) for n in shape], ast.Load())
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
                        [ast.Attribute(ast.Name(tape, ast.Load()), "dtype", ast.Load())])])
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


def _replace(block: list[ast.stmt], old: ast.stmt, new: ast.stmt) -> None:
    block[next(i for i, s in enumerate(block) if s is old)] = new


def _without_tape(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """A copy of ``stmts`` without the tape pass's pushes and pops (they write lists)."""
    out = []
    for stmt in stmts:
        if anno.get(stmt, anno.TAPE) is not None:
            continue
        stmt = copy.copy(stmt)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                setattr(stmt, field, _without_tape(inner))
        out.append(stmt)
    return out
