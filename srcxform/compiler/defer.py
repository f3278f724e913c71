"""Pass 6a, defer: sum a backward loop's outer products with one matrix product.

A backward loop that accumulates ``B = B + np.outer(u, v)`` once per
iteration (the adjoint of a matrix-vector product ``W @ h`` in a loop) costs
one small outer product and one accumulation per iteration.  After
:func:`defer_outer_products`, such a loop instead appends ``u`` and ``v`` to
lists (``u_rows.append(u)``) where it computed the outer product; every
:data:`BLOCK` steps (``if len(u_rows) == 64:`` at the end of the body) it adds
``np.array(u_rows).T @ np.array(v_rows)`` to ``B`` and empties the lists, and
after the loop it adds the rows of the last block the same way, under
``if u_rows:`` (a loop that ran zero times adds nothing; a loop of at most
:data:`BLOCK` steps, its trip count a literal, only there), as a hand-writer
batches the per-step products into one matrix product a block of steps at a
time.  The lists never hold more than :data:`BLOCK` rows, so the memory the
batching needs does not grow with the trip count.  The statements this pass
adds (the lists, the appends, the block inside the loop, the last block)
carry ``anno.DEFERRED``; the tape-array pass (tapearrays.py) later reads the
rows of a list straight from an array where every row is one (a tape, or an
input indexed by the loop counter).

This holds after the pass for every rewritten accumulation:

* the loop is a backward loop without ``break``, ``continue`` or ``return``;
  the outer product and the accumulation are statements of its body itself
  (not under an ``if``), so each list gets one entry per iteration;
* ``B`` is read in the loop only by its own accumulations ``B = B + e``
  (addition commutes, so moving some of them after the loop leaves ``B``'s
  final value the same up to rounding), and written only by them;
* ``u`` and ``v`` are names of rank-1 arrays of known shape and ``B`` has
  their outer shape, so the rows stack into ``(steps, n)`` and ``(steps, m)``;
* nothing in the function writes into ``u`` or ``v`` or into any array they
  may share memory with (the lists keep references, not copies); the
  in-place lowering that runs afterwards sees the appends as references and
  never updates a listed array in place.

One list serves every outer product of the same value of a name (same name,
no reassignment in between).
"""

from __future__ import annotations

import ast
import copy

import numpy as np

from . import anno
from .astutil import (
    has_loop,
    load_and_store_counts,
    load_counts,
    marker_names,
    names_loaded,
    names_stored,
    root_name,
    store_counts,
    walk,
    walk_stmts,
)
from .env import Env
from .memory import MemoryFacts
from .program import Program

#: The most rows a list holds: every BLOCK steps they are summed and the lists emptied.
BLOCK = 64

#: One deferred outer product: (index of the statement computing it, index of its
#: accumulation ``B = B + ...``, B, u, v) in the loop body.
Deferred = tuple[int, int, str, str, str]


class _Defer:
    """Rewrites the backward loops of one body (see the module docstring)."""

    def __init__(self, env: Env, exact: dict[str, tuple[int, ...]], facts: MemoryFacts,
                 loads: dict[str, int], stores: dict[str, int]) -> None:
        self.env = env
        self.exact = exact
        self.facts = facts
        self.loads = loads
        self.stores = stores

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """``stmts`` with every backward loop (nested ones first) rewritten."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if inner:
                    setattr(stmt, field, self.block(inner))
            if isinstance(stmt, (ast.For, ast.While)) and anno.get(stmt, anno.GRAD, False):
                out.extend(self.loop(stmt))
            else:
                out.append(stmt)
        return out

    def outer_of(self, node: ast.expr) -> tuple[str, str] | None:
        """``(u, v)`` when ``node`` is ``np.outer(u, v)`` of rank-1 arrays of known shape
        that nothing writes into."""
        if not (isinstance(node, ast.Call) and self.env.resolve(node.func) is np.outer
                and len(node.args) == 2 and not node.keywords
                and all(isinstance(a, ast.Name) for a in node.args)):
            return None
        u, v = (a.id for a in node.args)
        if len(self.exact.get(u) or ()) != 1 or len(self.exact.get(v) or ()) != 1:
            return None
        if not (self.facts.never_written(u) and self.facts.never_written(v)):
            return None
        return u, v

    def loop(self, loop: ast.For | ast.While) -> list[ast.stmt]:
        """The loop, with its deferrable accumulations moved after it (or as it was)."""
        if loop.orelse or any(isinstance(n, (ast.Break, ast.Continue, ast.Return))
                              for n in walk(loop)):
            return [loop]
        plan = self.plan(loop)
        if not plan:
            return [loop]
        body = loop.body
        lists, posts = self.collect(loop, plan)
        names = list(dict.fromkeys(lists.values()))
        first = ast.Name(names[0], ast.Load())
        np_name = self.env.ref(np, "np")
        # every BLOCK steps inside the loop, the rows so far (then the lists start again)
        full = ast.Compare(ast.Call(ast.Name("len", ast.Load()), [first], []), [ast.Eq()],
                           [ast.Constant(BLOCK)])
        wholes: dict[str, str] = {}
        sums = self.after_loop(lists, posts, body, np_name, wholes)
        clears = [_stmt(ast.Expr(ast.Call(ast.Attribute(ast.Name(n, ast.Load()), "clear",
                                                        ast.Load()), [], [])), sums[-1])
                  for n in names]
        flush = _stmt(ast.If(full, sums + clears, []), loop)
        anno.set(flush, anno.LINE, None)  # (its statements carry the comment)
        anno.set(flush, anno.DEFERRED, True)
        if not _at_most(loop, BLOCK):
            loop.body = loop.body + [flush]
        # after the loop, the rows of the last (partial) block
        guard = _stmt(ast.If(copy.deepcopy(first),
                             self.after_loop(lists, posts, body, np_name, wholes), []), loop)
        anno.set(guard, anno.LINE, None)
        anno.set(guard, anno.DEFERRED, True)
        before = [_stmt(ast.Assign([ast.Name(n, ast.Store())], ast.List([], ast.Load())), loop)
                  for n in names]
        for stmt in before:
            anno.set(stmt, anno.DEFERRED, True)
        return before + [loop, guard]

    def plan(self, loop: ast.For | ast.While) -> list[Deferred]:
        """The accumulations ``B = B + np.outer(u, v)`` of the loop body that may move."""
        body = loop.body
        loop_loads = load_counts(loop)
        loop_stores = store_counts(loop)
        restored = {n for s in walk_stmts(body) for n in marker_names(s)}
        written = {r for s in walk_stmts(body) if isinstance(s, (ast.Assign, ast.AugAssign))
                   for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
                   if not isinstance(t, ast.Name) and (r := root_name(t)) is not None}
        plan: list[Deferred] = []
        for b, indices in _accumulations(body).items():
            if loop_loads.get(b, 0) != len(indices) or loop_stores.get(b, 0) != len(indices) \
                    or b in restored or b in written or b in self.facts.mutated:
                continue
            shape = self.exact.get(b)
            for j in indices:
                found = self.product_of(body, j)
                if found is None:
                    continue
                def_index, (u, v) = found
                if shape is None or shape != self.exact[u] + self.exact[v]:
                    continue
                plan.append((def_index, j, b, u, v))
        return plan

    def product_of(self, body: list[ast.stmt], j: int) -> tuple[int, tuple[str, str]] | None:
        """Where the outer product the accumulation ``body[j]`` adds is computed (in it,
        or in a backward temporary read only there) and its ``(u, v)``."""
        right = body[j].value.right
        found = self.outer_of(right)
        if found is not None:
            return j, found
        if isinstance(right, ast.Name) \
                and self.loads.get(right.id) == 1 and self.stores.get(right.id) == 1:
            for i in range(j):
                st = body[i]
                if isinstance(st, ast.Assign) and len(st.targets) == 1 \
                        and isinstance(st.targets[0], ast.Name) \
                        and st.targets[0].id == right.id \
                        and anno.get(st, anno.GRAD, False):
                    found = self.outer_of(st.value)
                    return None if found is None else (i, found)
        return None

    def collect(self, loop: ast.For | ast.While, plan: list[Deferred]
                ) -> tuple[dict[tuple[str, int], str], list[tuple[str, str, str, int]]]:
        """Rewrite the loop body: each product's ``u`` and ``v`` appended to a list where
        the product was computed, the product and its accumulation gone.  One list per
        value of a name (a new value starts at each assignment or restore).  Returns the
        lists and, per accumulation, ``(B, u list, v list, accumulation index)``."""
        body = loop.body
        version: list[dict[str, int]] = []
        current: dict[str, int] = {}
        for stmt in body:
            version.append(dict(current))
            names = names_stored(stmt) | set(marker_names(stmt))
            for n in names:
                current[n] = current.get(n, 0) + 1
        lists: dict[tuple[str, int], str] = {}
        appends: dict[int, list[ast.stmt]] = {}
        dropped: set[int] = set()
        posts: list[tuple[str, str, str, int]] = []
        for def_index, j, b, u, v in sorted(plan):
            names = []
            for n in (u, v):
                key = (n, version[def_index].get(n, 0))
                if key not in lists:
                    lists[key] = self.env.namer.fresh(f"{n}_rows")
                    call = ast.Call(ast.Attribute(ast.Name(lists[key], ast.Load()), "append",
                                                  ast.Load()), [ast.Name(n, ast.Load())], [])
                    append = _stmt(ast.Expr(call), body[j])
                    anno.set(append, anno.DEFERRED, True)
                    appends.setdefault(def_index, []).append(append)
                names.append(lists[key])
            dropped.update({def_index, j})
            posts.append((b, names[0], names[1], j))
        new_body: list[ast.stmt] = []
        for i, stmt in enumerate(body):
            new_body.extend(appends.get(i, []))
            if i not in dropped:
                new_body.append(stmt)
        loop.body = new_body or [ast.Pass()]
        return lists, posts

    def after_loop(self, lists: dict[tuple[str, int], str],
                   posts: list[tuple[str, str, str, int]], body: list[ast.stmt], np_name: str,
                   wholes: dict[str, str]) -> list[ast.stmt]:
        """Each list made an array once, every product added to its B (``body``: the loop
        body as it was, for the lines; ``wholes``: the names of the arrays of lists read
        twice, filled on the first call)."""
        uses: dict[str, int] = {}
        for _, ul, vl, _ in posts:
            for n in (ul, vl):
                uses[n] = uses.get(n, 0) + 1
        arrays: dict[str, ast.expr] = {}
        after: list[ast.stmt] = []
        for name in sorted(set(lists.values()), key=list(lists.values()).index):
            array = ast.Call(ast.Attribute(ast.Name(np_name, ast.Load()), "array", ast.Load()),
                             [ast.Name(name, ast.Load())], [])
            if uses[name] > 1:
                if name not in wholes:
                    wholes[name] = self.env.namer.fresh(name[:-len("_rows")] + "_all")
                whole = wholes[name]
                after.append(_stmt(ast.Assign([ast.Name(whole, ast.Store())], array),
                                   _last_accumulation(posts, posts[0][0], body)))
                arrays[name] = ast.Name(whole, ast.Load())
            else:
                arrays[name] = array
        for b, ul, vl, j in posts:
            product = ast.BinOp(ast.Attribute(copy.deepcopy(arrays[ul]), "T", ast.Load()),
                                ast.MatMult(), copy.deepcopy(arrays[vl]))
            after.append(_stmt(ast.Assign([ast.Name(b, ast.Store())],
                                          ast.BinOp(ast.Name(b, ast.Load()), ast.Add(), product)),
                               body[j]))
        return after


def _at_most(loop: ast.For | ast.While, steps: int) -> bool:
    """True when ``loop`` is ``for k in reversed(range(...))`` of int literals with at
    most ``steps`` steps (its lists never fill a block)."""
    it = loop.iter if isinstance(loop, ast.For) else None
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
            and it.func.id == "reversed" and len(it.args) == 1):
        return False
    inner = it.args[0]
    if not (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
            and inner.func.id == "range" and not inner.keywords and 1 <= len(inner.args) <= 3
            and all(isinstance(a, ast.Constant) and type(a.value) is int for a in inner.args)):
        return False
    return len(range(*(a.value for a in inner.args))) <= steps


def _accumulations(body: list[ast.stmt]) -> dict[str, list[int]]:
    """Backward accumulations ``B = B + e`` (``e`` not reading ``B``) in ``body`` itself,
    by ``B``: their indices."""
    accs: dict[str, list[int]] = {}
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and anno.get(stmt, anno.GRAD, False) \
                and isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.Add) \
                and isinstance(stmt.value.left, ast.Name) \
                and stmt.value.left.id == stmt.targets[0].id \
                and stmt.targets[0].id not in names_loaded(stmt.value.right):
            accs.setdefault(stmt.targets[0].id, []).append(i)
    return accs


def _last_accumulation(posts: list[tuple[str, str, str, int]], b: str,
                       body: list[ast.stmt]) -> ast.stmt:
    """The last accumulation of ``B`` among ``posts`` (whose line a statement takes)."""
    return body[[j for name, _, _, j in posts if name == b][-1]]


def _stmt(stmt: ast.stmt, like: ast.stmt) -> ast.stmt:
    """``stmt`` annotated as backward code on ``like``'s line."""
    anno.set(stmt, anno.GRAD, True)
    anno.set(stmt, anno.LINE, anno.get(like, anno.LINE))
    return stmt


def defer_outer_products(program: Program) -> Program:
    """Batch outer-product accumulations of backward loops (see the module docstring).

    Reads ``body``, ``env`` and ``trusted_patterns`` (shapes are only compared); sets
    ``body``.
    """
    if not has_loop(program.body):  # (only loops are rewritten)
        return program
    program.body = defer_body(program.body, program.env, program.trusted_patterns)
    return program


def defer_body(body: list[ast.stmt], env: Env,
               exact: dict[str, tuple[int, ...]]) -> list[ast.stmt]:
    """:func:`defer_outer_products` of a body, given the shapes trusted where names are read."""
    return _Defer(env, exact, MemoryFacts(body, env), *load_and_store_counts(body)).block(body)
