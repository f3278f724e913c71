"""The text of a simple statement, as ``ast.unparse`` writes it, in a fraction of its time.

After :func:`statement_text`, the returned string is exactly ``ast.unparse(stmt)``
(the emitter writes a hundred statements per 20-line function, and
``ast.unparse`` spends most of its time in context managers and method
dispatch).  The statements written here are assignments, augmented
assignments, returns and expression statements made of names, constants,
operators, comparisons, ``and``/``or``, calls, attributes, subscripts,
slices, tuples, lists and starred values; anything else (another statement
or expression class, a type comment) is handed to ``ast.unparse`` whole, and
so is everything on a Python other than the one this was checked against
(:data:`CHECKED`), whose ``ast.unparse`` may write differently.

Parentheses follow ``ast.unparse``'s rules to the letter, including its
bookkeeping: a node's precedence is what its parent set last (per node, for
the whole statement; ``TEST`` if none did), so a node a tree holds twice is
written as ``ast.unparse`` writes it.  ``tests/compiler/test_unparse.py``
compares the two on every statement of the compiler's and the tests' sources
and on generated code.
"""

from __future__ import annotations

import ast
import sys
from typing import Any

#: The Python versions whose ``ast.unparse`` this reproduces (checked by the tests).
CHECKED = ((3, 11),)
ENABLED = sys.version_info[:2] in CHECKED

# ast.unparse's precedence levels, in its order (BOR is EXPR)
(NAMED_EXPR, TUPLE, YIELD, TEST, OR, AND, NOT, CMP, EXPR, BXOR, BAND, SHIFT, ARITH, TERM,
 FACTOR, POWER, AWAIT, ATOM) = range(1, 19)
BOR = EXPR

_BINOPS: dict[type, tuple[str, int]] = {
    ast.Add: ("+", ARITH), ast.Sub: ("-", ARITH), ast.Mult: ("*", TERM),
    ast.MatMult: ("@", TERM), ast.Div: ("/", TERM), ast.Mod: ("%", TERM),
    ast.LShift: ("<<", SHIFT), ast.RShift: (">>", SHIFT), ast.BitOr: ("|", BOR),
    ast.BitXor: ("^", BXOR), ast.BitAnd: ("&", BAND), ast.FloorDiv: ("//", TERM),
    ast.Pow: ("**", POWER)}
_UNARY: dict[type, tuple[str, int]] = {
    ast.Invert: ("~", FACTOR), ast.Not: ("not ", NOT), ast.UAdd: ("+", FACTOR),
    ast.USub: ("-", FACTOR)}
_COMPARE: dict[type, str] = {
    ast.Eq: " == ", ast.NotEq: " != ", ast.Lt: " < ", ast.LtE: " <= ", ast.Gt: " > ",
    ast.GtE: " >= ", ast.Is: " is ", ast.IsNot: " is not ", ast.In: " in ",
    ast.NotIn: " not in "}
_BOOL: dict[type, tuple[str, int]] = {ast.And: (" and ", AND), ast.Or: (" or ", OR)}
_OPERATIONS = frozenset({ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp})
_INFINITY = "1e" + repr(sys.float_info.max_10_exp + 1)


class _Other(Exception):
    """A node this module does not write: the statement goes to ``ast.unparse``."""


def statement_text(stmt: ast.stmt) -> str:
    """``ast.unparse(stmt)`` (see the module docstring)."""
    if ENABLED:
        try:
            return _Writer().statement(stmt)
        except _Other:
            pass
    return ast.unparse(stmt)


def _next(level: int) -> int:
    return level + 1 if level < ATOM else ATOM


class _Writer:
    """One statement's text, with ``ast.unparse``'s precedence of each node."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.level: dict[ast.AST, int] = {}

    def statement(self, stmt: ast.stmt) -> str:
        cls = stmt.__class__
        write = self.out.append
        if cls is ast.Assign:
            if stmt.type_comment is not None:
                raise _Other
            for target in stmt.targets:
                self.level[target] = TUPLE
                self.expr(target)
                write(" = ")
            self.expr(stmt.value)
        elif cls is ast.AugAssign:
            self.expr(stmt.target)
            write(f" {_BINOPS[stmt.op.__class__][0]}= ")
            self.expr(stmt.value)
        elif cls is ast.Return:
            write("return")
            if stmt.value:
                write(" ")
                self.expr(stmt.value)
        elif cls is ast.Expr:
            self.level[stmt.value] = YIELD
            self.expr(stmt.value)
        else:
            raise _Other
        return "".join(self.out)

    def expr(self, node: Any) -> None:
        cls = node.__class__
        write = self.out.append
        if cls is ast.Name:
            write(node.id)
        elif cls is ast.Constant:
            self.constant(node)
        elif cls in _OPERATIONS:
            self.operation(node, cls)
        elif cls is ast.Call:
            self.level[node.func] = ATOM
            self.expr(node.func)
            write("(")
            comma = False
            for item in node.args:
                if comma:
                    write(", ")
                comma = True
                self.expr(item)
            for item in node.keywords:
                if comma:
                    write(", ")
                comma = True
                write("**" if item.arg is None else f"{item.arg}=")
                self.expr(item.value)
            write(")")
        elif cls is ast.Attribute:
            value = node.value
            self.level[value] = ATOM
            self.expr(value)
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                write(" ")
            write(".")
            write(node.attr)
        elif cls is ast.Subscript:
            self.level[node.value] = ATOM
            self.expr(node.value)
            write("[")
            index = node.slice
            if index.__class__ is ast.Tuple and index.elts:
                self.items(index.elts)
            else:
                self.expr(index)
            write("]")
        elif cls is ast.Tuple:
            parens = not node.elts or self.level.get(node, TEST) > TUPLE
            if parens:
                write("(")
            self.items(node.elts)
            if parens:
                write(")")
        elif cls is ast.Slice:
            if node.lower:
                self.expr(node.lower)
            write(":")
            if node.upper:
                self.expr(node.upper)
            if node.step:
                write(":")
                self.expr(node.step)
        elif cls is ast.List:
            write("[")
            for i, item in enumerate(node.elts):
                if i:
                    write(", ")
                self.expr(item)
            write("]")
        elif cls is ast.Starred:
            write("*")
            self.level[node.value] = EXPR
            self.expr(node.value)
        else:
            raise _Other

    def operation(self, node: Any, cls: type) -> None:
        """An operator, a comparison or ``and``/``or``: in parentheses when its parent
        set a higher precedence than its own."""
        write = self.out.append
        if cls is ast.BinOp:
            op, level = _BINOPS[node.op.__class__]
        elif cls is ast.UnaryOp:
            op, level = _UNARY[node.op.__class__]
        elif cls is ast.Compare:
            op, level = "", CMP
        else:
            op, level = _BOOL[node.op.__class__]
        parens = self.level.get(node, TEST) > level
        if parens:
            write("(")
        if cls is ast.BinOp:
            if level == POWER:  # (right-associative)
                self.level[node.left], right = _next(level), level
            else:
                self.level[node.left], right = level, _next(level)
            self.expr(node.left)
            write(f" {op} ")
            self.level[node.right] = right
            self.expr(node.right)
        elif cls is ast.UnaryOp:
            write(op)
            self.level[node.operand] = level
            self.expr(node.operand)
        elif cls is ast.Compare:
            inner = _next(CMP)
            self.level[node.left] = inner
            for item in node.comparators:
                self.level[item] = inner
            self.expr(node.left)
            for compare, item in zip(node.ops, node.comparators):
                write(_COMPARE[compare.__class__])
                self.expr(item)
        else:  # (each operand of and/or one level tighter than the one before)
            for i, item in enumerate(node.values):
                if i:
                    write(op)
                level = _next(level)
                self.level[item] = level
                self.expr(item)
        if parens:
            write(")")

    def items(self, elts: list[ast.expr]) -> None:
        """The items of a tuple: a trailing comma after a single one."""
        if len(elts) == 1:
            self.expr(elts[0])
            self.out.append(",")
            return
        for i, item in enumerate(elts):
            if i:
                self.out.append(", ")
            self.expr(item)

    def constant(self, node: ast.Constant) -> None:
        value = node.value
        write = self.out.append
        if isinstance(value, tuple):
            write("(")
            if len(value) == 1:
                write(_constant_text(value[0]))
                write(",")
            else:
                write(", ".join(map(_constant_text, value)))
            write(")")
        elif value is ...:
            write("...")
        else:
            if node.kind == "u":
                write("u")
            write(_constant_text(value))


def _constant_text(value: Any) -> str:
    if isinstance(value, (float, complex)):  # (infinities and NaNs as ast.unparse spells them)
        return repr(value).replace("inf", _INFINITY).replace("nan", f"({_INFINITY}-{_INFINITY})")
    return repr(value)
