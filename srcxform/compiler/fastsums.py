"""Sums along one axis of a matrix as one matrix-vector product.

NumPy reduces ``a.sum(axis=1)`` of an ``(m, k)`` array row by row, paying a
fixed cost per row: for a 128 × 10 array that is about 2.7 µs, where
``a.dot(ones)`` — one BLAS matrix-vector product with a vector of ``k`` ones —
takes about 0.5 µs; ``a.sum(axis=0)`` likewise pays per row, and is
``ones.dot(a)``.  Softmax, log-sum-exp, normalisations and the adjoints of
broadcast additions (``b`` of ``X @ W + b``) all reduce along one axis of a
matrix like this.

After :func:`fast_sums`, every call ``a.sum(axis=A)`` or ``a.sum(axis=A,
keepdims=K)`` (or ``np.sum(a, ...)``; ``A`` and ``K`` constants, no other
argument) whose operand is a name of rank 2 (its shape after its last
assignment, or, for ``A`` negative, wherever it is read) is ``sum_rows(a)``
/ ``sum_columns(a)`` (with ``keepdims=K`` kept), for ``A`` the last / first
axis; a row sum only when the rows have at most :data:`MAX_ROW` elements
(longer rows are summed pairwise by NumPy, more accurately than a dot
product, at no cost per row worth saving).

The helpers (``rules/reductions.py``, beside ``np.sum`` in the rule table, so
generated code differentiated again has their rules) give the call's value
whatever they are given: for an
``ndarray`` (exactly: no subclass) of rank 2 and of dtype float32, float64,
complex64 or complex128 (native byte order) they multiply by a read-only
vector of ones of the array's own dtype (cached per dtype and length), so
the result has the dtype ``a.sum`` gives; anything else goes to ``np.sum(a,
axis=..., keepdims=...)`` (which is ``a.sum(...)`` for an array or any value
with a ``sum`` method).  The sums are equal up to rounding (a dot product
adds in another order; an all-negative-zero row sums to ``0.0``, not
``-0.0``).  The pass runs last, after the tapes, so no other pass sees the
helpers.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from ..rules import reductions
from ..rules.reductions import sum_columns, sum_rows
from .astutil import walk_stmts
from .env import Env
from .program import Program

#: The longest rows summed by a dot product (NumPy sums longer ones pairwise).
MAX_ROW = reductions.SUM_ROWS_MAX


def fast_sums(program: Program) -> Program:
    """Rewrite the sums along one axis of matrices (see the module docstring).

    Reads ``body``, ``env`` and ``trusted_patterns`` and ``exact_patterns``; sets ``body``.
    """
    # (a shape only says where the rewrite pays: the helpers are right for any value,
    # given the axis as 0 or 1; -1 and -2 need the rank for certain)
    trusted = {n for n, s in program.trusted_patterns.items() if len(s) == 2}
    matrices = {n: (s, n in trusted) for n, s in program.exact_patterns.items() if len(s) == 2}
    matrices.update({n: (program.trusted_patterns[n], True) for n in trusted})
    if not matrices:
        return program
    names: dict[str, str] = {}

    def helper(fn: Any, preferred: str) -> str:
        if preferred not in names:
            names[preferred] = program.env.ref(fn, preferred)
        return names[preferred]

    for stmt in walk_stmts(program.body):
        for node in ast.walk(stmt):
            for field, value in ast.iter_fields(node):
                if isinstance(value, ast.Call):
                    new = _rewrite(value, matrices, helper, program.env)
                    if new is not None:
                        setattr(node, field, new)
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, ast.Call):
                            new = _rewrite(item, matrices, helper, program.env)
                            if new is not None:
                                value[i] = new
    return program


def _rewrite(call: ast.Call, matrices: dict[str, tuple[tuple[int, ...], bool]], helper: Any,
             env: Env) -> ast.Call | None:
    """``sum_rows(a, ...)`` / ``sum_columns(a, ...)`` for ``a.sum(axis=...)`` or
    ``np.sum(a, axis=...)``, or None."""
    func = call.func
    args = list(call.args)
    if isinstance(func, ast.Attribute) and func.attr == "sum" and env.resolve(func) is None:
        operand = func.value
    elif args and env.resolve(func) is np.sum:
        operand = args.pop(0)
    else:
        return None
    if not (isinstance(operand, ast.Name) and operand.id in matrices) or len(args) > 1:
        return None
    shape, certain = matrices[operand.id]
    axis: ast.expr | None = args[0] if args else None
    keepdims: list[ast.keyword] = []
    for kw in call.keywords:
        if kw.arg == "axis" and axis is None:
            axis = kw.value
        elif kw.arg == "keepdims" and isinstance(kw.value, ast.Constant) \
                and type(kw.value.value) is bool:
            if kw.value.value:
                keepdims = [ast.keyword("keepdims", ast.Constant(True))]
        else:
            return None
    if not (isinstance(axis, ast.Constant) and type(axis.value) is int
            and (0 <= axis.value <= 1 or certain and -2 <= axis.value < 0)):
        return None
    if axis.value % 2 == 1:
        if shape[1].__class__ is not int or shape[1] > MAX_ROW:  # (a Dim: any length)
            return None
        name = helper(sum_rows, "sum_rows")
    else:
        name = helper(sum_columns, "sum_columns")
    return ast.Call(ast.Name(name, ast.Load()), [ast.Name(operand.id, ast.Load())], keepdims)
