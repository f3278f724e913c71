"""Pass 6b, lower: spell the optimized backward sweep the way a fast hand-writer would.

After :func:`lower`, with shapes known statically:

* reductions of backward values are method calls (``g.sum(axis=0)`` rather
  than ``np.sum(g, axis=0)``: the function form costs a microsecond more);
* ``np.expand_dims(g, k)`` of a backward array is the view ``g[:, None]``;
* ``b = b + e`` is ``b += e`` (``b = b - e`` is ``b -= e``) when ``b`` holds
  a float array that this code allocated and nothing else refers to (so the
  update cannot be seen through an alias), saving an allocation per
  accumulation; ``b = a`` hands such an array on when ``a`` is read nowhere
  else;
* ``np.sum(a * b)`` of two vectors of one known shape (one of them a backward
  array) is the dot product ``a @ b``, also inside loops;
* the forward sweep's temporaries read once are folded back into their
  readers (``refold.py``);
* an adjoint built as a polynomial in one name is evaluated in Horner form, in
  place (``horner.py``);
* ``b = np.zeros_like(x); b[i] += c`` (``c`` a number) is ``b[i] = c``;
* a backward negation that reaches an addition through products and
  quotients is absorbed there (``a + -n`` as ``a - n``, ``signs.py``);
* a reduction of the forward sweep whose operand is certainly an ndarray is
  a method call too (``logits.max(axis=1, keepdims=True)``).

Each rewrite gives the same values (a dot product sums in another order: equal
up to rounding); the reductions are the only forward statements respelled.
"""

from __future__ import annotations

import ast
from collections.abc import Container

import numpy as np

from .. import rules
from . import anno
from .astutil import (
    name_nodes,
    names_loaded,
    names_mentioned,
    names_written_into,
    walk,
    walk_stmts,
)
from .env import Env
from .horner import horner
from .program import Program
from .refold import refold
from .signs import sink_negations

REDUCTIONS = {id(np.sum): "sum", id(np.mean): "mean", id(np.max): "max", id(np.amax): "max",
              id(np.min): "min", id(np.amin): "min", id(np.prod): "prod"}
LINEAR_REDUCTIONS = {"sum", "mean"}
_NOT_FLOAT_UFUNCS = {"absolute", "negative", "positive", "maximum", "minimum", "where", "clip",
                     "remainder", "copy", "reshape"}


class _Lower:
    """The spellings of one body, and the facts they depend on: which names are assigned
    once (or are adjoints, which keep their primal's shape however often assigned), which
    the backward sweep assigns, their exact and trusted shapes, how often each is read."""

    def __init__(self, body: list[ast.stmt], env: Env, exact: dict[str, tuple[int, ...]],
                 adjoints: set[str], trusted: dict[str, tuple[int, ...]],
                 names: _Names | None = None) -> None:
        names = names or _Names(body)
        self.grad_names = names.grad_names
        self.part_uses, stores, mentioned = names.loads, names.stores, names.mentioned
        self.once = {n for n, c in stores.items() if c == 1} | set(adjoints)
        self.env = env
        self.exact = exact
        self.ranks = {n: len(shape) for n, shape in exact.items()}
        self.trusted = trusted
        self.handed_on: list[tuple[ast.Assign, ast.Assign, ast.AugAssign]] = []
        self.ndarrays = _ndarrays(body, env, exact, self.once)
        # helpers that return their argument or a new array (unbroadcast)
        self.passthrough = frozenset(name for name in mentioned
                                     if env.resolve(ast.Name(name, ast.Load()))
                                     is rules.unbroadcast)

    def array_rank(self, node: ast.expr) -> int | None:
        """The rank of a backward value known to be an ndarray, else None."""
        if isinstance(node, ast.Name) and node.id in self.grad_names and node.id in self.once:
            shape = self.exact.get(node.id)
            if shape is not None and len(shape) >= 1:
                return len(shape)
        return None

    def spell(self, stmts: list[ast.stmt]) -> None:
        """Respell the expressions of the backward statements of ``stmts`` (nested too),
        and the reductions of the forward statements whose operand is an ndarray."""
        for stmt in stmts:
            if anno.get(stmt, anno.GRAD, False):
                for field_name, old in ast.iter_fields(stmt):
                    if isinstance(old, ast.expr) and field_name not in ("targets", "target"):
                        setattr(stmt, field_name, self.expr(old))
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                stmt.value = self.forward_reduction(stmt.value)
            for field_name in ("body", "orelse"):
                self.spell(getattr(stmt, field_name, None) or [])

    def expr(self, node: ast.expr) -> ast.expr:
        """``node`` respelled bottom-up: reductions as methods, ``expand_dims`` as an index,
        ``np.sum(a * b)`` of vectors as ``a @ b``."""
        for field_name, old in ast.iter_fields(node):
            if isinstance(old, ast.expr):
                setattr(node, field_name, self.expr(old))
            elif isinstance(old, list):
                setattr(node, field_name, [self.expr(e) if isinstance(e, ast.expr) else e
                                           for e in old])
        if isinstance(node, ast.Call) and node.args:
            fn = self.env.resolve(node.func)
            method = REDUCTIONS.get(id(fn))
            first = node.args[0]
            if method == "sum" and len(node.args) == 1 and not node.keywords:
                dot = self.dot_product(first)
                if dot is not None:
                    return dot
            if method is not None:
                negated = isinstance(first, ast.UnaryOp) and isinstance(first.op, ast.USub) \
                    and method in LINEAR_REDUCTIONS
                receiver = first.operand if negated else first
                if self.array_rank(receiver) is not None:
                    call = ast.Call(ast.Attribute(receiver, method, ast.Load()), node.args[1:],
                                    node.keywords)
                    return ast.UnaryOp(ast.USub(), call) if negated else call
            if fn is np.expand_dims and len(node.args) == 2 and not node.keywords:
                rank = self.array_rank(first)
                axis = node.args[1]
                if rank is not None and isinstance(axis, ast.Constant):
                    axes = axis.value if isinstance(axis.value, tuple) else (axis.value,)
                    if all(isinstance(a, int) for a in axes):
                        out_rank = rank + len(axes)
                        axes = sorted(a % out_rank for a in axes)
                        parts: list[ast.expr] = []
                        for i in range(out_rank):
                            parts.append(ast.Constant(None) if i in axes else ast.Slice())
                        while parts and isinstance(parts[-1], ast.Slice):
                            parts.pop()
                        index = parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())
                        return ast.Subscript(first, index, ast.Load())
        return node

    def forward_reduction(self, call: ast.Call) -> ast.expr:
        """``np.sum(a, ...)`` of the forward sweep as ``a.sum(...)`` where ``a`` is an
        ndarray (a microsecond less); anything else as it is."""
        method = REDUCTIONS.get(id(self.env.resolve(call.func)))
        if method is None or not call.args:
            return call
        first = call.args[0]
        if not (isinstance(first, ast.Name) and first.id in self.ndarrays):
            return call
        return ast.Call(ast.Attribute(first, method, ast.Load()), call.args[1:], call.keywords)

    def dot_product(self, node: ast.expr) -> ast.expr | None:
        """``a @ b`` for the sum of ``a * b``, vectors of one known shape (one product)."""
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)
                and isinstance(node.left, ast.Name) and isinstance(node.right, ast.Name)):
            return None
        a, b = node.left.id, node.right.id
        shape = self.trusted.get(a)
        if shape is None or len(shape) != 1 or self.trusted.get(b) != shape:
            return None
        if not (self.array_rank(node.left) or self.array_rank(node.right)):
            return None  # (one of them a backward array: floating point, not booleans)
        return ast.BinOp(node.left, ast.MatMult(), node.right)

    # -- in-place accumulation ------------------------------------------------------
    def fresh(self, node: ast.expr) -> bool:
        """True when evaluating ``node`` allocates a new array (no view of another)."""
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            return True
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "sum", "mean", "max", "min", "prod") and self.env.resolve(node.func) is None:
                return True
            fn = self.env.resolve(node.func)
            return isinstance(fn, np.ufunc) or any(fn is f for f in (
                np.outer, np.zeros_like, np.full_like, np.sum, np.mean, np.where))
        return False

    def float_valued(self, node: ast.expr, floats: set[str]) -> bool:
        """True when ``node`` is certainly floating point (so ``+=`` cannot fail to cast)."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, float)
        if isinstance(node, ast.Name):
            return node.id in floats
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return True
            return self.float_valued(node.left, floats) or self.float_valued(node.right, floats)
        if isinstance(node, ast.UnaryOp):
            return self.float_valued(node.operand, floats)
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and self.env.resolve(node.func) is None:
                return self.float_valued(node.func.value, floats)
            fn = self.env.resolve(node.func)
            rule = rules.lookup(fn) if fn is not None else None
            if isinstance(fn, np.ufunc) and rule is not None and rule.elementwise \
                    and rule.name not in _NOT_FLOAT_UFUNCS:
                return True
            return any(self.float_valued(a, floats) for a in node.args)
        return False

    def accumulate_in_place(self, body: list[ast.stmt], owned: set[str] | None = None,
                            floats: set[str] | None = None) -> list[ast.stmt]:
        """Rewrite ``b = b + e`` as ``b += e`` (and scatters as ``b[i] += v``) where safe.

        ``owned``: float arrays this code allocated that nothing else refers to;
        ``floats``: names certainly holding floating-point values (both updated).  The
        function's own body (``owned`` not given) also reuses dead operands
        (:meth:`reuse_dead_operand`).
        """
        top = owned is None
        owned = set() if owned is None else owned
        floats = set() if floats is None else floats
        later = _LoadsAfter(body) if top else None
        out: list[ast.stmt] = []
        i = 0
        while i < len(body):
            stmt = body[i]
            scatter = self.scatter(body, i, owned)
            if scatter is not None:
                out.append(scatter)
                i += 3
                continue
            i += 1
            if isinstance(stmt, (ast.For, ast.While)):
                out.extend(self.loop_in_place(stmt, owned, floats))
            elif isinstance(stmt, ast.If):
                for n in _aliasing_loads(stmt.test, self.ranks, self.passthrough):
                    owned.discard(n)
                a, b = set(owned), set(owned)
                stmt.body = self.accumulate_in_place(stmt.body, a, set(floats))
                stmt.orelse = self.accumulate_in_place(stmt.orelse, b, set(floats))
                owned.intersection_update(a & b)
                out.append(stmt)
            elif not isinstance(stmt, ast.Assign) or not isinstance(stmt.targets[0], ast.Name):
                root = stmt.targets[0].value if isinstance(stmt, ast.Assign) and isinstance(
                    stmt.targets[0], ast.Subscript) else None
                for n in _aliasing_loads(stmt, self.ranks, self.passthrough):
                    if root is None or n != getattr(root, "id", None):
                        owned.discard(n)
                out.append(stmt)
            else:
                reused = None if later is None else self.reuse_dead_operand(
                    stmt, owned, floats, later.after(i - 1))  # (i is past stmt already)
                if reused is not None:
                    out.extend(reused)
                    continue
                new = self.assignment_in_place(stmt, owned, floats)
                if new is not None:
                    out.append(new)
        return out

    def reuse_dead_operand(self, stmt: ast.Assign, owned: set[str], floats: set[str],
                           read_later: Container[str]) -> list[ast.stmt] | None:
        """``t = a - e`` as ``t = a; t -= e`` (also ``+``, ``*``, ``/``; ``e + a`` and
        ``e * a`` too) when ``a`` is an owned float array read nowhere after, of ``t``'s
        exact shape (so ``e`` broadcasts into it), and ``e`` does not read ``a`` or
        ``t``: the array ``a`` no one will read again becomes ``t`` (an allocation
        saved, as a hand-writer would); else None."""
        value = stmt.value
        target = stmt.targets[0].id
        if not (anno.get(stmt, anno.GRAD, False) and isinstance(value, ast.BinOp)
                and isinstance(value.op, (ast.Add, ast.Sub, ast.Mult, ast.Div))
                and target in self.once):
            return None
        sides = [(value.left, value.right)]
        if isinstance(value.op, (ast.Add, ast.Mult)):  # (exactly commutative)
            sides.append((value.right, value.left))
        for dead, other in sides:
            if not (isinstance(dead, ast.Name) and dead.id in owned and dead.id in floats
                    and dead.id != target and dead.id not in read_later):
                continue
            shape = self.exact.get(target)
            if shape is None or self.exact.get(dead.id) != shape \
                    or {dead.id, target} & names_mentioned(other):
                continue
            hand_on = ast.Assign([ast.Name(target, ast.Store())], ast.Name(dead.id, ast.Load()))
            update = ast.AugAssign(ast.Name(target, ast.Store()), type(value.op)(), other)
            anno.copy_all(stmt, update)  # (its origin: where a refusal inside is located)
            self.handed_on.append((stmt, hand_on, update))
            anno.set(hand_on, anno.LINE, anno.get(stmt, anno.LINE))
            anno.set(hand_on, anno.GRAD, True)
            owned.discard(dead.id)
            for n in _aliasing_loads(update, self.ranks, self.passthrough):
                owned.discard(n)
            owned.add(target)
            floats.add(target)
            return [hand_on, update]
        return None

    def loop_in_place(self, stmt: ast.For | ast.While, owned: set[str],
                      floats: set[str]) -> list[ast.stmt]:
        """A loop: copies its body makes to own an array hoisted before it where they can
        be; inside, only what the loop neither aliases nor reassigns stays owned."""
        out: list[ast.stmt] = []
        kept = _aliasing_loads(stmt, self.ranks, self.passthrough) | _plain_assigned(stmt)
        for copied in _own_copies(stmt.body):
            if copied not in owned and copied not in kept:
                # copy once before the loop rather than in every iteration
                hoisted = ast.Assign([ast.Name(copied, ast.Store())], ast.Call(
                    ast.Attribute(ast.Name(copied, ast.Load()), "copy", ast.Load()),
                    [], []))
                anno.set(hoisted, anno.LINE, anno.get(stmt, anno.LINE))
                anno.set(hoisted, anno.GRAD, True)
                out.append(hoisted)
                owned.add(copied)
                floats.add(copied)
        inside = owned - kept
        stmt.body = self.accumulate_in_place(stmt.body, set(inside), set(floats))
        owned.intersection_update(inside)
        out.append(stmt)
        return out

    def assignment_in_place(self, stmt: ast.Assign, owned: set[str],
                            floats: set[str]) -> ast.stmt | None:
        """``name = value`` as it stays, becomes ``name += e``, or ``None`` (an own copy of
        an array already owned)."""
        target = stmt.targets[0].id
        value = stmt.value
        grad = anno.get(stmt, anno.GRAD, False)
        if anno.get(stmt, anno.OWN_COPY, False):
            if target in owned:
                return None  # already an array of its own: write into it directly
            owned.add(target)
            floats.add(target)
            return stmt
        if (grad and isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))
                and isinstance(value.left, ast.Name)
                and value.left.id == target and target in owned
                and target not in names_mentioned(value.right)):
            aug = ast.AugAssign(ast.Name(target, ast.Store()), type(value.op)(), value.right)
            anno.set(aug, anno.LINE, anno.get(stmt, anno.LINE))
            anno.set(aug, anno.GRAD, True)
            for n in _aliasing_loads(aug, self.ranks, self.passthrough):
                owned.discard(n)
            return aug
        if (grad and isinstance(value, ast.Name) and value.id in owned and value.id != target
                and self.part_uses.get(value.id) == 1):
            # b = a where a is an array of this code's own and read nowhere else:
            # b takes it over (nothing can see a write into it through a)
            owned.discard(value.id)
            owned.add(target)
            if value.id in floats:
                floats.add(target)
            else:
                floats.discard(target)
            return stmt
        for n in _aliasing_loads(stmt, self.ranks, self.passthrough):
            owned.discard(n)
        zeros = isinstance(value, ast.Call) and self.env.resolve(value.func) is np.zeros_like
        if self.float_valued(value, floats) or anno.get(stmt, anno.ZERO, False) or (
                zeros and grad):
            # (an adjoint's zero start: adjoints are of floating-point values)
            floats.add(target)
        else:
            floats.discard(target)
        if grad and self.fresh(value) and target in floats:
            owned.add(target)
        else:
            owned.discard(target)
        return stmt

    def scatter(self, body: list[ast.stmt], i: int, owned: set[str]) -> ast.stmt | None:
        """``p = zeros_like(x); p[k] = v; b = b + p`` as ``b[k] += v`` (``b`` owned)."""
        if i + 2 >= len(body):
            return None
        first, second, third = body[i:i + 3]
        if not (isinstance(first, ast.Assign) and isinstance(first.targets[0], ast.Name)
                and isinstance(first.value, ast.Call)
                and self.env.resolve(first.value.func) is np.zeros_like):
            return None
        part = first.targets[0].id
        if not (isinstance(third, ast.Assign) and isinstance(third.targets[0], ast.Name)
                and isinstance(third.value, ast.BinOp) and isinstance(third.value.op, ast.Add)
                and isinstance(third.value.left, ast.Name)
                and third.value.left.id == third.targets[0].id
                and isinstance(third.value.right, ast.Name) and third.value.right.id == part
                and third.targets[0].id in owned):
            return None
        total = third.targets[0].id
        if self.part_uses.get(part, 0) != 2:
            return None
        if isinstance(second, ast.Assign) and isinstance(second.targets[0], ast.Subscript) \
                and isinstance(second.targets[0].value, ast.Name) \
                and second.targets[0].value.id == part:
            target = ast.Subscript(ast.Name(total, ast.Load()), second.targets[0].slice,
                                   ast.Store())
            new: ast.stmt = ast.AugAssign(target, ast.Add(), second.value)
        elif isinstance(second, ast.Expr) and isinstance(second.value, ast.Call) \
                and self.env.resolve(second.value.func) is np.add.at \
                and isinstance(second.value.args[0], ast.Name) \
                and second.value.args[0].id == part:
            call = second.value
            call.args[0] = ast.Name(total, ast.Load())
            new = ast.Expr(call)
        else:
            return None
        anno.set(new, anno.LINE, anno.get(third, anno.LINE))
        anno.set(new, anno.GRAD, True)
        return new


class _Names:
    """Of a body, in one walk: the names its backward statements assign, every name's
    loads and stores, and the names mentioned at all."""

    def __init__(self, body: list[ast.stmt]) -> None:
        self.grad_names: set[str] = set()
        self.loads: dict[str, int] = {}
        self.stores: dict[str, int] = {}
        self.mentioned: set[str] = set()
        loads, stores, mentioned = self.loads, self.stores, self.mentioned
        for stmt in body:
            grad = anno.get(stmt, anno.GRAD, False)
            for n in name_nodes(stmt):
                name, ctx = n.id, n.ctx.__class__
                mentioned.add(name)
                if ctx is ast.Load:
                    loads[name] = loads.get(name, 0) + 1
                elif ctx is ast.Store:
                    stores[name] = stores.get(name, 0) + 1
                    if grad:
                        self.grad_names.add(name)


def _ndarrays(body: list[ast.stmt], env: Env, exact: dict[str, tuple[int, ...]],
              once: set[str]) -> set[str]:
    """Forward names certainly holding an ndarray: assigned once, of rank 1 or more, by a
    NumPy ufunc or reduction, ``@``, or an operator one of whose operands is such a name
    (``a + b`` of two lists would join them)."""
    known: set[str] = set()
    for stmt in walk_stmts(body):
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
                and not anno.get(stmt, anno.GRAD, False)):
            continue
        name, value = stmt.targets[0].id, stmt.value
        if name not in once or len(exact.get(name) or ()) == 0:
            continue
        if _ndarray_valued(value, known, env):
            known.add(name)
    return known


def _ndarray_valued(value: ast.expr, known: set[str], env: Env) -> bool:
    """``value`` certainly makes an ndarray when its result has rank 1 or more: ``@``, a
    NumPy ufunc or reduction, or an operator with such an operand."""
    if isinstance(value, ast.Name):
        return value.id in known
    if isinstance(value, ast.BinOp):
        return isinstance(value.op, ast.MatMult) or _ndarray_valued(value.left, known, env) \
            or _ndarray_valued(value.right, known, env)
    if isinstance(value, ast.UnaryOp):
        return _ndarray_valued(value.operand, known, env)
    if isinstance(value, ast.Call) and all(k.arg in ("axis", "keepdims")
                                           for k in value.keywords):
        fn = env.resolve(value.func)
        return isinstance(fn, np.ufunc) or id(fn) in REDUCTIONS
    return False


def _keep_written_fresh(body: list[ast.stmt],
                        handed_on: list[tuple[ast.Assign, ast.Assign, ast.AugAssign]]
                        ) -> list[ast.stmt]:
    """``body`` with each ``t = a; t op= e`` of :meth:`_Lower.reuse_dead_operand` whose
    ``t`` or ``a`` is written into by element (``t[i] += v``) back as ``t = a op e``: an
    array written by element is one that every assignment makes anew and no other name
    holds, so generated code read again (``sx.hessian``) has its writes followed
    (``aliases.writable_arrays``)."""
    written = names_written_into(body)
    undo = {id(hand_on): stmt for stmt, hand_on, _ in handed_on
            if stmt.targets[0].id in written or hand_on.value.id in written}
    if not undo:
        return body
    updates = {id(update) for stmt, hand_on, update in handed_on if id(hand_on) in undo}
    out = []
    for stmt in body:
        if id(stmt) in updates:
            continue
        out.append(undo.get(id(stmt), stmt))
    return out


class _LoadsAfter:
    """Per statement of a body, the names the statements after it read: ``after(i)``
    contains a name when a statement past the ``i``-th reads it (from the index of the
    last statement reading each name, not a set per statement)."""

    def __init__(self, body: list[ast.stmt]) -> None:
        self.last: dict[str, int] = {}
        for i, stmt in enumerate(body):
            for name in names_loaded(stmt):
                self.last[name] = i

    def after(self, i: int) -> _ReadPast:
        return _ReadPast(self.last, i)


class _ReadPast:
    """The names read by a statement past the ``i``-th (``in`` only)."""

    def __init__(self, last: dict[str, int], i: int) -> None:
        self.last, self.i = last, i

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.last.get(name, -1) > self.i


def _own_copies(stmts: list[ast.stmt]) -> list[str]:
    """Names a block copies to own them (``b = b.copy()`` before an element write)."""
    return [n.targets[0].id for n in walk(ast.Module(stmts, []))
            if isinstance(n, ast.Assign) and anno.get(n, anno.OWN_COPY, False)]


def _plain_assigned(stmt: ast.stmt) -> set[str]:
    """Names a loop assigns with ``=`` (they may stop being owned arrays)."""
    return {t.id for n in walk(stmt) if isinstance(n, ast.Assign)
            and not anno.get(n, anno.OWN_COPY, False)
            for t in n.targets if isinstance(t, ast.Name)
            and not (isinstance(n.value, ast.BinOp) and isinstance(n.value.left, ast.Name)
                     and n.value.left.id == t.id)}


def _index_length(index: ast.expr) -> int:
    """How many dimensions an index addresses."""
    return len(index.elts) if isinstance(index, ast.Tuple) else 1


def _int_index(index: ast.expr) -> bool:
    """True for an index of ints only (literals or names known to hold ints)."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return all(isinstance(p, ast.Constant) and isinstance(p.value, int)
               and not isinstance(p.value, bool) or anno.get(p, anno.INT, False)
               for p in parts)


def _children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes(node)`` as a list, in its order, made without generators."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif value.__class__ is list:
            found += [item for item in value if isinstance(item, ast.AST)]
    return found


#: Nodes whose value only feeds an operator (``b + g[t]`` keeps no reference to ``g``).
_OPERAND_PARENTS = frozenset({ast.BinOp, ast.UnaryOp, ast.Compare, ast.AugAssign})
#: Attributes read without keeping a reference to the array (``a.sum``, ``a.shape``).
_NO_REFERENCE_ATTRIBUTES = frozenset({"sum", "mean", "max", "min", "prod", "copy", "shape",
                                      "ndim", "size"})


def _aliasing_loads(node: ast.AST, ranks: dict[str, int] | None = None,
                    passthrough: frozenset[str] = frozenset()) -> set[str]:
    """Names read in a way that may keep a reference to their array (not as an operand).

    A name read through a view that only feeds an operand (``b + g[t]``, also via a
    ``passthrough`` helper such as ``unbroadcast(g[t], h)``, which returns its
    argument or a new array) keeps no reference: the operator makes a new array.
    """
    found: set[str] = set()
    _visit_aliasing(node, False, found, ranks, passthrough)
    return found


def _visit_aliasing(parent: ast.AST, operand: bool, found: set[str],
                    ranks: dict[str, int] | None, passthrough: frozenset[str]) -> None:
    """Add to ``found`` the names under ``parent`` read in a way that may keep a reference
    (``operand``: ``parent`` only feeds an operator).  (A function of its own, not a
    closure: a closure calling itself is a cycle each call would leave to the collector.)"""
    Name = ast.Name
    cls = parent.__class__
    child_operand = cls in _OPERAND_PARENTS
    view = parent.value if cls is ast.Subscript else None  # (its view kept or not)
    passed = parent.args[0] if cls is ast.Call and parent.func.__class__ is Name \
        and parent.func.id in passthrough and parent.args else None
    for child in _children(parent):
        if child is view:
            # a view is kept exactly when the subscript is; a write keeps none
            here = operand or parent.ctx.__class__ is ast.Store
        elif child is passed:
            here = operand
        else:
            here = child_operand
        if child.__class__ is Name:
            if child.ctx.__class__ is not ast.Load or here:
                continue  # (a name has no node below it to visit)
            if child is view and _int_index(parent.slice) and ranks is not None \
                    and ranks.get(child.id) == _index_length(parent.slice):
                continue  # reading one element (every dimension indexed) copies it
            if cls is ast.Attribute and parent.attr in _NO_REFERENCE_ATTRIBUTES:
                continue
            found.add(child.id)
        elif child._fields:  # (contexts and operators: nothing below them)
            _visit_aliasing(child, here, found, ranks, passthrough)


def lower(program: Program) -> Program:
    """Apply the fast spellings described in the module docstring.

    Reads ``body``, ``env``, ``exact_patterns``, ``derivative_of`` and ``trusted_patterns``;
    sets ``body``.
    """
    keep = names_mentioned(program.parsed.node) if program.parsed.node is not None else set()
    program.body = lower_body(program.body, program.env, program.exact_patterns,
                              set(program.derivative_of), program.trusted_patterns, keep)
    return program


def lower_body(body: list[ast.stmt], env: Env, exact: dict[str, tuple[int, ...]],
               adjoints: set[str] = frozenset(),
               trusted: dict[str, tuple[int, ...]] | None = None,
               keep: set[str] | None = None) -> list[ast.stmt]:
    """:func:`lower` of a body, given exact and trusted shapes and the adjoints' names
    (``keep``: the user's own names, never folded away; ``None``: fold nothing)."""
    if keep is not None:
        refold(body, env, keep)
    horner(body)
    names = _Names(body)  # (sink_negations changes no name: they hold after it too)
    sink_negations(body, set(adjoints), env, (names.loads, names.stores))
    low = _Lower(body, env, exact, set(adjoints), trusted or {}, names)
    low.spell(body)
    body = low.accumulate_in_place(body)
    body = _keep_written_fresh(body, low.handed_on)
    _set_into_zeros(body, env, set(adjoints))
    return body


def _set_into_zeros(block: list[ast.stmt], env: Env, adjoints: set[str]) -> None:
    """``b = np.zeros_like(x)`` then ``b[i] += c`` (``c`` a number, ``b`` an adjoint: of
    floating point) as ``b[i] = c``: the elements are zeros, so adding is writing (one
    fancy-index pass instead of two)."""
    for i, (first, second) in enumerate(zip(block, block[1:])):
        if isinstance(first, ast.Assign) and len(first.targets) == 1 \
                and isinstance(first.targets[0], ast.Name) and first.targets[0].id in adjoints \
                and isinstance(first.value, ast.Call) \
                and env.resolve(first.value.func) is np.zeros_like \
                and isinstance(second, ast.AugAssign) and isinstance(second.op, ast.Add) \
                and anno.get(second, anno.GRAD, False) \
                and isinstance(second.target, ast.Subscript) \
                and isinstance(second.target.value, ast.Name) \
                and second.target.value.id == first.targets[0].id \
                and isinstance(second.value, ast.Constant) \
                and type(second.value.value) in (int, float) \
                and not any(isinstance(n, ast.Name) and n.id == first.targets[0].id
                            for n in walk(second.target.slice)):
            new = ast.Assign([second.target], second.value)
            anno.set(new, anno.LINE, anno.get(second, anno.LINE))
            anno.set(new, anno.GRAD, True)
            block[i + 1] = new
    for stmt in block:
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                _set_into_zeros(inner, env, adjoints)
