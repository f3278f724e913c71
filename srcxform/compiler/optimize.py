"""Pass 6, optimize: simplify the generated body until nothing changes.

After :func:`optimize`:

* constants and copies are propagated and constant expressions folded
  (including ``np.ndim``/``np.size``/``np.shape`` of constants and of values
  known to be scalars, ``is None`` tests, ``if`` on constants);
* algebraic identities are applied (``e * 1``, ``e ** 1``, ``e + 0``, ``--e``,
  ``a + e * -c`` as ``a - e * c``), and a negation ``t = -u`` read once moves
  into its reader (where ``-u * c`` becomes ``u * -c``), never into a loop;
* with argument shapes known, ``np.split(g, indices, axis)`` whose indices
  follow from shapes alone (the adjoint of ``np.concatenate``) has its pieces
  read as basic slices of ``g`` (``bseq[1]`` is ``bext[1:33]``); tuples whose
  every assignment in a loop holds arrays of the same shapes keep those shapes
  where their saved values come back;
* a broadcast scalar ``np.broadcast_to(s, np.shape(v))`` combined with an
  array of ``v``'s shape is replaced by ``s`` itself, and ``unbroadcast(e, v)``
  / ``np.broadcast_to(e, np.shape(v))`` disappear when ``e`` provably has
  ``v``'s shape (shape classes: elementwise results share their operands'
  class, an adjoint shares its primal's);
* every statement whose value is unused and whose evaluation has no effect
  is removed.

Every rewrite preserves the value and shape of every live name.  The result
then goes through the defer pass (outer products of backward loops batched,
``defer.py``) and the lower pass (``lower.py``).
"""

from __future__ import annotations

import ast
import copy
import itertools
import math
import operator
from typing import Any

import numpy as np

from .. import rules
from ..rules import unbroadcast
from ..rules.shaping import split_points
from .defer import defer_outer_products
from .env import Env
from .lower import lower
from .ranks import rank_of_primitive
from .shapes import _NOT_CONSTANT, PRODUCTS, constant_value, dummy, product_shape, run_for_shape
from .support import scalar_seed

SCALAR = "<scalar>"
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
        ast.FloorDiv: operator.floordiv}
_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
        ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
        ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
        ast.NotIn: lambda a, b: a not in b}
_ELEMENTWISE_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod)
_PURE_EXTRA = {id(np.broadcast_to), id(np.expand_dims), id(np.moveaxis), id(np.split),
               id(np.cumsum), id(np.tensordot), id(np.swapaxes), id(np.zeros_like),
               id(np.full_like), id(unbroadcast), id(slice), id(tuple), id(list),
               id(np.multiply.outer), id(np.outer)}
_MUTATORS = {id(np.add.at)}
_SCALAR_VALUED = (np.size, np.ndim, len, float, int)
#: NumPy ufuncs whose ``math`` twin is total on floats (no overflow or domain error).
_SCALAR_MATH = {id(np.cos): "cos", id(np.sin): "sin", id(np.tanh): "tanh",
                id(np.arctan): "atan"}


def _literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, (int, float, complex, str, bool, tuple)))


def _number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


def _is(node: ast.AST, value: float) -> bool:
    return _number(node) and node.value == value


class _Shapes:
    """Union-find over shape classes: names with provably identical shapes."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {SCALAR: SCALAR}
        self.of: dict[str, str] = {}
        self.rank: dict[str, int] = {SCALAR: 0}
        self.counter = itertools.count()

    def find(self, c: str) -> str:
        while self.parent[c] != c:
            self.parent[c] = self.parent[self.parent[c]]
            c = self.parent[c]
        return c

    def new(self, rank: int | None = None) -> str:
        if rank == 0:
            return SCALAR
        c = f"c{next(self.counter)}"
        self.parent[c] = c
        if rank is not None:
            self.rank[c] = rank
        return c

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if rb == SCALAR:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if ra not in self.rank and rb in self.rank:
            self.rank[ra] = self.rank[rb]
        return ra

    def exact(self, shape: tuple[int, ...]) -> str:
        """The class of all values of exactly this shape."""
        if shape == ():
            return SCALAR
        key = f"s{shape}"
        if key not in self.parent:
            self.parent[key] = key
            self.rank[key] = len(shape)
        return key

    def name(self, n: str) -> str | None:
        c = self.of.get(n)
        return None if c is None else self.find(c)


class Optimizer:
    """Simplifies a generated function body."""

    def __init__(self, env: Env, adjoint_of: dict[str, str], params: list[str],
                 scalar_names: set[str], ranks: dict[str, int] | None = None,
                 shapes: dict[str, tuple[int, ...]] | None = None) -> None:
        self.env = env
        self.ranks = ranks or {}
        self.exact_in = shapes or {}
        self.overwritten: set[str] = set()
        self.restores = True  # overwritten values are restored by the backward sweep
        self.known_ints: set[str] = set()
        self.adjoint_of = adjoint_of
        self.params = params
        self.scalar_names = scalar_names
        self.load_counts: dict[str, int] = {}

    # -- driver --------------------------------------------------------------------
    def run(self, body: list[ast.stmt], live_out: set[str], max_rounds: int = 30) -> list[ast.stmt]:
        self.stable_exact: dict[str, tuple[int, ...]] = self.find_stable_shapes(body)
        before = None
        for _ in range(max_rounds):
            self.start_round()
            self.load_counts = _load_counts(body)
            body = self.propagate(body, {})
            body, _ = self.dce(body, set(live_out))
            text = "\n".join(ast.unparse(s) for s in body)
            if text == before:
                break
            before = text
        return body

    def start_round(self) -> None:
        self.rank_queries = 0
        self.always_defined: set[str] = set(self.params)
        self.assigned_shapes: dict[str, set] = {}
        self.shapes = _Shapes()
        self.exact = dict(self.exact_in)
        self.bool_names: set[str] = set()
        self.tuple_shapes: dict[str, list] = {}
        self.assigned_tuples: dict[str, set] = {}
        self.int_names: set[str] = set(self.known_ints)
        self.seed_of = {self.adjoint_of[p]: p for p in self.params if p in self.adjoint_of
                        and self.adjoint_of[p] not in self.params}
        for p in self.params:
            if p in self.exact:
                self.shapes.of[p] = self.shapes.exact(self.exact[p])
            else:
                self.shapes.of[p] = self.shapes.new(self.ranks.get(p))
        for n in self.scalar_names:
            self.shapes.of[n] = SCALAR

    def find_stable_shapes(self, body: list[ast.stmt]) -> dict[str, tuple[int, ...]]:
        """Shapes that names reassigned in loops keep at every assignment.

        Found on a copy of the code (nothing is rewritten on an assumption): first
        optimistically (unknown shapes ignored), then shrunk until, assuming these
        shapes where loops begin, every assignment gives exactly them.
        """
        self.stable_exact = {}
        self.stable_tuples: dict[str, list] = {}
        if not (self.exact_in and self.overwritten):
            return {}

        def observe() -> dict[str, set]:
            self.start_round()
            self.load_counts = _load_counts(body)
            self.propagate(copy.deepcopy(body), {})
            for n in self.overwritten & set(self.exact_in):  # a parameter's value counts
                self.assigned_shapes.setdefault(n, set()).add(self.exact_in[n])
            return self.assigned_shapes

        # grow: a name whose known assignments agree is assumed to keep that shape
        for _ in range(8):
            seen = observe()
            grown = {n: next(iter(v - {None})) for n, v in seen.items() if len(v - {None}) == 1}
            if grown == self.stable_exact:
                break
            self.stable_exact = grown
        # check: keep only names every assignment of which gives exactly the assumed shape,
        # assuming the others (shrinking until the assumption proves itself)
        for _ in range(12):
            seen = observe()
            kept = {n: v for n, v in self.stable_exact.items() if seen.get(n) == {v}}
            if kept == self.stable_exact:
                # tuples (of arrays) whose every assignment has the same element shapes
                self.stable_tuples = {n: list(next(iter(v)))
                                      for n, v in self.assigned_tuples.items()
                                      if len(v) == 1 and None not in v}
                return kept
            self.stable_exact = kept
        return {}

    # -- shapes ---------------------------------------------------------------------
    def shape_of(self, node: ast.expr) -> str | None:
        exact = self.exact_of(node)
        if exact is not None:
            return self.shapes.exact(exact)
        found = self._shape_of(node)
        if found is None and self.rank_of(node) == 0:
            return SCALAR
        return found

    def rank_of(self, node: ast.expr) -> int | None:
        """The static rank of ``node``'s value, or ``None``."""
        exact = self.exact_of(node)
        if exact is not None:
            return len(exact)
        sh = self.shapes
        if _number(node) or isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return 0
        if isinstance(node, ast.Name):
            c = sh.name(node.id)
            return None if c is None else sh.rank.get(c)
        if isinstance(node, ast.BinOp):
            ranks = [self.rank_of(node.left), self.rank_of(node.right)]
            name = "matmul" if isinstance(node.op, ast.MatMult) else ""
            return rank_of_primitive(name, not name, ranks, [node.left, node.right], {})
        if isinstance(node, ast.UnaryOp):
            return self.rank_of(node.operand)
        if isinstance(node, ast.Compare):
            ranks = [self.rank_of(e) for e in [node.left, *node.comparators]]
            return None if None in ranks else max(ranks)
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                return self.rank_of(node.value)
            if node.attr in ("ndim", "size"):
                return 0
            if node.attr == "shape":
                return 1  # a tuple, which NumPy treats as a vector
            return None
        if isinstance(node, ast.Subscript):
            return rank_of_primitive("getitem_basic", False, [self.rank_of(node.value)],
                                     [node.value, node.slice], {})
        if isinstance(node, ast.Call):
            bc = self.broadcast_parts(node)
            if bc is not None:
                c = self.like_class(bc[1])
                return None if c is None else self.shapes.rank.get(self.shapes.find(c))
            method = getattr(node, "_sx_method", None)
            if method is None and self.env.resolve(node.func) in _SCALAR_VALUED:
                return 0
            fn = None
            if method is not None:
                rule = rules.lookup_method(method)
                args = [node.func.value, *node.args]
            else:
                fn = self.env.resolve(node.func)
                if fn is unbroadcast and len(node.args) == 2:
                    return self.rank_of(node.args[1])
                rule = rules.lookup(fn) if fn is not None else None
                args = list(node.args)
            if rule is None:
                return None
            name = rule.name
            if name == "reshape" and method != "reshape" and fn is not np.reshape:
                name = ""  # np.expand_dims, np.squeeze, ... share reshape's rule, not its rank
            keywords = {k.arg: k.value for k in node.keywords}
            return rank_of_primitive(name, rule.elementwise,
                                     [self.rank_of(a) for a in args], args, keywords)
        return None

    def _shape_of(self, node: ast.expr) -> str | None:
        sh = self.shapes
        if _number(node):
            return SCALAR
        if isinstance(node, ast.Name):
            return sh.name(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ELEMENTWISE_OPS):
            return self.combine([self.shape_of(node.left), self.shape_of(node.right)])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.shape_of(node.operand)
        if isinstance(node, ast.Compare):
            return self.combine([self.shape_of(node.left)]
                                + [self.shape_of(c) for c in node.comparators])
        if isinstance(node, ast.Call):
            bc = self.broadcast_parts(node)
            if bc is not None:
                return self.like_class(bc[1])
            fn = self.env.resolve(node.func)
            if fn is unbroadcast and len(node.args) == 2:
                return self.shape_of(node.args[1])
            rule = rules.lookup(fn) if fn is not None else None
            if (rule is not None and rule.elementwise or fn is np.sign) and not node.keywords:
                return self.combine([self.shape_of(a) for a in node.args])
        return None

    def combine(self, classes: list[str | None]) -> str | None:
        if any(c is None for c in classes):
            return None
        found = {self.shapes.find(c) for c in classes} - {SCALAR}
        if not found:
            return SCALAR
        return found.pop() if len(found) == 1 else None

    def earliest_like(self, name: str) -> str:
        """The first-defined name (parameters first) known to have ``name``'s shape."""
        cls = self.shapes.name(name)
        if cls is None or cls == SCALAR:
            return name
        for other, c in self.shapes.of.items():
            if self.shapes.find(c) == cls and other not in self.adjoint_of \
                    and other in self.always_defined:
                return other
        return name

    def note_shape(self, name: str, value: ast.expr) -> None:
        """Record the exact shape this assignment gives ``name`` (``None``: unknown)."""
        if name in self.overwritten:
            self.assigned_shapes.setdefault(name, set()).add(self.exact_of(value))

    def maybe_bool(self, node: ast.expr) -> bool:
        """True when ``node`` may be a boolean (or integer) array, e.g. a mask."""
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            return True
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, (ast.Not, ast.Invert)) or self.maybe_bool(node.operand)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.BitAnd, ast.BitOr, ast.BitXor)):
                return True
            if isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)):
                return self.maybe_bool(node.left) and self.maybe_bool(node.right)
            return False
        if isinstance(node, ast.Name):
            return node.id in self.bool_names
        if isinstance(node, ast.Call):
            fn = self.env.resolve(node.func)
            return fn is not None and rules.is_nondifferentiable(fn)
        return False

    def same_shape(self, a: ast.expr, b: ast.expr) -> bool:
        sa, sb = self.shape_of(a), self.shape_of(b)
        return sa is not None and sb is not None and \
            self.shapes.find(sa) == self.shapes.find(sb)

    def like_class(self, like: ast.expr) -> str | None:
        """The shape class named by a broadcast target: a value, or a literal shape."""
        if isinstance(like, ast.Constant) and isinstance(like.value, tuple):
            return self.shapes.exact(like.value)
        return self.shape_of(like)

    def same_as_like(self, node: ast.expr, like: ast.expr) -> bool:
        a, b = self.shape_of(node), self.like_class(like)
        return a is not None and b is not None and self.shapes.find(a) == self.shapes.find(b)

    # -- exact shapes (code specialized on argument shapes) ---------------------------
    def exact_of(self, node: ast.expr) -> tuple[int, ...] | None:
        """The exact shape of ``node``'s value when argument shapes are known."""
        if not self.exact_in:
            return None
        if isinstance(node, ast.Constant):
            v = node.value
            return () if isinstance(v, (int, float, bool, complex)) else None
        if isinstance(node, ast.Name):
            if node.id in self.int_names:
                return ()
            return self.exact.get(node.id)
        if isinstance(node, ast.BinOp):
            a, b = self.exact_of(node.left), self.exact_of(node.right)
            if a is None or b is None:
                return None
            if isinstance(node.op, ast.MatMult):
                return product_shape("matmul", a, b)
            return _broadcast_shapes(a, b)
        if isinstance(node, ast.UnaryOp):
            return self.exact_of(node.operand)
        if isinstance(node, ast.Compare):
            shapes = [self.exact_of(e) for e in [node.left, *node.comparators]]
            return None if None in shapes else _broadcast_shapes(*shapes)
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                a = self.exact_of(node.value)
                return None if a is None else a[::-1]
            if node.attr in ("ndim", "size"):
                return ()
            return None
        if isinstance(node, ast.Subscript):
            a = self.exact_of(node.value)
            index = constant_value(self.ints_as_zero(node.slice))
            if a is None or index is _NOT_CONSTANT:
                return None
            return run_for_shape(lambda d: d[index], [dummy(a)], {})
        if isinstance(node, ast.Call):
            return self.exact_of_call(node)
        return None

    def ints_as_zero(self, index: ast.expr) -> ast.expr:
        """An index with loop counters replaced by 0 (they are ints: same result shape)."""
        if isinstance(index, ast.Name) and index.id in self.int_names:
            return ast.Constant(0)
        if isinstance(index, ast.Tuple):
            return ast.Tuple([self.ints_as_zero(e) for e in index.elts], ast.Load())
        return index

    def exact_of_call(self, node: ast.Call) -> tuple[int, ...] | None:
        bc = self.broadcast_parts(node)
        if bc is not None:
            like = bc[1]
            if isinstance(like, ast.Constant) and isinstance(like.value, tuple):
                return like.value
            return self.exact_of(like)
        method = getattr(node, "_sx_method", None)
        fn = None if method is not None else self.env.resolve(node.func)
        if fn in _SCALAR_VALUED:
            return ()
        if fn is unbroadcast and len(node.args) == 2:
            return self.exact_of(node.args[1])
        if fn in (np.zeros_like, np.ones_like, np.full_like, np.empty_like) and node.args:
            return self.exact_of(node.args[0])
        if method is not None:
            rule = rules.lookup_method(method)
            if rule is None and method not in rules.NONDIFF_METHODS:
                return None
            receiver = node.func.value
            call_args = list(node.args)
        else:
            rule = rules.lookup(fn) if fn is not None else None
            if rule is None and not (fn is not None and rules.is_nondifferentiable(fn)):
                return None
            receiver = None
            call_args = list(node.args)
        if rule is not None and rule.multi_output:
            return None  # a tuple of results, not one array
        all_args = ([receiver] if receiver is not None else []) + call_args
        shapes = [self.exact_of(a) for a in all_args]
        if rule is not None and rule.name in PRODUCTS:
            if None in shapes[:2]:
                return None
            return product_shape(rule.name, shapes[0], shapes[1])
        if rule is not None and rule.elementwise and not node.keywords:
            if None in shapes:
                return None
            return _broadcast_shapes(*shapes)
        values = []
        for a, shp in zip(all_args, shapes):
            v = constant_value(a)
            if v is not _NOT_CONSTANT:
                values.append(v)
            elif shp is not None:
                values.append(dummy(shp))
            elif isinstance(a, ast.Name) and a.id in self.tuple_shapes:
                values.append(tuple(dummy(e) for e in self.tuple_shapes[a.id]))
            else:
                return None
        kwargs = {}
        for k in node.keywords:
            v = constant_value(k.value)
            if v is _NOT_CONSTANT:
                shp = self.exact_of(k.value)
                if shp is None:
                    return None
                v = dummy(shp)
            kwargs[k.arg] = v
        if method is not None:
            return run_for_shape(lambda r, *a, **k: getattr(r, method)(*a, **k), values, kwargs)
        return run_for_shape(fn, values, kwargs)

    def broadcast_parts(self, node: ast.expr) -> tuple[ast.expr, ast.expr] | None:
        """For ``np.broadcast_to(s, np.shape(v))`` return ``(s, v)``."""
        if not (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords):
            return None
        if self.env.resolve(node.func) is not np.broadcast_to:
            return None
        shape = node.args[1]
        if isinstance(shape, ast.Constant) and isinstance(shape.value, tuple):
            return node.args[0], shape
        if not (isinstance(shape, ast.Call) and len(shape.args) == 1
                and self.env.resolve(shape.func) is np.shape):
            return None
        return node.args[0], shape.args[0]

    def array_broadcast(self, node: ast.expr, values: dict) -> tuple[ast.expr, ast.expr] | None:
        """``(a, like)`` when ``node`` is ``np.broadcast_to(a, like)`` (or names one)."""
        if isinstance(node, ast.Name):
            return values.get("__arraybcast__", {}).get(node.id)
        return self.broadcast_parts(node)

    def scalar_broadcast(self, node: ast.expr, values: dict) -> tuple[ast.expr, ast.expr] | None:
        """``(s, v)`` when ``node`` is a broadcast of a scalar ``s`` to ``v``'s shape."""
        if isinstance(node, ast.Name) and node.id in values.get("__bcast__", {}):
            return values["__bcast__"][node.id]
        parts = self.broadcast_parts(node)
        if parts is not None and self.shape_of(parts[0]) == SCALAR:
            return parts
        return None

    def split_pieces(self, node: ast.expr) -> list[ast.expr] | None:
        """For ``np.split(g, indices, axis)`` with ``g``'s shape and the indices known
        (from shapes alone), the pieces as basic slices of ``g`` (the same views)."""
        if not (isinstance(node, ast.Call) and self.env.resolve(node.func) is np.split
                and 2 <= len(node.args) <= 3 and not node.keywords
                and isinstance(node.args[0], ast.Name)):
            return None
        shape = self.exact_of(node.args[0])
        axis = node.args[2].value if len(node.args) == 3 and _number(node.args[2]) else (
            0 if len(node.args) == 2 else None)
        if shape is None or not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
            return None
        axis %= len(shape)
        indices = self.shape_only_value(node.args[1])
        if isinstance(indices, np.ndarray) and indices.ndim == 1 \
                and np.issubdtype(indices.dtype, np.integer):
            indices = indices.tolist()
        if not (isinstance(indices, (list, tuple)) and all(
                type(i) is int and 0 <= i <= shape[axis] for i in indices)
                and list(indices) == sorted(indices)):
            return None
        bounds = [0, *indices, shape[axis]]
        pieces: list[ast.expr] = []
        for lo, hi in zip(bounds, bounds[1:]):
            part = ast.Slice(None if lo == 0 else ast.Constant(lo),
                             None if hi == shape[axis] else ast.Constant(hi), None)
            index = part if axis == 0 else ast.Tuple([ast.Slice()] * axis + [part], ast.Load())
            pieces.append(ast.Subscript(ast.Name(node.args[0].id, ast.Load()), index,
                                        ast.Load()))
        return pieces

    def shape_only_value(self, node: ast.expr) -> Any:
        """The value of ``node`` when it reads arrays only through their (known) shapes,
        as ``np.cumsum([np.shape(a)[0] for a in seq])``; else ``_NOT_CONSTANT``."""
        if not self.exact_in or not self.pure(node):
            return _NOT_CONSTANT
        queries = (np.shape, np.ndim, np.size, len)
        names: dict[str, Any] = {}

        def known(n: ast.expr, bound: set[str]) -> bool:
            if not isinstance(n, ast.Name):
                return False
            if n.id in bound:
                return True
            shape = self.exact.get(n.id)
            if shape is None or n.id in self.int_names:
                return False
            names[n.id] = dummy(shape)
            return True

        def ok(n: ast.AST, bound: set[str]) -> bool:
            if isinstance(n, ast.Constant):
                return True
            if isinstance(n, ast.Name):
                if n.id in bound or n.id in self.exact or n.id in self.tuple_shapes:
                    return False  # an array's values, not only its shape
                obj = self.env.resolve(n)
                if obj is None:
                    return False
                names[n.id] = obj
                return True
            if isinstance(n, ast.Attribute):
                if n.attr in ("shape", "ndim", "size") and known(n.value, bound):
                    return True
                return ok(n.value, bound)
            if isinstance(n, ast.Call):
                if self.env.resolve(n.func) in queries and len(n.args) == 1 \
                        and not n.keywords and known(n.args[0], bound):
                    return ok(n.func, bound)
                if self.env.resolve(n.func) is split_points and not n.keywords:
                    for a in n.args:  # it reads its sequence's shapes only
                        if isinstance(a, ast.Name) and a.id in self.tuple_shapes:
                            names[a.id] = tuple(dummy(e) for e in self.tuple_shapes[a.id])
                        elif not (isinstance(a, ast.Name) and known(a, bound) or ok(a, bound)):
                            return False
                    return ok(n.func, bound)
                return ok(n.func, bound) and all(ok(a, bound) for a in n.args) and all(
                    ok(k.value, bound) for k in n.keywords)
            if isinstance(n, ast.ListComp) and len(n.generators) == 1:
                gen = n.generators[0]
                if gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name) \
                        or not isinstance(gen.iter, ast.Name) \
                        or gen.iter.id not in self.tuple_shapes:
                    return False
                names[gen.iter.id] = tuple(dummy(e) for e in self.tuple_shapes[gen.iter.id])
                return ok(n.elt, bound | {gen.target.id})
            if isinstance(n, (ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.BinOp,
                              ast.UnaryOp)):
                return all(ok(c, bound) for c in ast.iter_child_nodes(n)
                           if not isinstance(c, (ast.expr_context, ast.operator, ast.unaryop)))
            return False

        if not ok(node, set()):
            return _NOT_CONSTANT
        try:
            with np.errstate(all="ignore"):
                return eval(compile(ast.fix_missing_locations(ast.Expression(
                    copy.deepcopy(node))), "<shape>", "eval"), {"__builtins__": {}, **names})
        except Exception:
            return _NOT_CONSTANT

    # -- propagation and folding ----------------------------------------------------
    def propagate(self, body: list[ast.stmt], values: dict, top: bool = True) -> list[ast.stmt]:
        values.setdefault("__bcast__", {})
        out: list[ast.stmt] = []
        for stmt in body:
            if top and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id not in self.overwritten:
                self.always_defined.add(stmt.targets[0].id)  # (after this statement)
            if isinstance(stmt, ast.If):
                test = self.expr(stmt.test, values)
                if isinstance(test, ast.Constant):
                    branch = stmt.body if test.value else stmt.orelse
                    out.extend(self.propagate(branch, values, top))
                    continue
                stmt.test = test
                saved = _copy_values(values)
                stmt.body = self.propagate(stmt.body, values, False)
                other = _copy_values(saved)
                stmt.orelse = self.propagate(stmt.orelse, other, False)
                for n in _assigned(stmt):
                    self.kill(n, values)
                    self.exact.pop(n, None)
                    self.shapes.of[n] = self.shapes.new()
                out.append(stmt)
                continue
            if isinstance(stmt, (ast.For, ast.While)):
                assigned = _assigned(stmt)
                if isinstance(stmt, ast.For):
                    stmt.iter = self.expr(stmt.iter, values)
                for n in assigned:
                    self.forget(n, values)
                if isinstance(stmt, ast.For) and _is_range(stmt.iter, self.env):
                    self.int_names.add(stmt.target.id)  # a range loop counts in ints
                    if self.exact_in:
                        self.exact[stmt.target.id] = ()
                        self.shapes.of[stmt.target.id] = SCALAR
                inner = _copy_values(values)
                for n in [n for n, v in inner.items() if isinstance(v, ast.UnaryOp)]:
                    del inner[n]  # (a negation stays out of loops: once, not per iteration)
                stmt.body = self.propagate(stmt.body, inner, False)
                for n in assigned:
                    self.forget(n, values)
                out.append(stmt)
                continue
            if getattr(stmt, "_sx_marker", None) is not None:
                for n in stmt._sx_marker[1]:
                    self.forget(n, values)
                out.append(stmt)
                continue
            if isinstance(stmt, ast.Assign):
                stmt.value = self.expr(stmt.value, values)
                target = stmt.targets[0]
                if isinstance(target, ast.Name) and isinstance(stmt.value, ast.Name) \
                        and stmt.value.id == target.id:
                    continue  # x = x
                if isinstance(target, ast.Name):
                    self.assign(target.id, stmt.value, values)
                elif isinstance(target, ast.Tuple):
                    for e in target.elts:
                        self.kill(e.id, values)
                        self.exact.pop(e.id, None)
                        self.shapes.of[e.id] = self.shapes.new()
                else:  # subscript store: the container is mutated in place
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            if isinstance(sub.ctx, ast.Load) and sub is not _root(target):
                                pass
                    target_root = _root(target)
                    self.substitute_loads(target, values, skip=target_root)
                    if target_root is not None:
                        self.kill(target_root.id, values, keep_shape=True)
                out.append(stmt)
                continue
            if isinstance(stmt, ast.Return):
                stmt.value = self.expr(stmt.value, values)
                out.append(stmt)
                continue
            if isinstance(stmt, ast.Expr):
                stmt.value = self.expr(stmt.value, values)
                if isinstance(stmt.value, ast.Call) and id(self.env.resolve(stmt.value.func)) \
                        in _MUTATORS and stmt.value.args and isinstance(stmt.value.args[0],
                                                                         ast.Name):
                    self.kill(stmt.value.args[0].id, values, keep_shape=True)
                out.append(stmt)
                continue
            if isinstance(stmt, ast.Assert):
                stmt.test = self.expr(stmt.test, values)
                out.append(stmt)
                continue
            out.append(stmt)
        return out

    def substitute_loads(self, node: ast.AST, values: dict, skip: ast.AST | None = None) -> None:
        for field_name, old in ast.iter_fields(node):
            if isinstance(old, ast.expr) and old is not skip:
                setattr(node, field_name, self.expr(old, values))

    def forget(self, name: str, values: dict) -> None:
        """Nothing is known any more about ``name`` (it changes in a loop or is restored),
        except a shape that every assignment to it gives (found in the previous round)."""
        self.kill(name, values)
        self.bool_names.discard(name)
        self.tuple_shapes.pop(name, None)
        if name in self.stable_tuples:
            self.tuple_shapes[name] = list(self.stable_tuples[name])
        stable = self.stable_exact.get(name)
        if stable is None and name in self.adjoint_of:
            stable = self.stable_exact.get(self.adjoint_of[name])
            if stable is None and self.adjoint_of[name] not in self.overwritten:
                stable = self.exact.get(self.adjoint_of[name])
        if stable is not None:
            self.exact[name] = stable
            self.shapes.of[name] = self.shapes.exact(stable)
        else:
            self.exact.pop(name, None)
            self.shapes.of[name] = self.shapes.new()

    def kill(self, name: str, values: dict, keep_shape: bool = False) -> None:
        values.pop(name, None)
        bc = values["__bcast__"]
        bc.pop(name, None)
        for k in [k for k, v in values.items() if not k.startswith("__") and _mentions(v, name)]:
            values.pop(k)
        for k in [k for k, (s, v) in bc.items() if _mentions(s, name) or _mentions(v, name)]:
            bc.pop(k)
        ab = values.setdefault("__arraybcast__", {})
        ab.pop(name, None)
        for k in [k for k, (s, v) in ab.items() if _mentions(s, name) or _mentions(v, name)]:
            ab.pop(k)
        pieces = values.setdefault("__pieces__", {})
        pieces.pop(name, None)
        for k in [k for k, parts in pieces.items() if any(_mentions(p, name) for p in parts)]:
            pieces.pop(k)

    def assign(self, name: str, value: ast.expr, values: dict) -> None:
        self.note_shape(name, value)
        self.tuple_shapes.pop(name, None)
        if isinstance(value, (ast.Tuple, ast.List)) and self.exact_in:
            shapes = [self.exact_of(e) for e in value.elts]
            if None not in shapes:  # a tuple of arrays of known shapes (np.concatenate's input)
                self.tuple_shapes[name] = shapes
        if name in self.overwritten:
            known = self.tuple_shapes.get(name)
            self.assigned_tuples.setdefault(name, set()).add(
                None if known is None else tuple(known))
        if self.maybe_bool(value):
            self.bool_names.add(name)
        else:
            self.bool_names.discard(name)
        exact = self.exact_of(value)
        primal_name = self.adjoint_of.get(name, "")
        if primal_name in self.overwritten:  # an adjoint has its primal's (stable) shape
            primal_exact = self.stable_exact.get(primal_name)
        else:
            primal_exact = self.exact.get(primal_name)
        exact = primal_exact if primal_exact is not None else exact
        if exact is not None:
            self.exact[name] = exact
        else:
            self.exact.pop(name, None)
        shape = self.shape_of(value)
        self.kill(name, values)
        sh = self.shapes
        seed = self.seed_of.get(name)
        if seed is not None and name not in self.overwritten:
            # the cotangent parameter of split motion has the output's shape
            if shape is not None:
                sh.union(sh.of[seed], shape)
            if exact is not None:
                self.exact[seed] = exact
        primal = self.adjoint_of.get(name)
        if primal in self.overwritten:
            primal = None  # its value (and shape) may change over time
        if primal is not None:
            if primal not in sh.of:
                sh.of[primal] = sh.new()
            cls = sh.of.setdefault(name, sh.of[primal])
            sh.union(cls, sh.of[primal])
            if shape is not None:
                sh.union(sh.of[primal], shape)
        else:
            sh.of[name] = shape if shape is not None else sh.new(self.rank_of(value))
        if (_literal(value) or isinstance(value, ast.Name)) and not _mentions(value, name):
            values[name] = value
        elif isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) \
                and isinstance(value.operand, ast.Name) and value.operand.id != name \
                and self.load_counts.get(name) == 1 and name not in self.overwritten:
            values[name] = value  # read once: -u moves into its use (-u * c is u * -c)
        parts = self.scalar_broadcast(value, values)
        if parts is not None and not _mentions(value, name):
            values["__bcast__"][name] = parts
        parts = self.broadcast_parts(value)
        if parts is not None and not _mentions(value, name) and isinstance(parts[0], ast.Name):
            values.setdefault("__arraybcast__", {})[name] = parts
        pieces = self.split_pieces(value)
        if pieces is not None and not _mentions(value, name):
            values.setdefault("__pieces__", {})[name] = pieces

    def expr(self, node: ast.expr, values: dict) -> ast.expr:
        """Substitute known values into ``node`` and simplify it bottom-up."""
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id in values:
                return copy.deepcopy(values[node.id])
            return node
        if isinstance(node, (ast.Constant,)) or node is None:
            return node
        for field_name, old in ast.iter_fields(node):
            if isinstance(old, ast.expr):
                setattr(node, field_name, self.expr(old, values))
            elif isinstance(old, list):
                setattr(node, field_name, [self.expr(e, values) if isinstance(e, ast.expr)
                                           else self._keyword(e, values) for e in old])
        return self.simplify(node, values)

    def _keyword(self, kw: Any, values: dict) -> Any:
        if isinstance(kw, ast.keyword):
            kw.value = self.expr(kw.value, values)
        return kw

    def simplify(self, node: ast.expr, values: dict) -> ast.expr:
        if isinstance(node, ast.BinOp):
            return self.binop(node, values)
        if isinstance(node, ast.UnaryOp):
            v = node.operand
            if isinstance(node.op, ast.Not) and _literal(v):
                return ast.Constant(not v.value)
            if isinstance(node.op, ast.USub):
                if _number(v):
                    return ast.Constant(-v.value)
                if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
                    return v.operand
                bc = self.scalar_broadcast(v, values)
                if bc is not None:
                    return self.broadcast(self.simplify(ast.UnaryOp(ast.USub(), bc[0]), values),
                                          bc[1])
            if isinstance(node.op, ast.UAdd):
                return v
            return node
        if isinstance(node, ast.Compare) and _literal(node.left) and all(
                _literal(c) for c in node.comparators) and len(node.ops) == 1:
            fn = _CMP.get(type(node.ops[0]))
            try:
                return ast.Constant(bool(fn(node.left.value, node.comparators[0].value)))
            except Exception:
                return node
        if isinstance(node, ast.BoolOp) and all(_literal(v) for v in node.values):
            vals = [v.value for v in node.values]
            result = all(vals) if isinstance(node.op, ast.And) else any(vals)
            return ast.Constant(bool(result))
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            # drop leading true constants, stop at a false one
            kept = []
            for v in node.values:
                if _literal(v):
                    if not v.value:
                        return ast.Constant(False)
                    continue
                kept.append(v)
            if not kept:
                return ast.Constant(True)
            if len(kept) == 1:
                return kept[0]
            node.values = kept
            return node
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            kept = []
            for v in node.values:
                if _literal(v):
                    if v.value:
                        return ast.Constant(True)
                    continue
                kept.append(v)
            if not kept:
                return ast.Constant(False)
            if len(kept) == 1:
                return kept[0]
            node.values = kept
            return node
        if isinstance(node, ast.IfExp) and _literal(node.test):
            return node.body if node.test.value else node.orelse
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, tuple) and _number(node.slice) \
                and isinstance(node.slice.value, int):
            try:
                return ast.Constant(node.value.value[node.slice.value])
            except IndexError:
                return node
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and _number(node.slice) and isinstance(node.slice.value, int) \
                and isinstance(node.ctx, ast.Load):
            pieces = values.get("__pieces__", {}).get(node.value.id)
            if pieces is not None and -len(pieces) <= node.slice.value < len(pieces):
                return copy.deepcopy(pieces[node.slice.value])
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Tuple) \
                and _number(node.slice) and isinstance(node.slice.value, int):
            try:
                return node.value.elts[node.slice.value]
            except IndexError:
                return node
        if isinstance(node, ast.Call):
            return self.call(node, values)
        if isinstance(node, ast.Attribute) and node.attr in ("shape", "size", "ndim"):
            exact = self.exact_of(node.value)
            if exact is not None:
                return ast.Constant({"shape": exact, "size": math.prod(exact),
                                     "ndim": len(exact)}[node.attr])
        return node

    def call(self, node: ast.Call, values: dict) -> ast.expr:
        fn = self.env.resolve(node.func)
        args = node.args
        if fn in (np.ndim, np.size, np.shape) and len(args) == 1 and not node.keywords:
            a = args[0]
            if _literal(a) and a.value is not None:
                return ast.Constant(fn(a.value))
            if self.shape_of(a) == SCALAR:
                return ast.Constant(fn(0.0))
            if fn is np.ndim:
                r = self.rank_of(a)
                if r is not None:
                    return ast.Constant(r)
                self.rank_queries += 1
            exact = self.exact_of(a)
            if exact is not None and fn in (np.size, np.shape):
                return ast.Constant(math.prod(exact) if fn is np.size else exact)
            if fn is np.size:
                self.rank_queries += 1
            if isinstance(a, ast.Name):
                # ask the earliest value of the same shape, so later ones may die
                node.args = [ast.Name(self.earliest_like(a.id), ast.Load())]
        if fn is len and len(args) == 1 and not node.keywords:
            exact = self.exact_of(args[0])
            if exact:  # the length of an array of known shape
                return ast.Constant(exact[0])
        if fn is np.zeros_like and len(args) == 1 and not node.keywords \
                and self.exact_of(args[0]) == ():
            return ast.Constant(0.0)  # a scalar's zero: a float, as the gradient of a float
        if id(fn) in _SCALAR_MATH and len(args) == 1 and not node.keywords \
                and self.exact_of(args[0]) == () and not self.maybe_bool(args[0]):
            # np.cos on a Python scalar costs ~20x math.cos; the value is the same
            math_name = ast.Name(self.env.ref(math, "math"), ast.Load())
            return ast.Call(ast.Attribute(math_name, _SCALAR_MATH[id(fn)], ast.Load()),
                            args, [])
        if fn is scalar_seed and len(args) == 1:
            if self.shape_of(args[0]) == SCALAR:
                return ast.Constant(1.0)
            self.rank_queries += 1  # knowing the ranks may show the output is a scalar
        if fn is unbroadcast and len(args) == 2:
            g, x = args
            if self.same_shape(g, x):
                return g
            bc = self.scalar_broadcast(g, values)
            if bc is not None and self.same_as_like(x, bc[1]):
                return g
            explicit = self.explicit_unbroadcast(g, x)
            if explicit is not None:
                return explicit
            self.rank_queries += 1
        if fn in (np.expand_dims, np.broadcast_to, np.reshape, np.transpose) and args:
            inner = self.scalar_broadcast(args[0], values)
            if inner is not None:  # reshaping a broadcast scalar broadcasts the scalar
                if fn is np.broadcast_to and len(args) == 2:
                    return self.simplify(ast.Call(node.func, [inner[0], args[1]], []), values)
                exact = self.exact_of_call(node)
                if exact is not None:
                    return self.broadcast(inner[0], ast.Constant(exact))
        parts = self.broadcast_parts(node)
        if parts is not None:
            s, v = parts
            if self.same_as_like(s, v):
                return s
            if not (isinstance(v, ast.Constant)):
                exact = self.exact_of(v)
                if exact is not None:  # np.shape(v) of a known shape: write the shape
                    node.args[1] = ast.Constant(exact)
        if fn is np.expand_dims and len(args) == 2 and _literal(args[1]) and args[1].value is None:
            return node
        return node

    def explicit_unbroadcast(self, g: ast.expr, x: ast.expr) -> ast.expr | None:
        """``unbroadcast(g, x)`` as a plain ``np.sum`` when both shapes are known."""
        gs, xs = self.exact_of(g), self.exact_of(x)
        if gs is None or xs is None:
            return None
        npname = ast.Name(self.env.ref(np, "np"), ast.Load())
        total = ast.Attribute(npname, "sum", ast.Load())
        if xs == ():
            return ast.Call(total, [g], [])
        lead = len(gs) - len(xs)
        if lead < 0 or not all(n == 1 or gs[lead + i] == n for i, n in enumerate(xs)):
            return None
        units = tuple(lead + i for i, n in enumerate(xs) if n == 1 and gs[lead + i] != 1)
        if lead and not units:
            axis = ast.Constant(0 if lead == 1 else tuple(range(lead)))
            return ast.Call(total, [g], [ast.keyword("axis", axis)])
        if units and not lead:
            axis = ast.Constant(units[0] if len(units) == 1 else units)
            return ast.Call(total, [g], [ast.keyword("axis", axis),
                                         ast.keyword("keepdims", ast.Constant(True))])
        return None

    def broadcast(self, scalar: ast.expr, like: ast.expr) -> ast.expr:
        npname = ast.Name(self.env.ref(np, "np"), ast.Load())
        if isinstance(like, ast.Constant):
            return ast.Call(ast.Attribute(npname, "broadcast_to", ast.Load()),
                            [scalar, like], [])
        shape = ast.Call(ast.Attribute(npname, "shape", ast.Load()), [copy.deepcopy(like)], [])
        return ast.Call(ast.Attribute(copy.deepcopy(npname), "broadcast_to", ast.Load()),
                        [scalar, shape], [])

    def binop(self, node: ast.BinOp, values: dict) -> ast.expr:
        left, right, op = node.left, node.right, node.op
        if _number(left) and _number(right) and type(op) in _BIN:
            try:
                v = _BIN[type(op)](left.value, right.value)
                if isinstance(v, (int, float)) and abs(v) < 1e15:
                    return ast.Constant(v)
            except Exception:
                pass
        # (e * c1) * c2 -> e * (c1 * c2) when both are numbers: keep numbers together
        if isinstance(op, ast.Mult) and _number(right) and isinstance(left, ast.BinOp) \
                and isinstance(left.op, ast.Mult) and _number(left.right):
            left.right = ast.Constant(left.right.value * right.value)
            return self.binop(left, values)
        if isinstance(op, ast.Mult):  # (a boolean mask times 1 must stay a number)
            if _is(left, 1) and not self.maybe_bool(right):
                return right
            if _is(right, 1) and not self.maybe_bool(left):
                return left
            if _is(left, -1) and not self.maybe_bool(right):
                return self.simplify(ast.UnaryOp(ast.USub(), right), values)
            if _is(right, -1) and not self.maybe_bool(left):
                return self.simplify(ast.UnaryOp(ast.USub(), left), values)
        if isinstance(op, ast.Div) and _is(right, 1):
            return left
        if isinstance(op, ast.Pow) and _is(right, 1):
            return left
        if isinstance(op, ast.Add):
            if _is(left, 0) and self.shape_of(right) is not None and not self.maybe_bool(right):
                return right
            if _is(right, 0) and self.shape_of(left) is not None and not self.maybe_bool(left):
                return left
        if isinstance(op, ast.Sub) and _is(right, 0) and self.shape_of(left) is not None:
            return left
        if isinstance(op, ast.Sub) and _is(left, 0) and not self.maybe_bool(right):
            return self.simplify(ast.UnaryOp(ast.USub(), right), values)
        if isinstance(op, ast.Mult) and isinstance(left, ast.UnaryOp) \
                and isinstance(left.op, ast.USub) and _number(right):
            return self.binop(ast.BinOp(left.operand, op, ast.Constant(-right.value)), values)
        if isinstance(op, (ast.Mult, ast.Div, ast.Add, ast.Sub)):
            lb = self.scalar_broadcast(left, values)
            rb = self.scalar_broadcast(right, values)
            if lb is not None and rb is None:
                if self.same_as_like(right, lb[1]):
                    return self.binop(ast.BinOp(lb[0], op, right), values)
                if self.shape_of(right) == SCALAR:
                    inner = self.binop(ast.BinOp(lb[0], op, right), values)
                    return self.broadcast(inner, lb[1])
            if rb is not None and lb is None:
                if self.same_as_like(left, rb[1]):
                    return self.binop(ast.BinOp(left, op, rb[0]), values)
                if self.shape_of(left) == SCALAR:
                    inner = self.binop(ast.BinOp(left, op, rb[0]), values)
                    return self.broadcast(inner, rb[1])
        if isinstance(op, (ast.Mult, ast.Div, ast.Add, ast.Sub)):
            # np.broadcast_to(a, S) op e, with e of shape S: NumPy broadcasts a itself
            for side, other in ((left, right), (right, left)):
                parts = self.array_broadcast(side, values)
                if parts is not None and self.same_as_like(other, parts[1]):
                    a = parts[0]
                    pair = (a, other) if side is left else (other, a)
                    return self.binop(ast.BinOp(pair[0], op, pair[1]), values)
        if isinstance(op, ast.Add) and isinstance(right, ast.UnaryOp) \
                and isinstance(right.op, ast.USub):
            return self.binop(ast.BinOp(left, ast.Sub(), right.operand), values)
        # a + e * -c -> a - e * c (and a - e * -c -> a + e * c): negation is exact
        if isinstance(op, (ast.Add, ast.Sub)) and isinstance(right, ast.BinOp) \
                and isinstance(right.op, ast.Mult) and _number(right.right) \
                and right.right.value < 0:
            flipped = ast.Sub() if isinstance(op, ast.Add) else ast.Add()
            product = ast.BinOp(right.left, ast.Mult(), ast.Constant(-right.right.value))
            return self.binop(ast.BinOp(left, flipped, product), values)
        if isinstance(op, ast.Mult) and _number(left) and isinstance(right, ast.UnaryOp) \
                and isinstance(right.op, ast.USub):
            return self.binop(ast.BinOp(ast.Constant(-left.value), op, right.operand), values)
        # c1 * (c2 * e) -> (c1 * c2) * e
        if isinstance(op, ast.Mult) and _number(left) and isinstance(right, ast.BinOp) \
                and isinstance(right.op, ast.Mult) and _number(right.left):
            return self.binop(ast.BinOp(ast.Constant(left.value * right.left.value), op,
                                        right.right), values)
        return node

    # -- dead code -------------------------------------------------------------------
    def pure(self, node: ast.AST) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                if getattr(sub, "_sx_method", None) is not None:
                    m = sub._sx_method
                    if not (rules.lookup_method(m) or m in rules.NONDIFF_METHODS):
                        return False
                    continue
                fn = self.env.resolve(sub.func)
                if fn is None and isinstance(sub.func, ast.Attribute):
                    # a method call written by a rule body (g.reshape(...)): pure
                    if rules.lookup_method(sub.func.attr) or sub.func.attr in (
                            "T", "reshape", "astype", "copy"):
                        continue
                    return False
                if fn is None:
                    return False
                if not (rules.lookup(fn) or rules.is_nondifferentiable(fn)
                        or id(fn) in _PURE_EXTRA or fn in (range, reversed, len, min, max)
                        or getattr(fn, "__module__", None) in ("numpy", "math")
                        or isinstance(fn, np.ufunc)):
                    return False
        return True

    def dce(self, body: list[ast.stmt], live: set[str],
            loop_live: set[str] = frozenset()) -> tuple[list[ast.stmt], set[str]]:
        out: list[ast.stmt] = []
        for stmt in reversed(body):
            if isinstance(stmt, ast.Assign):
                target = stmt.targets[0]
                if isinstance(target, (ast.Name, ast.Tuple)):
                    names = [target.id] if isinstance(target, ast.Name) else \
                        [e.id for e in target.elts]
                    keep = getattr(stmt, "_sx_keep", False) and not _literal(stmt.value)
                    # a forward assignment to a name that is saved and restored defines
                    # the value the backward sweep gets back: it stays
                    if self.restores and not getattr(stmt, "_sx_grad", False) and \
                            self.overwritten.intersection(names):
                        keep = True
                    if not live.intersection(names) and self.pure(stmt.value) and not keep:
                        continue
                    live.difference_update(names)
                    live |= _loads(stmt.value)
                else:
                    root = _root(target)
                    if root is not None and root.id not in live:
                        continue
                    live |= _loads(stmt)
                out.append(stmt)
            elif isinstance(stmt, ast.If):
                body_stmts, live_body = self.dce(stmt.body, set(live), loop_live)
                else_stmts, live_else = self.dce(stmt.orelse, set(live), loop_live)
                if not body_stmts and not else_stmts and self.pure(stmt.test):
                    live |= set()
                    continue
                stmt.body = body_stmts or [ast.Pass()]
                stmt.orelse = else_stmts
                live = live_body | live_else | _loads(stmt.test)
                out.append(stmt)
            elif isinstance(stmt, ast.Expr):
                call = stmt.value
                fn = self.env.resolve(call.func) if isinstance(call, ast.Call) else None
                if id(fn) in _MUTATORS and isinstance(call.args[0], ast.Name) \
                        and call.args[0].id not in live:
                    continue
                if self.pure(call) and id(fn) not in _MUTATORS:
                    continue
                live |= _loads(stmt)
                out.append(stmt)
            elif isinstance(stmt, (ast.For, ast.While)):
                loop_out = set(live)
                body_live = set(live)
                for _ in range(20):  # liveness around the back edge, to a fixed point
                    _, body_in = self.dce(copy.deepcopy(stmt.body), set(body_live),
                                          loop_live=body_live | loop_out)
                    new = body_live | body_in
                    if new == body_live:
                        break
                    body_live = new
                stmt.body, body_in = self.dce(stmt.body, set(body_live),
                                              loop_live=body_live | loop_out)
                if not stmt.body:
                    stmt.body = [ast.Pass()]
                live = live | body_in | body_live
                if isinstance(stmt, ast.For):
                    live.discard(stmt.target.id)
                    live |= _loads(stmt.iter)
                else:
                    live |= _loads(stmt.test)
                out.append(stmt)
            elif isinstance(stmt, (ast.Break, ast.Continue)):
                live |= loop_live
                out.append(stmt)
            elif getattr(stmt, "_sx_marker", None) is not None:
                live.difference_update(stmt._sx_marker[1])
                out.append(stmt)
            elif isinstance(stmt, ast.Pass):
                continue
            else:
                live |= _loads(stmt)
                out.append(stmt)
        out.reverse()
        return out, live


def _load_counts(body: list[ast.stmt]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _root(target: ast.expr) -> ast.Name | None:
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return target if isinstance(target, ast.Name) else None


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _assigned(stmt: ast.stmt) -> set[str]:
    """Names a statement may change: assigned, written into, or restored by a placeholder."""
    return {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)} | {
        r.id for n in ast.walk(stmt) if isinstance(n, ast.Assign)
        for t in n.targets if (r := _root(t)) is not None} | {
        name for n in ast.walk(stmt) if getattr(n, "_sx_marker", None) is not None
        for name in n._sx_marker[1]}


def _is_range(node: ast.expr, env: Env) -> bool:
    if not isinstance(node, ast.Call):
        return False
    fn = env.resolve(node.func)
    if fn is reversed and node.args:
        return _is_range(node.args[0], env)
    return fn is range


def _broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def _copy_values(values: dict) -> dict:
    new = dict(values)
    new["__bcast__"] = dict(values.get("__bcast__", {}))
    new["__arraybcast__"] = dict(values.get("__arraybcast__", {}))
    new["__pieces__"] = dict(values.get("__pieces__", {}))
    return new


def optimize(body: list[ast.stmt], env: Env, adjoint_of: dict[str, str], params: list[str],
             scalar_names: set[str], live_out: set[str],
             ranks: dict[str, int] | None = None,
             shapes: dict[str, tuple[int, ...]] | None = None,
             overwritten: set[str] = frozenset(),
             int_names: set[str] = frozenset(),
             restores: bool = True,
             ) -> tuple[list[ast.stmt], bool, dict[str, tuple[int, ...]]]:
    """Simplify ``body`` until a fixed point (see the module docstring).

    Returns the body, whether it still asks for ranks (``np.ndim``) that
    specializing on the arguments' ranks would answer, and the exact shapes that
    hold wherever their names are read (see :func:`_trusted_shapes`).
    """
    opt = Optimizer(env, adjoint_of, params, scalar_names, ranks, shapes)
    opt.overwritten = set(overwritten)
    opt.restores = restores
    opt.known_ints = set(int_names)
    body = opt.run(body, live_out)
    _materialize_returned_broadcasts(body, opt, adjoint_of)
    trusted = _trusted_shapes(body, opt, adjoint_of)
    body = defer_outer_products(body, env, trusted)
    body = lower(body, env, opt.exact, set(adjoint_of), trusted)
    return body, opt.rank_queries > 0, trusted


def _trusted_shapes(body: list[ast.stmt], opt: Optimizer,
                    adjoint_of: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """Exact shapes that hold wherever a name is read (not only after its last assignment).

    A name's shape is trusted when every assignment gives it (a stable loop shape), or
    when it is bound once (one assignment, or a parameter never reassigned); an
    adjoint has its primal's trusted shape.
    """
    binds: dict[str, int] = {p: 1 for p in opt.params}
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            binds[node.id] = binds.get(node.id, 0) + 1
        for name in (getattr(node, "_sx_marker", None) or (None, ()))[1]:
            binds[name] = binds.get(name, 0) + 1
    trusted: dict[str, tuple[int, ...]] = {}
    for name, shape in opt.exact.items():
        if opt.stable_exact.get(name) == shape or (
                name not in opt.overwritten and binds.get(name, 0) == 1):
            trusted[name] = shape
    for adjoint, primal in adjoint_of.items():
        if primal in trusted:
            trusted[adjoint] = trusted[primal]
        else:
            trusted.pop(adjoint, None)
    return trusted


def _materialize_returned_broadcasts(body: list[ast.stmt], opt: Optimizer,
                                     adjoint_of: dict[str, str]) -> None:
    """Returned gradients are writable arrays: a ``np.broadcast_to`` becomes ``np.full``."""
    returned = _loads(body[-1]) if body and isinstance(body[-1], ast.Return) else set()
    last_def: dict[str, ast.Assign] = {}
    for stmt in body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            last_def[stmt.targets[0].id] = stmt
    for name in returned:
        stmt = last_def.get(name)
        primal = adjoint_of.get(name)
        if stmt is None or primal is None:
            continue
        parts = opt.broadcast_parts(stmt.value)
        if parts is not None:
            npname = ast.Name(opt.env.ref(np, "np"), ast.Load())
            scalar, like = parts
            if isinstance(scalar, ast.Constant) and type(scalar.value) is int:
                scalar = ast.Constant(float(scalar.value))
            if not isinstance(like, ast.Constant):
                # the shape of ``like``, not its dtype: the name standing for a shape may
                # hold integers (a gradient must not be truncated to them)
                like = ast.Call(ast.Attribute(copy.deepcopy(npname), "shape", ast.Load()),
                                [like], [])
            stmt.value = ast.Call(ast.Attribute(npname, "full", ast.Load()), [like, scalar], [])
