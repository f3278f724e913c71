"""Pass 2, check: reject every construct the later passes do not handle.

After :func:`check` (or :func:`check_function` on a callee), the function
body contains only the statements and expressions listed in ``STATEMENTS`` /
``EXPRESSIONS``; anything else has raised :class:`TransformError` naming
file, line, column and construct.  The later passes may therefore assume the
subset and never meet a surprise node.
"""

from __future__ import annotations

import ast

from .astutil import walk
from .diagnostics import CONSTRUCT_NAMES, construct_name, error
from .parse import Parsed
from .program import Program
from .resolve import Scope

__all__ = ["CONSTRUCT_NAMES", "DYNAMIC_BUILTINS", "EXPRESSIONS", "STATEMENTS", "check",
           "check_function", "scalar_result", "construct_name", "error", "is_no_grad_block"]

STATEMENTS = (ast.Assign, ast.AugAssign, ast.Return, ast.Expr, ast.Pass, ast.Assert, ast.If,
              ast.For, ast.While, ast.Break, ast.Continue)
EXPRESSIONS = (
    ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.Attribute, ast.Subscript, ast.Name,
    ast.Constant, ast.Tuple, ast.List, ast.Slice, ast.keyword, ast.JoinedStr,
    ast.FormattedValue, ast.IfExp, ast.BoolOp, ast.Dict,
)
CONTEXTS = (ast.Load, ast.Store, ast.Del, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)

#: Builtins whose effect cannot be analysed statically.
DYNAMIC_BUILTINS = {"exec", "eval", "compile", "globals", "locals", "vars", "__import__",
                    "setattr", "delattr"}

def check(program: Program) -> Program:
    """Raise ``TransformError`` at the first unsupported construct of the program."""
    args = program.parsed.node.args
    if args.vararg or args.kwarg:  # (a helper's are bound at its call: inline.py)
        node = args.vararg or args.kwarg
        raise error(program.parsed, node, "*args/**kwargs parameters of the differentiated "
                    "function are compiled per call arity only by sx.grad, value_and_grad, "
                    "vjp, jvp, hvp and hessian (not jvp_fn or checkpoint=): "
                    "name its parameters here (helpers it calls may have them)",
                    "variadic parameter")
    check_function(program.parsed)
    return program


def scalar_result(program: Program) -> Program:
    """Reverse mode of a normalized program: a constant result that is not a number (a
    string, ``None``) can never be differentiated; say so now, naming what it returns."""
    result = program.result
    if isinstance(result, ast.Constant) and not isinstance(result.value, (int, float, complex)):
        raise ValueError(f"the function must return a scalar to take its gradient; "
                         f"{program.parsed.fn.__qualname__} returns a "
                         f"{type(result.value).__name__} ({result.value!r})")
    return program


def check_function(parsed: Parsed) -> None:
    """Raise ``TransformError`` at the first unsupported construct of ``parsed``."""
    fn = parsed.node
    if isinstance(fn, ast.AsyncFunctionDef):
        raise error(parsed, fn, "async functions cannot be differentiated")
    body = fn.body
    for stmt in body:
        _check_stmt(parsed, stmt)
    for node in walk(fn):
        if isinstance(node, ast.Return) and node.value is None:
            raise error(parsed, node, "every return must return the function's value",
                        "return without a value")
    if not _always_returns(body):
        last = body[-1] if body else fn
        raise error(parsed, last, "the function may end without returning a value",
                    "missing return")


def _always_returns(block: list[ast.stmt]) -> bool:
    if not block:
        return False
    last = block[-1]
    if isinstance(last, ast.Return):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return False


def is_no_grad_block(parsed: Parsed, stmt: ast.stmt) -> bool:
    """``with sx.no_grad():`` (the eager runtime's grad-mode switch, no ``as``)."""
    if not isinstance(stmt, ast.With) or len(stmt.items) != 1:
        return False
    item = stmt.items[0]
    call = item.context_expr
    if item.optional_vars is not None or not isinstance(call, ast.Call) or call.args \
            or call.keywords:
        return False
    from ..runtime.grad_mode import no_grad

    return Scope(parsed).resolve(call.func) is no_grad


def _check_stmt(parsed: Parsed, stmt: ast.stmt) -> None:
    if is_no_grad_block(parsed, stmt):
        for child in stmt.body:
            _check_stmt(parsed, child)
        return
    if not isinstance(stmt, STATEMENTS):
        raise error(parsed, stmt, f"{construct_name(stmt)} is not supported in transformed code")
    if isinstance(stmt, ast.Assign):
        for t in stmt.targets:
            _check_target(parsed, t)
    if isinstance(stmt, ast.AugAssign):
        _check_target(parsed, stmt.target)
    if isinstance(stmt, (ast.For, ast.While)) and stmt.orelse:
        kind = "for" if isinstance(stmt, ast.For) else "while"
        raise error(parsed, stmt, f"a {kind} loop with an else clause is not supported",
                    f"{kind}-else")
    if isinstance(stmt, ast.For):
        _check_target(parsed, stmt.target)
    for child in ast.iter_child_nodes(stmt):
        if isinstance(child, ast.expr) and not (isinstance(stmt, ast.For)
                                                and child is stmt.target):
            _check_expr(parsed, child)
        elif isinstance(child, ast.stmt):
            _check_stmt(parsed, child)


def _check_target(parsed: Parsed, target: ast.expr) -> None:
    if isinstance(target, ast.Name):
        return
    if isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            if isinstance(e, (ast.Tuple, ast.List)):
                _check_target(parsed, e)
            elif not isinstance(e, ast.Name):
                raise error(parsed, e, "only names can be unpacked into", "unpacking target")
        return
    if isinstance(target, ast.Subscript):
        if not isinstance(target.value, ast.Name):
            raise error(parsed, target, "only writes into a named array (out[i] = ...) are "
                        "supported", "subscript assignment")
        return
    if isinstance(target, ast.Attribute):
        raise error(parsed, target, "assignment to an attribute is not supported",
                    "attribute assignment")
    raise error(parsed, target, "this assignment target is not supported")


def _check_expr(parsed: Parsed, expr: ast.AST) -> None:
    call_stars: set[int] = set()  # f(*xs), [*xs]: normalize.py expands or refuses it, located
    for node in walk(expr):
        if isinstance(node, CONTEXTS) or id(node) in call_stars:
            continue
        if isinstance(node, ast.Call):
            call_stars |= {id(a) for a in node.args if isinstance(a, ast.Starred)}
        if isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load):
            call_stars |= {id(e) for e in node.elts if isinstance(e, ast.Starred)}
        if not isinstance(node, EXPRESSIONS):
            raise error(parsed, node,
                        f"{construct_name(node)} is not supported in transformed code")
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_BUILTINS:
                raise error(parsed, node, f"{node.func.id}() runs code srcxform cannot see",
                            f"{node.func.id}()")
            for kw in node.keywords:
                if kw.arg is None and not isinstance(kw.value, ast.Name):
                    raise error(parsed, kw.value, "**kwargs in a call are supported only of "
                                "a name (f(**options))", "double-starred argument")
