"""Is the source text of a function still the text its code was compiled from?

A module's file can be edited after the module was imported; ``inspect`` then
returns the new text while the function still runs its old code, and a
gradient of the new text would be the gradient of a function nobody runs.

After :func:`check_fresh` returns, the source lines that ``inspect`` gave for
``fn`` compile — in ``fn``'s own scope: the enclosing function's variables as
closure cells, the class whose name mangles ``__names``, the ``__future__``
flags of its module, and which global names its module binds by ``import``
(CPython compiles ``np.sum(x)`` differently when ``np`` was imported in the
same text) — to a code object equal to ``fn.__code__``: the same
bytecode, constants, names, variables, nested code objects, first line and
line of every instruction.  Otherwise it raised :class:`SourceChangedError`
(a ``ValueError``) saying so and what to do.

Code that an import hook rewrote (pytest's assertion rewriting names its
variables ``@py_assert1``, a name no source can spell) cannot be compared
with its text; its check is skipped.  So is code srcxform generated, whose
text lives in ``linecache`` under a ``<srcxform ...>`` name and never changes.
"""

from __future__ import annotations
import __future__

import ast
import linecache
import textwrap
import types
from typing import Any

from .astutil import fix_locations

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
_CO_NESTED = 0x10


class SourceChangedError(ValueError):
    """A function's source file no longer holds the code the function runs."""


def check_fresh(fn: Any, lines: list[str], first: int) -> None:
    """Raise :class:`SourceChangedError` unless ``lines`` (from line ``first``) are ``fn``'s."""
    code = fn.__code__
    filename = code.co_filename
    if filename.startswith("<srcxform") or _instrumented(code):
        return
    text = textwrap.dedent("".join(lines))
    above = "\n" * (first - 1)  # (parsed from line ``first`` on: no shift of the tree)
    imports = _module_imports(filename)
    for variant in (text, "(" + text.strip().rstrip(",") + ")"):
        try:
            compiled = _compile_text(above, variant, fn, filename, imports)
            if compiled is None:
                compiled = _compile_in_scope(ast.parse(above + variant), fn, filename, imports)
        except (SyntaxError, ValueError, RecursionError):
            continue
        if any(_same(c, code) for c in _codes(compiled, code.co_name, code.co_firstlineno)):
            return
    raise SourceChangedError(
        f"the source of {fn.__qualname__} in {filename} (line {code.co_firstlineno}) no "
        f"longer matches the code it runs: the file was edited after {fn.__qualname__} "
        "was defined. Reload its module (importlib.reload) or run its definition again, "
        "then take the gradient of the new function")


def _instrumented(code: types.CodeType) -> bool:
    """Code with names no source can spell (an import hook rewrote it)."""
    names = code.co_names + code.co_varnames
    if any(not n.isidentifier() for n in names):
        return True
    return any(_instrumented(c) for c in code.co_consts if isinstance(c, types.CodeType))


def _enclosing_class(qualname: str) -> str | None:
    """The innermost class a function is defined in (it mangles ``__names``), if any."""
    parts = qualname.split(".")[:-1]
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "<locals>":
            continue
        if i + 1 < len(parts) and parts[i + 1] == "<locals>":
            continue  # a function's name
        return parts[i]
    return None


_IMPORTS: dict[str, tuple[int, frozenset[str]]] = {}


def _module_imports(filename: str) -> frozenset[str]:
    """The names the module text in ``filename`` binds by ``import`` at its top level."""
    lines = linecache.getlines(filename)
    key = hash(tuple(lines))
    found = _IMPORTS.get(filename)
    if found is not None and found[0] == key:
        return found[1]
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError, RecursionError):
        return frozenset()
    names: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names
                         if a.name != "*")
        elif isinstance(node, ast.stmt) and not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            todo.extend(n for n in ast.iter_child_nodes(node) if isinstance(
                n, (ast.stmt, ast.excepthandler)) or hasattr(n, "body"))
    result = frozenset(names)
    if len(_IMPORTS) > 256:
        _IMPORTS.clear()
    _IMPORTS[filename] = (key, result)
    return result


def _compile_text(above: str, text: str, fn: Any, filename: str,
                  imports: frozenset[str]) -> types.CodeType | None:
    """What :func:`_compile_in_scope` compiles, from the text itself (no tree made in
    Python: about twice as fast) when the function is neither in a class nor a closure and
    the module's imports fit on a line above it (``import _ as np`` on the first of the
    blank lines: every line of ``text`` keeps its number); else None."""
    code = fn.__code__
    if _enclosing_class(fn.__qualname__) is not None or any(
            n != "__class__" for n in code.co_freevars):
        return None
    if imports:
        if not above:
            return None
        above = "import " + ", ".join(f"_ as {n}" for n in sorted(imports)) + above
    return compile(above + text, filename, "exec", flags=code.co_flags & _FUTURE_FLAGS,
                   dont_inherit=True)


def _compile_in_scope(tree: ast.Module, fn: Any, filename: str,
                      imports: frozenset[str]) -> types.CodeType:
    """Compile ``tree`` as ``fn`` was: inside its class and enclosing function."""
    code = fn.__code__
    body: list[ast.stmt] = list(tree.body)
    anchor = body[0] if body else None
    cls = _enclosing_class(fn.__qualname__)
    if cls is not None:
        body = [_located(ast.ClassDef(name=cls, bases=[], keywords=[], body=[],
                                      decorator_list=[], type_params=[]), anchor, body)]
    free = [n for n in code.co_freevars if n != "__class__"]
    if free:
        cells = [ast.Assign(targets=[ast.Name(n, ast.Store())], value=ast.Constant(None))
                 for n in free]
        body = [_located(ast.FunctionDef(name="__srcxform_scope__", args=_no_arguments(),
                                         body=cells, decorator_list=[], returns=None,
                                         type_comment=None, type_params=[]), anchor, body)]
    # never run: binds these names by import, as the module's own text does
    body = [_located(ast.Import(names=[ast.alias(name="_", asname=n)]), anchor)
            for n in sorted(imports)] + body
    for node in body:
        if anchor is not None:
            ast.copy_location(node, anchor)
    return compile(ast.Module(body=body, type_ignores=[]), filename, "exec",
                   flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)


def _located(node: ast.stmt, anchor: ast.stmt | None, body: list[ast.stmt] = ()) -> ast.stmt:
    """``node`` (made here) and its parts at ``anchor``'s place, then ``body`` appended to
    its body: the parsed statements keep their own places and are not walked again."""
    if anchor is not None:
        ast.copy_location(node, anchor)
    fix_locations(node)
    if body:
        node.body = node.body + list(body)
    return node


def _no_arguments() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                         kwarg=None, defaults=[])


def _codes(code: types.CodeType, name: str, firstlineno: int) -> list[types.CodeType]:
    """Every code object nested in ``code`` with this name and first line."""
    found, todo = [], [code]
    while todo:
        c = todo.pop()
        if c.co_name == name and c.co_firstlineno == firstlineno:
            found.append(c)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return found


def _lines(code: types.CodeType) -> list[Any]:
    return [line for _, _, line in code.co_lines()]


def _same(a: types.CodeType, b: types.CodeType) -> bool:
    """Equal code: bytecode, constants, names, variables, flags, lines (not columns)."""
    if (a.co_code != b.co_code or a.co_names != b.co_names or a.co_varnames != b.co_varnames
            or a.co_freevars != b.co_freevars or a.co_cellvars != b.co_cellvars
            or a.co_argcount != b.co_argcount or a.co_posonlyargcount != b.co_posonlyargcount
            or a.co_kwonlyargcount != b.co_kwonlyargcount or a.co_name != b.co_name
            or (a.co_flags ^ b.co_flags) & ~_CO_NESTED
            or a.co_firstlineno != b.co_firstlineno or _lines(a) != _lines(b)
            or len(a.co_consts) != len(b.co_consts)):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) or isinstance(y, types.CodeType):
            if not (isinstance(x, types.CodeType) and isinstance(y, types.CodeType)
                    and _same(x, y)):
                return False
        elif type(x) is not type(y) or repr(x) != repr(y):
            return False
    return True
