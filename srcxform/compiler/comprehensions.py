"""Pass 1b, comprehensions: list/dict comprehensions, generators and ``map`` as plain loops.

Run by :func:`~.parse.parse_function` on every function it parses (the
differentiated one, every helper, a pytree twin's user function).  After
:func:`desugar`, the function body holds no list or dict comprehension, no
generator expression and no ``map(...)`` call outside a ``lambda``; each was
turned, where it stood, into statements the later passes already support,
placed right before the statement that held it (inside the loop body for a
comprehension nested in another one's element):

* ``ys = [f(x) for x in xs if c(x)]`` is ``ys = []``, then
  ``for x in xs: if c(x): ys.append(f(x))`` (nested ``for`` clauses nest
  the loops; the targets get fresh names when the function uses them
  elsewhere, as Python's comprehension scope would keep them apart);
* ``{k: v for ...}`` is ``d = {}`` and ``d[k] = v`` in the loops;
* ``sum(e for ...)`` (or of a list comprehension, a ``map``; ``start``
  too) is ``acc = 0`` (``start``) and ``acc = acc + e`` in the loops;
* any other generator expression is a list comprehension (``max(g)``,
  ``tuple(g)``); ``list(<comprehension>)`` is the comprehension itself;
* ``np.array(<list comprehension>)`` with no other argument is ``np.stack``
  of it (the same array for elements of one shape), and of a comprehension of
  comprehensions ``np.stack`` of ``np.stack``s (a kernel matrix
  ``np.array([[k(a, b) for b in xs] for a in xs])``);
* a list comprehension inside a loop, a branch or another comprehension
  (whose loops this desugaring made) appends to one list created at the top
  level of the function, right before the top-level statement that holds it
  (a list grows by append only there), and is the slice its own loops
  appended: ``start = len(store)``, the loops, then ``store[start:]``; so
  ``[[w * v for v in row] for row in rows]`` is a list of such slices;
* ``map(f, a, b)`` is ``[f(x, y) for x, y in zip(a, b)]`` (a ``lambda`` is
  substituted into the element);
* ``a, b = zip(*pairs)`` is ``a = [t[0] for t in pairs]``,
  ``b = [t[1] for t in pairs]`` (lists, read like the tuples ``zip`` gives).

A comprehension that cannot be moved before its statement without changing
when it runs (in a ``while`` test, a branch of a conditional expression, the
right operand of ``and``/``or``) raises a located ``TransformError`` saying
to assign it to a name first; so does a dict comprehension inside a loop, a
branch or another comprehension (a dict written under control flow has no
keys known when the code compiles), saying to write a dict literal with
constant keys or a list instead.  Set comprehensions are left for the check
pass to refuse.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

import numpy as np

from ..errors import TransformError
from .astutil import walk

_COMPS = (ast.ListComp, ast.GeneratorExp, ast.DictComp)
_BLOCKS = ("body", "orelse", "finalbody")


def desugar(node: ast.FunctionDef, filename: str, env: dict[str, Any]) -> ast.FunctionDef:
    """Rewrite ``node``'s body in place (see the module docstring); ``env`` resolves the
    names ``np``/``sum``/``map`` stand for (the function's globals)."""
    if not any(isinstance(n, (*_COMPS, ast.Call)) and _interesting(n, env)
               for n in walk(node)):
        return node
    taken = {n.id for n in walk(node) if isinstance(n, ast.Name)}
    taken |= {a.arg for a in walk(node) if isinstance(a, ast.arg)}
    _Desugar(filename, env, taken).function(node)
    return node


def _interesting(node: ast.AST, env: dict[str, Any]) -> bool:
    if isinstance(node, _COMPS):
        return True
    return isinstance(node, ast.Call) and _resolve(node.func, env) in (map, zip)


def _resolve(func: ast.expr, env: dict[str, Any]) -> Any:
    """What a ``Name`` or ``module.attr`` refers to in ``env`` (builtins included)."""
    import builtins

    if isinstance(func, ast.Name):
        if func.id in env:
            return env[func.id]
        return getattr(builtins, func.id, None)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module = env.get(func.value.id)
        return getattr(module, func.attr, None) if module is not None else None
    return None


def _locate(new: ast.AST, like: ast.AST) -> ast.AST:
    for sub in walk(new):
        if "lineno" in sub._attributes and getattr(sub, "lineno", None) is None:
            ast.copy_location(sub, like)
    return new


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(name, ast.Store())


def _bound(target: ast.expr) -> set[str]:
    return {n.id for n in walk(target) if isinstance(n, ast.Name)}


class _Rename(ast.NodeTransformer):
    """Rename the names of ``mapping`` in an expression, respecting inner scopes that bind
    the same name again (a nested comprehension, a lambda)."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(self.mapping[node.id], node.ctx), node)
        return node

    def _scoped(self, node: ast.AST, bound: set[str], visit_inside) -> ast.AST:
        saved = self.mapping
        self.mapping = {k: v for k, v in saved.items() if k not in bound}
        try:
            visit_inside()
        finally:
            self.mapping = saved
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        bound = {a.arg for a in walk(node.args) if isinstance(a, ast.arg)}
        return self._scoped(node, bound,
                            lambda: setattr(node, "body", self.visit(node.body)))

    def _comp(self, node: ast.AST) -> ast.AST:
        gens = node.generators
        gens[0].iter = self.visit(gens[0].iter)  # evaluated in the enclosing scope
        bound: set[str] = set()
        for g in gens:
            bound |= _bound(g.target)

        def inside() -> None:
            for i, g in enumerate(gens):
                if i:
                    g.iter = self.visit(g.iter)
                g.ifs = [self.visit(c) for c in g.ifs]
            for field in ("elt", "key", "value"):
                if hasattr(node, field):
                    setattr(node, field, self.visit(getattr(node, field)))
        return self._scoped(node, bound, inside)

    visit_ListComp = visit_GeneratorExp = visit_DictComp = visit_SetComp = _comp


class _Desugar:
    def __init__(self, filename: str, env: dict[str, Any], taken: set[str]) -> None:
        self.filename = filename
        self.env = env
        self.taken = taken
        self.depth = 0  # blocks between the statement at hand and the function's top level
        self.top: list[ast.stmt] = []  # to go right before the top-level statement at hand

    # -- names ----------------------------------------------------------------------------
    def fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name

    def error(self, node: ast.AST, message: str, construct: str) -> TransformError:
        return TransformError(message, filename=self.filename,
                              lineno=getattr(node, "lineno", 0),
                              col=getattr(node, "col_offset", 0), construct=construct)

    # -- blocks ---------------------------------------------------------------------------
    def function(self, fn: ast.FunctionDef) -> None:
        fn.body = self.block(fn.body)

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            if self.depth:
                out += self.statement(stmt)
                continue
            saved, self.top = self.top, []  # (a top-level statement: its own stores)
            made = self.statement(stmt)
            out += self.top + made
            self.top = saved
        return out

    def statement(self, stmt: ast.stmt) -> list[ast.stmt]:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if isinstance(stmt, ast.FunctionDef):
                saved, self.depth = self.depth, 0
                stmt.body = self.block(stmt.body)
                self.depth = saved
            return [stmt]
        self.depth += 1
        for field in _BLOCKS:
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(stmt, field, self.block(inner))
        if isinstance(stmt, ast.Try):
            for h in stmt.handlers:
                h.body = self.block(h.body)
        self.depth -= 1
        special = self.unzip(stmt)
        if special is not None:
            return special
        pre: list[ast.stmt] = []
        direct = self.direct_target(stmt)
        for field, value in ast.iter_fields(stmt):
            if field in _BLOCKS or field == "handlers":
                continue
            if isinstance(stmt, ast.While) and field == "test":
                self.refuse_inside(value, "a while loop's condition")
                continue
            if isinstance(stmt, (ast.For, ast.AsyncFor)) and field == "target":
                continue
            if isinstance(value, ast.expr):
                setattr(stmt, field, self.expression(value, pre, direct))
            elif isinstance(value, list):
                setattr(stmt, field, [self.expression(v, pre, direct)
                                      if isinstance(v, ast.expr) else v for v in value])
        if direct is not None and pre and isinstance(stmt, ast.Assign) \
                and isinstance(stmt.value, ast.Name) and stmt.value.id == direct:
            return self.block(pre)  # (the loops built the target itself)
        return self.block(pre) + [stmt]

    def direct_target(self, stmt: ast.stmt) -> str | None:
        """``name = <comprehension or sum(...)>``: the loops may build ``name`` itself, when
        the expression does not read it."""
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            return None
        name = stmt.targets[0].id
        if any(isinstance(n, ast.Name) and n.id == name for n in walk(stmt.value)):
            return None
        return name

    def refuse_inside(self, expr: ast.AST, where: str) -> None:
        for n in walk(expr):
            if isinstance(n, _COMPS) or isinstance(n, ast.Call) and \
                    _resolve(n.func, self.env) is map:
                kind = {ast.ListComp: "list comprehension", ast.DictComp: "dict comprehension",
                        ast.GeneratorExp: "generator expression"}.get(type(n), "map()")
                raise self.error(n, f"a {kind} in {where} is not supported: assign it to a "
                                 f"name in a statement of its own first", kind)

    # -- expressions ----------------------------------------------------------------------
    def expression(self, expr: ast.expr, pre: list[ast.stmt], direct: str | None = None
                   ) -> ast.expr:
        """``expr`` with every comprehension in it replaced by a name its statements (added
        to ``pre``) build; ``direct`` names the assignment's target when ``expr`` is the
        whole value."""
        return _Hoist(self, pre, expr if direct else None, direct).visit(expr)

    def comprehension_loops(self, node: ast.AST, inner: list[ast.stmt]) -> list[ast.stmt]:
        """The nested ``for``/``if`` statements of ``node``'s generators around ``inner``,
        with the targets renamed to fresh names."""
        mapping: dict[str, str] = {}
        for g in node.generators:
            if g.is_async:
                raise self.error(node, "async comprehensions are not supported",
                                 "async comprehension")
            for name in sorted(_bound(g.target)):
                mapping[name] = self.fresh(name)
        renamer = _Rename(mapping)
        gens = copy.deepcopy(node.generators)
        body = [renamer.visit(s) for s in inner]
        for i in range(len(gens) - 1, -1, -1):
            g = gens[i]
            for cond in reversed(g.ifs):
                body = [_locate(ast.If(_Rename(mapping).visit(cond), body, []), node)]
            target = _Rename(mapping).visit(g.target)
            it = g.iter if i == 0 else _Rename(mapping).visit(g.iter)
            body = [_locate(ast.For(target, it, body, [], None), node)]
        return body

    def unzip(self, stmt: ast.stmt) -> list[ast.stmt] | None:
        """``a, b = zip(*pairs)``: one list comprehension per target."""
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], (ast.Tuple, ast.List))
                and isinstance(stmt.value, ast.Call)
                and _resolve(stmt.value.func, self.env) is zip
                and len(stmt.value.args) == 1 and not stmt.value.keywords
                and isinstance(stmt.value.args[0], ast.Starred)):
            return None
        source = stmt.value.args[0].value
        out: list[ast.stmt] = []
        if not isinstance(source, ast.Name):
            held = self.fresh("rows")
            out.append(_locate(ast.Assign([_store(held)], source), stmt))
            source = _load(held)
        for k, target in enumerate(stmt.targets[0].elts):
            row = "row"  # (comprehension_loops gives it a fresh name)
            comp = ast.ListComp(
                ast.Subscript(_load(row), ast.Constant(k), ast.Load()),
                [ast.comprehension(_store(row), copy.deepcopy(source), [], 0)])
            out.append(_locate(ast.Assign([target], comp), stmt))
        return self.block(out)


class _Hoist(ast.NodeTransformer):
    """Replaces the comprehensions of one expression by names built in ``pre``."""

    def __init__(self, d: _Desugar, pre: list[ast.stmt], whole: ast.expr | None,
                 direct: str | None) -> None:
        self.d = d
        self.pre = pre
        self.whole = whole
        self.direct = direct

    def target_for(self, node: ast.AST, base: str) -> str:
        if self.direct is not None and node is self.whole:
            return self.direct
        return self.d.fresh(base)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node  # (its body runs when the lambda is called: left as it is)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        node.test = self.visit(node.test)
        self.d.refuse_inside(node.body, "a branch of a conditional expression")
        self.d.refuse_inside(node.orelse, "a branch of a conditional expression")
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        node.values[0] = self.visit(node.values[0])
        for v in node.values[1:]:
            self.d.refuse_inside(v, "the right operand of and/or")
        return node

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        if self.d.depth:
            return self.inner_list(node)
        name = self.target_for(node, "items")
        append = ast.Expr(ast.Call(ast.Attribute(_load(name), "append", ast.Load()),
                                   [node.elt], []))
        self.pre.append(_locate(ast.Assign([_store(name)], ast.List([], ast.Load())), node))
        self.pre += self.d.comprehension_loops(node, [_locate(append, node.elt)])
        return _locate(_load(name), node)

    def inner_list(self, node: ast.ListComp) -> ast.AST:
        """A list comprehension inside a loop, a branch or another comprehension: a list
        grows by append only when it is created at the top level (``aliases.growing_lists``),
        so the elements go to one list created there, and the comprehension is the slice of
        it its own loops appended (``store[start:]``)."""
        if _resolve(_load("len"), self.d.env) is not len:
            raise self.d.error(node, "a list comprehension inside a loop, a branch or another "
                               "comprehension needs the builtin len, which this module's name "
                               "'len' hides: build the list in a statement at the top level "
                               "of the function", "list comprehension")
        store, start = self.d.fresh("items_all"), self.d.fresh("start")
        self.d.top.append(_locate(ast.Assign([_store(store)], ast.List([], ast.Load())), node))
        self.pre.append(_locate(ast.Assign([_store(start)], ast.Call(
            _load("len"), [_load(store)], [])), node))
        append = ast.Expr(ast.Call(ast.Attribute(_load(store), "append", ast.Load()),
                                   [node.elt], []))
        self.pre += self.d.comprehension_loops(node, [_locate(append, node.elt)])
        return _locate(ast.Subscript(_load(store), ast.Slice(_load(start), None, None),
                                     ast.Load()), node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.AST:
        return self.visit_ListComp(ast.copy_location(ast.ListComp(node.elt, node.generators),
                                                     node))

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        if self.d.depth:
            raise self.d.error(node, "a dict comprehension inside a loop, a branch or another "
                               "comprehension is not supported (its keys are not known when "
                               "the code compiles): write a dict literal with constant keys "
                               "({'a': ..., 'b': ...}, which may stand anywhere), build the "
                               "dict at the top level of the function, or use a list "
                               "comprehension (lists may stand anywhere) read by position",
                               "dict comprehension")
        name = self.target_for(node, "table")
        write = ast.Assign([ast.Subscript(_load(name), node.key, ast.Store())], node.value)
        self.pre.append(_locate(ast.Assign([_store(name)], ast.Dict([], [])), node))
        self.pre += self.d.comprehension_loops(node, [_locate(write, node.value)])
        return _locate(_load(name), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        callee = _resolve(node.func, self.d.env)
        if callee is map and node.args and not node.keywords \
                and not any(isinstance(a, ast.Starred) for a in node.args):
            comp = _locate(self.map_as_comprehension(node), node)
            if node is self.whole:
                self.whole = comp
            return self.visit(comp)
        if callee is sum and node.args and not any(isinstance(a, ast.Starred)
                                                    for a in node.args) \
                and 1 <= len(node.args) <= 2 and not node.keywords:
            first = node.args[0]
            if isinstance(first, ast.Call) and _resolve(first.func, self.d.env) is map \
                    and not first.keywords and first.args:
                first = self.map_as_comprehension(first)
            if isinstance(first, (ast.ListComp, ast.GeneratorExp)):
                return self.accumulate(node, first)
        if callee is list and len(node.args) == 1 and not node.keywords:
            arg = node.args[0]
            if isinstance(arg, ast.Call) and _resolve(arg.func, self.d.env) is map:
                arg = self.map_as_comprehension(arg)
            if isinstance(arg, (ast.ListComp, ast.GeneratorExp)):
                comp = ast.copy_location(ast.ListComp(arg.elt, arg.generators), arg)
                if node is self.whole:
                    self.whole = comp
                return self.visit_ListComp(comp)
        if callee is np.array and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], (ast.ListComp, ast.GeneratorExp)):
            comp = node.args[0]
            if self.is_comprehension(comp.elt):  # np.array([[...] for ...]): stacks of stacks
                comp.elt = _locate(ast.Call(copy.deepcopy(node.func), [comp.elt], []), comp.elt)
            node.func = ast.copy_location(ast.Attribute(node.func.value, "stack", ast.Load()),
                                          node.func) \
                if isinstance(node.func, ast.Attribute) else node.func
        return self.generic_visit(node)

    def is_comprehension(self, node: ast.expr) -> bool:
        """A list comprehension or generator expression, or ``list(...)`` of one."""
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
                and _resolve(node.func, self.d.env) is list:
            node = node.args[0]
        return isinstance(node, (ast.ListComp, ast.GeneratorExp))

    def map_as_comprehension(self, node: ast.Call) -> ast.ListComp:
        fn, seqs = node.args[0], node.args[1:]
        names = [self.d.fresh("item") for _ in seqs]
        for n in names:
            self.d.taken.discard(n)  # (comprehension_loops takes them again)
        if isinstance(fn, ast.Lambda) and not fn.args.vararg and not fn.args.kwarg \
                and not fn.args.kwonlyargs and len(fn.args.args) == len(seqs) \
                and not fn.args.defaults:
            params = [a.arg for a in fn.args.args]
            elt = _Rename(dict(zip(params, names))).visit(copy.deepcopy(fn.body))
        else:
            elt = ast.Call(fn, [_load(n) for n in names], [])
        if len(seqs) == 1:
            target: ast.expr = _store(names[0])
            it = seqs[0]
        else:
            target = ast.Tuple([_store(n) for n in names], ast.Store())
            it = ast.Call(_load("zip"), list(seqs), [])
            if _resolve(it.func, self.d.env) is not zip:
                raise self.d.error(node, "map over several sequences needs the builtin zip, "
                                   "which this module's name 'zip' hides", "map()")
        return _locate(ast.ListComp(elt, [ast.comprehension(target, it, [], 0)]), node)

    def accumulate(self, call: ast.Call, comp: ast.AST) -> ast.AST:
        """``sum(e for ...)``: an accumulator updated in the loops."""
        name = self.target_for(call, "total")
        start = call.args[1] if len(call.args) == 2 else ast.Constant(0)
        start = self.visit(start)
        self.pre.append(_locate(ast.Assign([_store(name)], start), call))
        update = ast.Assign([_store(name)], ast.BinOp(_load(name), ast.Add(), comp.elt))
        self.pre += self.d.comprehension_loops(comp, [_locate(update, comp.elt)])
        return _locate(_load(name), call)
