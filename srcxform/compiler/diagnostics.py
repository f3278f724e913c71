"""Located errors: a ``TransformError`` that names the user's file, line, column and construct.

After import, :func:`error` builds the error every pass raises for input it
cannot transform, and :func:`construct_name` gives the user-facing name of a
syntax node's construct (``for loop``, ``list comprehension``, ...).
"""

from __future__ import annotations

import ast

from ..errors import TransformError
from .parse import Parsed

#: Human names of the constructs users meet most, for the error message.
CONSTRUCT_NAMES = {
    ast.For: "for loop", ast.While: "while loop", ast.If: "if statement",
    ast.Break: "break", ast.Continue: "continue", ast.Try: "try statement",
    ast.With: "with block", ast.AsyncWith: "async with", ast.AsyncFor: "async for",
    ast.AsyncFunctionDef: "async function", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield from", ast.Lambda: "lambda", ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension", ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression", ast.ClassDef: "class definition",
    ast.FunctionDef: "nested function definition", ast.Global: "global statement",
    ast.Nonlocal: "nonlocal statement", ast.Delete: "del statement", ast.Import: "import",
    ast.ImportFrom: "import", ast.Raise: "raise statement", ast.IfExp: "conditional expression",
    ast.BoolOp: "boolean operator (and/or)", ast.Dict: "dict", ast.Set: "set literal",
    ast.Starred: "starred argument", ast.NamedExpr: "assignment expression (:=)",
    ast.AnnAssign: "annotated assignment", ast.Match: "match statement",
}


def error(parsed: Parsed, node: ast.AST, message: str, construct: str = "",
          line: int = 0) -> TransformError:
    """A located ``TransformError`` for ``node`` (at ``line`` when ``node`` was made by the
    compiler and has no position of its own)."""
    located = bool(getattr(node, "lineno", 0))
    return TransformError(message, filename=parsed.filename,
                          lineno=getattr(node, "lineno", 0) if located else line,
                          col=getattr(node, "col_offset", 0) if located else 0,
                          construct=construct or construct_name(node))


def construct_name(node: ast.AST) -> str:
    """The user-facing name of a syntax node's construct."""
    return CONSTRUCT_NAMES.get(type(node), type(node).__name__)
