"""Which names may hold an array (and so may be written in place), over a normalized body.

After :func:`kinds` each local name has a *kind*: an upper bound on its
``ndim``, as a set of terms whose maximum bounds it.  A term is a number
``c`` (at most ``c`` axes) or ``(p, d)`` for a parameter ``p``: at most
``ndim(p) - d`` axes, ``p`` indexed by ``d`` integers (``x[0]`` of a vector
is a NumPy scalar).  ``None`` is "unknown".  The kind ``{0}`` is certain: the
name only ever holds a scalar object (a Python or NumPy number, never a 0-d
array), which ``z op= e`` rebinds and nobody can write into.  A kind of
numbers no larger than 0 and parameter terms holds a scalar exactly when
each parameter passes :func:`support.require_scalar_index` at entry.

The inference is flow insensitive (a name's kind joins all its assignments)
and conservative: anything it does not know is ``None``.
"""

from __future__ import annotations

import ast

import numpy as np

from . import anno
from .astutil import names_stored, walk_stmts

Kind = frozenset | None

SCALAR: frozenset = frozenset({0})
#: NumPy reductions returning a NumPy scalar when called with the array alone.
_REDUCTIONS = frozenset({"sum", "mean", "prod", "max", "min", "std", "var", "amax", "amin",
                         "median", "average", "ptp", "nansum", "nanmean", "trace", "vdot"})
_SCALAR_METHODS = frozenset({"item", "sum", "mean", "prod", "max", "min", "std", "var"})
_SCALAR_BUILTINS = (float, int, bool, len, round, complex)
_JOIN_BUILTINS = (abs, max, min, pow)
_CREATORS = frozenset({"zeros", "ones", "empty", "full"})
#: A new array shaped like the argument (a 0-d array for a number: never a scalar object).
_LIKE = frozenset({"zeros_like", "ones_like", "empty_like", "full_like", "copy"})


def join(a: Kind, b: Kind) -> Kind:
    if a is None or b is None:
        return None
    return _tidy(a | b)


def _tidy(kind: frozenset) -> Kind:
    numbers = [t for t in kind if isinstance(t, int)]
    terms: dict[str, int] = {}
    for t in kind:
        if not isinstance(t, int):
            terms[t[0]] = min(terms.get(t[0], t[1]), t[1])
    out = {(p, d) for p, d in terms.items()}
    if numbers:
        out.add(max(numbers))
    return frozenset(out)


def is_scalar(kind: Kind) -> bool:
    return kind is not None and all(isinstance(t, int) and t <= 0 for t in kind)


def conditions(kind: Kind) -> set[tuple[str, int]] | None:
    """The parameter checks under which ``kind`` holds a scalar object; ``None`` if none do."""
    if kind is None or any(isinstance(t, int) and t > 0 for t in kind):
        return None
    return {t for t in kind if not isinstance(t, int)}


def _tuple_literals(body: list[ast.stmt]) -> dict[str, list[list[ast.expr]]]:
    """Names only ever assigned tuple literals of one length, or copies of such names:
    the elements of each of those tuples."""
    sources: dict[str, list] = {}
    for stmt in walk_stmts(body):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.For)) else []
        for t in targets:
            for n in names_stored(t):
                simple = isinstance(stmt, ast.Assign) and isinstance(t, ast.Name)
                sources.setdefault(n, []).append(stmt.value if simple else None)
    found: dict[str, list[list[ast.expr]]] = {}
    for _ in range(3):
        for name, values in sources.items():
            elts: list[list[ast.expr]] = []
            for v in values:
                if isinstance(v, ast.Tuple) and not any(isinstance(e, ast.Starred)
                                                        for e in v.elts):
                    elts.append(v.elts)
                elif isinstance(v, ast.Name) and v.id in found:
                    elts += found[v.id]
                else:
                    break
            else:
                if elts and len({len(e) for e in elts}) == 1:
                    found[name] = elts
    return found


def kinds(body: list[ast.stmt], params: list[str], ints: set[str],
          ranks: dict[str, int] | None = None, outer=None) -> dict[str, Kind]:
    """Each assigned name's kind (module docstring); ``ranks``: known parameter ranks;
    ``outer(name)``: the object a global or closure name denotes (its kind is read off
    it: a NumPy array's ``ndim``, a number's 0; the cache guards their shapes)."""
    assigned: dict[str, list] = {}
    literals = _tuple_literals(body)
    for stmt in walk_stmts(body):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            assigned.setdefault(stmt.targets[0].id, []).append(("value", stmt.value))
            if isinstance(stmt.value, ast.List) and not stmt.value.elts:
                assigned.setdefault(stmt.targets[0].id + "[]", [])  # (its appends join in)
        elif isinstance(stmt, ast.Assign):
            target, value = stmt.targets[0], stmt.value
            options = literals.get(value.id) if isinstance(value, ast.Name) else \
                [value.elts] if isinstance(value, ast.Tuple) else None
            if isinstance(target, ast.Tuple) and options is not None \
                    and all(len(elts) == len(target.elts) for elts in options) and all(
                        isinstance(e, ast.Name) for e in target.elts) \
                    and not any(isinstance(e, ast.Starred) for elts in options for e in elts):
                for elts in options:  # `u, t = pair` of known pairs
                    for t, e in zip(target.elts, elts):
                        assigned.setdefault(t.id, []).append(("value", e))
            elif not isinstance(target, ast.Subscript):
                for n in names_stored(target):
                    assigned.setdefault(n, []).append(("unknown", None))
        elif isinstance(stmt, ast.For):
            for n in names_stored(stmt.target):
                assigned.setdefault(n, []).append(("element", stmt.iter))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                and isinstance(stmt.value.func, ast.Attribute) \
                and isinstance(stmt.value.func.value, ast.Name) \
                and stmt.value.func.attr == "append" and len(stmt.value.args) == 1:
            owner = stmt.value.func.value.id + "[]"  # the kind of the list's elements
            assigned.setdefault(owner, []).append(("value", stmt.value.args[0]))
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            assigned.setdefault(getattr(stmt.target, "id", ""), []).append(("unknown", None))
    table: dict[str, Kind] = {n: frozenset() for n in assigned}
    for p in params:
        rank = (ranks or {}).get(p)
        term = (p, 0) if rank is None or rank == 0 else rank  # a 0-d array is an array
        table[p] = join(table.get(p, frozenset()), frozenset({term}))
    for n in ints:
        table.pop(n, None)
    typer = Typer(table, ints, outer)
    for _ in range(len(assigned) + 3):  # kinds only grow, over a finite lattice
        changed = False
        for name, sources in assigned.items():
            if name in ints:
                continue
            new = table[name]
            for how, node in sources:
                if how == "value":
                    got = typer.of(node)
                elif how == "element":
                    got = typer.index(typer.of(node), 1, node)
                else:
                    got = None
                new = join(new, got)
            if new != table[name]:
                table[name], changed = new, True
        if not changed:
            break
    return table


class Typer:
    """The kind of an expression, given the kinds of names."""

    def __init__(self, table: dict[str, Kind], ints: set[str], outer=None) -> None:
        self.table, self.ints, self.outer = table, ints, outer

    def global_kind(self, node: ast.Name) -> Kind:
        """The kind of a global or closure value (``None``: unknown)."""
        if self.outer is None or not anno.get(node, anno.GLOBAL, False):
            return None
        value = self.outer(node.id)
        if type(value) is np.ndarray and value.ndim >= 1:
            return frozenset({value.ndim})
        if type(value) in (int, float) or isinstance(value, np.floating):
            return SCALAR
        return None

    def of(self, node: ast.expr) -> Kind:
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, str):
                return frozenset()  # nothing can be written into: shares no memory
            return SCALAR if isinstance(node.value, (int, float, complex, bool)) else None
        if isinstance(node, ast.Name):
            if node.id in self.ints:
                return SCALAR
            if node.id in self.table:
                return self.table[node.id]
            return self.global_kind(node)  # a global or closure value
        if isinstance(node, ast.BinOp):
            return join(self.of(node.left), self.of(node.right))
        if isinstance(node, ast.UnaryOp):
            return self.of(node.operand)
        if isinstance(node, ast.Compare):
            out: Kind = self.of(node.left)
            for c in node.comparators:
                out = join(out, self.of(c))
            return out
        if isinstance(node, ast.IfExp):
            return join(self.of(node.body), self.of(node.orelse))
        if isinstance(node, ast.Subscript):
            count = self.int_indexes(node.slice)
            return None if count is None else self.index(self.of(node.value), count, node)
        if isinstance(node, ast.Call):
            return self.call(node)
        return None

    def int_indexes(self, index: ast.expr) -> int | None:
        """How many axes an index removes (slices keep theirs); ``None`` if not basic."""
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        count = 0
        for part in parts:
            if isinstance(part, ast.Slice):
                continue
            if self.of(part) == SCALAR and not (isinstance(part, ast.Constant)
                                                and part.value is None):
                count += 1
            else:
                return None
        return count

    def index(self, base: Kind, count: int, node: ast.expr) -> Kind:
        if base is None:
            return None
        return _tidy(frozenset(max(t - count, 0) if isinstance(t, int) else (t[0], t[1] + count)
                               for t in base))

    def call(self, node: ast.Call) -> Kind:
        callee, method = anno.get(node, anno.CALLEE), anno.get(node, anno.METHOD)
        args = list(node.args)
        if method is not None:
            if method in _SCALAR_METHODS and not args and not node.keywords:
                return SCALAR  # x.item(), x.sum(): a number
            if method == "copy":
                return self.of(node.func.value)
            if method == "reshape" and not node.keywords:  # x.reshape(2, 2), x.reshape((2, 2))
                return self.reshaped(args[0] if len(args) == 1 else ast.Tuple(args, ast.Load()))
            if method in ("ravel", "flatten") and not node.keywords:
                return frozenset({1})
            if method == "pop" and not args and isinstance(node.func.value, ast.Name):
                return self.table.get(node.func.value.id + "[]")  # a tape stack's element
            return None
        if callee is None:
            return None
        module = getattr(callee, "__module__", None) or ""
        name = getattr(callee, "__name__", "")
        if module.startswith("srcxform") and name == "unbroadcast" and args:
            return self.of(args[0])  # the first argument, summed down to a shape
        if callee is sum and len(args) == 1 and not node.keywords \
                and isinstance(args[0], ast.Name) and args[0].id + "[]" in self.table:
            return join(SCALAR, self.table[args[0].id + "[]"])  # sum of a list built here
        if module == "math" or _is_one_of(callee, _SCALAR_BUILTINS):
            return SCALAR
        if _is_one_of(callee, _JOIN_BUILTINS) and not node.keywords:
            out: Kind = frozenset()
            for a in args:
                out = join(out, self.of(a))
            return out
        if isinstance(callee, np.ufunc) and not node.keywords:
            out = frozenset()
            for a in args:
                out = join(out, self.of(a))
            return out
        if module.startswith("numpy") and name in _REDUCTIONS and len(args) == 1 \
                and not node.keywords:
            return SCALAR
        if module.startswith("numpy") and name in _CREATORS and args and not node.keywords:
            shape = args[0]
            if isinstance(shape, ast.Tuple):
                return frozenset({len(shape.elts)})
            return frozenset({1}) if self.of(shape) == SCALAR else None
        if module.startswith("numpy") and name == "reshape" and len(args) == 2 \
                and not node.keywords:
            return self.reshaped(args[1])
        if module.startswith("numpy") and name == "broadcast_to" and len(args) == 2:
            shape = args[1]
            rank = len(shape.elts) if isinstance(shape, ast.Tuple) else \
                len(shape.value) if isinstance(shape, ast.Constant) \
                and isinstance(shape.value, tuple) else 0
            return frozenset({rank}) if rank else None  # (a 0-d result is an array)
        if module.startswith("srcxform") and name == "widened" and len(args) == 2:
            return self.of(args[0])  # (widen.py: the same array, or a complex copy of it)
        if module.startswith("numpy") and name in _LIKE and len(args) in (1, 2) \
                and not node.keywords:  # (a second argument: a dtype, a fill value, an order)
            kind = self.of(args[0])
            return kind if kind and all(isinstance(t, int) and t >= 1 for t in kind) else None
        return None

    def reshaped(self, shape: ast.expr) -> Kind:
        """The kind of an array reshaped to ``shape``: as many axes as it has entries (a
        number, one); ``None`` when that is not written out."""
        if isinstance(shape, ast.Tuple) and not any(isinstance(e, ast.Starred)
                                                    for e in shape.elts):
            return frozenset({len(shape.elts)}) if shape.elts else None  # (0-d: an array)
        if isinstance(shape, ast.Constant) and isinstance(shape.value, tuple):
            return frozenset({len(shape.value)}) if shape.value else None
        return frozenset({1}) if self.of(shape) == SCALAR else None


def _is_one_of(callee: object, options: tuple) -> bool:
    return any(callee is o for o in options)
