"""Pass 3b, containers: lists, tuples and dicts of known layout dissolved into their items.

After :func:`resolve_containers` (run on normalized code, inlined helpers
included), wherever a name is bound once, outside control flow, to a
container literal — ``p = [a, b]``, ``p = (a, b)``, ``p = dict(w=a, b=c)``
(the form the pytree front door, ``srcxform/pytrees.py``, writes for a dict
argument), or a copy of such a name — and the container is never changed
(no element write, no method call on it) and every item is a name assigned
at most once (or a constant):

* ``v = p[k]`` with a constant ``k`` (an int, negative too, or a dict key)
  is ``v = item``;
* ``a, b = p`` is ``a = item0`` and ``b = item1``;
* ``n = len(p)`` is ``n = <length>``;
* ``c = p + q`` of two such lists or two such tuples (or literals) is the
  literal of their items;
* ``v = sx.flatten(p)`` is the items' leaves raveled and concatenated
  (``np.ravel``, ``np.concatenate``), paired with ``None`` for the
  ``unflatten`` function (which differentiated code may not call);
* in straight-line code (a loop body too), ``t = (a, b)`` is known the same
  way until one of ``a``, ``b`` is assigned again (a helper's ``*args``
  inlined in a loop, ``inputs + (ones,)``);
* ``v = p[k]`` where ``k`` was bound to an int or str constant earlier in the
  same straight-line code (a copy of an unrolled loop over ``("u1", "u2")``)
  is that item too;
* a loop ``for i in range(N)`` with a constant ``N`` whose body indexes
  such a container by ``i`` (``for W, b in params:`` after the loops pass)
  is unrolled, ``i`` replaced by each constant in turn, when its body has
  no ``break`` or ``continue`` and ``i`` is not read after the loop;

to a fixed point (nested containers dissolve level by level), and the
container assignments nothing reads any more are dropped.  So a list of
``(W, b)`` pairs, a dict of parameters or a list of arrays of different
shapes never reaches the adjoint passes as a whole: they see the items,
which are ordinary names.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import TransformError
from . import anno
from .astutil import walk, walk_stmts
from .program import Program
from .wholeseqs import is_whole_use

#: Methods that change a list in place: a container they are called on is not dissolved.
_ANY_METHOD = True
MAX_UNROLL = 256


@dataclass
class Container:
    items: list[ast.expr]
    keys: list[Any] | None  # dict keys, in the order of items (None for a list or tuple)
    kind: type = tuple      # list, tuple or dict

    def item(self, key: Any) -> ast.expr | None:
        if self.keys is not None:
            return self.items[self.keys.index(key)] if key in self.keys else None
        if isinstance(key, int) and not isinstance(key, bool) \
                and -len(self.items) <= key < len(self.items):
            return self.items[key]
        return None


def _assign_counts(body: list[ast.stmt]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for stmt in walk_stmts(body):
        names: list[str] = []
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                names += [n.id for n in walk(t) if isinstance(n, ast.Name)
                          and isinstance(n.ctx, ast.Store)]
        elif isinstance(stmt, ast.For):
            names += [n.id for n in walk(stmt.target) if isinstance(n, ast.Name)]
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    return counts


def _changed(body: list[ast.stmt]) -> set[str]:
    """Names written into by element or whose methods are called (may change in place)."""
    out: set[str] = set()
    for node in walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Name):
            out.add(node.value.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) \
                and not anno.get(node.func, anno.GLOBAL, False):
            out.add(node.func.value.id)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
    return out


def _constant(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)) \
            and not isinstance(node.value, bool):
        return node.value
    return None


def slice_bound(node: ast.expr | None) -> Any:
    """A slice bound: its int, None when absent, False when not a constant int."""
    if node is None or isinstance(node, ast.Constant) and node.value is None:
        return None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) is int:
        return -node.operand.value
    return False


def _is_dict_call(value: ast.expr) -> bool:
    return (isinstance(value, ast.Call) and anno.get(value, anno.CALLEE, None) is dict
            and not value.args and all(k.arg is not None for k in value.keywords))


def _find(body: list[ast.stmt], counts: dict[str, int], changed: set[str]
          ) -> dict[str, Container]:
    def stable(item: ast.expr) -> bool:
        return isinstance(item, ast.Constant) or (
            isinstance(item, ast.Name) and counts.get(item.id, 0) <= 1) or \
            anno.get(item, anno.GLOBAL, False)

    known: dict[str, Container] = {}
    for stmt in body:  # top level only: bound once, outside control flow
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            continue
        name, value = stmt.targets[0].id, stmt.value
        if counts.get(name, 0) != 1 or name in changed:
            continue
        found = None
        if isinstance(value, (ast.List, ast.Tuple)) and all(stable(e) for e in value.elts):
            if isinstance(value, ast.Tuple) or not anno.get(stmt, anno.APPEND, False):
                found = Container(list(value.elts), None,
                                  list if isinstance(value, ast.List) else tuple)
        elif _is_dict_call(value) and all(stable(k.value) for k in value.keywords):
            found = Container([k.value for k in value.keywords], [k.arg for k in value.keywords],
                              dict)
        elif isinstance(value, ast.Name) and value.id in known:
            found = known[value.id]
        if found is not None:
            known[name] = found
    return known


class _Rewriter:
    def __init__(self, program: Program, known: dict[str, Container],
                 consts: dict[str, int]) -> None:
        self.program = program
        self.known = known
        self.consts = consts
        self.changed = False
        self.local: dict[str, Container] = {}  # straight-line copies of known containers
        self.scalars: dict[str, Any] = {}      # straight-line names bound to an int or str
        self.aliases: set[str] = set()         # every name that was such a copy

    def lookup(self, name: str) -> Container | None:
        found = self.local.get(name)
        return found if found is not None else self.known.get(name)

    def _copy_item(self, item: ast.expr) -> ast.expr:
        return copy.deepcopy(item)

    def leaves(self, item: ast.expr) -> list[ast.expr] | None:
        if isinstance(item, ast.Name) and self.lookup(item.id):
            out: list[ast.expr] = []
            c = self.lookup(item.id)
            order = range(len(c.items))
            if c.keys is not None:
                order = sorted(order, key=lambda i: c.keys[i])
            for i in order:
                sub = self.leaves(c.items[i])
                if sub is None:
                    return None
                out += sub
            return out
        if isinstance(item, ast.Constant) and item.value is None:
            return []
        return [item]

    def statement(self, stmt: ast.stmt) -> list[ast.stmt] | None:
        """The replacement of one statement, or None to keep it."""
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            return None
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Name) \
                and self.lookup(value.id) and all(isinstance(e, ast.Name) for e in target.elts):
            c = self.lookup(value.id)
            targets = {e.id for e in target.elts}
            if any(isinstance(n, ast.Name) and n.id in targets
                   for item in c.items for n in walk(item)):
                return None  # `v0, v1 = (v1, v0)`: one by one, a later item would see the new
            if c.keys is None and len(c.items) == len(target.elts):
                return [self._assign(stmt, e.id, self._copy_item(item))
                        for e, item in zip(target.elts, c.items)]
            return None
        if not isinstance(target, ast.Name):
            return None
        if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) \
                and self.lookup(value.value.id):
            key = _constant(value.slice)
            if key is None and isinstance(value.slice, ast.Name):
                key = self.scalars.get(value.slice.id)  # (a copy of an unrolled loop)
            if key is None and isinstance(value.slice, ast.UnaryOp) \
                    and isinstance(value.slice.op, ast.USub):
                inner = _constant(value.slice.operand)
                key = -inner if isinstance(inner, int) else None
            c = self.lookup(value.value.id)
            if isinstance(value.slice, ast.Slice) and c.keys is None:
                bounds = [slice_bound(b) for b in (value.slice.lower, value.slice.upper,
                                                     value.slice.step)]
                if all(b is not False for b in bounds):
                    items = [self._copy_item(e) for e in c.items[slice(*bounds)]]
                    seq = ast.List if c.kind is list else ast.Tuple
                    return [self._assign(stmt, target.id, seq(items, ast.Load()))]
                return None
            item = c.item(key) if key is not None else None
            if item is not None:
                return [self._assign(stmt, target.id, self._copy_item(item))]
            return None
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            parts = [self.sequence(value.left), self.sequence(value.right)]
            if parts[0] is not None and parts[1] is not None and parts[0][1] is parts[1][1]:
                items = [self._copy_item(e) for e in parts[0][0] + parts[1][0]]
                seq = ast.List if parts[0][1] is list else ast.Tuple
                return [self._assign(stmt, target.id, seq(items, ast.Load()))]
            return None
        if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords \
                and isinstance(value.args[0], ast.Name) and self.lookup(value.args[0].id):
            callee = anno.get(value, anno.CALLEE, None)
            c = self.lookup(value.args[0].id)
            if callee is len:
                return [self._assign(stmt, target.id, ast.Constant(len(c.items)))]
            if _is_tree_flatten(callee):
                leaves = self.leaves(value.args[0])
                if leaves is not None:
                    return self._flatten(stmt, target.id, leaves)
        return None

    def sequence(self, node: ast.expr) -> tuple[list[ast.expr], type] | None:
        """The items and kind of a known list or tuple (a name, or a literal), for ``+``."""
        if isinstance(node, ast.Name):
            c = self.lookup(node.id)
            return (c.items, c.kind) if c is not None and c.keys is None else None
        if isinstance(node, (ast.Tuple, ast.List)):
            return list(node.elts), (tuple if isinstance(node, ast.Tuple) else list)
        if isinstance(node, ast.Constant) and isinstance(node.value, tuple):
            return [ast.Constant(v) for v in node.value], tuple
        return None

    def _assign(self, like: ast.stmt, name: str, value: ast.expr) -> ast.stmt:
        self.changed = True
        new = ast.Assign([ast.Name(name, ast.Store())], value)
        anno.set(new, anno.LINE, anno.get(like, anno.LINE, None))
        return ast.copy_location(new, like)

    def _ref(self, obj: Any, hint: str) -> ast.expr:
        module = next((k for k, v in self.program.parsed.globals.items() if v is np
                       and k.isidentifier()), None)
        if module is not None:  # np.ravel, as the user would write it
            node = ast.Attribute(ast.Name(module, ast.Load()), obj.__name__, ast.Load())
            anno.set(node, anno.GLOBAL, True)
            return node
        name = self.program.namer.fresh(hint)
        self.program.foreign[name] = obj
        node = ast.Name(name, ast.Load())
        anno.set(node, anno.GLOBAL, True)
        return node

    def _call(self, like: ast.stmt, name: str, fn: Any, hint: str, args: list[ast.expr]
              ) -> ast.stmt:
        call = ast.Call(self._ref(fn, hint), args, [])
        anno.set(call, anno.CALLEE, fn)
        return self._assign(like, name, call)

    def _flatten(self, stmt: ast.stmt, target: str, leaves: list[ast.expr]) -> list[ast.stmt]:
        namer = self.program.namer
        out: list[ast.stmt] = []
        parts = []
        for leaf in leaves:
            part = namer.fresh("ravel")
            out.append(self._call(stmt, part, np.ravel, "ravel", [self._copy_item(leaf)]))
            parts.append(ast.Name(part, ast.Load()))
        if not parts:
            vector = ast.Constant(None)
            out.append(self._call(stmt, vector_name := namer.fresh("flat"), np.zeros, "zeros",
                                  [ast.Constant(0)]))
        else:
            seq = namer.fresh("parts")
            out.append(self._assign(stmt, seq, ast.List(parts, ast.Load())))
            vector_name = namer.fresh("flat")
            out.append(self._call(stmt, vector_name, np.concatenate, "concatenate",
                                  [ast.Name(seq, ast.Load())]))
        vector = ast.Name(vector_name, ast.Load())
        out.append(self._assign(stmt, target, ast.Tuple([vector, ast.Constant(None)],
                                                         ast.Load())))
        return out

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ast.For):
                unrolled = self.unroll(stmt, stmts)
                if unrolled is not None:
                    out += unrolled
                    continue
            if isinstance(stmt, (ast.For, ast.While, ast.If)):
                saved, saved_scalars = dict(self.local), dict(self.scalars)
                for field in ("body", "orelse"):
                    inner = getattr(stmt, field, None)
                    if inner:
                        self.local = {} if isinstance(stmt, (ast.For, ast.While)) \
                            else dict(saved)
                        self.scalars = {} if isinstance(stmt, (ast.For, ast.While)) \
                            else dict(saved_scalars)
                        setattr(stmt, field, self.block(inner))
                self.local = {}  # (what the branches or iterations assign is unknown here)
                self.scalars = {}
                out.append(stmt)
                continue
            replaced = self.statement(stmt)
            for new in [stmt] if replaced is None else replaced:
                self.track(new)
                out.append(new)
        return out

    def track(self, stmt: ast.stmt) -> None:
        """Follow ``x = y`` of a known container ``y``, and ``t = (a, b)``, in straight-line
        code."""
        assigned = [n.id for n in walk(stmt) if isinstance(n, ast.Name)
                    and isinstance(n.ctx, ast.Store)]
        for name in assigned:
            self.scalars.pop(name, None)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and _constant(stmt.value) is not None:
            self.scalars[stmt.targets[0].id] = _constant(stmt.value)
        found = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Name):
            found = self.lookup(stmt.value.id)
        for name in assigned:
            self.local.pop(name, None)
        if assigned:  # a straight-line tuple whose item names change is not known any more
            gone = set(assigned)
            for held, c in list(self.local.items()):
                if any(isinstance(n, ast.Name) and n.id in gone
                       for item in c.items for n in walk(item)):
                    del self.local[held]
        if found is not None:
            self.local[assigned[0]] = found
            self.aliases.add(assigned[0])
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.Tuple) \
                and stmt.targets[0].id not in self.known:
            # a tuple built in straight-line code (a helper's *args, inlined in a loop): its
            # items while none of their names is assigned again
            self.local[assigned[0]] = Container(list(stmt.value.elts), None, tuple)

    def unroll(self, loop: ast.For, siblings: list[ast.stmt]) -> list[ast.stmt] | None:
        if not isinstance(loop.target, ast.Name) or loop.orelse:
            return None
        it = loop.iter
        if not (isinstance(it, ast.Call) and anno.get(it, anno.RANGE, False)
                and len(it.args) == 1 and not it.keywords):
            return None
        stop = it.args[0]
        if isinstance(stop, ast.Name) and stop.id in self.consts:
            count = self.consts[stop.id]
        elif isinstance(stop, ast.Constant) and type(stop.value) is int:
            count = stop.value
        else:
            return None
        index = loop.target.id
        if count > MAX_UNROLL:
            return None
        indexes_known = any(
            isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
            and n.value.id in self.known and isinstance(n.slice, ast.Name)
            and n.slice.id == index for s in loop.body for n in walk(s))
        if not indexes_known:
            return None
        for s in loop.body:
            for n in walk(s):
                if isinstance(n, (ast.Break, ast.Continue)):
                    return None
                if isinstance(n, ast.Name) and n.id == index and isinstance(n.ctx, ast.Store):
                    return None
        after = siblings[siblings.index(loop) + 1:]
        if any(isinstance(n, ast.Name) and n.id == index
               for s in after for n in walk(s)):
            return None
        out: list[ast.stmt] = []
        for k in range(count):
            for s in loop.body:
                s = copy.deepcopy(s)
                for n in walk(s):
                    for field, value in ast.iter_fields(n):
                        if isinstance(value, ast.Name) and value.id == index:
                            setattr(n, field, ast.copy_location(ast.Constant(k), value))
                        elif isinstance(value, list):
                            for j, v in enumerate(value):
                                if isinstance(v, ast.Name) and v.id == index:
                                    value[j] = ast.copy_location(ast.Constant(k), v)
                out.append(s)
        self.changed = True
        return self.block(out)


def _is_tree_flatten(callee: Any) -> bool:
    from .. import tree

    return callee is tree.flatten


def _read_names(body: list[ast.stmt]) -> set[str]:
    return {n.id for n in walk(ast.Module(body=body, type_ignores=[]))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _drop_dead(body: list[ast.stmt], known: dict[str, Container]) -> list[ast.stmt]:
    """``body`` without the assignments of ``known`` containers (and their copies, also in
    loop and branch bodies) that nothing reads."""
    def dead(s: ast.stmt, read: set[str]) -> bool:
        return (isinstance(s, ast.Assign) and len(s.targets) == 1
                and isinstance(s.targets[0], ast.Name) and s.targets[0].id in known
                and s.targets[0].id not in read
                and (isinstance(s.value, (ast.Name, ast.List, ast.Tuple, ast.Subscript))
                     or _is_dict_call(s.value)))

    def prune(stmts: list[ast.stmt], read: set[str]) -> tuple[list[ast.stmt], bool]:
        kept, dropped = [], False
        for s in stmts:
            if dead(s, read):
                dropped = True
                continue
            for field in ("body", "orelse"):
                inner = getattr(s, field, None)
                if inner and isinstance(s, (ast.For, ast.While, ast.If, ast.With)):
                    new, more = prune(inner, read)
                    if more:
                        setattr(s, field, new or [ast.Pass()])
                        dropped = True
            kept.append(s)
        return kept, dropped

    while True:
        body, dropped = prune(body, _read_names(body))
        if not dropped:
            return body


def _has_tuple_literals(body: list[ast.stmt]) -> bool:
    """Some name is assigned a tuple literal (which straight-line code may unpack)."""
    return any(isinstance(s, ast.Assign) and isinstance(s.value, ast.Tuple)
               and isinstance(s.targets[0], ast.Name) for s in walk_stmts(body))


def resolve_containers(program: Program) -> Program:
    """Dissolve containers of known layout in ``program.body`` (see the module docstring)."""
    body = program.body
    result = program.result
    any_dropped: dict[str, Container] = {}
    for _ in range(64):
        if not _has_tuple_literals(body) and not any(
                s.__class__ is ast.Assign and (isinstance(s.value, (ast.List, ast.Tuple))
                                               or _is_dict_call(s.value)) for s in body):
            break  # (no container _find could know, nothing to unpack: the usual case)
        counts = _assign_counts(body)
        known = _find(body, counts, _changed(body) | set(program.lists))
        if isinstance(result, ast.Name):
            known.pop(result.id, None)
        if not known and not _has_tuple_literals(body):
            break
        consts = {s.targets[0].id: s.value.value for s in body
                  if isinstance(s, ast.Assign) and len(s.targets) == 1
                  and isinstance(s.targets[0], ast.Name) and counts.get(s.targets[0].id) == 1
                  and isinstance(s.value, ast.Constant) and type(s.value.value) is int}
        rewriter = _Rewriter(program, known, consts)
        body = rewriter.block(body)
        any_dropped.update(known)
        any_dropped.update({a: Container([], None) for a in rewriter.aliases})
        if not rewriter.changed:
            break
    if any_dropped:
        keep = dict(any_dropped)
        if isinstance(result, ast.Name):
            keep.pop(result.id, None)
        body = _drop_dead(body, keep)
    program.body = body
    if getattr(program.parsed.fn, "__srcxform_twin__", None) is not None:
        _check_dissolved(program)
    return program


def _check_dissolved(program: Program) -> None:
    """In a pytree twin, no container built from the differentiated leaves may be left:
    the adjoint passes would treat it as one array."""
    twin, filename, first = program.parsed.fn.__srcxform_twin__
    leaves = set(program.wrt)
    holding: set[str] = set()
    changed = True
    while changed:
        changed = False
        for stmt in walk_stmts(program.body):
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)):
                continue
            name, value = stmt.targets[0].id, stmt.value
            if name in holding:
                continue
            parts: list[ast.expr] = []
            if isinstance(value, (ast.List, ast.Tuple)):
                parts = list(value.elts)
            elif _is_dict_call(value):
                parts = [k.value for k in value.keywords]
            elif isinstance(value, (ast.Name, ast.Subscript)):
                parts = [value.value if isinstance(value, ast.Subscript) else value]
            if name in program.lists and isinstance(value, (ast.List, ast.Tuple)) \
                    and not any(isinstance(p, ast.Name) and p.id in holding for p in parts):
                continue  # a list of leaves read at computed positions: normalize.py gave
                # it a list of adjoints, one per element
            if any(isinstance(p, ast.Name) and (p.id in holding or (
                    p.id in leaves and not isinstance(value, (ast.Name, ast.Subscript))))
                    for p in parts):
                holding.add(name)
                changed = True
    flat = _flat_sequences(program.body, holding)
    for stmt in walk_stmts(program.body):
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in holding:
            value = stmt.value
            if isinstance(value, (ast.List, ast.Tuple, ast.Name)) or _is_dict_call(value):
                continue
        used = [n.id for n in walk(stmt) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load) and n.id in holding]
        if used and all(u in flat and is_whole_use(stmt, u) for u in used):
            continue  # np.stack(xs) of a flat tuple of leaves: element by element
        if used and not isinstance(stmt, (ast.For, ast.If, ast.While)):
            shown = ast.unparse(stmt).splitlines()[0]
            raise TransformError(
                f"{twin}: a list, tuple or dict argument holding differentiated values is "
                f"used in `{shown}` in a way srcxform cannot follow; index it with constants "
                f"(params[0], params['w']), unpack it (W, b = pair), loop over it "
                f"(for W, b in params:), take len() or sx.flatten() of it, or pass it whole "
                f"to np.stack, np.concatenate, np.vstack, np.hstack, np.array or sum",
                filename=filename, lineno=first,
                construct="pytree argument")


def _flat_sequences(body: list[ast.stmt], holding: set[str]) -> set[str]:
    """The names of ``holding`` bound once, to a list or tuple literal none of whose items
    holds a container (``xs = (xs_0, xs_1, )``): sequences ``wholeseqs.py`` may pass whole."""
    bindings: dict[str, list[ast.expr]] = {}
    for stmt in walk_stmts(body):
        for name in _assigned(stmt):
            bindings.setdefault(name, []).append(
                stmt.value if isinstance(stmt, ast.Assign) else stmt)
    return {name for name in holding if len(bindings.get(name, [])) == 1
            and isinstance(bindings[name][0], (ast.List, ast.Tuple))
            and not any(isinstance(n, ast.Name) and n.id in holding
                        for e in bindings[name][0].elts for n in walk(e))
            and not any(isinstance(e, ast.Starred) for e in bindings[name][0].elts)}


def _assigned(stmt: ast.stmt) -> list[str]:
    targets: list[ast.expr] = []
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.For, ast.AugAssign, ast.AnnAssign)):
        targets = [stmt.target]
    return [n.id for t in targets for n in walk(t) if isinstance(n, ast.Name)]
