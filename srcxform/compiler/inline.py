"""Inlining: a rule of the table into generated code, a user function into its caller.

After :func:`inline_call`, a call of a user's function (a plain Python
function that is not in the rule table, see :func:`funcvalues.is_user_function`) has
been replaced, during normalization, by the callee's own body normalized at
the call site: the callee is parsed and put through the front end
(:func:`prepare_callee`: check, control, aggregates, loops); its parameters
are assigned the caller's atoms (defaults as constants or bound objects);
every local of the callee gets a fresh name; every free name that means
something else in the caller than in the callee's module is bound, under a
fresh name, to the object it means there; each statement carries the
caller's line; recursion is a located ``TransformError``.

After :func:`inline_rule`, the rule's body has become plain statements over
the caller's names: its parameters replaced by the primal atoms, the
cotangent and the result; its locals renamed to fresh names; its free names
turned into constants (numbers) or helper references (``np``, ``math``,
``unbroadcast``); and each ``return`` turned into one expression per primal
parameter (``None`` where the rule gives no gradient).  Rules whose returns
sit inside ``if`` branches assign per-parameter result names instead, which
the optimizer folds when the branch conditions are constant.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any

from ..rules import Rule
from . import anno
from .aggregates import replace_dicts_function
from .astutil import (
    copy_tree,
    fix_locations,
    names_stored,
    names_under_control_flow,
    params_of,
    walk,
)
from .check import check_function, error
from .control import structure_function
from .env import Env
from .funcvalues import (
    bind_parameter,
    free_names,
    hoist,
    known_cells,
    rename_free,
    static_arguments,
)
from .helpers import adopt_effects, complete_returns
from .loops import canonicalize_function
from .names import Namer
from .parse import Parsed, code_signature, parse_function
from .resolve import MISSING, Scope


@dataclass
class Template:
    node: ast.FunctionDef
    params: list[str]
    vararg: str | None
    kwarg: str | None
    locals: set[str]
    comprehension_vars: set[str]
    inlinable: bool | None = None  # (_inlinable, decided on first use)
    free: list[str] = field(default_factory=list)  # names not bound in it, in walk order
    branch_return: bool = False  # a return inside an ``if``: per-parameter result names


@functools.cache
def template(rule: Rule) -> Template:
    """The parsed body of ``rule``'s function (parsed once); a rule whose source cannot be
    read (made by ``exec``, a builtin, a C function) is called, never inlined."""
    try:
        src = textwrap.dedent(inspect.getsource(rule.vjp))
    except (OSError, TypeError):
        return _called_only(rule)
    node = ast.parse(src).body[0]
    node.decorator_list = []
    args = node.args
    params = params_of(node)
    local_names = names_stored(node)
    comp_vars = set()
    for sub in walk(node):
        if isinstance(sub, ast.comprehension):
            comp_vars |= {n.id for n in walk(sub.target) if isinstance(n, ast.Name)}
    local_names -= comp_vars
    tpl = Template(node, params, args.vararg and args.vararg.arg,
                   args.kwarg and args.kwarg.arg, local_names, comp_vars)
    bound = set(params) | local_names | {tpl.vararg, tpl.kwarg} | comp_vars
    tpl.free = list(dict.fromkeys(sub.id for sub in walk(node)
                                  if isinstance(sub, ast.Name) and sub.id not in bound))
    tpl.branch_return = _has_branch_return(_without_docstring(node.body))
    return tpl


def _called_only(rule: Rule) -> Template:
    """The template of a rule known only by its signature: called, never inlined."""
    params: list[str] = []
    vararg = kwarg = None
    for p in rule.signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            vararg = p.name
        elif p.kind is p.VAR_KEYWORD:
            kwarg = p.name
        else:
            params.append(p.name)
    node = ast.FunctionDef(getattr(rule.vjp, "__name__", "rule"), ast.arguments(
        [], [], None, [], [], None, []), [ast.Pass()], [], None)
    return Template(node, params, vararg, kwarg, set(), set(), inlinable=False)


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body


def _always_returns(stmts: list[ast.stmt]) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return False


def _has_branch_return(stmts: list[ast.stmt]) -> bool:
    return any(isinstance(s, ast.If) and any(isinstance(n, ast.Return) for n in walk(s))
               for s in stmts)


def _return_elements(ret: ast.Return, whole: bool = False) -> list[ast.expr | None]:
    value = ret.value
    elts = value.elts if isinstance(value, ast.Tuple) and not whole else [value]
    return [None if isinstance(e, ast.Constant) and e.value is None else e for e in elts]


def _lower_returns(stmts: list[ast.stmt], results: list[str | None],
                   whole: bool = False) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for i, s in enumerate(stmts):
        if isinstance(s, ast.Return):
            for name, e in zip(results, _return_elements(s, whole)):
                if name is not None and e is not None:
                    out.append(ast.Assign([ast.Name(name, ast.Store())], e))
            return out
        if isinstance(s, ast.If) and any(isinstance(n, ast.Return) for n in walk(s)):
            if not _always_returns(s.body):
                raise AssertionError("rule bodies may return inside an if only at its end")
            s.body = _lower_returns(s.body, results, whole)
            s.orelse = _lower_returns(s.orelse + stmts[i + 1:], results, whole)
            out.append(s)
            return out
        out.append(s)
    return out


_COMPOUND = (ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef, ast.Lambda, ast.ClassDef,
             ast.AsyncFunctionDef, ast.Global, ast.Nonlocal, ast.Yield, ast.Delete)


def _inlinable(rule: Rule, tpl: Template) -> bool:
    """A rule body of plain statements over module globals (user rules may be anything);
    decided once per template."""
    if tpl.inlinable is None:
        tpl.inlinable = _decide_inlinable(rule, tpl)
    return tpl.inlinable


def _decide_inlinable(rule: Rule, tpl: Template) -> bool:
    if getattr(rule.vjp, "__closure__", None):
        return False
    body = tpl.node.body
    if any(isinstance(n, _COMPOUND) for s in body for n in walk(s)):
        return False
    try:
        _lower_returns(copy_tree(body, {}), [None])
    except AssertionError:
        return False
    return isinstance(body[-1], ast.Return) or _always_returns(body)


def _called(rule: Rule, tpl: Template, bound: dict[str, ast.expr], g: ast.expr, out: ast.expr,
            namer: Namer, env: Env, whole: bool = False,
            ) -> tuple[list[ast.stmt], list[ast.expr | None]]:
    """``parts = rule(g, out, *args)``; gradient ``i`` is ``parts[i]`` (``parts`` itself
    with ``whole``).  Arguments of a ``*args`` parameter count one by one."""
    sig = rule.signature.parameters
    args: list[ast.expr] = [g, out]
    keywords: list[ast.keyword] = []
    for p in tpl.params[2:]:
        if p not in bound:
            continue
        if sig[p].kind is sig[p].KEYWORD_ONLY:
            keywords.append(ast.keyword(p, bound[p]))
        else:
            args.append(bound[p])
    if tpl.vararg and isinstance(bound.get(tpl.vararg), ast.Tuple):
        args += bound[tpl.vararg].elts
    elif tpl.vararg and tpl.vararg in bound:
        args.append(ast.Starred(bound[tpl.vararg], ast.Load()))
    fn_name = env.ref(rule.vjp, getattr(rule.vjp, "__name__", "rule"))
    parts = namer.fresh(f"{rule.name}_grads")
    call = ast.Assign([ast.Name(parts, ast.Store())],
                      ast.Call(ast.Name(fn_name, ast.Load()), args, keywords))
    fix_locations(call)
    if whole:
        return [call], [ast.Name(parts, ast.Load())]
    count = len(tpl.params[2:])
    if tpl.vararg and isinstance(bound.get(tpl.vararg), ast.Tuple):
        count += len(bound[tpl.vararg].elts)
    results: list[ast.expr | None] = [
        ast.Subscript(ast.Name(parts, ast.Load()), ast.Constant(i), ast.Load())
        for i in range(count)]
    return [call], results


def _instantiate(node: Any, mapping: dict[str, ast.expr], renames: dict[str, str]) -> Any:
    """A copy of the template tree ``node`` (or list) in which a name of ``renames`` is
    renamed and a name of ``mapping`` read is replaced by a copy of its expression; the
    template itself is left as it is (one pass: copied and substituted at once)."""
    if isinstance(node, list):
        return [_instantiate(n, mapping, renames) for n in node]
    if not isinstance(node, ast.AST):
        return node
    if node.__class__ is ast.Name:
        if node.id in renames:
            return ast.Name(renames[node.id], node.ctx)
        if node.ctx.__class__ is ast.Load and node.id in mapping:
            return copy_tree(mapping[node.id], {})
    new = node.__class__.__new__(node.__class__)
    fields = new.__dict__
    for key, value in node.__dict__.items():
        fields[key] = _instantiate(value, mapping, renames) \
            if isinstance(value, (ast.AST, list)) else value
    return new


def inline_rule(rule: Rule, bound: dict[str, ast.expr], g: ast.expr, out: ast.expr,
                namer: Namer, env: Env, result_names: list[str | None] | None = None,
                receiver_adjoints: list[str | None] | None = None,
                whole: bool = False,
                ) -> tuple[list[ast.stmt], list[ast.expr | None]]:
    """Inline ``rule`` for one primal statement.

    ``bound`` maps each primal parameter of the rule to the caller's atom (a
    Constant for a defaulted parameter, a Tuple for a ``*args`` parameter).
    Returns the statements to emit and one gradient expression per primal
    parameter, in the rule's parameter order.  With ``whole`` the returned value
    is one expression even when it is a tuple (a tangent of a multi-output
    primitive): it comes back as the first result.
    """
    tpl = template(rule)
    if not _inlinable(rule, tpl):
        return _called(rule, tpl, bound, g, out, namer, env, whole)
    primal = tpl.params[2:]
    mapping: dict[str, ast.expr] = {tpl.params[0]: g, tpl.params[1]: out}
    mapping.update(bound)
    if tpl.vararg:
        mapping.setdefault(tpl.vararg, ast.Constant(()))
    # Free names of the rule body: numbers become constants, the rest helpers.
    module_globals = rule.vjp.__globals__
    for free in tpl.free:
        if free not in mapping and (free in module_globals or hasattr(builtins, free)):
            # (a builtin the rule calls, `max`, is referred to as such: the user's
            # module may have a global of that name)
            obj = module_globals[free] if free in module_globals else getattr(builtins, free)
            if isinstance(obj, (int, float)) and not isinstance(obj, bool):
                mapping[free] = ast.Constant(obj)
            else:
                name = env.ref(obj, free)
                if name != free:
                    mapping[free] = ast.Name(name, ast.Load())
    renames = {}
    body = _without_docstring(tpl.node.body)
    # A local the rule returns is the gradient of an input: name it after that
    # input's adjoint (or make it the adjoint itself on its first contribution).
    tail_stmt = tpl.node.body[-1] if isinstance(tpl.node.body[-1], ast.Return) else None
    if tail_stmt is not None and not tpl.branch_return:
        for i, e in enumerate(_return_elements(tail_stmt, whole)):
            if isinstance(e, ast.Name) and e.id in tpl.locals and e.id not in renames \
                    and e.id not in tpl.params:
                direct = (result_names or [None] * (i + 1))[i] if result_names and \
                    i < len(result_names) else None
                adj = receiver_adjoints[i] if receiver_adjoints and \
                    i < len(receiver_adjoints) else None
                if direct is not None:
                    renames[e.id] = direct
                elif adj is not None:
                    renames[e.id] = namer.fresh(f"{adj}_part")
    for var in sorted(tpl.comprehension_vars):  # never the user's name of the same spelling
        renames[var] = namer.fresh(var)
    prologue: list[ast.stmt] = []
    for local in sorted(tpl.locals - set(renames)):
        fresh = namer.fresh(local)
        renames[local] = fresh
        if local in mapping:  # a parameter the body reassigns: start from its value
            prologue.append(ast.Assign([ast.Name(fresh, ast.Store())], mapping.pop(local)))
    if tpl.branch_return:
        names = list(result_names or [None] * len(primal))
        names += [None] * (len(primal) - len(names))
        names = [n or namer.fresh(f"grad_{p}") for n, p in zip(names, primal)]
        body = _lower_returns(copy_tree(body, {}), names, whole)
        results: list[ast.expr | None] = [ast.Name(n, ast.Load()) for n in names]
        # A parameter that no branch gives a gradient for has none.
        assigned = {t.id for s in body for n in walk(s) if isinstance(n, ast.Assign)
                    for t in n.targets if isinstance(t, ast.Name)}
        results = [r if r.id in assigned else None for r in results]
        stmts = prologue + _instantiate(body, mapping, renames)
    else:
        results = [None if r is None else _instantiate(r, mapping, renames)
                   for r in _return_elements(body[-1], whole)]
        stmts = prologue + _instantiate(body[:-1], mapping, renames)
    results += [None] * (len(primal) - len(results))
    for s in stmts:
        fix_locations(s)
    return stmts, results


# -- user functions: their bodies normalized at the call site -----------------------------------

def prepare_callee(callee: Any, statics: dict[str, Any] | None = None
                   ) -> tuple[Parsed, set[str]]:
    """``callee`` parsed and through the front end; and the names its unrolled loops assign.
    ``statics``: parameters bound to known objects, which its loops may unroll over."""
    inner = parse_function(callee)
    known_cells(inner, statics)
    hoist(inner)  # nested defs and lambdas become function values (funcvalues.py)
    complete_returns(inner)  # a procedure returns None (helpers.py)
    check_function(inner)
    fn = inner.node
    structure_function(fn, Namer.for_tree(fn, extra={fn.name}))
    replace_dicts_function(inner, Namer.for_tree(fn, extra={fn.name}))
    fixed = canonicalize_function(inner)
    return inner, fixed


def inline_call(norm: Any, callee: Any, node: ast.Call, args: list[ast.expr],
                keywords: dict[str, ast.expr]) -> ast.expr:
    """Normalize ``callee``'s body at the call site with the normalizer ``norm``
    (``normalize._Normalizer``); return the atom of its result."""
    name = callee.__qualname__
    if callee.__code__ in norm.inline_stack:
        raise error(norm.parsed, node, f"{name} calls itself; recursion cannot be "
                    "differentiated by source transformation", "recursion")
    try:
        bound = code_signature(callee).bind(*args, **keywords)
    except TypeError as exc:
        raise TypeError(f"{name}(): {exc}") from None
    bound.apply_defaults()
    inner, unrolled = prepare_callee(callee, static_arguments(norm, bound.arguments))
    fn = inner.node
    call_line = norm.line
    rename = _rename_callee(norm, inner)
    adopt_effects(norm, inner, rename)  # its own arrays written into, lists grown (helpers.py)
    params = params_of(fn)
    norm.locals |= {rename[n] for n in set(params) | names_stored(fn)
                    | {a.arg for a in (fn.args.vararg, fn.args.kwarg) if a is not None}}
    for sub in walk(fn):
        if isinstance(sub, ast.Name) and sub.id in rename:
            sub.id = rename[sub.id]
    rename_free(fn.body, rename)  # what its local functions read of it
    norm.fixed |= names_under_control_flow(fn) | {rename[n] for n in unrolled}
    vararg = getattr(fn.args.vararg, "arg", None)
    kwarg = getattr(fn.args.kwarg, "arg", None)

    def prepare(param: str, value: Any) -> ast.expr:
        if param == vararg:  # *args: a tuple of atoms
            return ast.Tuple(list(value), ast.Load())
        if param == kwarg:  # **kwargs: dict(k=atom, ...)
            return ast.Call(ast.Name("dict", ast.Load()), [],
                            [ast.keyword(k, v) for k, v in value.items()])
        return value if isinstance(value, ast.AST) else _default_value(norm, value, param)

    parsed = Parsed(fn=callee, node=fn, filename=inner.filename,
                    globals=norm.parsed.globals, closure=norm.parsed.closure)
    return normalize_inlined(norm, parsed, callee.__code__, rename, bound.arguments,
                             call_line, prepare)


def normalize_inlined(norm: Any, parsed: Parsed, origin: Any, rename: dict[str, str],
                      arguments: dict[str, Any], call_line: int,
                      prepare: Any = None) -> ast.expr:
    """Normalize the renamed body of an inlined function (``parsed.node``) into ``norm``:
    each parameter bound to its argument (``prepare(param, value)`` makes the atom; a
    function value stays known), then each statement; the atom of the result.  Every
    statement it adds carries the call's line; ``origin`` marks the call on the inline
    stack (recursion)."""
    start = len(norm.out)
    saved = norm.parsed
    norm.parsed = parsed
    norm.inline_stack.append(origin)
    try:
        for param, value in arguments.items():
            if prepare is not None:
                value = prepare(param, value)
            norm.line = call_line
            if not bind_parameter(norm, rename[param], value):
                norm.assign(rename[param], value)
        body = parsed.node.body
        for stmt in body[:-1]:
            norm.statement(stmt)
        norm.line = call_line
        result = norm.atom(body[-1].value)
    finally:
        norm.inline_stack.pop()
        norm.parsed = saved
    for stmt in norm.out[start:]:
        for sub in walk(stmt):
            if isinstance(sub, ast.stmt):
                anno.set(sub, anno.LINE, call_line)
    norm.line = call_line
    return result


def _rename_callee(norm: Any, inner: Parsed) -> dict[str, str]:
    """Hygiene of inlining: fresh names for the callee's locals, and for each free name that
    means another object in the caller — or that the caller's generated code already uses
    as a local — a fresh name bound to the object it means in the callee's own module and
    closure (in ``norm.foreign``).  Every free name kept as it is gets reserved first, so
    neither these locals nor any later temporary or adjoint takes a name the callee reads."""
    fn = inner.node
    local = ({a.arg for a in (fn.args.vararg, fn.args.kwarg) if a is not None}
             | set(params_of(fn)) | names_stored(fn))
    callee_scope = Scope(inner)
    rename: dict[str, str] = {}
    first: dict[str, ast.Name] = {}
    for sub in walk(fn):
        if isinstance(sub, ast.Name) and sub.id not in local:
            first.setdefault(sub.id, sub)
    for name in sorted(first):
        obj = callee_scope.lookup(name)
        if obj is MISSING:
            raise error(inner, first[name], f"name {name!r} is not defined", "undefined name")
        if norm.scope.lookup(name) is obj and name not in norm.namer.made:
            norm.namer.reserve(name)  # read as it is: no generated local may take it
        else:
            rename[name] = norm.namer.fresh(name)
            norm.foreign[rename[name]] = obj
    for name in sorted(free_names(fn.body) - local - set(first)):  # read by its local functions
        obj = callee_scope.lookup(name)
        if obj is not MISSING and (norm.scope.lookup(name) is not obj
                                   or name in norm.namer.made):
            rename[name] = norm.namer.fresh(name)
            norm.foreign[rename[name]] = obj
        else:
            norm.namer.reserve(name)
    for name in sorted(local):
        rename[name] = norm.namer.fresh(name)
    return rename


def _default_value(norm: Any, value: Any, hint: str) -> ast.expr:
    """A default argument value as an expression of generated code."""
    if value is None or isinstance(value, (bool, int, float, complex, str)):
        return ast.Constant(value)
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
        return ast.Constant(value)
    ref = norm.namer.fresh(hint + "_default")
    norm.foreign[ref] = value
    node = ast.Name(ref, ast.Load())
    anno.set(node, anno.GLOBAL, True)
    return node
