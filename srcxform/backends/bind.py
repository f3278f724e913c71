"""Loading generated code (and the helpers it calls) for one array namespace.

After :func:`bound` ``(fn, ns)`` returns the version of a generated function
``fn`` that runs on namespace object ``ns``: the same text as ``fn``'s
(``sx.source``), rewritten at load time (``rewrite.py``), compiled under a
file name of its own whose ``linecache`` lines are exactly that text, with
``fn``'s live module globals, ``fn``'s closure cells (srcxform's helpers and
the user's closure variables), ``fn``'s defaults, and the namespace object
in a cell of its own.  Helper functions the code calls (``unbroadcast``,
``scalar_seed``, the sequence helpers, a user rule with a loop) are loaded
the same way from their own source.  Versions are cached per function and
namespace object, and released with the function.

:func:`bound_all` does the same for several functions compiled from one text
(the forward and backward sweeps of ``vjp``), which share their cells.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import linecache
import textwrap
import threading
import types
import weakref
from typing import Any

from ..compiler.loader import factory_code
from .errors import NamespaceError
from .namespace import Namespace
from .rewrite import NS, lookup_in, rewrite

_BOUND: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_HELPERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.RLock()
_counter = itertools.count(1)
FACTORY = "__sx_namespace_factory__"


def bound(fn: types.FunctionType, ns: Namespace) -> types.FunctionType:
    """``fn`` loaded to run on ``ns`` (cached)."""
    per_fn = _BOUND.get(fn)
    if per_fn is not None:
        found = per_fn.get(ns)
        if found is not None:
            return found
    return bound_all([fn], ns)[0]


def bound_all(fns: list[types.FunctionType], ns: Namespace) -> list[types.FunctionType]:
    """Functions compiled from one generated text, loaded together to run on ``ns``."""
    with _lock:
        found = [(_BOUND.get(f) or {}).get(ns) for f in fns]
        if all(f is not None for f in found):
            return found
        made = _load(fns, ns)
        for f, m in zip(fns, made):
            _BOUND.setdefault(f, {})[ns] = m
        return made


def _source_tree(fn: types.FunctionType) -> tuple[ast.Module, list[str], str]:
    """The tree of the text ``fn`` was compiled from, at its real line numbers."""
    code = fn.__code__
    lines = linecache.getlines(code.co_filename)
    if lines:
        text = "".join(lines)
        return ast.parse(text), lines, text
    info = getattr(fn, "__srcxform__", None)
    text = info.source if info is not None else textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(text)
    ast.increment_lineno(tree, code.co_firstlineno - 1)
    shown = [""] * (code.co_firstlineno - 1) + text.splitlines(True)
    return tree, shown, "".join(shown)


def _load(fns: list[types.FunctionType], ns: Namespace) -> list[types.FunctionType]:
    first = fns[0]
    tree, lines, text = _source_tree(first)
    names = [f.__code__.co_name for f in fns]
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name in names]
    if len(defs) != len(fns):
        raise NamespaceError(f"srcxform: the source of {first.__qualname__} was not found "
                             f"to load it for {ns.name} arrays")
    cells: dict[str, Any] = {}
    for f in fns:
        cells.update(zip(f.__code__.co_freevars, f.__closure__ or ()))
    module = ast.Module(body=defs, type_ignores=[])
    where = ", ".join(f.__qualname__ for f in fns)
    rw = rewrite(module, ns, lookup_in(first.__globals__, cells), where)
    replaced = {name: types.CellType(helper_for(fn, ns)) for name, fn in rw.functions.items()}
    filename = f"<srcxform {where} on {ns.name} #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, list(lines), filename)
    factory = factory_code(module, sorted(set(cells) | set(rw.functions) | {NS}), names, filename,
                           FACTORY)
    codes = {c.co_name: c for c in factory.co_consts if isinstance(c, types.CodeType)}
    ns_cell = types.CellType(ns)
    made = []
    for f in fns:
        inner = codes[f.__code__.co_name]
        closure = tuple(ns_cell if v == NS else replaced.get(v) or cells[v]
                        for v in inner.co_freevars)
        out = types.FunctionType(inner, f.__globals__, f.__name__, f.__defaults__, closure)
        out.__kwdefaults__ = f.__kwdefaults__
        out.__qualname__ = f.__qualname__
        out.__module__ = f.__module__
        out.__doc__ = f.__doc__
        out.__srcxform__ = getattr(f, "__srcxform__", None)
        out.__srcxform_namespace__ = ns
        made.append(out)
    weakref.finalize(made[0], linecache.cache.pop, filename, None)
    return made


def helper_for(fn: types.FunctionType, ns: Namespace) -> types.FunctionType:
    """A helper function (srcxform's or a user's rule) loaded to run on ``ns`` (cached)."""
    with _lock:
        per_fn = _HELPERS.get(fn)
        if per_fn is not None and ns in per_fn:
            return per_fn[ns]
        try:
            lines, first = inspect.getsourcelines(fn)
        except (OSError, TypeError):
            raise NamespaceError(f"srcxform: the source of {fn.__qualname__}, which generated "
                                 f"code calls, is unavailable to load it for {ns.name} "
                                 f"arrays") from None
        tree = ast.parse(textwrap.dedent("".join(lines)))
        ast.increment_lineno(tree, first - 1)
        node = tree.body[0]
        if not isinstance(node, ast.FunctionDef):
            raise NamespaceError(f"srcxform: cannot load {fn.__qualname__} for {ns.name} "
                                 "arrays (it is not a plain def)")
        node.decorator_list = []
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
        module = ast.Module(body=[node], type_ignores=[])
        placeholder = types.CellType()
        _HELPERS.setdefault(fn, {})[ns] = _Late(placeholder)  # recursion: a late binding
        try:
            rw = rewrite(module, ns, lookup_in(fn.__globals__, cells), fn.__qualname__)
            replaced = {name: types.CellType(helper_for(h, ns))
                        for name, h in rw.functions.items()}
            node.name = fn.__code__.co_name
            factory = factory_code(module, sorted(set(cells) | set(rw.functions) | {NS}),
                                   [node.name], fn.__code__.co_filename, FACTORY)
        except BaseException:
            _HELPERS[fn].pop(ns, None)
            raise
        inner = next(c for c in factory.co_consts if isinstance(c, types.CodeType))
        closure = tuple(types.CellType(ns) if v == NS else replaced.get(v) or (
            placeholder if v == node.name and v not in cells else cells[v])  # (recursion)
            for v in inner.co_freevars)
        out = types.FunctionType(inner, fn.__globals__, fn.__name__, fn.__defaults__, closure)
        out.__kwdefaults__ = fn.__kwdefaults__
        out.__qualname__ = fn.__qualname__
        out.__module__ = fn.__module__
        out.__doc__ = fn.__doc__
        placeholder.cell_contents = out
        _HELPERS[fn][ns] = out
        return out


class _Late:
    """A helper being loaded that calls itself: forwards to the finished version."""

    def __init__(self, cell: types.CellType) -> None:
        self.cell = cell

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.cell.cell_contents(*args, **kwargs)
