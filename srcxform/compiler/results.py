"""Pass 2a, results: a returned dict becomes a returned tuple, its layout kept aside.

``vjp`` and ``jvp`` (only they) take functions whose result is a pytree: nested tuples,
lists and dicts of arrays.  Tuples and lists need nothing (their adjoints and
tangents are tuples and lists, indexed by position); a dict with constant
keys is made one here.  After :func:`flatten_dict_results`, when the
function's last top-level statement returns an expression holding dict
literals (``return {"a": a, "b": (b, {"c": c})}``, ``dict(a=a)`` too) or a
local dict built with constant keys at the function's top level
(``d = {}; d["a"] = a; return d``), that return gives a tuple in each dict's
place (its values, in insertion order), and ``program.result_layout`` is the
:data:`Layout` of the result, from which the front door (``transforms.py``)
rebuilds the dicts of the value and tangent (:func:`to_result`) and writes a
cotangent's dicts as those tuples (:func:`from_result`).  Any other dict
result is left to ``aggregates.py``, which refuses it, located.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

from .astutil import walk
from .program import Program

#: The layout of a result: ``None`` for a leaf (any value), ``("seq", kind, [layouts])``
#: for a tuple or list literal, ``("dict", keys, [layouts])`` for a dict.
Layout = Any


def flatten_dict_results(program: Program) -> Program:
    """Rewrite the final ``return`` of a dict result (module docstring)."""
    fn = program.parsed.node
    if program.kind not in ("vjp", "jvp") or not fn.body \
            or not isinstance(fn.body[-1], ast.Return) or fn.body[-1].value is None:
        return program  # (grad's result is a scalar: a dict there stays refused)
    ret = fn.body[-1]
    value = _known_dict_name(fn, ret.value, program)
    layout = _layout(value, program)
    if layout is None or not _has_dict(layout):
        return program
    ret.value = ast.copy_location(_flat(value, program), ret.value)
    ast.fix_missing_locations(ret)
    program.result_layout = layout
    return program


def _is_builtin_dict(node: ast.expr, program: Program) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "dict" and not node.args
            and all(k.arg is not None for k in node.keywords)):
        return False
    fn = program.parsed.node
    local = any(isinstance(n, ast.Name) and n.id == "dict" and isinstance(n.ctx, ast.Store)
                for n in walk(fn)) or "dict" in program.params
    bound = program.parsed.closure.get("dict", program.parsed.globals.get("dict", dict))
    return not local and bound is builtins.dict


def _dict_items(node: ast.expr, program: Program) -> tuple[list[Any], list[ast.expr]] | None:
    """The constant keys and the values of a dict literal or ``dict(k=v, ...)``."""
    if isinstance(node, ast.Dict):
        keys = []
        for k in node.keys:
            if not (isinstance(k, ast.Constant) and isinstance(k.value, (str, int))
                    and not isinstance(k.value, bool)):
                return None
            keys.append(k.value)
        return (keys, list(node.values)) if len(set(keys)) == len(keys) else None
    if _is_builtin_dict(node, program):
        return [k.arg for k in node.keywords], [k.value for k in node.keywords]
    return None


def _layout(node: ast.expr, program: Program) -> Layout:
    items = _dict_items(node, program)
    if items is not None:
        return ("dict", tuple(items[0]), [_layout(v, program) for v in items[1]])
    if isinstance(node, (ast.Tuple, ast.List)) and not any(
            isinstance(e, ast.Starred) for e in node.elts):
        kind = tuple if isinstance(node, ast.Tuple) else list
        return ("seq", kind, [_layout(e, program) for e in node.elts])
    return None


def _has_dict(layout: Layout) -> bool:
    return layout is not None and (layout[0] == "dict" or any(_has_dict(c) for c in layout[2]))


def _flat(node: ast.expr, program: Program) -> ast.expr:
    """``node`` with every dict of its layout written as the tuple of its values."""
    items = _dict_items(node, program)
    if items is not None:
        return ast.Tuple([_flat(v, program) for v in items[1]], ast.Load())
    if isinstance(node, (ast.Tuple, ast.List)):
        return type(node)([_flat(e, program) for e in node.elts], ast.Load())
    return node


def _known_dict_name(fn: ast.FunctionDef, value: ast.expr, program: Program) -> ast.expr:
    """For ``return d`` of a local dict built at the top level with constant keys
    (``d = {...}`` once, then ``d[k] = v`` statements), the literal ``{k: d[k], ...}``
    of its keys in insertion order; otherwise ``value`` itself."""
    if not isinstance(value, ast.Name):
        return value
    name = value.id
    keys: list[Any] | None = None
    for stmt in fn.body[:-1]:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            if keys is not None or len(stmt.targets) != 1:
                return value
            items = _dict_items(stmt.value, program) if isinstance(stmt.value, ast.Dict) \
                else None
            if items is None:
                return value
            keys = list(items[0])
        elif keys is not None and isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Subscript) \
                and isinstance(stmt.targets[0].value, ast.Name) \
                and stmt.targets[0].value.id == name:
            key = stmt.targets[0].slice
            if not (isinstance(key, ast.Constant) and isinstance(key.value, (str, int))):
                return value
            if key.value not in keys:
                keys.append(key.value)
        elif any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
                 and isinstance(n.value, ast.Name) and n.value.id == name
                 for n in walk(stmt)):
            return value  # a key written under control flow: not known here
    if keys is None:
        return value
    return ast.Dict([ast.Constant(k) for k in keys],
                    [ast.Subscript(ast.Name(name, ast.Load()), ast.Constant(k), ast.Load())
                     for k in keys])


def to_result(layout: Layout, flat: Any) -> Any:
    """The function's result (or its tangent) from the generated code's: each dict of
    ``layout`` rebuilt from the tuple that stood in its place."""
    if layout is None:
        return flat
    if layout[0] == "dict":
        return {k: to_result(c, v) for k, c, v in zip(layout[1], layout[2], flat)}
    return layout[1](to_result(c, v) for c, v in zip(layout[2], flat))


def from_result(layout: Layout, value: Any, what: str = "cotangent") -> Any:
    """A value of the result's structure (a cotangent) as the generated code takes it:
    each dict of ``layout`` as the tuple of its values (``ValueError`` naming the
    mismatch when ``value`` has not the result's structure)."""
    if layout is None:
        return value
    if layout[0] == "dict":
        if not isinstance(value, dict) or set(value) != set(layout[1]):
            have = sorted(value) if isinstance(value, dict) else type(value).__name__
            raise ValueError(f"the {what} must be a dict with keys {list(layout[1])} like "
                             f"the output, got {have}")
        return tuple(from_result(c, value[k], what) for k, c in zip(layout[1], layout[2]))
    kind = layout[1]
    if not isinstance(value, (tuple, list)) or len(value) != len(layout[2]):
        raise ValueError(f"the {what} must be a {kind.__name__} of {len(layout[2])} like "
                         f"the output")
    return kind(from_result(c, v, what) for c, v in zip(layout[2], value))
