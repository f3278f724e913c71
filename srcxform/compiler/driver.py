"""The pipeline: every pass in order, with an optional print of each stage.

``transform(f, wrt, kind)`` runs parse → check → normalize → activity →
reverse → optimize → emit → load and returns a :class:`Transformed`: the live
function, its source, and the text of every stage (``stages``), which
``SRCXFORM_DEBUG=1`` or ``debug=True`` prints as it goes.
"""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .activity import active_names, check_effects, varied_names
from .aggregates import replace_dicts
from .check import check
from .control import structure
from .emit import emit, group_no_grad
from .env import Env
from .forward import forward
from .loader import load, load_all
from .names import Namer
from .normalize import Program, normalize
from .optimize import optimize
from .parse import parse_function
from .reverse import overwritten, reverse
from .split import split
from .tape import insert_tapes


@dataclass
class Transformed:
    """A generated function and how it was made."""

    fn: Callable[..., Any]
    source: str
    wrt: tuple[str, ...]
    kind: str
    stages: dict[str, str] = field(default_factory=dict)
    rank_dependent: bool = False  # shape facts would simplify the code further
    ranks: dict[str, int] | None = None
    shapes: dict[str, tuple[int, ...]] | None = None
    backward: Callable[..., Any] | None = None  # split motion: the backward sweep


def _show(stages: dict[str, str], name: str, text: str, debug: bool) -> None:
    stages[name] = text
    if debug:
        print(f"--- srcxform stage: {name} ---\n{text}", file=sys.stderr)


def resolve_wrt(program_params: list[str], positional: list[str], wrt: Any,
                fname: str) -> tuple[list[str], bool]:
    """Parameter names for ``wrt`` (index, name, or tuple); and whether it was a tuple."""
    is_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if is_tuple else [wrt]
    if is_tuple and not items:
        raise ValueError(f"wrt={wrt!r} names no parameter of {fname}")
    names = []
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise TypeError(f"wrt must be a parameter index or name, got {w!r}")
        if isinstance(w, int):
            if not -len(positional) <= w < len(positional):
                raise ValueError(f"wrt={w!r} is out of range: {fname} has {len(positional)} "
                                 f"positional parameter(s)")
            names.append(positional[w])
        else:
            if w not in program_params:
                raise ValueError(f"wrt={w!r} is not a parameter of {fname} "
                                 f"(parameters: {', '.join(program_params)})")
            names.append(w)
    if len(set(names)) != len(names):
        raise ValueError(f"wrt={wrt!r} names a parameter twice")
    return names, is_tuple


def _keep_no_grad(body: list[ast.stmt], env: Env) -> list[ast.stmt]:
    """The user's ``with sx.no_grad():`` blocks, kept in the generated forward sweep."""
    if not any(getattr(n, "_sx_nograd", False) for s in body for n in ast.walk(s)):
        return body
    from ..runtime.grad_mode import no_grad

    return group_no_grad(body, env.ref(no_grad, "no_grad"))


def _user_locals(fn_node: ast.FunctionDef, program: Program, params: list[str]) -> set[str]:
    found = set(params) | {n.id for n in ast.walk(fn_node) if isinstance(n, ast.Name)
                           and isinstance(n.ctx, ast.Store)}
    found |= {n.id for s in program.body for n in ast.walk(s)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return found


def _forward_mode(f: Callable[..., Any], parsed: Any, program: Program, params: list[str],
                  positional: list[str], wrt_names: list[str], varied: set[str],
                  stages: dict[str, str], debug: bool, ranks: dict[str, int] | None,
                  shapes: dict[str, tuple[int, ...]] | None) -> Transformed:
    """The Jacobian-vector product ``jvp_f(*params, *tangents) -> (value, tangent)``."""
    fn_node = parsed.node
    _show(stages, "varied", ", ".join(sorted(varied)), debug)
    env = Env(parsed, program.namer, _user_locals(fn_node, program, params)
              | set(program.foreign))
    env.cells.update(program.foreign)
    tangent = forward(program, wrt_names, varied, env)
    _show(stages, "forward", "\n".join(ast.unparse(s) for s in tangent.body), debug)
    all_params = params + tangent.params
    primal_of = tangent.tangent_of
    if shapes is not None:  # a tangent has its primal's shape
        shapes = {**shapes, **{t: shapes[p] for t, p in primal_of.items() if p in shapes}}
    if ranks is not None:
        ranks = {**ranks, **{t: ranks[p] for t, p in primal_of.items() if p in ranks}}
    body, rank_dependent, _ = optimize(tangent.body, env, primal_of, all_params,
                                    set(), set(), ranks, shapes, overwritten(tangent.body),
                                    program.int_names, restores=False)
    base = fn_node.name if fn_node.name != "lambda_" else "lambda"
    name = program.namer.fresh(f"jvp_{base}")
    args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in all_params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    source = emit(name, args, body, parsed, label="tangent of")
    _show(stages, "source", source, debug)
    fn = load(source, name, parsed, env, "jvp", keep_defaults=False)
    fn.__doc__ = (f"jvp of {f.__qualname__}: takes its parameters ({', '.join(params)}) then "
                  f"the tangents of {', '.join(wrt_names)}; returns (value, tangent).")
    return Transformed(fn=fn, source=source, wrt=tuple(wrt_names), kind="jvp", stages=stages,
                       rank_dependent=rank_dependent, ranks=ranks, shapes=shapes)


def _split_motion(f: Callable[..., Any], parsed: Any, program: Program, params: list[str],
                  wrt_names: list[str], active: set[str], env: Env, stages: dict[str, str],
                  debug: bool, ranks: dict[str, int] | None,
                  shapes: dict[str, tuple[int, ...]] | None) -> Transformed:
    """``forward_f(*params) -> (value, residuals)`` and ``backward_f(residuals, cotangent)``."""
    fn_node = parsed.node
    adjoint = reverse(program, wrt_names, active, env, with_value=True, tuple_wrt=True,
                      seed_param=True)
    _show(stages, "reverse", "\n".join(ast.unparse(s) for s in adjoint.body), debug)
    body, rank_dependent, shapes_known = optimize(
        adjoint.body, env, adjoint.adjoint_of, params + [adjoint.seed], set(), set(), ranks,
        shapes, adjoint.overwritten, program.int_names)
    scalars = {n for n, shape in shapes_known.items() if shape == ()}
    body = insert_tapes(body, adjoint.overwritten, set(params), program.namer,
                        env.ref(np, "np"), scalars, env)
    body = _keep_no_grad(body, env)
    residuals = program.namer.fresh("residuals")
    parts = split(body, params, residuals)
    base = fn_node.name if fn_node.name != "lambda_" else "lambda"
    fwd_name = program.namer.fresh(f"forward_{base}")
    bwd_name = program.namer.fresh(f"backward_{base}")
    args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    bargs = ast.arguments(posonlyargs=[], args=[ast.arg(residuals), ast.arg(adjoint.seed)],
                          vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    source = (emit(fwd_name, args, parts.forward, parsed) + "\n\n"
              + emit(bwd_name, bargs, parts.backward, parsed))
    _show(stages, "source", source, debug)
    fwd, bwd = load_all(source, [fwd_name, bwd_name], parsed, env, "vjp", keep_defaults=False)
    fwd.__doc__ = f"The forward sweep of {f.__qualname__}: returns (value, residuals)."
    bwd.__doc__ = (f"The backward sweep of {f.__qualname__}: takes (residuals, cotangent), "
                   f"returns the gradients of {', '.join(wrt_names)}.")
    result = Transformed(fn=fwd, source=source, wrt=tuple(wrt_names), kind="vjp", stages=stages,
                         rank_dependent=rank_dependent, ranks=ranks, shapes=shapes)
    result.backward = bwd
    return result


def transform(f: Callable[..., Any], wrt: Any = 0, kind: str = "grad",
              debug: bool | None = None, ranks: dict[str, int] | None = None,
              shapes: dict[str, tuple[int, ...]] | None = None) -> Transformed:
    """Differentiate ``f`` by source transformation (``kind``: grad or value_and_grad)."""
    if debug is None:
        debug = bool(os.environ.get("SRCXFORM_DEBUG"))
    stages: dict[str, str] = {}
    parsed = parse_function(f)
    fn_node = parsed.node
    params = [a.arg for a in fn_node.args.posonlyargs + fn_node.args.args
              + fn_node.args.kwonlyargs]
    positional = [a.arg for a in fn_node.args.posonlyargs + fn_node.args.args]
    _show(stages, "parsed", ast.unparse(fn_node), debug)
    check(parsed)
    wrt_names, tuple_wrt = resolve_wrt(params, positional, wrt, f.__qualname__)
    structure(fn_node, Namer.for_tree(fn_node, extra={fn_node.name}))
    replace_dicts(parsed, Namer.for_tree(fn_node, extra={fn_node.name}))
    _show(stages, "structured", ast.unparse(fn_node), debug)
    program: Program = normalize(parsed)
    result = getattr(program.result, "value", 0) if isinstance(program.result, ast.Constant) else 0
    if kind != "jvp" and not isinstance(result, (int, float, complex)):
        raise ValueError(f"the function must return a scalar to take its gradient; "
                         f"{f.__qualname__} returns a {type(result).__name__} ({result!r})")
    _show(stages, "normalized", "\n".join(ast.unparse(s) for s in program.body)
          + f"\nreturn {ast.unparse(program.result)}", debug)
    varied = varied_names(program, wrt_names)
    check_effects(program, varied)
    if kind == "jvp":
        return _forward_mode(f, parsed, program, params, positional, wrt_names, varied,
                             stages, debug, ranks, shapes)
    active = active_names(program, wrt_names)
    _show(stages, "active", ", ".join(sorted(active)), debug)
    user_locals = _user_locals(fn_node, program, params)
    env = Env(parsed, program.namer, user_locals | set(program.foreign))
    env.cells.update(program.foreign)
    if kind == "vjp":
        return _split_motion(f, parsed, program, params, wrt_names, active, env, stages,
                             debug, ranks, shapes)
    adjoint = reverse(program, wrt_names, active, env, with_value=(kind == "value_and_grad"),
                      tuple_wrt=tuple_wrt)
    _show(stages, "reverse", "\n".join(ast.unparse(s) for s in adjoint.body), debug)
    body, rank_dependent, shapes_known = optimize(adjoint.body, env, adjoint.adjoint_of, params,
                                    adjoint.scalar_names, set(), ranks, shapes,
                                    adjoint.overwritten, program.int_names)
    scalars = {n for n, shape in shapes_known.items() if shape == ()}
    body = insert_tapes(body, adjoint.overwritten, set(params), program.namer,
                        env.ref(np, "np"), scalars, env)
    body = _keep_no_grad(body, env)
    base = fn_node.name if fn_node.name != "lambda_" else "lambda"
    name = program.namer.fresh(f"{'grad' if kind == 'grad' else 'value_and_grad'}_{base}")
    source = emit(name, fn_node.args, body, parsed)
    _show(stages, "source", source, debug)
    fn = load(source, name, parsed, env, kind)
    fn.__doc__ = f"{kind} of {f.__qualname__} with respect to {', '.join(wrt_names)}."
    return Transformed(fn=fn, source=source, wrt=tuple(wrt_names), kind=kind, stages=stages,
                       rank_dependent=rank_dependent, ranks=ranks, shapes=shapes)
