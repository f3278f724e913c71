"""Writes through an alias or a view, rewritten as writes into the array that owns the memory.

Python runs ``z op= e`` on a name holding an array in place: every other name
sharing that memory sees the new values.  The normalized program computes
``z_1 = z op e`` (a new array) instead, and an element write ``b[i] = v``
changes only ``b`` in generated code while Python changes every view of
``b`` too.  :func:`rewrite_alias_writes` makes such writes explicit where the
sharing is known *exactly* at transform time, by a forward walk of the
normalized body (branches and loops joined: a relation holds after a join
only if it holds, identically, on every path):

* an *owner* is a name bound to an array the function made (``np.zeros``,
  ``x.copy()``, ``np.copy``, ``np.array``, arithmetic and ufuncs of a
  parameter, ...) and not rebound since;
* a *relation* ``n = chain(B)`` says that ``n`` is, in Python, exactly the
  object ``B`` (``n = B``, through any number of plain assignments and inlined
  helpers returning their argument), or exactly the view ``B[s]`` of a basic
  index ``s`` (slices, and integers where ``B`` provably keeps an axis), ``B.T``,
  or ``B.reshape(...)`` of a ``B`` made C-contiguous; a relation dies when
  ``n``, ``B`` or a name its index reads is assigned again.

After the rewrite these hold:

* ``z_1 = z op e`` of a ``z op= e`` whose ``z`` has a relation ``chain(B)``
  (or is an owner ``B`` that other related names view) is
  ``t = z op e; B[idx] = inverse(t); z_1 = chain(B)`` -- an element write into
  ``B``, which ``mutation.py``, the tape and the adjoint support -- and every
  other name related to ``B`` is derived from ``B`` again right after;
* an element write ``B[i] = v`` into an owner is followed by the same
  re-derivations;
* where the rewrite needs a parameter to be an array for ``z op= e`` to write
  in place (``y = x.copy(); z = y; z += e``: ``z`` is an array exactly when ``x``
  is), ``requirements`` names the parameter and the least ``ndim``; the
  generated code checks it on entry (``support.require_array``).  Where a call
  may as well pass fewer axes (``y = a * 1.0`` of an ``a`` the function never
  indexes; a row ``v[0]`` of arithmetic of an argument) and today's code serves
  such calls by number checks, ``mutation.py`` keeps today's code.

The rewrite claims nothing it cannot see: any other name that may share the
memory (a branch-dependent alias, a list holding the array, a view of a view,
an argument's memory) is left as it was, and ``mutation.check_mutation`` --
run again on the rewritten body -- refuses a read of it after the write.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

import numpy as np

from . import anno
from .astutil import names_loaded, names_stored, walk_stmts

#: Constructors of a new C-contiguous array (without ``order=``), by ``shape`` argument.
_CREATORS = frozenset({"zeros", "ones", "empty", "full"})
#: Functions that always return a new array shaped like their first argument.
_COPIES = frozenset({"zeros_like", "ones_like", "empty_like", "full_like", "copy", "array"})
_ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod)

Requirement = tuple[str, int]  # a parameter must be an ndarray with at least this many axes


@dataclass(frozen=True)
class Owner:
    """An array the function made: at least ``lo`` axes; an ndarray for sure (``sure``) or
    when ``param`` is an ndarray of at least ``need`` axes; its axes are at least
    ``param``'s when ``param`` is set; ``c_order``: C-contiguous (reshape is a view)."""

    lo: int
    sure: bool
    param: str | None
    need: int
    c_order: bool

    def array_requirements(self) -> frozenset:
        return frozenset() if self.sure else frozenset({(self.param, self.need)})


@dataclass(frozen=True)
class Rel:
    """``name`` is exactly ``chain`` applied to the owner ``base`` (``chain``: ``()`` the
    same object, or one of ``("index", slice)``, ``("T", node)``, ``("reshape", call)``)."""

    base: str
    chain: tuple
    mentions: frozenset
    requires: frozenset

    def key(self) -> tuple:
        return (self.base, tuple((op, ast.dump(node)) for op, node in self.chain),
                self.requires)


class _State:
    def __init__(self, owners=None, rels=None) -> None:
        self.owners: dict[str, Owner] = dict(owners or {})
        self.rels: dict[str, Rel] = dict(rels or {})

    def copy(self) -> _State:
        return _State(self.owners, self.rels)

    def join(self, other: _State) -> _State:
        owners = {n: o for n, o in self.owners.items() if other.owners.get(n) == o}
        return _State(owners, {n: r for n, r in self.rels.items() if r.base in owners
                               and n in other.rels and other.rels[n].key() == r.key()})

    def same(self, other: _State) -> bool:
        return self.owners == other.owners and \
            {n: r.key() for n, r in self.rels.items()} == \
            {n: r.key() for n, r in other.rels.items()}

    def kill(self, name: str) -> None:
        self.owners.pop(name, None)
        self.rels = {n: r for n, r in self.rels.items()
                     if n != name and r.base != name and name not in r.mentions}

    def related(self, base: str) -> dict[str, Rel]:
        return {n: r for n, r in self.rels.items() if r.base == base}


@dataclass
class Plan:
    """What to do at one in-place statement (decided at its settled state)."""

    base: str
    chain: tuple           # of the name written through (augmented assignment), else ()
    others: dict           # name -> Rel: derived from ``base`` again after the write
    requires: frozenset    # the entry checks the rewritten write needs
    held: frozenset = frozenset()  # the checks under which the written name is chain(base)


class _Walk:
    """The forward walk: the state before each in-place statement, loops settled."""

    def __init__(self, params: list[str], ints: set[str]) -> None:
        self.params, self.ints = set(params), ints
        self.plans: dict[int, Plan | None] = {}

    def block(self, stmts: list[ast.stmt], state: _State) -> _State:
        for stmt in stmts:
            if isinstance(stmt, ast.If):
                state = self.block(stmt.body, state.copy()).join(
                    self.block(stmt.orelse, state.copy()))
            elif isinstance(stmt, (ast.For, ast.While)):
                jumps = any(isinstance(n, (ast.Break, ast.Continue)) for n in ast.walk(stmt))
                if jumps:  # a jump's state is not the head's or the end's: keep only what
                    for n in names_stored(stmt):  # the loop cannot change
                        state.kill(n)
                for _ in range(100):  # joins only shrink a finite state
                    inner = state.copy()
                    if isinstance(stmt, ast.For):
                        for n in names_stored(stmt.target):
                            inner.kill(n)
                    after = state.join(self.block(stmt.body, inner))
                    if after.same(state):
                        break
                    state = after
                else:  # pragma: no cover - the state cannot shrink forever
                    raise AssertionError("aliaswrites: a loop's state did not settle")
                if jumps:
                    for n in names_stored(stmt):
                        state.kill(n)
            elif isinstance(stmt, (ast.Assign, ast.Expr, ast.Pass)):
                self.simple(stmt, state)
            else:  # (with, a bare jump, ...): what it stores is no longer known
                for n in names_stored(stmt):
                    state.kill(n)
        return state

    def simple(self, stmt: ast.stmt, state: _State) -> None:
        inplace = anno.get(stmt, anno.INPLACE)
        if inplace is not None and isinstance(stmt, ast.Assign):
            plan = self.plan(stmt, state)
            self.plans[id(stmt)] = plan
            if plan is not None and isinstance(stmt.targets[0], ast.Name):
                target = stmt.targets[0].id
                state.kill(target)
                state.rels[target] = Rel(plan.base, plan.chain, _mentions(plan.chain),
                                         plan.held)
                return
            if isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, ast.BinOp) \
                    and isinstance(stmt.value.left, ast.Name):
                old, target = stmt.value.left.id, stmt.targets[0].id
                owner = state.owners.get(old)
                state.kill(target)
                state.kill(old)  # generated code keeps its old value; Python does not
                if owner is not None:
                    state.owners[target] = owner
                return
        made_owner = self.owner_of(stmt, state)
        made_rel = self.rel_of(stmt, state)
        if made_rel is not None and made_rel.chain == () \
                and made_rel.base == stmt.targets[0].id:
            return  # `p = t` where t is p itself (z op= e on a loop's name): nothing changes
        for n in names_stored(stmt):
            state.kill(n)
        if made_owner is not None:
            state.owners[stmt.targets[0].id] = made_owner
        elif made_rel is not None:
            state.rels[stmt.targets[0].id] = made_rel

    # -- what an in-place statement becomes ---------------------------------------------------
    def plan(self, stmt: ast.Assign, state: _State) -> Plan | None:
        target = stmt.targets[0]
        if isinstance(target, ast.Subscript):  # b[i] = v
            base = target.value.id if isinstance(target.value, ast.Name) else None
            if base not in state.owners:
                return None
            others = state.related(base)
            if not others:
                return None
            requires = frozenset().union(*(r.requires for r in others.values()))
            return Plan(base, (), others, requires)
        if not (isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.left, ast.Name)):
            return None
        z = stmt.value.left.id
        if z in state.rels:
            rel = state.rels[z]
        elif z in state.owners and state.related(z):
            rel = Rel(z, (), frozenset(), frozenset())
        else:
            return None
        owner = state.owners.get(rel.base)
        if owner is None:  # (never: a relation's base is an owner)
            return None
        others = {n: r for n, r in state.related(rel.base).items() if n != target.id}
        requires = rel.requires | owner.array_requirements() | frozenset().union(
            *(r.requires for r in others.values()))
        return Plan(rel.base, rel.chain, others, requires, rel.requires)

    # -- owners and relations made by an assignment --------------------------------------------
    def owner_of(self, stmt: ast.stmt, state: _State) -> Owner | None:
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
            return None
        value = stmt.value
        if isinstance(value, (ast.BinOp, ast.UnaryOp)):
            if isinstance(value, ast.BinOp) and not isinstance(value.op, _ELEMENTWISE) \
                    or isinstance(value, ast.UnaryOp) and not isinstance(value.op, (ast.USub,
                                                                                    ast.UAdd)):
                return None  # (a @ b of vectors, not a: a number)
            operands = [value.left, value.right] if isinstance(value, ast.BinOp) \
                else [value.operand]
            return self.elementwise(operands, state)
        if not isinstance(value, ast.Call):
            return None
        callee, method = anno.get(value, anno.CALLEE), anno.get(value, anno.METHOD)
        if method == "copy" and not value.args and not value.keywords:
            source = self.source(value.func.value, state)
            if source is None:
                return None
            return Owner(source.lo, source.sure, source.param, source.need, True)
        if method is not None or callee is None or \
                not (getattr(callee, "__module__", None) or "").startswith("numpy"):
            return None
        name = getattr(callee, "__name__", "")
        if any(k.arg not in ("dtype",) for k in value.keywords):
            return None  # (order=, copy=, subok=, like=: layout or ownership unknown)
        if name in _CREATORS and value.args:
            shape = value.args[0]
            if isinstance(shape, ast.Tuple) and not any(isinstance(e, ast.Starred)
                                                        for e in shape.elts):
                return Owner(len(shape.elts), True, None, 0, True)
            if isinstance(shape, ast.Constant) and isinstance(shape.value, tuple):
                return Owner(len(shape.value), True, None, 0, True)
            if isinstance(shape, ast.Constant) and isinstance(shape.value, int) \
                    or isinstance(shape, ast.Name) and shape.id in self.ints:
                return Owner(1, True, None, 0, True)
            return Owner(0, True, None, 0, True)
        if name in _COPIES and len(value.args) == 1 and isinstance(value.args[0], ast.Name):
            source = self.source(value.args[0], state)
            if source is None:
                return Owner(0, True, None, 0, False)
            return Owner(source.lo, True, source.param, 0, False)
        if isinstance(callee, np.ufunc) and callee.nout == 1 and not value.keywords:
            return self.elementwise(list(value.args), state)
        return None

    def source(self, node: ast.expr, state: _State) -> Owner | None:
        """What a copy of ``node`` is: a parameter (an array when the parameter is one) or
        a name that is exactly an owner."""
        if not isinstance(node, ast.Name) or node.id in self.ints:
            return None
        if node.id in self.params and node.id not in state.owners:
            return Owner(0, False, node.id, 0, False)
        owner = self.exact_owner(node.id, state)
        return owner

    def exact_owner(self, name: str, state: _State) -> Owner | None:
        if name in state.owners:
            return state.owners[name]
        rel = state.rels.get(name)
        if rel is not None and rel.chain == () and not rel.requires:
            return state.owners.get(rel.base)
        return None

    def elementwise(self, operands: list[ast.expr], state: _State) -> Owner | None:
        """A new array when some operand has an axis (else a NumPy scalar)."""
        for o in operands:
            owner = self.source(o, state)
            if owner is not None and owner.sure and owner.lo >= 1:
                return Owner(owner.lo, True, None, 0, False)
        for o in operands:
            if isinstance(o, ast.Name) and o.id in self.params and o.id not in state.owners \
                    and o.id not in state.rels:
                return Owner(1, False, o.id, 1, False)
        return None

    def rel_of(self, stmt: ast.stmt, state: _State) -> Rel | None:
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
            return None
        value = stmt.value
        if isinstance(value, ast.Name):
            if value.id in state.rels:
                return state.rels[value.id]
            if value.id in state.owners:
                return Rel(value.id, (), frozenset(), frozenset())
            return None
        base_node = value.value if isinstance(value, (ast.Subscript, ast.Attribute)) else \
            value.func.value if isinstance(value, ast.Call) and \
            isinstance(value.func, ast.Attribute) else None
        if isinstance(value, ast.Call) and anno.get(value, anno.METHOD) is None \
                and getattr(anno.get(value, anno.CALLEE), "__name__", "") == "reshape" \
                and value.args:
            base_node = value.args[0]
        if not isinstance(base_node, ast.Name):
            return None
        base = self.plain(base_node.id, state)
        if base is None:
            return None
        owner = state.owners.get(base)
        if owner is None:  # (never: a relation's base is an owner)
            return None
        if isinstance(value, ast.Attribute):
            if value.attr != "T":
                return None
            return Rel(base, (("T", value),), frozenset(), frozenset())
        if isinstance(value, ast.Subscript):
            counted = self.basic_index(value)
            if counted is None:
                return None
            k = counted
            requires = frozenset()
            if k and owner.lo < k + 1:
                if owner.param is None:
                    return None
                requires = frozenset({(owner.param, max(owner.need, k + 1))})
            return Rel(base, (("index", value.slice),), frozenset(names_loaded(value.slice)),
                       requires)
        if isinstance(value, ast.Call) and not value.keywords and owner.c_order:
            method = anno.get(value, anno.METHOD)
            callee = anno.get(value, anno.CALLEE)
            if method == "reshape" and value.args or method is None and len(value.args) == 2 \
                    and getattr(callee, "__module__", "").startswith("numpy") \
                    and getattr(callee, "__name__", "") == "reshape":
                args = value.args if method == "reshape" else value.args[1:]
                mentions = frozenset().union(*(names_loaded(a) for a in args))
                return Rel(base, (("reshape", value),), mentions, frozenset())
        return None

    def plain(self, name: str, state: _State) -> str | None:
        """The owner ``name`` is exactly (the owner itself, or a plain alias of it)."""
        if name in state.owners:
            return name
        rel = state.rels.get(name)
        if rel is not None and rel.chain == ():
            return rel.base
        return None

    def basic_index(self, sub: ast.Subscript) -> int | None:
        """How many integers a basic index of slices and integers holds; ``None`` for any
        other index (a copy, or an index read from a list)."""
        if any(anno.get(sub, k) for k in (anno.LIST, anno.SEQUENCE, anno.INDEX_RULE)):
            return None
        parts = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
        count = 0
        for part in parts:
            if isinstance(part, ast.Slice):
                if not all(b is None or self.is_int(b) for b in (part.lower, part.upper,
                                                                 part.step)):
                    return None
            elif self.is_int(part):
                count += 1
            else:
                return None
        return count

    def is_int(self, node: ast.expr) -> bool:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            node = node.operand
        if isinstance(node, ast.Constant):
            return type(node.value) is int
        return isinstance(node, ast.Name) and node.id in self.ints


def _mentions(chain: tuple) -> frozenset:
    out: set[str] = set()
    for op, node in chain:
        if op == "index":
            out |= names_loaded(node)
        elif op == "reshape":
            args = node.args if anno.get(node, anno.METHOD) == "reshape" else node.args[1:]
            for a in args:
                out |= names_loaded(a)
    return frozenset(out)


def plan_writes(body: list[ast.stmt], params: list[str], ints: set[str]) -> dict:
    """Each in-place statement's :class:`Plan` (``None``: left as it is), by ``id``."""
    stored = set().union(*(names_stored(s) for s in walk_stmts(body)))
    walk = _Walk([p for p in params if p not in stored], ints)  # (an argument as passed)
    walk.block(body, _State())
    return walk.plans


def rewrite_alias_writes(body: list[ast.stmt], params: list[str], ints: set[str],
                         namer) -> tuple[list[ast.stmt], dict, bool] | None:
    """``body`` with every write through a known alias or view made a write into its owner
    (module docstring), the requirements ``{(param, ndim): INPLACE annotation}``, and
    whether a call may as well pass a parameter with fewer axes than required (then
    Python rebinds instead: code that serves such calls today is better kept); ``None``
    when there is nothing to rewrite."""
    plans = plan_writes(body, params, ints)
    if not any(p is not None for p in plans.values()):
        return None
    requirements: dict[Requirement, tuple] = {}
    indexed = {n.value.id for s in body for n in ast.walk(s) if isinstance(n, ast.Subscript)
               and isinstance(n.value, ast.Name) and not isinstance(s, (ast.If, ast.For,
                                                                        ast.While))}
    needed = {r for p in plans.values() if p is not None for r in p.requires}
    # a parameter that must have an axis (arithmetic of it made the array) or two (an
    # integer index of it views a row): a call may as well pass fewer, unless Python
    # indexes it at the top level anyway (then a number fails there too)
    number_too = any(k >= 2 or k == 1 and p not in indexed for p, k in needed)
    return _Rewriter(plans, namer, requirements).block(body), requirements, number_too


class _Rewriter:
    def __init__(self, plans: dict, namer, requirements: dict) -> None:
        self.plans, self.namer, self.requirements = plans, namer, requirements

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, (ast.If, ast.For, ast.While)):
                stmt.body = self.block(stmt.body)
                stmt.orelse = self.block(stmt.orelse)
                out.append(stmt)
                continue
            plan = self.plans.get(id(stmt))
            if plan is None:
                out.append(stmt)
                continue
            inplace = anno.get(stmt, anno.INPLACE)
            for req in sorted(plan.requires):
                self.requirements.setdefault(req, inplace)
            made = self.write(stmt, plan) if isinstance(stmt.targets[0], ast.Name) else [stmt]
            for name, rel in sorted(plan.others.items()):
                made.append(ast.Assign([ast.Name(name, ast.Store())],
                                       _applied(rel.chain, plan.base)))
            for new in made[1:] if made[0] is stmt else made:
                _like(new, stmt)
            out += made
        return out

    def write(self, stmt: ast.Assign, plan: Plan) -> list[ast.stmt]:
        """``z_1 = z op e`` -> ``t = z op e; B[idx] = inverse(t); z_1 = chain(B)``."""
        target = stmt.targets[0].id
        inplace = anno.get(stmt, anno.INPLACE)
        made: list[ast.stmt] = []
        temp = self.namer.fresh(target.rstrip("0123456789_") or "t")
        made.append(ast.Assign([ast.Name(temp, ast.Store())], stmt.value))
        index: ast.expr = ast.Constant(Ellipsis)
        value = ast.Name(temp, ast.Load())
        if plan.chain:
            op, node = plan.chain[0]
            if op == "index":
                index = copy.deepcopy(node)
            elif op == "T":
                flipped = self.namer.fresh(f"{temp}_T")
                made.append(ast.Assign([ast.Name(flipped, ast.Store())],
                                       ast.Attribute(value, "T", ast.Load())))
                value = ast.Name(flipped, ast.Load())
            else:  # reshape: back to the owner's shape
                shape = self.namer.fresh("shape")
                made.append(ast.Assign([ast.Name(shape, ast.Store())],
                                       ast.Attribute(ast.Name(plan.base, ast.Load()), "shape",
                                                     ast.Load())))
                back = ast.Call(ast.Attribute(value, "reshape", ast.Load()),
                                [ast.Name(shape, ast.Load())], [])
                anno.set(back, anno.CALLEE, None)
                anno.set(back, anno.METHOD, "reshape")
                anno.set(back, anno.NODE, anno.get(node, anno.NODE, None) or node)
                flat = self.namer.fresh(f"{temp}_reshaped")
                made.append(ast.Assign([ast.Name(flat, ast.Store())], back))
                value = ast.Name(flat, ast.Load())
        write = ast.Assign([ast.Subscript(ast.Name(plan.base, ast.Load()), index, ast.Store())],
                           value)
        anno.set(write, anno.INPLACE, (inplace[0], inplace[1], plan.base))
        made.append(write)
        made.append(ast.Assign([ast.Name(target, ast.Store())], _applied(plan.chain, plan.base)))
        return made


def _applied(chain: tuple, base: str) -> ast.expr:
    """``chain`` applied to the name ``base`` again (a copy of the expression that made it)."""
    name = ast.Name(base, ast.Load())
    if not chain:
        return name
    op, node = chain[0]
    if op == "index":
        return ast.Subscript(name, copy.deepcopy(node), ast.Load())
    if op == "T":
        return ast.Attribute(name, "T", ast.Load())
    call = copy.deepcopy(node)
    if anno.get(call, anno.METHOD) == "reshape":
        call.func.value = name
    else:
        call.args[0] = name
    return call


def _like(new: ast.stmt, old: ast.stmt) -> None:
    """Give a statement the rewrite made the place and line of the user's statement."""
    for key in (anno.LINE, anno.NOGRAD):
        if anno.has(old, key):
            anno.set(new, key, anno.get(old, key))
    for node in ast.walk(new):
        if hasattr(node, "lineno") or isinstance(node, (ast.expr, ast.stmt)):
            ast.copy_location(node, old)
