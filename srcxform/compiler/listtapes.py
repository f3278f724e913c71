"""A backward loop that pops a list tape once per step iterates over the list instead.

The tape pass saves a value a loop overwrites on a list (``x_stack.append(x)``)
and the backward loop pops it (``x = x_stack.pop()``).  Tapes of arrays of
known shape become arrays (tapearrays.py); the others, Python floats most
often, stay lists, and a method call per step costs as much as a float
multiplication.  A hand-writer iterates over the saved values:
``for x in reversed(xs):``.  After :func:`iterate_list_tapes`, a backward
loop ``for t in reversed(range(...))`` whose body pops such a list is
``for x in reversed(x_stack):`` without the pop (no copy of the list; when
generated code is transformed again, ``untape_generated`` reads it as the loop
over ``x_stack[::-1]``), when:

* the list is bound to ``[]`` at the top of the function before its forward
  loop, and is read only by its one push and its one pop;
* the push ``S.append(v)`` is a statement of the body of a forward loop at the
  top of the function, the pop ``v = S.pop()`` a statement of the body of a
  backward loop at the top of the function over the same range (``reversed``),
  neither loop has ``break``, ``continue``, ``return`` or ``else``, and the
  forward body never assigns its counter: so the list holds one value per step,
  pushed in step order, and the pops read it from the last to the first;
* the backward body never reads its counter, and no statement before the pop
  mentions ``v`` (binding ``v`` at the top of the step instead of at the pop
  changes nothing it reads).

So each step binds ``v`` to the value its pop read, the loop runs as many
steps, and after it ``v`` is what the last pop left.  The list is no longer
emptied as the loop runs (it is freed when the function returns); one list
per backward loop (the loop has one target).

A float in a list costs 32 bytes (the object and the slot) where a hand-writer
keeps 8.  When, besides, the forward loop is ``for t in range(n)`` or
``range(a, n)`` (``a`` an int literal, ``n`` a name or literal), ``v``'s trusted
shape is ``()``, ``type`` and ``float`` are the builtins, and floatstates.py
proves ``v`` a float at the push on every step once the names it returns are
floats on entry (each a parameter or bound at the top before the loop), the
list is ``v_tape = float_tape(range(...), v, ...)`` just before the loop and the
push is ``v_tape[t - a] = v``: doubles (``support.float_tape``) when those names
are exactly floats and the loop is long, else a preallocated list of the values
themselves, so the backward sweep reads the very values it read from the list
(a counter ``_`` is renamed ``t`` where nothing reads ``_``).
"""

from __future__ import annotations

import ast
import builtins
import copy

from . import anno
from .astutil import has_loop, load_counts, mentions, names_loaded, names_stored, store_counts
from .floatstates import float_support
from .program import Program
from .support import float_tape
from .tapearrays import plain_loop, pop_of, push_of, range_args


def iterate_list_tapes(program: Program) -> Program:
    """Backward loops over their list tapes (see the module docstring).

    Reads and sets ``body``.
    """
    body = program.body
    if not has_loop(body):  # (only loops are rewritten)
        return program
    owner: dict[int, ast.For] = {}
    for stmt in body:
        if isinstance(stmt, ast.For):
            for inner in stmt.body:
                owner[id(inner)] = stmt
    pushes: dict[str, list[ast.stmt]] = {}
    pops: dict[str, list[ast.stmt]] = {}
    for stmt in ast.walk(ast.Module(body, [])):
        if isinstance(stmt, ast.stmt):
            stack = anno.get(stmt, anno.TAPE)
            if stack is not None:
                side = pops if anno.get(stmt, anno.GRAD, False) else pushes
                side.setdefault(stack, []).append(stmt)
    loads, stores = load_counts(body), store_counts(body)
    done: set[int] = set()  # backward loops rewritten (one target each)
    for stack in sorted(pushes):
        if len(pushes[stack]) != 1 or len(pops.get(stack, [])) != 1 \
                or loads.get(stack, 0) != 2 or stores.get(stack, 0) != 1:
            continue
        push, pop = pushes[stack][0], pops[stack][0]
        value = pop_of(pop, stack)
        loop, back = owner.get(id(push)), owner.get(id(pop))
        if value is None or push_of(push, stack) != value or loop is None or back is None \
                or id(back) in done or anno.get(loop, anno.GRAD, False) \
                or not anno.get(back, anno.GRAD, False):
            continue
        if not (plain_loop(loop) and plain_loop(back)) \
                or not _same_range(loop.iter, back.iter) \
                or loop.target.id in names_stored(loop.body) \
                or back.target.id in names_loaded(back.body):
            continue
        init = _init(body, stack)
        if init is None or body.index(init) > body.index(loop) \
                or body.index(loop) > body.index(back):
            continue
        at = next(i for i, s in enumerate(back.body) if s is pop)
        if any(mentions(s, value) for s in back.body[:at]):
            continue
        floats = _float_tape(program, stack, value, loop, push, init)
        if floats is not None:
            stack = floats
        back.target = ast.copy_location(ast.Name(value, ast.Store()), back.target)
        back.iter = ast.copy_location(ast.Call(ast.Name("reversed", ast.Load()),
                                               [ast.Name(stack, ast.Load())], []), back.iter)
        back.body = back.body[:at] + back.body[at + 1:] or [ast.Pass()]
        ast.fix_missing_locations(back)
        done.add(id(back))
    return program


def _same_range(forward: ast.expr, backward: ast.expr) -> bool:
    """``backward`` is ``reversed(forward)`` and ``forward`` a ``range`` of literals and
    names."""
    if not (isinstance(backward, ast.Call) and isinstance(backward.func, ast.Name)
            and backward.func.id == "reversed" and len(backward.args) == 1
            and not backward.keywords):
        return False
    if not (isinstance(forward, ast.Call) and isinstance(forward.func, ast.Name)
            and forward.func.id == "range" and not forward.keywords
            and all(isinstance(a, (ast.Constant, ast.Name)) for a in forward.args)):
        return False
    return ast.dump(backward.args[0]) == ast.dump(forward)


def _init(body: list[ast.stmt], stack: str) -> ast.stmt | None:
    """The top-level ``stack = []``."""
    return next((s for s in body if isinstance(s, ast.Assign) and len(s.targets) == 1
                 and isinstance(s.targets[0], ast.Name) and s.targets[0].id == stack
                 and isinstance(s.value, ast.List) and not s.value.elts), None)


def _float_tape(program: Program, stack: str, value: str, loop: ast.For, push: ast.stmt,
                init: ast.stmt) -> str | None:
    """When the forward loop's trip count is known and floatstates.py proves ``value`` a
    float on every step once some names are floats on entry: the list ``stack`` as a
    tape made by ``float_tape`` (module docstring); returns its new name.

    ``init`` (``stack = []``) goes; before ``loop``, ``v_tape = float_tape(range(...), v,
    ...)`` (those names); the push ``stack.append(v)`` becomes ``v_tape[t - a] = v``.
    """
    args = range_args(loop.iter)
    if args is None or program.trusted_shapes.get(value) != () or _shadowed(program):
        return None
    body, env = program.body, program.env
    names = float_support(loop.body, value, push, env)
    bound = set(program.params) | {t.id for s in body[:body.index(loop)]
                                   if isinstance(s, ast.Assign) for t in s.targets
                                   if isinstance(t, ast.Name)}
    if names is None or not bound.issuperset(names):
        return None
    tape = env.namer.fresh(f"{value}_tape")
    start, counter = args[0], loop.target.id
    if counter == "_" and "_" not in names_loaded(body):  # a row index reads as a step
        counter = env.namer.fresh("t")
        loop.target = ast.copy_location(ast.Name(counter, ast.Store()), loop.target)
    row: ast.expr = ast.Name(counter, ast.Load()) if start == 0 else \
        ast.BinOp(ast.Name(counter, ast.Load()), ast.Sub(), ast.Constant(start))
    alloc = ast.Assign([ast.Name(tape, ast.Store())], ast.Call(
        ast.Name(env.ref(float_tape, "float_tape"), ast.Load()),
        [copy.deepcopy(loop.iter)] + [ast.Name(n, ast.Load()) for n in names], []))
    anno.set(alloc, anno.LINE, anno.get(loop, anno.LINE))
    which = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "is a float" if len(names) == 1 else "are floats"
    anno.set(alloc, anno.NOTE, [f"the {value} of every step of the loop below, one float each "
                                f"when {which} {verb} here"])
    store = ast.Assign([ast.Subscript(ast.Name(tape, ast.Load()), row, ast.Store())],
                       ast.Name(value, ast.Load()))
    anno.set(store, anno.LINE, anno.get(push, anno.LINE))
    anno.set(store, anno.TAPE, tape)
    at = next(i for i, s in enumerate(loop.body) if s is push)
    loop.body[at] = ast.fix_missing_locations(ast.copy_location(store, push))
    body.remove(init)
    body.insert(body.index(loop), ast.fix_missing_locations(ast.copy_location(alloc, loop)))
    return tape


def _shadowed(program: Program) -> bool:
    """``type`` or ``float`` in the generated function might not be the builtin."""
    parsed = program.parsed
    return any(name in program.env.user_locals or name in parsed.closure
               or parsed.globals.get(name, getattr(builtins, name)) is not getattr(builtins, name)
               for name in ("type", "float"))
