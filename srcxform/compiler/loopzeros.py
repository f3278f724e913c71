"""A zero array made in a loop from a shape the compiler knows: ``np.zeros``, not ``zeros_like``.

``np.zeros_like(e)`` of a small array costs about seven times what
``np.zeros(shape, e.dtype)`` does (it allocates like ``e`` and then fills);
in a loop the backward sweep pays it at every step, for the adjoint that a
slice or an element of ``e`` accumulates into.  After
:func:`zeros_of_known_shape`, every ``np.zeros_like(e)`` (one argument, no
keyword; or ``np.zeros_like(e, d)`` with a name ``d`` that holds None or a type,
``widen.py``, then ``np.zeros(S, d or e.dtype)``) inside a loop body is
``np.zeros(S, e.dtype)`` when:

* ``e`` is a name whose shape ``S`` is trusted wherever it is read, of rank 1
  or more;
* every binding of ``e`` in the function is a call of a NumPy ufunc or of one
  of :data:`ARRAY_MAKERS` (each returns an ndarray, or a subclass, for a
  result of rank 1 or more: so ``e`` has a ``dtype``), a tape's save or restore
  of ``e`` (a value ``e`` had), or ``e = None`` (the tape pass's placeholder
  of a name first bound in a loop; a plain ``zeros_like`` never sees it, the
  reverse pass writes ``zeros_like_or_none`` where it could).

``np.zeros(S, e.dtype)`` is then an array of ``e``'s shape and dtype filled
with zeros, as ``np.zeros_like(e)`` was (a subclass of ndarray comes back as
an ndarray: the adjoint buffer is only written into and read from).
"""

from __future__ import annotations

import ast

import numpy as np

from . import anno
from .astutil import BLOCK_FIELDS, LOOPS, has_loop, walk_stmts
from .env import Env
from .program import Program

#: NumPy functions (besides ufuncs) whose result of rank 1 or more is an ndarray.
ARRAY_MAKERS = frozenset({id(f) for f in (
    np.concatenate, np.stack, np.hstack, np.vstack, np.column_stack, np.array, np.asarray,
    np.zeros, np.ones, np.empty, np.full, np.outer, np.matmul, np.dot, np.inner,
    np.tensordot, np.where, np.clip, np.cumsum, np.diff, np.roll, np.tile, np.repeat,
    np.reshape, np.transpose, np.ravel, np.zeros_like, np.ones_like, np.full_like,
    np.empty_like, np.sum, np.mean, np.prod, np.max, np.min)})


def zeros_of_known_shape(program: Program) -> Program:
    """Rewrite ``np.zeros_like`` in loops (see the module docstring).

    Reads ``body``, ``env`` and ``trusted_shapes``; sets ``body``.
    """
    if not has_loop(program.body):  # (only loops are rewritten)
        return program
    env = program.env
    arrays = _array_names(program.body, env, set(program.trusted_shapes))
    shapes = {n: s for n, s in program.trusted_shapes.items() if n in arrays and len(s) >= 1}
    if shapes:
        _Rewrite(env, shapes).block(program.body, False)
    return program


def _array_names(body: list[ast.stmt], env: Env, candidates: set[str]) -> set[str]:
    """The names among ``candidates`` every binding of which gives an array (docstring)."""
    bad: set[str] = set()
    for stmt in walk_stmts(body):
        if isinstance(stmt, ast.For):
            bad |= {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
            continue
        if anno.get(stmt, anno.TAPE) is not None:
            continue  # (a save or a restore: a value the name had)
        if isinstance(stmt, ast.Assign):
            single = len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            if single and _makes_array(stmt.value, env):
                continue
            if single and isinstance(stmt.value, ast.Constant) and stmt.value.value is None:
                continue
            for target in stmt.targets:
                bad |= {n.id for n in ast.walk(target)
                        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            if isinstance(stmt.target, ast.Name):
                bad.add(stmt.target.id)
        elif not isinstance(stmt, (ast.Expr, ast.If, ast.While, ast.Pass)):
            bad |= {n.id for n in ast.walk(stmt)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for node in ast.walk(stmt):  # (walrus, comprehension targets)
            if isinstance(node, ast.NamedExpr):
                bad.add(node.target.id)
    return candidates - bad


def _makes_array(value: ast.expr, env: Env) -> bool:
    """``value`` is a call of a NumPy ufunc or of one of :data:`ARRAY_MAKERS`."""
    if not isinstance(value, ast.Call):
        return False
    fn = env.resolve(value.func)
    return isinstance(fn, np.ufunc) or id(fn) in ARRAY_MAKERS


class _Rewrite(ast.NodeTransformer):
    """The rewrite of the statements inside loops."""

    def __init__(self, env: Env, shapes: dict[str, tuple[int, ...]]) -> None:
        self.env = env
        self.shapes = shapes

    def block(self, stmts: list[ast.stmt], in_loop: bool) -> None:
        for stmt in stmts:
            if in_loop:
                for field in stmt._fields:
                    if field not in BLOCK_FIELDS and isinstance(getattr(stmt, field), ast.AST):
                        setattr(stmt, field, self.visit(getattr(stmt, field)))
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None)
                if inner:
                    self.block(inner, in_loop or isinstance(stmt, LOOPS))

    def visit_Call(self, node: ast.Call) -> ast.expr:
        """``np.zeros(S, e.dtype)`` for a qualifying ``np.zeros_like(e)``."""
        self.generic_visit(node)
        if not (len(node.args) in (1, 2) and not node.keywords
                and (len(node.args) == 1 or isinstance(node.args[1], ast.Name))
                and isinstance(node.args[0], ast.Name) and node.args[0].id in self.shapes
                and self.env.resolve(node.func) is np.zeros_like):
            return node
        name = node.args[0].id
        shape = self.shapes[name]
        dims: ast.expr = ast.Constant(shape[0]) if len(shape) == 1 else \
            ast.Tuple([ast.Constant(n) for n in shape], ast.Load())
        np_name = self.env.ref(np, "np")
        dtype: ast.expr = ast.Attribute(ast.Name(name, ast.Load()), "dtype", ast.Load())
        if len(node.args) == 2:  # np.zeros_like(e, d): d or e's dtype (d is None or a type)
            dtype = ast.BoolOp(ast.Or(), [node.args[1], dtype])
        new = ast.Call(ast.Attribute(ast.Name(np_name, ast.Load()), "zeros", ast.Load()),
                       [dims, dtype], [])
        return ast.fix_missing_locations(ast.copy_location(new, node))
