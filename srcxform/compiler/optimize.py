"""Pass 6, optimize: simplify the generated body until nothing changes.

After :func:`optimize`:

* constants and copies are propagated and constant expressions folded
  (including ``np.ndim``/``np.size``/``np.shape`` of constants and of values
  known to be scalars, ``is None`` tests, ``if`` on constants);
* algebraic identities are applied (``e * 1``, ``e ** 1``, ``e + 0``, ``--e``,
  ``a + e * -c`` as ``a - e * c``), and a negation ``t = -u`` read once moves
  into its reader (where ``-u * c`` becomes ``u * -c``), never into a loop;
* with argument shapes known, ``np.split(g, indices, axis)`` whose indices
  follow from shapes alone (the adjoint of ``np.concatenate``) has its pieces
  read as basic slices of ``g`` (``bseq[1]`` is ``bext[1:33]``); tuples whose
  every assignment in a loop holds arrays of the same shapes keep those shapes
  where their saved values come back;
* a broadcast scalar ``np.broadcast_to(s, np.shape(v))`` combined with an
  array of ``v``'s shape is replaced by ``s`` itself, and ``unbroadcast(e, v)``
  / ``np.broadcast_to(e, np.shape(v))`` disappear when ``e`` provably has
  ``v``'s shape (shape classes: elementwise results share their operands'
  class, an adjoint shares its primal's);
* with argument shapes known, ``np.zeros_like(x)`` of an ``x`` read nowhere
  else reads an earlier name of provably the same shape and dtype
  (``likes.py``), so ``x`` is not computed only for its kind;
* every statement whose value is unused and whose evaluation has no effect
  is removed; a returned gradient is a writable array (``np.full``, not a
  read-only ``np.broadcast_to``);
* the program carries ``rank_dependent`` (the code still asks for ranks that
  specializing on the arguments' ranks would answer), ``exact_shapes`` (the
  exact shape of each name after its last assignment) and ``trusted_shapes``
  (exact shapes that hold wherever the name is read).

Every rewrite preserves the value and shape of every live name.  One round
is a forward walk (``propagate.py``: facts in ``facts.py`` and
``shapefacts.py``, rules in ``rewrites.py``) then a backward one
(``liveness.py`` finds what is needed, ``deadcode.py`` drops the rest);
rounds repeat until the body's text stops changing, or until
``fixedpoint.settled`` shows that another round would change nothing (in
straight-line code, usually after the first).
"""

from __future__ import annotations

import ast
import copy
import os

import numpy as np

from . import anno, astutil
from .aliases import Sharing, generated_code_resolver
from .astutil import (
    BLOCK_FIELDS,
    copy_tree,
    counted,
    marker_names,
    name_counts,
    names_and,
    names_loaded,
    store_counts,
    walk_stmts,
)
from .complexity import index_mentions_complex, maybe_complex_names
from .constants import known_constants
from .deadcode import remove_dead
from .env import Env
from .facts import Facts
from .fixedpoint import Counts, Round, settled
from .inexact import BINDING, surely_inexact_names
from .likes import retarget_likes
from .liveness import liveness
from .program import Program
from .propagate import Derivation, Propagator, StableShapes
from .shapefacts import SCALAR, Shape, ShapeFacts
from .shapes import has_dim
from .support import zero_gradient

#: What the first walk of a body indexes besides its names: the nodes that bind names
#: (``inexact.py``), the element writes (name counts), and the constants and attributes
#: (``complexity.index_mentions_complex``).
_INDEXED = BINDING | {ast.Subscript, ast.Constant, ast.Attribute}

#: The most rounds the fixed point may take (a safety net; bodies settle in a few).
MAX_ROUNDS = 30
_GROW_ROUNDS = 8
_CHECK_ROUNDS = 12


def optimize(program: Program) -> Program:
    """Simplify ``program.body`` to a fixed point (see the module docstring).

    Reads ``body``, ``env``, ``derivative_of``, ``generated_params``,
    ``scalar_names``, ``ranks``, ``shapes``, ``overwritten``, ``int_names`` and
    ``kind`` (forward mode restores nothing); sets ``body``, ``rank_dependent``,
    ``mentions_complex``, ``exact_shapes`` and ``trusted_shapes`` (and the same with
    patterns).
    """
    derivative_of = program.derivative_of
    opt = Optimizer(program.env, derivative_of, program.generated_params,
                    set(program.scalar_names), program.ranks, program.shapes,
                    set(program.overwritten), set(program.int_names),
                    restores=program.kind != "jvp", wrt=program.wrt)
    body = opt.run(program.body)
    materialize_returned_broadcasts(body, opt.last, derivative_of)
    if not opt.exact_in:
        float_zero_gradients(body, opt.last, program.params)
    program.body = body
    program.rank_dependent = opt.last.rewriter.rank_queries > 0
    program.mentions_complex = opt.mentions_complex
    program.exact_patterns = opt.last.shapes.exact
    program.trusted_patterns = trusted_shapes(body, opt, derivative_of)
    program.size_sources = dict(opt.last.shapes.dim_sources)
    program.exact_shapes = _without_patterns(program.exact_patterns)
    program.trusted_shapes = _without_patterns(program.trusted_patterns)
    return program


def _not_a_view_of_the_users(stmt: ast.stmt) -> bool:
    """Statements the sharing of written arrays is not followed through: generated
    backward code (it copies an adjoint before writing into it), and element reads
    (``v = a[i]`` may be a number).  Forward mode's code is followed, tangents too: a
    tangent shares memory where its primal does, and is written where it is."""
    return anno.get(stmt, anno.GRAD, False) or (
        isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Subscript))


class Optimizer:
    """Runs rounds of propagation and dead-code removal over one body."""

    def __init__(self, env: Env, adjoint_of: dict[str, str], params: list[str],
                 scalar_names: set[str], ranks: dict[str, int] | None = None,
                 shapes: dict[str, Shape] | None = None, overwritten: set[str] = frozenset(),
                 int_names: set[str] = frozenset(), restores: bool = True,
                 wrt: list[str] = ()) -> None:
        self.env = env
        self.params = params
        self.scalar_names = scalar_names
        self.ranks = ranks or {}
        self.exact_in = shapes or {}
        # some argument sizes are Dims (shapes.py): the code is generic in them
        self.symbolic = any(has_dim(s) for s in self.exact_in.values())
        self.known_ints = set(int_names)
        self.restores = restores  # overwritten values are restored by the backward sweep
        self.derivation = Derivation(adjoint_of, set(overwritten), seed_of={
            adjoint_of[p]: p for p in params if p in adjoint_of and adjoint_of[p] not in params})
        self.stable = StableShapes()
        self.last: Propagator | None = None  # the walk of the last round
        self.first_round: Propagator | None = None  # (find_stable_shapes) a round made
        self.constants: dict[str, Shape] = {}  # globals and closure values read (constants.py)
        self.constant_ints: set[str] = set()
        self.complex_names: frozenset[str] = frozenset()  # complexity.py
        self.mentions_complex = True  # (run) the body mentions a complex value or maker
        self.wrt = list(wrt)  # differentiated parameters (promoted to float on entry)
        self.inexact_names: frozenset[str] = frozenset()  # inexact.py
        self.round_counts: Counts | None = None  # what the next walk reads of the body

    def run(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """Rounds of propagation and dead-code removal until the text stops changing or
        another round would change nothing (``fixedpoint.py``)."""
        # one walk for the counts and the bindings surely_inexact_names reads
        index = names_and(body, _INDEXED)
        self.round_counts = self.counts(body, index[0] + [n for n in index[1]
                                                          if n.__class__ is ast.Subscript])
        self.constants, self.constant_ints = known_constants(
            self.env, body, (self.round_counts.loads, self.round_counts.stores))
        # (a body that mentions nothing complex assigns no name a complex value)
        self.mentions_complex = index_mentions_complex(index[0], index[1], self.env)
        self.complex_names = maybe_complex_names(body, self.env) if self.mentions_complex \
            else frozenset()
        self.inexact_names = frozenset(surely_inexact_names(body, self.params, self.wrt,
                                                            self.env, index))
        self.stable = self.find_stable_shapes(body)
        before = None
        for _ in range(MAX_ROUNDS):
            if self.first_round is not None:  # made under the same assumptions, on a copy
                walk, self.first_round = self.first_round, None
                body, self.last = walk.rewritten, walk
            else:
                walk = self.walk(body)
                body = walk.block(body, Facts())
            done, counts = self.finish_round(body, walk)
            after = self.counts_after(done, counts)
            body = remove_dead(body, done.found)
            if after is None:
                after = self.counts(body)
            checking = bool(os.environ.get("SRCXFORM_CHECK_ROUNDS"))
            if checking and after != self.counts(body):
                raise AssertionError(f"counts kept across dead-code removal are wrong: "
                                     f"{after} != {self.counts(body)}")
            stop = settled(body, done, self.round_counts, after, self.fixed_names(),
                           self.derivation.overwritten)
            self.round_counts = after  # (the next walk reads these)
            if stop:
                if checking:
                    self.confirm(body, walk)
                break
            text = "\n".join(ast.unparse(s) for s in body)
            if text == before:
                break
            before = text
        return body

    def finish_round(self, body: list[ast.stmt], walk: Propagator) -> tuple[Round, Counts]:
        """The rest of a round after its walk over ``body``: ``np.zeros_like`` retargeted,
        dead code found (the caller removes it); also the name counts of ``body`` then
        (element writes not widened to the names sharing memory)."""
        loads, stores, written = name_counts(body)
        retargeted: set[str] = set()
        if self.exact_in:
            retargeted = retarget_likes(body, walk, self.params, self.derivation.overwritten,
                                        (loads, stores))
        found = liveness(body, self.env, self.derivation.overwritten, self.restores)
        return Round(walk, body, found, retargeted), Counts(loads, stores, written)

    def counts_after(self, done: Round, counts: Counts) -> Counts | None:
        """:meth:`counts` of what dead-code removal will leave of the body ``counts``
        counted: those counts less the removed statements' (None with element writes:
        the names sharing memory with them are found again)."""
        if counts.written:
            return None
        todo = list(done.propagated)
        for stmt in todo:
            if id(stmt) in done.found.dead:
                loads, stores, _ = name_counts(stmt)
                _subtract(counts.loads, loads)
                _subtract(counts.stores, stores)
            else:
                for field in BLOCK_FIELDS:
                    todo.extend(getattr(stmt, field, None) or ())
        return counts

    def counts(self, body: list[ast.stmt], found: list[ast.AST] | None = None) -> Counts:
        """The loads, stores and element writes of ``body`` a walk reads (``fixedpoint.py``;
        ``found``: the ``Name`` and ``Subscript`` nodes of ``body``, when known)."""
        loads, stores, written = name_counts(body) if found is None else counted(found)
        if written:  # and every name that may share memory with one of them
            sharing = Sharing(list(walk_stmts(body)), generated_code_resolver(self.env),
                              skip=_not_a_view_of_the_users)
            written = written.union(*(sharing.others(w) for w in written))
        return Counts(loads, stores, written)

    def fixed_names(self) -> set[str]:
        """Names whose shape facts do not come from assignments in the body alone."""
        seeds = self.derivation.seed_of
        return set(self.params) | set(self.constants) | set(seeds) | set(seeds.values())

    def confirm(self, body: list[ast.stmt], walk: Propagator) -> None:
        """Run the round :func:`settled` skipped on a copy; fail if it changes anything."""
        copied = copy_tree(body, {})
        again = self.walk(copied)
        copied = again.block(copied, Facts())
        copied = remove_dead(copied, self.finish_round(copied, again)[0].found)
        self.last = walk
        said, found = [[ast.unparse(s) for s in b] for b in (body, copied)]
        if said != found or again.shapes.exact != walk.shapes.exact \
                or again.rewriter.rank_queries:
            raise AssertionError("optimize stopped before its fixed point:\n"
                                 + "\n".join(said) + "\n--- another round gives ---\n"
                                 + "\n".join(found))

    def walk(self, body: list[ast.stmt]) -> Propagator:
        """A forward walk for one round, starting from what holds on entry."""
        shapes = ShapeFacts(self.env, bool(self.exact_in), set(self.derivation.adjoint_of))
        shapes.always_defined = set(self.params)
        shapes.exact = dict(self.exact_in)
        if self.symbolic:
            shapes.make_symbolic()
            assigned = set(store_counts(body))
            for p in self.params:
                for axis, d in enumerate(self.exact_in.get(p) or ()):
                    if has_dim((d,)) and p not in assigned:
                        shapes.dim_sources.setdefault(d.index, (p, axis))
        shapes.int_names = set(self.known_ints)
        shapes.complex_names = self.complex_names
        shapes.inexact_names = self.inexact_names
        classes = shapes.classes
        for n, shape in self.constants.items():  # module constants: known like arguments
            classes.of[n] = classes.exact(shape)
            if shapes.specialized:
                shapes.exact[n] = shape
                if n in self.constant_ints:
                    shapes.int_names.add(n)
        for p in self.params:
            if p in shapes.exact:
                classes.of[p] = classes.exact(shapes.exact[p])
            else:
                classes.of[p] = classes.new(self.ranks.get(p))
        for n in self.scalar_names:
            classes.of[n] = SCALAR
        if self.round_counts is None:
            self.round_counts = self.counts(body)
        self.last = Propagator(shapes, self.derivation, self.stable, self.round_counts.loads)
        self.last.written_into = self.round_counts.written
        return self.last

    def find_stable_shapes(self, body: list[ast.stmt]) -> StableShapes:
        """Shapes that names reassigned in loops keep at every assignment.

        Found on a copy of the code (nothing is rewritten on an assumption): first
        optimistically (unknown shapes ignored), then shrunk until, assuming these
        shapes where loops begin, every assignment gives exactly them.
        """
        overwritten = self.derivation.overwritten
        self.stable = StableShapes()
        if not (self.exact_in and overwritten):
            return StableShapes()

        def observe() -> Propagator:
            """One walk over a copy of the body under the current assumption."""
            walk = self.walk(body)
            walk.rewritten = walk.block(copy_tree(body, {}), Facts())
            for n in overwritten & set(self.exact_in):  # a parameter's value counts
                walk.assigned_shapes.setdefault(n, set()).add(self.exact_in[n])
            return walk

        # grow: a name whose known assignments agree is assumed to keep that shape
        settled = None  # the walk under the assumption the growing settled on
        for _ in range(_GROW_ROUNDS):
            walk = observe()
            seen = walk.assigned_shapes
            grown = {n: next(iter(v - {None})) for n, v in seen.items() if len(v - {None}) == 1}
            if grown == self.stable.exact:
                settled = walk
                break
            self.stable = StableShapes(grown)
        # check: keep only names every assignment of which gives exactly the assumed shape,
        # assuming the others (shrinking until the assumption proves itself); the first
        # check is the last growing walk when it was made under the same assumption
        for _ in range(_CHECK_ROUNDS):
            walk, settled = settled or observe(), None
            seen = walk.assigned_shapes
            kept = {n: v for n, v in self.stable.exact.items() if seen.get(n) == {v}}
            if kept == self.stable.exact:
                # tuples (of arrays) whose every assignment has the same element shapes
                found = StableShapes(kept, {n: list(next(iter(v)))
                                            for n, v in walk.assigned_tuples.items()
                                            if len(v) == 1 and None not in v})
                if found == self.stable:  # this walk is the first round's: run() takes it
                    self.first_round = walk
                return found
            self.stable = StableShapes(kept)
        return StableShapes()


def _without_patterns(shapes: dict[str, Shape]) -> dict[str, Shape]:
    """``shapes`` without the patterns (``shapes.Dim``): the passes after the optimizer
    write exact shapes into the code (preallocated tapes, buffers)."""
    if not any(has_dim(s) for s in shapes.values()):
        return shapes
    return {n: s for n, s in shapes.items() if not has_dim(s)}


def _subtract(counts: dict[str, int], less: dict[str, int]) -> None:
    """``counts`` less ``less``, per name (a name counted zero times is no key)."""
    for name, n in less.items():
        left = counts[name] - n
        if left:
            counts[name] = left
        else:
            del counts[name]


def trusted_shapes(body: list[ast.stmt], opt: Optimizer,
                   adjoint_of: dict[str, str]) -> dict[str, Shape]:
    """Exact shapes that hold wherever a name is read (not only after its last assignment).

    A name's shape is trusted when every assignment gives it (a stable loop shape), or
    when it is bound once (one assignment, or a parameter never reassigned); an
    adjoint has its primal's trusted shape.
    """
    binds: dict[str, int] = {p: 1 for p in opt.params}
    stores = opt.round_counts.stores if opt.round_counts is not None else store_counts(body)
    for name, count in stores.items():
        binds[name] = binds.get(name, 0) + count
    for stmt in walk_stmts(body):
        for name in marker_names(stmt):  # a restore binds its names again
            binds[name] = binds.get(name, 0) + 1
    trusted: dict[str, Shape] = {}
    for name, shape in opt.last.shapes.exact.items():
        if opt.stable.exact.get(name) == shape or (
                name not in opt.derivation.overwritten and binds.get(name, 0) == 1):
            trusted[name] = shape
    for adjoint, primal in adjoint_of.items():
        if primal in trusted:
            trusted[adjoint] = trusted[primal]
        else:
            trusted.pop(adjoint, None)
    return trusted


def float_zero_gradients(body: list[ast.stmt], walk: Propagator, params: list[str]) -> None:
    """In code for any shape, a returned ``np.zeros_like(p)`` of a parameter (the gradient
    of one the result does not depend on) is ``zero_gradient(p)``: ``0.0`` for a float."""
    if not (body and isinstance(body[-1], ast.Return) and body[-1].value is not None):
        return
    helper = None
    for call in astutil.walk(body[-1].value):
        if isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords \
                and isinstance(call.args[0], ast.Name) and call.args[0].id in params \
                and walk.rewriter.callee(call) is np.zeros_like:
            helper = helper or walk.env.ref(zero_gradient, "zero_gradient")
            call.func = ast.Name(helper, ast.Load())


def materialize_returned_broadcasts(body: list[ast.stmt], walk: Propagator,
                                    adjoint_of: dict[str, str]) -> None:
    """Returned gradients are writable arrays: a ``np.broadcast_to`` becomes ``np.full``."""
    returned = names_loaded(body[-1]) if body and isinstance(body[-1], ast.Return) else set()
    last_def: dict[str, ast.Assign] = {}
    for stmt in body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            last_def[stmt.targets[0].id] = stmt
    for name in returned:
        stmt = last_def.get(name)
        primal = adjoint_of.get(name)
        if stmt is None or primal is None:
            continue
        parts = walk.shapes.broadcast_parts(stmt.value)
        if parts is not None:
            npname = ast.Name(walk.env.ref(np, "np"), ast.Load())
            scalar, like = parts
            if isinstance(scalar, ast.Constant) and type(scalar.value) is int:
                scalar = ast.Constant(float(scalar.value))
            if not isinstance(like, ast.Constant):
                # the shape of ``like``, not its dtype: the name standing for a shape may
                # hold integers (a gradient must not be truncated to them)
                like = ast.Call(ast.Attribute(copy.deepcopy(npname), "shape", ast.Load()),
                                [like], [])
            stmt.value = ast.Call(ast.Attribute(npname, "full", ast.Load()), [like, scalar], [])
