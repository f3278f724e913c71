"""Steps that stop the gradient of real values but are not constant for complex ones.

``np.sign`` is piecewise constant on real numbers, so its derivative is zero
and the table lists it among the functions that stop the gradient; but for a
complex ``z`` (NumPy 2) it is ``z / |z|``, which is not holomorphic and not
constant: a zero derivative there would be a silently wrong gradient.  After
:func:`check_complex_steps`, each ``s = np.sign(x)`` whose argument depends
on a differentiated value is preceded by ``refuse_complex(x, "np.sign(...)")``
(``rules/complexes.py``): nothing for real ``x`` (two type tests), the
located ``ComplexDerivativeError`` naming ``np.sign`` and the user's argument
for a complex one, as for every other non-holomorphic step.  The check is a
call made for its effect, so no later pass drops it as dead, even when the
sign's value is never read again.
"""

from __future__ import annotations

import ast

import numpy as np

from ..rules.complexes import refuse_complex
from . import anno
from .astutil import BLOCK_FIELDS
from .program import Program

#: Functions that stop the gradient of real values only (their complex names).
NOT_CONSTANT_WHEN_COMPLEX = {id(np.sign): "np.sign"}


def check_complex_steps(program: Program) -> Program:
    """Write the checks (see the module docstring).

    Reads ``body``, ``varied`` and ``env``; sets ``body``.
    """
    if program.env is not None and program.varied:
        program.body = _block(program.body, program)
    return program


def _block(stmts: list[ast.stmt], program: Program) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in stmts:
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                setattr(stmt, field, _block(inner, program))
        check = _check(stmt, program)
        if check is not None:
            out.append(check)
        out.append(stmt)
    return out


def _check(stmt: ast.stmt, program: Program) -> ast.stmt | None:
    """``refuse_complex(x, "np.sign(z)")`` before ``s = np.sign(x)`` of a varied ``x``."""
    if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)
            and stmt.value.args and not anno.get(stmt, anno.NOGRAD, False)):
        return None
    call = stmt.value
    name = NOT_CONSTANT_WHEN_COMPLEX.get(id(anno.get(call, anno.CALLEE)))
    argument = call.args[0]
    if name is None or not (isinstance(argument, ast.Name) and argument.id in program.varied):
        return None
    node = anno.get(call, anno.NODE, call)
    shown = ast.unparse(node.args[0]) if isinstance(node, ast.Call) and node.args \
        else argument.id
    what = f"{name}({shown})"
    helper = program.env.ref(refuse_complex, "refuse_complex")
    check = ast.Expr(ast.Call(ast.Name(helper, ast.Load()),
                              [ast.Name(argument.id, ast.Load()), ast.Constant(what)], []))
    anno.set(check, anno.LINE, anno.get(stmt, anno.LINE))
    anno.set(check.value, anno.NODE, node)
    anno.set(check.value, anno.CALLEE, refuse_complex)
    if getattr(node, "lineno", 0):
        anno.set(check, anno.ORIGIN, (node.lineno, node.col_offset, f"{name}()"))
    return check
