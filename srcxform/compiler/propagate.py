"""Propagation: one forward walk that substitutes known values and simplifies.

After :meth:`Propagator.block` over a body:

* every read of a name whose value is a literal or another name (a copy) is
  replaced by that value, and a negation ``t = -u`` read exactly once moves
  into its reader (never into a loop, where it would run once per
  iteration); ``x = x`` is gone;
* every expression is simplified bottom-up by the rewrite rules
  (``rewrites.py``); an ``if`` on a literal is replaced by the branch taken;
* the walk has recorded shape facts (``shapefacts.py``) for every name at the
  point it reached, and for each name that may be overwritten the exact
  shapes its assignments gave (``assigned_shapes``, ``assigned_tuples``),
  which the optimize pass uses to find the shapes that hold in every loop
  iteration.

Facts are only ever learned from an assignment that dominates the read: a
name a branch or loop may change is forgotten after it (and at the top of a
loop), keeping only a shape that every assignment to it gives (``stable``).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import anno
from .astutil import NODE_FIELDS, copy_tree, mentions, names_changed, root, walk
from .effects import is_add_at, is_mutator
from .facts import Facts
from .rewrite_algebra import is_literal
from .rewrites import rewriter
from .shapefacts import SCALAR, Shape, ShapeFacts
from .shapes import has_dim
from .shapevalues import split_pieces


@dataclass
class StableShapes:
    """Shapes that names reassigned in loops keep at every assignment."""

    exact: dict[str, Shape] = field(default_factory=dict)
    tuples: dict[str, list[Shape]] = field(default_factory=dict)  # tuples of arrays


@dataclass
class Derivation:
    """What the optimizer knows about the generated code as a whole."""

    adjoint_of: dict[str, str]  # derivative name -> primal name
    overwritten: set[str]  # names that may be assigned more than once at run time
    seed_of: dict[str, str] = field(default_factory=dict)  # output name -> cotangent param


class Propagator:
    """One forward walk over a body (see the module docstring)."""

    def __init__(self, shapes: ShapeFacts, derivation: Derivation, stable: StableShapes,
                 load_counts: dict[str, int]) -> None:
        self.shapes = shapes
        self.env = shapes.env
        self.rewriter = rewriter(shapes.env, shapes)
        self.derivation = derivation
        self.adjoint_of = derivation.adjoint_of
        self.overwritten = derivation.overwritten
        self.stable = stable
        self.load_counts = load_counts
        self.assigned_shapes: dict[str, set[Shape | None]] = {}
        self.assigned_tuples: dict[str, set[tuple[Shape, ...] | None]] = {}
        self.written_into: set[str] = set()  # arrays written by element (``a[i] = v``)
        self.rewritten: list[ast.stmt] = []  # the body the walk made (optimize.py keeps it)
        #: primals whose assigned shape gave an adjoint a shape its value does not show
        self.shaped_by_primal: set[str] = set()

    # -- statements -----------------------------------------------------------------------
    def block(self, body: list[ast.stmt], facts: Facts, top: bool = True) -> list[ast.stmt]:
        """Propagate through ``body`` (``top``: the function body itself, where an
        assignment to a name assigned once makes it defined from there on)."""
        out: list[ast.stmt] = []
        symbolic = self.shapes.symbolic
        for stmt in body:
            if symbolic:
                self.shapes.sizes = facts.sizes  # (the sizes names hold here: dim_of)
            if top and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id not in self.overwritten:
                self.shapes.always_defined.add(stmt.targets[0].id)  # (after this statement)
            if isinstance(stmt, ast.If):
                out.extend(self.branch(stmt, facts, top))
            elif isinstance(stmt, (ast.For, ast.While)):
                out.append(self.loop(stmt, facts))
            elif anno.get(stmt, anno.MARKER) is not None:
                for n in anno.get(stmt, anno.MARKER)[1]:
                    self.forget(n, facts)
                out.append(stmt)
            elif isinstance(stmt, ast.Assign):
                if self.assignment(stmt, facts):
                    out.append(stmt)
            else:
                out.append(self.simple(stmt, facts))
        return out

    def branch(self, stmt: ast.If, facts: Facts, top: bool) -> list[ast.stmt]:
        """An ``if``: its branches walked from the same facts; what they change forgotten."""
        test = self.expr(stmt.test, facts)
        if isinstance(test, ast.Constant):
            return self.block(stmt.body if test.value else stmt.orelse, facts, top)
        stmt.test = test
        before = facts.copy()
        stmt.body = self.block(stmt.body, facts, False)
        stmt.orelse = self.block(stmt.orelse, before.copy(), False)
        for n in names_changed(stmt):
            facts.kill(n)
            self.shapes.exact.pop(n, None)
            self.shapes.classes.of[n] = self.shapes.classes.new()
        return [stmt]

    def loop(self, stmt: ast.For | ast.While, facts: Facts) -> ast.stmt:
        """A loop: what it changes is forgotten before and after its body."""
        changed = names_changed(stmt)
        if isinstance(stmt, ast.For):
            stmt.iter = self.expr(stmt.iter, facts)
        for n in changed:
            self.forget(n, facts)
        if isinstance(stmt, ast.For) and _is_range(stmt.iter, self.env):
            self.shapes.int_names.add(stmt.target.id)  # a range loop counts in ints
            if self.shapes.specialized:
                self.shapes.exact[stmt.target.id] = ()
                self.shapes.classes.of[stmt.target.id] = SCALAR
        stmt.body = self.block(stmt.body, facts.without_negations(), False)
        for n in changed:
            self.forget(n, facts)
        return stmt

    def assignment(self, stmt: ast.Assign, facts: Facts) -> bool:
        """Propagate into an assignment and learn from it; False when it is ``x = x``."""
        made = not isinstance(stmt.value, ast.Name)  # a new array, or a number
        fresh = isinstance(stmt.value, (ast.BinOp, ast.UnaryOp))  # always a new value
        target = stmt.targets[0]
        # an array written by element stays an array (`bx = np.zeros_like(x)` of a 0-d x,
        # then `bx[()] = v`): never folded to a number
        kept = copy.deepcopy(stmt.value) if made and isinstance(target, ast.Name) \
            and target.id in self.written_into else None
        stmt.value = self.expr(stmt.value, facts)
        if kept is not None and isinstance(stmt.value, ast.Constant):
            stmt.value = kept
        if made and isinstance(stmt.value, ast.Name) and isinstance(target, ast.Name) \
                and (target.id in self.written_into or stmt.value.id in self.written_into):
            # `p = x * 1` then `p[0] = v` (or `x[0] = v`): p stays a new array, never
            # another name of x
            stmt.value = ast.Call(ast.Attribute(stmt.value, "copy", ast.Load()), [], [])
        elif fresh and isinstance(target, ast.Name) \
                and isinstance(stmt.value, (ast.Attribute, ast.Subscript, ast.Call)) \
                and (target.id in self.written_into or any(
                    isinstance(n, ast.Name) and n.id in self.written_into
                    for n in walk(stmt.value))):
            # `p = x.reshape(2, 2) * 1` folded to a view of an array written in place
            stmt.value = ast.Call(ast.Attribute(stmt.value, "copy", ast.Load()), [], [])
        if isinstance(target, ast.Name) and isinstance(stmt.value, ast.Name) \
                and stmt.value.id == target.id:
            return False
        if isinstance(target, ast.Name):
            self.assign(target.id, stmt.value, facts)
        elif isinstance(target, ast.Tuple):
            known = self.shapes.tuple_shapes.get(stmt.value.id) \
                if isinstance(stmt.value, ast.Name) else None
            for i, e in enumerate(target.elts):
                if e.id in self.overwritten:  # a shape that name takes (None: unknown)
                    shape = known[i] if known is not None and len(known) == len(
                        target.elts) else None
                    self.assigned_shapes.setdefault(e.id, set()).add(shape)
                facts.kill(e.id)
                self.shapes.exact.pop(e.id, None)
                self.shapes.classes.of[e.id] = self.shapes.classes.new()
        else:  # an element write: the container is changed in place
            target_root = root(target)
            self.substitute_loads(target, facts, skip=target_root)
            if target_root is not None:
                facts.kill(target_root.id)
        return True

    def simple(self, stmt: ast.stmt, facts: Facts) -> ast.stmt:
        """``return``, an expression statement or ``assert``: values substituted."""
        if isinstance(stmt, ast.Return):
            stmt.value = self.expr(stmt.value, facts)
        elif isinstance(stmt, ast.Expr):
            stmt.value = self.expr(stmt.value, facts)
            call = stmt.value
            if isinstance(call, ast.Call) and is_mutator(self.env.resolve(call.func)) \
                    and call.args and isinstance(call.args[0], ast.Name):
                facts.kill(call.args[0].id)
                added = self.unique_add_at(call, facts)
                if added is not None:
                    anno.copy_all(stmt, added)
                    return added
        elif isinstance(stmt, ast.Assert):
            stmt.test = self.expr(stmt.test, facts)
        return stmt

    # -- what is learned and forgotten ----------------------------------------------------
    def forget(self, name: str, facts: Facts) -> None:
        """Nothing is known any more about ``name`` (it changes in a loop or is restored),
        except a shape that every assignment to it gives (``stable``)."""
        shapes = self.shapes
        facts.kill(name)
        shapes.bool_names.discard(name)
        shapes.tuple_shapes.pop(name, None)
        if name in self.stable.tuples:
            shapes.tuple_shapes[name] = list(self.stable.tuples[name])
        stable = self.stable.exact.get(name)
        if stable is None and name in self.adjoint_of:
            primal = self.adjoint_of[name]
            stable = self.stable.exact.get(primal)
            if stable is None and primal not in self.overwritten:
                stable = shapes.exact.get(primal)
        if stable is not None:
            shapes.exact[name] = stable
            shapes.classes.of[name] = shapes.classes.exact(stable)
        else:
            shapes.exact.pop(name, None)
            shapes.classes.of[name] = shapes.classes.new()

    def assign(self, name: str, value: ast.expr, facts: Facts) -> None:
        """Learn what ``name = value`` establishes: shapes, kinds, and value facts."""
        own = mentions(value, name)  # (then what it says changes with name's facts)
        self.note_shapes(name, value)
        value_pattern = self.shapes.pattern_of(value)
        exact = self.exact_assigned(name, value, value_pattern)
        # (pattern_of(value) asked again only when exact_assigned changed what it reads)
        shape = self.shapes.class_of(value) if own \
            else self.shapes.class_of(value, value_pattern)
        facts.kill(name)
        if exact is None and isinstance(value, ast.Subscript):
            exact = self.arange_selection(value.value, value.slice, facts)
            if exact is not None:
                self.shapes.exact[name] = exact
                shape = self.shapes.classes.exact(exact)
        self.join_classes(name, value, shape, exact)
        if isinstance(value, ast.Call) and self.env.resolve(value.func) is np.arange \
                and len(value.args) == 1 and not value.keywords and not own:
            n = value.args[0]
            if isinstance(n, ast.Constant) and type(n.value) is int:
                facts.aranges[name] = n.value  # distinct integers 0 .. n - 1
            elif self.shapes.symbolic and has_dim((self.shapes.dim_of(n, facts.sizes),)):
                facts.aranges[name] = self.shapes.dim_of(n, facts.sizes)  # 0 .. a batch size-1
        if self.shapes.symbolic and not own:
            size = self.shapes.dim_of(value, facts.sizes)
            if has_dim((size,)):
                facts.sizes[name] = size  # n = X.shape[0]
            else:
                pattern = self.shapes.shape_pattern(value, facts.sizes)
                if has_dim(pattern):
                    facts.sizes[name] = pattern  # s = X.shape
        if (is_literal(value) or isinstance(value, ast.Name)) and not own:
            facts.learn("values", name, value)
        elif isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) \
                and isinstance(value.operand, ast.Name) and value.operand.id != name \
                and self.load_counts.get(name) == 1 and name not in self.overwritten:
            facts.learn("values", name, value)  # read once: -u moves into its use
        parts = self.rewriter.scalar_broadcast(value, facts)
        if parts is not None and not own:
            facts.learn("scalar_broadcasts", name, parts)
        parts = self.shapes.broadcast_parts(value)
        if parts is not None and not own and isinstance(parts[0], ast.Name):
            facts.learn("array_broadcasts", name, parts)
        pieces = split_pieces(value, self.shapes)
        if pieces is not None and not own:
            facts.learn("pieces", name, pieces)

    def unique_add_at(self, call: ast.Call, facts: Facts) -> ast.stmt | None:
        """``np.add.at(z, index, v)`` as ``z[index] += v`` when ``index`` selects each
        position at most once: a tuple one of whose parts is ``np.arange(n)`` and whose
        every part is ``()`` or ``(n,)`` in shape (the pairs differ in that part).  A
        broadcast scalar ``v`` of the selection's shape is the scalar itself."""
        if not (is_add_at(self.env.resolve(call.func)) and len(call.args) == 3
                and not call.keywords and isinstance(call.args[1], ast.Tuple)):
            return None
        target, index, value = call.args
        selected = self.arange_selection(target, index, facts)
        if selected is None:
            return None
        broadcast = self.rewriter.scalar_broadcast(value, facts)
        if broadcast is not None and selected is not None \
                and self.shapes.pattern_of(value) == selected:
            value = copy.deepcopy(broadcast[0])
        store = ast.Subscript(ast.Name(target.id, ast.Load()), index, ast.Store())
        return ast.AugAssign(store, ast.Add(), value)

    def arange_selection(self, array: ast.expr, index: ast.expr, facts: Facts
                         ) -> Shape | None:
        """The shape of ``array[index]`` when ``index`` is a tuple one of whose parts is
        ``np.arange(n)`` and every part is ``()`` or ``(n,)`` in shape: then it selects
        each position at most once (the pairs differ in that part), ``n`` of them (else
        the indexing raises); None otherwise."""
        if not isinstance(index, ast.Tuple) or not isinstance(array, ast.Name):
            return None
        parts = index.elts
        lengths = [facts.aranges.get(e.id) for e in parts if isinstance(e, ast.Name)]
        n = next((k for k in lengths if k is not None), None)
        if n is None or any(isinstance(e, ast.Starred) for e in parts):
            return None
        if any(self.shapes.pattern_of(e) not in ((), (n,))
               and not (isinstance(e, ast.Name) and facts.aranges.get(e.id) == n)
               for e in parts):
            return None
        whole = self.shapes.pattern_of(array)
        if whole is None or len(whole) < len(parts):
            return None
        return (n, *whole[len(parts):])

    def note_shapes(self, name: str, value: ast.expr) -> None:
        """Record the kinds of value ``name`` gets: exact shape (of an overwritten name),
        tuple of arrays of known shapes, maybe-boolean."""
        shapes = self.shapes
        if name in self.overwritten:
            self.assigned_shapes.setdefault(name, set()).add(shapes.pattern_of(value))
        shapes.tuple_shapes.pop(name, None)
        if isinstance(value, (ast.Tuple, ast.List)) and shapes.specialized:
            elements = [shapes.exact_of(e) for e in value.elts]
            if None not in elements:  # a tuple of arrays of known shapes (concatenate's input)
                shapes.tuple_shapes[name] = elements
        if name in self.overwritten:
            known = shapes.tuple_shapes.get(name)
            self.assigned_tuples.setdefault(name, set()).add(
                None if known is None else tuple(known))
        if shapes.maybe_bool(value):
            shapes.bool_names.add(name)
        else:
            shapes.bool_names.discard(name)

    def exact_assigned(self, name: str, value: ast.expr, exact: Shape | None) -> Shape | None:
        """Record and return the exact shape ``name = value`` gives (an adjoint has its
        primal's shape, stable if the primal is overwritten); ``exact``: what
        ``pattern_of(value)`` says."""
        shapes = self.shapes
        primal_name = self.adjoint_of.get(name, "")
        if primal_name in self.overwritten:
            primal_exact = self.stable.exact.get(primal_name)
        else:
            primal_exact = shapes.exact.get(primal_name)
            if primal_exact is not None and primal_exact != exact:
                self.shaped_by_primal.add(primal_name)
        exact = primal_exact if primal_exact is not None else exact
        if exact is not None:
            shapes.exact[name] = exact
        else:
            shapes.exact.pop(name, None)
        return exact

    def join_classes(self, name: str, value: ast.expr, shape: str | None,
                     exact: Shape | None) -> None:
        """Put ``name`` in ``value``'s shape class (an adjoint in its primal's, the
        output in its cotangent's)."""
        classes = self.shapes.classes
        seed = self.derivation.seed_of.get(name)
        if seed is not None and name not in self.overwritten:
            # the cotangent parameter of split motion has the output's shape
            if shape is not None:
                classes.union(classes.of[seed], shape)
            if exact is not None:
                self.shapes.exact[seed] = exact
        primal = self.adjoint_of.get(name)
        if primal in self.overwritten:
            primal = None  # its value (and shape) may change over time
        if primal is not None:
            if primal not in classes.of:
                classes.of[primal] = classes.new()
            cls = classes.of.setdefault(name, classes.of[primal])
            classes.union(cls, classes.of[primal])
            if shape is not None:
                classes.union(classes.of[primal], shape)
        else:
            classes.of[name] = shape if shape is not None else \
                classes.new(self.shapes.rank_of(value))

    # -- expressions ----------------------------------------------------------------------
    def expr(self, node: ast.expr | None, facts: Facts) -> ast.expr | None:
        """Substitute known values into ``node`` and simplify it bottom-up."""
        cls = node.__class__
        if cls is ast.Name:
            if node.ctx.__class__ is ast.Load and node.id in facts.values:
                return copy_tree(facts.values[node.id], {})
            return node
        if cls is ast.Constant or node is None:
            return node
        for field_name in NODE_FIELDS.get(cls, node._fields):  # (fields that may hold a node)
            old = getattr(node, field_name, None)
            if isinstance(old, ast.expr):
                setattr(node, field_name, self.expr(old, facts))
            elif old.__class__ is list:
                setattr(node, field_name, [self.expr(e, facts) if isinstance(e, ast.expr)
                                           else self._keyword(e, facts) for e in old])
        return self.rewriter.simplify(node, facts)

    def _keyword(self, kw: Any, facts: Facts) -> Any:
        """A keyword argument with its value propagated (anything else unchanged)."""
        if isinstance(kw, ast.keyword):
            kw.value = self.expr(kw.value, facts)
        return kw

    def substitute_loads(self, node: ast.AST, facts: Facts, skip: ast.AST | None = None) -> None:
        """Propagate into the direct expression fields of ``node`` except ``skip``."""
        for field_name, old in ast.iter_fields(node):
            if isinstance(old, ast.expr) and old is not skip:
                setattr(node, field_name, self.expr(old, facts))


def _is_range(node: ast.expr, env: Any) -> bool:
    """True for ``range(...)`` or ``reversed(range(...))``."""
    if not isinstance(node, ast.Call):
        return False
    fn = env.resolve(node.func)
    if fn is reversed and node.args:
        return _is_range(node.args[0], env)
    return fn is range
