"""The back-end passes as ``pass(program) -> program``, over their current signatures.

Temporary: each function here calls one back-end pass (``reverse.py``,
``forward.py``, ``optimize.py``, ``defer.py``, ``lower.py``, ``tape.py``,
``split.py``) through the argument list it takes today and stores what it
returns on the :class:`Program`.  When a back-end module takes a
``Program`` itself, the driver imports that pass from its module and its
adapter here is deleted (see ``NOTES-restructure.md``).  What each adapter
reads and sets is what the pass will read and set.
"""

from __future__ import annotations

import numpy as np

from . import defer as _defer
from . import forward as _forward
from . import lower as _lower
from . import optimize as _optimize
from . import reverse as _reverse
from . import split as _split
from . import tape as _tape
from .program import Program


def reverse(program: Program) -> Program:
    """The adjoint body (reverse.py): forward statements, seed, backward sweep, return."""
    vjp = program.kind == "vjp"
    adjoint = _reverse.reverse(program, program.wrt, program.active, program.env,
                               with_value=program.kind in ("value_and_grad", "vjp"),
                               tuple_wrt=program.tuple_wrt or vjp, seed_param=vjp)
    program.body = adjoint.body
    program.adjoint_of = adjoint.adjoint_of
    program.returns = adjoint.returns
    program.scalar_names = adjoint.scalar_names
    program.overwritten = adjoint.overwritten
    program.seed = adjoint.seed
    return program


def forward(program: Program) -> Program:
    """The tangent body (forward.py); each tangent gets its primal's known shape and rank."""
    tangent = _forward.forward(program, program.wrt, program.varied, program.env)
    program.body = tangent.body
    program.tangent_of = tangent.tangent_of
    program.tangent_params = tangent.params
    program.overwritten = _reverse.overwritten(tangent.body)
    primal_of = tangent.tangent_of
    if program.shapes is not None:
        shapes = program.shapes
        program.shapes = {**shapes, **{t: shapes[p] for t, p in primal_of.items()
                                       if p in shapes}}
    if program.ranks is not None:
        ranks = program.ranks
        program.ranks = {**ranks, **{t: ranks[p] for t, p in primal_of.items() if p in ranks}}
    return program


def optimize(program: Program) -> Program:
    """Simplify to a fixed point (optimize.py); set the shape facts defer and lower use."""
    opt = _optimize.Optimizer(program.env, program.derivative_of, program.generated_params,
                              program.scalar_names, program.ranks, program.shapes)
    opt.overwritten = set(program.overwritten)
    opt.restores = program.kind != "jvp"
    opt.known_ints = set(program.int_names)
    body = opt.run(program.body, set())
    _optimize._materialize_returned_broadcasts(body, opt, program.derivative_of)
    program.body = body
    program.trusted_shapes = _optimize._trusted_shapes(body, opt, program.derivative_of)
    program.exact_shapes = opt.exact
    program.rank_dependent = opt.rank_queries > 0
    return program


def defer_outer_products(program: Program) -> Program:
    """Batch a backward loop's outer products into one matrix product (defer.py)."""
    program.body = _defer.defer_outer_products(program.body, program.env,
                                               program.trusted_shapes)
    return program


def lower(program: Program) -> Program:
    """The fast spellings of backward code (lower.py)."""
    program.body = _lower.lower(program.body, program.env, program.exact_shapes,
                                set(program.derivative_of), program.trusted_shapes)
    return program


def insert_tapes(program: Program) -> Program:
    """Save the overwritten values the backward sweep reads (tape.py)."""
    scalars = {n for n, shape in program.trusted_shapes.items() if shape == ()}
    program.body = _tape.insert_tapes(program.body, program.overwritten, set(program.params),
                                      program.namer, program.env.ref(np, "np"), scalars,
                                      program.env)
    return program


def split(program: Program) -> Program:
    """Divide the body into the forward and the backward sweep of ``vjp`` (split.py)."""
    program.residuals = program.namer.fresh("residuals")
    parts = _split.split(program.body, program.params, program.residuals)
    program.forward_body = parts.forward
    program.backward_body = parts.backward
    return program
