"""Pass 7, emit: the generated function as readable Python source.

After :func:`emit`, the returned text is one ``def`` with the primal's
parameters (and defaults), the forward statements, then each backward block
under a ``# grad of: <primal line>`` comment naming the user's source line it
differentiates (inside loops and branches too), then the return.
:func:`emit_with_origins` also gives, for each line of that text computing a
user's call (a primal call, or a statement differentiating one:
``anno.ORIGIN``), the call's ``(line, column, construct)`` — what
``srcxform/origins.py`` maps a run-time refusal to.  The text is
what ``sx.source`` shows, what ``compile()`` accepts, and what tracebacks
display.  It is built from syntax trees (``ast.unparse``, which writes every
string constant with its escapes); the only text taken from the user's file,
the primal line in each comment, has every character that is not printable
written as its escape (``loader.safe_text``), so no character the tokenizer
or ``str.splitlines`` reads as a line break — ``\r``, ``\x0b``, ``\x0c``,
``\x1c``-``\x1e``, ``\x85``, U+2028, U+2029 — nor a NUL ever reaches the
generated text: the text lines are the tokenizer's lines.
"""

from __future__ import annotations

import ast

from . import anno
from .astutil import place_statements
from .loader import FIND_LINE_BREAK, safe_text
from .parse import Parsed
from .unparse import statement_text

INDENT = "    "


def _lines(text: str) -> list[str]:
    """The lines of text ``ast.unparse`` wrote (it escapes every other line break)."""
    if FIND_LINE_BREAK.search(text):
        raise AssertionError(f"unparsed code holds a line break: {text!r}")
    return text.split("\n")


class _Emitter:
    def __init__(self, parsed: Parsed, label: str = "grad of") -> None:
        self.parsed = parsed
        self.label = label
        self.lines: list[str] = []
        self.last_key: tuple | None = None
        self.origins: dict[int, tuple] = {}  # line number in the text (from 1) -> origin

    def comment(self, stmt: ast.stmt, depth: int) -> None:
        for note in anno.get(stmt, anno.NOTE) or ():
            self.lines.append(f"{INDENT * depth}# {safe_text(note)}")
        grad = anno.get(stmt, anno.GRAD, False) or (
            anno.get(stmt, anno.FORWARD, False)
            and not isinstance(stmt, (ast.If, ast.For, ast.While)))
        line = anno.get(stmt, anno.LINE)
        key = (grad, line, depth)
        if grad and line and key != self.last_key:
            text = safe_text(self.parsed.line_text(line))
            if text:
                self.lines.append(f"{INDENT * depth}# {self.label}: {text}")
        self.last_key = key

    def block(self, stmts: list[ast.stmt], depth: int) -> None:
        for stmt in stmts:
            self.stmt(stmt, depth)

    def stmt(self, stmt: ast.stmt, depth: int, keyword: str = "if") -> None:
        pad = INDENT * depth
        if keyword == "if":
            self.comment(stmt, depth)
        if isinstance(stmt, ast.If):
            own = self.last_key  # (a statement after it from the same line: no comment again)
            self.lines.append(f"{pad}{keyword} {ast.unparse(stmt.test)}:")
            self.last_key = None
            self.block(stmt.body, depth + 1)
            orelse = stmt.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ast.If) and \
                    anno.get(orelse[0], anno.GRAD, False) == anno.get(stmt, anno.GRAD, False):
                self.stmt(orelse[0], depth, keyword="elif")
            elif orelse:
                self.lines.append(f"{pad}else:")
                self.last_key = None
                self.block(orelse, depth + 1)
            self.last_key = own if keyword == "if" else None
        elif isinstance(stmt, ast.For):
            self.lines.append(f"{pad}for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}:")
            self.last_key = None
            self.block(stmt.body, depth + 1)
            self.last_key = None
        elif isinstance(stmt, ast.With):
            items = ", ".join(ast.unparse(i) for i in stmt.items)
            self.lines.append(f"{pad}with {items}:")
            self.last_key = None
            self.block(stmt.body, depth + 1)
            self.last_key = None
        elif isinstance(stmt, ast.While):
            self.lines.append(f"{pad}while {ast.unparse(stmt.test)}:")
            self.last_key = None
            self.block(stmt.body, depth + 1)
            self.last_key = None
        else:
            origin = origin_of_statement(stmt)
            for text_line in _lines(statement_text(stmt)):
                self.lines.append(pad + text_line)
                if origin is not None:
                    self.origins[len(self.lines)] = origin


def _callee_name(callee: object) -> str:
    """``math.sqrt`` for ``math.sqrt``; ``np.abs`` style names for other functions."""
    module = getattr(callee, "__module__", None) or ""
    name = getattr(callee, "__name__", "") or ""
    if module == "numpy":
        module = "np"
    return f"{module}.{name}" if module and name else name


def origin_of_statement(stmt: ast.stmt) -> tuple | None:
    """The user's call a simple statement computes or differentiates (``anno.ORIGIN``, or the
    place of a primal call: ``anno.NODE``), or None."""
    origin = anno.get(stmt, anno.ORIGIN)
    if origin is not None:
        return origin
    value = getattr(stmt, "value", None)
    if not isinstance(value, ast.Call):
        return None
    node = anno.get(value, anno.NODE)
    if not getattr(node, "lineno", 0):
        return None
    return (node.lineno, node.col_offset, _callee_name(anno.get(value, anno.CALLEE)))


def group_no_grad(body: list[ast.stmt], no_grad_name: str) -> list[ast.stmt]:
    """Wrap each run of statements computed under ``no_grad`` in ``with no_grad():``.

    The user's stopped gradients stay visible in the generated code, so a
    transform of that code (``hessian``, ``grad(grad(f))``) stops them too.
    """
    out: list[ast.stmt] = []
    run: list[ast.stmt] = []

    def flush() -> None:
        if run:
            call = ast.Call(ast.Name(no_grad_name, ast.Load()), [], [])
            block = ast.With([ast.withitem(call, None)], list(run))
            anno.set(block, anno.LINE, anno.get(run[0], anno.LINE))
            out.append(block)
            run.clear()

    for stmt in body:
        if anno.get(stmt, anno.NOGRAD, False) and not anno.get(stmt, anno.GRAD, False):
            run.append(stmt)
            continue
        flush()
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner and isinstance(stmt, (ast.If, ast.For, ast.While)):
                setattr(stmt, field, group_no_grad(inner, no_grad_name))
        out.append(stmt)
    flush()
    return out


def emit(name: str, args: ast.arguments, body: list[ast.stmt], parsed: Parsed,
         label: str = "grad of") -> str:
    """Source text of ``def name(args): body`` with block comments (``# <label>: <line>``)."""
    return emit_with_origins(name, args, body, parsed, label)[0]


def emit_with_origins(name: str, args: ast.arguments, body: list[ast.stmt], parsed: Parsed,
                      label: str = "grad of") -> tuple[str, dict[int, tuple]]:
    """``emit``'s text and the origin of each of its lines that computes a user's call
    (numbered from 1 in the text)."""
    place_statements(body)
    em = _Emitter(parsed, label)
    em.lines.append(f"def {name}({ast.unparse(args)}):")
    em.block(body, 1)
    return "\n".join(em.lines) + "\n", em.origins
