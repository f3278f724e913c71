"""Pass 5, reverse: emit the adjoint of a normalized program from the rule table.

After :func:`reverse`, ``program.body`` is a complete function body: the
normalized forward statements, the seed of the output's adjoint, then for
each active statement in reverse order the inlined rule that propagates its
adjoint to its active inputs, then the return (the gradients; in
``value_and_grad`` and ``vjp`` the value first).  Adjoints are named ``b`` +
primal name (``program.adjoint_of`` maps them back); the first contribution
to an adjoint assigns it and later ones add to it, so nothing is
zero-initialised.  Elementwise rules' gradients are wrapped in
``unbroadcast``, which the optimizer removes where shapes provably agree.
Loops run backward (``for i in reversed(range(...))`` when the trip count
can be recomputed, a trip counter otherwise) and branches are replayed on
their condition.

Every emitted statement carries the annotations ``line`` (the user's line)
and ``grad`` (True in the backward sweep).  After the adjoint of each
assignment to a name in ``program.overwritten`` (assigned more than once at
run time) stands a restore placeholder (annotation ``marker``, matched to
its assignment by ``site``) that the tape pass resolves.  A call with an
active argument and no rule raises ``TransformError`` naming the function
and its line.
"""

from __future__ import annotations

import ast
import copy
import itertools

import numpy as np

from .. import rules
from ..rules import Rule
from ..rules.sequences import (
    FORWARD_ONLY,
    add_each,
    add_to_each,
    to_each,
    zeros_each,
    zeros_list,
)
from . import anno, dataflow
from .activity import assignments
from .astutil import (
    LOOPS,
    names_mentioned,
    names_stored,
    place_statements,
    walk_stmts,
)
from .check import error
from .inline import inline_rule
from .primitives import UNKNOWN_OUTPUTS, Op, classify, targets, tuple_outputs
from .program import Program
from .rulecalls import (
    at_line,
    check_differentiable,
    no_rule,
    origin_of,
    rule_mapping,
    unknown_outputs,
)
from .support import scalar_seed, zeros_like_or_none

#: The name of the placeholder call that becomes ``v = v_stack.pop()``.
RESTORE = "__srcxform_restore__"

#: Reductions whose result is a scalar when called without ``axis``/``keepdims``.
FULL_REDUCTIONS = {"sum", "mean", "prod", "max", "min", "var", "std", "norm"}


def reverse(program: Program) -> Program:
    """Replace ``program.body`` by its adjoint body (see the module docstring).

    Reads ``parsed``, ``body``, ``result``, ``params``, ``wrt``, ``tuple_wrt``,
    ``kind``, ``active``, ``env``, ``namer`` and ``lists``.  ``value_and_grad``
    returns ``(value, gradients)``; ``vjp`` too, with the gradients always a tuple
    and the output's cotangent not seeded but the free name ``program.seed`` (a
    parameter of the backward sweep).  Sets ``body``, ``adjoint_of``,
    ``overwritten``, ``scalar_names``, ``seed`` and ``returns``.
    """
    split_motion = program.kind == "vjp"
    rev = _Reverse(program)
    body: list[ast.stmt] = list(program.body)  # (the forward sweep: the front's own nodes)
    rev.bound_before = dataflow.bound_before_branches(body, set(program.params), targets)
    last_line = anno.get(program.body[-1], anno.LINE) if program.body else None
    rev.line = last_line if program.body else program.parsed.node.lineno
    scalar = is_scalar_result(program)
    seed_name = _seed(program, rev, scalar, split_motion)
    rev.block(body)
    body = _insert_prologues(body, rev.loop_prologue)
    for name in sorted(rev.prebound):
        unbound = ast.Assign([ast.Name(name, ast.Store())], ast.Constant(None))
        anno.set(unbound, anno.LINE, program.parsed.node.lineno)
        body.insert(0, unbound)
        rev.fixed.add(name)  # now assigned twice
    value, returns = _returned(program, rev, body, split_motion)
    ret = ast.Return(value)
    rev.line = last_line if program.body else 0
    rev.emit(ret)
    anno.set(ret, anno.GRAD, False)
    place_statements(body + rev.out)
    result = program.result
    program.body = body + rev.out
    program.adjoint_of = {b: p for p, b in rev.adjoints.items()}
    program.returns = returns
    program.scalar_names = {result.id} if scalar and isinstance(result, ast.Name) \
        and not split_motion else set()
    program.overwritten = set(rev.fixed)
    program.seed = seed_name
    return program


def _seed(program: Program, rev: _Reverse, scalar: bool, split_motion: bool) -> str | None:
    """Start the output's adjoint: 1 for a scalar output, ``scalar_seed(out)`` (which
    checks the output is one) otherwise; in split motion the cotangent parameter's name.
    Then one zero adjoint per element of each active list."""
    result, env = program.result, program.env
    seed_name = None
    if split_motion:  # the cotangent is a parameter of the backward sweep
        if isinstance(result, ast.Name) and result.id in program.active:
            seed_name = rev.adjoint(result.id)
            rev.initialized.add(result.id)
        else:
            base = result.id if isinstance(result, ast.Name) else "out"
            seed_name = program.namer.fresh("b" + base)
    elif isinstance(result, ast.Name) and not anno.get(result, anno.GLOBAL, False):
        active = result.id in program.active
        seed_target = rev.adjoint(result.id) if active else program.namer.fresh("seed")
        if scalar:
            seed: ast.expr = ast.Constant(1.0)
        else:
            seed = ast.Call(ast.Name(env.ref(scalar_seed, "scalar_seed"), ast.Load()),
                            [copy.deepcopy(result)], [])
        if active or not scalar:
            rev.emit(ast.Assign([ast.Name(seed_target, ast.Store())], seed))
            if active:
                rev.initialized.add(result.id)
            if not scalar:
                anno.set(rev.out[-1], anno.KEEP, True)  # it checks the output is a scalar
    for lst in sorted(program.lists & program.active):  # one zero per element, at the start
        # written at computed positions: a list even for a tuple (a *args, a tuple argument)
        zeros = ast.Call(ast.Name(env.ref(zeros_list, "zeros_list"), ast.Load()),
                         [ast.Name(lst, ast.Load())], [])
        rev.emit(ast.Assign([ast.Name(rev.adjoint(lst), ast.Store())], zeros))
        rev.initialized.add(lst)
    return seed_name


def _returned(program: Program, rev: _Reverse, body: list[ast.stmt],
              split_motion: bool) -> tuple[ast.expr, list[str]]:
    """The returned expression (the gradients, after the value when asked) and the
    names it returns; a result the backward sweep restores is kept aside first."""
    result = program.result
    grads: list[ast.expr] = []
    returns = []
    for p in program.wrt:
        if p in rev.initialized:
            name = rev.adjoint(p)
            grads.append(ast.Name(name, ast.Load()))
            returns.append(name)
        else:
            grads.append(ast.Call(ast.Attribute(rev.np(), "zeros_like", ast.Load()),
                                  [ast.Name(p, ast.Load())], []))
    tuple_wrt = program.tuple_wrt or split_motion
    value: ast.expr = grads[0] if len(grads) == 1 and not tuple_wrt \
        else ast.Tuple(grads, ast.Load())
    if program.kind in ("value_and_grad", "vjp"):
        result_value = copy.deepcopy(result)
        if isinstance(result, ast.Name) and result.id in rev.fixed:
            # the backward sweep restores earlier values: keep the result aside first
            kept = program.namer.fresh("value")
            keep = ast.Assign([ast.Name(kept, ast.Store())], copy.deepcopy(result))
            anno.set(keep, anno.LINE, rev.line)
            body.append(keep)
            result_value = ast.Name(kept, ast.Load())
        value = ast.Tuple([result_value, value], ast.Load())
        if isinstance(result, ast.Name):
            returns.append(result.id)
    return value, returns


class _Reverse:
    """Builds the backward sweep of one program, statement by statement, last first.

    ``initialized`` holds the primals whose adjoint has a value at the point reached
    (walking backward); ``out`` collects the emitted backward statements.
    """

    def __init__(self, program: Program) -> None:
        self.parsed = program.parsed
        self.active = program.active
        self.env = program.env
        self.namer = program.namer
        self.adjoints: dict[str, str] = {}
        self.initialized: set[str] = set()
        self.out: list[ast.stmt] = []
        self.line = 0
        self.fixed = overwritten(program.body, program.params)
        self.sites = itertools.count(1)
        self.loop_prologue: dict[int, ast.stmt] = {}
        self.lists = set(program.lists)
        self.multi = _multi_output_names(program.body)  # name -> how many values it holds
        self.tuples = (_tuple_names(program.body) | set(self.multi)) - self.lists
        self.unpacked = _unpacked_names(program.body)  # adjoints built as tuples
        self.summed = _summed_names(program.body)  # adjoints built by to_each: sequences
        self.depth = 0
        self.bound_before: dict[int, set[str]] = {}  # set for the body being reversed
        self.prebound: set[str] = set()  # primals bound to None first (see ``zero``)
        self.origin: tuple | None = None  # the user's call whose rule is being inlined

    def np(self) -> ast.Name:
        """A reference to NumPy in generated code."""
        return ast.Name(self.env.ref(np, "np"), ast.Load())

    def adjoint(self, name: str) -> str:
        """The adjoint's name of primal ``name`` (``b`` + name, made once)."""
        if name not in self.adjoints:
            self.adjoints[name] = self.namer.fresh("b" + name)
        return self.adjoints[name]

    def emit(self, stmt: ast.stmt) -> None:
        """Append a backward statement, annotated with the current line (nested statements
        keep a line of their own) and as backward code.  (Its nodes get positions with
        the whole body's at the end of :func:`reverse`: no node without one is moved
        between statements before, so each gets the same position it would get here.)"""
        for node in walk_stmts([stmt]):  # (statements nest only in blocks: body, orelse)
            if node is stmt or not anno.has(node, anno.LINE):
                anno.set(node, anno.LINE, self.line)
            anno.set(node, anno.GRAD, True)
            if self.origin is not None and not anno.has(node, anno.ORIGIN):
                anno.set(node, anno.ORIGIN, self.origin)
        self.out.append(stmt)

    def accumulate(self, atom: ast.expr, contribution: ast.expr,
                   same_for_all: bool = False) -> None:
        """Add ``contribution`` to the adjoint of ``atom`` (when it is active)."""
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
            if anno.get(stmt, anno.APPEND, False):
                self.statement(stmt)
            elif isinstance(stmt, ast.Assign):
                self.statement(stmt)
                self.restore(stmt)
            elif isinstance(stmt, ast.If):
                self.branch(stmt)
            elif isinstance(stmt, LOOPS):
                self.loop(stmt)

    def sub(self, stmts: list[ast.stmt], initialized: set[str]) -> tuple[list, set[str]]:
        """The adjoint of a nested block on its own, starting from ``initialized``; returns
        its statements and what is initialized after them."""
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
        anno.set(stmt, anno.ZERO, True)
        return stmt

    def branch(self, node: ast.If) -> None:
        """An ``if`` replayed on its condition; an adjoint one branch starts and the other
        does not starts from zero in the other."""
        self.line = anno.get(node, anno.LINE)
        before = set(self.initialized)
        code1, init1 = self.sub(node.body, before)
        code2, init2 = self.sub(node.orelse, before)
        after = init1 | init2
        bound = self.bound_before.get(id(node), set())
        for code, init in ((code1, init1), (code2, init2)):
            for v in sorted(after - init):
                code.append(self.zero(v, like_adjoint=v in before,
                                      maybe_unbound=v not in bound))
        self.line = anno.get(node, anno.LINE)
        if code1 or code2:
            self.emit(ast.If(copy.deepcopy(node.test), code1 or [ast.Pass()], code2))
        self.initialized = after

    def loop(self, node: ast.For | ast.While) -> None:
        """A backward loop: the body's adjoint once per forward iteration, last first."""
        self.line = anno.get(node, anno.LINE)
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
        self.line = anno.get(node, anno.LINE)
        if isinstance(node, ast.For) and _reversible(node):
            backward = ast.For(ast.Name(node.target.id, ast.Store()),
                               ast.Call(ast.Name("reversed", ast.Load()),
                                        [copy.deepcopy(node.iter)], []),
                               code or [ast.Pass()], [])
            self.emit(backward)
        else:
            self.counted_loop(node, code)
        self.initialized = carried | after

    def counted_loop(self, node: ast.For | ast.While, code: list[ast.stmt]) -> None:
        """A loop whose iterations cannot be replayed by ``reversed(range(...))``: the
        forward loop counts its trips (a restored counter when nested) and the backward
        loop runs that many times, restoring a ``for`` loop's variable first."""
        trips = self.namer.fresh("trips")
        if self.depth:  # a nested loop's count changes with the enclosing iteration
            self.fixed.add(trips)
        init = ast.Assign([ast.Name(trips, ast.Store())], ast.Constant(0))
        step = ast.Assign([ast.Name(trips, ast.Store())],
                          ast.BinOp(ast.Name(trips, ast.Load()), ast.Add(), ast.Constant(1)))
        for st in (init, step):
            anno.set(st, anno.LINE, anno.get(node, anno.LINE))
            anno.set(st, anno.SITE, next(self.sites))
        self.loop_prologue[id(node)] = init
        node.body.insert(0, step)
        pop = self.marker(step, [trips])
        if isinstance(node, ast.For):
            anno.set(node, anno.HEADER_SITE, next(self.sites))
            code.insert(0, self.marker_for_header(node))
        backward = ast.For(ast.Name(self.namer.fresh("_"), ast.Store()),
                           ast.Call(ast.Name("range", ast.Load()),
                                    [ast.Name(trips, ast.Load())], []),
                           code + [pop] if code else [ast.Pass(), pop], [])
        self.emit(backward)
        self.out.append(self.marker(init, [trips]))

    # -- save and restore of overwritten values ------------------------------------
    def marker(self, stmt: ast.stmt, names: list[str]) -> ast.stmt:
        """Placeholder for ``v = v_stack.pop()``, resolved once we know what is read."""
        site = anno.get(stmt, anno.SITE)
        if site is None:
            site = next(self.sites)
            anno.set(stmt, anno.SITE, site)
        call = ast.Call(ast.Name(RESTORE, ast.Load()),
                        [ast.Constant(site)] + [ast.Name(n, ast.Load()) for n in names], [])
        mark = ast.Expr(call)
        anno.set(mark, anno.MARKER, (site, list(names)))
        anno.set(mark, anno.LINE, self.line)
        anno.set(mark, anno.GRAD, True)
        return mark

    def marker_for_header(self, node: ast.For) -> ast.stmt:
        """The placeholder restoring a ``for`` loop's variable (at its header's site)."""
        mark = self.marker(ast.Pass(), [node.target.id])
        site = anno.get(node, anno.HEADER_SITE)
        anno.set(mark, anno.MARKER, (site, [node.target.id]))
        mark.value.args[0] = ast.Constant(site)
        return mark

    def restore(self, stmt: ast.Assign) -> None:
        """After the adjoint of an assignment to overwritten names, their restore."""
        names = [n for n in targets(stmt) if n in self.fixed]
        if names:
            mark = self.marker(stmt, names)
            if isinstance(stmt.targets[0], ast.Subscript):  # restores the elements written
                anno.set(mark, anno.STORE_INDEX, stmt.targets[0].slice)
            self.out.append(mark)

    # -- one statement -------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> None:
        """The adjoint of one normalized assignment whose target's adjoint is live."""
        names = targets(stmt)
        if not any(n in self.active and n in self.initialized for n in names):
            return
        self.line = anno.get(stmt, anno.LINE)
        op = classify(stmt)
        if op.kind == "rule" and _reads_multi_output(op, self.multi):
            self.tuple_item(stmt, op, names[0])
            self.initialized.difference_update(names)
            return
        if op.kind in ("rule", "setitem", "append", "listitem", "listsum"):
            getattr(self, op.kind)(stmt, op, names)
            if op.kind == "rule":
                self.initialized.difference_update(names)
            return
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
            self.initialized.difference_update(names)
            self.accumulate(op.args[0], ast.Tuple(parts, ast.Load()))
            return
        elif op.kind != "nondiff":
            raise no_rule(self.parsed, op, stmt)
        # (nondiff: a constant or a value with no gradient overwrites the name: its
        # adjoint ends)
        self.initialized.difference_update(names)

    def append(self, stmt: ast.stmt, op: Op, names: list[str]) -> None:
        """``xs.append(v)``: the adjoint of append is pop."""
        lst, value = op.args
        pop = ast.Call(ast.Attribute(ast.Name(self.adjoint(lst.id), ast.Load()), "pop",
                                     ast.Load()), [], [])
        if isinstance(value, ast.Name) and value.id in self.active:
            self.accumulate(value, pop)
        else:
            self.emit(ast.Expr(pop))

    def listitem(self, stmt: ast.Assign, op: Op, names: list[str]) -> None:
        """``v = xs[i]``: ``bxs[i]`` gets ``bv`` (element by element for a slice ``xs[a:b]``,
        whose adjoint is a list: ``+`` would concatenate)."""
        b = self.adjoint(op.args[0].id)
        index = stmt.value.slice
        item = ast.Subscript(ast.Name(b, ast.Load()), copy.deepcopy(index), ast.Load())
        bv = ast.Name(self.adjoint(names[0]), ast.Load())
        if names[0] in self.tuples or names[0] in self.unpacked or names[0] in self.summed \
                or isinstance(index, ast.Slice):  # a tuple element (W, b); a slice's list
            total: ast.expr = ast.Call(ast.Name(self.env.ref(add_each, "add_each"), ast.Load()),
                                       [item, bv], [])
        else:
            total = ast.BinOp(item, ast.Add(), bv)
        self.emit(ast.Assign([ast.Subscript(ast.Name(b, ast.Load()), copy.deepcopy(index),
                                            ast.Store())], total))
        self.initialized.difference_update(names)

    def listsum(self, stmt: ast.Assign, op: Op, names: list[str]) -> None:
        """``s = sum(xs)``: every element's adjoint gets ``bs`` (summed down to its shape)."""
        seq, bs = op.args[0], ast.Name(self.adjoint(names[0]), ast.Load())
        if isinstance(seq, ast.Name) and seq.id not in self.lists:
            # a list or tuple literal, whose adjoint is a tuple of its elements' adjoints
            bs = ast.Call(ast.Name(self.env.ref(to_each, "to_each"), ast.Load()),
                          [bs, ast.Name(seq.id, ast.Load())], [])
            self.accumulate(seq, bs)
        else:
            self.accumulate(seq, bs, same_for_all=True)
        self.initialized.difference_update(names)

    def setitem(self, stmt: ast.Assign, op: Op, names: list[str]) -> None:
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
        anno.set(own, anno.OWN_COPY, True)  # dropped where the adjoint is already its own array
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
            node = anno.get(op.node, anno.NODE, op.node)
            raise error(self.parsed, node if hasattr(node, "lineno") else at_line(stmt),
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

    def rule(self, stmt: ast.stmt, op: Op, names: list[str]) -> None:
        """A primitive: its rule inlined, each active input getting its gradient."""
        rule: Rule = op.rule
        if tuple_outputs(op) == UNKNOWN_OUTPUTS:
            raise unknown_outputs(self.parsed, op, stmt)
        if id(rule.vjp) in FORWARD_ONLY:
            raise error(self.parsed, at_line(stmt), f"reverse mode does not take {op.what} "
                        "(an adjoint of a list or tuple in generated code)", op.what)
        if anno.get(op.node, anno.SEQUENCE, False):
            where = op.node if getattr(op.node, "lineno", 1) > 1 else at_line(stmt)
            raise error(self.parsed, where, "indexing a list or tuple of differentiated values "
                        "with a computed index is not supported yet (a loop over a list "
                        "literal is unrolled instead)", "list or tuple indexing")
        mapping = rule_mapping(rule, op, self.parsed, self.env)
        check_differentiable(self.parsed, op, stmt, mapping,
                             lambda a: isinstance(a, ast.Name) and a.id in self.active)
        # Which primal atoms get which gradient (each argument of a ``*args`` in turn).
        receivers = []
        for p in rule.primal_params:
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
        g = ast.Name(self.adjoint(names[0]), ast.Load())
        out = ast.Name(names[0], ast.Load())
        receiver_adjoints = [self.adjoint(r.id) if isinstance(r, ast.Name) and r.id in self.active
                             else None for r in receivers]
        stmts, results = inline_rule(rule, mapping, g, out, self.namer, self.env, direct,
                                     receiver_adjoints)
        self.origin = origin_of(op)  # (emit gives it to the statements of this call)
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
        self.origin = None


# -- facts about the forward body -------------------------------------------------------------
def _assigned(stmt: ast.stmt) -> set[str]:
    """Names an assignment (not an append) writes."""
    return set(targets(stmt)) if isinstance(stmt, ast.Assign) else set()


def _flows(stmt: ast.stmt) -> bool:
    """True for a statement a gradient flows through: an assignment or an append."""
    return isinstance(stmt, ast.Assign) or anno.get(stmt, anno.APPEND, False)


def overwritten(stmts: list[ast.stmt], params: list[str] = ()) -> set[str]:
    """Names that may be assigned more than once at run time (in a loop, or twice; a
    parameter is assigned on entry, so once more anywhere in ``stmts`` overwrites it)."""
    return dataflow.overwritten(stmts, _assigned, set(params))


def _upward_exposed(stmts: list[ast.stmt], active: set[str]) -> set[str]:
    """Active names a loop body may read before assigning them on the same path."""
    return dataflow.upward_exposed(
        stmts, lambda s: set(classify(s).flow_names()) & active if _flows(s) else set(),
        lambda s: set(targets(s)) if _flows(s) and not isinstance(s, LOOPS) else set())


def _reversible(node: ast.For) -> bool:
    """True when ``for i in reversed(range(...))`` replays the loop (no early exit)."""
    if any(isinstance(n, (ast.Break, ast.Return)) for n in walk_stmts(node.body, False)):
        return False
    assigned = names_stored(node.body)
    return node.target.id not in assigned and not (names_mentioned(node.iter) & assigned)


def _insert_prologues(stmts: list[ast.stmt], prologues: dict[int, ast.stmt]) -> list[ast.stmt]:
    """Put each counted loop's ``trips = 0`` right before the loop."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            stmt.body = _insert_prologues(stmt.body, prologues)
            stmt.orelse = _insert_prologues(stmt.orelse, prologues)
        elif isinstance(stmt, LOOPS):
            stmt.body = _insert_prologues(stmt.body, prologues)
            if id(stmt) in prologues:
                out.append(prologues[id(stmt)])
        out.append(stmt)
    return out


def _tuple_names(stmts: list[ast.stmt]) -> set[str]:
    """Names that hold tuples (built by a tuple literal, or copied from one)."""
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


def _unpacked_names(stmts: list[ast.stmt]) -> set[str]:
    """Names unpacked by a tuple target (``W, b = item``): their adjoint is a tuple."""
    return {stmt.value.id for stmt in assignments(stmts)
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Tuple)
            and isinstance(stmt.value, ast.Name)}


def _summed_names(stmts: list[ast.stmt]) -> set[str]:
    """Names summed by ``sum(xs)``, and the names copied into them: when no growing list,
    their adjoint is a list or tuple (``to_each``), added to a list's element adjoint
    element by element (a row of a list of lists)."""
    found: set[str] = set()
    copies: list[tuple[str, str]] = []  # (target, source) of ``target = source``
    for stmt in assignments(stmts):
        if not isinstance(stmt, ast.Assign):
            continue
        v = stmt.value
        if isinstance(v, ast.Call) and anno.get(v, anno.CALLEE) is sum and len(v.args) == 1 \
                and isinstance(v.args[0], ast.Name):
            found.add(v.args[0].id)
        elif isinstance(v, ast.Name) and isinstance(stmt.targets[0], ast.Name):
            copies.append((stmt.targets[0].id, v.id))
    changed = bool(found)
    while changed:  # a copy's adjoint goes to its source as it is
        changed = False
        for target, source in copies:
            if target in found and source not in found:
                found.add(source)
                changed = True
    return found


def _multi_output_names(stmts: list[ast.stmt]) -> dict[str, int]:
    """Names assigned the tuple a multi-output primitive returns, with its length."""
    found: dict[str, int] = {}
    for stmt in assignments(stmts):
        # (only a call has a multi-output rule: the table registers them on functions)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.Call):
            count = tuple_outputs(classify(stmt))
            if count > 0:
                found[stmt.targets[0].id] = count
    return found


def _reads_multi_output(op: Op, multi: dict[str, int]) -> bool:
    """True for ``res[k]`` where ``res`` holds a multi-output primitive's results."""
    return (op.rule is not None and op.rule.name in ("getitem", "getitem_basic")
            and isinstance(op.args[0], ast.Name) and op.args[0].id in multi)


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
            callee = anno.get(stmt.value, anno.CALLEE)
            return getattr(callee, "__module__", None) == "math" or callee is float
    return False


__all__ = ["RESTORE", "at_line", "is_scalar_result", "no_rule", "overwritten", "reverse",
           "rule_mapping"]
