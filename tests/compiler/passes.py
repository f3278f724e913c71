"""Running one compiler pass alone on a tiny program, for the pass-level tests.

``before(f, stage)`` takes ``f`` through its mode's pipeline (``driver.PIPELINES``)
up to, not including, ``stage``; the test runs ``stage`` itself and checks what the
pass's docstring promises.  ``after(program, stage)`` runs the rest of the pipeline
(so the generated function can be checked against finite differences), and
``compiled(program)`` turns the body as it stands into a live function.
"""

from __future__ import annotations

import ast
from typing import Any, Callable

import numpy as np

from srcxform import rules
from srcxform.compiler import assemble, driver
from srcxform.compiler.env import Env
from srcxform.compiler.names import Namer
from srcxform.compiler.parse import Parsed, parse_function
from srcxform.compiler.program import Program, start
from srcxform.compiler.support import scalar_seed

Pass = Callable[[Program], Program]


def _shape(value: Any) -> tuple[int, ...]:
    return () if isinstance(value, (float, int)) else tuple(np.shape(value))


def before(f: Callable[..., Any], stage: Pass, wrt: Any = 0, kind: str = "grad",
           args: tuple | None = None) -> Program:
    """``f`` through the pipeline of ``kind`` up to ``stage`` (specialized on the shapes
    of ``args`` when given)."""
    parsed = parse_function(f)
    params = [a.arg for a in parsed.node.args.args]
    shapes = None if args is None else {p: _shape(a) for p, a in zip(params, args)}
    program = start(parsed, kind, wrt, None, shapes)
    for step in driver.PIPELINES[kind]:
        if step is stage:
            return program
        program = step(program)
    raise ValueError(f"{stage.__name__} is not a pass of {kind}")


def after(program: Program, stage: Pass) -> Program:
    """Run the passes of ``program.kind`` that follow ``stage``."""
    passes = driver.PIPELINES[program.kind]
    for step in passes[passes.index(stage) + 1:]:
        program = step(program)
    return program


def compiled(program: Program) -> Callable[..., Any]:
    """The program's body as it stands, emitted and loaded as a function."""
    return assemble.load(assemble.emit_source(program)).fn


def text(stmts: list[ast.stmt]) -> str:
    """The source of ``stmts`` (nodes a pass made without a position get one)."""
    ast.fix_missing_locations(ast.Module(stmts, []))
    return "\n".join(ast.unparse(s) for s in stmts)


def statements(source: str) -> list[ast.stmt]:
    """The statements of ``source``."""
    return ast.parse(source).body


def env(**names: Any) -> Env:
    """An environment in which ``np``, ``math``, ``unbroadcast``, ``scalar_seed`` and
    ``names`` are globals (for passes run on hand-written bodies)."""
    import math

    glob = {"np": np, "math": math, "unbroadcast": rules.unbroadcast,
            "scalar_seed": scalar_seed, **names}
    parsed = Parsed(fn=None, node=None, filename="<test>", globals=glob)
    return Env(parsed, Namer(set(glob)), set())
