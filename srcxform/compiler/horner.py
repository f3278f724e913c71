"""Polynomial adjoints in Horner form, evaluated in place.

After :func:`horner`, a run of backward statements that builds one adjoint
as a polynomial in one name,

    bx = 1.0 + 4.0 * x
    bx = bx + 9.0 * x ** 2

(the gradient of ``np.sum(3 * x**3 + 2 * x**2 + x)``), is written the way a
hand-writer evaluates it: one new array, then updates in place,

    bx = 9.0 * x
    bx += 4.0
    bx *= x
    bx += 1.0

The run is a statement ``b = p`` then statements ``b = b + q`` (or ``-``),
consecutive in one block, ``p`` and ``q`` sums of numbers times
non-negative integer powers (up to :data:`MAX_DEGREE`) of one name ``x``
that is not ``b``.  It is rewritten when its degree is at least 2 and
the Horner form takes no more operations than the run (a run of two or more
statements of degree 1 becomes ``b = a_1 * x + a_0``): every operation
then touches the array once, and only the first allocates.  The values are
the polynomial's, up to rounding (Horner's rule is the better-conditioned
of the two).

Also, the degree-one case across two statements: ``b = b - s * c2`` where
``s = b * c1`` was computed from the same ``b`` (the backward step of an
explicit Euler update ``x = x + h * (f(x) - c * x)``) is ``b = b * (1 - c1
c2)``, one operation instead of two.
"""

from __future__ import annotations

import ast

from . import anno
from .astutil import BLOCK_FIELDS, names_stored, walk

#: The highest power a rewritten polynomial may have.
MAX_DEGREE = 6

Number = int | float


def horner(body: list[ast.stmt]) -> None:
    """Rewrite every polynomial run of ``body`` and its nested blocks (module docstring)."""
    _scaled_updates(body)
    i = 0
    while i < len(body):
        stmt = body[i]
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                horner(inner)
        run = _run(body, i)
        if run is None:
            i += 1
            continue
        end, target, base, coefficients, cost = run
        new = _statements(target, base, coefficients)
        if len(new) > cost:
            i += 1
            continue
        line = anno.get(stmt, anno.LINE)
        for s in new:
            anno.set(s, anno.LINE, line)
            anno.set(s, anno.GRAD, True)
        body[i:end] = new
        i += len(new)


def _run(body: list[ast.stmt], i: int):
    """``(end, b, x, coefficients, operations)`` of the run starting at ``body[i]``."""
    target = _assigned_name(body[i])
    if target is None:
        return None
    found = _polynomial(body[i].value, None)
    if found is None:
        return None
    base, coefficients = found
    cost = _operations(body[i].value)
    end = i + 1
    while end < len(body):
        stmt = body[end]
        if _assigned_name(stmt) != target:
            break
        value = stmt.value
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))
                and isinstance(value.left, ast.Name) and value.left.id == target):
            break
        more = _polynomial(value.right, base)
        if more is None:
            break
        base = more[0] if base is None else base
        sign = 1 if isinstance(value.op, ast.Add) else -1
        for k, c in more[1].items():
            coefficients[k] = coefficients.get(k, 0) + sign * c
        cost += _operations(value)
        end += 1
    if base is None or base == target:
        return None
    coefficients = {k: c for k, c in coefficients.items() if c != 0}
    degree = max(coefficients, default=0)
    if degree == 1 and end > i + 1 or degree >= 2 and len(coefficients) >= 2:
        return end, target, base, coefficients, cost
    return None


def _assigned_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], ast.Name) and anno.get(stmt, anno.GRAD, False):
        return stmt.targets[0].id
    return None


def _operations(node: ast.expr) -> int:
    return sum(isinstance(n, (ast.BinOp, ast.UnaryOp)) for n in walk(node))


def _number(node: ast.expr) -> Number | None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _polynomial(node: ast.expr, base: str | None) -> tuple[str | None, dict[int, Number]] | None:
    """``(x, {k: c})`` for a sum of terms ``c * x ** k`` (``base``: the ``x`` it must be)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        left = _polynomial(node.left, base)
        if left is None:
            return None
        right = _polynomial(node.right, base if base is not None else left[0])
        if right is None:
            return None
        name = left[0] if left[0] is not None else right[0]
        sign = 1 if isinstance(node.op, ast.Add) else -1
        total = dict(left[1])
        for k, c in right[1].items():
            total[k] = total.get(k, 0) + sign * c
        return name, total
    term = _monomial(node, base)
    if term is None:
        return None
    name, power, coefficient = term
    return name, {power: coefficient}


def _monomial(node: ast.expr, base: str | None) -> tuple[str | None, int, Number] | None:
    """``(x, k, c)`` for ``c * x ** k`` (``x``, ``c * x``, ``x * c``, ``-m``, a number)."""
    number = _number(node)
    if number is not None:
        return base, 0, number
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _monomial(node.operand, base)
        return None if inner is None else (inner[0], inner[1], -inner[2])
    if isinstance(node, ast.Name):
        return (node.id, 1, 1) if base in (None, node.id) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) \
            and isinstance(node.left, ast.Name) and base in (None, node.left.id):
        power = _number(node.right)
        if type(power) is int and 0 <= power <= MAX_DEGREE:
            return node.left.id, power, 1
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for factor, rest in ((node.left, node.right), (node.right, node.left)):
            c = _number(factor)
            if c is not None:
                inner = _monomial(rest, base)
                if inner is not None:
                    return inner[0], inner[1], c * inner[2]
    return None


def _statements(target: str, base: str, coefficients: dict[int, Number]) -> list[ast.stmt]:
    """``target = a_d * x`` then ``target += a_k`` / ``target *= x`` down to ``a_0`` (of
    degree 1: ``target = a_1 * x + a_0`` in one statement)."""
    degree = max(coefficients)
    if degree == 1:
        a1 = coefficients[1]
        x = ast.Name(base, ast.Load())
        # (never ``x`` itself: the adjoint must be an array of its own, not the argument)
        value: ast.expr = ast.UnaryOp(ast.USub(), x) if a1 == -1 else \
            ast.BinOp(ast.Constant(a1), ast.Mult(), x)
        if coefficients.get(0, 0) != 0:
            c = coefficients[0]
            value = ast.BinOp(value, ast.Add() if c > 0 else ast.Sub(), ast.Constant(abs(c)))
        return [ast.Assign([ast.Name(target, ast.Store())], value)]
    steps: list[tuple[type, Number | None]] = []
    for k in range(degree - 1, -1, -1):
        steps.append((ast.Mult, None))
        if coefficients.get(k, 0) != 0:
            steps.append((ast.Add, coefficients[k]))
    lead = coefficients[degree]
    x = ast.Name(base, ast.Load())
    if lead == 1:
        steps.pop(0)  # 1 * x is x itself: the step after it makes the new array
        op, c = steps.pop(0)
        first: ast.expr = _apply(x, op, c, base)
    elif lead == -1:
        steps.pop(0)
        first = ast.UnaryOp(ast.USub(), x)
    else:
        steps.pop(0)
        first = ast.BinOp(ast.Constant(lead), ast.Mult(), x)
    out: list[ast.stmt] = [ast.Assign([ast.Name(target, ast.Store())], first)]
    for op, c in steps:
        if op is ast.Mult:
            out.append(ast.AugAssign(ast.Name(target, ast.Store()), ast.Mult(),
                                     ast.Name(base, ast.Load())))
        else:
            sign = ast.Add() if c > 0 else ast.Sub()
            out.append(ast.AugAssign(ast.Name(target, ast.Store()), sign, ast.Constant(abs(c))))
    return out


def _apply(value: ast.expr, op: type, c: Number | None, base: str) -> ast.expr:
    if op is ast.Mult:
        return ast.BinOp(value, ast.Mult(), ast.Name(base, ast.Load()))
    sign = ast.Add() if c > 0 else ast.Sub()
    return ast.BinOp(value, sign, ast.Constant(abs(c)))


def _scaled_updates(body: list[ast.stmt]) -> None:
    """``s = b * c1`` ... ``b = b - s * c2`` as ``b = b * (1 - c1 c2)`` (module docstring)."""
    scaled: dict[str, tuple[str, Number]] = {}  # s -> (b, c1), while both hold
    for stmt in body:
        target = _assigned_name(stmt)
        if target is not None:
            update = _scaled_update(stmt.value, target, scaled)
            if update is not None:
                stmt.value = update
        changed = names_stored(stmt)
        if not isinstance(stmt, ast.Assign) or changed != {target}:
            scaled.clear()  # a compound statement, a write into an array: start afresh
        scaled = {s: v for s, v in scaled.items() if s not in changed and v[0] not in changed}
        if target is not None:
            product = _monomial(stmt.value, None)
            if product is not None and product[1] == 1 and product[0] not in (None, target):
                scaled[target] = (product[0], product[2])


def _scaled_update(value: ast.expr, target: str,
                   scaled: dict[str, tuple[str, Number]]) -> ast.expr | None:
    if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))
            and isinstance(value.left, ast.Name) and value.left.id == target):
        return None
    term = _monomial(value.right, None)
    if term is None or term[1] != 1 or term[0] not in scaled:
        return None
    base, c1 = scaled[term[0]]
    if base != target:
        return None
    sign = 1 if isinstance(value.op, ast.Add) else -1
    factor = 1 + sign * c1 * term[2]
    return ast.BinOp(ast.Name(target, ast.Load()), ast.Mult(), ast.Constant(float(factor)))
