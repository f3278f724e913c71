"""Loop states that stay Python floats: a proof by the types of their updates.

A loop's tape of floats (listtapes.py) holds exactly what the list it replaces
held only if every value pushed is exactly a ``float`` (never a subclass,
``np.float64``, ``int`` or ``complex``: a Python float divided by ``0.0``
raises where an ``np.float64`` gives ``inf``).  :func:`float_support`
decides that from the loop body alone.  Walking the body's statements in
order, each name gets a *support*: the names whose values on entry to the
step make it exactly a ``float`` when they are floats, or ``None`` (not
known).  A name not yet assigned in the step supports itself; after

* ``v = e`` or ``v op= e``, ``v`` has the support of ``e``, where ``e`` is built
  only from names, float literals, ``+ - * / // %`` of two operands of known
  support or of one and an ``int`` literal, unary ``+``/``-``, ``a ** k`` with
  ``k`` an ``int`` literal (the union of the operands' supports), and calls of
  the functions of :mod:`math` that always return a ``float`` (support empty:
  whatever their arguments; they raise otherwise);
* any other statement, every name it assigns is not known.

An expression with a walrus (``:=``) anywhere is never known.  The result is
the smallest set of names holding the value's support at its push and, for
each name of it the body assigns, that name's support at the end of the body
(so it is a float again on the next step): when each is a ``float`` on entry
to the loop, by induction the value is a float at every push.  (Python's float
arithmetic closes over floats: ``float op float`` and ``float op int`` give a
float or raise.)  The generated code tests those names once, before the loop.
"""

from __future__ import annotations

import ast
import math

from .astutil import names_stored
from .env import Env

#: Functions of ``math`` whose result is a ``float`` for every argument they accept.
FLOAT_FUNCTIONS = tuple(getattr(math, name) for name in (
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "copysign", "cos", "cosh",
    "degrees", "erf", "erfc", "exp", "expm1", "fabs", "fmod", "gamma", "hypot", "lgamma",
    "log", "log10", "log1p", "log2", "pow", "radians", "sin", "sinh", "sqrt", "tan", "tanh"))

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)

Support = frozenset[str] | None


def float_support(body: list[ast.stmt], value: str, at: ast.stmt, env: Env
                  ) -> list[str] | None:
    """The names that, floats on entry to the loop whose body is ``body``, make ``value``
    a float at statement ``at`` on every step (sorted, ``value`` first), or ``None``
    (see the module docstring)."""
    known: dict[str, Support] = {}
    at_push: Support = None
    for stmt in body:
        if stmt is at:
            at_push = _support_of_name(value, known)
        target, support = None, None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            target, support = stmt.targets[0].id, _support(stmt.value, known, env)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
            support = _support(ast.BinOp(ast.Name(target, ast.Load()), stmt.op, stmt.value),
                               known, env)
        for name in names_stored(stmt):
            known[name] = None
        if target is not None:
            known[target] = support
    if at_push is None:
        return None
    needed, todo = set(at_push), list(at_push)
    while todo:
        name = todo.pop()
        if name in known:  # assigned in the body: a float again at its end
            again = known[name]
            if again is None:
                return None
            todo.extend(again - needed)
            needed |= again
    return sorted(needed, key=lambda n: (n != value, n))


def _support_of_name(name: str, known: dict[str, Support]) -> Support:
    return known[name] if name in known else frozenset((name,))


def _support(node: ast.expr, known: dict[str, Support], env: Env) -> Support:
    if any(isinstance(n, ast.NamedExpr) for n in ast.walk(node)):
        return None
    return _of(node, known, env)


def _int_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


def _of(node: ast.expr, known: dict[str, Support], env: Env) -> Support:
    if isinstance(node, ast.Constant):
        return frozenset() if type(node.value) is float else None
    if isinstance(node, ast.Name):
        return _support_of_name(node.id, known)
    if isinstance(node, ast.UnaryOp):
        return _of(node.operand, known, env) if isinstance(node.op, (ast.UAdd, ast.USub)) \
            else None
    if isinstance(node, ast.BinOp):
        left = _of(node.left, known, env)
        if isinstance(node.op, ast.Pow):
            return left if _int_literal(node.right) else None
        if not isinstance(node.op, _ARITHMETIC):
            return None
        right = _of(node.right, known, env)
        if left is not None and right is not None:
            return left | right
        if left is not None and _int_literal(node.right):
            return left
        if right is not None and _int_literal(node.left):
            return right
        return None
    if isinstance(node, ast.Call):
        fn = env.resolve(node.func)
        if not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args) \
                and any(fn is f for f in FLOAT_FUNCTIONS):
            return frozenset()
        return None
    return None
