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
import itertools
import operator
import types
from dataclasses import dataclass, field

import numpy as np

from .. import rules
from ..rules import Rule
from ..rules.sequences import FORWARD_ONLY, add_each, add_to_each, zeros_each
from .check import error
from .env import Env
from .inline import inline_rule
from .normalize import Program
from .primitives import UNKNOWN_OUTPUTS, Op, classify, refusal, targets, tuple_outputs
from .support import scalar_seed, zeros_like_or_none

#: The name of the placeholder call that becomes ``v = v_stack.pop()``.
RESTORE = "__srcxform_restore__"

#: Reductions whose result is a scalar when called without ``axis``/``keepdims``.
FULL_REDUCTIONS = {"sum", "mean", "prod", "max", "min", "var", "std", "norm"}


@dataclass
class Adjoint:
    """The generated function body and what the optimizer needs to know."""

    body: list[ast.stmt]
    adjoint_of: dict[str, str] = field(default_factory=dict)  # adjoint name -> primal name
    returns: list[str] = field(default_factory=list)
    scalar_names: set[str] = field(default_factory=set)
    overwritten: set[str] = field(default_factory=set)  # names assigned more than once
    seed: str | None = None  # the output's cotangent, a parameter (split motion only)


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
        self.fixed = overwritten(program.body)
        self.sites = itertools.count(1)
        self.loop_prologue: dict[int, ast.stmt] = {}
        self.lists = set(program.lists)
        self.multi = _multi_output_names(program.body)  # name -> how many values it holds
        self.tuples = (_tuple_names(program.body) | set(self.multi)) - self.lists
        self.depth = 0
        self.bound_before: dict[int, set[str]] = {}  # set for the body being reversed
        self.prebound: set[str] = set()  # primals bound to None first (see ``zero``)

    def np(self) -> ast.Name:
        return ast.Name(self.env.ref(np, "np"), ast.Load())

    def adjoint(self, name: str) -> str:
        if name not in self.adjoints:
            self.adjoints[name] = self.namer.fresh("b" + name)
        return self.adjoints[name]

    def emit(self, stmt: ast.stmt) -> None:
        for node in ast.walk(stmt):
            if isinstance(node, ast.stmt):
                if node is stmt or not hasattr(node, "_sx_line"):
                    node._sx_line = self.line
                node._sx_grad = True
        ast.fix_missing_locations(stmt)
        self.out.append(stmt)

    def accumulate(self, atom: ast.expr, contribution: ast.expr,
                   same_for_all: bool = False) -> None:
        if not isinstance(atom, ast.Name) or atom.id not in self.active:
            return
        b = self.adjoint(atom.id)
        if atom.id in self.lists:  # a list's adjoint is a list of its elements' adjoints
            helper = add_to_each if same_for_all else add_each
            name = self.env.ref(helper, helper.__name__)
            self.emit(ast.Assign([ast.Name(b, ast.Store())], ast.Call(
                ast.Name(name, ast.Load()), [ast.Name(b, ast.Load()), contribution], [])))
            return
        if atom.id in self.initialized and atom.id in self.tuples:
            # a tuple's adjoint is a tuple: add element by element
            value = ast.Call(ast.Name(self.env.ref(add_each, "add_each"), ast.Load()),
                             [ast.Name(b, ast.Load()), contribution], [])
        elif atom.id in self.initialized:
            value = ast.BinOp(ast.Name(b, ast.Load()), ast.Add(), contribution)
        else:
            value = contribution
            self.initialized.add(atom.id)
        self.emit(ast.Assign([ast.Name(b, ast.Store())], value))

    # -- blocks ----------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt]) -> None:
        """Emit the adjoint of ``stmts`` (a forward block), last statement first."""
        for stmt in reversed(stmts):
            if getattr(stmt, "_sx_append", False):
                self.statement(stmt)
            elif isinstance(stmt, ast.Assign):
                self.statement(stmt)
                self.restore(stmt)
            elif isinstance(stmt, ast.If):
                self.branch(stmt)
            elif isinstance(stmt, (ast.For, ast.While)):
                self.loop(stmt)

    def sub(self, stmts: list[ast.stmt], initialized: set[str]) -> tuple[list, set[str]]:
        saved_out, saved_init = self.out, self.initialized
        self.out, self.initialized = [], set(initialized)
        self.block(stmts)
        out, init = self.out, self.initialized
        self.out, self.initialized = saved_out, saved_init
        return out, init

    def zero(self, name: str, like_adjoint: bool, maybe_unbound: bool = False) -> ast.stmt:
        """``bv = np.zeros_like(...)``: the adjoint of ``name`` starts (again) from zero.

        With ``maybe_unbound`` the primal may never have been assigned on this run
        (it is assigned under another branch): the zero is ``zeros_like_or_none(v)``
        and ``v`` is bound to ``None`` first thing (the adjoint is then never read).
        """
        b = self.adjoint(name)
        like = ast.Name(b if like_adjoint else name, ast.Load())
        zeros = ast.Call(ast.Attribute(self.np(), "zeros_like", ast.Load()), [like], [])
        if maybe_unbound and not like_adjoint:
            self.prebound.add(name)
            zeros = ast.Call(ast.Name(self.env.ref(zeros_like_or_none, "zeros_like_or_none"),
                                      ast.Load()), [like], [])
        if name in self.tuples:  # one zero per element
            zeros = ast.Call(ast.Name(self.env.ref(zeros_each, "zeros_each"), ast.Load()),
                             [like], [])
        stmt = ast.Assign([ast.Name(b, ast.Store())], zeros)
        stmt._sx_zero = True
        return stmt

    def branch(self, node: ast.If) -> None:
        self.line = node._sx_line
        before = set(self.initialized)
        code1, init1 = self.sub(node.body, before)
        code2, init2 = self.sub(node.orelse, before)
        after = init1 | init2
        bound = self.bound_before.get(id(node), set())
        for code, init in ((code1, init1), (code2, init2)):
            for v in sorted(after - init):
                code.append(self.zero(v, like_adjoint=v in before,
                                      maybe_unbound=v not in bound))
        self.line = node._sx_line
        if code1 or code2:
            self.emit(ast.If(copy.deepcopy(node.test), code1 or [ast.Pass()], code2))
        self.initialized = after

    def loop(self, node: ast.For | ast.While) -> None:
        """A backward loop: the body's adjoint once per forward iteration, last first."""
        self.line = node._sx_line
        header: list[str] = [node.target.id] if isinstance(node, ast.For) else []
        upward = _upward_exposed(node.body, self.active) - set(header)
        carried = (set(self.initialized) | upward) & self.active
        self.depth += 1
        for _ in range(3):  # a fixed point: what the body leaves initialized must start so
            code, after = self.sub(node.body, carried)
            if after <= carried:
                break
            carried |= after
        self.depth -= 1
        for v in sorted(carried - after):
            code.append(self.zero(v, like_adjoint=True))
        for v in sorted(carried - self.initialized):
            self.emit(self.zero(v, like_adjoint=False))
        self.line = node._sx_line
        if isinstance(node, ast.For) and _reversible(node):
            index = node.target.id
            backward = ast.For(ast.Name(index, ast.Store()),
                               ast.Call(ast.Name("reversed", ast.Load()),
                                        [copy.deepcopy(node.iter)], []),
                               code or [ast.Pass()], [])
        else:
            trips = self.namer.fresh("trips")
            if self.depth:  # a nested loop's count changes with the enclosing iteration
                self.fixed.add(trips)
            init = ast.Assign([ast.Name(trips, ast.Store())], ast.Constant(0))
            step = ast.Assign([ast.Name(trips, ast.Store())],
                              ast.BinOp(ast.Name(trips, ast.Load()), ast.Add(), ast.Constant(1)))
            for st in (init, step):
                st._sx_line = node._sx_line
                st._sx_site = next(self.sites)
            self.loop_prologue[id(node)] = init
            node.body.insert(0, step)
            pop = self.marker(step, [trips])
            if isinstance(node, ast.For) and node.target.id in self.active_or_read(node):
                node._sx_header_site = next(self.sites)
                code.insert(0, self.marker_for_header(node))
            backward = ast.For(ast.Name(self.namer.fresh("_"), ast.Store()),
                               ast.Call(ast.Name("range", ast.Load()),
                                        [ast.Name(trips, ast.Load())], []),
                               code + [pop] if code else [ast.Pass(), pop], [])
            self.emit(backward)
            self.out.append(self.marker(init, [trips]))
            self.initialized = carried | after
            return
        self.emit(backward)
        self.initialized = carried | after

    def active_or_read(self, node: ast.For) -> set[str]:
        return {node.target.id}

    # -- save and restore of overwritten values ------------------------------------
    def marker(self, stmt: ast.stmt, names: list[str]) -> ast.stmt:
        """Placeholder for ``v = v_stack.pop()``, resolved once we know what is read."""
        site = getattr(stmt, "_sx_site", None)
        if site is None:
            site = stmt._sx_site = next(self.sites)
        call = ast.Call(ast.Name(RESTORE, ast.Load()),
                        [ast.Constant(site)] + [ast.Name(n, ast.Load()) for n in names], [])
        mark = ast.Expr(call)
        mark._sx_marker = (site, list(names))
        mark._sx_line = self.line
        mark._sx_grad = True
        return mark

    def marker_for_header(self, node: ast.For) -> ast.stmt:
        mark = self.marker(ast.Pass(), [node.target.id])
        mark._sx_marker = (node._sx_header_site, [node.target.id])
        mark.value.args[0] = ast.Constant(node._sx_header_site)
        return mark

    def restore(self, stmt: ast.Assign) -> None:
        names = [n for n in targets(stmt) if n in self.fixed]
        if names:
            mark = self.marker(stmt, names)
            if isinstance(stmt.targets[0], ast.Subscript):  # restores the elements written
                mark._sx_store_index = stmt.targets[0].slice
            self.out.append(mark)

    # -- one statement -------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> None:
        names = targets(stmt)
        if not any(n in self.active and n in self.initialized for n in names):
            return
        self.line = stmt._sx_line
        op = classify(stmt)
        if op.kind == "copy":
            self.accumulate(op.args[0], ast.Name(self.adjoint(names[0]), ast.Load()))
            self.initialized.difference_update(names)
        elif op.kind == "pack":
            g = self.adjoint(names[0])
            for i, e in enumerate(op.args):
                self.accumulate(e, ast.Subscript(ast.Name(g, ast.Load()), ast.Constant(i),
                                                 ast.Load()))
            self.initialized.difference_update(names)
        elif op.kind == "unpack":
            parts = []
            for n in names:
                if n in self.initialized:
                    parts.append(ast.Name(self.adjoint(n), ast.Load()))
                else:
                    parts.append(ast.Call(ast.Attribute(self.np(), "zeros_like", ast.Load()),
                                          [ast.Name(n, ast.Load())], []))
            self.initialized.difference_update(names)
            self.accumulate(op.args[0], ast.Tuple(parts, ast.Load()))
        elif op.kind == "rule" and _reads_multi_output(op, self.multi):
            self.tuple_item(stmt, op, names[0])
            self.initialized.difference_update(names)
            return
        elif op.kind == "rule":
            self.rule(stmt, op, names[0])
            self.initialized.difference_update(names)
            return
        elif op.kind == "setitem":
            self.setitem(stmt, op)
            return
        elif op.kind == "append":  # the adjoint of append is pop
            lst, value = op.args
            pop = ast.Call(ast.Attribute(ast.Name(self.adjoint(lst.id), ast.Load()), "pop",
                                         ast.Load()), [], [])
            if isinstance(value, ast.Name) and value.id in self.active:
                self.accumulate(value, pop)
            else:
                self.emit(ast.Expr(pop))
            return
        elif op.kind == "listitem":
            b = self.adjoint(op.args[0].id)
            index = stmt.value.slice
            item = ast.Subscript(ast.Name(b, ast.Load()), copy.deepcopy(index), ast.Load())
            self.emit(ast.Assign([ast.Subscript(ast.Name(b, ast.Load()), copy.deepcopy(index),
                                                ast.Store())],
                                 ast.BinOp(item, ast.Add(),
                                           ast.Name(self.adjoint(names[0]), ast.Load()))))
            self.initialized.difference_update(names)
            return
        elif op.kind == "listsum":
            self.accumulate(op.args[0], ast.Name(self.adjoint(names[0]), ast.Load()),
                            same_for_all=True)
            self.initialized.difference_update(names)
            return
        elif op.kind == "nondiff":
            # a constant or a value with no gradient overwrites the name: its adjoint ends
            self.initialized.difference_update(names)
            return
        else:
            raise no_rule(self.parsed, op, stmt)

    def setitem(self, stmt: ast.Assign, op: Op) -> None:
        """``out[i] = v``: ``v`` gets ``bout[i]``; the overwritten elements get nothing more."""
        root, value = op.args
        index = stmt.targets[0].slice
        b = ast.Name(self.adjoint(root.id), ast.Load())
        if isinstance(value, ast.Name) and value.id in self.active:
            part = ast.Subscript(copy.deepcopy(b), copy.deepcopy(index), ast.Load())
            grad = ast.Call(ast.Name(self.env.ref(rules.unbroadcast, "unbroadcast"), ast.Load()),
                            [part, ast.Name(value.id, ast.Load())], [])
            self.accumulate(value, grad)
        own = ast.Assign([ast.Name(b.id, ast.Store())],
                         ast.Call(ast.Attribute(copy.deepcopy(b), "copy", ast.Load()), [], []))
        own._sx_own_copy = True  # dropped where the adjoint is already an array of its own
        self.emit(own)
        zero = ast.Assign([ast.Subscript(ast.Name(b.id, ast.Load()), copy.deepcopy(index),
                                         ast.Store())], ast.Constant(0.0))
        self.emit(zero)

    def tuple_item(self, stmt: ast.stmt, op: Op, target: str) -> None:
        """``w = res[k]`` of a primitive's tuple of results: ``res`` gets a tuple that holds
        ``bw`` at ``k`` and zeros elsewhere (a multi-output rule reads it whole)."""
        res, index = op.args
        count = self.multi[res.id]
        if not (isinstance(index, ast.Constant) and isinstance(index.value, int)
                and not isinstance(index.value, bool) and -count <= index.value < count):
            raise error(self.parsed, getattr(op.node, "_sx_node", op.node) or at_line(stmt),
                        f"{res.id} holds the {count} values a function returned: index it with "
                        "a constant (or unpack it)", "indexing a tuple of results")
        k = index.value % count
        parts: list[ast.expr] = []
        for i in range(count):
            if i == k:
                parts.append(ast.Name(self.adjoint(target), ast.Load()))
            else:
                item = ast.Subscript(ast.Name(res.id, ast.Load()), ast.Constant(i), ast.Load())
                parts.append(ast.Call(ast.Attribute(self.np(), "zeros_like", ast.Load()),
                                      [item], []))
        self.accumulate(res, ast.Tuple(parts, ast.Load()))

    def rule(self, stmt: ast.stmt, op: Op, target: str) -> None:
        rule: Rule = op.rule
        if tuple_outputs(op) == UNKNOWN_OUTPUTS:
            raise unknown_outputs(self.parsed, op, stmt)
        if id(rule.vjp) in FORWARD_ONLY:
            raise error(self.parsed, at_line(stmt), f"reverse mode does not take {op.what} "
                        "(an adjoint of a list or tuple in generated code)", op.what)
        if getattr(op.node, "_sx_sequence", False):
            where = op.node if getattr(op.node, "lineno", 1) > 1 else at_line(stmt)
            raise error(self.parsed, where, "indexing a list or tuple of differentiated values "
                        "with a computed index is not supported yet (a loop over a list "
                        "literal is unrolled instead)", "list or tuple indexing")
        mapping = rule_mapping(rule, op, self.parsed, self.env)
        check_differentiable(self.parsed, op, stmt, mapping,
                             lambda a: isinstance(a, ast.Name) and a.id in self.active)
        params = rule.primal_params
        # Which primal atoms get which gradient (each argument of a ``*args`` in turn).
        receivers = []
        for p in params:
            if p == rule.vararg and isinstance(mapping.get(p), ast.Tuple):
                receivers += mapping[p].elts
            else:
                receivers.append(mapping.get(p))
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


def no_rule(parsed, op: Op, stmt: ast.stmt) -> Exception:
    """The ``TransformError`` for a differentiated call that has no rule, located."""
    node = op.node if op.node is not None else stmt
    node = getattr(node, "_sx_node", node)
    if not hasattr(node, "lineno"):
        node = stmt
    return error(parsed, node, f"no derivative rule for {op.what}; register one with "
                 "sx.adjoint or stop its gradient with sx.detach", op.what)


def check_differentiable(parsed, op: Op, stmt: ast.stmt, mapping: dict[str, ast.expr],
                         differentiated) -> None:
    """Refuse, located, a call the table cannot differentiate: options its rule refuses
    (``Rule.refuse``), or a differentiated argument without a derivative (``no_derivative``)."""
    node = getattr(op.node, "_sx_node", op.node)
    if not hasattr(node, "lineno"):
        node = at_line(stmt)
    why = refusal(op)
    if why is not None:
        raise error(parsed, node, f"cannot differentiate {op.what}: {why}", op.what)
    for p in op.rule.no_derivative:
        if p in mapping and differentiated(mapping[p]):
            raise error(parsed, node, f"{op.what} has no derivative with respect to its argument "
                        f"{p!r}; hold it constant (sx.detach)", op.what)


def unknown_outputs(parsed, op: Op, stmt: ast.stmt) -> Exception:
    """The ``TransformError`` for a call whose number of results depends on a variable."""
    node = getattr(op.node, "_sx_node", op.node)
    if not hasattr(node, "lineno"):
        node = at_line(stmt)
    return error(parsed, node, f"whether {op.what} returns one value or a tuple depends on an "
                 "option given as a variable; pass it as a constant", op.what)


def _multi_output_names(stmts: list[ast.stmt]) -> dict[str, int]:
    """Names assigned the tuple a multi-output primitive returns, with its length."""
    from .activity import assignments

    found: dict[str, int] = {}
    for stmt in assignments(stmts):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            count = tuple_outputs(classify(stmt))
            if count > 0:
                found[stmt.targets[0].id] = count
    return found


def _reads_multi_output(op: Op, multi: dict[str, int]) -> bool:
    """True for ``res[k]`` where ``res`` holds a multi-output primitive's results."""
    return (op.rule is not None and op.rule.name in ("getitem", "getitem_basic")
            and isinstance(op.args[0], ast.Name) and op.args[0].id in multi)


def rule_mapping(rule: Rule, op: Op, parsed, env: Env) -> dict[str, ast.expr]:
    """Each primal parameter of ``rule`` mapped to the caller's atom for ``op``.

    A defaulted parameter maps to a Constant, a ``*args`` parameter to a Tuple.
    A call the rule's signature cannot bind raises ``TransformError``.
    """
    try:
        bound = rule.bind(*op.args, **op.keywords)
    except TypeError as exc:
        raise error(parsed, getattr(op.node, "_sx_node", op.node),
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
        elif isinstance(value, ast.Attribute) and getattr(value, "_sx_global", False) \
                and isinstance(env.resolve(value.value), types.ModuleType):
            # a library constant (np.inf as an ord) folds; a user's global may change later
            obj = env.resolve(value)
            if isinstance(obj, (bool, int, float, str)):
                value = ast.Constant(obj)
        mapping[p] = value
    if rule is rules.lookup(operator.getitem):
        mapping[params[1]] = _slices_as_calls(mapping[params[1]], env)
    return mapping


def _bound_before_branches(stmts: list[ast.stmt], bound: set[str]) -> dict[int, set[str]]:
    """For each ``if`` (by id), the names certainly assigned whenever it is reached."""
    found: dict[int, set[str]] = {}

    def walk(block: list[ast.stmt], assigned: set[str]) -> set[str]:
        assigned = set(assigned)
        for stmt in block:
            if isinstance(stmt, ast.Assign) or getattr(stmt, "_sx_append", False):
                assigned.update(targets(stmt))
            elif isinstance(stmt, ast.If):
                found[id(stmt)] = set(assigned)
                assigned |= walk(stmt.body, assigned) & walk(stmt.orelse, assigned)
            elif isinstance(stmt, (ast.For, ast.While)):
                inner = set(assigned)
                if isinstance(stmt, ast.For):
                    inner.add(stmt.target.id)
                walk(stmt.body, inner)  # the loop may not run: nothing certain after it
        return assigned

    walk(stmts, bound)
    return found


def _assign_sites(stmts: list[ast.stmt], in_loop: bool, counts: dict[str, int]) -> None:
    for stmt in stmts:
        if isinstance(stmt, ast.Assign):
            for n in targets(stmt):
                counts[n] = counts.get(n, 0) + (2 if in_loop else 1)
        elif isinstance(stmt, ast.If):
            _assign_sites(stmt.body, in_loop, counts)
            _assign_sites(stmt.orelse, in_loop, counts)
        elif isinstance(stmt, (ast.For, ast.While)):
            if isinstance(stmt, ast.For):
                counts[stmt.target.id] = counts.get(stmt.target.id, 0) + 2
            _assign_sites(stmt.body, True, counts)


def overwritten(stmts: list[ast.stmt]) -> set[str]:
    """Names that may be assigned more than once at run time (in a loop, or twice)."""
    counts: dict[str, int] = {}
    _assign_sites(stmts, False, counts)
    return {n for n, c in counts.items() if c > 1}


def _flow_reads(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.Assign) or getattr(stmt, "_sx_append", False):
        return set(classify(stmt).flow_names())
    return set()


def _upward_exposed(stmts: list[ast.stmt], active: set[str]) -> set[str]:
    """Active names a loop body may read before assigning them on the same path."""

    def walk(block: list[ast.stmt], assigned: set[str]) -> tuple[set[str], set[str]]:
        exposed: set[str] = set()
        assigned = set(assigned)
        for stmt in block:
            if isinstance(stmt, ast.Assign) or getattr(stmt, "_sx_append", False):
                exposed |= (_flow_reads(stmt) - assigned) & active
                assigned.update(targets(stmt))
            elif isinstance(stmt, ast.If):
                e1, a1 = walk(stmt.body, assigned)
                e2, a2 = walk(stmt.orelse, assigned)
                exposed |= e1 | e2
                assigned |= a1 & a2  # assigned on every path
            elif isinstance(stmt, (ast.For, ast.While)):
                e, _ = walk(stmt.body, assigned)  # the loop may not run
                exposed |= e
        return exposed, assigned

    return walk(stmts, set())[0]


def _reversible(node: ast.For) -> bool:
    """True when ``for i in reversed(range(...))`` replays the loop (no early exit)."""
    if any(isinstance(n, (ast.Break, ast.Return)) for n in _same_loop_nodes(node.body)):
        return False
    assigned = {n.id for n in ast.walk(ast.Module(node.body, [])) if isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Store)}
    used = {n.id for n in ast.walk(node.iter) if isinstance(n, ast.Name)}
    return node.target.id not in assigned and not (used & assigned)


def _same_loop_nodes(stmts: list[ast.stmt]):
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _same_loop_nodes(stmt.body)
            yield from _same_loop_nodes(stmt.orelse)


def _insert_prologues(stmts: list[ast.stmt], prologues: dict[int, ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            stmt.body = _insert_prologues(stmt.body, prologues)
            stmt.orelse = _insert_prologues(stmt.orelse, prologues)
        elif isinstance(stmt, (ast.For, ast.While)):
            stmt.body = _insert_prologues(stmt.body, prologues)
            if id(stmt) in prologues:
                out.append(prologues[id(stmt)])
        out.append(stmt)
    return out


def at_line(stmt: ast.stmt) -> ast.AST:
    """A node located at the user's line a normalized statement came from."""
    node = ast.Pass()
    node.lineno, node.col_offset = getattr(stmt, "_sx_line", 0), 0
    return node


def _tuple_names(stmts: list[ast.stmt]) -> set[str]:
    """Names that hold tuples (built by a tuple literal, or copied from one)."""
    from .activity import assignments

    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for stmt in assignments(stmts):
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.targets[0], ast.Name):
                continue
            v = stmt.value
            name = stmt.targets[0].id
            if name not in found and (isinstance(v, ast.Tuple) or
                                      isinstance(v, ast.Name) and v.id in found):
                found.add(name)
                changed = True
    return found


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
            with_value: bool = False, tuple_wrt: bool = False,
            seed_param: bool = False) -> Adjoint:
    """Build the adjoint function body of ``program`` for ``wrt``.

    With ``seed_param`` the output's cotangent is not seeded: it is the free
    name ``Adjoint.seed`` that the caller binds (a parameter of the pullback).
    """
    rev = _Reverse(program, wrt, active, env)
    body: list[ast.stmt] = [copy.deepcopy(s) for s in program.body]
    rev.bound_before = _bound_before_branches(body, set(program.params))
    result = program.result
    rev.line = program.body[-1]._sx_line if program.body else program.parsed.node.lineno
    scalar = is_scalar_result(program)
    seed_name = None
    if seed_param:  # split motion: the cotangent is a parameter of the backward sweep
        if isinstance(result, ast.Name) and result.id in active:
            seed_name = rev.adjoint(result.id)
            rev.initialized.add(result.id)
        else:
            base = result.id if isinstance(result, ast.Name) else "out"
            seed_name = program.namer.fresh("b" + base)
    elif isinstance(result, ast.Name) and not getattr(result, "_sx_global", False):
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
    for lst in sorted(program.lists & active):  # one zero per element, at the start
        zeros = ast.Call(ast.Name(env.ref(zeros_each, "zeros_each"), ast.Load()),
                         [ast.Name(lst, ast.Load())], [])
        rev.emit(ast.Assign([ast.Name(rev.adjoint(lst), ast.Store())], zeros))
        rev.initialized.add(lst)
    rev.block(body)
    body = _insert_prologues(body, rev.loop_prologue)
    for name in sorted(rev.prebound):
        unbound = ast.Assign([ast.Name(name, ast.Store())], ast.Constant(None))
        unbound._sx_line = program.parsed.node.lineno
        body.insert(0, unbound)
        rev.fixed.add(name)  # now assigned twice
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
        result_value = copy.deepcopy(result)
        if isinstance(result, ast.Name) and result.id in rev.fixed:
            # the backward sweep restores earlier values: keep the result aside first
            kept = program.namer.fresh("value")
            keep = ast.Assign([ast.Name(kept, ast.Store())], copy.deepcopy(result))
            keep._sx_line = rev.line
            body.append(keep)
            result_value = ast.Name(kept, ast.Load())
        value = ast.Tuple([result_value, value], ast.Load())
        if isinstance(result, ast.Name):
            returns.append(result.id)
    ret = ast.Return(value)
    rev.line = program.body[-1]._sx_line if program.body else 0
    rev.emit(ret)
    ret._sx_grad = False
    ast.fix_missing_locations(ast.Module(body=body + rev.out, type_ignores=[]))
    adjoint_of = {b: p for p, b in rev.adjoints.items()}
    return Adjoint(body=body + rev.out, adjoint_of=adjoint_of, returns=returns,
                   scalar_names={result.id} if scalar and isinstance(result, ast.Name)
                   and not seed_param else set(),
                   overwritten=set(rev.fixed), seed=seed_name)
