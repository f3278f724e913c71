"""Pass 3, normalize: one primitive operation per statement, single assignment.

After :func:`normalize`, the body of ``Program`` is a list of statements of
these shapes only (``atom`` = a Name, a Constant, or a dotted reference to a
global such as ``np.pi``):

* ``name = atom``                                  (copy)
* ``name = atom <op> atom`` / ``name = <op> atom`` / ``name = atom < atom``
* ``name = f(atom, ..., key=atom)``                (``call._sx_callee`` is the
  resolved object) or ``name = atom.method(...)``  (``call._sx_method``)
* ``name = atom.attr`` / ``name = atom[index]``     (index: atoms and slices)
* ``name = (atom, ...)`` / ``name = [atom, ...]`` / ``a, b = atom``
* ``f(...)`` as an expression statement (kept for its effect), ``assert``
* ``return atom`` as the last statement.

Every local name is assigned once (a reassigned ``x`` becomes ``x_1``), every
statement carries ``_sx_line``, the user's line it came from, and temporaries
are named after their operation (``matmul``, ``tanh``, ``sum_``).
"""

from __future__ import annotations

import ast
import builtins
import copy
import inspect
from dataclasses import dataclass, field
from typing import Any

from .. import rules
from ..errors import TransformError
from .check import error
from .names import Namer
from .parse import Parsed

BINOP_NAMES = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
    ast.MatMult: "matmul", ast.Mod: "mod", ast.FloorDiv: "floordiv", ast.BitAnd: "both",
    ast.BitOr: "either", ast.BitXor: "xor", ast.LShift: "lshift", ast.RShift: "rshift",
}
UNARY_NAMES = {ast.USub: "neg", ast.UAdd: "pos", ast.Not: "not_", ast.Invert: "inv"}
_MISSING = object()


@dataclass
class Program:
    """A normalized function."""

    parsed: Parsed
    name: str
    params: list[str]
    body: list[ast.stmt]
    result: ast.expr
    namer: Namer
    versions: dict[str, str] = field(default_factory=dict)  # user name -> last SSA name
    int_names: set[str] = field(default_factory=set)  # names that only ever hold ints
    foreign: dict[str, Any] = field(default_factory=dict)  # inlined callees' globals
    lists: set[str] = field(default_factory=set)  # lists that grow by append


class _Shared:
    """A value an AST node carries that copies of the node share (``copy.deepcopy`` of
    the tree would copy ``np.r_`` itself, which the rule table knows by identity)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict) -> _Shared:
        return self


def is_atom(node: ast.AST) -> bool:
    """True for the operands a normalized statement may use."""
    return isinstance(node, (ast.Name, ast.Constant)) or getattr(node, "_sx_global", False)


class _Normalizer:
    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        fn = parsed.node
        self.params = [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]
        self.locals = set(self.params)
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.locals.add(node.id)
        self.namer = Namer.for_tree(fn, extra={fn.name})
        self.current: dict[str, str] = {p: p for p in self.params}
        # Names assigned under control flow keep one name (they are not renamed
        # per assignment); the reverse pass saves their overwritten values.
        self.fixed: set[str] = set()
        self.generated: set[str] = set()  # temporaries this pass made
        self.writable = _writable_arrays(fn, self.params, parsed)
        self.lists = _growing_lists(fn, parsed)
        for node in ast.walk(fn):  # an array written into keeps its name (it is one object)
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name):
                self.fixed.add(node.value.id)
        self.no_grad = 0
        self.foreign: dict[str, Any] = {}  # names generated code needs bound to objects
        self.inline_stack: list[Any] = [parsed.fn.__code__]
        self.literal_seqs: dict[str, list[ast.expr]] = {}  # SSA name -> its element atoms
        self.top_sequences: set[str] = set()
        self.depth = 0  # how many loops and branches enclose the statement being normalized
        self.sequence_names: set[str] = set()  # names bound to a tuple or list literal
        for node in ast.walk(fn):
            if isinstance(node, (ast.If, ast.For, ast.While)):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        self.fixed.add(sub.id)
        self.out: list[ast.stmt] = []
        self.line = fn.lineno

    # -- resolution of global references --------------------------------------
    def resolve(self, node: ast.expr) -> Any:
        """The object a dotted non-local reference names, or ``_MISSING``."""
        if isinstance(node, ast.Name):
            if node.id in self.foreign:
                return self.foreign[node.id]
            if node.id in self.locals:
                return _MISSING
            if node.id in self.parsed.closure:
                try:
                    return self.parsed.closure[node.id].cell_contents
                except ValueError:
                    return _MISSING
            if node.id in self.parsed.globals:
                return self.parsed.globals[node.id]
            if hasattr(builtins, node.id):
                return getattr(builtins, node.id)
            raise error(self.parsed, node, f"name {node.id!r} is not defined", "undefined name")
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            if base is _MISSING:
                return _MISSING
            try:
                return getattr(base, node.attr)
            except AttributeError:
                raise error(self.parsed, node, f"{ast.unparse(node)!r} does not exist",
                            "undefined attribute") from None
        return _MISSING

    # -- helpers -----------------------------------------------------------------
    def emit(self, stmt: ast.stmt) -> None:
        stmt._sx_line = self.line
        if self.no_grad:
            stmt._sx_nograd = True  # computed under no_grad: no gradient flows through it
        ast.fix_missing_locations(stmt)
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

    def base_name(self, node: ast.expr) -> str:
        if isinstance(node, ast.BinOp):
            return BINOP_NAMES.get(type(node.op), "op")
        if isinstance(node, ast.UnaryOp):
            return UNARY_NAMES.get(type(node.op), "op")
        if isinstance(node, ast.Compare):
            return "cond"
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "call")
            return {"true_divide": "div", "absolute": "abs"}.get(name, name)
        if isinstance(node, ast.Attribute):
            v = node.value
            return f"{v.id}_{node.attr}" if isinstance(v, ast.Name) else node.attr
        if isinstance(node, ast.Subscript):
            v = node.value.id if isinstance(node.value, ast.Name) else "item"
            s = node.slice
            if isinstance(s, ast.Constant) and isinstance(s.value, int) and s.value >= 0:
                return f"{v}{s.value}"
            return f"{v}_slice" if isinstance(s, (ast.Slice, ast.Tuple)) else f"{v}_item"
        if isinstance(node, (ast.Tuple, ast.List)):
            return "seq"
        if isinstance(node, ast.IfExp):
            return "choice"
        return "t"

    # -- expressions --------------------------------------------------------------
    def atom(self, node: ast.expr) -> ast.expr:
        """Normalize ``node`` and return an atom holding its value."""
        if isinstance(node, ast.Constant):
            return node
        if isinstance(node, ast.Name):
            if node.id in self.current:
                return ast.Name(self.current[node.id], ast.Load())
            if node.id in self.generated:
                return ast.Name(node.id, ast.Load())
            if node.id in self.locals:
                raise error(self.parsed, node, f"{node.id!r} is used before it is assigned",
                            "unbound local")
            try:
                self.resolve(node)  # raises for an undefined name
            except TransformError:
                if getattr(self.parsed.fn, "__srcxform__", None) is None:
                    raise
                # generated code: a branch the optimizer proved dead in the forward sweep
                # but kept in the backward one names values never computed; it never runs
                # (if it did, Python would raise, as the code being transformed would)
                return ast.Name(node.id, ast.Load())
            ref = ast.Name(node.id, ast.Load())
            ref._sx_global = True
            return ref
        if isinstance(node, ast.Attribute) and self.resolve(node) is not _MISSING:
            ref = ast.Attribute(value=node.value, attr=node.attr, ctx=ast.Load())
            ref._sx_global = True
            return ast.copy_location(ref, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
                and isinstance(node.operand, ast.Constant) \
                and isinstance(node.operand.value, (int, float, complex)):
            v = node.operand.value
            return ast.Constant(-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.Tuple) and all(
                isinstance(e, ast.Constant) or _is_negative_literal(e) for e in node.elts):
            return ast.Constant(tuple(self.atom(e).value for e in node.elts))
        if isinstance(node, ast.JoinedStr):
            return self.temp("text", self.rename_loads(node))
        value = self.operation(node)
        return self.temp(self.base_name(value), value)

    def rename_loads(self, node: ast.expr) -> ast.expr:
        """Refer to current SSA names inside an expression kept whole."""
        for sub in ast.walk(node):
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
                    and sub.value.id not in self.fixed:
                # a tuple or list literal read at a computed position: its adjoint is a
                # list of its elements' adjoints, as for a list built by append
                self.lists.add(sub.value.id)
            if isinstance(sub.value, ast.Name) and sub.value.id in self.lists:
                sub._sx_list = True  # an element of a list
            elif isinstance(sub.value, ast.Name) and sub.value.id in self.sequence_names:
                sub._sx_sequence = True  # an element of a list or tuple, not of an array
            return sub
        if isinstance(node, (ast.Tuple, ast.List)):
            return type(node)([self.atom(e) for e in node.elts], ast.Load())
        if isinstance(node, ast.IfExp):
            return self.branch_value(node.test, node.body, node.orelse, "choice")
        if isinstance(node, ast.BoolOp):
            return self.bool_value(node)
        if is_atom(node):
            return self.atom(node)
        raise error(self.parsed, node, "this expression is not supported")

    def branch_test(self, test: ast.expr) -> ast.expr:
        """The atom an ``if`` tests: a name that nothing reassigns while the backward sweep
        may still need it (a variable that changes gets copied into a fresh one first)."""
        if isinstance(test, ast.Name) and test.id in self.fixed:
            copy_ = self.temp("cond", ast.Name(test.id, ast.Load()))
            return copy_
        return test

    def branch_value(self, test: ast.expr, body: ast.expr, orelse: ast.expr,
                     base: str) -> ast.Name:
        """``body if test else orelse`` as an ``if`` statement assigning a temporary."""
        cond = self.branch_test(self.atom(test))
        name = self.namer.fresh(base)
        self.fixed.add(name)
        self.generated.add(name)
        branches = []
        for expr in (body, orelse):
            saved, self.out = self.out, []
            value = self.atom(expr)
            self.emit(ast.Assign([ast.Name(name, ast.Store())], value))
            branches.append(self.out)
            self.out = saved
        self.emit(ast.If(cond, branches[0], branches[1]))
        return ast.Name(name, ast.Load())

    def bool_value(self, node: ast.BoolOp) -> ast.Name:
        """``a and b`` / ``a or b`` with Python's short-circuit and value semantics."""
        name = self.namer.fresh("both" if isinstance(node.op, ast.And) else "either")
        self.fixed.add(name)
        self.generated.add(name)
        first = self.atom(node.values[0])
        self.emit(ast.Assign([ast.Name(name, ast.Store())], first))
        rest = node.values[1:]
        if not rest:
            return ast.Name(name, ast.Load())
        saved, self.out = self.out, []
        tail = ast.BoolOp(node.op, rest) if len(rest) > 1 else rest[0]
        value = self.atom(tail)
        self.emit(ast.Assign([ast.Name(name, ast.Store())], value))
        inner, self.out = self.out, saved
        test = self.branch_test(ast.Name(name, ast.Load()))
        if isinstance(node.op, ast.And):
            self.emit(ast.If(test, inner, []))
        else:
            self.emit(ast.If(test, [ast.Pass()], inner))
        return ast.Name(name, ast.Load())

    def index_call(self, node: ast.Subscript) -> ast.Subscript | None:
        """``np.r_[a, 1:3]``: a global object the rule table differentiates when indexed.
        Its items become one atom (a tuple, slices as ``slice(...)``) the rule reads."""
        if not isinstance(node.value, (ast.Name, ast.Attribute)):
            return None
        try:
            target = self.resolve(node.value)
        except TransformError:
            return None
        if target is _MISSING or rules.lookup(target) is None:
            return None
        base = self.atom(node.value)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        parts = [ast.Call(ast.Name("slice", ast.Load()), [p or ast.Constant(None) for p in (
            e.lower, e.upper, e.step)], []) if isinstance(e, ast.Slice) else e for e in parts]
        items = self.atom(ast.Tuple(parts, ast.Load()) if isinstance(node.slice, ast.Tuple)
                          else parts[0])
        call = ast.Subscript(base, items, ast.Load())
        call._sx_index_rule = _Shared(rules.lookup(target))
        return call

    def index(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            return ast.Slice(*(None if p is None else self.atom(p)
                               for p in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.Tuple):
            return ast.Tuple([self.index(e) for e in node.elts], ast.Load())
        return self.atom(node)

    def call(self, node: ast.Call) -> ast.Call:
        f = node.func
        callee = self.resolve(f) if isinstance(f, (ast.Name, ast.Attribute)) else _MISSING
        if callee is _MISSING:
            if isinstance(f, ast.Attribute):
                receiver = self.atom(f.value)
                func = ast.Attribute(receiver, f.attr, ast.Load())
                method = f.attr
            else:
                raise error(self.parsed, f, "only named functions and methods can be called",
                            "call of a computed function")
        else:
            func, method = f, None
        args = [self.atom(a) for a in node.args]
        keywords = [ast.keyword(arg=k.arg, value=self.atom(k.value)) for k in node.keywords]
        if method is None and _is_user_function(callee):
            return self.inline(callee, node, args, {k.arg: k.value for k in keywords})
        call = ast.Call(func=func, args=args, keywords=keywords)
        call._sx_callee = None if callee is _MISSING else callee
        call._sx_method = method
        call._sx_node = node
        return call

    # -- calls of user functions: their body is normalized in place -----------------
    def inline(self, callee: Any, node: ast.Call, args: list[ast.expr],
               keywords: dict[str, ast.expr]) -> ast.expr:
        """Normalize ``callee``'s body at the call site; return the atom of its result."""
        from .check import check
        from .control import structure
        from .parse import Parsed, parse_function

        name = callee.__qualname__
        if callee.__code__ in self.inline_stack:
            raise error(self.parsed, node, f"{name} calls itself; recursion cannot be "
                        "differentiated by source transformation", "recursion")
        try:
            bound = inspect.signature(callee).bind(*args, **keywords)
        except TypeError as exc:
            raise TypeError(f"{name}(): {exc}") from None
        bound.apply_defaults()
        from .aggregates import replace_dicts

        inner = parse_function(callee)
        check(inner)
        fn = inner.node
        structure(fn, Namer.for_tree(fn, extra={fn.name}))
        replace_dicts(inner, Namer.for_tree(fn, extra={fn.name}))
        call_line = self.line
        # the callee's names: its locals get fresh names here, its globals keep
        # meaning what they mean in its own module
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]
        stored = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)}
        rename = {n: self.namer.fresh(n) for n in sorted(set(params) | stored)}
        for sub in ast.walk(fn):
            if isinstance(sub, ast.Name) and sub.id not in rename:
                obj = _lookup(inner, sub.id)
                if obj is _MISSING:
                    raise error(inner, sub, f"name {sub.id!r} is not defined", "undefined name")
                if self.resolve_quietly(sub.id) is not obj:
                    rename[sub.id] = self.namer.fresh(sub.id)
                    self.foreign[rename[sub.id]] = obj
        for sub in ast.walk(fn):
            if isinstance(sub, ast.Name) and sub.id in rename:
                sub.id = rename[sub.id]
        local = {rename[n] for n in set(params) | stored}
        self.locals |= local
        for sub in ast.walk(fn):
            if isinstance(sub, (ast.If, ast.For, ast.While)):
                self.fixed |= {n.id for n in ast.walk(sub) if isinstance(n, ast.Name)
                               and isinstance(n.ctx, ast.Store)}
        start = len(self.out)
        saved_parsed = self.parsed
        self.parsed = Parsed(fn=callee, node=fn, filename=inner.filename,
                             globals=saved_parsed.globals, closure=saved_parsed.closure)
        self.inline_stack.append(callee.__code__)
        try:
            for param, value in bound.arguments.items():
                if not isinstance(value, ast.AST):
                    value = self.constant_or_foreign(value, param)
                self.line = call_line
                self.assign(rename[param], value)
            body = fn.body
            for stmt in body[:-1]:
                self.statement(stmt)
            self.line = call_line
            result = self.atom(body[-1].value)
        finally:
            self.inline_stack.pop()
            self.parsed = saved_parsed
        for stmt in self.out[start:]:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.stmt):
                    sub._sx_line = call_line
        self.line = call_line
        return result

    def constant_or_foreign(self, value: Any, hint: str) -> ast.expr:
        """A default argument value as an expression of generated code."""
        if value is None or isinstance(value, (bool, int, float, complex, str)):
            return ast.Constant(value)
        if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
            return ast.Constant(value)
        ref = self.namer.fresh(hint + "_default")
        self.foreign[ref] = value
        node = ast.Name(ref, ast.Load())
        node._sx_global = True
        return node

    def resolve_quietly(self, name: str) -> Any:
        try:
            return self.resolve(ast.Name(name, ast.Load()))
        except TransformError:
            return _MISSING

    # -- statements ---------------------------------------------------------------
    def statement(self, stmt: ast.stmt) -> None:
        self.line = stmt.lineno
        if isinstance(stmt, ast.Assign):
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
            self.assign(stmt.target.id, value)
        elif isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return  # docstring or bare constant
            value = self.operation(stmt.value) if isinstance(stmt.value, ast.Call) \
                else self.atom(stmt.value)
            expr = ast.Expr(value)
            if isinstance(value, ast.Call) and getattr(value, "_sx_method", None) == "append" \
                    and isinstance(value.func.value, ast.Name) \
                    and value.func.value.id in self.lists:
                expr._sx_append = True
            self.emit(expr)
        elif isinstance(stmt, ast.Assert):
            self.emit(ast.Assert(self.rename_loads(stmt.test),
                                 stmt.msg and self.rename_loads(stmt.msg)))
        elif isinstance(stmt, ast.Return):
            self.result = self.atom(stmt.value)
        elif isinstance(stmt, ast.Pass):
            return
        elif isinstance(stmt, ast.If):
            test = self.branch_test(self.atom(stmt.test))
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
        """``while test: body`` becomes ``while True: stop = not test; if stop: break; body``."""
        saved, self.out = self.out, []
        self.depth += 1
        self.line = stmt.lineno
        test = self.atom(stmt.test)
        stop = self.temp("stop", ast.UnaryOp(ast.Not(), test))
        self.fixed.add(stop.id)
        body = self.block(stmt.body)
        self.line = stmt.lineno
        self.emit(ast.If(stop, [ast.Break()], body))
        self.depth -= 1
        inner, self.out = self.out, saved
        self.line = stmt.lineno
        self.emit(ast.While(ast.Constant(True), inner, []))

    def for_loop(self, stmt: ast.For) -> None:
        """Every loop becomes ``for k in range(...)``; elements are read by indexing."""
        self.line = stmt.lineno
        it = stmt.iter
        target = stmt.target
        callee = self.resolve(it.func) if isinstance(it, ast.Call) and isinstance(
            it.func, (ast.Name, ast.Attribute)) else _MISSING
        prologue: list[tuple[ast.expr, ast.expr]] = []  # (target, value) per iteration
        elements = self.literal_elements(it)
        if elements is not None:
            # a loop over a literal list or tuple runs once per element: unroll it; a
            # `break` (always the end of its block here) sets a flag that skips the rest
            jumps = any(isinstance(n, ast.Break) for n in _same_loop(stmt.body))
            flag = self.namer.fresh("stop") if jumps else None
            if flag:
                self.fixed.add(flag)
                self.generated.add(flag)
                self.current[flag] = flag
                self.locals.add(flag)
                self.assign(flag, ast.Constant(False))
            for n, element in enumerate(elements):
                body = [ast.Assign([copy.deepcopy(target)], element)]
                body[0].lineno = stmt.lineno
                body += _replace_jumps(copy.deepcopy(stmt.body), flag)
                if flag and n:
                    guard = ast.If(ast.UnaryOp(ast.Not(), ast.Name(flag, ast.Load())), body, [])
                    body = [ast.copy_location(guard, stmt)]
                    ast.fix_missing_locations(guard)
                for s in body:
                    if isinstance(s, ast.Assign) and s is not None and s.value is element:
                        self.line = stmt.lineno
                        self.assign_target_value(s.targets[0], element)
                    else:
                        self.statement(s)
            return
        if callee is reversed and self.reversed_range(it) and isinstance(target, ast.Name):
            # generated gradient code walks loops back: `reversed(range(start, stop))` is
            # `range(stop - 1, start - 1, -1)`; with a step s and n = len(range(...)),
            # `range(start + (n - 1) * s, start - s, -s)`
            inner = it.args[0].args
            if len(inner) == 3:
                start, step = self.atom(inner[0]), self.atom(inner[2])
                n = self.atom(ast.Call(ast.Name("len", ast.Load()), [it.args[0]], []))
                last = ast.BinOp(self.minus_one(n), ast.Mult(), step)
                args = [self.atom(ast.BinOp(start, ast.Add(), last)),
                        self.atom(ast.BinOp(start, ast.Sub(), step)),
                        self.atom(ast.UnaryOp(ast.USub(), step))]
            else:
                start, stop = (ast.Constant(0), inner[0]) if len(inner) == 1 else inner
                args = [self.minus_one(stop), self.minus_one(start), ast.Constant(-1)]
            index = self.define(target.id)
            bound = ast.Call(ast.Name("range", ast.Load()), args, [])
        elif callee is range and not it.keywords and isinstance(target, ast.Name):
            args = [self.atom(a) for a in it.args]
            index = self.define(target.id)
            bound = ast.Call(ast.Name("range", ast.Load()), args, [])
        else:
            index = self.namer.fresh("i")
            self.fixed.add(index)
            self.generated.add(index)
            self.current[index] = index
            length = self.sequences(it, target, index, prologue)
            bound = ast.Call(ast.Name("range", ast.Load()), [length], [])
        bound._sx_range = True
        saved, self.out = self.out, []
        self.depth += 1
        for t, value in prologue:
            self.line = stmt.lineno
            self.assign_target_value(t, value)
        for s in stmt.body:
            self.statement(s)
        self.depth -= 1
        body, self.out = self.out, saved
        self.line = stmt.lineno
        self.emit(ast.For(ast.Name(index, ast.Store()), bound, body or [ast.Pass()], []))

    def reversed_range(self, it: ast.Call) -> bool:
        """``reversed(range(...))`` with positional arguments."""
        if len(it.args) != 1 or it.keywords:
            return False
        inner = it.args[0]
        return isinstance(inner, ast.Call) and isinstance(inner.func, (ast.Name, ast.Attribute)) \
            and self.resolve(inner.func) is range and not inner.keywords \
            and 1 <= len(inner.args) <= 3

    def minus_one(self, node: ast.expr) -> ast.expr:
        """An atom holding the int ``node - 1``."""
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return ast.Constant(node.value - 1)
        return self.atom(ast.BinOp(node, ast.Sub(), ast.Constant(1)))

    def literal_element(self, sub: ast.Subscript) -> ast.expr | None:
        """``pair[0]`` of a tuple literal bound once: the element itself."""
        if isinstance(sub.value, ast.Name) and sub.value.id in self.literal_seqs \
                and isinstance(sub.slice, ast.Constant) and isinstance(sub.slice.value, int):
            elements = self.literal_seqs[sub.value.id]
            if -len(elements) <= sub.slice.value < len(elements):
                return copy.deepcopy(elements[sub.slice.value])
        return None

    def literal_elements(self, it: ast.expr) -> list[ast.expr] | None:
        """The element atoms of a list/tuple literal (or of a name bound once to one)."""
        if isinstance(it, (ast.List, ast.Tuple)):
            elements = [self.atom(e) for e in it.elts]
            # the tuple holds the values of its elements when it is built: a variable
            # that the loop body may change is read into a temporary first
            return [self.temp("elt", e) if isinstance(e, ast.Name) and e.id in self.fixed
                    else e for e in elements]
        if isinstance(it, ast.Name) and it.id in self.current:
            return self.literal_seqs.get(self.current[it.id])
        return None

    def sequences(self, it: ast.expr, target: ast.expr, index: str,
                  prologue: list) -> ast.expr:
        """Set up the element reads of ``for target in it``; return the trip count atom."""
        callee = self.resolve(it.func) if isinstance(it, ast.Call) and isinstance(
            it.func, (ast.Name, ast.Attribute)) else _MISSING
        k = ast.Name(index, ast.Load())
        if callee is enumerate and isinstance(target, ast.Tuple) and len(target.elts) == 2 \
                and 1 <= len(it.args) <= 2:
            start = next((kw.value for kw in it.keywords if kw.arg == "start"),
                         it.args[1] if len(it.args) == 2 else None)
            position = k if start is None else ast.BinOp(k, ast.Add(), start)
            prologue.append((target.elts[0], position))
            return self.sequences(it.args[0], target.elts[1], index, prologue)
        if callee is zip and isinstance(target, ast.Tuple) and \
                len(target.elts) == len(it.args) and not it.keywords:
            lengths = []
            for t, seq in zip(target.elts, it.args):
                lengths.append(self.sequences(seq, t, index, prologue))
            if len(lengths) == 1:
                return lengths[0]
            return self.temp("n", ast.Call(ast.Name("min", ast.Load()), lengths, []))
        if isinstance(it, ast.Call) and callee is not _MISSING and not (
                isinstance(it.func, ast.Attribute) and self.resolve(it.func) is _MISSING):
            if callee in (range,):
                raise error(self.parsed, it, "a range loop must unpack into one name",
                            "for loop target")
            if getattr(callee, "__module__", "") not in ("numpy", "builtins") \
                    or callee in (enumerate, zip, reversed, sorted, iter, map, filter):
                raise error(self.parsed, it, f"for loops over {ast.unparse(it.func)}(...) "
                            "are not supported; loop over range, an array, a list or tuple, "
                            "enumerate or zip", "for loop iterable")
        if not isinstance(target, (ast.Name, ast.Tuple)):
            raise error(self.parsed, target, "this loop target is not supported",
                        "for loop target")
        seq = self.atom(it)
        if isinstance(seq, ast.Name) and seq.id in self.fixed:
            seq = self.temp("seq", seq)  # the loop walks the object it started with
        length = self.temp("n", ast.Call(ast.Name("len", ast.Load()), [seq], []))
        length_call = self.out[-1].value
        length_call._sx_callee = len
        length_call._sx_method = None
        length_call._sx_node = it
        prologue.append((target, ast.Subscript(seq, k, ast.Load())))
        return length

    def assign_target_value(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, ast.Subscript) or not _is_literal(value):
                rhs = self.operation(value) if not is_atom(value) else value
            else:
                rhs = self.atom(value)
            name = self.define(target.id)
            self.emit(ast.Assign(targets=[ast.Name(name, ast.Store())], value=rhs))
            return
        temp = self.atom(value) if is_atom(value) else self.temp(
            self.base_name(value), self.operation(value))
        self.assign_target(target, temp)

    def assign(self, user_name: str, value: ast.expr) -> None:
        if _is_literal(value) or isinstance(value, ast.JoinedStr):
            rhs = self.atom(value)
            if isinstance(rhs, ast.Name) and rhs.id == self.current.get(user_name, user_name) \
                    and user_name in self.fixed:
                return  # `s = s`: nothing changes
        else:
            rhs = self.operation(value)
            if user_name in self.fixed and any(
                    isinstance(n, ast.Name) and n.id == user_name for n in ast.walk(rhs)):
                # `s = s * x` on a variable that is not renamed: compute into a
                # temporary first, so the old and the new value both have a name
                rhs = self.temp(self.base_name(rhs), rhs)
        target = self.define(user_name)
        self.note_sequence(target, rhs)
        self.emit(ast.Assign(targets=[ast.Name(target, ast.Store())], value=rhs))

    def note_sequence(self, name: str, value: ast.expr) -> None:
        if name in self.lists:
            return  # a list that grows is not a literal
        rule = rules.lookup(getattr(value, "_sx_callee", None))
        if rule is not None and rule.sequence_output and name not in self.fixed \
                and self.depth == 0 and not self.inline_stack[1:]:
            self.lists.add(name)  # a list of arrays (np.split): its adjoint is a list too
            return
        if isinstance(value, (ast.Tuple, ast.List)):
            self.sequence_names.add(name)
            if self.depth == 0 and not self.inline_stack[1:]:
                self.top_sequences.add(name)  # built once, at the top of the function
            stable = all(not (isinstance(e, ast.Name) and e.id in self.fixed) for e in value.elts)
            if name not in self.fixed and stable:
                self.literal_seqs[name] = list(value.elts)

    def store(self, target: ast.Subscript, value: ast.expr) -> None:
        """``out[index] = value`` into an array this function created."""
        rhs = self.atom(value)
        root = target.value
        if root.id not in self.writable:
            raise error(self.parsed, target, f"writes into {root.id!r} are supported only when "
                        f"the function created it (np.zeros(...), x.copy(), ...) and never "
                        f"gave it another name", "write into an array")
        index = self.index(target.slice)
        self.emit(ast.Assign([ast.Subscript(ast.Name(root.id, ast.Load()), index, ast.Store())],
                             rhs))

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


_INT_OPS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)


def infer_ints(body: list[ast.stmt], resolve) -> set[str]:
    """Names every assignment of which gives a Python int (loop counters, lengths, ...)."""
    values: dict[str, list] = {}
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.Assign):
            t = node.targets[0]
            if isinstance(t, ast.Name):
                values.setdefault(t.id, []).append(node.value)
            elif isinstance(t, ast.Subscript):
                if isinstance(t.value, ast.Name):
                    values.setdefault(t.value.id, []).append(None)
            else:
                for e in ast.walk(t):
                    if isinstance(e, ast.Name):
                        values.setdefault(e.id, []).append(None)
        elif isinstance(node, ast.For):
            call = node.iter
            is_range = isinstance(call, ast.Call) and getattr(call, "_sx_range", False)
            values.setdefault(node.target.id, []).append("int" if is_range else None)

    def int_valued(e, ints: set[str]) -> bool:
        if e == "int":
            return True
        if e is None:
            return False
        if isinstance(e, ast.Constant):
            return isinstance(e.value, int) and not isinstance(e.value, bool)
        if isinstance(e, ast.Name):
            return e.id in ints
        if isinstance(e, ast.BinOp) and isinstance(e.op, _INT_OPS):
            return int_valued(e.left, ints) and int_valued(e.right, ints)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
            return int_valued(e.operand, ints)
        if isinstance(e, ast.Call):
            callee = getattr(e, "_sx_callee", None)
            if callee in (len, int):
                return True
            if callee in (min, max) and e.args:
                return all(int_valued(a, ints) for a in e.args)
            return False
        if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name) \
                and e.value.id in shapes and isinstance(e.slice, ast.Constant):
            return True
        return False

    shapes = {n for n, vs in values.items() if all(
        isinstance(v, ast.Attribute) and v.attr == "shape" for v in vs)}
    ints = set(values)
    changed = True
    while changed:
        changed = False
        for name in list(ints):
            if not all(int_valued(v, ints) for v in values[name]):
                ints.discard(name)
                changed = True
    return ints


_LIBRARY_MODULES = ("numpy", "scipy", "math", "builtins", "srcxform", "autograd", "torch",
                    "functools", "operator")


def _is_user_function(fn: Any) -> bool:
    """A plain Python function of the user's (its body is differentiated by inlining)."""
    if not inspect.isfunction(fn):
        return False
    from .. import rules
    from .primitives import STOP_GRADIENT

    if rules.lookup(fn) is not None or rules.is_nondifferentiable(fn) or id(fn) in STOP_GRADIENT:
        return False
    module = getattr(fn, "__module__", "") or ""
    return module.split(".")[0] not in _LIBRARY_MODULES


def _lookup(parsed: Parsed, name: str) -> Any:
    if name in parsed.closure:
        try:
            return parsed.closure[name].cell_contents
        except ValueError:
            return _MISSING
    if name in parsed.globals:
        return parsed.globals[name]
    return getattr(builtins, name, _MISSING)


_CONSTRUCTORS = ("zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
                 "full_like", "array", "copy", "eye", "identity", "arange", "linspace",
                 # the adjoints of lists in generated gradient code (support.py)
                 "zeros_each", "add_each", "add_to_each")


def _growing_lists(fn: ast.FunctionDef, parsed: Parsed) -> set[str]:
    """Names of lists the function builds with ``append`` (created once, at the top)."""
    appended = {n.func.value.id for n in ast.walk(fn) if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                and isinstance(n.func.value, ast.Name)}
    if not appended:
        return set()
    top = {id(s) for s in fn.body}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id in appended:
                    if not isinstance(node.value, ast.List) or id(node) not in top:
                        raise error(parsed, node, f"the list {t.id!r} grows by append: create "
                                    "it once, at the top level of the function, from a list "
                                    "literal", "list")
    return appended


def _fresh_before_alias(fn: ast.FunctionDef, alias: ast.Assign, name: str) -> bool:
    """``u = new`` is harmless when, in the same block, ``new`` was just created fresh and is
    only written between that and the alias (a double buffer), and ``u`` is never written."""
    target = alias.targets[0]
    if not isinstance(target, ast.Name):
        return False
    if any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
           and isinstance(n.value, ast.Name) and n.value.id == target.id for n in ast.walk(fn)):
        return False
    for block in (getattr(n, f, None) for n in ast.walk(fn) for f in ("body", "orelse")):
        if not isinstance(block, list) or alias not in block:
            continue
        before = block[:block.index(alias)]
        fresh = [i for i, st in enumerate(before) if isinstance(st, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == name for t in st.targets)
                 and isinstance(st.value, ast.Call)]
        after = block[block.index(alias) + 1:]
        used_after = any(isinstance(n, ast.Name) and n.id == name
                         for st in after for n in ast.walk(st))
        return bool(fresh) and not used_after
    return False


def _is_fresh(value: ast.expr) -> bool:
    """``value`` certainly evaluates to a new array (a constructor, a copy, an operator)."""
    return isinstance(value, ast.Call) and (
        isinstance(value.func, ast.Attribute) and value.func.attr in _CONSTRUCTORS
        or isinstance(value.func, ast.Name) and value.func.id in _CONSTRUCTORS) \
        or isinstance(value, ast.BinOp) and not any(  # an operator's result is a new array
            isinstance(side, (ast.List, ast.Tuple)) for side in (value.left, value.right))


def _written_root(stmt: ast.stmt) -> str | None:
    """``n`` for ``n[...] = v`` or ``n[...] += v``."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else \
        [stmt.target] if isinstance(stmt, ast.AugAssign) else []
    for t in targets:
        if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
            return t.value.id
    return None


def _assigns(stmt: ast.stmt, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
               for n in ast.walk(stmt))


def _fresh_where_written(fn: ast.FunctionDef, name: str) -> bool:
    """Every write into ``name`` is reached only right after an assignment of a fresh array
    to ``name``, with no other assignment of (or by) ``name`` in between (``b = b.copy()``
    before ``b[i] = 0.0``, as generated gradient code does).  Flow-sensitive and
    conservative: a loop keeps the state only when every assignment in its body is fresh."""
    found = False

    def shares(stmt: ast.stmt) -> bool:  # `u = name`, `pair = (name, v)`: another reference
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.Name):
            return value.id == name
        return isinstance(value, (ast.Tuple, ast.List)) and any(
            isinstance(e, ast.Name) and e.id == name for e in value.elts)

    def all_fresh(block: list[ast.stmt]) -> bool:
        for stmt in (n for s in block for n in ast.walk(s) if isinstance(n, ast.stmt)):
            if shares(stmt):
                return False
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                if not _is_fresh(stmt.value):
                    return False
            elif not isinstance(stmt, (ast.If, ast.For, ast.While, ast.With)) \
                    and _assigns(stmt, name):
                return False
        return True

    def walk(block: list[ast.stmt], fresh: bool) -> bool | None:
        """The state after ``block``; ``None`` when a write is not safe."""
        nonlocal found
        for stmt in block:
            if _written_root(stmt) == name:
                found = True
                if not fresh:
                    return None
            elif isinstance(stmt, ast.If):
                after_body = walk(stmt.body, fresh)
                after_else = walk(stmt.orelse, fresh)
                if after_body is None or after_else is None:
                    return None
                fresh = after_body and after_else
            elif isinstance(stmt, (ast.For, ast.While)):
                fresh = fresh and all_fresh(stmt.body)
                if walk(stmt.body, fresh) is None:
                    return None
            elif isinstance(stmt, ast.With):
                fresh = walk(stmt.body, fresh)
                if fresh is None:
                    return None
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                fresh = _is_fresh(stmt.value)
            elif shares(stmt) or _assigns(stmt, name):
                fresh = False
        return fresh

    return walk(fn.body, False) is not None and found


def _writable_arrays(fn: ast.FunctionDef, params: list[str], parsed: Parsed) -> set[str]:
    """Names every assignment of which creates a fresh array (or that are written only right
    after such an assignment), and that are never copied to another name: element writes
    into them cannot be seen through an alias."""
    loads: dict[str, int] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads[node.id] = loads.get(node.id, 0) + 1
    first: dict[str, bool] = {}  # names every assignment of which is a fresh array
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    first[t.id] = first.get(t.id, True) and _is_fresh(node.value)

    def handover(value: ast.expr) -> bool:
        """``b = a`` where ``a`` is a fresh array read nowhere else: ``b`` is its only name."""
        return isinstance(value, ast.Name) and loads.get(value.id) == 1 \
            and first.get(value.id, False) and value.id not in params

    created: dict[str, bool] = {}
    aliased: set[str] = set()
    stored: list[tuple[str, str]] = []  # (value name, array written into)
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            value = node.value
            fresh = _is_fresh(value) or handover(value)
            for t in node.targets:
                if isinstance(t, ast.Name):
                    created[t.id] = created.get(t.id, True) and fresh
                elif isinstance(t, (ast.Tuple, ast.List)):
                    for e in ast.walk(t):
                        if isinstance(e, ast.Name):
                            created[e.id] = False
            written = _written_root(node)
            if isinstance(value, ast.Name) and written is not None:
                stored.append((value.id, written))  # a copy when `written` is an array
            elif isinstance(value, ast.Name) and not _fresh_before_alias(fn, node, value.id):
                aliased.add(value.id)
            elif isinstance(value, (ast.Tuple, ast.List)):
                aliased |= {e.id for e in value.elts if isinstance(e, ast.Name)}
        elif isinstance(node, ast.For):
            for e in ast.walk(node.target):
                if isinstance(e, ast.Name):
                    created[e.id] = False
    ok = {n for n, c in created.items() if c}
    # `out[i] = v` copies v's elements into an array, but stores v itself into a list
    aliased |= {v for v, root in stored if root not in ok}
    writable = {n for n in ok if n not in aliased}
    writable |= {n for n in created if n not in writable and _fresh_where_written(fn, n)}
    return writable - set(params)


def _replace_jumps(stmts: list[ast.stmt], flag: str | None) -> list[ast.stmt]:
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
            stmt.body = _replace_jumps(stmt.body, flag) or [ast.Pass()]
            stmt.orelse = _replace_jumps(stmt.orelse, flag)
        out.append(stmt)
    return out


def _same_loop(stmts: list[ast.stmt]):
    """Statements of a loop body, not descending into nested loops."""
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _same_loop(stmt.body)
            yield from _same_loop(stmt.orelse)


def _is_literal(node: ast.expr) -> bool:
    """Names, constants, ``-1`` and tuples of constants: values needing no statement."""
    if isinstance(node, (ast.Name, ast.Constant)) or _is_negative_literal(node):
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return False
    return isinstance(node, ast.Tuple) and all(
        isinstance(e, ast.Constant) or _is_negative_literal(e) for e in node.elts)


def _is_negative_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
        and isinstance(node.operand, ast.Constant)


def normalize(parsed: Parsed) -> Program:
    """Normalize ``parsed`` (already checked) into a :class:`Program`."""
    norm = _Normalizer(parsed)
    for stmt in parsed.node.body:
        norm.statement(stmt)
    ints = infer_ints(norm.out, norm.resolve)
    # a list that is also popped (the stacks of generated gradient code): appending to it is
    # not reversible by replaying pops, so reverse mode must refuse it (forward mode is fine)
    popped = {n.func.value.id for n in ast.walk(ast.Module(norm.out, []))
              if isinstance(n, ast.Call) and getattr(n, "_sx_method", None) == "pop"
              and isinstance(n.func.value, ast.Name)}
    for node in ast.walk(ast.Module(norm.out, [])):
        if getattr(node, "_sx_append", False) and node.value.func.value.id in popped:
            node._sx_popped = True
    for node in ast.walk(ast.Module(norm.out, [])):
        if isinstance(node, ast.Subscript):
            for part in ast.walk(node.slice):
                if isinstance(part, ast.Name) and part.id in ints:
                    part._sx_int = True
    return Program(parsed=parsed, name=parsed.node.name, params=norm.params, body=norm.out,
                   int_names=ints, foreign=dict(norm.foreign), lists=set(norm.lists),
                   result=norm.result, namer=norm.namer, versions=dict(norm.current))
