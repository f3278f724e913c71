"""The last passes of every mode: kept ``no_grad`` blocks, source text, live functions.

After :func:`keep_no_grad`, each run of statements the user computed under
``with sx.no_grad():`` is inside such a block again in the generated forward
sweep (so a transform of the generated code stops those gradients too).
After :func:`emit_source`, ``program.source`` is the text of the generated
function(s), ``program.origins`` the user's call each of its lines computes
(``emit.py``), and ``program.function_names`` their names: ``grad_f`` /
``value_and_grad_f`` with ``f``'s own parameters and defaults, ``jvp_f`` with
the parameters then the tangents, or ``forward_f`` and ``backward_f`` for the
split motion of ``vjp``.  After :func:`load`, ``program.fn`` (and, for
``vjp``, ``program.backward``) are the compiled functions, with docstrings.
The text itself is written by ``emit.py`` and compiled by ``loader.py``.
"""

from __future__ import annotations

import ast
from typing import Any

from . import anno
from .astutil import walk_stmts
from .emit import emit_with_origins, group_no_grad
from .loader import load_all
from .program import Program

_LABELS = {"jvp": "tangent of"}


def keep_no_grad(program: Program) -> Program:
    """Wrap the user's ``no_grad`` statements in ``with no_grad():`` again.  (Only
    statements carry ``anno.NOGRAD`` (``normalize.py``): their expressions are not looked
    into.)"""
    body = program.body
    if any(anno.get(s, anno.NOGRAD, False) for s in walk_stmts(body)):
        from ..runtime.grad_mode import no_grad

        program.body = group_no_grad(body, program.env.ref(no_grad, "no_grad"))
    return program


def _arguments(names: list[str]) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _entry_checks(program: Program, body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` after the argument checks ``mutation.py`` asked for (``support.py``)."""
    if not (program.entry_checks or program.sequence_checks):
        return body
    from .support import require_array, require_scalar_index, require_sequence

    made: list[ast.stmt] = []
    shapes = program.shapes or {}
    for param, err in sorted(program.sequence_checks.items()):
        if param in shapes:  # code for this argument's kind: a dict is refused now
            if getattr(shapes[param], "container", None) == "dict":
                raise err
            continue
        check = program.env.ref(require_sequence, "require_sequence")  # code for any
        where = program.env.ref((err.reason, err.filename, err.lineno, err.col,
                                 err.construct), f"loop_over_{param}")
        made.append(ast.Expr(ast.Call(ast.Name(check, ast.Load()),
                                      [ast.Name(param, ast.Load()), ast.Name(where, ast.Load())],
                                      [])))
    for (param, count), err in sorted(program.entry_checks.items(), key=repr):
        check = program.env.ref(require_scalar_index, "require_scalar_index")
        if isinstance(count, tuple):  # ("array", n): an array of n axes or more (mutation.py)
            check = program.env.ref(require_array, "require_array")
            count = count[1]
        made.append(ast.Expr(ast.Call(ast.Name(check, ast.Load()),
                                      [ast.Name(param, ast.Load()), ast.Constant(count),
                                       _located(err)], [])))
    return made + body


def _located(err: Any) -> ast.Tuple:
    """A ``TransformError``'s message and place, as the literal a support check raises."""
    return ast.Tuple([ast.Constant(v) for v in (err.reason, err.filename, err.lineno, err.col,
                                                err.construct)], ast.Load())


def emit_source(program: Program) -> Program:
    """Name the generated function(s) and write their source (see the module docstring)."""
    if program.kind == "vjp":
        program.forward_body = _entry_checks(program, program.forward_body)
    else:
        program.body = _entry_checks(program, program.body)
    base, parsed, fresh = program.base_name, program.parsed, program.namer.fresh
    if program.kind == "vjp":
        names = [fresh(f"forward_{base}"), fresh(f"backward_{base}")]
        first, origins = emit_with_origins(names[0], _arguments(program.params),
                                           program.forward_body, parsed)
        second, more = emit_with_origins(names[1], _arguments([program.residuals, program.seed]),
                                         program.backward_body, parsed)
        offset = first.count("\n") + 2  # (the two blank lines between the two)
        origins.update({line + offset: origin for line, origin in more.items()})
        program.source = first + "\n\n" + second
    else:
        names = [fresh(f"{program.kind}_{base}")]
        args = _arguments(program.generated_params) if program.kind == "jvp" \
            else parsed.node.args  # grad, value_and_grad: the primal's own signature
        program.source, origins = emit_with_origins(
            names[0], args, program.body, parsed, label=_LABELS.get(program.kind, "grad of"))
    program.origins = origins
    program.function_names = names
    return program


def load(program: Program) -> Program:
    """Compile ``program.source`` in the user's environment (see the module docstring)."""
    kind, qualname, wrt = program.kind, program.parsed.fn.__qualname__, ", ".join(program.wrt)
    made = load_all(program.source, program.function_names, program.parsed, program.env, kind,
                    keep_defaults=kind in ("grad", "value_and_grad"), origins=program.origins)
    program.fn = made[0]
    if kind == "vjp":
        program.backward = made[1]
        program.fn.__doc__ = f"The forward sweep of {qualname}: returns (value, residuals)."
        program.backward.__doc__ = (f"The backward sweep of {qualname}: takes (residuals, "
                                    f"cotangent), returns the gradients of {wrt}.")
    elif kind == "jvp":
        program.fn.__doc__ = (f"jvp of {qualname}: takes its parameters "
                              f"({', '.join(program.params)}) then the tangents of {wrt}; "
                              f"returns (value, tangent).")
    else:
        program.fn.__doc__ = f"{kind} of {qualname} with respect to {wrt}."
    return program
