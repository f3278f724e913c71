"""Pass 5, reverse: emit the adjoint of a normalized program from the rule table.

After :func:`reverse`, ``Adjoint.body`` is a complete function body: the
normalized forward statements, the seed of the output's adjoint, then for
each active statement in reverse order the inlined rule that propagates its
adjoint to its active inputs, then the return.  Adjoints are named ``b`` +
primal name; the first contribution to an adjoint assigns it and later ones
add to it, so nothing is zero-initialised.  Elementwise rules' gradients are
wrapped in ``unbroadcast``, which the optimizer removes where shapes provably
agree.  Every emitted statement carries ``_sx_line`` (the user's line) and
``_sx_grad`` (True in the backward sweep).  A call with an active argument
and no rule raises ``TransformError`` naming the function and its line.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field

import numpy as np

from .. import rules
from ..rules import Rule
from .check import error
from .env import Env
from .inline import inline_rule
from .normalize import Program
from .primitives import Op, classify, targets
from .support import scalar_seed

#: Reductions whose result is a scalar when called without ``axis``/``keepdims``.
FULL_REDUCTIONS = {"sum", "mean", "prod", "max", "min", "var", "std", "norm"}


@dataclass
class Adjoint:
    """The generated function body and what the optimizer needs to know."""

    body: list[ast.stmt]
    adjoint_of: dict[str, str] = field(default_factory=dict)  # adjoint name -> primal name
    returns: list[str] = field(default_factory=list)
    scalar_names: set[str] = field(default_factory=set)


class _Reverse:
    def __init__(self, program: Program, wrt: list[str], active: set[str], env: Env) -> None:
        self.program = program
        self.parsed = program.parsed
        self.active = active
        self.env = env
        self.namer = program.namer
        self.adjoints: dict[str, str] = {}
        self.initialized: set[str] = set()
        self.out: list[ast.stmt] = []
        self.line = 0
        self.wrt = wrt

    def np(self) -> ast.Name:
        return ast.Name(self.env.ref(np, "np"), ast.Load())

    def adjoint(self, name: str) -> str:
        if name not in self.adjoints:
            self.adjoints[name] = self.namer.fresh("b" + name)
        return self.adjoints[name]

    def emit(self, stmt: ast.stmt) -> None:
        for node in ast.walk(stmt):
            if isinstance(node, ast.stmt):
                node._sx_line = self.line
                node._sx_grad = True
        ast.fix_missing_locations(stmt)
        self.out.append(stmt)

    def accumulate(self, atom: ast.expr, contribution: ast.expr) -> None:
        if not isinstance(atom, ast.Name) or atom.id not in self.active:
            return
        b = self.adjoint(atom.id)
        if atom.id in self.initialized:
            value = ast.BinOp(ast.Name(b, ast.Load()), ast.Add(), contribution)
        else:
            value = contribution
            self.initialized.add(atom.id)
        self.emit(ast.Assign([ast.Name(b, ast.Store())], value))

    # -- one statement -------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> None:
        names = targets(stmt)
        if not any(n in self.active and n in self.initialized for n in names):
            return
        self.line = stmt._sx_line
        op = classify(stmt)
        if op.kind == "copy":
            self.accumulate(op.args[0], ast.Name(self.adjoint(names[0]), ast.Load()))
        elif op.kind == "pack":
            g = self.adjoint(names[0])
            for i, e in enumerate(op.args):
                self.accumulate(e, ast.Subscript(ast.Name(g, ast.Load()), ast.Constant(i),
                                                 ast.Load()))
        elif op.kind == "unpack":
            parts = []
            for n in names:
                if n in self.initialized:
                    parts.append(ast.Name(self.adjoint(n), ast.Load()))
                else:
                    parts.append(ast.Call(ast.Attribute(self.np(), "zeros_like", ast.Load()),
                                          [ast.Name(n, ast.Load())], []))
            self.accumulate(op.args[0], ast.Tuple(parts, ast.Load()))
        elif op.kind == "rule":
            self.rule(stmt, op, names[0])
        else:
            node = op.node if op.node is not None else stmt
            node = getattr(node, "_sx_node", node)
            if not hasattr(node, "lineno"):
                node = stmt
            raise error(self.parsed, node,
                        f"no derivative rule for {op.what}; register one with sx.adjoint "
                        "or stop its gradient with sx.detach", op.what)

    def rule(self, stmt: ast.stmt, op: Op, target: str) -> None:
        rule: Rule = op.rule
        try:
            bound = rule.bind(*op.args, **op.keywords)
        except TypeError as exc:
            raise error(self.parsed, getattr(op.node, "_sx_node", op.node),
                        f"cannot differentiate {op.what} called this way: {exc}",
                        op.what) from None
        params = rule.primal_params
        mapping: dict[str, ast.expr] = {}
        sig_params = rule.signature.parameters
        for p in params:
            value = bound.arguments.get(p, sig_params[p].default)
            kind = sig_params[p].kind
            if kind is sig_params[p].VAR_POSITIONAL:
                value = ast.Tuple(list(value), ast.Load())
            elif kind is sig_params[p].VAR_KEYWORD:
                continue
            elif not isinstance(value, ast.AST):
                value = ast.Constant(value)
            mapping[p] = value
        if rule is rules.lookup(__import__("operator").getitem):
            mapping[params[1]] = _slices_as_calls(mapping[params[1]], self.env)
        # Which primal atoms get which gradient.
        receivers = [mapping.get(p) for p in params]
        names_used = [r.id for r in receivers if isinstance(r, ast.Name)]
        direct: list[str | None] = []
        for r in receivers:
            ok = (isinstance(r, ast.Name) and r.id in self.active and r.id not in self.initialized
                  and names_used.count(r.id) == 1 and not rule.elementwise)
            direct.append(self.adjoint(r.id) if ok else None)
        g = ast.Name(self.adjoint(target), ast.Load())
        out = ast.Name(target, ast.Load())
        receiver_adjoints = [self.adjoint(r.id) if isinstance(r, ast.Name) and r.id in self.active
                             else None for r in receivers]
        stmts, results = inline_rule(rule, mapping, g, out, self.namer, self.env, direct,
                                     receiver_adjoints)
        for s in stmts:
            self.emit(s)
        for r, grad, d in zip(receivers, results, direct):
            if grad is None or not isinstance(r, ast.Name) or r.id not in self.active:
                continue
            if d is not None and isinstance(grad, ast.Name) and grad.id == d:
                self.initialized.add(r.id)
                continue
            if rule.elementwise:
                grad = ast.Call(ast.Name(self.env.ref(rules.unbroadcast, "unbroadcast"),
                                         ast.Load()), [grad, ast.Name(r.id, ast.Load())], [])
            self.accumulate(r, grad)


def _slices_as_calls(index: ast.expr, env: Env) -> ast.expr:
    """Write ``a:b`` parts of an index as ``slice(a, b)`` so it can be passed around."""
    if isinstance(index, ast.Tuple):
        return ast.Tuple([_slices_as_calls(e, env) for e in index.elts], ast.Load())
    if isinstance(index, ast.Slice):
        parts = [p if p is not None else ast.Constant(None)
                 for p in (index.lower, index.upper, index.step)]
        return ast.Call(ast.Name(env.ref(slice, "slice"), ast.Load()), parts, [])
    return index


def is_scalar_result(program: Program) -> bool:
    """True when the returned value is a scalar by construction (a full reduction)."""
    result = program.result
    if isinstance(result, ast.Constant):
        return True
    if not isinstance(result, ast.Name):
        return False
    for stmt in program.body:
        if result.id in targets(stmt):
            op = classify(stmt)
            if op.kind == "rule" and op.rule.name in FULL_REDUCTIONS:
                given = {k for k in op.keywords if k in ("axis", "keepdims")}
                positional_extra = len(op.args) > 1
                return not given and not positional_extra
            callee = getattr(stmt.value, "_sx_callee", None)
            return getattr(callee, "__module__", None) == "math" or callee is float
    return False


def reverse(program: Program, wrt: list[str], active: set[str], env: Env,
            with_value: bool = False, tuple_wrt: bool = False) -> Adjoint:
    """Build the adjoint function body of ``program`` for ``wrt``."""
    rev = _Reverse(program, wrt, active, env)
    body: list[ast.stmt] = [copy.deepcopy(s) for s in program.body]
    for s, orig in zip(body, program.body):
        s._sx_line = orig._sx_line
    result = program.result
    rev.line = program.body[-1]._sx_line if program.body else program.parsed.node.lineno
    scalar = is_scalar_result(program)
    if isinstance(result, ast.Name) and not getattr(result, "_sx_global", False):
        seed_target = rev.adjoint(result.id) if result.id in active else program.namer.fresh("seed")
        if scalar:
            seed: ast.expr = ast.Constant(1.0)
        else:
            seed = ast.Call(ast.Name(env.ref(scalar_seed, "scalar_seed"), ast.Load()),
                            [copy.deepcopy(result)], [])
        if result.id in active or not scalar:
            rev.emit(ast.Assign([ast.Name(seed_target, ast.Store())], seed))
            if result.id in active:
                rev.initialized.add(result.id)
                if not scalar:
                    rev.out[-1]._sx_keep = True
            else:
                rev.out[-1]._sx_keep = True
    for stmt in reversed(program.body):
        rev.statement(stmt)
    grads: list[ast.expr] = []
    returns = []
    for p in wrt:
        if p in rev.initialized:
            name = rev.adjoint(p)
            grads.append(ast.Name(name, ast.Load()))
            returns.append(name)
        else:
            grads.append(ast.Call(ast.Attribute(rev.np(), "zeros_like", ast.Load()),
                                  [ast.Name(p, ast.Load())], []))
    value: ast.expr = grads[0] if len(grads) == 1 and not tuple_wrt \
        else ast.Tuple(grads, ast.Load())
    if with_value:
        value = ast.Tuple([copy.deepcopy(result), value], ast.Load())
        if isinstance(result, ast.Name):
            returns.append(result.id)
    ret = ast.Return(value)
    rev.line = program.body[-1]._sx_line if program.body else 0
    rev.emit(ret)
    ret._sx_grad = False
    adjoint_of = {b: p for p, b in rev.adjoints.items()}
    return Adjoint(body=body + rev.out, adjoint_of=adjoint_of, returns=returns,
                   scalar_names={result.id} if scalar and isinstance(result, ast.Name) else set())
