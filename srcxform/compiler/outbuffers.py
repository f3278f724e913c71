"""A unary ufunc of a fresh floating-point temporary writes its result into it.

After :func:`ufuncs_into_temporaries`, a statement ``v = f(e)`` — ``f`` one of
:data:`SAME_DTYPE` (``np.exp``, ``np.tanh``, ...), called with ``e`` alone;
``e`` an arithmetic operation whose result is floating point whatever its
operands hold (a true division, or ``+``, ``-``, ``*`` with a Python float
constant operand); ``v`` a name of rank 1 or more wherever it is read — is

    v = e
    f(v, out=v)

as a hand-writer spells ``t = np.tanh(-0.5 * z)``: the temporary ``e`` is a
new array no one else refers to, and ``f`` gives an array of its shape and
dtype (floating point in, the same floating point out; complex likewise;
an object array stays one), so writing into it gives ``v`` the value it had,
with one allocation less.  Whatever ``v`` held before is not touched (``v``
is bound to the new array first).  The pass runs last, after the tapes, so
no pass after it reads the write.
"""

from __future__ import annotations

import ast

import numpy as np

from . import anno
from .astutil import BLOCK_FIELDS, store_counts
from .env import Env
from .program import Program

#: Unary ufuncs whose result has their floating-point (or complex) operand's dtype.
SAME_DTYPE = frozenset({id(f) for f in (
    np.exp, np.expm1, np.exp2, np.log, np.log1p, np.log2, np.log10, np.sin, np.cos, np.tan,
    np.sinh, np.cosh, np.tanh, np.arctan, np.arcsinh, np.sqrt, np.square, np.negative)})
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult)


def ufuncs_into_temporaries(program: Program) -> Program:
    """Rewrite the statements described in the module docstring.

    Reads ``body``, ``env``, ``trusted_patterns`` and ``exact_patterns``; sets ``body``.
    """
    once = {n for n, c in store_counts(program.body).items() if c == 1}
    arrays = {n for n, s in program.trusted_patterns.items() if len(s) >= 1}
    arrays |= {n for n, s in program.exact_patterns.items() if len(s) >= 1 and n in once}
    if arrays:
        program.body = _block(program.body, program.env, arrays)
    return program


def _block(body: list[ast.stmt], env: Env, arrays: set[str]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in body:
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                setattr(stmt, field, _block(inner, env, arrays))
        out.extend(_rewrite(stmt, env, arrays) or [stmt])
    return out


def _rewrite(stmt: ast.stmt, env: Env, arrays: set[str]) -> list[ast.stmt] | None:
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in arrays
            and isinstance(stmt.value, ast.Call) and len(stmt.value.args) == 1
            and not stmt.value.keywords and _float_temporary(stmt.value.args[0])):
        return None
    call = stmt.value
    if id(env.resolve(call.func)) not in SAME_DTYPE:
        return None
    name = stmt.targets[0].id
    bind = ast.Assign([ast.Name(name, ast.Store())], call.args[0])
    apply = ast.Expr(ast.Call(call.func, [ast.Name(name, ast.Load())],
                              [ast.keyword("out", ast.Name(name, ast.Load()))]))
    anno.copy_all(stmt, bind)
    anno.copy_all(stmt, apply)
    return [bind, apply]


def _float_temporary(node: ast.expr) -> bool:
    """``node`` makes a new value that is floating point (or complex, or an object
    array) whatever its operands: ``a / b``, or ``a op c`` / ``c op a`` with ``c`` a
    Python float and ``op`` one of ``+ - *``."""
    if not isinstance(node, ast.BinOp):
        return False
    if isinstance(node.op, ast.Div):
        return True
    return isinstance(node.op, _ARITHMETIC) and any(
        isinstance(side, ast.Constant) and type(side.value) is float
        for side in (node.left, node.right))
