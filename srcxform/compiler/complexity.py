"""Maybe-complex names: the names of a body that may hold a complex value made inside it.

After :func:`maybe_complex_names`, the returned set holds every name that some
statement of the body assigns a value mentioning a complex constant (``1j``),
a global or closure value that is complex (a number or an array), ``complex``,
a complex NumPy type or dtype (also by name: ``"complex64"``), a ``cmath``
function or one of NumPy's that make complex values of real ones (``np.fft``,
``np.emath``, ``np.linalg.eig``/``eigvals``, ``np.roots``), or another such
name (a fixpoint over the whole body, so the answer holds at every point of
it).  :func:`mentions_complex` asks it of one expression,
:func:`index_mentions_complex` of a whole body already walked.  The optimizer's
``math`` shortcut for a NumPy function of a scalar
(``rewrite_shapes.scalar_math``) is not taken for such values: ``math.sin``
refuses complex numbers where ``np.sin`` is holomorphic.  (A complex
*argument* gets a specialisation key of its own and no shape,
``cache/specialise.COMPLEX_SCALAR``, so no shortcut applies to it either.)
The adjoint buffers of a body that mentions one are complex (``widen.py``).
"""

from __future__ import annotations

import ast
import cmath
import re
from typing import Any

import numpy as np

from .astutil import nodes, walk
from .env import Env

#: NumPy functions that may return complex values for real arguments.
_MAKERS = frozenset(id(f) for f in (np.linalg.eig, np.linalg.eigvals, np.roots))
_MAKER_MODULES = ("numpy.fft", "numpy.lib.scimath", "numpy.lib._scimath_impl")


def _complex_object(obj: object) -> bool:
    if obj is complex or isinstance(obj, complex):
        return True
    if getattr(obj, "__module__", None) == "cmath" or obj is cmath:
        return True
    if isinstance(obj, type) and issubclass(obj, np.complexfloating) \
            or isinstance(obj, np.dtype) and obj.kind == "c":
        return True
    if id(obj) in _MAKERS or obj is np.fft or obj is np.emath \
            or getattr(obj, "__module__", None) in _MAKER_MODULES:
        return True
    return isinstance(obj, (np.ndarray, np.generic)) and np.iscomplexobj(obj)


_DTYPE_NAME = re.compile(r"[<>=|]?[A-Za-z]+[0-9]*")


def _complex_dtype_name(value: object) -> bool:
    """True for a string naming a complex dtype (``x.astype("complex64")``)."""
    if not isinstance(value, str) or len(value) > 20 or not _DTYPE_NAME.fullmatch(value):
        return False  # (NumPy parses ", " and the like as record layouts, and may raise)
    try:
        return np.dtype(value).kind == "c"
    except Exception:  # noqa: BLE001 - not a dtype
        return False


def mentions_complex(node: ast.AST, names: set[str] | frozenset[str], env: Env | None) -> bool:
    """True when ``node`` mentions a complex constant, one of ``names`` or (resolved by
    ``env``) a complex global, ``complex`` or a ``cmath`` function."""
    denoted: dict[str, bool] = {}  # per name read: whether it denotes a complex object
    for sub in nodes(node):
        cls = sub.__class__
        if cls is ast.Name:
            if sub.id in names:
                return True
            # (a name denotes the same object wherever env resolves it: resolved once)
            complex_ = denoted.get(sub.id) if sub.ctx.__class__ is ast.Load else False
            if complex_ is None:
                complex_ = denoted[sub.id] = _complex_node(sub, env)
            if complex_:
                return True
        elif cls in _DENOTING and _complex_node(sub, env):
            return True
    return False


#: The nodes :func:`_complex_node` may find complex (for any other it is False).
_DENOTING = frozenset({ast.Constant, ast.Name, ast.Attribute})


def _complex_node(sub: ast.AST, env: Env | None) -> bool:
    """``sub`` itself (not its children) is a complex constant or denotes a complex object."""
    if isinstance(sub, ast.Constant):
        return isinstance(sub.value, complex) or _complex_dtype_name(sub.value)
    if env is not None and isinstance(sub, (ast.Name, ast.Attribute)) \
            and isinstance(getattr(sub, "ctx", None), ast.Load):
        try:
            obj = env.resolve(sub)
        except Exception:  # noqa: BLE001 - an expression env cannot resolve: unknown
            obj = None
        if obj is not None and _complex_object(obj):
            return True
    return False


def index_mentions_complex(names: list[ast.Name], others: list[ast.AST], env: Env | None
                           ) -> bool:
    """:func:`mentions_complex` of a whole body (with no names given), from a walk of it
    made for other questions too (``astutil.names_and``): ``names`` its ``Name`` nodes,
    ``others`` nodes of other classes, of which the constants, names and attributes are
    looked at; each name and each chain of attributes on a name (``np.fft.fft``) is
    resolved once, as it denotes one object wherever ``env`` resolves it."""
    denoted: dict[Any, bool] = {}
    for node in names:
        if node.ctx.__class__ is ast.Load and node.id not in denoted:
            if _complex_node(node, env):
                return True
            denoted[node.id] = False
    for node in others:
        cls = node.__class__
        if cls is ast.Constant:
            if _complex_node(node, env):
                return True
        elif cls is ast.Attribute:
            if node.ctx.__class__ is not ast.Load:  # (only what is read denotes an object)
                continue
            key = _chain(node)
            if key is None:
                if _complex_node(node, env):
                    return True
            elif key not in denoted:
                denoted[key] = complex_ = _complex_node(node, env)
                if complex_:
                    return True
        elif cls in _DENOTING and _complex_node(node, env):
            return True
    return False


def _chain(node: ast.Attribute) -> tuple[str, ...] | None:
    """``("np", "fft", "fft")`` for ``np.fft.fft``; None unless a chain of attributes on a name."""
    parts = []
    while node.__class__ is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is not ast.Name:
        return None
    parts.append(node.id)
    return tuple(parts)


def _reads(value: ast.AST, env: Env | None, walruses: list[ast.NamedExpr],
           names: dict[str, bool]) -> frozenset[str] | None:
    """The names ``value`` reads, or None when it is complex whatever they hold (what
    ``mentions_complex(value, (), env)`` finds: its nodes resolved in the same order, up
    to the same first complex one).  Appends the ``:=`` of ``value`` to ``walruses``;
    ``names``: whether a name read denotes a complex object, per name (filled here: a
    name denotes the same object wherever ``env`` resolves it)."""
    found: set[str] | None = set()
    for sub in nodes(value):
        cls = sub.__class__
        if cls is ast.NamedExpr:
            walruses.append(sub)
        if found is None:
            continue
        if cls is ast.Name:
            complex_ = names.get(sub.id) if sub.ctx.__class__ is ast.Load else False
            if complex_ is None:
                complex_ = names[sub.id] = _complex_node(sub, env)
            if complex_:
                found = None
            else:
                found.add(sub.id)
        elif cls in _DENOTING and _complex_node(sub, env):
            found = None
    return None if found is None else frozenset(found)


def _targets(stmt: ast.AST) -> tuple[list[ast.expr], ast.AST | None]:
    if isinstance(stmt, ast.Assign):
        return stmt.targets, stmt.value
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return [stmt.target], stmt.value
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.target], stmt.iter
    if isinstance(stmt, ast.NamedExpr):
        return [stmt.target], stmt.value
    return [], None


_SIMPLE = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign})
_ASSIGNING = frozenset({ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor,
                        ast.NamedExpr})


def maybe_complex_names(body: list[ast.stmt], env: Env | None) -> frozenset[str]:
    """The names some statement of ``body`` assigns a value that may be complex."""
    found: set[str] = set()
    waiting: list[tuple[set[str], frozenset[str]]] = []  # (assigned, read) not yet complex
    resolved: dict[str, bool] = {}  # (_reads)
    unresolved: dict[str, bool] = {}  # (_reads without env)

    def assignment(node: ast.Assign | ast.AugAssign | ast.AnnAssign | ast.NamedExpr) -> None:
        targets, value = _targets(node)
        if value is None:  # an annotation alone
            return
        names = {targets[0].id} if len(targets) == 1 and targets[0].__class__ is ast.Name \
            else {n.id for t in targets for n in walk(t) if n.__class__ is ast.Name}
        walruses: list[ast.NamedExpr] = []
        # (a value assigned to no name is not resolved: only its := are looked for)
        reads = _reads(value, env if names else None, walruses,
                       resolved if names else unresolved)
        if names and reads is None:
            found.update(names)
        elif names:
            waiting.append((names, reads))
        for inner in walruses:
            assignment(inner)

    for stmt in body:
        if stmt.__class__ in _SIMPLE:  # its value's walk finds the assignments inside it
            assignment(stmt)
            continue
        for node in walk(stmt):
            if node.__class__ in _ASSIGNING:
                targets, value = _targets(node)
                names = {n.id for t in targets for n in walk(t) if n.__class__ is ast.Name}
                if names and value is not None:
                    reads = _reads(value, env, [], resolved)
                    if reads is None:
                        found.update(names)
                    else:
                        waiting.append((names, reads))
    changed = True
    while changed:  # a value reading a name that may be complex may be complex
        changed = False
        for names, reads in waiting:
            if not names <= found and not reads.isdisjoint(found):
                found |= names
                changed = True
    return frozenset(found)
