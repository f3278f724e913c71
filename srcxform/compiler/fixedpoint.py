"""When the optimizer may stop: would another round change anything?

One optimize round (``optimize.py``) is a propagation walk, the retargeting
of ``np.zeros_like`` (``likes.py``) and dead-code removal.  Every rewrite of
the walk is made from the facts of the point it reached, and a rule that
builds a node simplifies it again (``rewrites.py``), so the walk's output is
in normal form for them: a walk over its own output, from the same facts and
the same global inputs, makes no change (an assumption about the rules,
which ``SRCXFORM_CHECK_ROUNDS`` below checks: it found one rule that did not
simplify its result again).  Dead-code removal takes away only
statements nothing live reads, so the facts the next walk would meet at each
kept statement are the ones this walk met, less those about removed names
(which no kept statement reads any more).  What the next round could see
differently are the global inputs the walk and the retargeting read from
the whole body:

* load counts: a negation ``t = -u`` moves into its reader when ``t`` is read
  once, and ``np.zeros_like(x)`` is retargeted when ``x`` is read only there;
* names written by element (and those sharing memory with them), which
  keep their values from being folded;
* store counts: the names a loop or a branch changes (forgotten around it),
  a name's shape after its last assignment, names bound once (``likes.py``);
* the shapes of removed primals, which gave their adjoints a shape;
* rank queries asked from code that is gone.

A body with a loop or a branch gets another round whenever a store count
changed (what dead code inside a loop changes is forgotten around it in
this round and not in the next; telling when that cannot matter was tried,
and the check below found restored values it missed).

After :func:`settled` returns True, none of these differs for the body the
round left (so the next round would repeat it exactly), and the walk's
exact shapes no longer hold names whose every assignment was removed (as
the next walk's would not).  It returns False whenever one may differ;
the optimizer then runs another round, as it would without this test.
``SRCXFORM_CHECK_ROUNDS=1`` (set by the test suite and the fuzzers) makes
the optimizer run that round anyway and fail if it changes anything.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from .astutil import BLOCK_FIELDS, marker_names, names_stored, walk_stmts
from .liveness import Liveness
from .propagate import Propagator


@dataclass
class Counts:
    """What a round reads from the whole body: per name, loads and stores, and the names
    written by element (with every name that may share memory with one of them)."""

    loads: dict[str, int]
    stores: dict[str, int]
    written: set[str]


@dataclass
class Round:
    """What one round did: its walk, the body the walk left (``propagated``), the ids of
    the statements dead-code removal took from it, and the names ``np.zeros_like`` reads
    since the retargeting of this round."""

    walk: Propagator
    propagated: list[ast.stmt]
    found: Liveness  # (its ``dead``)
    retargeted: set[str]


def settled(body: list[ast.stmt], done: Round, before: Counts, after: Counts,
            fixed: Collection[str], overwritten: Collection[str]) -> bool:
    """True when a round over ``body`` (what the round ``done`` left, starting from
    ``before`` and leaving ``after``) would change nothing; ``fixed``: names whose facts do
    not come from the body (parameters, module constants, cotangent seeds);
    ``overwritten``: the names the walk takes as assigned more than once.  Removes the
    exact shapes of names no longer assigned when True."""
    walk, retargeted = done.walk, done.retargeted
    if walk.rewriter.rank_queries or before.written != after.written:
        return False
    read_once = _read_once_changed(before.loads, after.loads)
    retargetable = False  # some np.zeros_like(x) of an x read only there
    for stmt in body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            value = stmt.value
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) \
                    and isinstance(value.operand, ast.Name) \
                    and stmt.targets[0].id in read_once:
                return False  # -u read once now (or no more): folded differently
            arg = _zeros_like_of(value, walk.rewriter.callee)
            if arg is not None and after.loads.get(arg) == 1:
                if arg in read_once or arg in retargeted:
                    return False  # np.zeros_like of a name read once now
                retargetable = True
        elif any(getattr(stmt, f, None) for f in BLOCK_FIELDS):
            if _nested_negation(stmt, read_once):
                return False
    changed = {n for n in before.stores.keys() | after.stores.keys()
               if before.stores.get(n, 0) != after.stores.get(n, 0)}
    if not changed:
        return True
    if changed & set(fixed) or changed & walk.shaped_by_primal:
        return False
    if any(any(getattr(s, f, None) for f in BLOCK_FIELDS) for s in body):
        return False  # what a loop or branch changes is forgotten around it
    if any(changed.intersection(marker_names(s)) for s in walk_stmts(body)):
        return False
    still = changed & after.stores.keys()  # assigned fewer times, not never
    if still and not _last_kept(done, still):
        return False
    if retargetable and any(after.stores[n] == 1 for n in still - set(overwritten)):
        return False  # bound once now: a name np.zeros_like may read instead
    for name in changed - still:  # assigned no more: the next walk knows nothing of them
        walk.shapes.exact.pop(name, None)
    return True


def _last_kept(done: Round, names: set[str]) -> bool:
    """True when the last assignment of each of ``names`` in a straight-line body is kept
    (so its shape is each name's shape at the end, as in the next walk)."""
    pending = set(names)
    for stmt in reversed(done.propagated):
        last = pending.intersection(names_stored(stmt))
        if last:
            if id(stmt) in done.found.dead:
                return False
            pending -= last
            if not pending:
                return True
    return not pending


def _read_once_changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """Names read exactly once in one of the counts and not in the other."""
    return {n for n in before.keys() | after.keys()
            if (before.get(n) == 1) != (after.get(n) == 1)}


def _nested_negation(stmt: ast.stmt, read_once: set[str]) -> bool:
    """True when a block inside ``stmt`` assigns ``t = -u`` to a name of ``read_once``."""
    for s in walk_stmts([stmt]):
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) \
                and s.targets[0].id in read_once and isinstance(s.value, ast.UnaryOp):
            return True
    return False


def _zeros_like_of(value: ast.expr, callee: Callable[[ast.Call], object]) -> str | None:
    """``x`` of ``np.zeros_like(x)`` for a name ``x``, else None."""
    if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords \
            and isinstance(value.args[0], ast.Name) and callee(value) is np.zeros_like:
        return value.args[0].id
    return None
