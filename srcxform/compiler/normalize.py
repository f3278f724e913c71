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
from dataclasses import dataclass, field
from typing import Any

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
        self.out: list[ast.stmt] = []
        self.line = fn.lineno

    # -- resolution of global references --------------------------------------
    def resolve(self, node: ast.expr) -> Any:
        """The object a dotted non-local reference names, or ``_MISSING``."""
        if isinstance(node, ast.Name):
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
        ast.fix_missing_locations(stmt)
        self.out.append(stmt)

    def temp(self, base: str, value: ast.expr) -> ast.Name:
        name = self.namer.fresh(base)
        self.emit(ast.Assign(targets=[ast.Name(name, ast.Store())], value=value))
        return ast.Name(name, ast.Load())

    def define(self, user_name: str) -> str:
        """The SSA name for a new assignment to ``user_name``."""
        if user_name in self.current:
            name = self.namer.fresh(user_name)
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
        return "t"

    # -- expressions --------------------------------------------------------------
    def atom(self, node: ast.expr) -> ast.expr:
        """Normalize ``node`` and return an atom holding its value."""
        if isinstance(node, ast.Constant):
            return node
        if isinstance(node, ast.Name):
            if node.id in self.current:
                return ast.Name(self.current[node.id], ast.Load())
            if node.id in self.locals:
                raise error(self.parsed, node, f"{node.id!r} is used before it is assigned",
                            "unbound local")
            self.resolve(node)  # raises for an undefined name
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
            return ast.Subscript(self.atom(node.value), self.index(node.slice), ast.Load())
        if isinstance(node, (ast.Tuple, ast.List)):
            return type(node)([self.atom(e) for e in node.elts], ast.Load())
        if is_atom(node):
            return self.atom(node)
        raise error(self.parsed, node, "this expression is not supported")

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
        call = ast.Call(func=func, args=args, keywords=keywords)
        call._sx_callee = None if callee is _MISSING else callee
        call._sx_method = method
        call._sx_node = node
        return call

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
        elif isinstance(stmt, ast.AugAssign):
            value = ast.BinOp(ast.Name(stmt.target.id, ast.Load()), stmt.op, stmt.value)
            ast.copy_location(value, stmt)
            self.assign(stmt.target.id, value)
        elif isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return  # docstring or bare constant
            value = self.operation(stmt.value) if isinstance(stmt.value, ast.Call) \
                else self.atom(stmt.value)
            self.emit(ast.Expr(value))
        elif isinstance(stmt, ast.Assert):
            self.emit(ast.Assert(self.rename_loads(stmt.test),
                                 stmt.msg and self.rename_loads(stmt.msg)))
        elif isinstance(stmt, ast.Return):
            self.result = self.atom(stmt.value)
        elif isinstance(stmt, ast.Pass):
            return

    def assign(self, user_name: str, value: ast.expr) -> None:
        if _is_literal(value) or isinstance(value, ast.JoinedStr):
            rhs = self.atom(value)
        else:
            rhs = self.operation(value)
        target = self.define(user_name)
        self.emit(ast.Assign(targets=[ast.Name(target, ast.Store())], value=rhs))

    def assign_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            name = self.define(target.id)
            self.emit(ast.Assign(targets=[ast.Name(name, ast.Store())], value=value))
            return
        names = [self.define(e.id) for e in target.elts]
        self.emit(ast.Assign(
            targets=[ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())],
            value=value))


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
    return Program(parsed=parsed, name=parsed.node.name, params=norm.params, body=norm.out,
                   result=norm.result, namer=norm.namer, versions=dict(norm.current))
