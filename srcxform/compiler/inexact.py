"""Surely-inexact names: those that hold a float or complex value wherever they are read.

After :func:`surely_inexact_names`, the returned set holds every name each
binding of which gives a surely inexact value (:func:`surely_inexact`): a
float or complex literal, a differentiated argument (integer ones are promoted
to float on entry), a true division, arithmetic with such a value, a global
or closure value that is one, an element or slice of one, a differentiable
NumPy function or method of one (not ``astype``/``view``, nor with a
``dtype=``), or a srcxform derivative helper applied to one (a fixpoint over
the whole body, so the answer holds at every point of it; adjoints are found
by their bindings like any name).  The optimizer folds ``e * 1.0``,
``e + 0.0`` and ``e / 1`` to ``e`` only for such an ``e``: an integer array
times 1.0 is a float array (and an integer array raised to a negative power
raises).
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .. import rules
from .astutil import names_and, walk
from .env import Env

#: Methods (with rules) whose result may have another dtype: ``x.astype(int)``.
_RETYPING = frozenset({"astype", "view"})
#: The classes of the nodes below that bind names (any other node binds none).
BINDING = frozenset({ast.Assign, ast.For, ast.AsyncFor, ast.comprehension, ast.AnnAssign,
                      ast.NamedExpr, ast.FunctionDef, ast.Lambda, ast.With, ast.ExceptHandler})
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Pow, ast.MatMult, ast.FloorDiv, ast.Mod)


def _inexact_call(fn: Any, node: ast.Call) -> bool:
    """True when calling ``fn`` as ``node`` on a surely inexact argument gives one."""
    if fn is None or any(k.arg and (k.arg.startswith("return_") or k.arg == "dtype")
                         for k in node.keywords):
        return False  # np.unique(x, return_counts=True): integer counts; dtype=int
    if fn is np.where and len(node.args) < 3:
        return False  # np.where(x): indices
    if str(getattr(fn, "__module__", None) or "").startswith("srcxform.rules"):
        return True  # a derivative helper of the generated code (copied, prod_of_others)
    try:
        return rules.lookup(fn) is not None and not rules.is_nondifferentiable(fn)
    except TypeError:  # an unhashable callable: no rule
        return False


def _inexact_global(node: ast.Name, env: Env) -> bool:
    """A global or closure value that is a float or complex number or array (the guard
    checks such values on every call, so this holds whenever the code runs)."""
    try:
        obj = env.resolve(node)
    except Exception:  # noqa: BLE001 - a name env cannot resolve: unknown
        return False
    if isinstance(obj, (float, complex, np.floating, np.complexfloating)):
        return True
    return isinstance(obj, np.ndarray) and obj.dtype.kind in "fc"


def surely_inexact(node: ast.expr, names: set[str] | frozenset[str], env: Env | None) -> bool:
    """True when ``node``'s value is surely a float or complex number or array (never an
    integer or a boolean), given that ``names`` are."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (float, complex))
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.USub, ast.UAdd)) and surely_inexact(node.operand,
                                                                            names, env)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Div):
            return True
        return isinstance(node.op, _ARITHMETIC) and (
            surely_inexact(node.left, names, env) or surely_inexact(node.right, names, env))
    if isinstance(node, ast.Subscript):
        return surely_inexact(node.value, names, env)
    if isinstance(node, ast.Attribute):  # x.T, z.real
        return rules.lookup_attribute(node.attr) is not None \
            and surely_inexact(node.value, names, env)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr not in _RETYPING \
                and rules.lookup_method(func.attr) is not None \
                and not any(k.arg == "dtype" for k in node.keywords) \
                and surely_inexact(func.value, names, env):
            return True  # x.sum(), x.reshape(3, 2)
        if env is None or not any(surely_inexact(a, names, env) for a in node.args):
            return False
        try:
            fn = env.resolve(func)
        except Exception:  # noqa: BLE001 - an expression env cannot resolve: unknown
            return False
        return _inexact_call(fn, node)
    return False


def surely_inexact_names(body: list[ast.stmt], params: list[str], wrt: list[str],
                         env: Env | None,
                         index: tuple[list[ast.Name], list[ast.AST]] | None = None
                         ) -> set[str]:
    """The names of ``body`` every binding of which is surely inexact: the greatest such set
    (a loop's ``b = b * 0.5`` keeps ``b`` inexact when its first value is); ``params`` are
    bound on entry to unknown values, except the differentiated ones (``wrt``).
    ``index``: ``astutil.names_and(body, classes)`` for ``classes`` holding
    :data:`BINDING` (a caller's walk that asks more), else the body is walked here."""
    values: dict[str, list[ast.expr | None]] = {p: [] if p in wrt else [None] for p in params}
    # every name node (for the globals below), and the nodes that bind names
    read, binders = index if index is not None else names_and(body, BINDING)
    for node in binders:
        cls = node.__class__
        if cls not in BINDING:  # (nodes of the index asked for another question)
            continue
        if cls is ast.Assign:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values.setdefault(target.id, []).append(node.value)
                elif not isinstance(target, ast.Subscript):  # unpacking: unknown
                    for sub in walk(target):
                        if isinstance(sub, ast.Name):
                            values.setdefault(sub.id, []).append(None)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            for sub in walk(node.target):
                if isinstance(sub, ast.Name):
                    values.setdefault(sub.id, []).append(None)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and isinstance(node.target,
                                                                           ast.Name):
            values.setdefault(node.target.id, []).append(node.value)
        # (``t += e`` keeps an inexact t inexact: a float array is written in place, and a
        # Python float plus anything numeric that is not complex is a float)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda, ast.With, ast.ExceptHandler)):
            for sub in walk(node):  # names bound otherwise: never inexact
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    values.setdefault(sub.id, []).append(None)
    found = {n for n, v in values.items() if None not in v}
    if env is not None:  # globals and closure values read, never bound here
        for node in read:
            if node.id not in values:
                values[node.id] = [] if _inexact_global(node, env) else [None]
                if not values[node.id]:
                    found.add(node.id)
    changed = True
    while changed:
        changed = False
        for name in list(found):
            if not all(surely_inexact(v, found, env) for v in values[name]):
                found.discard(name)
                changed = True
    return found
