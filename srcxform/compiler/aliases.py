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

from .astutil import assigns, load_counts, mentions, names_written_into, written_root
from .diagnostics import error
from .parse import Parsed
from .program import Program

CONSTRUCTORS = ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
                 "full_like", "array", "copy", "eye", "identity", "arange", "linspace",
                 # the adjoints of lists in generated gradient code (support.py)
                 "zeros_each", "add_each", "add_to_each")


def find_owned(program: Program) -> Program:
    """Set ``program.writable`` and ``program.lists`` (see the module docstring)."""
    fn = program.parsed.node
    program.writable = writable_arrays(fn, program.params)
    program.lists = growing_lists(fn, program.parsed)
    return program


def growing_lists(fn: ast.FunctionDef, parsed: Parsed) -> set[str]:
    """Names of lists the function builds with ``append`` (created once, at the top)."""
    appended = {n.func.value.id for n in ast.walk(fn) if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                and isinstance(n.func.value, ast.Name)}
    if not appended:
        return set()
    top = {id(s) for s in fn.body}
    for node in ast.walk(fn):
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
    for block in (getattr(n, f, None) for n in ast.walk(fn) for f in ("body", "orelse")):
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
        for stmt in (n for s in block for n in ast.walk(s) if isinstance(n, ast.stmt)):
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


def writable_arrays(fn: ast.FunctionDef, params: list[str]) -> set[str]:
    """Names every assignment of which creates a fresh array (or that are written only right
    after such an assignment), and that are never copied to another name: element writes
    into them cannot be seen through an alias."""
    loads = load_counts(fn)
    first: dict[str, bool] = {}  # names every assignment of which is a fresh array
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
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
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            value = node.value
            fresh = is_fresh(value) or handover(value)
            for t in node.targets:
                if isinstance(t, ast.Name):
                    created[t.id] = created.get(t.id, True) and fresh
                elif isinstance(t, (ast.Tuple, ast.List)):
                    for e in ast.walk(t):
                        if isinstance(e, ast.Name):
                            created[e.id] = False
            written = written_root(node)
            if isinstance(value, ast.Name) and written is not None:
                stored.append((value.id, written))  # a copy when `written` is an array
            elif isinstance(value, ast.Name) and not _fresh_before_alias(fn, node, value.id):
                aliased.add(value.id)
            elif isinstance(value, (ast.Tuple, ast.List)):
                aliased |= {e.id for e in value.elts if isinstance(e, ast.Name)}
        elif isinstance(node, ast.For):
            for e in ast.walk(node.target):
                if isinstance(e, ast.Name):
                    created[e.id] = False
    ok = {n for n, c in created.items() if c}
    # `out[i] = v` copies v's elements into an array, but stores v itself into a list
    aliased |= {v for v, root in stored if root not in ok}
    writable = {n for n in ok if n not in aliased}
    writable |= {n for n in created if n not in writable and fresh_where_written(fn, n)}
    return writable - set(params)
