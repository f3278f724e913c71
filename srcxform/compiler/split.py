"""Pass 6d (split motion), split: one adjoint body becomes a forward and a backward function.

After :func:`split`, the statements of the optimized, taped adjoint body are
divided at the start of the backward sweep (``program.forward_body`` and
``program.backward_body``):

* the forward body runs the forward sweep and returns
  ``(value, residuals)``: the tuple of every forward value the backward sweep
  reads (parameters, intermediate values, tapes), nothing more;
* the backward body takes ``(residuals, cotangent)`` (``program.residuals``
  names the first), unpacks them, copies
  the residuals it mutates (tapes it pops, arrays whose elements it restores),
  runs the backward sweep and returns the gradients.

The forward sweep never depends on the cotangent and the backward sweep never
changes a residual, so one forward run serves any number of backward runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from . import anno, dataflow
from .aliases import Sharing, generated_code_resolver
from .astutil import LOOPS, names_loaded, names_stored, names_written_into, walk, walk_stmts
from .program import Program
from .support import copy_with_views


def split(program: Program) -> Program:
    """Divide ``program.body`` into the two sweeps (see the module docstring).

    Reads ``body`` (ending in ``return (value, gradients)``), ``params`` and ``namer``;
    sets ``residuals`` (the name of the backward sweep's first parameter),
    ``forward_body`` and ``backward_body``.
    """
    program.residuals = program.namer.fresh("residuals")
    helper = program.env.ref(copy_with_views, "copy_with_views") if program.env else None
    parts = split_body(program.body, program.params, program.residuals, helper,
                       generated_code_resolver(program.env))
    program.forward_body, program.backward_body = parts.forward, parts.backward
    return program


@dataclass
class Split:
    """The two sweeps of one body, and the names passed from the first to the second."""

    forward: list[ast.stmt]
    backward: list[ast.stmt]
    residuals: list[str]


def _mutated(stmts: list[ast.stmt]) -> set[str]:
    """Names whose object a block changes in place (element writes, pop/append).

    (``b += e`` in place happens only to adjoints, never to a residual.)
    """
    found: set[str] = set()
    for node in walk(ast.Module(stmts, [])):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                while isinstance(target, ast.Subscript):
                    target = target.value
                    if isinstance(target, ast.Name):
                        found.add(target.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("pop", "append") and isinstance(node.func.value, ast.Name):
            found.add(node.func.value.id)
    return found


def _written_by_element(stmts: list[ast.stmt]) -> set[str]:
    """Arrays a block writes into by element (``a[i] = v``; a stack only pops)."""
    return {n for node in walk(ast.Module(stmts, [])) if isinstance(node, ast.Assign)
            for n in names_written_into(node.targets)}


def _reads(stmt: ast.stmt) -> set[str]:
    """What a statement reads (of an ``if`` or a loop: its test or iterator)."""
    if isinstance(stmt, (ast.If, ast.While)):
        return names_loaded(stmt.test)
    if isinstance(stmt, ast.For):
        return names_loaded(stmt.iter)
    return names_loaded(stmt)


def _writes(stmt: ast.stmt) -> set[str]:
    """What a simple statement writes; for a ``for`` loop, its target."""
    if isinstance(stmt, ast.For):
        return names_stored(stmt.target)
    if isinstance(stmt, LOOPS):
        return set()
    return names_stored(stmt)


def _exposed(stmts: list[ast.stmt]) -> set[str]:
    """Names ``stmts`` may read before assigning them (a backward loop's counter is not)."""
    return dataflow.upward_exposed(stmts, _reads, _writes)


def split_body(body: list[ast.stmt], params: list[str], residuals_name: str,
               rebase: str | None = None, resolve=None) -> Split:
    """Divide ``body`` (ending in ``return (value, gradients)``) into the two sweeps."""
    ret = body[-1]
    assert isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple)
    value, grads = ret.value.elts
    stmts = body[:-1]
    cut = next((i for i, s in enumerate(stmts) if anno.get(s, anno.GRAD, False)), len(stmts))
    forward, backward = stmts[:cut], stmts[cut:]
    defined = set(params) | names_stored(forward)
    backward_module = ast.Module(backward + [ast.Return(grads)], [])
    needed = sorted(_exposed(backward_module.body) & defined, key=_order(params, forward))
    top_level = set(params) | {t.id for s in forward if isinstance(s, ast.Assign)
                               for t in s.targets if isinstance(t, ast.Name)}
    # a value assigned only under a branch or in a loop may be unbound: bind it first
    unbound = [ast.Assign([ast.Name(n, ast.Store())], ast.Constant(None))
               for n in needed if n not in top_level]
    load = [ast.Name(n, ast.Load()) for n in needed]
    forward = unbound + forward + [ast.Return(ast.Tuple([value, ast.Tuple(load, ast.Load())],
                                                        ast.Load()))]
    prologue: list[ast.stmt] = []
    if needed:
        prologue.append(ast.Assign(
            [ast.Tuple([ast.Name(n, ast.Store()) for n in needed], ast.Store())]
            if len(needed) > 1 else [ast.Name(needed[0], ast.Store())],
            ast.Name(residuals_name, ast.Load()) if len(needed) > 1
            else ast.Subscript(ast.Name(residuals_name, ast.Load()), ast.Constant(0),
                               ast.Load())))
    sharing = Sharing(list(walk_stmts(forward)), resolve) if rebase is not None else None
    by_element = _written_by_element(backward)
    for n in sorted(_mutated(backward) & set(needed), key=needed.index):
        views = sorted(sharing.others(n) & set(needed), key=needed.index) \
            if sharing is not None and n in by_element else []
        if views:  # views of it the backward sweep reads see its copy (support.py)
            prologue.append(ast.Assign(
                [ast.Tuple([ast.Name(v, ast.Store()) for v in [n, *views]], ast.Store())],
                ast.Call(ast.Name(rebase, ast.Load()),
                         [ast.Name(v, ast.Load()) for v in [n, *views]], [])))
            continue
        copy_call = ast.Call(ast.Attribute(ast.Name(n, ast.Load()), "copy", ast.Load()), [], [])
        prologue.append(ast.Assign([ast.Name(n, ast.Store())], copy_call))
    for s in prologue:
        anno.set(s, anno.LINE, 0)
    backward = prologue + backward + [ast.Return(grads)]
    for block in (forward, backward):
        ast.fix_missing_locations(ast.Module(block, []))
    return Split(forward=forward, backward=backward, residuals=needed)


def _order(params: list[str], forward: list[ast.stmt]):
    """Sort key: parameters first, then names in the order a breadth-first walk of the
    forward body first meets their assignments."""
    rank: dict[str, int] = {p: i for i, p in enumerate(params)}
    for node in walk(ast.Module(forward, [])):  # (breadth first over the whole body)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            rank.setdefault(node.id, len(rank))
    return lambda n: rank.get(n, len(rank))
