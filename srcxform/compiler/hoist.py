"""Loop products with an input's rows: one matrix product for many steps.

A loop ``for t in range(...)`` whose body multiplies a matrix the loop never
changes by the row of step ``t`` of an array the loop never changes (the
input projection ``U @ xs[t]`` of an RNN) computes one small product per
step.  A hand-writer computes them all with one matrix product before the
loop (``inputs = xs @ U.T``) and reads row ``t`` in the loop.  After
:func:`hoist_row_products`, every such product is read that way:

* a loop of at most :data:`BLOCK` steps, its range of int literals, gets
  ``U_xs = np.inner(xs[a:n], U)`` (the rows of ``xs @ U.T``; ``np.inner(xs, U)``
  when the rows are exactly the array's) before it and reads ``U_xs[t - a]``;
* any other loop computes a block of :data:`BLOCK` steps at a time, at the
  first step of each block, so the rows held never grow with the trip count::

      if (t - a) % 64 == 0:
          U_xs = np.inner(xs[t:t + 64], U)
      ... U_xs[(t - a) % 64] ...

  and ``U_xs = None`` after it (the last block is not kept through the backward
  sweep).
This holds for every product rewritten: the loop is ``for t in range(n)`` or
``range(a, n)`` (``a`` a non-negative int literal, so ``t`` never negative)
with no ``break``, ``continue``, ``return`` or ``else``, whose body never
assigns ``t``; the product is ``A @ r`` or ``r @ A`` in a statement of the
body itself (not under an ``if`` or in an inner loop, so it is needed at
every step), ``r`` being ``X[t]`` or a name the body bound to ``X[t]`` and
not rebound before the product; ``A`` and ``X`` are names the loop never
assigns and whose arrays nothing in the function writes into (memory.py), so
their values are the same at every step and before the loop; their trusted
shapes are known, ``A`` of rank 1 or 2 and ``X`` of rank 2 or more, and
agree for the product.  Row ``t`` of the batched product is then the
per-step product (matmul broadcasts over the leading axis), and a step whose
row does not exist raises ``IndexError`` at the same step as ``X[t]`` did.
A name bound to ``X[t]`` that nothing reads any more is no longer bound.
"""

from __future__ import annotations

import ast
import copy

import numpy as np

from . import anno
from .astutil import BLOCK_FIELDS, has_loop, load_counts, names_stored
from .memory import MemoryFacts, without_tape
from .program import Program

#: Steps whose products one matrix product computes (a short loop's: all of them).
BLOCK = 64


def hoist_row_products(program: Program) -> Program:
    """Batch loop products with an input's rows (see the module docstring).

    Reads ``body``, ``env`` and ``trusted_patterns``; sets ``body``.
    """
    if not has_loop(program.body):  # (only loops are rewritten)
        return program
    hoister = _Hoister(program)
    program.body = hoister.block(program.body)
    if hoister.rows_unread:
        program.body = _drop_unread_rows(program.body, hoister.rows_unread)
    return program


def _range_of(loop: ast.For) -> tuple[int, ast.expr] | None:
    """``(a, n)`` of a loop over ``range(n)`` or ``range(a, n)``, ``a`` an int literal >= 0."""
    it = loop.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
            and 1 <= len(it.args) <= 2 and not it.keywords
            and not any(isinstance(a, ast.Starred) for a in it.args)):
        return None
    if len(it.args) == 1:
        return 0, it.args[0]
    first = it.args[0]
    if isinstance(first, ast.Constant) and type(first.value) is int and first.value >= 0:
        return first.value, it.args[1]
    return None


class _Hoister:
    """The rewrite of one function body."""

    def __init__(self, program: Program) -> None:
        self.env = program.env
        self.shapes = program.trusted_patterns  # (a batch size only compared: shapes.Dim)
        self.facts = MemoryFacts(without_tape(program.body), program.env)
        self.rows_unread: set[str] = set()  # names bound to X[t] whose products moved

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """``stmts`` with every qualifying loop (inner ones first) rewritten."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None)
                if inner:
                    setattr(stmt, field, self.block(inner))
            if isinstance(stmt, ast.For):
                out.extend(self.loop(stmt))
            else:
                out.append(stmt)
        return out

    def loop(self, loop: ast.For) -> list[ast.stmt]:
        """The loop with its row products read from batched products, and what goes
        before it."""
        found = _range_of(loop)
        if found is None or not isinstance(loop.target, ast.Name) or loop.orelse \
                or any(isinstance(n, (ast.Break, ast.Continue, ast.Return))
                       for n in ast.walk(loop)):
            return [loop]
        start, stop = found
        counter = loop.target.id
        stored = names_stored(loop.body)
        if counter in stored:
            return [loop]
        short = isinstance(stop, ast.Constant) and type(stop.value) is int \
            and 0 < stop.value - start <= BLOCK
        batches: dict[tuple[str, str, bool], str] = {}  # (A, X, A on the left) -> name
        firsts: dict[str, ast.stmt] = {}  # batch -> the statement it is first read in
        rows: dict[str, str] = {}  # name -> X, for ``name = X[t]`` of this body
        for stmt in loop.body:
            if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.Expr)):
                for n in names_stored(stmt):
                    rows.pop(n, None)
                continue
            value = stmt.value
            replacer = _Replace(self, counter, start, stop if short else None, stored, rows,
                                batches)
            stmt.value = replacer.visit(value)
            for name in replacer.used:
                firsts.setdefault(name, stmt)
            for n in names_stored(stmt):
                rows.pop(n, None)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name):
                x = self.row_of(stmt.value, counter, stored)
                if x is not None:
                    rows[stmt.targets[0].id] = x
        if not batches:
            return [loop]
        before: list[ast.stmt] = []
        heads: list[ast.stmt] = []
        for (a, x, left), name in batches.items():
            like = firsts[name]
            if short:
                low = None if start == 0 else ast.Constant(start)
                high = None if self.shapes[x][0] == stop.value else ast.Constant(stop.value)
                rows_x: ast.expr = ast.Name(x, ast.Load()) if low is None and high is None \
                    else ast.Subscript(ast.Name(x, ast.Load()), ast.Slice(low, high),
                                       ast.Load())
                before.append(self.batch(name, a, x, left, rows_x, like))
            else:
                t = ast.Name(counter, ast.Load())
                rows_x = ast.Subscript(ast.Name(x, ast.Load()), ast.Slice(
                    t, ast.BinOp(copy.deepcopy(t), ast.Add(), ast.Constant(BLOCK))), ast.Load())
                test = ast.Compare(_step_in_block(counter, start), [ast.Eq()], [ast.Constant(0)])
                head = ast.If(test, [self.batch(name, a, x, left, rows_x, like)], [])
                anno.set(head, anno.LINE, anno.get(like, anno.LINE))
                heads.append(ast.fix_missing_locations(head))
        loop.body = heads + loop.body
        after: list[ast.stmt] = []
        for name in ([] if short else batches.values()):  # the last block's rows, freed
            free = ast.Assign([ast.Name(name, ast.Store())], ast.Constant(None))
            anno.set(free, anno.LINE, anno.get(firsts[name], anno.LINE))
            after.append(ast.fix_missing_locations(free))
        return before + [loop] + after

    def row_of(self, node: ast.expr, counter: str, stored: set[str]) -> str | None:
        """``X`` when ``node`` is ``X[t]`` of an array the loop never changes, of known
        shape of rank 2 or more."""
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and isinstance(node.slice, ast.Name) and node.slice.id == counter):
            return None
        x = node.value.id
        shape = self.shapes.get(x)
        if shape is None or len(shape) < 2 or x in stored or not self.facts.never_written(x):
            return None
        return x

    def invariant(self, node: ast.expr, stored: set[str]) -> str | None:
        """``A`` when ``node`` names an array of rank 1 or 2 the loop never changes."""
        if not isinstance(node, ast.Name):
            return None
        shape = self.shapes.get(node.id)
        if shape is None or len(shape) not in (1, 2) or node.id in stored \
                or not self.facts.never_written(node.id):
            return None
        return node.id

    def batch(self, name: str, a: str, x: str, left: bool, rows_x: ast.expr,
              like: ast.stmt) -> ast.stmt:
        """``name = np.inner(<rows_x>, A)`` (the rows of ``A @ X[t]``; or the spelling
        of the product for ``A``'s side and the ranks) on ``like``'s line.  No ``.T``:
        ``A`` may be a list (the product only asks one operand to be an array)."""
        a_node: ast.expr = ast.Name(a, ast.Load())
        if left and len(self.shapes[x]) == 2:  # row t of it: sum over k of X[t, k] A[i, k]
            np_name = self.env.ref(np, "np")
            product: ast.expr = ast.Call(
                ast.Attribute(ast.Name(np_name, ast.Load()), "inner", ast.Load()),
                [rows_x, a_node], [])
        elif left:  # A @ X[t] of a stack of matrices: matmul broadcasts over the steps
            product = ast.BinOp(a_node, ast.MatMult(), rows_x)
        else:
            product = ast.BinOp(rows_x, ast.MatMult(), a_node)
        stmt = ast.Assign([ast.Name(name, ast.Store())], product)
        anno.set(stmt, anno.LINE, anno.get(like, anno.LINE))
        side = f"{a} @ {x}[t]" if left else f"{x}[t] @ {a}"
        anno.set(stmt, anno.NOTE, [f"{side} of the steps below, one row each"])
        return ast.fix_missing_locations(stmt)

    def agrees(self, a: str, x: str, left: bool) -> bool:
        """The shapes of ``A`` and a row of ``X`` agree for the product."""
        sa, row = self.shapes[a], self.shapes[x][1:]
        if left:
            return sa[-1] == row[0] if len(row) == 1 else sa[-1] == row[-2]
        return row[-1] == sa[0]


class _Replace(ast.NodeTransformer):
    """Row products of one statement's value read from their batches."""

    def __init__(self, hoister: _Hoister, counter: str, start: int, short_stop: ast.expr | None,
                 stored: set[str], rows: dict[str, str],
                 batches: dict[tuple[str, str, bool], str]) -> None:
        self.h = hoister
        self.counter = counter
        self.start = start
        self.short = short_stop
        self.stored = stored
        self.rows = rows
        self.batches = batches
        self.used: list[str] = []

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        return node  # (its own scope: t and the names may mean something else there)

    def row(self, node: ast.expr) -> tuple[str, str | None] | None:
        """``(X, name)`` when ``node`` is row ``t`` of ``X`` (``name``: the name read)."""
        if isinstance(node, ast.Name) and node.id in self.rows:
            return self.rows[node.id], node.id
        x = self.h.row_of(node, self.counter, self.stored)
        return None if x is None else (x, None)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if not isinstance(node.op, ast.MatMult):
            return node
        for left, row_side, other in ((True, node.right, node.left),
                                      (False, node.left, node.right)):
            found = self.row(row_side)
            a = self.h.invariant(other, self.stored)
            if found is None or a is None:
                continue
            x, read = found
            if not self.h.agrees(a, x, left):
                continue
            rows_of_x = self.h.shapes[x][0]
            if self.short is not None and (type(rows_of_x) is not int
                                           or self.short.value > rows_of_x):
                continue  # (a step past the last row, maybe: left to raise where it did)
            key = (a, x, left)
            if key not in self.batches:
                self.batches[key] = self.h.env.namer.fresh(f"{a}_{x}" if left else f"{x}_{a}")
            name = self.batches[key]
            self.used.append(name)
            if read is not None:
                self.h.rows_unread.add(read)
            index = _step_in_block(self.counter, self.start) if self.short is None \
                else ast.Name(self.counter, ast.Load()) if self.start == 0 \
                else ast.BinOp(ast.Name(self.counter, ast.Load()), ast.Sub(),
                               ast.Constant(self.start))
            return ast.copy_location(
                ast.Subscript(ast.Name(name, ast.Load()), index, ast.Load()), node)
        return node


def _step_in_block(counter: str, start: int) -> ast.expr:
    """``(t - a) % BLOCK`` (``t % BLOCK`` for ``a`` 0)."""
    t: ast.expr = ast.Name(counter, ast.Load())
    if start:
        t = ast.BinOp(t, ast.Sub(), ast.Constant(start))
    return ast.BinOp(t, ast.Mod(), ast.Constant(BLOCK))


def _drop_unread_rows(body: list[ast.stmt], names: set[str]) -> list[ast.stmt]:
    """``body`` without the forward bindings ``name = X[t]`` of ``names`` nothing reads."""
    loads = load_counts(body)
    gone = {n for n in names if loads.get(n, 0) == 0}
    if not gone:
        return body

    def keep(block: list[ast.stmt]) -> list[ast.stmt]:
        out = []
        for stmt in block:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in gone \
                    and isinstance(stmt.value, ast.Subscript) \
                    and not anno.get(stmt, anno.GRAD, False):
                continue
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None)
                if inner:
                    setattr(stmt, field, keep(inner) or [ast.Pass()])
            out.append(stmt)
        return out

    return keep(body)


