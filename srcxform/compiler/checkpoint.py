"""Pass 6d, checkpoint: keep a loop's state every k steps instead of taping every step.

Asked for by ``sx.grad(f, checkpoint=spec)`` (``program.checkpoint``): ``True``
or ``"sqrt"`` for stretches of about the square root of the trip count, or a
positive int ``k``.  It runs on reverse-mode code after the tape pass, and
rewrites each pair of a forward loop ``for t in range(a, n)`` at the top of the
function and the backward loop ``for t in reversed(range(a, n))`` that replays
it, when the forward loop's body pushes onto a tape.  After
:func:`checkpoint_loops`:

* the forward loop runs in stretches of ``k`` steps
  (``for start in range(a, n, k):``), first appending the loop's state to
  ``checkpoints`` (the names the body reads before it assigns them, which the
  loop assigns: everything a stretch needs to run again), then running the
  stretch without any push: nothing of the loop is taped;
* the backward loop becomes ``for start in reversed(range(a, n, k)):`` which
  takes the stretch's state back (``h = checkpoints.pop()``), runs the stretch
  forward again with its pushes (the taped values of ``k`` steps), then the
  backward steps of that stretch as before, which pop them;
* so the tape never holds more than one stretch, and the checkpoints one state
  per stretch: about ``2 sqrt(T)`` states for ``"sqrt"`` instead of ``T``, for
  one more run of the loop's forward steps;
* a comment above each rewritten loop says what is checkpointed.

A loop is left as it was (taped every step) when it has ``break``,
``continue`` or ``return``, when its range has a step, when a state name
may be unbound before the loop or its array may be written in place (a
checkpoint keeps a reference, not a copy), when its body writes into any
array or list (running a stretch again would write twice), or when it tapes
nothing.  The
deferred outer products of the backward loop (defer.py) need no change: their
row lists are emptied every block, across stretches too.
"""

from __future__ import annotations

import ast
import copy
import math
from typing import Any

from . import anno
from .astutil import names_loaded, names_stored, walk, walk_stmts
from .memory import MemoryFacts, without_tape
from .program import Program

#: The words ``checkpoint=`` accepts besides a positive int (and ``True``).
WORDS = ("sqrt",)


def check_spec(spec: Any) -> Any:
    """``spec`` as the pass reads it (``None``: no checkpointing), or ``ValueError``."""
    if spec is None or spec is False:
        return None
    if spec is True or spec in WORDS:
        return "sqrt"
    if isinstance(spec, int) and not isinstance(spec, bool) and spec >= 1:
        return spec
    raise ValueError(f"checkpoint={spec!r}: expected True, 'sqrt' (stretches of about the "
                     f"square root of the trip count) or a positive int (steps per stretch)")


def checkpoint_loops(program: Program) -> Program:
    """Checkpoint the taped top-level loops of ``program.body`` (see the module docstring).

    Reads ``body``, ``checkpoint``, ``kind``, ``params``, ``env``; sets ``body``.
    """
    spec = getattr(program, "checkpoint", None)
    if spec is None or program.kind not in ("grad", "value_and_grad"):
        return program
    program.body = _Checkpoint(program, spec).run()
    return program


def _range_args(node: ast.expr) -> list[ast.expr] | None:
    """``[a, n]`` of ``range(n)`` (``a`` the constant 0) or ``range(a, n)``, else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "range" and 1 <= len(node.args) <= 2 and not node.keywords):
        return None
    args = list(node.args)
    return args if len(args) == 2 else [ast.Constant(0), args[0]]


def _jumps(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Break, ast.Continue, ast.Return)) for n in walk(node))


def _pushed(stmts: list[ast.stmt], grad: bool) -> set[str]:
    """The stacks the tape statements of ``stmts`` use (pushes: grad False; pops: True)."""
    return {anno.get(s, anno.TAPE) for s in walk_stmts(stmts)
            if anno.get(s, anno.TAPE) is not None and anno.get(s, anno.GRAD, False) == grad}


def _without_pushes(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """A copy of ``stmts`` with every push of the tape pass dropped."""
    out = []
    for stmt in stmts:
        if anno.get(stmt, anno.TAPE) is not None:
            continue
        stmt = copy.deepcopy(stmt)
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                setattr(stmt, field, _without_pushes(inner) or [ast.Pass()])
        out.append(stmt)
    return out


def _exposed(body: list[ast.stmt]) -> set[str]:
    """Names ``body`` may read before assigning them in the same run of it (pushes aside)."""
    assigned: set[str] = set()
    exposed: set[str] = set()
    for stmt in body:
        if anno.get(stmt, anno.TAPE) is not None:
            continue
        exposed |= names_loaded(stmt) - assigned
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            assigned |= names_stored(stmt)
    return exposed


class _Checkpoint:
    """The rewrite of one function body."""

    def __init__(self, program: Program, spec: Any) -> None:
        self.program = program
        self.spec = spec
        self.body = program.body
        self.namer = program.env.namer
        # (the tape's own pushes and pops write lists, never an array of the state)
        self.memory = MemoryFacts(without_tape(self.body), program.env)

    def run(self) -> list[ast.stmt]:
        """The body with every pair that can be checkpointed rewritten."""
        replaced: dict[int, list[ast.stmt]] = {}
        for i, loop in enumerate(self.body):
            if isinstance(loop, ast.For) and not anno.get(loop, anno.GRAD, False):
                back = self.partner(loop, i)
                state = None if back is None else self.state(loop, i)
                if state is None:
                    continue
                forward, backward = self.rewrite(loop, back, state)
                replaced[id(loop)] = forward
                replaced[id(back)] = [backward]
        return [new for stmt in self.body for new in replaced.get(id(stmt), [stmt])]

    def partner(self, loop: ast.For, i: int) -> ast.For | None:
        """The backward loop replaying ``loop``, when the pair can be checkpointed."""
        args = _range_args(loop.iter)
        if args is None or not isinstance(loop.target, ast.Name) or loop.orelse \
                or _jumps(loop):
            return None
        header = ast.dump(ast.Call(ast.Name("range", ast.Load()), args, []))
        found = []
        for j in range(i + 1, len(self.body)):
            back = self.body[j]
            if not (isinstance(back, ast.For) and anno.get(back, anno.GRAD, False)
                    and isinstance(back.target, ast.Name) and back.target.id == loop.target.id
                    and anno.get(back, anno.LINE) == anno.get(loop, anno.LINE)
                    and isinstance(back.iter, ast.Call) and isinstance(back.iter.func, ast.Name)
                    and back.iter.func.id == "reversed" and len(back.iter.args) == 1):
                continue
            inner = _range_args(back.iter.args[0])
            if inner is not None and ast.dump(ast.Call(ast.Name("range", ast.Load()), inner,
                                                        [])) == header:
                found.append(back)
        if len(found) != 1:
            return None
        back = found[0]
        pushed = _pushed(loop.body, grad=False)
        if not pushed or pushed != _pushed(back.body, grad=True) or back.orelse \
                or _jumps(back):
            return None
        return back

    def state(self, loop: ast.For, i: int) -> list[str] | None:
        """The names a stretch of ``loop`` needs at its start, when each is bound before
        the loop and never written in place."""
        stored = names_stored(loop.body)
        names = sorted((_exposed(loop.body) & stored) - {loop.target.id})
        bound = set(self.program.params)
        for stmt in self.body[:i]:
            if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                bound |= names_stored(stmt)
        if any(n not in bound or not self.memory.never_written(n) for n in names):
            return None
        if MemoryFacts(without_tape(loop.body), self.program.env).mutated:
            return None  # a stretch run again would write into arrays a second time
        return names

    def every(self, args: list[ast.expr]) -> tuple[list[ast.stmt], ast.expr, str]:
        """Statements computing the stretch length, the expression of it, and its words."""
        if self.spec != "sqrt":
            return [], ast.Constant(self.spec), f"every {self.spec} steps"
        a, n = args
        if all(isinstance(x, ast.Constant) and isinstance(x.value, int) for x in (a, n)):
            k = max(1, math.isqrt(max(0, n.value - a.value)))
            return [], ast.Constant(k), f"every {k} steps (the square root of the trip count)"
        name = self.namer.fresh("every")
        size = ast.Call(ast.Name("len", ast.Load()), [ast.Call(
            ast.Name("range", ast.Load()), [copy.deepcopy(a), copy.deepcopy(n)], [])], [])
        isqrt = ast.Attribute(ast.Name(self.program.env.ref(math, "math"), ast.Load()),
                              "isqrt", ast.Load())
        value = ast.Call(ast.Name("max", ast.Load()),
                         [ast.Constant(1), ast.Call(isqrt, [size], [])], [])
        return [ast.Assign([ast.Name(name, ast.Store())], value)], \
            ast.Name(name, ast.Load()), f"every {name} steps (the square root of the trip count)"

    def rewrite(self, loop: ast.For, back: ast.For, state: list[str]
                ) -> tuple[list[ast.stmt], ast.stmt]:
        """The checkpointed forward loop (with what precedes it) and backward loop."""
        args = _range_args(loop.iter)
        a, n = args
        setup, k, words = self.every(args)
        start = self.namer.fresh("start")
        saved = self.namer.fresh("checkpoints")
        counter = loop.target.id

        def stretches() -> ast.expr:
            return ast.Call(ast.Name("range", ast.Load()),
                            [copy.deepcopy(a), copy.deepcopy(n), copy.deepcopy(k)], [])

        def steps() -> ast.expr:
            stop = ast.Call(ast.Name("min", ast.Load()), [
                ast.BinOp(ast.Name(start, ast.Load()), ast.Add(), copy.deepcopy(k)),
                copy.deepcopy(n)], [])
            return ast.Call(ast.Name("range", ast.Load()), [ast.Name(start, ast.Load()), stop],
                            [])

        def state_expr(ctx: ast.expr_context) -> ast.expr:
            if len(state) == 1:
                return ast.Name(state[0], ctx)
            return ast.Tuple([ast.Name(s, ctx) for s in state], ctx)

        line = anno.get(loop, anno.LINE)
        keep = ast.Expr(ast.Call(ast.Attribute(ast.Name(saved, ast.Load()), "append",
                                               ast.Load()), [state_expr(ast.Load())], []))
        inner = ast.For(ast.Name(counter, ast.Store()), steps(), _without_pushes(loop.body), [])
        outer = ast.For(ast.Name(start, ast.Store()), stretches(), [keep, inner], [])
        what = ", ".join(state) if state else "nothing"
        anno.set(outer, anno.NOTE, [
            f"checkpointed: {what} kept {words};",
            "this loop tapes nothing: the backward sweep runs each stretch again from its "
            "checkpoint"])
        init = ast.Assign([ast.Name(saved, ast.Store())], ast.List([], ast.Load()))
        forward = setup + [init, outer]
        for stmt in forward + [keep, inner]:
            anno.set(stmt, anno.LINE, line)
        # backward: per stretch, from the last, its state back, its steps again (taped),
        # then its backward steps
        take = ast.Assign([state_expr(ast.Store())], ast.Call(
            ast.Attribute(ast.Name(saved, ast.Load()), "pop", ast.Load()), [], []))
        again = ast.For(ast.Name(counter, ast.Store()), steps(), copy.deepcopy(loop.body), [])
        anno.set(again, anno.LINE, line)
        anno.set(again, anno.NOTE, ["this stretch again from its checkpoint, taped"])
        back_steps = ast.For(ast.Name(counter, ast.Store()), ast.Call(
            ast.Name("reversed", ast.Load()), [steps()], []), back.body, [])
        backward = ast.For(ast.Name(start, ast.Store()), ast.Call(
            ast.Name("reversed", ast.Load()), [stretches()], []), [take, again, back_steps], [])
        for stmt in (take, back_steps, backward):
            anno.set(stmt, anno.GRAD, True)
        anno.set(backward, anno.LINE, anno.get(back, anno.LINE))  # (one comment for the three)
        for stmt in forward + [backward]:
            ast.fix_missing_locations(stmt)
        return forward, backward
