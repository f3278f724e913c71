"""Shape facts: what the optimizer knows about the shapes of values at one point.

A :class:`ShapeFacts` holds, for the point of a forward walk it has reached,

* shape classes (:class:`ShapeClasses`, a union-find): names whose shapes are
  provably equal share a class, whatever that shape is (an elementwise result
  shares its operands' class, an adjoint its primal's); every scalar is in
  the class :data:`SCALAR`;
* exact shapes (``exact``), when the code is specialized on argument shapes —
  or *patterns*, shapes with batch sizes (``shapes.Dim``: at least 2, equal
  where the same, otherwise unknown) when it is specialized on those
  (``cache/sizes.py``, :meth:`ShapeFacts.make_symbolic`): shape classes, ranks,
  ``unbroadcast`` axes and the sizes written from the parameters
  (:meth:`~ShapeFacts.size_of`: ``X.shape[0]``) use patterns, while
  :meth:`~ShapeFacts.exact_of`, which passes may write into the code as
  constants, answers only shapes of numbers;
* the names that only ever hold ints, may hold booleans, or hold tuples of
  arrays of known shapes.

Its queries (:meth:`ShapeFacts.class_of`, :meth:`~ShapeFacts.rank_of`,
:meth:`~ShapeFacts.exact_of`, :meth:`~ShapeFacts.maybe_bool`,
:meth:`~ShapeFacts.broadcast_parts`, ...) change nothing: the propagation
pass records facts as it walks, the rewrite rules ask.  A query answers
``None`` (unknown) rather than guess.
"""

from __future__ import annotations

import ast
import itertools
from typing import Any

import numpy as np

from .. import rules
from ..rules import unbroadcast
from . import anno
from .complexity import mentions_complex
from .env import Env
from .inexact import surely_inexact
from .ranks import rank_of_primitive
from .shapes import (
    NOT_CONSTANT,
    PRODUCTS,
    broadcast_shapes,
    constant_value,
    dummy,
    has_dim,
    product_shape,
    run_for_shape,
    size_expr,
    through_representatives,
)

#: Rules whose result's sizes are sizes of their arguments or constants, never a bound or
#: a sum of sizes: their shapes are found for patterns (``shapes.through_representatives``).
_COPYING_SIZES = frozenset({
    "sum", "mean", "prod", "max", "min", "std", "var", "nansum", "nanmean", "nanprod",
    "nanstd", "nanvar", "ptp", "transpose", "transpose_method", "matrix_transpose",
    "swapaxes", "moveaxis", "rollaxis", "squeeze", "reshape", "where", "clip", "softmax",
    "log_softmax", "cumsum", "cumprod", "sort", "flip", "fliplr", "flipud", "roll", "tril",
    "triu", "cast", "copy", "real", "imag", "conj", "angle", "nan_to_num", "tensordot",
    "inner", "dot", "matmul", "unbroadcast", "broadcast_to", "full_like", "sum_columns",
    "sum_rows", "norm", "solve", "inv", "cholesky", "det", "pinv", "mse_loss",
    "binary_cross_entropy_with_logits", "linear", "maximum", "minimum", "logaddexp",
    "stack", "concatenate", "hstack", "vstack", "dstack", "column_stack",
})

#: Functions making an array of a shape given by value (``ShapeFacts._made_pattern``).
_MAKERS = {id(np.zeros): "shape", id(np.ones): "shape", id(np.empty): "shape",
           id(np.full): "shape", id(np.eye): "square", id(np.identity): "square",
           id(np.arange): "range"}

#: The shape class of every scalar.
SCALAR = "<scalar>"
_ASK = object()  # (class_of: no pattern given, ask pattern_of)

_ELEMENTWISE_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod)
_SCALAR_VALUED = (np.size, np.ndim, len, float, int)

Shape = tuple[int, ...]


def is_number(node: ast.AST) -> bool:
    """True for an int or float literal (not a bool)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


class ShapeClasses:
    """Union-find over shape classes: names with provably identical shapes."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {SCALAR: SCALAR}
        self.of: dict[str, str] = {}  # name -> its class (any member; see find)
        self.rank: dict[str, int] = {SCALAR: 0}  # class -> rank, when known
        self.counter = itertools.count()

    def find(self, c: str) -> str:
        """The representative of class ``c``."""
        while self.parent[c] != c:
            self.parent[c] = self.parent[self.parent[c]]
            c = self.parent[c]
        return c

    def new(self, rank: int | None = None) -> str:
        """A class of its own (of rank ``rank`` when known; rank 0 is :data:`SCALAR`)."""
        if rank == 0:
            return SCALAR
        c = f"c{next(self.counter)}"
        self.parent[c] = c
        if rank is not None:
            self.rank[c] = rank
        return c

    def union(self, a: str, b: str) -> str:
        """Merge the classes of ``a`` and ``b`` (:data:`SCALAR` stays the representative)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if rb == SCALAR:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if ra not in self.rank and rb in self.rank:
            self.rank[ra] = self.rank[rb]
        return ra

    def exact(self, shape: Shape) -> str:
        """The class of all values of exactly this shape."""
        if shape == ():
            return SCALAR
        key = f"s{shape}"
        if key not in self.parent:
            self.parent[key] = key
            self.rank[key] = len(shape)
        return key

    def name(self, n: str) -> str | None:
        """The class of name ``n``, or ``None`` when nothing is known."""
        c = self.of.get(n)
        return None if c is None else self.find(c)


class ShapeFacts:
    """Shape classes, exact shapes and value kinds at one point (see the module docstring)."""

    def __init__(self, env: Env, specialized: bool, derivatives: set[str] = frozenset()) -> None:
        self.env = env
        self.specialized = specialized  # argument shapes are known: exact shapes are sought
        self.derivatives = derivatives  # adjoint (or tangent) names
        self.classes = ShapeClasses()
        self.exact: dict[str, Shape] = {}
        self.int_names: set[str] = set()
        self.bool_names: set[str] = set()
        self.complex_names: frozenset[str] = frozenset()  # may hold a value made complex
        self.inexact_names: frozenset[str] = frozenset()  # surely float or complex (inexact.py)
        self.tuple_shapes: dict[str, list[Shape]] = {}  # tuples of arrays of known shapes
        self.always_defined: set[str] = set()  # bound on every path to this point
        # argument shapes hold Dims (batch sizes the code is generic in): ``exact`` and
        # the walk's queries hold patterns, and exact_of answers only shapes of ints
        self.symbolic = False
        # Dim index -> (a parameter never assigned to, its axis of that size)
        self.dim_sources: dict[int, tuple[str, int]] = {}
        self.sizes: dict[str, object] = {}  # Facts.sizes where the walk is (propagate.py)
        self.exact_of = self.pattern_of
        self.exact_of_call = self.pattern_of_call

    def make_symbolic(self) -> None:
        """Some argument shape is a pattern (``shapes.Dim``): from now on
        :meth:`exact_of` hides patterns, which only :meth:`pattern_of`, shape classes and
        ranks see (module docstring)."""
        self.symbolic = True
        self.exact_of = self._exact_of
        self.exact_of_call = self._exact_of_call

    def _exact_of(self, node: ast.expr) -> Shape | None:
        found = self.pattern_of(node)
        return None if found is None or has_dim(found) else found

    def _exact_of_call(self, node: ast.Call) -> Shape | None:
        found = self.pattern_of_call(node)
        return None if found is None or has_dim(found) else found

    def exact_name(self, name: str) -> Shape | None:
        """The exact shape of ``name`` (None for a pattern)."""
        found = self.exact.get(name)
        return None if found is None or self.symbolic and has_dim(found) else found

    # -- shape classes ------------------------------------------------------------------
    def class_of(self, node: ast.expr, pattern: Any = _ASK) -> str | None:
        """The shape class of ``node``'s value, or ``None`` (``pattern``: what
        :meth:`pattern_of` says of ``node`` now, when the caller has just asked it)."""
        exact = self.pattern_of(node) if pattern is _ASK else pattern
        if exact is not None:
            return self.classes.exact(exact)
        found = self._class_of(node)
        if found is None and self.rank_of(node) == 0:
            return SCALAR
        return found

    def _class_of(self, node: ast.expr) -> str | None:
        """The shape class of ``node`` from its structure (no exact shape known)."""
        if is_number(node):
            return SCALAR
        if isinstance(node, ast.Name):
            return self.classes.name(node.id)
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ELEMENTWISE_OPS):
            return self.combine([self.class_of(node.left), self.class_of(node.right)])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.class_of(node.operand)
        if isinstance(node, ast.Compare):
            return self.combine([self.class_of(node.left)]
                                + [self.class_of(c) for c in node.comparators])
        if isinstance(node, ast.Call):
            bc = self.broadcast_parts(node)
            if bc is not None:
                return self.like_class(bc[1])
            fn = self.env.resolve(node.func)
            if fn is unbroadcast and len(node.args) == 2:
                return self.class_of(node.args[1])
            rule = rules.lookup(fn) if fn is not None else None
            if (rule is not None and rule.elementwise or fn is np.sign) and not node.keywords:
                return self.combine([self.class_of(a) for a in node.args])
        return None

    def combine(self, classes: list[str | None]) -> str | None:
        """The class of an elementwise result of operands of these classes, or ``None``."""
        if any(c is None for c in classes):
            return None
        found = {self.classes.find(c) for c in classes} - {SCALAR}
        if not found:
            return SCALAR
        return found.pop() if len(found) == 1 else None

    def same_shape(self, a: ast.expr, b: ast.expr) -> bool:
        """True when ``a`` and ``b`` provably have the same shape."""
        sa, sb = self.class_of(a), self.class_of(b)
        return sa is not None and sb is not None and \
            self.classes.find(sa) == self.classes.find(sb)

    def like_class(self, like: ast.expr) -> str | None:
        """The shape class named by a broadcast target: a value, or a literal shape."""
        if isinstance(like, ast.Constant) and isinstance(like.value, tuple):
            return self.classes.exact(like.value)
        return self.class_of(like)

    def same_as_like(self, node: ast.expr, like: ast.expr) -> bool:
        """True when ``node`` provably has the shape a broadcast target names."""
        a, b = self.class_of(node), self.like_class(like)
        return a is not None and b is not None and self.classes.find(a) == self.classes.find(b)

    def size_of(self, size: object) -> ast.expr | None:
        """An expression of the size ``size`` (an int, or a ``Dim``: the size of a
        parameter never assigned to along an axis of it, ``X.shape[0]``: such parameters
        are NumPy arrays, ``cache/sizes.py``)."""
        return size_expr(size, self.dim_sources)

    def shape_pattern(self, node: ast.expr, sizes: dict[str, object] | None = None
                      ) -> Shape | None:
        """The pattern of the shape tuple ``node`` computes (``a.shape``, ``np.shape(a)``,
        a name holding one: ``sizes``, ``Facts.sizes``, by default where the walk is; a
        tuple of sizes ``(len(X), 3)``), or None."""
        sizes = self.sizes if sizes is None else sizes
        if isinstance(node, ast.Tuple):
            parts = [self.dim_of(e, sizes) for e in node.elts]
            return None if None in parts else tuple(parts)
        if isinstance(node, ast.Name):
            found = sizes.get(node.id)
            return found if found.__class__ is tuple else None
        if isinstance(node, ast.Attribute) and node.attr == "shape":
            return self.pattern_of(node.value)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
                and self.env.resolve(node.func) is np.shape:
            return self.pattern_of(node.args[0])
        return None

    def dim_of(self, node: ast.expr, sizes: dict[str, object] | None = None) -> object:
        """The size ``node`` computes when it is ``len(a)``, ``a.shape[k]``,
        ``np.shape(a)[k]`` of a value of known pattern, an int literal, or a name holding
        a size (``sizes``, ``Facts.sizes``, by default where the walk is): an int or a
        ``Dim``; else None."""
        sizes = self.sizes if sizes is None else sizes
        if isinstance(node, ast.Constant):
            return node.value if type(node.value) is int and node.value >= 0 else None
        if isinstance(node, ast.Name):
            found = sizes.get(node.id)
            return None if found.__class__ is tuple else found
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
                and self.env.resolve(node.func) is len:
            found, axis = self.pattern_of(node.args[0]), 0
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and type(node.slice.value) is int:
            found = self.shape_pattern(node.value, sizes)
            axis = node.slice.value
        else:
            return None
        if found is None or not -len(found) <= axis < len(found):
            return None
        return found[axis]

    def name_of_pattern(self, pattern: Shape | None) -> str | None:
        """A name bound on every path here, no adjoint, known to have shape ``pattern``."""
        if pattern is None or pattern == ():
            return None
        return self._first_of_class(self.classes.find(self.classes.exact(pattern)))

    def earliest_like(self, name: str) -> str:
        """The first-defined name (parameters first) known to have ``name``'s shape."""
        cls = self.classes.name(name)
        if cls is None or cls == SCALAR:
            return name
        return self._first_of_class(cls) or name

    def _first_of_class(self, cls: str) -> str | None:
        """The first-defined name of shape class ``cls`` bound on every path here, no
        adjoint (parameters first), or None."""
        for other, c in self.classes.of.items():
            if self.classes.find(c) == cls and other not in self.derivatives \
                    and other in self.always_defined:
                return other
        return None

    # -- ranks ----------------------------------------------------------------------------
    def rank_of(self, node: ast.expr) -> int | None:
        """The static rank of ``node``'s value, or ``None``."""
        exact = self.pattern_of(node)
        if exact is not None:
            return len(exact)
        if is_number(node) or isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return 0
        if isinstance(node, ast.Name):
            c = self.classes.name(node.id)
            return None if c is None else self.classes.rank.get(c)
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
            return self._rank_of_call(node)
        return None

    def _rank_of_call(self, node: ast.Call) -> int | None:
        """The rank of a call's result: a broadcast's target, a scalar query, or its rule."""
        bc = self.broadcast_parts(node)
        if bc is not None:
            c = self.like_class(bc[1])
            return None if c is None else self.classes.rank.get(self.classes.find(c))
        method = anno.get(node, anno.METHOD)
        if method is None and self.env.resolve(node.func) in _SCALAR_VALUED:
            return 0
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
        if name == "reshape" and method != "reshape" and (
                method is not None or fn is not np.reshape):
            name = ""  # np.expand_dims, np.squeeze, ... share reshape's rule, not its rank
        keywords = {k.arg: k.value for k in node.keywords}
        return rank_of_primitive(name, rule.elementwise,
                                 [self.rank_of(a) for a in args], args, keywords)

    # -- exact shapes (code specialized on argument shapes) -------------------------------
    def pattern_of(self, node: ast.expr) -> Shape | None:
        """The exact shape of ``node``'s value when argument shapes are known (or its
        pattern, when some are patterns: :meth:`make_symbolic`).  ``exact_of`` is this
        method unless the walk is symbolic."""
        if not self.specialized:
            return None
        if isinstance(node, ast.Constant):
            v = node.value
            return () if isinstance(v, (int, float, bool, complex)) else None
        if isinstance(node, ast.Name):
            if node.id in self.int_names:
                return ()
            return self.exact.get(node.id)
        if isinstance(node, ast.BinOp):
            a, b = self.pattern_of(node.left), self.pattern_of(node.right)
            if a is None or b is None:
                return None
            if isinstance(node.op, ast.MatMult):
                return product_shape("matmul", a, b)
            return broadcast_shapes(a, b)
        if isinstance(node, ast.UnaryOp):
            return self.pattern_of(node.operand)
        if isinstance(node, ast.Compare):
            shapes = [self.pattern_of(e) for e in [node.left, *node.comparators]]
            return None if None in shapes else broadcast_shapes(*shapes)
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                a = self.pattern_of(node.value)
                return None if a is None else a[::-1]
            if node.attr in ("ndim", "size"):
                return ()
            return None
        if isinstance(node, ast.Subscript):
            if self.symbolic and self.dim_of(node) is not None:
                return ()  # X.shape[0]: a number
            a = self.pattern_of(node.value)
            index = constant_value(self.ints_as_zero(node.slice))
            if a is None or index is NOT_CONSTANT:
                return None
            if self.symbolic and has_dim(a):
                return _pattern_of_index(a, index)
            return run_for_shape(lambda d: d[index], [dummy(a)], {})
        if isinstance(node, ast.Call):
            return self.pattern_of_call(node)
        return None

    def _made_pattern(self, fn: object, node: ast.Call) -> Shape | None:
        """The pattern of ``np.zeros(S)`` (``ones``, ``empty``, ``full``), ``np.eye(n)``,
        ``np.identity(n)``, ``np.arange(n)`` with a batch size among the sizes asked
        for (``X.shape[0]``, ``len(X)``, a name holding one: :meth:`dim_of`)."""
        kind = _MAKERS[id(fn)]
        first = node.args[0]
        keywords = {k.arg for k in node.keywords}
        if kind == "shape":
            found = self.shape_pattern(first)
            if found is None:
                size = self.dim_of(first)
                found = None if size is None else (size,)
        elif kind == "square" and len(node.args) == 1 and keywords <= {"dtype"}:
            size = self.dim_of(first)
            found = None if size is None else (size, size)
        elif kind == "range" and len(node.args) == 1 and keywords <= {"dtype"}:
            size = self.dim_of(first)
            found = None if size is None else (size,)
        else:
            return None
        return found if has_dim(found) else None

    def ints_as_zero(self, index: ast.expr) -> ast.expr:
        """An index with loop counters replaced by 0 (they are ints: same result shape)."""
        if isinstance(index, ast.Name) and index.id in self.int_names:
            return ast.Constant(0)
        if isinstance(index, ast.Tuple):
            return ast.Tuple([self.ints_as_zero(e) for e in index.elts], ast.Load())
        return index

    def pattern_of_call(self, node: ast.Call) -> Shape | None:
        """The exact shape of a call's result: from its rule, or NumPy run on dummies."""
        bc = self.broadcast_parts(node)
        if bc is not None:
            like = bc[1]
            if isinstance(like, ast.Constant) and isinstance(like.value, tuple):
                return like.value
            return self.pattern_of(like)
        method = anno.get(node, anno.METHOD)
        fn = None if method is not None else self.env.resolve(node.func)
        if fn in _SCALAR_VALUED:
            return ()
        if fn is unbroadcast and len(node.args) == 2:
            return self.pattern_of(node.args[1])
        if node.args and any(fn is f for f in (np.zeros_like, np.ones_like, np.full_like,
                                                np.empty_like)):
            return self.pattern_of(node.args[0])
        if self.symbolic and node.args and fn is not None and id(fn) in _MAKERS:
            made = self._made_pattern(fn, node)
            if made is not None:
                return made
        if method is not None:
            rule = rules.lookup_method(method)
            if rule is None and method not in rules.NONDIFF_METHODS:
                return None
            all_args = [node.func.value, *node.args]
        else:
            rule = rules.lookup(fn) if fn is not None else None
            if rule is None and not (fn is not None and rules.is_nondifferentiable(fn)):
                return None
            all_args = list(node.args)
        if rule is not None and rule.multi_output:
            return None  # a tuple of results, not one array
        shapes = [self.pattern_of(a) for a in all_args]
        if rule is not None and rule.name in PRODUCTS:
            if None in shapes[:2]:
                return None
            return product_shape(rule.name, shapes[0], shapes[1])
        if rule is not None and rule.elementwise and not node.keywords:
            if None in shapes:
                return None
            return broadcast_shapes(*shapes)
        return self._run_on_dummies(node, method, fn, all_args, shapes)

    def _run_on_dummies(self, node: ast.Call, method: str | None, fn: object,
                        all_args: list[ast.expr], shapes: list[Shape | None]) -> Shape | None:
        """The shape NumPy gives the call when its array arguments are dummies (for
        patterns: only of the rules :data:`_COPYING_SIZES` names, through stand-ins)."""
        if self.symbolic and any(has_dim(shape) for shape in shapes):
            rule = rules.lookup_method(method) if method is not None else rules.lookup(fn)
            if rule is None or rule.name not in _COPYING_SIZES:
                return None
            return through_representatives(
                lambda concrete: self._run_on_dummies(node, method, fn, all_args, concrete),
                list(shapes))
        values = []
        for a, shp in zip(all_args, shapes):
            v = constant_value(a)
            if v is not NOT_CONSTANT:
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
            if v is NOT_CONSTANT:
                shp = self.pattern_of(k.value)
                if shp is None:
                    return None
                v = dummy(shp)
            kwargs[k.arg] = v
        if method is not None:
            return run_for_shape(lambda r, *a, **k: getattr(r, method)(*a, **k), values, kwargs)
        return run_for_shape(fn, values, kwargs)

    # -- kinds of values ------------------------------------------------------------------
    def broadcast_parts(self, node: ast.expr) -> tuple[ast.expr, ast.expr] | None:
        """For ``np.broadcast_to(s, np.shape(v))`` return ``(s, v)`` (``(s, shape)`` for a
        literal shape)."""
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

    def maybe_complex(self, node: ast.expr) -> bool:
        """True when ``node`` may be a complex value made inside the function (``1j``, a
        complex global, ``complexity.py``); a complex argument is compiled without a shape."""
        return mentions_complex(node, self.complex_names, self.env)

    def surely_inexact(self, node: ast.expr) -> bool:
        """True when ``node``'s value is surely a float or complex number or array, never an
        integer or boolean one (``inexact.py``): ``e * 1.0`` may be folded to ``e`` only
        then (an integer array times 1.0 is a float array)."""
        return surely_inexact(node, self.inexact_names, self.env)

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


def _pattern_of_index(pattern: Shape, index: object) -> Shape | None:
    """The pattern of ``a[index]`` for ``a`` of ``pattern``: for an index of ints,
    ``None``, ``...`` and whole slices ``:`` only (a bounded slice of a ``Dim`` has a
    size that depends on the ``Dim``'s value)."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, slice):
            if part != slice(None):
                return None
        elif not (part is None or part is Ellipsis or type(part) is int):
            return None
    return through_representatives(
        lambda concrete: run_for_shape(lambda d: d[index], [dummy(concrete[0])], {}), [pattern])
