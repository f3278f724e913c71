"""Pass 3, normalize: one primitive operation per statement, single assignment.

The flattening that remains after the front end: the loops pass has given
every loop its canonical shape (``loops.py``), what a name denotes is asked
of the one resolver (``resolve.py``), which arrays may be written into of
the alias analysis (``aliases.py``), and a call of a user function is
replaced by its inlined body (``inline.py``); values chosen by control flow
(``a if t else b``, ``a and b``) become ``if`` statements (``branchvalues.py``).

After :func:`normalize`, ``program.body`` is a list of statements of these
shapes only (``atom`` = a Name, a Constant, or a dotted reference to a
global such as ``np.pi``, annotated ``global``):

* ``name = atom``                                  (copy)
* ``name = atom <op> atom`` / ``name = <op> atom`` / ``name = atom < atom``
* ``name = f(atom, ..., key=atom)``                (annotation ``callee``: the
  resolved object) or ``name = atom.method(...)``  (annotation ``method``)
* ``name = atom.attr`` / ``name = atom[index]``     (index: atoms and slices)
* ``name = (atom, ...)`` / ``name = [atom, ...]`` / ``a, b = atom``
* ``name[index] = atom`` (into an array the function created)
* ``f(...)`` as an expression statement (kept for its effect), ``assert``
* ``if atom:`` / ``for name in range(atom, ...):`` / ``while True:`` blocks of
  these, ``break``, ``continue``;

and ``program.result`` is the atom the function returns.  A local name
assigned outside control flow is assigned once (a reassigned ``x`` becomes
``x_1``); one assigned under control flow, an array written into and a name
of an unrolled loop keep their one name.  Every statement (but a ``pass`` or
``break`` placeholder) carries the annotation ``line``, the user's line it
came from, and temporaries are named after their operation (``matmul``,
``tanh``, ``sum_``).  ``program.versions`` maps each user name to its last
name, ``int_names`` holds the names that only hold ints (``ints.py``),
``lists`` the lists that grow by append, ``foreign`` the objects inlined
callees' names are bound to.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

from .. import rules
from ..errors import TransformError
from . import anno
from .astutil import (
    fix_locations,
    is_negative_literal,
    mentions,
    names_stored,
    names_under_control_flow,
    names_written_into,
    nodes,
    params_of,
    walk,
)
from .branchvalues import bool_value, branch_test, branch_value
from .callargs import call_arguments, call_keywords, sequence_items
from .closures import call_value
from .containers import slice_bound
from .diagnostics import error
from .funcvalues import (
    bind_assignment,
    bind_statics,
    is_static_constant,
    is_user_function,
    refuse_static_arguments,
    static_truth,
    translate,
)
from .generated import code_for_call, concrete_maker
from .inline import inline_call
from .ints import infer_ints
from .names import Namer, operation_name
from .parse import Parsed
from .program import Program
from .resolve import MISSING, UNDEFINED, Scope

__all__ = ["is_atom", "normalize"]


def is_atom(node: ast.AST) -> bool:
    """True for the operands a normalized statement may use."""
    return isinstance(node, (ast.Name, ast.Constant)) or anno.get(node, anno.GLOBAL, False)


class _Normalizer:
    """The flattening of one function body (and of the callees inlined into it)."""

    def __init__(self, parsed: Parsed, fixed_names: set[str], writable: set[str],
                 lists: set[str]) -> None:
        self.parsed = parsed
        fn = parsed.node
        self.params = params_of(fn)
        self.locals = set(self.params) | names_stored(fn)
        self.namer = Namer.for_tree(fn, extra={fn.name})
        self.current: dict[str, str] = {p: p for p in self.params}
        # Names assigned under control flow keep one name (they are not renamed per
        # assignment); the reverse pass saves their overwritten values.  So do arrays
        # written into (an array is one object) and the names of unrolled loops.
        self.fixed: set[str] = names_under_control_flow(fn) | names_written_into(fn) \
            | set(fixed_names)
        self.generated: set[str] = set()  # temporaries this pass made
        self.writable = writable  # arrays it may write into (aliases.py)
        self.lists = set(lists)  # lists that grow by append (aliases.py)
        self.no_grad = 0
        self.foreign: dict[str, Any] = {}  # names generated code needs bound to objects
        self.scope = Scope(parsed, self.locals, self.foreign)
        self.inline_stack: list[Any] = [parsed.fn.__code__]
        self.literal_seqs: dict[str, list[ast.expr]] = {}  # SSA name -> its element atoms
        self.literal_dicts: dict[str, list[ast.keyword]] = {}  # SSA name -> dict(k=atom...)
        self.top_sequences: set[str] = set()
        self.depth = 0  # how many loops and branches enclose the statement being normalized
        self.sequence_names: set[str] = set()  # names bound to a tuple or list literal
        self.out: list[ast.stmt] = []
        self.line = fn.lineno
        self.result: ast.expr | None = None

    def resolve(self, node: ast.expr) -> Any:
        """The object a dotted non-local reference names, or ``MISSING`` (an undefined
        name raises, located)."""
        return self.scope.resolve_strict(translate(self, node), self.parsed)

    # -- helpers -----------------------------------------------------------------
    def emit(self, stmt: ast.stmt) -> None:
        anno.set(stmt, anno.LINE, self.line)
        if self.no_grad:
            anno.set(stmt, anno.NOGRAD, True)  # under no_grad: no gradient flows through it
        fix_locations(stmt)
        self.out.append(stmt)

    def temp(self, base: str, value: ast.expr) -> ast.Name:
        name = self.namer.fresh(base)
        self.generated.add(name)
        self.note_sequence(name, value)
        self.emit(ast.Assign(targets=[ast.Name(name, ast.Store())], value=value))
        return ast.Name(name, ast.Load())

    def define(self, user_name: str) -> str:
        """The SSA name for a new assignment to ``user_name``."""
        if user_name in self.fixed:
            self.current[user_name] = user_name
            return user_name
        if user_name in self.current:
            name = self.namer.fresh(user_name)
            self.generated.add(name)  # already normalized wherever it appears
        else:
            name = user_name
        self.current[user_name] = name
        return name

    # -- expressions --------------------------------------------------------------
    def atom(self, node: ast.expr) -> ast.expr:
        """Normalize ``node`` and return an atom holding its value."""
        if isinstance(node, ast.Constant):
            return node
        if isinstance(node, ast.Name):
            if node.id in self.current:
                ref = ast.Name(self.current[node.id], ast.Load())
                if ref.id in self.foreign:  # a function value or known object (closures.py)
                    anno.set(ref, anno.GLOBAL, True)
                return ref
            if node.id in self.generated:
                return ast.Name(node.id, ast.Load())
            if node.id in self.locals:
                raise error(self.parsed, node, f"{node.id!r} is used before it is assigned",
                            "unbound local", line=self.line)
            if self.scope.where(node.id) == UNDEFINED:
                if getattr(self.parsed.fn, "__srcxform__", None) is None:
                    self.resolve(node)  # raises, located
                # generated code: a branch the optimizer proved dead in the forward sweep
                # but kept in the backward one names values never computed; it never runs
                # (if it did, Python would raise, as the code being transformed would)
                return ast.Name(node.id, ast.Load())
            ref = ast.Name(node.id, ast.Load())
            anno.set(ref, anno.GLOBAL, True)
            return ref
        if isinstance(node, ast.Attribute) and self.resolve(node) is not MISSING:
            ref = ast.Attribute(value=node.value, attr=node.attr, ctx=ast.Load())
            anno.set(ref, anno.GLOBAL, True)
            return ast.copy_location(ref, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
                and isinstance(node.operand, ast.Constant) \
                and isinstance(node.operand.value, (int, float, complex)):
            v = node.operand.value
            return ast.Constant(-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.Tuple) and all(
                isinstance(e, ast.Constant) or is_negative_literal(e) for e in node.elts):
            return ast.Constant(tuple(self.atom(e).value for e in node.elts))
        if isinstance(node, ast.JoinedStr):
            return self.temp("text", self.rename_loads(node))
        value = self.operation(node)
        if is_static_constant(value):
            return value  # a function value: bound where it is assigned (closures.py)
        return self.temp(operation_name(value), value)

    def rename_loads(self, node: ast.expr) -> ast.expr:
        """Refer to current SSA names inside an expression kept whole."""
        for sub in walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.current:
                sub.id = self.current[sub.id]
        return node

    def operation(self, node: ast.expr) -> ast.expr:
        """Normalize the operands of ``node``; the result is one primitive."""
        return ast.copy_location(self._operation(node), node)

    def _operation(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.BinOp):
            return ast.BinOp(self.atom(node.left), node.op, self.atom(node.right))
        if isinstance(node, ast.UnaryOp):
            return ast.UnaryOp(node.op, self.atom(node.operand))
        if isinstance(node, ast.Compare):
            return ast.Compare(self.atom(node.left), node.ops,
                               [self.atom(c) for c in node.comparators])
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            return ast.Attribute(self.atom(node.value), node.attr, ast.Load())
        if isinstance(node, ast.Subscript):
            called = self.index_call(node)
            if called is not None:
                return called
            sub = ast.Subscript(self.atom(node.value), self.index(node.slice), ast.Load())
            element = self.literal_element(sub)
            if element is not None:
                return element
            if isinstance(sub.value, ast.Name) and sub.value.id in self.top_sequences \
                    and sub.value.id not in self.fixed and not _constant_slice(sub.slice):
                # a tuple or list literal read at a computed position: its adjoint is a
                # list of its elements' adjoints, as for a list built by append
                self.lists.add(sub.value.id)
            if isinstance(sub.value, ast.Name) and sub.value.id in self.lists:
                anno.set(sub, anno.LIST, True)  # an element of a list
            elif isinstance(sub.value, ast.Name) and sub.value.id in self.sequence_names:
                anno.set(sub, anno.SEQUENCE, True)  # an element of a list or tuple, not of an array
            return sub
        if isinstance(node, (ast.Tuple, ast.List)):
            return type(node)(sequence_items(self, node), ast.Load())
        if isinstance(node, ast.IfExp):
            return branch_value(self, node.test, node.body, node.orelse, "choice")
        if isinstance(node, ast.BoolOp):
            return bool_value(self, node)
        if is_atom(node):
            return self.atom(node)
        raise error(self.parsed, node, "this expression is not supported", line=self.line)

    def index_call(self, node: ast.Subscript) -> ast.Subscript | None:
        """``np.r_[a, 1:3]``: a global object the rule table differentiates when indexed.
        Its items become one atom (a tuple, slices as ``slice(...)``) the rule reads."""
        if not isinstance(node.value, (ast.Name, ast.Attribute)):
            return None
        try:
            target = self.resolve(node.value)
        except TransformError:
            return None
        if target is MISSING or rules.lookup(target) is None:
            return None
        base = self.atom(node.value)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        parts = [ast.Call(ast.Name("slice", ast.Load()), [p or ast.Constant(None) for p in (
            e.lower, e.upper, e.step)], []) if isinstance(e, ast.Slice) else e for e in parts]
        items = self.atom(ast.Tuple(parts, ast.Load()) if isinstance(node.slice, ast.Tuple)
                          else parts[0])
        call = ast.Subscript(base, items, ast.Load())
        anno.set(call, anno.INDEX_RULE, anno.Shared(rules.lookup(target)))
        return call

    def index(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            return ast.Slice(*(None if p is None else self.atom(p)
                               for p in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.Tuple):
            return ast.Tuple([self.index(e) for e in node.elts], ast.Load())
        return self.atom(node)

    def call(self, node: ast.Call) -> ast.Call:
        value = call_value(self, node)  # a function value, partial or method (closures.py)
        if value is not None:
            return value
        f = node.func
        callee = self.resolve(f) if isinstance(f, (ast.Name, ast.Attribute)) else MISSING
        if callee is MISSING:
            if isinstance(f, ast.Attribute):
                receiver = self.atom(f.value)
                func = ast.Attribute(receiver, f.attr, ast.Load())
                method = f.attr
            else:
                raise error(self.parsed, f, "only named functions and methods can be called",
                            "call of a computed function")
        else:
            func, method = f, None
        generated = concrete_maker(callee) is not None
        if generated:  # a gradient srcxform made: inline its code
            callee = self.generated_code(callee, node)
        args = call_arguments(self, node, callee, method)
        keywords = call_keywords(self, node)
        if method is None and is_user_function(callee):
            if generated:
                return self.inline_generated(callee, node, args, keywords)
            return inline_call(self, callee, node, args, {k.arg: k.value for k in keywords})
        refuse_static_arguments(self, node, args, keywords)
        call = ast.Call(func=func, args=args, keywords=keywords)
        anno.set(call, anno.CALLEE, None if callee is MISSING else callee)
        anno.set(call, anno.METHOD, method)
        anno.set(call, anno.NODE, node)
        return call

    def generated_code(self, made: Any, node: ast.Call) -> Any:
        """The generic generated code a function srcxform made runs (``generated.py``)."""
        try:
            return code_for_call(made, node)
        except (TypeError, ValueError) as exc:
            raise error(self.parsed, node, f"{ast.unparse(node.func)} is a function srcxform "
                        f"generated, and its code cannot be inlined here: {exc}",
                        "call of a generated function") from None

    def inline_generated(self, code: Any, node: ast.Call, args: list[ast.expr],
                         keywords: list[ast.keyword]) -> ast.expr:
        """Inline generated ``code`` at the call ``node``.  The user cannot edit generated
        code, so whatever is refused in it, here or by a later pass, is located at the
        call: every node it leaves carries the call's position."""
        start = len(self.out)
        try:
            result = inline_call(self, code, node, args, {k.arg: k.value for k in keywords})
        except TransformError as exc:
            raise error(self.parsed, node, f"{ast.unparse(node.func)} is a function srcxform "
                        f"generated, and its code cannot be differentiated here: {exc.reason}",
                        exc.construct or "call of a generated function") from None
        for stmt in self.out[start:]:
            _locate_at(stmt, node)
        return result

    # -- statements ---------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> None:
        self.line = stmt.lineno
        if isinstance(stmt, ast.Assign) and anno.has(stmt, anno.TEMPORARY):
            self.temporary(stmt.targets[0].id, stmt.value, anno.get(stmt, anno.TEMPORARY))
        elif isinstance(stmt, ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                self.assign(stmt.targets[0].id, stmt.value)
                return
            value = self.atom(stmt.value)
            for target in stmt.targets:
                self.assign_target(target, value)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Subscript):
            # out[i] += v  is  out[i] = out[i] + v
            read = ast.Subscript(stmt.target.value, copy.deepcopy(stmt.target.slice), ast.Load())
            value = ast.BinOp(ast.copy_location(read, stmt), stmt.op, stmt.value)
            self.store(stmt.target, ast.copy_location(value, stmt))
        elif isinstance(stmt, ast.AugAssign):
            value = ast.BinOp(ast.Name(stmt.target.id, ast.Load()), stmt.op, stmt.value)
            ast.copy_location(value, stmt)
            before = len(self.out)
            self.assign(stmt.target.id, value)
            self.mark_augmented(stmt, before)
        elif isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return  # docstring or bare constant
            value = self.operation(stmt.value) if isinstance(stmt.value, ast.Call) \
                else self.atom(stmt.value)
            if isinstance(stmt.value, ast.Call) and not isinstance(value, ast.Call):
                return  # an inlined procedure: its statements are out, its result unused
            expr = ast.Expr(value)
            if isinstance(value, ast.Call) and anno.get(value, anno.METHOD) == "append" \
                    and isinstance(value.func.value, ast.Name) \
                    and value.func.value.id in self.lists:
                anno.set(expr, anno.APPEND, True)
            self.emit(expr)
        elif isinstance(stmt, ast.Assert):
            self.emit(ast.Assert(self.rename_loads(stmt.test),
                                 stmt.msg and self.rename_loads(stmt.msg)))
        elif isinstance(stmt, ast.Return):
            self.result = self.atom(stmt.value)
        elif isinstance(stmt, ast.Pass):
            return
        elif isinstance(stmt, ast.If) and anno.get(stmt, anno.LOOP_EXIT, False):
            test = self.atom(stmt.test)  # `if stop: break` of a canonical while loop
            orelse = self.block(stmt.orelse)
            self.line = stmt.lineno
            self.emit(ast.If(test, [ast.Break()], orelse))
        elif isinstance(stmt, ast.If) and static_truth(self, stmt.test) is not None:
            taken = stmt.body if static_truth(self, stmt.test) else stmt.orelse
            for s in taken:  # `if ax is not None:` on an argument known when compiling
                self.statement(s)
        elif isinstance(stmt, ast.If):
            test = branch_test(self, self.atom(stmt.test))
            self.line = stmt.lineno
            body, orelse = self.block(stmt.body), self.block(stmt.orelse)
            self.line = stmt.lineno
            self.emit(ast.If(test, body or [ast.Pass()], orelse))
        elif isinstance(stmt, ast.For):
            self.for_loop(stmt)
        elif isinstance(stmt, ast.While):
            self.while_loop(stmt)
        elif isinstance(stmt, (ast.Break, ast.Continue)):
            self.emit(type(stmt)())
        elif isinstance(stmt, ast.With):  # `with sx.no_grad():` (the check pass made sure)
            self.no_grad += 1
            for s in stmt.body:
                self.statement(s)
            self.no_grad -= 1

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        saved, self.out = self.out, []
        self.depth += 1
        for s in stmts:
            self.statement(s)
        self.depth -= 1
        out, self.out = self.out, saved
        return out

    def while_loop(self, stmt: ast.While) -> None:
        """``while True: body`` (the loops pass gave every while loop this shape)."""
        self.line = stmt.lineno
        body = self.block(stmt.body)
        self.line = stmt.lineno
        self.emit(ast.While(ast.Constant(True), body, []))

    def for_loop(self, stmt: ast.For) -> None:
        """``for k in range(...)`` (the loops pass gave every for loop this shape)."""
        self.line = stmt.lineno
        args = [self.atom(a) for a in stmt.iter.args]
        index = self.define(stmt.target.id)
        bound = ast.Call(ast.Name("range", ast.Load()), args, [])
        anno.set(bound, anno.RANGE, True)
        body = self.block(stmt.body)
        self.line = stmt.lineno
        self.emit(ast.For(ast.Name(index, ast.Store()), bound, body or [ast.Pass()], []))

    def literal_element(self, sub: ast.Subscript) -> ast.expr | None:
        """``pair[0]`` of a tuple literal bound once: the element itself."""
        if isinstance(sub.value, ast.Name) and sub.value.id in self.literal_seqs \
                and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, int):
            elements = self.literal_seqs[sub.value.id]
            if -len(elements) <= sub.slice.value < len(elements):
                return copy.deepcopy(elements[sub.slice.value])
        return None

    def assign(self, user_name: str, value: ast.expr) -> None:
        if _is_literal(value) or isinstance(value, ast.JoinedStr):
            rhs = self.atom(value)
            if bind_assignment(self, user_name, rhs):
                return  # a function value or known object: a static (closures.py)
            if isinstance(rhs, ast.Name) and rhs.id == self.current.get(user_name, user_name) \
                    and user_name in self.fixed:
                return  # `s = s`: nothing changes
        else:
            rhs = self.operation(value)
            if bind_assignment(self, user_name, rhs):
                return  # a function value or known object: a static (closures.py)
            if user_name in self.fixed and mentions(rhs, user_name):
                # `s = s * x` on a variable that is not renamed: compute into a
                # temporary first, so the old and the new value both have a name
                rhs = self.temp(operation_name(rhs), rhs)
        target = self.define(user_name)
        self.note_sequence(target, rhs)
        self.emit(ast.Assign(targets=[ast.Name(target, ast.Store())], value=rhs))

    def temporary(self, placeholder: str, value: ast.expr, base: str | None) -> None:
        """A value the loops pass evaluates once before a loop: ``placeholder`` stands for a
        temporary named ``base`` (after the operation when ``None``)."""
        if base is None:
            held = self.atom(value)
        elif is_atom(value):
            held = self.temp(base, self.atom(value))  # a copy of a variable
        else:
            held = self.temp(base, self.operation(value))
        if not isinstance(held, ast.Name):
            held = self.temp(operation_name(held), held)
        self.current[placeholder] = held.id

    def note_sequence(self, name: str, value: ast.expr) -> None:
        if isinstance(value, ast.Call) and anno.get(value, anno.CALLEE, None) is dict \
                and not value.args and all(k.arg for k in value.keywords) \
                and name not in self.fixed:
            self.literal_dicts[name] = list(value.keywords)
        if name in self.lists:
            return  # a list that grows is not a literal
        if isinstance(value, ast.Name) and value.id in self.lists and name not in self.fixed:
            self.lists.add(name)  # a copy of such a list (a helper returned it): one too
            return
        rule = rules.lookup(anno.get(value, anno.CALLEE, None)) \
            if isinstance(value, ast.Call) else None
        if rule is not None and rule.sequence_output and name not in self.fixed \
                and self.depth == 0:  # (an inlined helper's fresh name is assigned once too)
            self.lists.add(name)  # a list of arrays (np.split): its adjoint is a list too
            return
        if isinstance(value, (ast.Tuple, ast.List)):
            self.sequence_names.add(name)
            if self.depth == 0 and not self.inline_stack[1:]:
                self.top_sequences.add(name)  # built once, at the top of the function
            stable = all(not (isinstance(e, ast.Name) and e.id in self.fixed) for e in value.elts)
            if name not in self.fixed and stable:
                self.literal_seqs[name] = list(value.elts)

    def mark_augmented(self, stmt: ast.AugAssign, before: int) -> None:
        """Annotate the rebinding ``z_1 = z op e`` that ``z op= e`` became (``mutation.py``
        decides whether the array ``z`` held is seen through another name)."""
        for made in reversed(self.out[before:]):  # `z_1 = z + e`, or `add = z + e; z = add`
            if isinstance(made, ast.Assign) and isinstance(made.value, ast.BinOp) \
                    and isinstance(made.value.left, ast.Name):
                anno.set(made, anno.INPLACE, (stmt, stmt.target.id, made.value.left.id))
                return

    def store(self, target: ast.Subscript, value: ast.expr) -> None:
        """``out[index] = value`` into an array this function created."""
        rhs = self.atom(value)
        root = target.value
        if root.id not in self.writable:
            raise error(self.parsed, target, f"writes into {root.id!r} are supported only when "
                        f"the function created it (np.zeros(...), x.copy(), ...) and never "
                        f"gave it another name", "write into an array")
        index = self.index(target.slice)
        write = ast.Assign([ast.Subscript(ast.Name(root.id, ast.Load()), index, ast.Store())],
                           rhs)
        anno.set(write, anno.INPLACE, (target, root.id, root.id))
        self.emit(write)

    def assign_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Subscript):
            self.store(target, value)
            return
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, ast.Name) \
                and len(self.literal_seqs.get(value.id, ())) == len(target.elts):
            # unpacking a tuple literal bound once: assign its elements one by one
            for t, element in zip(target.elts, self.literal_seqs[value.id]):
                self.assign_target(t, copy.deepcopy(element))
            return
        if isinstance(target, ast.Name):
            name = self.define(target.id)
            self.emit(ast.Assign(targets=[ast.Name(name, ast.Store())], value=value))
            return
        names, nested = [], []
        for e in target.elts:
            if isinstance(e, ast.Name):
                names.append(self.define(e.id))
            else:
                part = self.namer.fresh("part")
                self.fixed.add(part)
                self.generated.add(part)
                names.append(part)
                nested.append((e, part))
        self.emit(ast.Assign(
            targets=[ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())],
            value=value))
        for e, part in nested:
            self.assign_target(e, ast.Name(part, ast.Load()))


def _is_literal(node: ast.expr) -> bool:
    """Names, constants, ``-1`` and tuples of constants: values needing no statement."""
    if isinstance(node, (ast.Name, ast.Constant)) or is_negative_literal(node):
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return False
    return isinstance(node, ast.Tuple) and all(
        isinstance(e, ast.Constant) or is_negative_literal(e) for e in node.elts)


def _constant_slice(node: ast.expr) -> bool:
    """``a:b:c`` with each bound absent or a constant int (``params[:-1]``): the items it
    takes are known, as a constant index's are (containers.py reads them)."""
    return isinstance(node, ast.Slice) and all(
        slice_bound(b) is not False for b in (node.lower, node.upper, node.step))


def normalize(program: Program) -> Program:
    """Normalize the program's function (already checked): fill in its body, result, namer,
    versions, int names, lists and foreign names."""
    parsed = program.parsed
    norm = _Normalizer(parsed, program.fixed_names, program.writable, program.lists)
    bind_statics(norm, program.statics, program.wrt)
    for stmt in parsed.node.body:
        norm.statement(stmt)
    ints = infer_ints(norm.out, program.params)
    # a list that is also popped (the stacks of generated gradient code): appending to it is
    # not reversible by replaying pops, so reverse mode must refuse it (forward mode is fine)
    popped, appends = set(), []
    for node in nodes(norm.out):  # (one walk for the three facts below)
        if node.__class__ is ast.Call:
            if anno.get(node, anno.METHOD) == "pop" and isinstance(node.func.value, ast.Name):
                popped.add(node.func.value.id)
        elif node.__class__ is ast.Subscript:
            for part in walk(node.slice):
                if isinstance(part, ast.Name) and part.id in ints:
                    anno.set(part, anno.INT, True)
        if anno.get(node, anno.APPEND, False):
            appends.append(node)
    for node in appends:
        if node.value.func.value.id in popped:
            anno.set(node, anno.POPPED, True)
    program.body = norm.out
    program.result = norm.result
    program.namer = norm.namer
    program.versions = dict(norm.current)
    program.int_names = ints
    program.foreign = dict(norm.foreign)
    program.lists = set(norm.lists)
    return program


def _locate_at(tree: ast.AST, where: ast.AST) -> None:
    """Give every node of ``tree``, and the original node each call was made from
    (``anno.NODE``), the position of ``where``."""
    for sub in walk(tree):
        original = anno.get(sub, anno.NODE, None)
        if isinstance(original, ast.AST) and original is not sub:
            _locate_at(original, where)
        if hasattr(sub, "lineno"):
            ast.copy_location(sub, where)
