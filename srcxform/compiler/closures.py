"""Functions as values: nested ``def`` and ``lambda``, closures, partials, bound methods.

After :func:`hoist` (run on the function being transformed before the check
pass, and on every callee before it is inlined), no nested ``def`` or
``lambda`` is left in a function body: each is replaced by a constant holding
a :class:`LocalFunction` — its syntax (itself hoisted and checked), where it
was defined, and ``outer``, the name each of its free variables has in the
enclosing body.  A ``def name(...)`` statement becomes ``name = <constant>``.

During normalization a function value is a *static*: a name bound, in
``norm.foreign``, to the object it denotes (the resolver's ``bound`` names,
looked up first), never a variable of generated code.  :func:`bind_parameter`
binds an inlined parameter that way when its argument is a function value
or a known object (a function, a partial, a bound method, a user object), so
a function passed down to helpers stays known; :func:`call_value` inlines a
call of a local function (its free names read the enclosing variables as
they are at the call, as Python's closures do), of a ``functools.partial``
(made in the body or passed in), of a bound method of a known object (the
method's body with ``self`` bound), and of a callable object.  A static
parameter of the transformed function itself (a function-valued argument or
default, a user object) is known only per call: without a specialisation,
calling it raises :class:`NeedsSpecialisation`, and the cache compiles a
version per value (``srcxform/cache/statics.py``).
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import itertools
import types
from dataclasses import dataclass, field
from typing import Any

from ..errors import TransformError
from . import anno
from .astutil import names_loaded, names_stored, names_under_control_flow, params_of
from .diagnostics import error
from .parse import Parsed

_ORIGINS = itertools.count(1)


class NeedsSpecialisation(Exception):
    """The function calls (or calls a method of) a parameter whose value is known only per
    call: it must be compiled for the values it is called with."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"specialise on the values of {', '.join(names)}")
        self.names = names


@dataclass
class LocalFunction:
    """A nested ``def`` or ``lambda`` (see the module docstring)."""

    node: ast.FunctionDef
    filename: str
    globals: dict[str, Any]
    closure: dict[str, Any]
    outer: dict[str, str]              # free name -> its name in the enclosing body
    origin: int = 0                    # the same for every copy (recursion is refused)
    defaults: list[ast.expr] | None = None  # evaluated at the definition, when known
    name: str = "lambda"

    def __repr__(self) -> str:  # how a generated-code listing shows it
        return f"<local function {self.name}>"


@dataclass
class PartialValue:
    """``functools.partial(f, *args, **keywords)`` made in the body: ``f`` a static."""

    func: Any
    args: list[ast.expr] = field(default_factory=list)
    keywords: dict[str, ast.expr] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "<partial>"


# -- hoisting ---------------------------------------------------------------------------------

def hoist_functions(program: Any) -> Any:
    """The pass: :func:`hoist` on the function being transformed."""
    hoist(program.parsed)
    return program


def hoist(parsed: Parsed) -> None:
    """Replace every nested ``def`` and ``lambda`` of ``parsed.node`` by a LocalFunction
    constant (innermost first), each checked by the check pass."""
    fn = parsed.node
    fn.body = [_Hoister(parsed).visit(s) for s in fn.body]
    ast.fix_missing_locations(fn)


class _Hoister(ast.NodeTransformer):
    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.stmt:
        if node.decorator_list:
            raise error(self.parsed, node.decorator_list[0], "a decorated nested function "
                        "cannot be inlined; define it undecorated, or at module level",
                        "decorated nested function")
        value = ast.copy_location(ast.Constant(_local(self.parsed, node)), node)
        return ast.copy_location(ast.Assign([ast.Name(node.name, ast.Store())], value), node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        ret = ast.copy_location(ast.Return(node.body), node.body)
        fn = ast.FunctionDef(name="lambda_", args=node.args, body=[ret], decorator_list=[],
                             returns=None, type_comment=None, type_params=[])
        ast.copy_location(fn, node)
        return ast.copy_location(ast.Constant(_local(self.parsed, fn)), node)


def _local(parsed: Parsed, node: ast.FunctionDef) -> LocalFunction:
    from .check import check_function
    from .helpers import complete_returns

    args = node.args
    if args.vararg or args.kwarg:
        raise error(parsed, args.vararg or args.kwarg, "*args/**kwargs parameters of a "
                    "nested function are not supported", "variadic parameter")
    defaults = list(args.defaults) + [d for d in args.kw_defaults if d is not None]
    for d in defaults:
        for sub in ast.walk(d):
            if isinstance(sub, (ast.Lambda, ast.FunctionDef)):
                raise error(parsed, sub, "a function as a default of a nested function is "
                            "not supported", "function-valued default")
    node.body = [_Hoister(parsed).visit(s) for s in node.body]
    inner = Parsed(fn=parsed.fn, node=node, filename=parsed.filename, globals=parsed.globals,
                   closure=parsed.closure, lines=parsed.lines)
    complete_returns(inner)
    check_function(inner)
    own = set(params_of(node)) | names_stored(node)
    free = names_loaded(node) | {n for fv in _locals_in(node.body) for n in fv.outer.values()}
    free -= own
    for d in defaults:
        free |= names_loaded(d)
    name = "lambda" if node.name == "lambda_" else node.name
    return LocalFunction(node, parsed.filename, parsed.globals, parsed.closure,
                         {n: n for n in sorted(free)}, next(_ORIGINS), None, name)


def _locals_in(tree: Any) -> list[LocalFunction]:
    trees = tree if isinstance(tree, list) else [tree]
    return [n.value for t in trees for n in ast.walk(t)
            if isinstance(n, ast.Constant) and isinstance(n.value, LocalFunction)]


def rename_free(tree: Any, mapping: dict[str, str]) -> None:
    """Rename, in ``tree``'s local-function constants, the enclosing names they read."""
    trees = tree if isinstance(tree, list) else [tree]
    for t in trees:
        for n in ast.walk(t):
            if isinstance(n, ast.Constant) and isinstance(n.value, LocalFunction):
                fv = copy.copy(n.value)
                fv.outer = {k: mapping.get(v, v) for k, v in fv.outer.items()}
                if fv.defaults is None:
                    fv.node = copy.deepcopy(fv.node)
                    args = fv.node.args
                    for d in list(args.defaults) + [d for d in args.kw_defaults if d]:
                        for sub in ast.walk(d):
                            if isinstance(sub, ast.Name) and sub.id in mapping:
                                sub.id = mapping[sub.id]
                n.value = fv


def free_names(tree: Any) -> set[str]:
    """The enclosing names the local functions of ``tree`` read."""
    return {v for fv in _locals_in(tree) for v in fv.outer.values()}


# -- statics ----------------------------------------------------------------------------------

_PLAIN = (int, float, complex, bool, str, bytes, tuple, list, dict, set, frozenset,
          type(None), slice, type(Ellipsis))


def is_static_object(obj: Any) -> bool:
    """An object generated code treats as a constant of the specialisation: a function
    value (local, partial, method, any callable that is not a class) or an instance of a
    user's class (not an array, number, string or container)."""
    if isinstance(obj, (LocalFunction, PartialValue, functools.partial)):
        return True
    if isinstance(obj, _PLAIN) or isinstance(obj, type) or isinstance(obj, types.ModuleType):
        return False
    import numpy as np

    if isinstance(obj, (np.ndarray, np.generic)):
        return False
    if callable(obj):
        return True
    module = (type(obj).__module__ or "").split(".")[0]
    return module not in ("numpy", "builtins", "srcxform", "scipy", "torch")


def static_of(norm: Any, value: ast.expr) -> Any:
    """The static object an atom (or ``known[constant]``) denotes, or None."""
    from .resolve import MISSING

    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant) \
            and anno.get(value.value, anno.GLOBAL, False):
        try:
            obj = norm.scope.resolve(value.value)[value.slice.value]
        except Exception:  # noqa: BLE001 - not a known element
            return None
        return obj if is_static_object(obj) else None
    if isinstance(value, ast.Constant):
        return value.value if isinstance(value.value, (LocalFunction, PartialValue)) else None
    if isinstance(value, ast.Name) and value.id in norm.foreign:
        obj = norm.foreign[value.id]
        return obj if is_static_object(obj) else None
    if anno.get(value, anno.GLOBAL, False):
        try:
            obj = norm.scope.resolve(value)
        except Exception:  # noqa: BLE001 - a property raising: not a static
            return None
        return obj if obj is not MISSING and is_static_object(obj) else None
    return None


def static_arguments(norm: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments of an inlined call that are known objects, by parameter."""
    out = {}
    for name, value in arguments.items():
        obj = static_of(norm, value) if isinstance(value, ast.AST) else (
            value if is_static_object(value) else None)
        if obj is not None and not isinstance(obj, (LocalFunction, PartialValue)):
            out[name] = obj
    return out


def known_cells(parsed: Parsed, statics: dict[str, Any] | None) -> None:
    """Let the front end's resolver see ``statics`` (parameters bound to known objects)."""
    if statics:
        parsed.known = dict(statics)


def is_inlined(obj: Any) -> bool:
    """A callable whose call is inlined: a user function, method or partial of one (its
    result, a list say, is looped over like any value)."""
    from .inline import is_user_function

    return is_user_function(obj) or _is_value_call(obj)


def static_loop(scope: Any, it: ast.expr, target: ast.expr
                ) -> list[list[tuple[ast.expr, ast.expr]]] | None:
    """``for target in it`` over known sequences holding known objects (layers of a
    model): per copy of the body, the ``(target, element)`` assignments; else None."""
    from .resolve import MISSING

    parts = [(target, it)]
    if isinstance(it, ast.Call) and scope.resolve(it.func) is zip and not it.keywords \
            and isinstance(target, ast.Tuple) and len(target.elts) == len(it.args):
        parts = list(zip(target.elts, it.args))
    lengths, objects = [], False
    for _, seq in parts:
        if not isinstance(seq, (ast.Name, ast.Attribute)):
            return None
        try:
            value = scope.resolve(seq)
        except Exception:  # noqa: BLE001 - a property raising: not known
            return None
        if value is MISSING or not isinstance(value, (list, tuple)):
            return None
        lengths.append(len(value))
        objects = objects or any(is_static_object(v) for v in value)
    if not objects:
        return None
    return [[(copy.deepcopy(t), ast.Subscript(copy.deepcopy(seq), ast.Constant(k), ast.Load()))
             for t, seq in parts] for k in range(min(lengths))]


def static_truth(norm: Any, test: ast.expr) -> bool | None:
    """``x is None`` / ``x is not None`` of a name bound to a known object or to ``None``
    (an argument): its value, known when compiling; else None."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.Is, ast.IsNot))
            and isinstance(test.left, ast.Name) and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return None
    name = norm.current.get(test.left.id, test.left.id)
    if name not in norm.foreign:
        return None
    same = norm.foreign[name] is None
    return same if isinstance(test.ops[0], ast.Is) else not same


def bind_parameter(norm: Any, name: str, value: ast.expr) -> bool:
    """Bind the inlined parameter ``name`` to a static argument (or to ``None``, which
    ``if p is None`` tests then decide when compiling); False if ``value`` is neither
    (then the caller assigns it)."""
    if (isinstance(value, ast.Constant) and value.value is None) or (
            isinstance(value, ast.Name) and value.id in norm.foreign
            and norm.foreign[value.id] is None):
        norm.foreign[name] = None
        norm.locals.discard(name)
        return True
    obj = static_of(norm, value)
    if obj is None:
        return False
    norm.foreign[name] = obj
    norm.locals.discard(name)
    return True


def is_static_constant(node: ast.AST) -> bool:
    """A constant holding a local function or a partial made in the body."""
    return isinstance(node, ast.Constant) and isinstance(node.value, (LocalFunction, PartialValue))


def bind_assignment(norm: Any, user_name: str, value: ast.expr) -> bool:
    """``name = <function value or known object>``: bind it statically (True), or False
    (then the caller assigns it)."""
    obj = static_of(norm, value)
    held = norm.current.get(user_name)
    if user_name in norm.fixed and norm.depth > 0 and (obj is not None or held in norm.foreign):
        # (an unrolled loop's copies are straight-line code: depth 0, bound one by one)
        raise error(norm.parsed, value, f"{user_name!r} is given a function or object under "
                    "control flow, which srcxform must know when it compiles; give each its "
                    "own name", "function value under control flow")
    if obj is None:
        if held in norm.foreign:
            norm.foreign.pop(held)  # a known object reassigned a value: a variable again
            norm.locals.add(held)
        return False
    if isinstance(obj, LocalFunction):
        obj = copy.copy(obj)
        args = obj.node.args
        if obj.defaults is None and (args.defaults or any(args.kw_defaults)):
            obj.defaults = [norm.atom(copy.deepcopy(d)) if d is not None else None
                            for d in list(args.defaults) + list(args.kw_defaults)]
    target = norm.define(user_name)
    norm.foreign[target] = obj
    norm.locals.discard(target)
    return True


def refuse_static_arguments(norm: Any, node: ast.Call, args: list[ast.expr],
                            keywords: list[ast.keyword]) -> None:
    """A local function or partial passed to a function that is not inlined (a NumPy
    function, a rule): generated code could not call it, so refuse it, located."""
    for a in list(args) + [k.value for k in keywords]:
        obj = static_of(norm, a)
        if isinstance(obj, (LocalFunction, PartialValue)):
            raise error(norm.parsed, node, f"a function defined in the body ({obj!r}) is "
                        f"passed to {ast.unparse(node.func)}(), which srcxform does not "
                        "inline; call it directly, or define it at module level",
                        "local function as an argument")


def bind_statics(norm: Any, statics: dict[str, Any] | None, wrt: list[str]) -> None:
    """Parameters of the transformed function known per call (a specialisation)."""
    norm.specialised = statics is not None
    for name, obj in (statics or {}).items():
        if name in wrt or name not in norm.params or not is_static_object(obj):
            continue
        norm.foreign[name] = obj
        norm.current.pop(name, None)
        norm.locals.discard(name)


def translate(norm: Any, node: ast.expr) -> ast.expr:
    """A Name or dotted reference with its root read through the current SSA name, so a
    reassigned function value resolves to its latest binding."""
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name) and norm.current.get(root.id, root.id) != root.id \
            and norm.current[root.id] in norm.foreign:
        node = copy.deepcopy(node)
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        root.id = norm.current[root.id]
    return node


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
        held = norm.atom(f)
        obj = static_of(norm, held)
        if obj is None:
            raise error(norm.parsed, f, "only named functions and methods can be called",
                        "call of a computed function")
    if obj is MISSING or not _is_value_call(obj):
        return None
    args = [norm.atom(a) for a in node.args]
    keywords = {k.arg: norm.atom(k.value) for k in node.keywords}
    return call_static(norm, obj, node, args, keywords)


def _is_value_call(obj: Any) -> bool:
    if isinstance(obj, (LocalFunction, PartialValue, functools.partial)):
        return True
    if obj is functools.partial:
        return True
    from .inline import is_user_function

    if inspect.ismethod(obj):
        return is_user_function(obj.__func__)
    if not inspect.isfunction(obj) and not isinstance(obj, type) and callable(obj):
        call = inspect.getattr_static(type(obj), "__call__", None)
        return inspect.isfunction(call) and is_user_function(call)
    return False


def call_static(norm: Any, obj: Any, node: ast.Call, args: list[ast.expr],
                keywords: dict[str, ast.expr]) -> ast.expr:
    """The result atom of calling the static ``obj`` with these atoms."""
    from .inline import inline_call, is_user_function

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
    root = f
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name) and not getattr(norm, "specialised", True) \
            and root.id in norm.params and norm.current.get(root.id) == root.id:
        raise NeedsSpecialisation([root.id])


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
        if free not in rename:
            rename[free] = outer
    adopt_effects(norm, inner, rename)
    for sub in ast.walk(fn):
        if isinstance(sub, ast.Name) and sub.id in rename:
            sub.id = rename[sub.id]
    rename_free(fn.body, rename)
    norm.locals |= {rename[n] for n in own}
    norm.fixed |= {rename.get(n, n) for n in names_under_control_flow(fn)} \
        | {rename.get(n, n) for n in unrolled}
    return _normalize_body(norm, inner, fv.origin, rename, bound.arguments)


def _normalize_body(norm: Any, inner: Parsed, origin: Any, rename: dict[str, str],
                    arguments: dict[str, Any]) -> ast.expr:
    call_line = norm.line
    start = len(norm.out)
    saved = norm.parsed
    norm.parsed = Parsed(fn=saved.fn, node=inner.node, filename=inner.filename,
                         globals=saved.globals, closure=saved.closure)
    norm.inline_stack.append(origin)
    try:
        for param, value in arguments.items():
            norm.line = call_line
            if not bind_parameter(norm, rename[param], value):
                norm.assign(rename[param], value)
        body = inner.node.body
        for stmt in body[:-1]:
            norm.statement(stmt)
        norm.line = call_line
        result = norm.atom(body[-1].value)
    except TransformError:
        raise
    finally:
        norm.inline_stack.pop()
        norm.parsed = saved
    for stmt in norm.out[start:]:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.stmt):
                anno.set(sub, anno.LINE, call_line)
    norm.line = call_line
    return result
