"""Pass 1, parse: from a live function object to a located syntax tree.

After :func:`parse_function`, ``Parsed.node`` is a stdlib ``ast.FunctionDef``
(a lambda is turned into one) with decorators removed, parsed from the
dedented source (the tree gast's round trip gives: stdlib ``ast``'s, each
context and operator a node of its own), and every node's ``lineno``/``col_offset`` already
shifted to the position in the real file, so later passes report errors
against the user's file.  A function whose source cannot be read raises
``ValueError`` saying the source is unavailable; one whose file was edited
after it was defined (its text no longer compiles to its code) raises
``freshness.SourceChangedError``, a ``ValueError`` saying to reload.
Comprehensions, generator expressions and ``map`` calls are already plain
loops (``comprehensions.py``).  Every
function parsed is noted (``srcxform.depends``) with the free names its text
reads, so the cache knows what the generated code depends on.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import re
import textwrap
import types
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import depends
from .astutil import nodes, walk
from .comprehensions import desugar
from .freshness import check_fresh


@dataclass
class Parsed:
    """A function's syntax tree and the environment its names live in."""

    fn: Callable[..., Any]
    node: ast.FunctionDef
    filename: str
    globals: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    known: dict[str, Any] = field(default_factory=dict)  # parameters bound to known objects

    def line_text(self, lineno: int) -> str:
        """The stripped source line ``lineno`` of the user's file."""
        import linecache

        return linecache.getline(self.filename, lineno).strip()


def _source_unavailable(fn: Any, why: str) -> ValueError:
    name = getattr(fn, "__qualname__", repr(fn))
    return ValueError(f"the source of {name} is unavailable ({why}); srcxform needs a function "
                      "defined in a file or a notebook cell, not one made by exec or eval")


def parse_function(fn: Callable[..., Any]) -> Parsed:
    """Read and parse ``fn``'s source (for a pytree twin, its user function's)."""
    if getattr(fn, "__srcxform_twin_of__", None) is not None:
        return _parse_twin(fn)
    if not inspect.isfunction(fn):
        raise TypeError(f"srcxform transforms Python functions, got {type(fn).__name__}")
    code = fn.__code__
    found = None
    quick = _lines_of_code(code)  # (the common case, without inspect's tokenizer)
    if quick is not None:
        try:
            found = _located_source(fn, *quick)
        except ValueError:  # (a cut the text does not confirm: read it as inspect does)
            found = None
    if found is None:
        try:
            # the source of the code that runs: a functools.wraps wrapper's own, not what
            # it wraps
            lines, first = inspect.getsourcelines(code)
        except (OSError, TypeError) as exc:
            raise _source_unavailable(fn, str(exc)) from None
        found = _located_source(fn, lines, first)
    node, lines, first, indent = found
    depends.note_function(fn, node)
    for sub in walk(node):
        if hasattr(sub, "lineno"):
            sub.lineno += first - 1
            sub.col_offset += indent
            if getattr(sub, "end_lineno", None) is not None:
                sub.end_lineno += first - 1
                sub.end_col_offset += indent
    closure = {}
    if fn.__closure__:
        for name, cell in zip(code.co_freevars, fn.__closure__):
            closure[name] = cell
    filename = code.co_filename
    desugar(node, filename, {**fn.__globals__, **{n: c.cell_contents for n, c in closure.items()
                                                  if _filled(c)}})
    return Parsed(fn=fn, node=node, filename=filename, globals=fn.__globals__, closure=closure,
                  lines=lines)


def _located_source(fn: Callable[..., Any], lines: list[str], first: int
                    ) -> tuple[ast.FunctionDef, list[str], int, int]:
    """The definition of ``fn`` parsed from its source ``lines`` (from line ``first``), the
    lines, first line and indent its positions are to be shifted by; checked to be the
    text ``fn``'s code was compiled from (``check_fresh``)."""
    code = fn.__code__
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    indent = _common_indent(text)
    whole = None  # the file's text, when the lambda was found by parsing the whole file
    try:
        tree = parse_text(dedented)
    except SyntaxError:
        # A lambda inside a larger expression: parse the first line's expression.
        try:
            tree = parse_text("(" + dedented.strip().rstrip(",") + ")")
        except SyntaxError as exc:
            tree, whole = _whole_file(code) if code.co_name == "<lambda>" else (None, None)
            if tree is None:
                raise _source_unavailable(fn, f"could not parse it: {exc.msg}") from None
            first, indent = 1, 0  # (positions in the whole file are the file's own)
    node = _find(tree, fn, first, indent, whole is not None)
    if node is None:
        raise _source_unavailable(fn, "no matching definition found in its source lines")
    if whole is not None:  # the lambda's own text is what its code was made of
        check_fresh(fn, [ast.get_source_segment(whole, node) or ""], node.lineno)
    else:
        check_fresh(fn, lines, first)
    return node, lines, first, indent


#: A line ``inspect`` accepts as a definition's first (``def``, ``async def``, a decorator).
_DEF_LINE = re.compile(r"\s*(def\s|async\s+def\s|@)")


def _lines_of_code(code: Any) -> tuple[list[str], int] | None:
    """A ``def``'s source lines as ``inspect.getsourcelines`` finds them, cut instead at
    the last line any instruction of the code (or of the code nested in it) comes from;
    None where that reading does not apply (a lambda, no cached text, a first line that
    is no ``def``).  Lines after the last instruction (a trailing comment, an
    unreachable statement) are left out; :func:`_located_source` checks that the cut
    compiles to the code, else the caller asks ``inspect``."""
    if code.co_name == "<lambda>":
        return None
    filename = code.co_filename
    linecache.checkcache(filename)  # (an edited file is read again, as inspect does)
    text = linecache.getlines(filename)
    first = code.co_firstlineno
    if not text or first > len(text) or not _DEF_LINE.match(text[first - 1]):
        return None
    last, todo = first, [code]
    while todo:
        c = todo.pop()
        for _, end, _, _ in c.co_positions():
            if end is not None and end > last:
                last = end
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return text[first - 1:last], first


def parse_text(text: str) -> ast.Module:
    """``text`` parsed: the tree ``gast.gast_to_ast(gast.parse(text))`` is (the same nodes,
    fields and positions; ``tests/test_parse_text.py``), made by ``ast.parse`` alone,
    without gast's two conversions.  CPython shares one instance of each context
    (``Load``, ``Store``, ``Del``) and operator among all its trees; here every node is
    its own, as gast's are, so a pass may annotate or replace any node of it (the parser
    puts those shared nodes only in a ``ctx``, ``op`` or ``ops`` field)."""
    tree = ast.parse(text)
    for node in nodes(tree):
        fields = node.__dict__
        if "ctx" in fields:
            node.ctx = fields["ctx"].__class__()
        elif "op" in fields:
            node.op = fields["op"].__class__()
        elif "ops" in fields:
            node.ops = [op.__class__() for op in fields["ops"]]
    return tree


def code_signature(fn: Callable[..., Any]) -> inspect.Signature:
    """The parameters of the code ``fn`` runs, which :func:`parse_function` reads: a
    ``functools.wraps`` wrapper's own, not those of the function it wraps (which
    ``inspect.signature`` reports by following ``__wrapped__``).  A function srcxform
    made keeps the signature it declares."""
    own = (inspect.isfunction(fn) and getattr(fn, "__signature__", None) is None
           and getattr(fn, "__srcxform_concrete__", None) is None)
    return inspect.signature(fn, follow_wrapped=not own)
def _parse_twin(twin: Callable[..., Any]) -> Parsed:
    """A pytree twin (``srcxform/pytrees.py``) as its user function ``f`` with the twin's
    leaf parameters and, first in the body, the assignments rebuilding ``f``'s container
    parameters from them (located at ``f``'s ``def`` line)."""
    fn, params, prologue = twin.__srcxform_twin_of__
    parsed = parse_function(fn)
    node = parsed.node
    node.args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    first = ast.parse("\n".join(prologue)).body
    for stmt in first:
        for sub in walk(stmt):
            if hasattr(sub, "lineno"):
                ast.copy_location(sub, node)
                sub.end_lineno, sub.end_col_offset = node.lineno, node.col_offset
    node.body = first + node.body
    ast.fix_missing_locations(node)
    parsed.fn = twin
    return parsed


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def _whole_file(code: Any) -> tuple[Any, str]:
    """The tree of the whole file (or notebook cell) of a lambda whose own lines do
    not parse alone (they start or end inside a bracket: ``[f(lambda x: ...),`` on one
    line, ``g(lambda x: ...)]`` on the next); ``_find`` then picks the lambda by its
    code; and the file's text.  The tree is None when the file is not readable or does
    not parse."""
    import linecache

    text = "".join(linecache.getlines(code.co_filename))
    try:
        return (parse_text(text) if text else None), text
    except SyntaxError:
        return None, text


def _common_indent(text: str) -> int:
    widths = [len(ln) - len(ln.lstrip()) for ln in text.splitlines() if ln.strip()]
    return min(widths) if widths else 0


def _find(tree: ast.AST, fn: Any, first: int = 1, indent: int = 0,
          whole_file: bool = False) -> ast.FunctionDef | None:
    code = fn.__code__
    params = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    name = code.co_name  # the code's own name (``__name__`` may be set, ``__code__`` swapped)
    if name == "<lambda>":
        found = [n for n in walk(tree) if isinstance(n, ast.Lambda)
                 and [a.arg for a in n.args.args + n.args.kwonlyargs] == params]
        if len(found) > 1 or whole_file:
            # several on its lines (or the whole file): the one that compiles to its code
            found = [n for n in found if _same_code(n, code, first, indent)]
        if len(found) != 1:
            return None
        lam = found[0]
        ret = ast.Return(value=lam.body)
        ast.copy_location(ret, lam.body)
        node = ast.FunctionDef(name="lambda_", args=lam.args, body=[ret], decorator_list=[],
                               returns=None, type_comment=None, type_params=[])
        ast.copy_location(node, lam)
        return node
    for n in walk(tree):
        if isinstance(n, ast.FunctionDef) and n.name == name:
            n.decorator_list = []
            return n
        if isinstance(n, ast.AsyncFunctionDef) and n.name == name:
            return n  # rejected by the check pass with a located error
    return None


def _same_code(lam: ast.Lambda, code: Any, first: int, indent: int) -> bool:
    """``lam`` (parsed from ``code``'s source lines, which start at line ``first`` and were
    dedented by ``indent``) could be ``code``: it compiles to the same names and
    constants, and spans every source position ``code``'s instructions have."""
    import copy

    expr = ast.fix_missing_locations(ast.Expression(body=copy.deepcopy(lam)))
    try:
        outer = compile(expr, code.co_filename, "eval")
    except (SyntaxError, ValueError, TypeError):
        return False
    inner = [c for c in outer.co_consts if isinstance(c, type(code))]
    if len(inner) != 1 or inner[0].co_names != code.co_names \
            or inner[0].co_consts != code.co_consts:
        return False
    start = (lam.lineno + first - 1, lam.col_offset + indent)
    end = (lam.end_lineno + first - 1, lam.end_col_offset + indent)
    for line, _, col, end_col in getattr(code, "co_positions", lambda: [])():
        if line is None or col is None or (col, end_col) == (0, 0):  # (RESUME: no place)
            continue
        if not start <= (line, col) <= end:
            return False
    return True
