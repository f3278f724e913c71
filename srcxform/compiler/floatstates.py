"""Loop states that stay Python floats: a proof by the types of their updates.

A loop's tape of floats (listtapes.py) needs no test per step where the value
it saves is a ``float`` on every step once it is one at the loop's start.
:func:`stays_float` decides that from the loop body alone, assuming nothing
about any other name: walking the body's statements in order, a name is known
to hold exactly a ``float`` (never a subclass, ``np.float64``, ``int`` or
``complex``) after

* ``v = e`` or ``v op= e`` where ``e`` is built only from known floats, float
  literals, ``+ - * / // %`` of two operands that are known floats or one a
  known float and the other an ``int`` literal, unary ``+``/``-`` of a known
  float, ``a ** k`` with ``a`` a known float and ``k`` an ``int`` literal, and
  calls of the functions of :mod:`math` that always return a ``float``
  (whatever their arguments; they raise otherwise);

and any other statement forgets every name it assigns.  An expression with a
walrus (``:=``) anywhere is never known.  The value is known at its push and
at the end of the body: so by induction it is a float at every push when it
is one when the loop starts.  (Python's float arithmetic closes over floats:
``float ∘ float`` and ``float ∘ int`` give a float or raise.)
"""

from __future__ import annotations

import ast
import math

from .astutil import names_stored
from .env import Env

#: Functions of ``math`` whose result is a ``float`` for every argument they accept.
FLOAT_FUNCTIONS = tuple(getattr(math, name) for name in (
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cos", "cosh", "degrees",
    "erf", "erfc", "exp", "expm1", "fabs", "fmod", "gamma", "hypot", "lgamma", "log",
    "log10", "log1p", "log2", "pow", "radians", "sin", "sinh", "sqrt", "tan", "tanh",
    "copysign"))

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)


def stays_float(body: list[ast.stmt], value: str, at: ast.stmt, env: Env) -> bool:
    """``value`` is a float at statement ``at`` of ``body`` and after ``body`` whenever it
    is one before ``body`` (see the module docstring)."""
    floats = {value}
    seen = False
    for stmt in body:
        if stmt is at:
            if value not in floats:
                return False
            seen = True
        target, known = None, False
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            target, known = stmt.targets[0].id, _is_float(stmt.value, floats, env)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
            known = _is_float(ast.BinOp(ast.Name(target, ast.Load()), stmt.op, stmt.value),
                              floats, env)
        floats -= names_stored(stmt)
        if target is not None and known:
            floats.add(target)
    return seen and value in floats


def _is_float(node: ast.expr, floats: set[str], env: Env) -> bool:
    """``node`` evaluates to exactly a ``float`` (or raises) when ``floats`` hold floats."""
    if any(isinstance(n, ast.NamedExpr) for n in ast.walk(node)):
        return False
    return _known(node, floats, env)


def _int_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _known(node: ast.expr, floats: set[str], env: Env) -> bool:
    if isinstance(node, ast.Constant):
        return type(node.value) is float
    if isinstance(node, ast.Name):
        return node.id in floats
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.UAdd, ast.USub)) and _known(node.operand, floats, env)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            return _known(node.left, floats, env) and _int_literal(node.right)
        if not isinstance(node.op, _ARITHMETIC):
            return False
        left, right = _known(node.left, floats, env), _known(node.right, floats, env)
        return (left and (right or _int_literal(node.right))) \
            or (right and _int_literal(node.left))
    if isinstance(node, ast.Call):
        return not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args) \
            and _is_float_function(env.resolve(node.func))
    return False


def _is_float_function(obj: object) -> bool:
    return any(obj is f for f in FLOAT_FUNCTIONS)
