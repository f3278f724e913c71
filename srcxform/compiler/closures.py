"""Calls of function values: nested functions, partials, bound methods, callable objects.

After :func:`call_value`, a call whose callee is a function value
(``funcvalues.py``) — a local function (its free names read the enclosing
variables as they are at the call, as Python's closures do), a
``functools.partial`` (made in the body or passed in), a bound method of a
known object (the method's body with ``self`` bound), or a callable object —
has its body normalized at the call site, and the call is replaced by the
atom holding its result.  A call of a parameter of the transformed function
whose value is known only per call raises :class:`NeedsSpecialisation`
before a generic version is made.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import types
from typing import Any

from .. import depends
from . import anno
from .astutil import names_stored, names_under_control_flow, params_of, walk
from .diagnostics import error
from .funcvalues import (
    LocalFunction,
    NeedsSpecialisation,
    PartialValue,
    constant_of,
    is_static_object,
    is_user_function,
    is_value_call,
    rename_free,
    static_of,
)
from .inline import normalize_inlined
from .parse import Parsed

# -- calls ------------------------------------------------------------------------------------

def call_value(norm: Any, node: ast.Call) -> ast.expr | None:
    """Inline a call of a function value (module docstring); None if ``node`` calls
    something else (a rule, a user function by name, a method of an array)."""
    from .resolve import MISSING

    f = node.func
    obj: Any = MISSING
    if isinstance(f, ast.Constant) and isinstance(f.value, (LocalFunction, PartialValue)):
        obj = f.value
    elif isinstance(f, (ast.Name, ast.Attribute)):
        obj = norm.resolve(f)
        if obj is MISSING:
            _check_specialised(norm, f)
            return None
    elif isinstance(f, (ast.Call, ast.Subscript)):
        obj = _known_element(norm, f)
        if obj is None:
            obj = static_of(norm, norm.atom(f))
        if obj is None:
            raise error(norm.parsed, f, "only named functions and methods can be called",
                        "call of a computed function")
    named = isinstance(f, (ast.Name, ast.Attribute))  # (else: a function value, any kind)
    if obj is MISSING or (named and not is_value_call(obj)):
        return None
    args = [norm.atom(a) for a in node.args]
    keywords = {k.arg: norm.atom(k.value) for k in node.keywords}
    return call_static(norm, obj, node, args, keywords)




def _known_element(norm: Any, f: ast.expr) -> Any:
    """``TABLE["huber"]`` (``TABLE`` a known global container, the key a constant): the
    function or object it holds, or None."""
    from .resolve import MISSING

    if not (isinstance(f, ast.Subscript) and isinstance(f.value, (ast.Name, ast.Attribute))):
        return None
    container = norm.resolve(f.value)
    if container is MISSING or not isinstance(container, (dict, list, tuple)):
        return None
    key = constant_of(norm, f.slice if isinstance(f.slice, ast.Constant) else norm.atom(f.slice))
    if key is MISSING:
        return None
    try:
        obj = container[key]
    except (KeyError, IndexError, TypeError):
        return None
    if not is_static_object(obj):
        return None
    depends.note_item(container, key, obj)  # compiled in: a new TABLE[key] is new code
    return obj


def call_static(norm: Any, obj: Any, node: ast.Call, args: list[ast.expr],
                keywords: dict[str, ast.expr]) -> ast.expr:
    """The result atom of calling the static ``obj`` with these atoms."""
    from .inline import inline_call

    if obj is functools.partial:
        if not args:
            raise error(norm.parsed, node, "functools.partial needs a function", "partial")
        target = static_of(norm, args[0])
        if target is None:
            raise error(norm.parsed, node, "functools.partial of a value that is not a known "
                        "function", "partial")
        return ast.Constant(PartialValue(target, args[1:], keywords))
    if isinstance(obj, PartialValue):
        return call_static(norm, obj.func, node, obj.args + args, {**obj.keywords, **keywords})
    if isinstance(obj, functools.partial):
        pre = [static_atom(norm, a, "partial_arg") for a in obj.args]
        kws = {k: static_atom(norm, v, k) for k, v in (obj.keywords or {}).items()}
        return call_static(norm, obj.func, node, pre + args, {**kws, **keywords})
    if isinstance(obj, LocalFunction):
        return inline_local(norm, obj, node, args, keywords)
    if inspect.ismethod(obj):
        receiver = static_atom(norm, obj.__self__, "self")
        return call_static(norm, obj.__func__, node, [receiver] + args, keywords)
    if is_user_function(obj):
        return inline_call(norm, obj, node, args, keywords)
    if not inspect.isfunction(obj) and callable(obj) and not isinstance(obj, type):
        call = inspect.getattr_static(type(obj), "__call__", None)
        if inspect.isfunction(call) and is_user_function(call):
            receiver = static_atom(norm, obj, "self")
            return inline_call(norm, call, node, [receiver] + args, keywords)
    # a rule, a NumPy function, a builtin passed as a value: called by a name bound to it
    ref = static_atom(norm, obj, getattr(obj, "__name__", "fn"))
    call = ast.Call(ref, args, [ast.keyword(k, v) for k, v in keywords.items()])
    anno.set(call, anno.CALLEE, obj)
    anno.set(call, anno.METHOD, None)
    anno.set(call, anno.NODE, node)
    return norm.temp(getattr(obj, "__name__", "call"), call)


def static_atom(norm: Any, obj: Any, hint: str) -> ast.expr:
    """An atom of generated code denoting ``obj`` (a constant, or a name bound to it)."""
    if obj is None or isinstance(obj, (bool, int, float, complex, str)):
        return ast.Constant(obj)
    if isinstance(obj, ast.AST):
        return obj
    for name, known in norm.foreign.items():
        if known is obj:
            ref = name
            break
    else:
        base = hint if hint.isidentifier() else "value"
        ref = norm.namer.fresh(base)
        norm.foreign[ref] = obj
    node = ast.Name(ref, ast.Load())
    anno.set(node, anno.GLOBAL, True)
    return node


def _check_specialised(norm: Any, f: ast.expr) -> None:
    """A call of a parameter of the transformed function (or of its method) that is not
    known: ask the cache to compile per value."""
    import numpy as np

    root, array_like = f, True
    while isinstance(root, ast.Attribute):
        array_like = array_like and hasattr(np.ndarray, root.attr)
        root = root.value
    if f is not root and array_like:
        return  # `x.sum(...)`, `x.T.dot(y)`: a method of an array, as generic code handles
    if isinstance(root, ast.Name) and not getattr(norm, "specialised", True) \
            and root.id in norm.params and norm.current.get(root.id) == root.id:
        raise NeedsSpecialisation([root.id], norm.parsed, f)


# -- inlining a local function ----------------------------------------------------------------

def _signature(fv: LocalFunction) -> inspect.Signature:
    args = fv.node.args
    defaults = list(fv.defaults or [])
    positional = args.posonlyargs + args.args
    n_pos_defaults = len(args.defaults)
    pos_defaults = defaults[:n_pos_defaults] if fv.defaults is not None else list(args.defaults)
    kw_defaults = defaults[n_pos_defaults:] if fv.defaults is not None else list(args.kw_defaults)
    params = []
    P = inspect.Parameter
    first_default = len(positional) - n_pos_defaults
    for i, a in enumerate(positional):
        kind = P.POSITIONAL_ONLY if a in args.posonlyargs else P.POSITIONAL_OR_KEYWORD
        default = pos_defaults[i - first_default] if i >= first_default else P.empty
        params.append(P(a.arg, kind, default=default))
    for a, d in zip(args.kwonlyargs, kw_defaults):
        params.append(P(a.arg, P.KEYWORD_ONLY, default=P.empty if d is None else d))
    return inspect.Signature(params)


def inline_local(norm: Any, fv: LocalFunction, node: ast.Call, args: list[ast.expr],
                 keywords: dict[str, ast.expr]) -> ast.expr:
    """Normalize the local function ``fv``'s body at the call site; its result atom."""
    from .aggregates import replace_dicts_function
    from .control import structure_function
    from .helpers import adopt_effects
    from .loops import canonicalize_function
    from .names import Namer

    if fv.origin in norm.inline_stack:
        raise error(norm.parsed, node, f"{fv.name} calls itself; recursion cannot be "
                    "differentiated by source transformation", "recursion")
    try:
        bound = _signature(fv).bind(*args, **keywords)
    except TypeError as exc:
        raise error(norm.parsed, node, f"{fv.name}(): {exc}", "call of a local function") \
            from None
    bound.apply_defaults()
    fn = copy.deepcopy(fv.node)
    empty = {n: types.CellType() for n in fv.outer}
    inner = Parsed(fn=norm.parsed.fn, node=fn, filename=fv.filename, globals=fv.globals,
                   closure={**fv.closure, **empty})
    structure_function(fn, Namer.for_tree(fn, extra={fn.name}))
    replace_dicts_function(inner, Namer.for_tree(fn, extra={fn.name}))
    unrolled = canonicalize_function(inner)
    own = sorted(set(params_of(fn)) | names_stored(fn))
    rename = {n: norm.namer.fresh(n) for n in own}
    for free, outer in fv.outer.items():
        norm.namer.reserve(outer)  # no temporary may shadow what it reads
        if free not in rename:
            rename[free] = outer
    adopt_effects(norm, inner, rename)
    for sub in walk(fn):
        if isinstance(sub, ast.Name) and sub.id in rename:
            sub.id = rename[sub.id]
    rename_free(fn.body, rename)
    norm.locals |= {rename[n] for n in own}
    norm.fixed |= {rename.get(n, n) for n in names_under_control_flow(fn)} \
        | {rename.get(n, n) for n in unrolled}
    return _normalize_body(norm, inner, fv.origin, rename, bound.arguments)


def _normalize_body(norm: Any, inner: Parsed, origin: Any, rename: dict[str, str],
                    arguments: dict[str, Any]) -> ast.expr:
    saved = norm.parsed
    parsed = Parsed(fn=saved.fn, node=inner.node, filename=inner.filename,
                    globals=saved.globals, closure=saved.closure)
    return normalize_inlined(norm, parsed, origin, rename, arguments, norm.line)
