"""Pass 2c (first part), dict loops: iteration over a dict whose keys are known, unrolled.

Run by :func:`~.aggregates.replace_dicts_function` before it gives each key of
a local dict its own variable.  A dict's keys are *known* here when the dict is

* a module global or a closure variable (a ``dict`` object when the function
  is compiled: its keys are compiled in, and noted for the cache, which
  rebuilds the code when they change; its values are read as ``D[key]``);
* a local name bound, in straight-line code, to a dict literal with constant
  keys (``{}`` too), to ``dict(k=v, ...)`` (what the pytree front door writes
  for a dict argument), or to a known dict's item holding a dict, and since
  then written only by constant keys in straight-line code (``d["b"] = ...``;
  the loops unrolled here are straight-line code).  A dict written under
  control flow, in a loop that is not unrolled, or used as a whole (passed to
  a call, a method called on it) is no longer known.

After :func:`unroll_dict_loops`, where ``D`` is such a dict:

* ``for target in it`` with ``it`` one of ``D``, ``D.keys()``, ``D.values()``,
  ``D.items()``, ``sorted(D)`` / ``sorted(D.keys())`` / ``sorted(D.items())``
  (``reverse=`` a constant), ``reversed(...)``, ``list(...)`` or ``tuple(...)``
  of those, or ``enumerate(...)`` of any of them, is unrolled: one copy of the
  body per key, in Python's order, starting with ``key_target = "key"`` and
  ``value_target = D["key"]``; a loop variable holding a key (or an
  ``enumerate`` position) that the body never assigns is replaced by the
  constant in the body, so ``terms[name]`` is a read by a constant key.  A
  ``break`` sets a flag (``stop = True``) guarding the later copies, a
  ``continue`` ends its copy (the control pass left each jump at the end of
  its block).  Over ``sorted``/``list``/``tuple`` of values or items (a
  snapshot) of a dict the body writes into, the values are read once, first;
  a live view of a dict the body adds keys to is a located ``TransformError``
  (Python's "dictionary changed size during iteration");
* the same forms as a call's argument (``sum(D.values())``,
  ``np.stack(list(D.values()))``) are list literals (a tuple for
  ``tuple(...)``) of the keys, values or ``(key, value)`` pairs, ``len(D)`` is
  the number of keys, and ``"key" in D`` is ``True`` or ``False``.

A loop over ``D.items()`` (``.keys()``, ``.values()``) of a local dict whose
keys are not known there is a located ``TransformError`` saying how to build
the dict instead.  Anything else is left as it was for the later passes.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Any

from .. import depends
from . import astutil
from .astutil import fix_locations, names_stored, params_of
from .diagnostics import error
from .loops import replace_jumps
from .names import Namer
from .parse import Parsed
from .resolve import MISSING, Scope

#: A dict's known layout: its keys in order, each with the layout of its value when that
#: value is a dict with known keys (else None).
Layout = dict

_VIEWS = ("keys", "values", "items")


@dataclass
class _Walk:
    """One way of iterating a known dict: its base expression, keys in order, what each
    step yields (``keys``, ``values`` or ``items``), whether it is a snapshot taken first
    (``sorted``, ``list``, ``tuple``), and the first ``enumerate`` position (or None)."""

    base: ast.expr
    keys: list[Any]
    kind: str
    snapshot: bool = False
    start: int | None = None


def unroll_dict_loops(parsed: Parsed, namer: Namer) -> None:
    """Rewrite ``parsed.node`` in place (see the module docstring)."""
    fn = parsed.node
    if not may_meet_dicts(parsed):
        return
    loops = _DictLoops(parsed, namer)
    fn.body = loops.block(fn.body, {})
    fix_locations(fn)


def may_meet_dicts(parsed: Parsed) -> bool:
    """Whether the pass may find a dict whose keys are known (or a loop to refuse): the
    function holds a dict literal or comprehension, or a name or attribute that denotes
    a dict (``dict`` itself too) when it is compiled.  Every dict the pass follows comes
    from one of these, so without them it would change nothing."""
    fn = parsed.node
    scope = Scope(parsed, set(params_of(fn)))
    for n in astutil.nodes(fn):
        cls = n.__class__
        if cls is ast.Dict or cls is ast.DictComp:
            return True
        if (cls is ast.Name or cls is ast.Attribute) and n.ctx.__class__ is ast.Load:
            try:
                obj = scope.resolve(n)
            except Exception:  # noqa: BLE001 - a property raising: let the pass decide
                return True
            if obj is dict or isinstance(obj, dict):
                return True
    return False


def _constant_key(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) \
            and not isinstance(node.value, bool):
        return node.value
    return MISSING


def _layout_of_object(obj: Any) -> Layout | None:
    """A user's dict's layout; its keys are noted (``depends.note_keys``): the cache
    rebuilds the code if they change."""
    if type(obj) is not dict or not all(
            isinstance(k, (str, int)) and not isinstance(k, bool) for k in obj):
        return None
    depends.note_keys(obj)
    return {k: _layout_of_object(v) for k, v in obj.items()}


def _const(value: Any, like: ast.AST) -> ast.Constant:
    return ast.copy_location(ast.Constant(value), like)


def _item(base: ast.expr, key: Any, like: ast.AST) -> ast.expr:
    read = ast.Subscript(copy.deepcopy(base), _const(key, like), ast.Load())
    return ast.copy_location(read, like)


class _DictLoops:
    """The rewriting of one function body (see the module docstring)."""

    def __init__(self, parsed: Parsed, namer: Namer) -> None:
        fn = parsed.node
        self.parsed = parsed
        self.namer = namer
        self.scope = Scope(parsed, set(params_of(fn)) | names_stored(fn))
        self.dict_names = {t.id for n in astutil.walk(fn) if isinstance(n, ast.Assign)
                           and isinstance(n.value, (ast.Dict, ast.DictComp))
                           for t in n.targets if isinstance(t, ast.Name)}

    # -- what is known ------------------------------------------------------------------
    def layout(self, node: ast.expr, known: dict[str, Layout]) -> Layout | None:
        """The layout of the dict ``node`` evaluates to, when its keys are known here."""
        if isinstance(node, ast.Name) and node.id in known:
            return known[node.id]
        if isinstance(node, (ast.Name, ast.Attribute)):
            try:
                obj = self.scope.resolve(node)
            except Exception:  # noqa: BLE001 - a property raising: not known
                return None
            return None if obj is MISSING else _layout_of_object(obj)
        if isinstance(node, ast.Subscript):
            outer = self.layout(node.value, known)
            key = _constant_key(node.slice)
            return outer.get(key) if outer is not None and key is not MISSING else None
        if isinstance(node, ast.Dict):
            keys = [_constant_key(k) if k is not None else MISSING for k in node.keys]
            if MISSING in keys:
                return None
            return {k: self.layout(v, known) for k, v in zip(keys, node.values)}
        if isinstance(node, ast.Call) and self.scope.resolve(node.func) is dict \
                and not node.args and all(k.arg is not None for k in node.keywords):
            return {k.arg: self.layout(k.value, known) for k in node.keywords}
        return None

    def walk_of(self, it: ast.expr, known: dict[str, Layout]) -> _Walk | None:
        """How ``it`` iterates a known dict, or None."""
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) \
                and it.func.attr in _VIEWS and not it.args and not it.keywords:
            layout = self.layout(it.func.value, known)
            return None if layout is None else _Walk(it.func.value, list(layout), it.func.attr)
        if not isinstance(it, ast.Call):
            layout = self.layout(it, known)
            return None if layout is None else _Walk(it, list(layout), "keys")
        callee = self.scope.resolve(it.func)
        if callee not in (sorted, reversed, list, tuple, enumerate) or len(it.args) != 1:
            return None
        inner = self.walk_of(it.args[0], known)
        if inner is None or inner.start is not None:
            return None
        keywords = {k.arg: k.value for k in it.keywords}
        if callee is enumerate:
            start = keywords.pop("start", ast.Constant(0))
            if keywords or not isinstance(start, ast.Constant) \
                    or type(start.value) is not int:
                return None
            inner.start = start.value
            return inner
        if callee is sorted:
            reverse = keywords.pop("reverse", ast.Constant(False))
            if keywords or inner.kind == "values" or not isinstance(reverse, ast.Constant):
                return None
            try:
                inner.keys = sorted(inner.keys, reverse=bool(reverse.value))
            except TypeError:
                raise error(self.parsed, it, "the keys of this dict cannot be compared, so "
                            "they cannot be sorted", "sorted dict") from None
        elif keywords:
            return None
        if callee is reversed:
            inner.keys = inner.keys[::-1]
        else:
            inner.snapshot = True
        return inner

    # -- blocks -------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], known: dict[str, Layout]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            out.extend(self.statement(stmt, known))
        return out

    def statement(self, stmt: ast.stmt, known: dict[str, Layout]) -> list[ast.stmt]:
        if isinstance(stmt, ast.For):
            walk = self.walk_of(stmt.iter, known)
            if walk is not None:
                return self.unroll(stmt, walk, known)
            self.refuse_unknown(stmt.iter, known)
            stmt.iter = self.expression(stmt.iter, known)
            self.forget(known, stmt)
            stmt.body = self.block(stmt.body, dict(known))
            return [stmt]
        if isinstance(stmt, ast.While):
            self.forget(known, stmt)
            stmt.test = self.expression(stmt.test, dict(known))
            stmt.body = self.block(stmt.body, dict(known))
            return [stmt]
        if isinstance(stmt, ast.If):
            stmt.test = self.expression(stmt.test, known)
            stmt.body = self.block(stmt.body, dict(known))
            stmt.orelse = self.block(stmt.orelse, dict(known))
            self.forget(known, stmt)
            return [stmt]
        if isinstance(stmt, ast.With):
            stmt.body = self.block(stmt.body, known)
            return [stmt]
        for field, value in ast.iter_fields(stmt):
            if isinstance(value, ast.expr) and field not in ("target", "targets"):
                setattr(stmt, field, self.expression(value, known))
        self.track(stmt, known)
        return [stmt]

    def track(self, stmt: ast.stmt, known: dict[str, Layout]) -> None:
        """Update ``known`` after the straight-line statement ``stmt``."""
        self.forget_whole_uses(stmt, known)
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, ast.AugAssign) else []
        for t in targets:
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) \
                    and t.value.id in known:
                key = _constant_key(t.slice)
                if key is MISSING:
                    known.pop(t.value.id)
                else:
                    value = self.layout(stmt.value, known) \
                        if isinstance(stmt, ast.Assign) else None
                    known[t.value.id][key] = copy.deepcopy(value)
        stored = names_stored(stmt)
        for name in stored:
            known.pop(name, None)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            layout = self.layout(stmt.value, known)
            if layout is not None:
                known[stmt.targets[0].id] = copy.deepcopy(layout)

    def read_only(self, tree: ast.AST) -> set[int]:
        """The ids of the names ``tree`` reads only to look into a dict: ``d[k]``,
        ``d.keys()`` (``values``, ``items``, ``get``), ``len(d)``, ``sorted(d)`` and the
        like, ``k in d``."""
        out: set[int] = set()
        for n in astutil.walk(tree):
            if isinstance(n, ast.Subscript):
                out.add(id(n.value))
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                    and n.func.attr in (*_VIEWS, "get"):
                out.add(id(n.func.value))
            elif isinstance(n, ast.Call) and len(n.args) == 1 and self.scope.resolve(
                    n.func) in (len, sorted, reversed, list, tuple, enumerate):
                out.add(id(n.args[0]))
            elif isinstance(n, ast.Compare) and len(n.ops) == 1 \
                    and isinstance(n.ops[0], (ast.In, ast.NotIn)):
                out.add(id(n.comparators[0]))
        return out

    def forget_whole_uses(self, tree: ast.AST, known: dict[str, Layout]) -> None:
        """A dict ``tree`` uses as a whole (passes to a call, calls a method of) may change:
        no longer known."""
        looks = self.read_only(tree)
        for n in astutil.walk(tree):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in known \
                    and id(n) not in looks:
                known.pop(n.id)

    def forget(self, known: dict[str, Layout], stmt: ast.stmt) -> None:
        """Dicts the compound ``stmt`` assigns, writes into or uses as a whole: no longer
        known (after it, and inside a loop)."""
        self.forget_whole_uses(stmt, known)
        for n in astutil.walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                known.pop(n.id, None)
            elif isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store) \
                    and isinstance(n.value, ast.Name):
                known.pop(n.value.id, None)

    def refuse_unknown(self, it: ast.expr, known: dict[str, Layout]) -> None:
        """A loop over a view of a local dict whose keys are not known here."""
        base = it.args[0] if isinstance(it, ast.Call) and it.args and \
            self.scope.resolve(it.func) in (sorted, reversed, list, tuple, enumerate) else it
        if isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute) \
                and base.func.attr in _VIEWS:
            base = base.func.value
        if isinstance(base, ast.Name) and base.id in self.dict_names and base.id not in known:
            raise error(self.parsed, it, f"the keys of the dict {base.id!r} are not known "
                        "when srcxform compiles this loop (they are added under control flow, "
                        "in a loop over a range, or by a computed key); build it with constant "
                        "keys, or by a loop or comprehension over a dict whose keys are known "
                        "(a module global, or a local dict literal), at the top level of the "
                        "function", "dict iteration")

    # -- unrolling ------------------------------------------------------------------------
    def unroll(self, stmt: ast.For, walk: _Walk, known: dict[str, Layout]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        base = walk.base
        writes = _writes_into(stmt.body, base)
        if writes is not None and not walk.snapshot:
            new = [k for k in writes if k is MISSING or k not in walk.keys]
            if new:
                raise error(self.parsed, stmt, "this loop adds keys to the dict it iterates "
                            "over (a RuntimeError in Python: dictionary changed size during "
                            "iteration); loop over sorted(...) or list(...) of it",
                            "dict changed during iteration")
        values: dict[Any, ast.expr] = {}
        if writes is not None and walk.snapshot and walk.kind != "keys":
            for k in walk.keys:  # a snapshot's values are read before the loop runs
                name = self.namer.fresh("value")
                out.append(ast.copy_location(
                    ast.Assign([ast.Name(name, ast.Store())], _item(base, k, stmt)), stmt))
                values[k] = ast.Name(name, ast.Load())
        jumps = any(isinstance(n, ast.Break) for n in _walk_body(stmt.body))
        flag = self.namer.fresh("stop") if jumps else None
        if flag:
            out.append(ast.copy_location(
                ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(False)), stmt))
        assigned = names_stored(stmt.body)
        for n, key in enumerate(walk.keys):
            value = copy.deepcopy(values[key]) if key in values else _item(base, key, stmt)
            pairs = self.pairs(stmt, walk, n, key, value)
            constants = {t.id: v.value for t, v in pairs if isinstance(t, ast.Name)
                         and isinstance(v, ast.Constant) and t.id not in assigned}
            body = [_Substitute(constants).visit(s) for s in copy.deepcopy(stmt.body)]
            body = [ast.copy_location(ast.Assign([t], v), stmt) for t, v in pairs] + body
            body = replace_jumps(body, flag)
            if flag and n:
                guard = ast.If(ast.UnaryOp(ast.Not(), ast.Name(flag, ast.Load())), body, [])
                body = [ast.copy_location(guard, stmt)]
            out.extend(self.block(body, known))
        if not walk.keys:
            self.forget(known, stmt)
        return out

    def pairs(self, stmt: ast.For, walk: _Walk, n: int, key: Any, value: ast.expr
              ) -> list[tuple[ast.expr, ast.expr]]:
        """The ``(target, value)`` assignments that start copy ``n`` of the body."""
        target = copy.deepcopy(stmt.target)
        out: list[tuple[ast.expr, ast.expr]] = []
        if walk.start is not None:
            if not (isinstance(target, (ast.Tuple, ast.List)) and len(target.elts) == 2):
                return [(target, _pack([_const(walk.start + n, stmt),
                                        self.step(walk, key, value, stmt)], stmt))]
            out.append((target.elts[0], _const(walk.start + n, stmt)))
            target = target.elts[1]
        if walk.kind == "items" and isinstance(target, (ast.Tuple, ast.List)) \
                and len(target.elts) == 2:
            return out + [(target.elts[0], _const(key, stmt)), (target.elts[1], value)]
        return out + [(target, self.step(walk, key, value, stmt))]

    def step(self, walk: _Walk, key: Any, value: ast.expr, like: ast.AST) -> ast.expr:
        """What one step of ``walk`` yields for ``key``."""
        if walk.kind == "keys":
            return _const(key, like)
        if walk.kind == "values":
            return value
        return _pack([_const(key, like), value], like)

    # -- expressions ----------------------------------------------------------------------
    def expression(self, expr: ast.expr, known: dict[str, Layout]) -> ast.expr:
        """``expr`` with the known dicts' iterations it passes to calls spelled out."""
        return _Spell(self, known).visit(expr)


class _Spell(ast.NodeTransformer):
    """The expression forms of the module docstring's second point."""

    def __init__(self, loops: _DictLoops, known: dict[str, Layout]) -> None:
        self.loops = loops
        self.known = known

    def literal(self, node: ast.expr) -> ast.expr | None:
        walk = self.loops.walk_of(node, self.known)
        if walk is None or (not isinstance(node, ast.Call)):
            return None
        elts = [self.loops.step(walk, k, _item(walk.base, k, node), node) for k in walk.keys]
        if walk.start is not None:
            elts = [_pack([_const(walk.start + n, node), e], node) for n, e in enumerate(elts)]
        if self.loops.scope.resolve(node.func) is tuple:
            return ast.copy_location(ast.Tuple(elts, ast.Load()), node)
        return ast.copy_location(ast.List(elts, ast.Load()), node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        if self.loops.scope.resolve(node.func) is len and len(node.args) == 1 \
                and not node.keywords:
            layout = self.loops.layout(node.args[0], self.known)
            if layout is not None:
                return _const(len(layout), node)
        node.args = [self.literal(a) or a if not isinstance(a, ast.Starred) else a
                     for a in node.args]
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            key = _constant_key(node.left)
            layout = self.loops.layout(node.comparators[0], self.known)
            if key is not MISSING and layout is not None:
                return _const((key in layout) == isinstance(node.ops[0], ast.In), node)
        return node


class _Substitute(ast.NodeTransformer):
    """Reads of the names of ``constants`` replaced by the constants."""

    def __init__(self, constants: dict[str, Any]) -> None:
        self.constants = constants

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id in self.constants:
            return _const(self.constants[node.id], node)
        return node


def _pack(elts: list[ast.expr], like: ast.AST) -> ast.expr:
    return ast.copy_location(ast.Tuple(elts, ast.Load()), like)


def _walk_body(stmts: list[ast.stmt]):
    """The statements of a loop body, not inside a nested loop."""
    for stmt in stmts:
        yield stmt
        if not isinstance(stmt, (ast.For, ast.While)):
            for field in ("body", "orelse"):
                yield from _walk_body(getattr(stmt, field, []) or [])


def _writes_into(body: list[ast.stmt], base: ast.expr) -> list[Any] | None:
    """The keys ``body`` writes into the local dict ``base`` (MISSING for a computed key),
    or None when it writes none (or ``base`` is not a local name)."""
    if not isinstance(base, ast.Name):
        return None
    keys = [_constant_key(n.slice) for s in body for n in astutil.walk(s)
            if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
            and isinstance(n.value, ast.Name) and n.value.id == base.id]
    return keys or None
