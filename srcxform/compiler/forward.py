"""Pass 5 (forward mode), tangents: the Jacobian-vector product of a normalized program.

After :func:`forward`, ``program.body`` is a complete function body in which
every assignment of a *varied* name (one that depends on a differentiated
parameter) is followed, in the same block, by the assignment of its tangent
``d<name>``; branches and loops keep their shape (no tape is needed, the
tangent is carried along), and the body ends with ``return (value, tangent)``.

Tangents come from the one rule table (``rules.registry``): an elementwise
rule's gradient evaluated at ``g = t``, a linear primitive applied to the
tangent, or a registered tangent function.  A name that is never varied has a
zero tangent that is never materialized; a varied name overwritten by a value
without gradient gets an explicit zero.  Every statement carries the
annotations ``line`` and ``forward`` so the emitter comments each user line
once.  ``program.tangent_of`` maps each tangent to its primal,
``program.tangent_params`` are the tangents of ``wrt`` (parameters of the
generated function, after the primal's), and a tangent has its primal's entry
in ``program.shapes``/``program.ranks``.
"""

from __future__ import annotations

import ast
import copy
import inspect
from typing import Any

import numpy as np

from ..rules import Rule, tangents_of
from ..rules.sequences import FORWARD_ONLY, add_each, zeros_each, zeros_list
from . import anno
from .astutil import walk
from .check import error
from .env import Env
from .inline import inline_rule
from .primitives import UNKNOWN_OUTPUTS, Op, classify, targets, tuple_outputs
from .program import Program
from .reverse import overwritten
from .rulecalls import (
    at_line,
    check_differentiable,
    no_rule,
    origin_of,
    rule_mapping,
    unknown_outputs,
)
from .support import writable


class _Forward:
    """Builds the tangent statements of one program, statement by statement."""

    def __init__(self, program: Program) -> None:
        self.parsed = program.parsed
        self.varied = program.varied
        self.env: Env = program.env
        self.namer = program.namer
        self.tangents: dict[str, str] = {}
        self.line = 0

    def np(self) -> ast.Name:
        """A reference to NumPy in generated code."""
        return ast.Name(self.env.ref(np, "np"), ast.Load())

    def tangent(self, name: str) -> str:
        """The tangent's name of primal ``name`` (``d`` + name, made once)."""
        if name not in self.tangents:
            self.tangents[name] = self.namer.fresh("d" + name)
        return self.tangents[name]

    def t(self, atom: ast.expr) -> ast.expr | None:
        """The tangent of an atom, or ``None`` when it is zero by construction."""
        if isinstance(atom, ast.Name) and atom.id in self.varied \
                and not anno.get(atom, anno.GLOBAL, False):
            return ast.Name(self.tangent(atom.id), ast.Load())
        return None

    def zeros_like(self, atom: ast.expr) -> ast.expr:
        """A zero of ``atom``'s kind: ``0.0`` (``None``) for a constant, else ``np.zeros_like``."""
        if isinstance(atom, ast.Constant):
            return ast.Constant(None) if atom.value is None else ast.Constant(0.0)
        return ast.Call(ast.Attribute(self.np(), "zeros_like", ast.Load()),
                        [copy.deepcopy(atom)], [])

    def t_or_zero(self, atom: ast.expr) -> ast.expr:
        """The tangent of an atom, materialized as a zero when it is zero by construction."""
        found = self.t(atom)
        return found if found is not None else self.zeros_like(atom)

    # -- blocks ------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """``stmts`` with each assignment of a varied name followed by its tangent's."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ast.If):
                stmt.body = self.block(stmt.body)
                stmt.orelse = self.block(stmt.orelse)
                anno.set(stmt, anno.FORWARD, True)
                out.append(stmt)
            elif isinstance(stmt, (ast.For, ast.While)):
                stmt.body = self.block(stmt.body)
                anno.set(stmt, anno.FORWARD, True)
                out.append(stmt)
            else:
                anno.set(stmt, anno.FORWARD, True)
                out.append(stmt)
                if isinstance(stmt, ast.Assign) or anno.get(stmt, anno.APPEND, False):
                    self.line = anno.get(stmt, anno.LINE, self.line)
                    made = self.statement(stmt)
                    origin = origin_of(classify(stmt)) if made else None
                    for new in made:
                        for inner in walk(new):  # (a rule's folded branches too)
                            if isinstance(inner, ast.stmt):
                                anno.set(inner, anno.LINE, self.line)
                                anno.set(inner, anno.FORWARD, True)
                                if origin is not None:
                                    anno.set(inner, anno.ORIGIN, origin)
                        ast.fix_missing_locations(new)
                        out.append(new)
        return out

    def assign(self, name: str, value: ast.expr) -> ast.stmt:
        """``dname = value``."""
        return ast.Assign([ast.Name(self.tangent(name), ast.Store())], value)

    # -- one statement -----------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> list[ast.stmt]:
        """The tangent statements of one normalized assignment (none if nothing varies)."""
        names = targets(stmt)
        if not any(n in self.varied for n in names):
            return []
        op = classify(stmt)
        if anno.get(stmt, anno.APPEND, False):  # also onto a list that is popped
            lst, value = op.args
            call = ast.Call(ast.Attribute(ast.Name(self.tangent(lst.id), ast.Load()), "append",
                                          ast.Load()), [self.t_or_zero(value)], [])
            return [ast.Expr(call)]
        target = stmt.targets[0]
        if op.kind == "setitem":
            root, value = op.args
            tangent = self.tangent(root.id)
            store = ast.Subscript(ast.Name(tangent, ast.Load()),
                                  copy.deepcopy(target.slice), ast.Store())
            # the primal is the function's own array; its tangent may be a read-only view
            # (a tangent rule's np.broadcast_to): written into, it is made writable first
            own = ast.Assign([ast.Name(tangent, ast.Store())], ast.Call(
                ast.Name(self.env.ref(writable, "writable"), ast.Load()),
                [ast.Name(tangent, ast.Load())], []))
            return [own, ast.Assign([store], self.t_or_zero(value))]
        if op.kind == "copy":
            return [self.assign(names[0], self.t_or_zero(op.args[0]))]
        if op.kind == "pack":
            elts = [self.t_or_zero(e) for e in op.args]
            seq = ast.List(elts, ast.Load()) if isinstance(op.node, ast.List) \
                else ast.Tuple(elts, ast.Load())
            return [self.assign(names[0], seq)]
        if op.kind == "unpack":
            if self.t(op.args[0]) is None:  # a sequence without tangent: each part a zero
                return [self.assign(n, self.zeros_like(ast.Name(n, ast.Load()))) for n in names]
            store = ast.Tuple([ast.Name(self.tangent(n), ast.Store()) for n in names], ast.Store())
            return [ast.Assign([store], self.t(op.args[0]))]
        if op.kind in ("listitem",):
            value = stmt.value
            item = ast.Subscript(self.t_or_zero(value.value), copy.deepcopy(value.slice),
                                 ast.Load())
            return [self.assign(names[0], item)]
        if op.kind == "listsum":
            return [self.assign(names[0], ast.Call(ast.Name("sum", ast.Load()),
                                                   [self.t_or_zero(op.args[0])], []))]
        if op.kind == "rule":
            return self.rule(stmt, op, names[0])
        if op.kind == "nondiff":
            return [self.assign(n, self.zero_of(stmt, n)) for n in names]
        if op.kind == "unknown" and isinstance(stmt.value, ast.Call) \
                and anno.get(stmt.value, anno.METHOD, None) == "pop" \
                and isinstance(stmt.value.func.value, ast.Name) \
                and self.t(stmt.value.func.value) is not None:  # a tape of generated code
            receiver = stmt.value.func.value
            call = copy.deepcopy(stmt.value)
            call.func.value = self.t_or_zero(receiver)
            return [self.assign(names[0], call)]
        if not any(self.t(a) is not None for a in op.args + list(op.keywords.values())):
            return [self.assign(n, self.zero_of(stmt, n)) for n in names]
        raise no_rule(self.parsed, op, stmt)

    def zero_of(self, stmt: ast.Assign, name: str) -> ast.expr:
        """The zero tangent of ``name`` assigned by ``stmt`` (a value without gradient)."""
        value = stmt.value
        if isinstance(value, (ast.List, ast.Tuple)) and not value.elts:
            return copy.deepcopy(value)  # an empty list's tangent is an empty list
        if isinstance(value, ast.Constant):
            return self.zeros_like(value)
        if isinstance(value, ast.Call) and any(
                anno.get(value, anno.CALLEE, None) is f for f in (zeros_each, zeros_list)):
            return ast.Call(copy.deepcopy(value.func), [ast.Name(name, ast.Load())], [])
        if tuple_outputs(classify(stmt)) > 0:  # one zero per value of a tuple of results
            return ast.Call(ast.Name(self.env.ref(zeros_each, "zeros_each"), ast.Load()),
                            [ast.Name(name, ast.Load())], [])
        return self.zeros_like(ast.Name(name, ast.Load()))

    def rule(self, stmt: ast.Assign, op: Op, target: str) -> list[ast.stmt]:
        """A primitive's tangent: the sum of each varied operand's part, from its registered
        tangent, the linear primitive itself, or the elementwise rule at ``g = t``."""
        rule: Rule = op.rule
        mapping = rule_mapping(rule, op, self.parsed, self.env)
        params = rule.primal_params
        explicit = tangents_of(rule)
        count = tuple_outputs(op)  # a tuple of results has a tuple of tangents
        if count == UNKNOWN_OUTPUTS:
            raise unknown_outputs(self.parsed, op, stmt)
        check_differentiable(self.parsed, op, stmt, mapping, lambda a: self.t(a) is not None)
        out_atom = ast.Name(target, ast.Load())
        stmts: list[ast.stmt] = []
        parts: list[ast.expr] = []
        for i, p in enumerate(params):
            atom = mapping.get(p)
            if isinstance(atom, ast.Tuple) and p == rule.vararg:
                # ``*operands`` (np.einsum): a linear primitive takes each tangent in turn;
                # a registered tangent function gets each one's position among them
                fn = explicit[i] if explicit is not None and i < len(explicit) else None
                for position, elt in enumerate(atom.elts):
                    te = self.t(elt)
                    if te is None:
                        continue
                    if fn is not None:
                        stmts += self.explicit_part(fn, mapping, te, out_atom, target, p,
                                                    parts, position)
                    elif explicit is None and rule.linear:
                        parts.append(_with_argument(stmt.value, op, elt, te))
                    else:
                        raise self.no_tangent(stmt, op, p)
                continue
            t = self.t(atom) if atom is not None else None
            if t is None:
                continue
            if explicit is not None:
                if i < len(explicit) and explicit[i] is None:
                    continue  # registered as not differentiable (a shape or an option)
                fn = explicit[i] if i < len(explicit) else None
                if fn is None:
                    raise self.no_tangent(stmt, op, p)
                stmts += self.explicit_part(fn, mapping, t, out_atom, target, p, parts)
            elif rule.linear:
                parts.append(_with_argument(stmt.value, op, atom, t))
            elif rule.elementwise:
                body, results = inline_rule(rule, mapping, t, out_atom, self.namer, self.env)
                if results[i] is None:
                    raise self.no_tangent(stmt, op, p)
                stmts += body
                parts.append(results[i])
            else:
                raise self.no_tangent(stmt, op, p)
        if not parts:
            return [self.assign(target, self.zero_of(stmt, target))]
        total = parts[0]
        for extra in parts[1:]:
            if count or id(rule.vjp) in FORWARD_ONLY:  # tangents that are tuples or lists
                total = ast.Call(ast.Name(self.env.ref(add_each, "add_each"), ast.Load()),
                                 [total, extra], [])
            else:
                total = ast.BinOp(total, ast.Add(), extra)
        if rule.elementwise and explicit is None and _may_broadcast(self, mapping, params):
            # the tangent of an operand smaller than the output broadcasts to it
            shape = ast.Call(ast.Attribute(self.np(), "shape", ast.Load()),
                             [copy.deepcopy(out_atom)], [])
            total = ast.Call(ast.Attribute(self.np(), "broadcast_to", ast.Load()),
                             [total, shape], [])
        stmts.append(self.assign(target, total))
        return stmts

    def explicit_part(self, fn: Any, mapping: dict[str, ast.expr], t: ast.expr,
                      out_atom: ast.expr, target: str, param: str, parts: list[ast.expr],
                      position: int | None = None) -> list[ast.stmt]:
        """Inline (or call) a registered tangent function for tangent ``t`` of ``param``;
        append its result to ``parts`` and return the statements computing it.
        ``position``: the argument's place among those a ``*args`` parameter collects."""
        pseudo = Rule(name=fn.__name__, vjp=fn, signature=inspect.signature(fn))
        if position is not None:  # tangent(t, out, position, *primal arguments)
            mapping = {list(pseudo.signature.parameters)[2]: ast.Constant(position), **mapping}
        part = self.namer.fresh(f"{self.tangent(target)}_{param}")  # if it branches
        body, results = inline_rule(pseudo, mapping, t, out_atom, self.namer, self.env,
                                    [part], whole=True)
        parts.append(results[0])
        return body

    def no_tangent(self, stmt: ast.stmt, op: Op, param: str) -> Exception:
        """The located ``TransformError`` for an operand whose tangent has no rule."""
        node = anno.get(op.node, anno.NODE, op.node)
        if not hasattr(node, "lineno"):
            node = at_line(stmt)
        return error(self.parsed, node,
                     f"forward mode has no tangent rule for argument {param!r} of {op.what}",
                     op.what)


def _may_broadcast(fwd: _Forward, mapping: dict[str, ast.expr], params: list[str]) -> bool:
    """False when the tangents' sum certainly has the output's shape: every operand
    without a tangent is a number (the tangents of all array operands take part)."""
    for p in params:
        atom = mapping.get(p)
        if atom is None or fwd.t(atom) is not None:
            continue
        if isinstance(atom, ast.Constant) and (atom.value is None or isinstance(
                atom.value, (int, float, bool, str))):
            continue
        return True
    return False


def _with_argument(value: ast.expr, op: Op, atom: ast.expr, tangent: ast.expr) -> ast.expr:
    """``value`` (the primitive's expression) with operand ``atom`` replaced by ``tangent``."""
    anno.set(atom, anno.HOLE, True)
    try:
        new = copy.deepcopy(value)
    finally:
        anno.delete(atom, anno.HOLE)

    class Fill(ast.NodeTransformer):
        """Replaces the first marked operand by the tangent."""

        done = False

        def visit(self, node: ast.AST) -> ast.AST:
            """The tangent for the marked operand, else the node with its children filled."""
            if anno.get(node, anno.HOLE, False) and not self.done:
                self.done = True  # ``x @ x``: one operand at a time
                return copy.deepcopy(tangent)
            return self.generic_visit(node)

    return Fill().visit(new)


def forward(program: Program) -> Program:
    """Replace ``program.body`` by the body of its Jacobian-vector product.

    Reads ``parsed``, ``body``, ``result``, ``params``, ``wrt``, ``varied``, ``env``,
    ``namer``, ``shapes`` and ``ranks``; sets ``body``, ``tangent_of``,
    ``tangent_params``, ``overwritten`` and the tangents' ``shapes``/``ranks``.
    """
    fwd = _Forward(program)
    wrt, varied = program.wrt, program.varied
    tangent_params = [fwd.tangent(p) for p in wrt]
    body = fwd.block([copy.deepcopy(s) for s in program.body])
    # a parameter held constant that a loop or branch reassigns with a varied value
    # starts with a zero tangent
    for p in reversed(program.params):
        if p in varied and p not in wrt:
            start = fwd.assign(p, fwd.zeros_like(ast.Name(p, ast.Load())))
            anno.set(start, anno.LINE, program.parsed.node.lineno)
            anno.set(start, anno.FORWARD, True)
            body.insert(0, start)
    result = program.result
    value = copy.deepcopy(result)
    dvalue = fwd.t_or_zero(result)
    ret = ast.Return(ast.Tuple([value, dvalue], ast.Load()))
    anno.set(ret, anno.LINE, anno.get(program.body[-1], anno.LINE) if program.body
             else program.parsed.node.lineno)
    body.append(ret)
    ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
    program.body = body
    program.tangent_of = {t: p for p, t in fwd.tangents.items()}
    program.tangent_params = tangent_params
    program.overwritten = overwritten(body)
    if program.shapes is not None:  # a tangent has its primal's shape
        program.shapes = {**program.shapes, **{t: program.shapes[p]
                                               for t, p in program.tangent_of.items()
                                               if p in program.shapes}}
    if program.ranks is not None:
        program.ranks = {**program.ranks, **{t: program.ranks[p]
                                             for t, p in program.tangent_of.items()
                                             if p in program.ranks}}
    return program
