"""Pass 6a, defer: sum a backward loop's outer products with one matrix product.

A backward loop that accumulates ``B = B + np.outer(u, v)`` once per
iteration (the adjoint of a matrix-vector product ``W @ h`` in a loop) costs
one small outer product and one accumulation per iteration.  After
:func:`defer_outer_products`, such a loop instead appends ``u`` and ``v`` to
lists (``u_rows.append(u)``) where it computed the outer product, and after
the loop adds ``np.array(u_rows).T @ np.array(v_rows)`` to ``B`` once, under
``if u_rows:`` (a loop that ran zero times adds nothing), as a hand-writer
batches the per-step products into one matrix product.

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

from .env import Env
from .program import Program

PURE_METHODS = {"sum", "mean", "max", "min", "prod", "reshape", "copy", "astype", "ravel",
                 "transpose", "swapaxes", "dot", "any", "all", "item", "tolist"}
_FRESH_CALLS = {id(np.outer), id(np.zeros_like), id(np.full_like), id(np.zeros),
                id(np.ones), id(np.full), id(np.sum), id(np.mean), id(np.where), id(np.array),
                id(np.concatenate), id(np.stack), id(np.dot), id(np.matmul)}
WRITING_FUNCTIONS = {"at", "copyto", "put", "place", "putmask", "fill_diagonal"}


def _walk_stmts(stmts: list[ast.stmt]):
    for stmt in stmts:
        yield stmt
        for field in ("body", "orelse"):
            yield from _walk_stmts(getattr(stmt, field, []) or [])


def _root(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _loads(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)]


def _marker_names(stmt: ast.stmt) -> list[str]:
    mark = getattr(stmt, "_sx_marker", None)
    return list(mark[1]) if mark is not None else []


class MemoryFacts:
    """Whole-function facts: which arrays may be written in place, and which names may
    share memory (a name bound to a view, a subscript or any non-fresh value of others)."""

    def __init__(self, body: list[ast.stmt], env: Env) -> None:
        self.env = env
        self.mutated: set[str] = set()
        self.sources: dict[str, set[str]] = {}  # name -> names its value may be a view of
        self.linked: dict[str, set[str]] | None = None
        for stmt in _walk_stmts(body):
            if getattr(stmt, "_sx_marker", None) is not None:
                if getattr(stmt, "_sx_store_index", None) is not None:
                    self.mutated.update(_marker_names(stmt))
                continue
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        if not self.fresh(stmt.value):
                            self.sources.setdefault(target.id, set()).update(
                                _loads(stmt.value))
                    elif isinstance(target, (ast.Subscript, ast.Attribute)):
                        root = _root(target)
                        if root is not None:
                            self.mutated.add(root)
                    else:  # unpacking: every name may be part of the value
                        for n in ast.walk(target):
                            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                                self.sources.setdefault(n.id, set()).update(
                                    _loads(stmt.value))
                            elif isinstance(n, (ast.Subscript, ast.Attribute)):
                                root = _root(n)
                                if root is not None:
                                    self.mutated.add(root)
            elif isinstance(stmt, ast.AugAssign):
                root = _root(stmt.target)
                if root is not None:
                    self.mutated.add(root)
            elif isinstance(stmt, ast.For):
                for n in ast.walk(stmt.target):
                    if isinstance(n, ast.Name):
                        self.sources.setdefault(n.id, set()).update(_loads(stmt.iter))
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call):
                    self.note_call(node)

    def note_call(self, call: ast.Call) -> None:
        written: list[ast.expr] = []
        for kw in call.keywords:
            if kw.arg == "out" or kw.arg is None:
                written.append(kw.value)
        fn = self.env.resolve(call.func)
        if fn is None and isinstance(call.func, ast.Attribute) \
                and call.func.attr not in PURE_METHODS:
            written.append(call.func.value)  # a method that may write into its object
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRITING_FUNCTIONS:
            written.extend(call.args[:1])  # np.add.at(a, ...), np.copyto(a, ...)
        for node in written:
            self.mutated.update(_loads(node))

    def fresh(self, node: ast.expr) -> bool:
        """True when ``node``'s value is a new object (no view of another)."""
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Constant)):
            return True
        if isinstance(node, ast.Call):
            fn = self.env.resolve(node.func)
            return isinstance(fn, np.ufunc) or id(fn) in _FRESH_CALLS
        return False

    def never_written(self, name: str) -> bool:
        """No array ``name`` may share memory with is ever written in place (sharing
        goes both ways: a view of ``name`` written, or ``name`` a view of a written one)."""
        if self.linked is None:
            self.linked = {}
            for n, sources in self.sources.items():
                for m in sources:
                    self.linked.setdefault(n, set()).add(m)
                    self.linked.setdefault(m, set()).add(n)
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in self.mutated:
                return False
            todo.extend(self.linked.get(n, ()))
        return True


class _Defer:
    def __init__(self, env: Env, exact: dict[str, tuple[int, ...]], facts: MemoryFacts,
                 loads: dict[str, int], stores: dict[str, int]) -> None:
        self.env = env
        self.exact = exact
        self.facts = facts
        self.loads = loads
        self.stores = stores

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if inner:
                    setattr(stmt, field, self.block(inner))
            if isinstance(stmt, (ast.For, ast.While)) and getattr(stmt, "_sx_grad", False):
                out.extend(self.loop(stmt))
            else:
                out.append(stmt)
        return out

    def outer_of(self, node: ast.expr) -> tuple[str, str] | None:
        """``(u, v)`` when ``node`` is ``np.outer(u, v)`` of rank-1 arrays of known shape."""
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
        if loop.orelse or any(isinstance(n, (ast.Break, ast.Continue, ast.Return))
                              for n in ast.walk(loop)):
            return [loop]
        body = loop.body
        loop_loads: dict[str, int] = {}
        for n in _loads(loop):
            loop_loads[n] = loop_loads.get(n, 0) + 1
        loop_stores: dict[str, int] = {}
        for node in ast.walk(loop):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                loop_stores[node.id] = loop_stores.get(node.id, 0) + 1
        restored = {n for s in _walk_stmts(body) for n in _marker_names(s)}
        written = {r for s in _walk_stmts(body) if isinstance(s, (ast.Assign, ast.AugAssign))
                   for t in (s.targets if isinstance(s, ast.Assign) else [s.target])
                   if not isinstance(t, ast.Name) and (r := _root(t)) is not None}
        # accumulations B = B + e at the top of the body, per B
        accs: dict[str, list[int]] = {}
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and getattr(stmt, "_sx_grad", False) \
                    and isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.op, ast.Add) \
                    and isinstance(stmt.value.left, ast.Name) \
                    and stmt.value.left.id == stmt.targets[0].id \
                    and stmt.targets[0].id not in _loads(stmt.value.right):
                accs.setdefault(stmt.targets[0].id, []).append(i)
        # which statement computes each deferred outer product, and which to drop
        plan: list[tuple[int, int, str, str, str]] = []  # (def index, acc index, B, u, v)
        for b, indices in accs.items():
            if loop_loads.get(b, 0) != len(indices) or loop_stores.get(b, 0) != len(indices) \
                    or b in restored or b in written or b in self.facts.mutated:
                continue
            shape = self.exact.get(b)
            for j in indices:
                right = body[j].value.right
                found = self.outer_of(right)
                def_index = j
                if found is None and isinstance(right, ast.Name) \
                        and self.loads.get(right.id) == 1 and self.stores.get(right.id) == 1:
                    for i in range(j):
                        st = body[i]
                        if isinstance(st, ast.Assign) and len(st.targets) == 1 \
                                and isinstance(st.targets[0], ast.Name) \
                                and st.targets[0].id == right.id \
                                and getattr(st, "_sx_grad", False):
                            found = self.outer_of(st.value)
                            def_index = i
                            break
                if found is None:
                    continue
                u, v = found
                if shape is None or shape != self.exact[u] + self.exact[v]:
                    continue
                plan.append((def_index, j, b, u, v))
        if not plan:
            return [loop]
        # one list per (name, value): a new value starts at each assignment or restore
        version: list[dict[str, int]] = []
        current: dict[str, int] = {}
        for stmt in body:
            version.append(dict(current))
            names = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
                     and isinstance(n.ctx, ast.Store)} | set(_marker_names(stmt))
            for n in names:
                current[n] = current.get(n, 0) + 1
        namer = self.env.namer
        lists: dict[tuple[str, int], str] = {}
        appends: dict[int, list[ast.stmt]] = {}
        dropped: set[int] = set()
        posts: list[tuple[str, str, str, int]] = []  # (B, u list, v list, acc index)
        line_of = {}
        for def_index, j, b, u, v in sorted(plan):
            names = []
            for n in (u, v):
                key = (n, version[def_index].get(n, 0))
                if key not in lists:
                    lists[key] = namer.fresh(f"{n}_rows")
                    call = ast.Call(ast.Attribute(ast.Name(lists[key], ast.Load()), "append",
                                                  ast.Load()), [ast.Name(n, ast.Load())], [])
                    appends.setdefault(def_index, []).append(_stmt(ast.Expr(call), body[j]))
                names.append(lists[key])
            dropped.update({def_index, j})
            posts.append((b, names[0], names[1], j))
            line_of[b] = body[j]
        new_body: list[ast.stmt] = []
        for i, stmt in enumerate(body):
            new_body.extend(appends.get(i, []))
            if i not in dropped:
                new_body.append(stmt)
        loop.body = new_body or [ast.Pass()]
        # after the loop: each list made an array once, every product added to its B
        np_name = self.env.ref(np, "np")
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
                whole = namer.fresh(name[:-len("_rows")] + "_all")
                after.append(_stmt(ast.Assign([ast.Name(whole, ast.Store())], array),
                                   line_of[posts[0][0]]))
                arrays[name] = ast.Name(whole, ast.Load())
            else:
                arrays[name] = array
        for b, ul, vl, j in posts:
            product = ast.BinOp(ast.Attribute(_copy(arrays[ul]), "T", ast.Load()), ast.MatMult(),
                                _copy(arrays[vl]))
            after.append(_stmt(ast.Assign([ast.Name(b, ast.Store())],
                                          ast.BinOp(ast.Name(b, ast.Load()), ast.Add(), product)),
                               body[j]))
        first = next(iter(lists.values()))
        guard = _stmt(ast.If(ast.Name(first, ast.Load()), after, []), loop)
        guard._sx_line = None  # (its statements carry the comment)
        before = [_stmt(ast.Assign([ast.Name(n, ast.Store())], ast.List([], ast.Load())), loop)
                  for n in dict.fromkeys(lists.values())]
        return before + [loop, guard]


def _copy(node: ast.expr) -> ast.expr:
    return copy.deepcopy(node)


def _stmt(stmt: ast.stmt, like: ast.stmt) -> ast.stmt:
    stmt._sx_grad = True
    stmt._sx_line = getattr(like, "_sx_line", None)
    return stmt


def defer_outer_products(program: Program) -> Program:
    """Batch outer-product accumulations of backward loops (see the module docstring).

    Reads ``body``, ``env`` and ``trusted_shapes``; sets ``body``.
    """
    program.body = defer_body(program.body, program.env, program.trusted_shapes)
    return program


def defer_body(body: list[ast.stmt], env: Env,
               exact: dict[str, tuple[int, ...]]) -> list[ast.stmt]:
    """:func:`defer_outer_products` of a body, given the shapes trusted where names are read."""
    loads: dict[str, int] = {}
    stores: dict[str, int] = {}
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.Name):
            counts = loads if isinstance(node.ctx, ast.Load) else stores
            counts[node.id] = counts.get(node.id, 0) + 1
    return _Defer(env, exact, MemoryFacts(body, env), loads, stores).block(body)
