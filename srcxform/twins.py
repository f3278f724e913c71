"""Twins: a function with other parameters whose body is the user's function.

A twin of ``fn`` is ``def fn(<params>): <prologue>; return fn(<call>)``, compiled
once, with its text registered in ``linecache``.  ``compiler/parse.py`` reads a
twin as ``fn``'s own source with the twin's parameters and the prologue first,
so ``fn``'s body keeps every ability of a top-level function.  Pytree
arguments (``pytrees.py``: one parameter per leaf) and ``*args``/``**kwargs``
(``varargs.py``: one parameter per extra argument) are compiled through twins;
after :func:`compile_twin` such a twin exists and carries what ``parse.py`` and
error messages need.
"""

from __future__ import annotations

import builtins
import itertools
from typing import Any, Callable

_counter = itertools.count(1)


def compile_twin(fn: Callable[..., Any], target: str, params: list[str], prologue: list[str],
                 call: str, kind: str, shown: str) -> Callable[..., Any]:
    """``def target(params): <prologue>; return target(call)`` compiled (its text in
    ``linecache``), ``target`` in its body being ``fn``: a twin that ``compiler/parse.py``
    reads as ``fn`` itself with these parameters and the prologue first.  ``kind`` names
    the twin in its file name; ``shown`` is what errors call it (they name ``fn``'s file)."""
    from .compiler.loader import register

    text = "\n".join([f"def {target}({', '.join(params)}):", *prologue,
                      f"    return {target}({call})", ""])
    filename = f"<srcxform {kind} twin of {fn.__qualname__} #{next(_counter)}>"
    namespace: dict[str, Any] = {"__name__": fn.__module__, "__builtins__": builtins,
                                 target: fn}
    code = compile(text, filename, "exec")
    register(filename, text, [code])
    exec(code, namespace)  # noqa: S102  (the text above, built from identifiers and reprs)
    twin = namespace[target]
    namespace[target] = fn  # (the def bound the twin's own name; the body calls fn)
    twin.__qualname__ = fn.__qualname__
    # (compiler/containers.py checks what is left, and names fn's file in its errors)
    twin.__srcxform_twin__ = (shown, fn.__code__.co_filename, fn.__code__.co_firstlineno)
    twin.__srcxform_twin_code__ = code  # keeps the linecache entry while the twin lives
    # (parse.py parses fn itself for the twin: its parameters these, the prologue first)
    twin.__srcxform_twin_of__ = (fn, params, [line.strip() for line in prologue])
    return twin
