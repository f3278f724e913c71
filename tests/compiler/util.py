"""Running front-end passes alone on small functions, for the pass-level tests."""

from __future__ import annotations

import ast
import copy
from typing import Any, Callable

from srcxform.compiler.driver import FRONT_END
from srcxform.compiler.parse import parse_function
from srcxform.compiler.program import Program, start


def program_of(f: Callable[..., Any], upto: str, kind: str = "grad", wrt: Any = 0) -> Program:
    """``f``'s Program after the front-end passes up to and including the pass ``upto``."""
    program = start(parse_function(f), kind, wrt)
    names = [step.__name__ for step in FRONT_END]
    assert upto in names, f"no front-end pass {upto!r} (passes: {names})"
    for step in FRONT_END:
        program = step(program)
        if step.__name__ == upto:
            return program
    raise AssertionError("unreachable")


def compiled(fn_node: ast.FunctionDef, like: Callable[..., Any]) -> Callable[..., Any]:
    """The function a (rewritten) syntax tree defines, in ``like``'s module globals."""
    node = copy.deepcopy(fn_node)
    node.decorator_list = []
    module = ast.fix_missing_locations(ast.Module([node], []))
    namespace: dict[str, Any] = {}
    exec(compile(module, "<pass test>", "exec"), dict(like.__globals__), namespace)
    return namespace[node.name]


def body_text(program: Program) -> list[str]:
    """The normalized body as one line of source per top-level statement."""
    return [ast.unparse(s) for s in program.body]


def all_statements(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """Every statement, nested blocks included."""
    out = []
    for s in stmts:
        out.append(s)
        for field in ("body", "orelse"):
            out += all_statements(getattr(s, field, []) or [])
    return out
