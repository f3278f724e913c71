"""Pass 2d, loops: every loop in one canonical shape, before normalization.

After :func:`canonicalize` (or :func:`canonicalize_function` on one
function's tree), the function computes what it computed before and:

* every ``for`` loop is ``for name in range(args)`` (positional arguments,
  the builtin ``range``):

  - ``for i in reversed(range(...))`` runs ``range`` backward:
    ``range(stop - 1, start - 1, -1)``, or with a step ``s`` and ``n`` steps
    ``range(start + (n - 1) * s, start - s, -s)``;
  - ``for x in reversed(seq)`` walks an index forward and reads
    ``x = seq[n - 1 - i]`` (``n = len(seq)``), also inside ``enumerate``
    (the position counts the steps, as Python's does); ``reversed`` of a
    literal is unrolled backward;
  - a loop over an array, a list or a tuple (by value), ``enumerate`` or
    ``zip`` walks an index: ``n = len(seq)`` (``min`` of the lengths for
    ``zip``), ``for i in range(n):`` whose body first assigns the targets
    (``x = seq[i]``, the position ``i`` or ``i + start``); a sequence that
    the function may reassign, or that is an expression, is evaluated once,
    first (the loop walks the object it started with);

  a value evaluated once before a loop is assigned to a placeholder name
  annotated ``temporary``: the normalizer gives it a temporary named as its
  own (``n``, ``seq``, ``elt``, or after the operation), so the loops pass
  leaves no name of its own in the generated code but ``i`` and ``stop``;

* a loop over a tuple or list literal, or over a name bound once (at the top
  level, never reassigned under control flow) to one, is unrolled: the
  elements are evaluated once, before the first copy (a variable the body
  may change is copied first); each copy of the body
  starts with ``target = element`` (``target = name[k]`` for a bound name);
  a ``break`` sets a flag (``stop = True``) that guards the later copies and
  a ``continue`` ends its copy.  The names an unrolled loop assigns, and its
  flag, are returned (and added to ``program.fixed_names``): the normalizer
  keeps one name for each, as for any name assigned in a loop;

* every ``while test: body`` is ``while True:`` whose body is
  ``stop = not test`` and ``if stop: break`` with ``body`` as its else branch
  (the ``if`` carries the annotation ``loop_exit``).

A loop the later passes cannot handle (over ``sorted``, ``map``, a user
function's result, a ``range`` with a tuple target, a target that is not a
name or a tuple of names) raises a located ``TransformError``.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from . import anno, astutil
from .aliases import growing_lists
from .astutil import (
    is_negative_literal,
    names_stored,
    names_under_control_flow,
    names_written_into,
    params_of,
    walk_stmts,
)
from .diagnostics import error
from .funcvalues import is_inlined, static_loop
from .names import Namer
from .parse import Parsed
from .program import Program
from .resolve import MISSING, Scope

#: The base of the names the loops pass gives values it evaluates once (never emitted: the
#: normalizer replaces each by a temporary it names itself).
_PLACEHOLDER = "loop_value"

#: Calls a for loop may not iterate over (besides non-NumPy callables).
_NOT_ITERABLE_CALLS = (enumerate, zip, reversed, sorted, iter, map, filter)


def canonicalize(program: Program) -> Program:
    """Rewrite the program's loops in place (see the module docstring); a loop walking a
    parameter by index gets the entry check ``program.sequence_checks`` (a dict or a set
    passed there would be walked by position: refused, located at the loop)."""
    walked: dict[str, ast.AST] = {}
    program.fixed_names |= canonicalize_function(program.parsed, walked=walked)
    for name, node in walked.items():
        program.sequence_checks[name] = error(
            program.parsed, node, f"this loop walks {name!r} by position, and {name!r} is not "
            "a list, tuple or array here; pass a list (list(d.values())), or make the dict a "
            "global or a literal in the function, whose keys srcxform unrolls",
            "for loop iterable")
    return program


def canonicalize_function(parsed: Parsed, namer: Namer | None = None,
                          walked: dict[str, ast.AST] | None = None) -> set[str]:
    """Rewrite ``parsed.node``'s loops in place; return the names unrolled loops assign.
    (``namer``: fresh names; by default one that avoids every name of the function.)"""
    fn = parsed.node
    if not any(isinstance(n, (ast.For, ast.While)) for n in astutil.walk(fn)):
        return set()  # nothing to do (the common case of straight-line code)
    loops = _Loops(parsed, namer or Namer.for_tree(fn, extra={fn.name}))
    parsed.node.body = loops.top_level(parsed.node.body)
    if walked is not None:
        walked.update(loops.walked_params)
    ast.fix_missing_locations(parsed.node)
    return loops.fixed_names


def _under_control_flow(fn: ast.FunctionDef) -> set[str]:
    """The names the normalizer keeps one name for (it never renames them per assignment):
    assigned inside an ``if``/``for``/``while``, or written into by element."""
    return names_under_control_flow(fn) | names_written_into(fn)


def _is_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or is_negative_literal(node)


def _literal_sequence(value: ast.expr, fixed: set[str]) -> bool:
    """``value`` binds a name to a sequence whose elements the normalizer keeps (a list,
    or a tuple not all of constants, with no element a name that may change)."""
    if isinstance(value, ast.Tuple) and all(_is_constant(e) for e in value.elts):
        return False  # a constant tuple is one constant
    return isinstance(value, (ast.Tuple, ast.List)) and not any(
        isinstance(e, ast.Name) and e.id in fixed for e in value.elts)


class _Loops:
    """The rewriting of one function's loops."""

    def __init__(self, parsed: Parsed, namer: Namer) -> None:
        fn = parsed.node
        self.parsed = parsed
        self.namer = namer
        self.fixed = _under_control_flow(fn)
        self.lists = growing_lists(fn, parsed)
        self.scope = Scope(parsed, set(params_of(fn)) | names_stored(fn))
        self.literals: dict[str, int] = {}  # name -> number of elements, where bound to one
        self.fixed_names: set[str] = set()
        self.params = set(params_of(fn))
        self.walked_params: dict[str, ast.AST] = {}  # parameter -> the first loop walking it

    def resolve(self, node: ast.expr) -> Any:
        """The object a call's head names (an undefined name raises, located)."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.scope.resolve_strict(node, self.parsed)
        return MISSING

    def fresh(self, base: str) -> str:
        return self.namer.fresh(base)

    # -- blocks ------------------------------------------------------------------------
    def top_level(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """The function body: also tracks which names are bound to a literal sequence."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, ast.With):
                stmt.body = self.top_level(stmt.body)
                out.append(stmt)
                continue
            out.extend(self.statement(stmt))
            for name in names_stored(stmt):
                self.literals.pop(name, None)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id not in self.fixed \
                    and stmt.targets[0].id not in self.lists \
                    and _literal_sequence(stmt.value, self.fixed):
                self.literals[stmt.targets[0].id] = len(stmt.value.elts)
        return out

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            out.extend(self.statement(stmt))
        return out

    def statement(self, stmt: ast.stmt) -> list[ast.stmt]:
        if isinstance(stmt, ast.For):
            return self.for_loop(stmt)
        if isinstance(stmt, ast.While):
            return [self.while_loop(stmt)]
        if isinstance(stmt, (ast.If, ast.With)):
            stmt.body = self.block(stmt.body)
            if isinstance(stmt, ast.If):
                stmt.orelse = self.block(stmt.orelse)
        return [stmt]

    # -- while ---------------------------------------------------------------------------
    def while_loop(self, stmt: ast.While) -> ast.While:
        """``while test: body`` as ``while True: stop = not test; if stop: break; body``."""
        stop = self.fresh("stop")
        assign = ast.Assign([ast.Name(stop, ast.Store())], ast.UnaryOp(ast.Not(), stmt.test))
        exit_ = ast.If(ast.Name(stop, ast.Load()), [ast.Break()], self.block(stmt.body))
        anno.set(exit_, anno.LOOP_EXIT, True)
        loop = ast.While(ast.Constant(True), [ast.copy_location(assign, stmt),
                                              ast.copy_location(exit_, stmt)], [])
        return ast.copy_location(loop, stmt)

    # -- for -----------------------------------------------------------------------------
    def for_loop(self, stmt: ast.For) -> list[ast.stmt]:
        it, target = stmt.iter, stmt.target
        callee = self.resolve(it.func) if isinstance(it, ast.Call) else MISSING
        copies = static_loop(self.scope, it, target)  # over a model's layers (funcvalues.py)
        if copies is not None:
            return self.unroll(stmt, copies)
        elements = self.literal_elements(it)
        if elements is None and callee is reversed and len(it.args) == 1 and not it.keywords:
            elements = self.literal_elements(it.args[0])  # backward over a literal
            if elements is not None:
                elements = (elements[0], elements[1][::-1])
        if elements is not None:
            before, elements = elements
            return before + self.unroll(stmt, elements)
        before: list[ast.stmt] = []
        if callee is reversed and self.reversed_range(it) and isinstance(target, ast.Name):
            stmt.iter = ast.copy_location(self.backward_range(it.args[0]), it)
        elif not (callee is range and not it.keywords and isinstance(target, ast.Name)):
            index = self.fresh("i")
            prologue: list[tuple[ast.expr, ast.expr]] = []
            length = self.sequences(it, target, index, prologue, before)
            stmt.target = ast.Name(index, ast.Store())
            stmt.iter = ast.copy_location(
                ast.Call(ast.Name("range", ast.Load()), [length], []), it)
            stmt.body = [ast.copy_location(ast.Assign([t], value), stmt)
                         for t, value in prologue] + stmt.body
        stmt.body = self.block(stmt.body)
        return before + [stmt]

    def reversed_range(self, it: ast.Call) -> bool:
        """``reversed(range(...))`` with positional arguments."""
        if len(it.args) != 1 or it.keywords:
            return False
        inner = it.args[0]
        return isinstance(inner, ast.Call) and self.resolve(inner.func) is range \
            and not inner.keywords and 1 <= len(inner.args) <= 3

    def backward_range(self, forward: ast.Call) -> ast.Call:
        """The ``range`` that runs ``forward``'s values backward."""
        inner = forward.args
        if len(inner) == 3:
            start, step = inner[0], inner[2]
            n = ast.Call(ast.Name("len", ast.Load()), [forward], [])
            last = ast.BinOp(_minus_one(n), ast.Mult(), step)
            args = [ast.BinOp(start, ast.Add(), last),
                    ast.BinOp(copy.deepcopy(start), ast.Sub(), copy.deepcopy(step)),
                    ast.UnaryOp(ast.USub(), copy.deepcopy(step))]
        else:
            start, stop = (ast.Constant(0), inner[0]) if len(inner) == 1 else inner
            args = [_minus_one(stop), _minus_one(start), ast.Constant(-1)]
        return ast.Call(ast.Name("range", ast.Load()), args, [])

    def sequences(self, it: ast.expr, target: ast.expr, index: str,
                  prologue: list[tuple[ast.expr, ast.expr]], before: list[ast.stmt]) -> ast.expr:
        """Set up the element reads of ``for target in it``; return the trip count."""
        callee = self.resolve(it.func) if isinstance(it, ast.Call) else MISSING
        k = ast.Name(index, ast.Load())
        if callee is enumerate and isinstance(target, ast.Tuple) and len(target.elts) == 2 \
                and 1 <= len(it.args) <= 2:
            start = next((kw.value for kw in it.keywords if kw.arg == "start"),
                         it.args[1] if len(it.args) == 2 else None)
            position = k if start is None else ast.BinOp(k, ast.Add(), start)
            prologue.append((target.elts[0], position))
            return self.sequences(it.args[0], target.elts[1], index, prologue, before)
        if callee is zip and isinstance(target, ast.Tuple) and \
                len(target.elts) == len(it.args) and not it.keywords:
            lengths = [self.sequences(seq, t, index, prologue, before)
                       for t, seq in zip(target.elts, it.args)]
            if len(lengths) == 1:
                return lengths[0]
            shortest = ast.Call(ast.Name("min", ast.Load()), lengths, [])
            return self.bind("n", shortest, it, before)
        if callee is reversed and len(it.args) == 1 and not it.keywords \
                and not self.reversed_range(it):
            # backward over a sequence: n = len(seq); the element of step i is seq[n - 1 - i]
            seq = self.walked(it.args[0], before)
            length = ast.copy_location(ast.Call(ast.Name("len", ast.Load()), [seq], []), it)
            n = self.bind("n", length, it, before)
            back = ast.BinOp(_minus_one(copy.deepcopy(n)), ast.Sub(), k)
            prologue.append((target, ast.Subscript(copy.deepcopy(seq), back, ast.Load())))
            return n
        if isinstance(it, ast.Call) and callee is not MISSING:
            if callee is range:
                raise error(self.parsed, it, "a range loop must unpack into one name",
                            "for loop target")
            if (getattr(callee, "__module__", "") not in ("numpy", "builtins")
                    and not is_inlined(callee)) or callee in _NOT_ITERABLE_CALLS:
                raise error(self.parsed, it, f"for loops over {ast.unparse(it.func)}(...) "
                            "are not supported; loop over range, an array, a list or tuple, "
                            "enumerate or zip", "for loop iterable")
        if not isinstance(target, (ast.Name, ast.Tuple)):
            raise error(self.parsed, target, "this loop target is not supported",
                        "for loop target")
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) \
                and it.func.attr in ("items", "keys", "values") and callee is MISSING:
            # (a dict whose keys are known here was unrolled by dictloops.py)
            raise error(self.parsed, it, f"a loop over .{it.func.attr}() of a dict whose keys "
                        "are not known when the function is compiled (an argument): pass the "
                        "values as a list or tuple, or make the dict a global or a literal in "
                        "the function", "for loop iterable")
        seq = self.walked(it, before)
        length = ast.copy_location(ast.Call(ast.Name("len", ast.Load()), [seq], []), it)
        n = self.bind("n", length, it, before)
        prologue.append((target, ast.Subscript(copy.deepcopy(seq), k, ast.Load())))
        return n

    def walked(self, it: ast.expr, before: list[ast.stmt]) -> ast.expr:
        """The sequence a loop walks: ``it`` itself when it is a name the function never
        reassigns under control flow (or a global), else a name bound to it first."""
        if isinstance(it, ast.Name):
            if it.id in self.params:
                self.walked_params.setdefault(it.id, it)
            if it.id in self.fixed:
                return self.bind("seq", it, it, before)
            return it
        if isinstance(it, ast.Attribute) and self.scope.resolve(it) is not MISSING:
            return it  # a module global: nothing rebinds it
        return self.bind(None, it, it, before)

    def bind(self, base: str | None, value: ast.expr, at: ast.AST,
             before: list[ast.stmt]) -> ast.Name:
        """``name = value`` before the loop, annotated ``temporary``: the normalizer names
        the temporary (``base``, or after the operation), in its own order."""
        name = self.fresh(_PLACEHOLDER)
        assign = ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), at)
        anno.set(assign, anno.TEMPORARY, base)
        before.append(assign)
        return ast.Name(name, ast.Load())

    # -- unrolled loops --------------------------------------------------------------------
    def literal_elements(self, it: ast.expr) -> tuple[list[ast.stmt], list[ast.expr]] | None:
        """The statements evaluating a literal's elements once and the element references,
        for a tuple/list literal or a name bound once to one; else ``None``."""
        if isinstance(it, (ast.List, ast.Tuple)):
            # the tuple holds its elements' values when it is built: an expression is
            # evaluated once, first, and then a variable the body may change is copied
            before: list[ast.stmt] = []
            elements = [e if _is_constant(e) or isinstance(e, ast.Name)
                        or (isinstance(e, ast.Attribute) and self.scope.resolve(e) is not MISSING)
                        or (isinstance(e, ast.Tuple) and all(_is_constant(p) for p in e.elts))
                        else self.bind(None, e, e, before) for e in it.elts]
            elements = [self.bind("elt", e, e, before)
                        if isinstance(e, ast.Name) and e.id in self.fixed else e
                        for e in elements]
            return before, elements
        if isinstance(it, ast.Name) and it.id in self.literals:
            return [], [ast.Subscript(ast.Name(it.id, ast.Load()), ast.Constant(k), ast.Load())
                        for k in range(self.literals[it.id])]
        return None

    def unroll(self, stmt: ast.For, elements: list[Any]) -> list[ast.stmt]:
        """One copy of the body per element (see the module docstring); an element may be
        a list of ``(target, value)`` assignments instead."""
        jumps = any(isinstance(n, ast.Break) for n in walk_stmts(stmt.body, into_loops=False))
        flag = self.fresh("stop") if jumps else None
        self.fixed_names |= names_stored(stmt)
        out: list[ast.stmt] = []
        if flag:
            self.fixed_names.add(flag)
            start = ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(False))
            out.append(ast.copy_location(start, stmt))
        for n, element in enumerate(elements):
            pairs = element if isinstance(element, list) else [(stmt.target, element)]
            body = [ast.copy_location(ast.Assign([copy.deepcopy(t)], v), stmt) for t, v in pairs]
            body += replace_jumps(self.block(copy.deepcopy(stmt.body)), flag)
            if flag and n:
                guard = ast.If(ast.UnaryOp(ast.Not(), ast.Name(flag, ast.Load())), body, [])
                body = [ast.copy_location(guard, stmt)]
            out.extend(body)
        return out


def _minus_one(node: ast.expr) -> ast.expr:
    """``node - 1`` (folded for an int constant)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return ast.Constant(node.value - 1)
    return ast.BinOp(node, ast.Sub(), ast.Constant(1))


def replace_jumps(stmts: list[ast.stmt], flag: str | None) -> list[ast.stmt]:
    """An unrolled loop body: ``break`` sets ``flag``, ``continue`` does nothing more."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ast.Break):
            new = ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(True))
            out.append(ast.copy_location(new, stmt))
            continue
        if isinstance(stmt, ast.Continue):
            out.append(ast.copy_location(ast.Pass(), stmt))
            continue
        if isinstance(stmt, ast.If):
            stmt.body = replace_jumps(stmt.body, flag) or [ast.Pass()]
            stmt.orelse = replace_jumps(stmt.orelse, flag)
        elif isinstance(stmt, ast.With):
            stmt.body = replace_jumps(stmt.body, flag) or [ast.Pass()]
        out.append(stmt)
    return out
