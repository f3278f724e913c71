"""Functions srcxform made, seen as the generated code they run.

A function srcxform hands out (the guard ``grad`` returns, a gradient of a
gradient, forward columns) is not the code it runs: it checks facts,
dispatches on shapes or loops over tangents.  After :func:`give_concrete`,
such a function answers ``concrete_maker(public)(args, kwargs)`` with the
generated function it runs for those arguments — for ``args`` None, the
generic code, right for any arguments — a plain function whose source the
loader keeps (``loader.py``), so it can be transformed again (``grad`` of a
gradient, to any order) or inlined where differentiated code calls it.
:func:`columns_function` turns forward-mode code of one scalar argument into
the gradient it computes, as such a generated function (the tangent fixed
to 1).  ``functools.wraps`` copies the attribute onto a user's wrapper, which
computes something else: :func:`concrete_maker` answers only for the very
object it was given to.
"""

from __future__ import annotations

import ast
import types
from typing import Any, Callable

from .loader import load_all
from .parse import Parsed

Maker = Callable[[Any, Any], Callable[..., Any]]


def give_concrete(public: Callable[..., Any], make: Maker,
                  by_arity: Callable[[int, tuple[str, ...]], Callable[..., Any]] | None = None
                  ) -> None:
    """Let ``public`` (made by srcxform) answer :func:`concrete_maker` with ``make``;
    ``by_arity(positional, keywords)``, for a function whose code depends on the arity of
    its call (the gradient of a ``*args`` function), gives the code for calls of that many
    positional arguments and those keyword names, with values unknown (see
    :func:`code_for_call`)."""
    make.owner = id(public)  # type: ignore[attr-defined]
    make.by_arity = by_arity  # type: ignore[attr-defined]
    public.__srcxform_concrete__ = make  # type: ignore[attr-defined]


def concrete_maker(f: Any) -> Maker | None:
    """``make(args, kwargs)`` giving the generated function ``f`` runs, if srcxform made
    ``f`` (not a copy of the attribute on another object); else None."""
    make = getattr(f, "__srcxform_concrete__", None)
    return make if make is not None and getattr(make, "owner", None) == id(f) else None


def code_for_call(f: Any, call: ast.Call) -> Callable[..., Any]:
    """The generated code ``f`` (made by srcxform) runs, to inline at ``call`` in code being
    transformed: the generic code ``make(None, None)``, or, for a function whose code
    depends on its call's arity, the code for the arity ``call`` has when it stars nothing
    (``TypeError`` or ``ValueError`` saying why there is none)."""
    make = concrete_maker(f)
    by_arity = getattr(make, "by_arity", None)
    if by_arity is not None and not any(isinstance(a, ast.Starred) for a in call.args) \
            and all(k.arg is not None for k in call.keywords):
        return by_arity(len(call.args), tuple(k.arg for k in call.keywords))
    return make(None, None)


class _Cells:
    """The helper objects a generated function's closure holds (what ``loader`` binds)."""

    def __init__(self, fn: types.FunctionType) -> None:
        self.cells = {n: c.cell_contents for n, c in
                      zip(fn.__code__.co_freevars, fn.__closure__ or ())}


def columns_function(made: Any, kind: str, name: str, count: int, tuple_wrt: bool,
                     defaults: tuple | None) -> Callable[..., Any]:
    """``made`` (the forward-mode transform of generated code ``f``, one scalar tangent
    after ``f``'s ``count`` parameters, which have ``defaults``) as ``f``'s ``kind``
    (``grad`` or ``value_and_grad``): the tangent parameter becomes ``1.0``."""
    fn = made.fn
    tree = ast.parse(made.source)
    node = tree.body[0]
    ret = node.body[-1]
    if not (isinstance(node, ast.FunctionDef) and len(node.args.args) == count + 1
            and isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple)
            and len(ret.value.elts) == 2):
        raise TypeError(f"{name}: unexpected forward-mode code")
    tangent = node.args.args.pop()
    node.name = name
    node.body.insert(0, ast.Assign([ast.Name(tangent.arg, ast.Store())], ast.Constant(1.0)))
    value, grad = ret.value.elts
    if tuple_wrt:
        grad = ast.Tuple([grad], ast.Load())
    ret.value = ast.Tuple([value, grad], ast.Load()) if kind == "value_and_grad" else grad
    source = ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    parsed = Parsed(fn=fn, node=node, filename=fn.__code__.co_filename,
                    globals=fn.__globals__)
    out = load_all(source, [name], parsed, _Cells(fn), kind, keep_defaults=False)[0]
    out.__defaults__ = defaults
    out.__srcxform__ = made  # generated code (its gradient may again need forward columns)
    return out
