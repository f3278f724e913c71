"""Values control flow chooses, as the normalizer flattens them (``normalize.py``).

After :func:`branch_value`, ``body if test else orelse`` is an ``if`` statement on an
atom that assigns one fresh temporary in each branch (kept one name: ``fixed``), and
the temporary is the expression's atom.  After :func:`bool_value`, ``a and b`` /
``a or b`` is the same with Python's short circuit and value semantics: the temporary
holds ``a``, and only the branch that would evaluate ``b`` does so and assigns it.
:func:`branch_test` gives the atom an ``if`` tests: one that nothing reassigns while the
backward sweep may still read it.  ``norm`` is the normalizer (``normalize._Normalizer``:
its ``atom``, ``emit``, ``temp``, ``out``, ``namer``, ``fixed`` and ``generated``).
"""

from __future__ import annotations

import ast
from typing import Any


def branch_test(norm: Any, test: ast.expr) -> ast.expr:
    """The atom an ``if`` tests: a name that nothing reassigns while the backward sweep
    may still need it (a variable that changes gets copied into a fresh one first)."""
    if isinstance(test, ast.Name) and test.id in norm.fixed:
        return norm.temp("cond", ast.Name(test.id, ast.Load()))
    return test


def branch_value(norm: Any, test: ast.expr, body: ast.expr, orelse: ast.expr,
                 base: str) -> ast.Name:
    """``body if test else orelse`` as an ``if`` statement assigning a temporary."""
    cond = branch_test(norm, norm.atom(test))
    name = norm.namer.fresh(base)
    norm.fixed.add(name)
    norm.generated.add(name)
    branches = []
    for expr in (body, orelse):
        saved, norm.out = norm.out, []
        value = norm.atom(expr)
        norm.emit(ast.Assign([ast.Name(name, ast.Store())], value))
        branches.append(norm.out)
        norm.out = saved
    norm.emit(ast.If(cond, branches[0], branches[1]))
    return ast.Name(name, ast.Load())


def bool_value(norm: Any, node: ast.BoolOp) -> ast.Name:
    """``a and b`` / ``a or b`` with Python's short-circuit and value semantics."""
    name = norm.namer.fresh("both" if isinstance(node.op, ast.And) else "either")
    norm.fixed.add(name)
    norm.generated.add(name)
    first = norm.atom(node.values[0])
    norm.emit(ast.Assign([ast.Name(name, ast.Store())], first))
    rest = node.values[1:]
    if not rest:
        return ast.Name(name, ast.Load())
    saved, norm.out = norm.out, []
    tail = ast.BoolOp(node.op, rest) if len(rest) > 1 else rest[0]
    value = norm.atom(tail)
    norm.emit(ast.Assign([ast.Name(name, ast.Store())], value))
    inner, norm.out = norm.out, saved
    test = branch_test(norm, ast.Name(name, ast.Load()))
    if isinstance(node.op, ast.And):
        norm.emit(ast.If(test, inner, []))
    else:
        norm.emit(ast.If(test, [ast.Pass()], inner))
    return ast.Name(name, ast.Load())
