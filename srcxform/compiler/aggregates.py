"""Pass 2c, aggregates: a dict with constant keys becomes one variable per key.

First, :func:`~.dictloops.unroll_dict_loops` unrolls every loop over a dict
whose keys are known when compiling (a module-global or closure dict, or a
local dict built with constant keys): one copy of the body per key, the key
a constant there (``dictloops.py`` says which forms).  Then, after
:func:`replace_dicts` (or :func:`replace_dicts_function` on one function's
tree), a local dict that is only ever built from a literal with constant
keys (``p = {"w": w}`` or ``p = {}``), written and read by constant keys
(``p["b"] = ...``, ``p["w"]``, ``p["n"] += 1``) is gone: each key is an
ordinary variable (``p_w``, ``p_b``), so the later passes differentiate it
like any other name.  Any other use of such a dict (passed to a function,
indexed by a key known only when the code runs) is a located
``TransformError`` saying how to write it instead.
"""

from __future__ import annotations

import ast

from .astutil import walk
from .check import error
from .dictloops import may_meet_dicts, unroll_dict_loops
from .names import Namer
from .parse import Parsed
from .program import Program


def _constant_key(node: ast.expr) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) \
            and not isinstance(node.value, bool):
        return node.value
    return None


def replace_dicts(program: Program) -> Program:
    """Rewrite the program's function in place (see the module docstring)."""
    fn = program.parsed.node
    if may_meet_dicts(program.parsed):  # (else neither step below would change anything)
        replace_dicts_function(program.parsed, Namer.for_tree(fn, extra={fn.name}))
    return program


def replace_dicts_function(parsed: Parsed, namer: Namer) -> None:
    """Rewrite ``parsed.node`` in place (see the module docstring)."""
    fn = parsed.node
    unroll_dict_loops(parsed, namer)  # loops over dicts of known keys: one copy per key
    dicts = {t.id for n in walk(fn) if isinstance(n, ast.Assign)
             and isinstance(n.value, ast.Dict) for t in n.targets if isinstance(t, ast.Name)}
    for node in walk(fn):  # a dict literal anywhere else cannot be followed
        if isinstance(node, ast.Dict):
            parent_ok = any(isinstance(p, ast.Assign) and p.value is node
                            and all(isinstance(t, ast.Name) for t in p.targets)
                            for p in walk(fn))
            if not parent_ok:
                raise error(parsed, node, "a dict is supported only when assigned to a name "
                            "and used with constant keys", "dict")
    if not dicts:
        return
    names: dict[tuple[str, object], str] = {}

    def key_name(d: str, key: object, at: ast.AST) -> str:
        if (d, key) not in names:
            text = "".join(c if c.isalnum() else "_" for c in str(key))
            names[(d, key)] = namer.fresh(f"{d}_{text}")
        return names[(d, key)]

    allowed: set[int] = set()
    for node in walk(fn):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in dicts:
            if _constant_key(node.slice) is None:
                raise error(parsed, node, f"the dict {node.value.id!r} is indexed by a key "
                            "known only when the code runs; index it by a constant key, or "
                            "by the key of a loop or comprehension over a dict whose keys "
                            "srcxform knows when it compiles (for k in d, d.items(), "
                            "d.keys(), d.values() or sorted(d), of a module-global dict or "
                            "a local dict built with constant keys); for a key computed from "
                            "the data, use a list or an array indexed by position instead",
                            "dict indexing")
            allowed.add(id(node.value))
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            for t in node.targets:
                allowed.add(id(t))
            for k in node.value.keys:
                if k is None or _constant_key(k) is None:
                    raise error(parsed, node.value, "dict literals need constant keys", "dict")
    for node in walk(fn):
        if isinstance(node, ast.Name) and node.id in dicts and id(node) not in allowed:
            raise error(parsed, node, f"the dict {node.id!r} is used as a whole here; only "
                        "reads and writes by constant key, and loops or comprehensions over "
                        "it (d.items(), sorted(d), sum(d.values()), ...), are supported",
                        "dict")

    class Rewrite(ast.NodeTransformer):
        def visit_Assign(self, node: ast.Assign):
            self.generic_visit(node)
            if isinstance(node.value, ast.Dict) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id in dicts:
                d = node.targets[0].id
                out = []
                for k, v in zip(node.value.keys, node.value.values):
                    target = ast.Name(key_name(d, _constant_key(k), node), ast.Store())
                    out.append(ast.copy_location(ast.Assign([target], v), node))
                return out or ast.copy_location(ast.Pass(), node)
            return node

        def visit_Subscript(self, node: ast.Subscript):
            self.generic_visit(node)
            if isinstance(node.value, ast.Name) and node.value.id in dicts:
                name = key_name(node.value.id, _constant_key(node.slice), node)
                return ast.copy_location(ast.Name(name, node.ctx), node)
            return node

    Rewrite().visit(fn)
    ast.fix_missing_locations(fn)
