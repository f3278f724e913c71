"""The pipeline: every pass, in order, for every mode.

``transform(f, wrt, kind)`` parses ``f``, runs the passes of ``PIPELINES[kind]``
on a :class:`~.program.Program` (each pass is ``pass(program) -> program``)
and returns a :class:`Transformed`: the live function, its source, and, when
debugging (``SRCXFORM_DEBUG=1`` or ``debug=True``), the text of the program
after every pass that changed it (``stages``, printed as it goes).

Every mode starts with the front end, then differentiates and finishes:

    parse (parse.py) → check (check.py) → resolve wrt (program.py)
    → control (control.py) → aggregates (aggregates.py) → owned arrays
    (aliases.py) → loops (loops.py)
    → normalize (normalize.py, with inline.py for user functions)
    → varied, effects (activity.py)

    grad, value_and_grad:  active (activity.py) → env (env.py) → reverse
        → optimize → defer → lower → tape → no_grad blocks, emit, load
        (assemble.py)
    vjp:  the same, then split (split.py) before emit: two functions
    jvp:  env → forward → optimize → defer → lower → emit, load

Each name in the lists below is ``module.pass``, the module to open for that
stage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import (
    activity,
    aggregates,
    aliases,
    assemble,
    check,
    control,
    defer,
    env,
    forward,
    loops,
    lower,
    mutation,
    normalize,
    optimize,
    reverse,
    split,
    tape,
)
from .parse import parse_function
from .program import Program, resolve_wrt, start

Pass = Callable[[Program], Program]

#: The passes every mode runs first: from the parsed function to normalized code whose
#: varied values are known.
FRONT_END: list[Pass] = [
    check.check,                       # only supported constructs, else a located error
    resolve_wrt,                       # (program.py) wrt as parameter names
    control.structure,                 # jumps end blocks; one return
    aggregates.replace_dicts,          # a dict with constant keys: one variable per key
    aliases.find_owned,                # arrays it may write into, lists that grow
    loops.canonicalize,                # every loop `for k in range(...)` or `while True`
    normalize.normalize,               # one primitive per statement (inlines user calls)
    mutation.check_mutation,           # no read sees a write made through another name
    activity.find_varied,              # the values that depend on wrt
    activity.check_effects,            # no call for its effect sees a varied value
]

#: Reverse mode: the adjoint, optimized, with the tapes its backward sweep reads.
REVERSE: list[Pass] = [
    check.scalar_result,               # a constant result that is not a number: refused
    activity.find_active,              # varied values that reach the output
    env.bind_env,                      # names of helper objects in generated code
    reverse.reverse,                   # forward sweep, seed, backward sweep
    optimize.optimize,                 # folding, algebra, dead code
    defer.defer_outer_products,        # a loop's outer products batched
    lower.lower,                       # fast spellings (b += e, g.sum(axis=0))
    tape.insert_tapes,                 # save what the backward sweep reads
    assemble.keep_no_grad,             # the user's no_grad blocks, kept
]

#: Forward mode: the tangent code, optimized.
FORWARD: list[Pass] = [
    env.bind_env,
    forward.forward,                   # each value's tangent beside it
    optimize.optimize,
    defer.defer_outer_products,
    lower.lower,
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


def transform(f: Callable[..., Any], wrt: Any = 0, kind: str = "grad",
              debug: bool | None = None, ranks: dict[str, int] | None = None,
              shapes: dict[str, tuple[int, ...]] | None = None) -> Transformed:
    """Transform ``f`` (``kind``: grad, value_and_grad, vjp or jvp) for ``wrt``."""
    if debug is None:
        debug = bool(os.environ.get("SRCXFORM_DEBUG"))
    program = start(parse_function(f), kind, wrt, ranks, shapes, debug)
    program = run(program, PIPELINES[kind])
    return Transformed(fn=program.fn, source=program.source, wrt=tuple(program.wrt),
                       kind=kind, stages=program.stages, rank_dependent=program.rank_dependent,
                       ranks=program.ranks, shapes=program.shapes, backward=program.backward)


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
