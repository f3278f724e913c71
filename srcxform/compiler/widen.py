"""Adjoint buffers that can hold complex cotangents of real values.

The backward sweep accumulates into buffers of zeros made like their primal
values (``bx = np.zeros_like(x)``, then ``bx[0:2] += ...``, also across loop
iterations).  A real value can receive a complex cotangent (``x[0:2] * 1j``;
a loop whose ``x`` turns complex in its second iteration), and NumPy would
drop the imaginary part writing it into a real buffer.  After
:func:`widen_adjoint_zeros`, every zero buffer the backward sweep of
``grad``/``value_and_grad``/``vjp`` allocates is given a dtype,
``adjoint_dtype``, bound once on entry (where the parameters still hold the
arguments) to ``complex_adjoints(<parameters>, inside=<bool>)``
(``support.py``; for ``vjp`` once more at the start of the backward sweep,
with the cotangent): ``None`` — each buffer has its value's dtype, exactly as
before, for a call that meets no complex value — or a complex type when an
argument (or the cotangent) is complex or the function makes complex values
itself (``complexity.py``: ``1j``, ``complex``, ``cmath``, a complex global,
``np.fft`` ...).  The rewritten spellings:

* ``b = np.zeros_like(e)`` directly followed by ``b[i] = g`` (``g`` a name
  that always holds an ndarray, ``e`` of a known shape ``S``) is
  ``b = np.zeros(S, adjoint_dtype or g.dtype)``: the dtype of what flows in,
  which for a real call is the value's own, so ``e`` need not be kept (nor
  taped in a loop) for its dtype alone (a type object is true);
* any other ``np.zeros_like(e)`` is ``np.zeros_like(e, adjoint_dtype)``
  (``loopzeros.py`` spells it ``np.zeros(S, adjoint_dtype or e.dtype)`` in
  loops);
* ``zeros_like_or_none(e)`` is ``zeros_like_or_none(e, adjoint_dtype)``;
* an adjoint that is updated in place (``b += e``, ``b[i] += v``, ``b *= x``:
  ``lower.py``) and bound otherwise than to such zeros (``b = 2.0 * x``) is
  followed by ``if adjoint_dtype is not None: b = widened(b, adjoint_dtype)``
  (``support.py``), so an update with a complex value has room for it (for a
  real call, one test) — in a sweep that has zero buffers, or in a function
  that makes complex values itself.  A sweep with accumulators only (the
  polynomial's ``bx = 9.0 * x; bx += 4.0; bx *= x``) is left alone unless it
  updates an element or slice in place (``by = 2.0 * y; by[0] += z0``, where
  NumPy would keep a complex ``z0``'s real part with only a ComplexWarning):
  checking the arguments would cost a small function a tenth of its time, and
  an accumulator there meets a complex value only from a complex argument
  that its first value does not already carry (a known gap: a whole-array
  update ``by += z`` raises NumPy's casting error).

A sweep with no zero buffer is left as it was (no binding).  The pass runs
after ``lower`` (whose patterns read one-argument ``np.zeros_like``) and
before the tapes are chosen; :func:`widen_accumulators`, the last item,
runs after them.
"""

from __future__ import annotations

import ast
import os

import numpy as np

from . import anno
from .astutil import BLOCK_FIELDS, names_and, walk, walk_stmts
from .complexity import mentions_complex
from .env import Env
from .loopzeros import ARRAY_MAKERS
from .program import Program
from .support import complex_adjoints, widened, zeros_like_or_none

_KINDS = ("grad", "value_and_grad", "vjp")
_CALLS = frozenset({ast.Call})


def widen_adjoint_zeros(program: Program) -> Program:
    """Give the backward sweep's zero buffers ``adjoint_dtype`` (see the module docstring).

    Reads ``kind``, ``body``, ``params``, ``statics``, ``seed``, ``trusted_shapes``,
    ``env``, ``namer`` and ``mentions_complex`` (optimize's: when False, nothing in the
    body is complex, which ``SRCXFORM_CHECK_ROUNDS=1`` checks); sets ``body``.
    """
    if program.kind not in _KINDS or program.env is None:
        return program
    env, body = program.env, program.body
    start = next((i for i, s in enumerate(body) if anno.get(s, anno.GRAD, False)), None)
    if start is None:
        return program
    grad = [s for s in walk_stmts(body[start:]) if anno.get(s, anno.GRAD, False)]
    inside = program.mentions_complex and mentions_complex(
        ast.Module(body=body, type_ignores=[]), frozenset(), env)
    if not program.mentions_complex and os.environ.get("SRCXFORM_CHECK_ROUNDS") \
            and mentions_complex(ast.Module(body=body, type_ignores=[]), frozenset(), env):
        raise AssertionError("a pass after optimize made a complex mention")
    buffers = any(_buffer(c, env) for c in names_and(grad, _CALLS)[1])
    # (accumulators alone do not pay for the check of the arguments: see the docstring)
    if not buffers and not (inside and _updated_in_place(grad)) and not _element_updates(grad):
        return program
    name = program.namer.fresh("adjoint_dtype")
    helper = env.ref(complex_adjoints, "complex_adjoints")
    statics = program.statics or {}  # functions and objects compiled in: no numbers
    first = _call(helper, [ast.Name(p, ast.Load()) for p in program.params
                           if p not in statics], inside)
    bind = ast.Assign([ast.Name(name, ast.Store())], first)
    anno.set(bind, anno.LINE, anno.get(body[0], anno.LINE, 0))
    anno.set(bind, anno.NOTE, ["the adjoints' dtype: None (each its value's) unless a value "
                               "is complex"])
    sweep = name
    if program.kind == "vjp" and program.seed is not None:  # and the cotangent
        sweep = program.namer.fresh("adjoint_dtype")
        both = ast.Assign([ast.Name(sweep, ast.Store())],
                          _call(helper, [ast.Name(name, ast.Load()),
                                         ast.Name(program.seed, ast.Load())], False))
        anno.set(both, anno.GRAD, True)
        anno.set(both, anno.LINE, anno.get(body[start], anno.LINE, 0))
        body.insert(start, both)
    arrays = _arrays(body, env)
    shapes = {n: s for n, s in program.trusted_shapes.items() if s}
    _Widen(env, sweep, arrays, shapes).block(body, False)
    body.insert(0, bind)
    return program


def widen_accumulators(program: Program) -> Program:
    """After the tapes are chosen (an ``if`` in a backward loop would keep ``tape.py`` from
    computing a cheap value again): the accumulators of a sweep that has
    ``adjoint_dtype`` (see the module docstring).

    Reads ``kind``, ``body`` and ``env``; sets ``body``.
    """
    if program.kind not in _KINDS or program.env is None:
        return program
    sweep = None
    for stmt in walk_stmts(program.body):  # the last binding: vjp's, with the cotangent
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) \
                and isinstance(stmt.value.func, ast.Name) \
                and program.env.resolve(stmt.value.func) is complex_adjoints:
            sweep = stmt.targets[0].id
    if sweep is None:
        return program
    grad = [s for s in walk_stmts(program.body) if anno.get(s, anno.GRAD, False)]
    updated = _updated_in_place(grad)
    if updated:
        _widen_accumulators(program.body, program.env, sweep, updated)
    return program


class _Widen:
    """The rewrite of one body's backward statements."""

    def __init__(self, env: Env, sweep: str, arrays: set[str],
                 shapes: dict[str, tuple[int, ...]]) -> None:
        self.env, self.sweep, self.arrays, self.shapes = env, sweep, arrays, shapes

    def block(self, stmts: list[ast.stmt], grad: bool) -> None:
        for i, stmt in enumerate(stmts):
            here = grad or anno.get(stmt, anno.GRAD, False)
            if here and not self.first_write(stmt, stmts[i + 1] if i + 1 < len(stmts) else None):
                for field in stmt._fields:
                    value = getattr(stmt, field)
                    if field not in BLOCK_FIELDS and isinstance(value, ast.AST):
                        for call in walk(value):
                            if isinstance(call, ast.Call) and _buffer(call, self.env):
                                call.args.append(ast.Name(self.sweep, ast.Load()))
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None)
                if inner:
                    self.block(inner, here)

    def first_write(self, first: ast.stmt, second: ast.stmt | None) -> bool:
        """``b = np.zeros_like(e); b[i] = g`` as ``b = np.zeros(S, d or g.dtype); ...``."""
        if not (isinstance(first, ast.Assign) and len(first.targets) == 1
                and isinstance(first.targets[0], ast.Name) and isinstance(first.value, ast.Call)
                and _buffer(first.value, self.env) and not isinstance(first.value.func, ast.Name)
                and isinstance(first.value.args[0], ast.Name)
                and first.value.args[0].id in self.shapes
                and isinstance(second, ast.Assign) and len(second.targets) == 1
                and isinstance(second.targets[0], ast.Subscript)
                and isinstance(second.targets[0].value, ast.Name)
                and second.targets[0].value.id == first.targets[0].id
                and isinstance(second.value, ast.Name) and second.value.id in self.arrays
                and second.value.id != first.targets[0].id):
            return False
        shape = self.shapes[first.value.args[0].id]
        dims: ast.expr = ast.Constant(shape[0]) if len(shape) == 1 else \
            ast.Tuple([ast.Constant(n) for n in shape], ast.Load())
        dtype = ast.BoolOp(ast.Or(), [ast.Name(self.sweep, ast.Load()),
                                      ast.Attribute(ast.Name(second.value.id, ast.Load()),
                                                    "dtype", ast.Load())])
        first.value = ast.Call(ast.Attribute(ast.Name(self.env.ref(np, "np"), ast.Load()),
                                             "zeros", ast.Load()), [dims, dtype], [])
        return True


def _element_updates(grad: list[ast.stmt]) -> bool:
    """True when a backward statement updates an element or slice in place (``b[i] += v``):
    NumPy would write a complex ``v`` into a real ``b`` with only a ComplexWarning."""
    return any(isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Subscript)
               for stmt in grad)


def _updated_in_place(grad: list[ast.stmt]) -> set[str]:
    """The names the backward statements update in place (``b op= e``, ``b[i] op= e``)."""
    found = set()
    for stmt in grad:
        if isinstance(stmt, ast.AugAssign):
            target = stmt.target
            while isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Name):
                found.add(target.id)
    return found


def _widen_accumulators(block: list[ast.stmt], env: Env, sweep: str,
                        updated: set[str]) -> None:
    """After each backward ``b = value`` of an ``updated`` name (not a zero buffer, which
    has the dtype already): ``if sweep is not None: b = widened(b, sweep)``."""
    helper = None
    i = 0
    while i < len(block):
        stmt = block[i]
        for field in BLOCK_FIELDS:
            inner = getattr(stmt, field, None)
            if inner:
                _widen_accumulators(inner, env, sweep, updated)
        if anno.get(stmt, anno.GRAD, False) and isinstance(stmt, ast.Assign) \
                and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and stmt.targets[0].id in updated and not _sized(stmt.value, sweep):
            name = stmt.targets[0].id
            helper = helper or env.ref(widened, "widened")
            assign = ast.Assign([ast.Name(name, ast.Store())], ast.Call(
                ast.Name(helper, ast.Load()),
                [ast.Name(name, ast.Load()), ast.Name(sweep, ast.Load())], []))
            test = ast.Compare(ast.Name(sweep, ast.Load()), [ast.IsNot()],
                               [ast.Constant(None)])
            check = ast.If(test, [assign], [])
            for node in (assign, check):
                anno.set(node, anno.GRAD, True)
            anno.set(check, anno.LINE, anno.get(stmt, anno.LINE))
            block.insert(i + 1, check)
            i += 1
        i += 1


def _sized(value: ast.expr, sweep: str) -> bool:
    """True for a value made in the sweep's dtype already (a zero buffer given ``sweep``),
    or a copy of a name (whose own binding is widened)."""
    if isinstance(value, ast.Name):
        return True
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
            and value.func.attr == "copy" and isinstance(value.func.value, ast.Name) \
            and not value.args:
        return True
    return isinstance(value, ast.Call) and any(
        isinstance(n, ast.Name) and n.id == sweep for a in value.args for n in walk(a))


def _arrays(body: list[ast.stmt], env: Env) -> set[str]:
    """The names every binding of which is a NumPy ufunc or array-making call
    (``loopzeros.ARRAY_MAKERS``) or ``a op b``/``-a`` with an operand among them (NumPy
    arithmetic with an ndarray of rank 1 or more gives an ndarray): names whose ``.dtype``
    can be read."""
    bindings: dict[str, list[ast.stmt]] = {}
    for stmt in walk_stmts(body):
        if isinstance(stmt, ast.For):
            for node in ast.walk(stmt.target):
                bindings.setdefault(getattr(node, "id", ""), []).append(stmt)
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bindings.setdefault(node.id, []).append(stmt)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, stmts in bindings.items():
            if name not in found and all(_makes_array(s, found, env) for s in stmts) \
                    and not all(isinstance(s, ast.AugAssign) for s in stmts):
                found.add(name)
                changed = True
    return found


def _makes_array(stmt: ast.stmt, arrays: set[str], env: Env) -> bool:
    if isinstance(stmt, ast.AugAssign):  # in place: an ndarray stays one
        return isinstance(stmt.target, ast.Name)
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return False
    value = stmt.value
    if isinstance(value, ast.Call):
        fn = env.resolve(value.func)
        return isinstance(fn, np.ufunc) or id(fn) in ARRAY_MAKERS
    operands = [value.left, value.right] if isinstance(value, ast.BinOp) else \
        [value.operand] if isinstance(value, ast.UnaryOp) else []
    return any(isinstance(o, ast.Name) and o.id in arrays for o in operands)


def _call(helper: str, values: list[ast.expr], inside: bool) -> ast.Call:
    keywords = [ast.keyword("inside", ast.Constant(True))] if inside else []
    return ast.Call(ast.Name(helper, ast.Load()), values, keywords)


def _buffer(call: ast.Call, env: Env) -> bool:
    """True for ``np.zeros_like(e)`` or ``zeros_like_or_none(e)`` (one argument)."""
    if call.keywords or len(call.args) != 1:
        return False
    try:
        fn = env.resolve(call.func)
    except Exception:  # noqa: BLE001 - not a name env knows: not a buffer
        return False
    return fn is np.zeros_like or fn is zeros_like_or_none
