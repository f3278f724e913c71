"""The pipeline: every pass, in order, for every mode.

``transform(f, wrt, kind)`` parses ``f``, runs the passes of ``PIPELINES[kind]``
on a :class:`~.program.Program` (each pass is ``pass(program) -> program``)
and returns a :class:`Transformed`: the live function, its source, and, when
debugging (``SRCXFORM_DEBUG=1`` or ``debug=True``), the text of the program
after every pass that changed it (``stages``, printed as it goes).

Every mode starts with the front end, then differentiates and finishes:

    parse (parse.py) → nested functions as values (funcvalues.py)
    → generated tape arrays as lists again (tapearrays.py) → check (check.py)
    → resolve wrt (program.py) → dict results as tuples (results.py) → control (control.py)
    → aggregates (aggregates.py) → owned arrays (aliases.py) → loops (loops.py)
    → normalize (normalize.py, with inline.py for user functions)
    → containers of known layout dissolved (containers.py) → mutation checked
    (mutation.py) → repeated values shared (cse.py)
    → varied, effects, arithmetic on lists of them (activity.py)

    grad, value_and_grad:  a constant result that is no number refused (check.py)
        → active (activity.py) → safety maxima given no adjoint (shift.py)
        → env (env.py) → np.sign of a complex value refused at run time
        (complexsteps.py) → reverse
        → optimize → defer → lower → zero buffers complex when a call meets complex
        values (widen.py) → unshare → tape → checkpoint → tape arrays
        (tapearrays.py) → loop products with an input's rows batched (hoist.py)
        → backward loops over list tapes (listtapes.py) → zeros of known shape
        in loops (loopzeros.py) → accumulators complex too (widen.py)
        → forward values nothing reads, unread backward values dropped
        (deadcode.py) → a matrix's sums along one axis as one product
        (fastsums.py) → unary ufuncs of temporaries into them (outbuffers.py)
        → no_grad blocks, emit, load (assemble.py)
    vjp:  the same, then split (split.py) before emit: two functions
    jvp:  env → complexsteps → forward → optimize → defer → lower → hoist → loopzeros → unshare
        → fastsums → outbuffers → emit, load

Each name in the lists below is ``module.pass``, the module to open for that
stage.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import (
    activity,
    aggregates,
    aliases,
    assemble,
    check,
    checkpoint,
    complexsteps,
    containers,
    control,
    cse,
    deadcode,
    defer,
    env,
    fastsums,
    forward,
    funcvalues,
    hoist,
    listtapes,
    loops,
    loopzeros,
    lower,
    mutation,
    normalize,
    optimize,
    outbuffers,
    results,
    reverse,
    shift,
    split,
    tape,
    tapearrays,
    unshare,
    widen,
)
from .astutil import copy_tree
from .checkpoint import check_spec
from .env import Env
from .names import Namer
from .parse import parse_function
from .program import Program, resolve_wrt, start

Pass = Callable[[Program], Program]

#: The passes every mode runs first: from the parsed function to normalized code whose
#: varied values are known.
FRONT_END: list[Pass] = [
    funcvalues.hoist_functions,        # nested defs and lambdas: function values
    tapearrays.untape_generated,       # generated code again: its tape arrays as lists
    check.check,                       # only supported constructs, else a located error
    resolve_wrt,                       # (program.py) wrt as parameter names
    results.flatten_dict_results,      # a dict result: a tuple, its layout kept
    control.structure,                 # jumps end blocks; one return
    aggregates.replace_dicts,          # a dict with constant keys: one variable per key
    aliases.find_owned,                # arrays it may write into, lists that grow
    loops.canonicalize,                # every loop `for k in range(...)` or `while True`
    normalize.normalize,               # one primitive per statement (inlines user calls)
    containers.resolve_containers,     # lists/tuples/dicts of known layout: their items
    mutation.check_mutation,           # no read sees a write made through another name
    cse.share_repeats,                 # a value computed twice in a block: computed once
    activity.find_varied,              # the values that depend on wrt
    activity.check_effects,            # no call for its effect sees a varied value
    activity.check_sequence_arithmetic,  # no list of varied values joined by + or *
]

#: Reverse mode, first part: the adjoint, as it is whatever the arguments' shapes.
REVERSE_PREPARE: list[Pass] = [
    check.scalar_result,               # a constant result that is not a number: refused
    activity.find_active,              # varied values that reach the output
    shift.drop_shift_maxima,           # a max only subtracted for safety: no adjoint
    env.bind_env,                      # names of helper objects in generated code
    complexsteps.check_complex_steps,  # np.sign of a complex value refused, at run time
    reverse.reverse,                   # forward sweep, seed, backward sweep
]

#: Reverse mode, second part: the passes that use the arguments' shapes (optimize onward).
REVERSE_SPECIALISE: list[Pass] = [
    optimize.optimize,                 # folding, algebra, dead code
    defer.defer_outer_products,        # a loop's outer products batched
    lower.lower,                       # fast spellings (b += e, g.sum(axis=0))
    widen.widen_adjoint_zeros,         # zero buffers complex when a call meets complex values
    unshare.unshare_results,           # no result is the caller's array or a view of it
    tape.insert_tapes,                 # save what the backward sweep reads
    checkpoint.checkpoint_loops,       # (checkpoint=) loops taped a stretch at a time
    tapearrays.preallocate_tapes,      # a loop's tape in one array (known trip count)
    hoist.hoist_row_products,          # A @ xs[t] in a loop: the rows of one product
    listtapes.iterate_list_tapes,      # for x in reversed(x_stack), no pops
    loopzeros.zeros_of_known_shape,    # np.zeros(S, e.dtype) in loops, not zeros_like
    widen.widen_accumulators,          # ... and adjoints updated in place too (widen.py)
    deadcode.drop_dead_forward,        # forward values no tape or result reads
    deadcode.drop_unread,              # backward values the tapes made unread
    fastsums.fast_sums,                # a matrix's row/column sums as one product
    outbuffers.ufuncs_into_temporaries,  # np.tanh(-0.5 * z) computed into its temporary
    assemble.keep_no_grad,             # the user's no_grad blocks, kept
]

#: Reverse mode: the adjoint, optimized, with the tapes its backward sweep reads.
REVERSE: list[Pass] = REVERSE_PREPARE + REVERSE_SPECIALISE

#: Forward mode: the tangent code, optimized.
FORWARD: list[Pass] = [
    env.bind_env,
    complexsteps.check_complex_steps,
    forward.forward,                   # each value's tangent beside it
    optimize.optimize,
    defer.defer_outer_products,
    lower.lower,
    hoist.hoist_row_products,
    loopzeros.zeros_of_known_shape,
    unshare.unshare_results,
    fastsums.fast_sums,
    outbuffers.ufuncs_into_temporaries,
]

#: Writing the generated function(s) and compiling them.
FINISH: list[Pass] = [
    assemble.emit_source,              # emit.py: source text with `# grad of:` comments
    assemble.load,                     # loader.py: compiled in the user's environment
]

PIPELINES: dict[str, list[Pass]] = {
    "grad": FRONT_END + REVERSE + FINISH,
    "value_and_grad": FRONT_END + REVERSE + FINISH,
    "vjp": FRONT_END + REVERSE + [split.split] + FINISH,  # two sweeps
    "jvp": FRONT_END + FORWARD + FINISH,
}

#: Where a mode's pipeline may be cut in two: the passes before read no argument shape
#: (``front``, run once), the passes after do (``finish``, run per specialisation).
FRONTS: dict[str, int] = {kind: len(FRONT_END) + len(REVERSE_PREPARE)
                          for kind in ("grad", "value_and_grad", "vjp")}


@contextmanager
def without_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: the passes make and drop many small trees,
    which reference counting frees, but whose allocations would start collections that
    each walk every object of the process (a quarter of a 200-line function's build);
    what cycles they leave are collected afterwards as usual.  A collector the caller
    has disabled stays disabled; a nested or concurrent use leaves it as it found it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class Transformed:
    """A generated function and how it was made."""

    fn: Callable[..., Any]
    source: str
    wrt: tuple[str, ...]
    kind: str
    stages: dict[str, str] = field(default_factory=dict)  # filled when debugging
    rank_dependent: bool = False  # shape facts would simplify the code further
    ranks: dict[str, int] | None = None
    shapes: dict[str, tuple[int, ...]] | None = None
    backward: Callable[..., Any] | None = None  # split motion: the backward sweep
    result_layout: Any = None  # results.py: the dicts of the result, written as tuples


@without_gc()
def transform(f: Callable[..., Any], wrt: Any = 0, kind: str = "grad",
              debug: bool | None = None, ranks: dict[str, int] | None = None,
              shapes: dict[str, tuple[int, ...]] | None = None,
              checkpoint: Any = None, statics: dict[str, Any] | None = None
              ) -> Transformed:
    """Transform ``f`` (``kind``: grad, value_and_grad, vjp or jvp) for ``wrt``;
    ``checkpoint``: see checkpoint.py (reverse mode's loops); ``statics`` are argument
    values compiled in (functions, user objects: ``funcvalues.py``)."""
    if debug is None:
        debug = bool(os.environ.get("SRCXFORM_DEBUG"))
    program = start(parse_function(f), kind, wrt, ranks, shapes, debug,
                    check_spec(checkpoint))
    program.statics = statics
    return _transformed(run(program, PIPELINES[kind]))


@without_gc()
def front(f: Callable[..., Any], wrt: Any = 0, kind: str = "grad",
          debug: bool | None = None, checkpoint: Any = None) -> Program:
    """The first part of ``transform`` (``FRONTS``): every pass that reads no argument
    shape.  ``finish(front(f, ...), shapes=...)`` is ``transform(f, ..., shapes=...)``,
    and one front serves any number of finishes (each works on a copy).  A function
    whose code depends on a function/object argument raises ``NeedsSpecialisation``."""
    if kind not in FRONTS:
        raise ValueError(f"the {kind} pipeline is not cut in two")
    if debug is None:
        debug = bool(os.environ.get("SRCXFORM_DEBUG"))
    program = start(parse_function(f), kind, wrt, None, None, debug, check_spec(checkpoint))
    return run(program, PIPELINES[kind][:FRONTS[kind]])


@without_gc()
def finish(front_program: Program, ranks: dict[str, int] | None = None,
           shapes: dict[str, tuple[int, ...]] | None = None,
           fn: Callable[..., Any] | None = None) -> Transformed:
    """The rest of the transform whose first part made ``front_program`` (left intact),
    specialised on ``ranks``/``shapes``; ``fn``: the function transformed, when the
    front was kept without it (``parsed.fn`` None, so that a kept front does not keep
    the function alive)."""
    program = _finishing(front_program, fn, ranks, shapes)
    return _transformed(run(program, PIPELINES[program.kind][FRONTS[program.kind]:]))


def _finishing(front_program: Program, fn: Callable[..., Any] | None,
               ranks: dict[str, int] | None, shapes: dict[str, tuple[int, ...]] | None
               ) -> Program:
    """A copy of ``front_program`` to finish, for ``fn``, specialised on ``ranks``/``shapes``."""
    program = snapshot(front_program)
    if fn is not None:
        program.parsed = dataclasses.replace(program.parsed, fn=fn)
        if program.env is not None:
            program.env.parsed = program.parsed
    program.ranks, program.shapes = ranks, shapes
    return program


@without_gc()
def generic_asks_ranks(front_program: Program, fn: Callable[..., Any] | None = None) -> bool:
    """Whether the code finished from ``front_program`` without shapes would still ask for
    ranks (``Transformed.rank_dependent``): decided by the optimize pass alone, a third
    of the finish, so a caller that would reject such code need not make it."""
    return optimize.optimize(_finishing(front_program, fn, None, None)).rank_dependent


def _transformed(program: Program) -> Transformed:
    return Transformed(fn=program.fn, source=program.source, wrt=tuple(program.wrt),
                       kind=program.kind, stages=program.stages,
                       rank_dependent=program.rank_dependent, ranks=program.ranks,
                       shapes=program.shapes, backward=program.backward,
                       result_layout=program.result_layout)


def snapshot(program: Program) -> Program:
    """A copy of ``program`` that later passes may change without touching the original:
    its trees copied node by node (annotations that are nodes or lists too, sharing
    within one copy), its namer and environment anew, its other containers shallowly;
    the parsed function and the objects it names shared."""
    memo: dict[int, Any] = {}
    new = dataclasses.replace(program)
    for f in dataclasses.fields(program):
        setattr(new, f.name, _copy_part(getattr(program, f.name), memo))
    if program.namer is not None:
        new.namer = Namer(program.namer.taken)
    if program.env is not None:
        old_env = program.env
        new.env = Env(old_env.parsed, new.namer, set(old_env.user_locals))
        new.env.cells.update(old_env.cells)
    return new


def _copy_part(value: Any, memo: dict[int, Any]) -> Any:
    if isinstance(value, (ast.AST, list)) and not isinstance(value, str):
        return copy_tree(value, memo)
    if isinstance(value, dict):
        return {k: _copy_part(v, memo) for k, v in value.items()}
    if isinstance(value, set):
        return set(value)
    return value


@without_gc()
def run(program: Program, passes: Sequence[Pass]) -> Program:
    """Run ``passes`` in order; when debugging, show the program after each that changed it."""
    last = None
    if program.debug:
        last = program.text()
        program.show("parse", last)
    for step in passes:
        program = step(program)
        if program.debug:
            text = program.text()
            if text != last:
                program.show(step.__name__, text)
                last = text
    return program
