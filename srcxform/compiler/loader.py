"""Pass 8, load: compile generated source into a live function.

After :func:`load`, the returned function runs the generated code with the
user's module globals (live, not a copy), the user's closure cells (live),
and closure cells for srcxform's helpers; its source is registered in
``linecache`` under a unique file name, so tracebacks, ``pdb`` and
``inspect.getsource`` show the generated code.
"""

from __future__ import annotations

import ast
import itertools
import linecache
import types
from typing import Any

from .env import Env
from .parse import Parsed

_counter = itertools.count(1)
FACTORY = "__srcxform_factory__"


def load(source: str, name: str, parsed: Parsed, env: Env, kind: str) -> types.FunctionType:
    """Compile ``source`` (one ``def name``) in the user's environment."""
    tree = ast.parse(source)
    loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    free = sorted(n for n in loads if n in env.cells or n in parsed.closure)
    lines = [f"def {FACTORY}():"]
    lines += [f"    {n} = None" for n in free]
    lines += ["    " + ln if ln else ln for ln in source.splitlines()]
    lines += [f"    return {name}", ""]
    text = "\n".join(lines)
    fn = parsed.fn
    filename = (f"<srcxform {kind} of {fn.__qualname__} "
                f"({parsed.filename}:{fn.__code__.co_firstlineno}) #{next(_counter)}>")
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    module_code = compile(text, filename, "exec")
    factory_code = next(c for c in module_code.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in factory_code.co_consts
                 if isinstance(c, types.CodeType) and c.co_name == name)
    cells = tuple(_cell(n, parsed, env) for n in inner.co_freevars)
    out = types.FunctionType(inner, parsed.globals, name, fn.__defaults__, cells)
    out.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
    out.__qualname__ = name
    out.__module__ = fn.__module__
    return out


def _cell(name: str, parsed: Parsed, env: Env) -> Any:
    if name in env.cells:
        return types.CellType(env.cells[name])
    return parsed.closure[name]
