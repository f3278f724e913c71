"""Function values and static objects: what they are, how they are hoisted and bound.

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
a function passed down to helpers stays known; :func:`bind_assignment` does
the same for ``name = <function value>`` (a nested function's defaults are
evaluated there, as Python does).  A static parameter of the transformed
function itself (a function-valued argument or default, a user object, or
``None`` tested by ``if p is None``) is known only per call: without a
specialisation, using it raises :class:`NeedsSpecialisation`, and the cache
compiles a version per value (``srcxform/cache/statics.py``).  Calls of
function values are inlined by ``closures.py``; this module imports neither
it nor the inliner.
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

from .. import depends
from ..errors import TransformError
from . import anno
from .astutil import fix_locations, names_loaded, names_stored, nodes, params_of, walk
from .diagnostics import error
from .parse import Parsed

_ORIGINS = itertools.count(1)


class NeedsSpecialisation(TransformError):
    """The function calls (or calls a method of, or tests ``is None``) a parameter whose
    value is known only per call: it must be compiled for the values it is called with.
    The cache does so; anywhere else it is a located TransformError."""

    def __init__(self, names: list[str], parsed: Parsed | None = None,
                 node: ast.AST | None = None) -> None:
        super().__init__(f"{', '.join(names)} is compiled in per call (a function, an object "
                         "or None); this code exists only for given arguments: call the "
                         "transformed function (sx.grad, sx.jvp) with them",
                         filename=parsed.filename if parsed else "<unknown>",
                         lineno=getattr(node, "lineno", 0), col=getattr(node, "col_offset", 0),
                         construct="value known per call")
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

    def __deepcopy__(self, memo: dict) -> LocalFunction:  # its syntax copied, its module shared
        return LocalFunction(copy.deepcopy(self.node, memo), self.filename, self.globals,
                             self.closure, dict(self.outer), self.origin,
                             copy.deepcopy(self.defaults, memo), self.name)


@dataclass
class PartialValue:
    """``functools.partial(f, *args, **keywords)`` made in the body: ``f`` a static."""

    func: Any
    args: list[ast.expr] = field(default_factory=list)
    keywords: dict[str, ast.expr] = field(default_factory=dict)

    def __repr__(self) -> str:
        return "<partial>"

    def __deepcopy__(self, memo: dict) -> PartialValue:
        func = copy.deepcopy(self.func, memo) if isinstance(self.func, LocalFunction) \
            else self.func
        return PartialValue(func, copy.deepcopy(self.args, memo),
                            copy.deepcopy(self.keywords, memo))


# -- hoisting ---------------------------------------------------------------------------------

def hoist_functions(program: Any) -> Any:
    """The pass: :func:`hoist` on the function being transformed; and its static arguments
    (objects, functions: a specialisation) made known to the front end's resolver, so
    that its loops over a model's layers unroll (``static_loop``)."""
    from .program import wrt_names

    hoist(program.parsed)
    if program.statics:
        try:
            wrt, _ = wrt_names(program.params, program.positional, program.requested_wrt,
                               program.parsed.fn.__qualname__)
        except (TypeError, ValueError):  # (reported by resolve_wrt, the next pass)
            wrt = program.params
        known_cells(program.parsed, {n: v for n, v in program.statics.items()
                                     if n not in wrt and is_static_object(v)})
    return program


def hoist(parsed: Parsed) -> None:
    """Replace every nested ``def`` and ``lambda`` of ``parsed.node`` by a LocalFunction
    constant (innermost first), each checked by the check pass."""
    fn = parsed.node
    if not any(isinstance(n, (ast.FunctionDef, ast.Lambda)) for n in nodes(fn.body)):
        return  # (nothing to hoist: the walk below would change nothing)
    fn.body = [_Hoister(parsed).visit(s) for s in fn.body]
    fix_locations(fn)


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
        for sub in walk(d):
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
    return [n.value for t in trees for n in walk(t)
            if isinstance(n, ast.Constant) and isinstance(n.value, LocalFunction)]


def rename_free(tree: Any, mapping: dict[str, str]) -> None:
    """Rename, in ``tree``'s local-function constants, the enclosing names they read."""
    trees = tree if isinstance(tree, list) else [tree]
    for t in trees:
        for n in walk(t):
            if isinstance(n, ast.Constant) and isinstance(n.value, LocalFunction):
                fv = copy.copy(n.value)
                fv.outer = {k: mapping.get(v, v) for k, v in fv.outer.items()}
                if fv.defaults is None:
                    fv.node = copy.deepcopy(fv.node)
                    args = fv.node.args
                    for d in list(args.defaults) + [d for d in args.kw_defaults if d]:
                        for sub in walk(d):
                            if isinstance(sub, ast.Name) and sub.id in mapping:
                                sub.id = mapping[sub.id]
                n.value = fv


def free_names(tree: Any) -> set[str]:
    """The enclosing names the local functions of ``tree`` read."""
    return {v for fv in _locals_in(tree) for v in fv.outer.values()}


# -- what is inlined ------------------------------------------------------------------------

_LIBRARY_MODULES = ("numpy", "scipy", "math", "builtins", "srcxform", "autograd", "torch",
                    "functools", "operator")


def is_user_function(fn: Any) -> bool:
    """A plain Python function of the user's (its body is differentiated by inlining)."""
    if not inspect.isfunction(fn):
        return False
    from .. import rules
    from .primitives import STOP_GRADIENT

    if rules.lookup(fn) is not None or rules.is_nondifferentiable(fn) or id(fn) in STOP_GRADIENT:
        return False
    module = getattr(fn, "__module__", "") or ""
    return module.split(".")[0] not in _LIBRARY_MODULES


def is_value_call(obj: Any) -> bool:
    if isinstance(obj, (LocalFunction, PartialValue, functools.partial)):
        return True
    if obj is functools.partial:
        return True
    if inspect.ismethod(obj):
        return is_user_function(obj.__func__)
    if not inspect.isfunction(obj) and not isinstance(obj, type) and callable(obj):
        call = inspect.getattr_static(type(obj), "__call__", None)
        return inspect.isfunction(call) and is_user_function(call)
    return False



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
    kind = type(obj)
    if any(hasattr(kind, a) for a in ("__array_namespace__", "__array__", "__array_function__",
                                      "__cuda_array_interface__", "__dlpack__")):
        return False  # another library's array (backends/), not an object compiled in
    if callable(obj):
        return True
    module = (type(obj).__module__ or "").split(".")[0]
    return module not in ("numpy", "builtins", "srcxform", "scipy", "torch")


def static_of(norm: Any, value: ast.expr) -> Any:
    """The static object an atom (or ``known[constant]``) denotes, or None."""
    from .resolve import MISSING

    if isinstance(value, ast.Subscript) and anno.get(value.value, anno.GLOBAL, False):
        key = constant_of(norm, value.slice)
        if key is MISSING:
            return None
        try:
            container = norm.scope.resolve(value.value)
            obj = container[key]
        except Exception:  # noqa: BLE001 - not a known element
            return None
        if not is_static_object(obj):
            return None
        depends.note_item(container, key, obj)  # compiled in: a new FNS[key] is new code
        return obj
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


def constant_of(norm: Any, atom: ast.expr) -> Any:
    """The constant an atom holds: a Constant, or a name last assigned a constant by a
    statement of the current block (``name = "huber"`` in an unrolled loop); else MISSING."""
    from .resolve import MISSING

    if isinstance(atom, ast.Constant):
        return atom.value
    if not isinstance(atom, ast.Name):
        return MISSING
    for stmt in reversed(norm.out):
        if atom.id in names_stored(stmt):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) \
                    and isinstance(stmt.value, ast.Constant) \
                    and isinstance(stmt.value.value, (str, int)):
                return stmt.value.value
            return MISSING
    return MISSING


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
    return is_user_function(obj) or is_value_call(obj)


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
    (an argument): its value, known when compiling; else None.  On a parameter of the
    transformed function without a specialisation: :class:`NeedsSpecialisation`."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], (ast.Is, ast.IsNot))
            and isinstance(test.left, ast.Name) and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return None
    name = norm.current.get(test.left.id, test.left.id)
    name = getattr(norm, "param_alias", {}).get(name, name)
    if name not in norm.foreign:
        if name in norm.params and norm.current.get(name) == name \
                and not getattr(norm, "specialised", True):
            raise NeedsSpecialisation([name], norm.parsed, test)  # compiled per value
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
        if isinstance(value, ast.Name) and value.id in norm.params \
                and norm.current.get(value.id) == value.id:
            norm.param_alias[name] = value.id  # `if p is None` in the callee: per call
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
            obj.defaults = [_default_atom(norm, d) if d is not None else None
                            for d in list(args.defaults) + list(args.kw_defaults)]
    target = norm.define(user_name)
    norm.foreign[target] = obj
    norm.locals.discard(target)
    return True


def _default_atom(norm: Any, default: ast.expr) -> ast.expr:
    """A nested function's default, evaluated where it is defined: a variable is copied
    into a temporary there, so a later assignment to it does not change the default."""
    atom = norm.atom(copy.deepcopy(default))
    if isinstance(atom, ast.Name) and not anno.get(atom, anno.GLOBAL, False) \
            and atom.id not in norm.foreign:
        atom = norm.temp("default", atom)
    return atom


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
    norm.param_alias = {}  # an inlined parameter -> the parameter passed to it unchanged
    for name in free_names(norm.parsed.node.body):  # (hoisted bodies: not in the namer's tree)
        norm.namer.reserve(name)  # a global a local function reads is never a temporary's name
    for name, obj in (statics or {}).items():
        if name in wrt or name not in norm.params or not (obj is None or is_static_object(obj)):
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


