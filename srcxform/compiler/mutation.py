"""Pass 3b, mutation: in-place writes are seen through every name that shares the memory.

The model (also stated in README.md, "Writes into arrays"): srcxform
differentiates a program in which every value a name holds stays what it was
when the name was assigned, except for the writes it can see: an element or
slice write ``a[i] = v`` / ``a[i] op= v`` into an array the function created
(``aliases.writable_arrays``).  Python also changes, through such a write,
every other name that shares ``a``'s memory: a view (``a[0:2]``, ``a[0]`` of
a matrix, ``a.T``, ``a.reshape(...)``, ``np.ravel(a)``, ...), an alias
(``z = a``, a helper that returns its argument), a list or tuple holding
``a``.  And ``z op= e`` on a name holding an array writes into that array,
which every name sharing it sees.

After :func:`check_mutation` (on the normalized body) these hold:

* which memory each name may hold is known at each statement, conservatively
  (a flow-sensitive points-to walk, in program order, loops until they
  settle): a name assigned a new array (``np.zeros``, arithmetic, a copy)
  holds memory of its own; one assigned anything that may share memory
  (:func:`aliases.shared_operands`: a view, an alias, a container, a call
  not known to make a new array) holds whatever its operands hold; a list
  that an array is appended to holds that array.  One statement in a loop
  makes a new array each iteration: the arrays it made before are kept
  apart from the newest one (``u = new`` then ``new = np.zeros(n)`` in the
  next iteration: ``u`` no longer shares ``new``);
* no name is read, after an in-place write into memory it may share, before
  it is assigned again; otherwise a ``TransformError`` located at the write
  says which name sees it and what to write instead.  The same holds for
  ``z op= e``: it is compiled as the rebinding ``z = z op e``, which computes
  what Python does exactly when no other name sharing ``z``'s array is read
  afterwards, and is refused otherwise.

Before the refusal, writes through a name whose sharing is known exactly are
rewritten (``aliaswrites.py``): where the check above refuses, or passes only
by asking an argument to be a number, ``z op= e`` through an exact alias or
basic view of an array ``y`` the function made becomes the element write
``y[idx] = ...`` plus a re-derivation of every name exactly related to ``y``,
and an element write into ``y`` re-derives them too.  The rewritten body is
checked again by the same walk; if that refuses, the original body and its
refusal (or its number checks) stand.  So the rewrite is never trusted on its
own: a name it did not re-derive and that may share the memory is still a
located refusal when read.  Where the rewritten write needs an argument to
be an array, ``program.entry_checks`` gets ``(param, ("array", ndim))`` and
the generated code checks it on entry (``support.require_array``).

So every read the forward sweep makes sees a value that only the writes the
adjoint knows about have changed.  The backward sweep's reads are made right
by the tape (``tape.py``): an array written in place has the overwritten
elements saved just before each write and put back, in place, after the
adjoint of that write, whenever the backward sweep reads the array or any
name sharing its memory; views then see the values they had in the forward
sweep.
"""

from __future__ import annotations

import ast

from ..errors import TransformError
from . import anno, arrayness
from .aliases import shared_operands
from .aliaswrites import rewrite_alias_writes
from .astutil import LOOPS, copy_tree, names_loaded, names_stored, names_written_into, walk_stmts
from .diagnostics import error
from .program import Program
from .resolve import Scope

Stale = dict[str, tuple]  # a name that must not be read -> the write's INPLACE annotation
Memory = dict[str, frozenset]  # a name -> the abstract arrays it may hold (absent: its own)


def check_mutation(program: Program) -> Program:
    """Refuse a read of a name after an in-place write it sees (module docstring)."""
    body = program.body
    if not any(anno.get(s, anno.INPLACE) is not None for s in walk_stmts(body)):
        return program
    ranks = dict(program.ranks or {})
    ranks.update({p: len(shape) for p, shape in (program.shapes or {}).items()
                  if isinstance(shape, tuple)})
    scope = Scope(program.parsed)
    foreign = program.foreign or {}

    def outer(name: str) -> object:
        return foreign[name] if name in foreign else scope.lookup(name)

    def check(stmts: list[ast.stmt], checks: dict) -> None:
        _Flow(program.parsed, program.params, program.int_names, _resolver, checks,
              ranks=ranks, outer=outer).run(stmts, program.result)

    checks: dict = {}
    refused: TransformError | None = None
    try:
        check(body, checks)
    except TransformError as err:
        refused = err
    if refused is None and not checks:
        return program  # every write is seen: nothing to rewrite
    rewritten = rewrite_alias_writes(copy_tree(body, {}), program.params,
                                     program.int_names, program.namer)
    if rewritten is not None and (refused is not None or not rewritten[2]):
        # (a program served today for numbers, where a number is as likely an argument as
        # an array, stays so: the rewritten code would serve arrays only)
        new_body, requirements, _ = rewritten
        new_checks: dict = {}
        try:
            check(new_body, new_checks)
        except TransformError:
            pass  # a write the rewrite could not make exact: today's refusal below
        else:
            program.body = new_body
            program.entry_checks.update(new_checks)
            for (param, count), (node, user, _) in sorted(requirements.items()):
                program.entry_checks.setdefault((param, ("array", count)), _array_error(
                    program.parsed, node, user, param, count))
            return program
    if refused is not None:
        raise refused
    program.entry_checks.update(checks)
    return program


def _array_error(parsed, node: ast.AST, user: str, param: str, count: int) -> TransformError:
    """The located refusal of a call whose ``param`` is not an array of ``count`` axes."""
    axes = f" of at least {count} ax{'is' if count == 1 else 'es'}" if count else ""
    return error(parsed, node,
                 f"{user!r} is written in place while another name shares its memory; "
                 f"srcxform follows that write when it writes into an array, and this gradient "
                 f"serves only calls with {param!r} a NumPy array{axes} (then the names share "
                 f"an array), which this call's is not: make {user!r} a copy first "
                 f"({user} = {user}.copy()), or write {user} = {user} op ... for a new value",
                 f"write into {user!r} through another name")


def sharers_at_writes(body: list[ast.stmt], params: list[str], resolve,
                      skip=lambda stmt: False) -> dict[str, set[str]]:
    """For generated code: each array written by element (``a[i] = v``, outside the
    statements ``skip`` selects) -> the names that may share its memory when it is written.
    ``resolve(call)`` gives ``(callee, method)``."""
    flow = _Flow(None, params, set(), resolve, {}, skip)
    flow.run(body, None)
    return flow.sharers


def _resolver(call: ast.Call) -> tuple[object, str | None]:
    return anno.get(call, anno.CALLEE), anno.get(call, anno.METHOD)


class _State:
    """What each name may hold, and which names a write made stale; for a name bound to a
    tuple literal, what each of its elements may hold (``a, b = t`` unpacks them apart)."""

    def __init__(self, memory: Memory | None = None, stale: Stale | None = None,
                 elements: dict[str, list[frozenset]] | None = None) -> None:
        self.memory: Memory = dict(memory or {})
        self.stale: Stale = dict(stale or {})
        self.elements: dict[str, list[frozenset]] = dict(elements or {})

    def copy(self) -> _State:
        return _State(self.memory, self.stale, self.elements)

    def holds(self, name: str) -> frozenset:
        return self.memory.get(name, frozenset({("name", name)}))

    def join(self, other: _State) -> _State:
        names = self.memory.keys() | other.memory.keys()
        elements = {n: [a | b for a, b in zip(e, other.elements[n])]
                    for n, e in self.elements.items()
                    if n in other.elements and len(other.elements[n]) == len(e)}
        return _State({n: self.holds(n) | other.holds(n) for n in names},
                      {**other.stale, **self.stale}, elements)

    def same(self, other: _State) -> bool:
        return self.memory == other.memory and self.stale.keys() == other.stale.keys() \
            and self.elements == other.elements


class _Flow:
    """A walk in program order; loop bodies until the state settles."""

    def __init__(self, parsed, params: list[str], ints: set[str], resolve,
                 entry_checks: dict, skip=None, ranks: dict[str, int] | None = None,
                 outer=None) -> None:
        self.parsed = parsed  # None: collect `sharers` (generated code), never refuse
        self.ints = ints
        self.resolve = resolve
        self.entry_checks = entry_checks
        self.skip = skip or (lambda stmt: False)
        self.sharers: dict[str, set[str]] = {}
        self.params = params
        self.kinds: dict[str, arrayness.Kind] = {}
        self.ranks = ranks
        self.outer = outer  # a global or closure name -> its object

    def run(self, body: list[ast.stmt], result: ast.expr | None) -> None:
        self.kinds = arrayness.kinds(body, self.params, self.ints, self.ranks, self.outer)
        state = self.block(body, _State())
        if result is not None:
            self.reads(names_loaded(result), state)

    def block(self, stmts: list[ast.stmt], state: _State) -> _State:
        for stmt in stmts:
            if self.skip(stmt):
                continue
            if isinstance(stmt, ast.If):
                self.reads(names_loaded(stmt.test), state)
                state = self.block(stmt.body, state.copy()).join(
                    self.block(stmt.orelse, state.copy()))
            elif isinstance(stmt, LOOPS):
                if isinstance(stmt, ast.For):
                    self.reads(names_loaded(stmt.iter), state)
                for _ in range(200):  # joins only grow a finite state: it settles
                    after = state.join(self.loop_body(stmt, state.copy()))
                    if after.same(state):
                        break
                    state = after
                else:  # pragma: no cover - a bound the finite state never reaches
                    raise AssertionError("mutation: a loop's state did not settle")
            else:
                self.simple(stmt, state)
        return state

    def loop_body(self, loop: ast.For | ast.While, state: _State) -> _State:
        if isinstance(loop, ast.For):
            held = frozenset().union(*(state.holds(n) for n in names_loaded(loop.iter)))
            for n in names_stored(loop.target):
                self.bind(n, held, state)
        return self.block(loop.body, state)

    def simple(self, stmt: ast.stmt, state: _State) -> None:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
            self.reads(names_loaded(stmt.value) | names_loaded(stmt.targets[0].slice), state)
        elif _appends(stmt):
            self.reads(set().union(*(names_loaded(a) for a in stmt.value.args)), state)
        else:
            self.reads(names_loaded(stmt), state)
        inplace = anno.get(stmt, anno.INPLACE)
        if self.parsed is None:  # generated code: every element write
            roots = names_written_into(stmt.targets) if isinstance(stmt, ast.Assign) else ()
            inplace = (stmt, next(iter(roots)), next(iter(roots))) if roots else None
        if inplace is not None and not self.rebinds_a_number(stmt, inplace):
            _, _, old = inplace
            inplace = (*inplace, self.number_checks(stmt, inplace))
            written = state.holds(old)
            stored = names_stored(stmt)
            named = {obj[1] for obj in written if obj[0] == "name"}
            for other in state.memory.keys() | named:
                if other != old and other not in stored and state.holds(other) & written:
                    if self.parsed is None:
                        self.sharers.setdefault(old, set()).add(other)
                    else:
                        state.stale.setdefault(other, inplace)
        if isinstance(stmt, ast.Assign) and not isinstance(stmt.targets[0], ast.Subscript):
            self.assign(stmt, state)
        elif _appends(stmt):
            owner = stmt.value.func.value.id
            state.memory[owner] = state.holds(owner).union(
                *(self.value_holds(a, state) for a in stmt.value.args))
        for n in names_stored(stmt):
            state.stale.pop(n, None)

    def assign(self, stmt: ast.Assign, state: _State) -> None:
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Name):
            self.bind(target.id, self.value_holds(value, state, stmt), state)
            if isinstance(value, ast.Tuple) and not any(isinstance(e, ast.Starred)
                                                        for e in value.elts):
                state.elements[target.id] = [self.value_holds(e, state) for e in value.elts]
            elif isinstance(value, ast.Name) and value.id in state.elements:  # a copy
                state.elements[target.id] = list(state.elements[value.id])
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Name) \
                and len(state.elements.get(value.id, ())) == len(target.elts) \
                and not any(isinstance(e, ast.Starred) for e in target.elts):
            helds = list(state.elements[value.id])  # `u, t = pair` of a known pair
            for t, held in zip(target.elts, helds):
                for n in names_stored(t):
                    self.bind(n, held, state)
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) \
                and len(target.elts) == len(value.elts) \
                and not any(isinstance(e, ast.Starred) for e in target.elts + value.elts):
            helds = [self.value_holds(v, state) or frozenset({("site", id(stmt), k)})
                     for k, v in enumerate(value.elts)]  # `a, b = b, a`
            for t, held in zip(target.elts, helds):
                for n in names_stored(t):
                    self.bind(n, held, state)
        else:
            held = self.value_holds(value, state, stmt)
            for n in names_stored(target):
                self.bind(n, held, state)

    def value_holds(self, value: ast.expr, state: _State,
                    site: ast.stmt | None = None) -> frozenset:
        """The memory the value of ``value`` may hold; ``site`` makes a new array here."""
        if arrayness.is_scalar(self.kind_of(value)):
            return frozenset()  # a number: shares no memory
        shared = shared_operands(value, self.resolve) - self.ints
        held = frozenset().union(*(state.holds(s) for s in shared))
        if site is None or (shared and isinstance(value, ast.Name)):
            return held
        new = ("site", id(site))
        for n, h in state.memory.items():  # what this statement made before is older
            if new in h:
                state.memory[n] = h - {new} | {("old", id(site))}
        return held | {new}

    def kind_of(self, value: ast.expr) -> arrayness.Kind:
        if isinstance(value, ast.Name):
            return arrayness.SCALAR if value.id in self.ints else self.kinds.get(value.id)
        return arrayness.Typer(self.kinds, self.ints, self.outer).of(value)

    def rebinds_a_number(self, stmt: ast.stmt, inplace: tuple) -> bool:
        """``z op= e`` on a ``z`` that only ever holds a number: rebinding is what Python
        does (an element write, also one ``aliaswrites.py`` made of ``z op= e``, never
        rebinds)."""
        node, _, old = inplace
        return _rebinding(stmt) and isinstance(node, ast.AugAssign) and (
            old in self.ints or arrayness.is_scalar(self.kinds.get(old)))

    def number_checks(self, stmt: ast.stmt, inplace: tuple) -> set | None:
        """For ``z op= e``: the argument checks under which ``z`` holds a number."""
        node, _, old = inplace
        if not isinstance(node, ast.AugAssign) or not _rebinding(stmt):
            return None
        return arrayness.conditions(self.kinds.get(old))

    def checked_on_entry(self, stale: tuple) -> bool:
        """A read after ``z op= e`` where ``z`` holds a number when the arguments pass
        checks: the generated code makes them on entry (``support.require_scalar_index``)."""
        node, user, _, checks = stale
        if checks is None:
            return False
        for param, count in checks:
            what = "a number" if count == 0 else f"an array of at most {count} axes"
            self.entry_checks.setdefault((param, count), error(
                self.parsed, node,
                f"{user!r} is written in place by {user} op= ... (Python writes into an "
                f"array there) while another name that shares its memory is read afterwards, "
                f"which srcxform cannot follow; this gradient serves only calls with {param!r} "
                f"being {what} (then {user} op= ... makes a new value), and this call's is "
                f"not: write {user} = {user} op ... (a new array) instead",
                f"write into {user!r} through an augmented assignment"))
        return True

    def bind(self, name: str, held: frozenset, state: _State) -> None:
        state.elements.pop(name, None)
        if name not in self.ints:
            state.memory[name] = held

    def reads(self, names: set[str], state: _State) -> None:
        for n in sorted(names & state.stale.keys()):
            if self.checked_on_entry(state.stale[n]):
                continue
            node, user, _, _ = state.stale[n]
            shown = n.rstrip("0123456789").rstrip("_") or n
            how = f"{user} op= ..." if isinstance(node, ast.AugAssign) else f"{user}[...] = ..."
            raise error(self.parsed, node,
                        f"{user!r} is written in place ({how}) while {shown!r} shares its "
                        f"memory (an alias, a view, a list holding it) and is read afterwards; "
                        f"srcxform cannot follow a write through another name: make "
                        f"{shown!r} a copy (np.copy(...)), or write into a copy of {user!r} "
                        f"({user} = {user}.copy() before the write, or {user} = {user} op ... "
                        f"for an augmented assignment)", f"write into {user!r} seen through "
                        f"{shown!r}")


def _rebinding(stmt: ast.stmt) -> bool:
    """The statement assigns a name (``z_1 = z op e``), not an element (``a[i] = v``)."""
    return not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript))


def _appends(stmt: ast.stmt) -> bool:
    """``owner.append(v)`` (also extend, insert): the list ``owner`` then holds ``v``."""
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
        and isinstance(stmt.value.func, ast.Attribute) \
        and stmt.value.func.attr in ("append", "extend", "insert") \
        and isinstance(stmt.value.func.value, ast.Name)
