"""Kept code made live again: an entry's text compiled and bound as the loader binds it.

After :func:`compile_entry`, the generated text of a disk cache entry
(``persist.py``) is compiled — exactly the text kept, which is the text the
loader showed, header included — into the functions it defines, each bound
to the user's globals (live), the function's own closure cells by name, new
cells for the values the entry says (``cells``), and, for ``grad`` and
``value_and_grad``, the function's defaults; the text is registered in
``linecache`` until the last of them is gone, and the lines of the user's
calls in ``origins.py``, so tracebacks, ``inspect.getsource`` and located
errors work as for code made by the passes (``compiler/loader.py``).
"""

from __future__ import annotations

import ast
import types
from typing import Any

from .. import depends
from .. import origins as srcxform_origins
from ..compiler import Transformed, loader
from .describe import decode

GENERATED_KINDS = ("grad", "value_and_grad")


def compile_entry(fn: Any, data: dict[str, Any], cells: dict[str, Any]) -> Transformed:
    """The generated functions of ``data``, bound as ``loader.load_all`` binds them."""
    text, names = data["text"], data["names"]
    if not loader.LINE_BREAKS.isdisjoint(text):
        raise ValueError("a line break other than \\n")
    free = [name for name, _ in data["free"]]
    own = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    filename = f"{data['label']} #{next(loader._counter)}>"
    factory = loader.factory_code(ast.parse(text), free, names, filename, located=True)
    codes = {c.co_name: c for c in factory.co_consts if isinstance(c, types.CodeType)}
    info = data["made"]
    keep_defaults = info["kind"] in GENERATED_KINDS
    made_fns = []
    for name, doc in zip(names, data["docs"]):
        inner = codes[name]
        closure = tuple(own[n] if n not in cells else types.CellType(cells[n])
                        for n in inner.co_freevars)
        out = types.FunctionType(inner, fn.__globals__, name,
                                 fn.__defaults__ if keep_defaults else None, closure)
        if keep_defaults:
            out.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
        out.__qualname__ = name
        out.__module__ = fn.__module__
        out.__doc__ = doc
        made_fns.append(out)
    loader.register(filename, text, [codes[n] for n in names])
    if data["origins"]:
        srcxform_origins.register(filename, data["origins_file"],
                                  {o[0]: tuple(o[1:]) for o in data["origins"]})
    depends.note_frozen(cells.values())
    shapes = decode(info["shapes"])
    made = Transformed(fn=made_fns[0], source=info["source"], wrt=tuple(info["wrt"]),
                       kind=info["kind"], rank_dependent=info["rank_dependent"],
                       ranks=decode(info["ranks"]), shapes=shapes,
                       backward=made_fns[1] if len(made_fns) > 1 else None,
                       result_layout=decode(info["layout"]))
    made.fn.__srcxform__ = made
    return made
