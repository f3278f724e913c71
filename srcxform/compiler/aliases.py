"""Alias and ownership analysis of a function's arrays and lists, before normalization.

After :func:`find_owned`, ``program.writable`` and ``program.lists`` hold the
answers of :func:`writable_arrays` and :func:`growing_lists` for the user's
function as written (before the loops pass adds names of its own).
:func:`writable_arrays` answers which local arrays the function
may write into element by element (``out[i] = v``) without the write being
seen through another name: every assignment of such a name creates a fresh
array (a constructor, a copy, an operator's result), or every write is
reached only right after such an assignment (:func:`fresh_where_written`),
and the array is never handed to another name, a tuple or a list.
:func:`growing_lists` names the lists a function builds with ``append`` and
checks each is created once, at the top level, from a list literal.  Both
are syntactic and conservative: a name they cannot prove safe is left out
(the normalizer then refuses the write with a located error).
"""

from __future__ import annotations

import ast

import numpy as np

from . import astutil
from .astutil import assigns, mentions, names_written_into, written_root
from .diagnostics import error
from .parse import Parsed
from .program import Program

CONSTRUCTORS = ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
                 "full_like", "array", "copy", "eye", "identity", "arange", "linspace",
                 # the adjoints of lists in generated gradient code (support.py)
                 "zeros_each", "zeros_list", "add_each", "add_to_each",
                 # an adjoint made complex (widen.py): a new array, or the name's own
                 "widened")


def find_owned(program: Program) -> Program:
    """Set ``program.writable`` and ``program.lists`` (see the module docstring)."""
    fn = program.parsed.node
    every = astutil.nodes(fn)  # (one walk for both questions)
    program.writable = writable_arrays(fn, program.params, every)
    program.lists = growing_lists(fn, program.parsed, every)
    return program


def growing_lists(fn: ast.FunctionDef, parsed: Parsed,
                  every: list[ast.AST] | None = None) -> set[str]:
    """Names of lists the function builds with ``append`` (created once, at the top);
    ``every``: ``astutil.nodes(fn)``, when the caller has it."""
    every = astutil.nodes(fn) if every is None else every
    appended = {n.func.value.id for n in every if n.__class__ is ast.Call
                and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                and isinstance(n.func.value, ast.Name)}
    if not appended:
        return set()
    top = {id(s) for s in fn.body}
    for node in every:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id in appended:
                    if not isinstance(node.value, ast.List) or id(node) not in top:
                        raise error(parsed, node, f"the list {t.id!r} grows by append: create "
                                    "it once, at the top level of the function, from a list "
                                    "literal", "list")
    return appended


def _fresh_before_alias(fn: ast.FunctionDef, alias: ast.Assign, name: str) -> bool:
    """``u = new`` is harmless when, in the same block, ``new`` was just created fresh and is
    only written between that and the alias (a double buffer), and ``u`` is never written."""
    target = alias.targets[0]
    if not isinstance(target, ast.Name):
        return False
    if target.id in names_written_into(fn):
        return False
    for block in (getattr(n, f, None) for n in astutil.walk(fn) for f in ("body", "orelse")):
        if not isinstance(block, list) or alias not in block:
            continue
        before = block[:block.index(alias)]
        fresh = [i for i, st in enumerate(before) if isinstance(st, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == name for t in st.targets)
                 and isinstance(st.value, ast.Call)]
        after = block[block.index(alias) + 1:]
        return bool(fresh) and not mentions(after, name)
    return False


def is_fresh(value: ast.expr) -> bool:
    """``value`` certainly evaluates to a new array (a constructor, a copy, an operator)."""
    return isinstance(value, ast.Call) and (
        isinstance(value.func, ast.Attribute) and value.func.attr in CONSTRUCTORS
        or isinstance(value.func, ast.Name) and value.func.id in CONSTRUCTORS) \
        or isinstance(value, ast.BinOp) and not any(  # an operator's result is a new array
            isinstance(side, (ast.List, ast.Tuple)) for side in (value.left, value.right))


def fresh_where_written(fn: ast.FunctionDef, name: str) -> bool:
    """Every write into ``name`` is reached only right after an assignment of a fresh array
    to ``name``, with no other assignment of (or by) ``name`` in between (``b = b.copy()``
    before ``b[i] = 0.0``, as generated gradient code does).  Flow-sensitive and
    conservative: a loop keeps the state only when every assignment in its body is fresh."""
    found = False

    def shares(stmt: ast.stmt) -> bool:  # `u = name`, `pair = (name, v)`: another reference
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.Name):
            return value.id == name
        return isinstance(value, (ast.Tuple, ast.List)) and any(
            isinstance(e, ast.Name) and e.id == name for e in value.elts)

    def all_fresh(block: list[ast.stmt]) -> bool:
        for stmt in (n for s in block for n in astutil.walk(s) if isinstance(n, ast.stmt)):
            if shares(stmt):
                return False
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                if not is_fresh(stmt.value):
                    return False
            elif not isinstance(stmt, (ast.If, ast.For, ast.While, ast.With)) \
                    and assigns(stmt, name):
                return False
        return True

    def walk(block: list[ast.stmt], fresh: bool) -> bool | None:
        """The state after ``block``; ``None`` when a write is not safe."""
        nonlocal found
        for stmt in block:
            if written_root(stmt) == name:
                found = True
                if not fresh:
                    return None
            elif isinstance(stmt, ast.If):
                after_body = walk(stmt.body, fresh)
                after_else = walk(stmt.orelse, fresh)
                if after_body is None or after_else is None:
                    return None
                fresh = after_body and after_else
            elif isinstance(stmt, (ast.For, ast.While)):
                fresh = fresh and all_fresh(stmt.body)
                if walk(stmt.body, fresh) is None:
                    return None
            elif isinstance(stmt, ast.With):
                fresh = walk(stmt.body, fresh)
                if fresh is None:
                    return None
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                fresh = is_fresh(stmt.value)
            elif shares(stmt) or assigns(stmt, name):
                fresh = False
        return fresh

    return walk(fn.body, False) is not None and found


def writable_arrays(fn: ast.FunctionDef, params: list[str],
                    every: list[ast.AST] | None = None) -> set[str]:
    """Names every assignment of which creates a fresh array (or that are written only right
    after such an assignment), and that are never copied to another name: element writes
    into them cannot be seen through an alias.  ``every``: ``astutil.nodes(fn)``, when the
    caller has it."""
    every = astutil.nodes(fn) if every is None else every
    loads: dict[str, int] = {}
    written_into: set[str] = set()  # (names_written_into)
    assignments: list[ast.Assign] = []
    for node in every:
        cls = node.__class__
        if cls is ast.Name:
            if node.ctx.__class__ is ast.Load:
                loads[node.id] = loads.get(node.id, 0) + 1
        elif cls is ast.Assign:
            assignments.append(node)
        elif cls is ast.Subscript and node.ctx.__class__ is ast.Store \
                and isinstance(node.value, ast.Name):
            written_into.add(node.value.id)
    first: dict[str, bool] = {}  # names every assignment of which is a fresh array
    for node in assignments:
        for t in node.targets:
            if isinstance(t, ast.Name):
                first[t.id] = first.get(t.id, True) and is_fresh(node.value)

    def handover(value: ast.expr) -> bool:
        """``b = a`` where ``a`` is a fresh array read nowhere else: ``b`` is its only name."""
        return isinstance(value, ast.Name) and loads.get(value.id) == 1 \
            and first.get(value.id, False) and value.id not in params

    created: dict[str, bool] = {}
    aliased: set[str] = set()
    stored: list[tuple[str, str]] = []  # (value name, array written into)
    for node in every:
        if node.__class__ is ast.Assign:
            value = node.value
            fresh = is_fresh(value) or handover(value)
            for t in node.targets:
                if isinstance(t, ast.Name):
                    created[t.id] = created.get(t.id, True) and fresh
                elif isinstance(t, (ast.Tuple, ast.List)):
                    for e in astutil.walk(t):
                        if isinstance(e, ast.Name):
                            created[e.id] = False
            written = written_root(node)
            if isinstance(value, ast.Name) and written is not None:
                stored.append((value.id, written))  # a copy when `written` is an array
            elif isinstance(value, ast.Name) and not _fresh_before_alias(fn, node, value.id):
                aliased.add(value.id)
            elif isinstance(value, (ast.Tuple, ast.List)):
                aliased |= {e.id for e in value.elts if isinstance(e, ast.Name)}
        elif node.__class__ is ast.For:
            for e in astutil.walk(node.target):
                if isinstance(e, ast.Name):
                    created[e.id] = False
    ok = {n for n, c in created.items() if c}
    # `out[i] = v` copies v's elements into an array, but stores v itself into a list
    aliased |= {v for v, root in stored if root not in ok}
    writable = {n for n in ok if n not in aliased}
    # (only a name written by element can qualify so)
    writable |= {n for n in created if n not in writable and n in written_into
                 and fresh_where_written(fn, n)}
    return writable - set(params)


# -- which names may share memory (normalized or generated code) -------------------------------
#: NumPy functions whose result may be (or hold) a view of an argument.
VIEW_FUNCTIONS = frozenset({
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze",
    "expand_dims", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to",
    "broadcast_arrays", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray",
    "asarray_chkfinite", "require", "diagonal", "diag", "real", "imag", "real_if_close",
    "flip", "fliplr", "flipud", "rot90", "split", "array_split", "hsplit", "vsplit", "dsplit",
    "unstack", "matrix_transpose", "permute_dims", "trim_zeros", "einsum", "as_strided",
    "sliding_window_view", "meshgrid", "select"})
#: Array methods whose result is always a new array or a number.
FRESH_METHODS = frozenset({
    "copy", "sum", "mean", "prod", "max", "min", "std", "var", "dot", "clip", "cumsum",
    "cumprod", "round", "item", "tolist", "all", "any", "argmax", "argmin", "argsort",
    "trace", "nonzero", "flatten", "ptp", "conjugate", "__abs__", "__neg__", "repeat",
    "take", "compress", "searchsorted", "count", "index", "__len__"})
#: srcxform's run-time helpers that always return new arrays (or numbers, or types).
FRESH_HELPERS = frozenset({"zeros_each", "zeros_list", "scalar_seed", "zeros_like_or_none",
                           "complex_adjoints", "widened",
                           "sum_rows", "sum_columns"})  # (rules/reductions.py: np.sum)
#: Attributes that are numbers or tuples of numbers, never a view.
NUMBER_ATTRIBUTES = frozenset({"shape", "ndim", "size", "dtype", "itemsize", "nbytes"})
#: Builtins that return a new value (``max``/``min`` of arrays return one of them).
FRESH_BUILTINS = frozenset({float, int, bool, complex, len, abs, pow, round, sum, range,
                            isinstance, str, divmod})


def _call_shares(call: ast.Call, callee: object, method: str | None) -> bool:
    """True when the result of ``call`` may share memory with one of its operands."""
    if any(k.arg == "out" for k in call.keywords):
        return True
    if method is not None:
        return method not in FRESH_METHODS
    if isinstance(callee, np.ufunc):
        return False
    name = getattr(callee, "__name__", None)
    module = getattr(callee, "__module__", None) or ""
    if module.startswith("numpy"):
        if name == "array":
            return any(k.arg == "copy" for k in call.keywords)
        return name in VIEW_FUNCTIONS
    if module.startswith(("scipy", "math")) or module == "cmath":
        return False
    if module.startswith("srcxform") and name in FRESH_HELPERS:
        return False
    try:
        return callee not in FRESH_BUILTINS
    except TypeError:  # an unhashable callable object
        return True


def shared_operands(value: ast.expr, resolve) -> set[str]:
    """Local names whose memory the result of ``value`` (one normalized primitive) may
    share: itself, a view, a container holding it, or a function that may return it.
    ``resolve(call)`` gives ``(callee, method)`` of a call."""
    if isinstance(value, ast.Name):
        return {value.id}
    if isinstance(value, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Constant)):
        return set()
    if isinstance(value, ast.Attribute):
        return set() if value.attr in NUMBER_ATTRIBUTES else _names(value.value)
    if isinstance(value, ast.Call):
        callee, method = resolve(value)
        if not _call_shares(value, callee, method):
            return set()
        operands = [value.func.value] if method is not None else []
        operands += list(value.args) + [k.value for k in value.keywords]
        # (an operand that is itself an expression shares only what its value shares:
        # ``np.broadcast_to(g * w, np.shape(v))`` shares nothing with g, w or v)
        return set().union(*(shared_operands(o, resolve) for o in operands))
    return _names(value)  # subscripts, tuples, lists, `a if c else b`, `a or b`


def _names(node: ast.expr) -> set[str]:
    """The names ``node`` loads, outside the index of a subscript."""
    if isinstance(node, ast.Subscript):
        return _names(node.value)
    return {n.id for n in astutil.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load)}


class Sharing:
    """Classes of names that may share memory, over the assignments of a body (flow
    insensitive: a name that ever shares with another stays in its class)."""

    def __init__(self, stmts: list[ast.stmt], resolve, skip=lambda stmt: False,
                 ints: frozenset[str] | set[str] = frozenset()) -> None:
        self.parent: dict[str, str] = {}
        self._members: dict[str, set[str]] | None = None
        for stmt in stmts:
            if skip(stmt):
                continue
            if isinstance(stmt, ast.Assign):
                if isinstance(stmt.targets[0], ast.Subscript):
                    continue  # `a[i] = v` copies v's elements (only arrays are written)
                sources = shared_operands(stmt.value, resolve)
                for n in _stored(stmt.targets[0]) - ints:
                    for s in sources - ints:
                        self.union(n, s)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                    and isinstance(stmt.value.func, ast.Attribute) \
                    and stmt.value.func.attr in ("append", "extend", "insert") \
                    and isinstance(stmt.value.func.value, ast.Name):
                owner = stmt.value.func.value.id
                for a in stmt.value.args:
                    for s in shared_operands(a, resolve) - ints:
                        self.union(owner, s)
            elif isinstance(stmt, ast.For):
                for n in _stored(stmt.target) - ints:
                    for s in _names(stmt.iter) - ints:
                        self.union(n, s)

    def find(self, name: str) -> str:
        root = name
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while name != root:  # path halving keeps later finds short
            self.parent[name], name = root, self.parent[name]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def others(self, name: str) -> set[str]:
        """The names other than ``name`` that may share its memory."""
        if self._members is None:
            self._members = {}
            for n in set(self.parent) | set(self.parent.values()):
                self._members.setdefault(self.find(n), set()).add(n)
        return self._members.get(self.find(name), set()) - {name}


def _stored(target: ast.expr) -> set[str]:
    return {n.id for n in astutil.walk(target) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Store)}


def generated_code_resolver(env) -> object:
    """``resolve`` for :class:`Sharing` over generated code: a call's callee through
    ``env`` (``None`` for no env), else the method name of ``x.m(...)``."""
    def resolve(call: ast.Call) -> tuple[object, str | None]:
        callee = env.resolve(call.func) if env is not None else None
        if callee is None and isinstance(call.func, ast.Attribute):
            return None, call.func.attr
        return callee, None
    return resolve
