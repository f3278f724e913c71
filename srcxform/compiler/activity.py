"""Pass 4, activity analysis: which values need an adjoint.

After :func:`find_varied`, ``program.varied`` holds the local names that
depend on a ``wrt`` parameter through differentiable operations; after
:func:`check_effects`, no call made for its effect (``helper(x)``) sees a
varied value; after :func:`check_sequence_arithmetic`, no ``+`` or ``*`` joins or
repeats a list or tuple of varied values that is still a whole list; after
:func:`find_active`, ``program.active`` holds the varied names that can also
influence the returned value (*useful*).  Only these get adjoints.  Inside
loops and branches the analysis is flow-insensitive (iterated to a fixed point
over every assignment), which can only add names, never miss one.
(:func:`varied_names` and :func:`active_names` are the same analyses as plain
queries.)
"""

from __future__ import annotations

import ast

from ..rules.complexes import refuse_complex
from . import anno
from .astutil import names_mentioned, walk_stmts
from .check import error
from .primitives import classify, targets
from .program import Program
from .support import require_array, require_scalar_index, require_sequence


def assignments(stmts: list[ast.stmt]):
    """Every assignment in ``stmts``, nested blocks included, in program order."""
    for stmt in walk_stmts(stmts):
        if isinstance(stmt, ast.Assign) or anno.get(stmt, anno.APPEND, False):
            yield stmt


def effects(stmts: list[ast.stmt]):
    """Every call kept for its effect (``xs.append(h)``, ``print(x)``), nested blocks included."""
    for stmt in walk_stmts(stmts):
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            yield stmt


#: Calls that may see differentiated values without changing any (their result is unused).
HARMLESS_EFFECTS = {id(print), id(require_scalar_index), id(require_sequence),
                    id(require_array), id(refuse_complex)}


def find_varied(program: Program) -> Program:
    """Set ``program.varied`` (see the module docstring)."""
    program.varied = varied_names(program, program.wrt)
    return program


def find_active(program: Program) -> Program:
    """Set ``program.active`` (see the module docstring)."""
    program.active = active_names(program, program.wrt, program.varied)
    return program


def check_effects(program: Program) -> Program:
    """A call made for its effect on a differentiated value would lose that value's gradient
    (``xs.append(h)`` into a list, a helper writing into an array): refuse it, located."""
    varied = program.varied
    for stmt in effects(program.body):
        call = stmt.value
        callee = anno.get(call, anno.CALLEE)
        if id(callee) in HARMLESS_EFFECTS or anno.get(stmt, anno.APPEND, False):
            continue
        if not varied.isdisjoint(names_mentioned(call)):
            node = anno.get(call, anno.NODE, call)
            what = ast.unparse(node.func if isinstance(node, ast.Call) else node)
            raise error(program.parsed, node if hasattr(node, "lineno") else stmt,
                        f"{what}(...) is called for its effect on a differentiated value; "
                        "its gradient would be lost (lists and in-place writes of "
                        "differentiated values are not supported yet)", f"{what}()")
    return program


def check_sequence_arithmetic(program: Program) -> Program:
    """``a + b`` of two lists or tuples, or ``a * 3`` of one and an int, joins or repeats
    it (NumPy reads a list or tuple met with an array as an array; those stay).  When it
    holds differentiated values and the containers pass could not dissolve it (one grows
    by ``append``, or is rebuilt in a loop: ``acc = acc + (h,)``), it would be read as
    array arithmetic: refuse it, located."""
    sequences = set(program.lists)
    binops = []
    for stmt in assignments(program.body):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            continue
        value = stmt.value
        if isinstance(value, (ast.List, ast.Tuple)) or isinstance(value, ast.Constant) \
                and isinstance(value.value, tuple):  # (`()` may be a constant)
            sequences.add(stmt.targets[0].id)
        elif isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mult)):
            binops.append(stmt)
    joins = []
    changed = True
    while changed:  # a sequence joined or repeated is one, and so on
        changed = False
        for stmt in binops:
            if stmt not in joins and _joins(stmt.value, sequences, program.int_names):
                sequences.add(stmt.targets[0].id)
                joins.append(stmt)
                changed = True
    for stmt in joins:
        if stmt.targets[0].id in program.varied \
                or not program.varied.isdisjoint(names_mentioned(stmt.value)):
            node = anno.get(stmt.value, anno.NODE, stmt.value)
            op = "+" if isinstance(stmt.value.op, ast.Add) else "*"
            raise error(program.parsed, node if hasattr(node, "lineno") else stmt,
                        f"a list or tuple of differentiated values joined or repeated with "
                        f"`{op}` is supported only for lists and tuples of known length built "
                        "once (literals, pytree arguments); build it with append, or as one "
                        "literal", f"sequence {op}")
    return program


def _joins(value: ast.BinOp, sequences: set[str], ints: set[str]) -> bool:
    """``value`` is Python's join of two sequences or repetition of one by an int."""
    def sequence(side: ast.expr) -> bool:
        return isinstance(side, (ast.List, ast.Tuple)) \
            or isinstance(side, ast.Name) and side.id in sequences

    def an_int(side: ast.expr) -> bool:
        return isinstance(side, ast.Constant) and type(side.value) is int \
            or isinstance(side, ast.Name) and side.id in ints

    left, right = value.left, value.right
    if isinstance(value.op, ast.Add):
        return sequence(left) and sequence(right)
    return sequence(left) and an_int(right) or an_int(left) and sequence(right)


def varied_names(program: Program, wrt: list[str]) -> set[str]:
    """Names that depend on a ``wrt`` parameter through differentiable operations."""
    # (each statement's names read once: the fixed point goes over them several times)
    flows = [(targets(stmt), classify(stmt).flow_names())
             for stmt in assignments(program.body)]
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for assigned, read in flows:
            if any(n in varied for n in read):
                new = set(assigned) - varied
                if new:
                    varied |= new
                    changed = True
    return varied


def active_names(program: Program, wrt: list[str], varied: set[str] | None = None) -> set[str]:
    """The set of active local names of ``program`` for ``wrt`` (``varied``: the varied
    names, when already known)."""
    flows = [(targets(stmt), classify(stmt).flow_names())
             for stmt in assignments(program.body)]
    flows.reverse()
    if varied is None:
        varied = varied_names(program, wrt)
    useful: set[str] = set()
    if isinstance(program.result, ast.Name):
        useful.add(program.result.id)
    changed = True
    while changed:
        changed = False
        for assigned, read in flows:
            if useful.intersection(assigned):
                new = set(read) - useful
                if new:
                    useful |= new
                    changed = True
    return varied & useful
