"""What a transform reads while it runs, recorded for the cache.

After ``with recording() as rec:`` around a transform on this thread:

* ``rec.functions`` lists each function whose source ``compiler/parse.py``
  read — the transformed function first, then every inlined helper — and
  each user rule (``sx.adjoint``) the compiler looked up in the table, whose
  body it inlines; with each, what its free references denoted when it was
  read (:class:`Read`): every name the source reads but does not bind, in
  the function's closure, globals or builtins, and along an attribute chain
  (``m.helper``) each attribute of a module, class or user object;
* ``rec.frozen`` holds the ids of the objects the loader bound into the
  generated code by value (a helper's globals of another module, defaults,
  srcxform's own helpers), as opposed to the user's globals and closure
  cells, which generated code reads live;
* ``rec.keys`` lists the user's dicts (globals, closure values) whose keys
  the compiler unrolled a loop over (:func:`note_keys`), with those keys;
* ``rec.attributes`` lists the attributes of objects compiled in (arguments
  of a specialisation: ``self.act``, ``self.layers``) whose values the code
  was made for (:func:`note_attribute`), and the items of the user's dicts and
  lists read by a constant key and compiled in (``FNS["huber"]``,
  :func:`note_item`);
* ``rec.inspected`` holds the ids of the user's values the compiler looked
  at while it optimized (a global's value evaluated to fold a constant,
  ``compiler/optimize.py``), which code made from them depends on.

The cache (``srcxform/cache/``) turns a recording into the facts it checks
before it serves generated code.  Recordings nest: a note reaches every
recording open on the thread.  ``ACTIVE[0]`` counts the recordings open on
all threads, so the table's ``lookup`` pays one comparison when none is.
This module imports nothing from srcxform, so the rule table can import it.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import sys
import textwrap
import threading
import types
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: How many recordings are open on all threads (a list, so importers share it).
ACTIVE = [0]
_local = threading.local()
_active_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class Read:
    """One object a transform read: ``key`` of ``subject`` denoted ``value``.

    ``kind`` is ``"global"`` (``subject`` is a module's globals dict; a name
    it lacks was found in the builtins, ``builtin`` is then True), ``"cell"``
    (``subject`` is a closure cell, ``key`` None) or ``"attr"`` (an attribute
    of the object ``subject``).  ``root`` is the read that starts the chain
    (itself for a name).
    """

    kind: str
    subject: Any
    key: str | None
    value: Any
    builtin: bool = False
    root: Read | None = None
    path: tuple[str, ...] = ()  # the reference read so far: ("m",), ("m", "helper")


@dataclass
class Noted:
    """One function whose source a transform read, with what its free names denoted."""

    fn: Any
    reads: list[Read]
    rule: bool = False  # a user's rule, whose body is inlined
    chains: frozenset[tuple[str, ...]] = frozenset()  # its free references


@dataclass
class Recording:
    """Everything one transform read (see the module docstring)."""

    functions: list[Noted] = field(default_factory=list)
    frozen: set[int] = field(default_factory=set)
    inspected: set[int] = field(default_factory=set)
    keep: list[Any] = field(default_factory=list)  # keeps the ids meaningful
    attributes: list[Read] = field(default_factory=list)  # of objects compiled in
    keys: list[Read] = field(default_factory=list)  # dicts whose keys were compiled in

    def merge(self, other: Recording) -> None:
        """Add what ``other`` (a nested transform, another thread) recorded."""
        self.functions.extend(other.functions)
        self.attributes.extend(other.attributes)
        self.keys.extend(other.keys)
        self.frozen |= other.frozen
        self.inspected |= other.inspected
        self.keep.extend(other.keep)


def _open() -> list[Recording]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextmanager
def recording() -> Iterator[Recording]:
    """Record what the transforms run inside the ``with`` block read."""
    rec = Recording()
    stack = _open()
    stack.append(rec)
    with _active_lock:
        ACTIVE[0] += 1
    try:
        yield rec
    finally:
        stack.remove(rec)
        with _active_lock:
            ACTIVE[0] -= 1


def merge_into_open(rec: Recording) -> None:
    """Hand what another thread recorded to every recording open on this one."""
    for open_rec in _open():
        open_rec.merge(rec)


def note_function(fn: Any, node: ast.AST) -> None:
    """``fn``'s source (its syntax tree ``node``) is being transformed or inlined."""
    stack = _open()
    if not stack:
        return
    chains = frozenset(free_references(node))
    noted = Noted(fn, resolve(fn, chains), chains=chains)
    for rec in stack:
        rec.functions.append(noted)


_RULE_REFERENCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def note_rule(rule: Any) -> None:
    """The compiler looked ``rule`` up; a user's rule's body is inlined, so it counts."""
    fn = getattr(rule, "vjp", None)
    module = getattr(fn, "__module__", "") or ""
    if module == "srcxform" or module.startswith("srcxform.") or not inspect.isfunction(fn):
        return
    stack = _open()
    if not stack:
        return
    chains = _RULE_REFERENCES.get(fn.__code__)
    if chains is None:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
            chains = frozenset(free_references(tree.body[0]))
        except (OSError, TypeError, SyntaxError, IndexError):
            chains = frozenset()  # the compiler calls such a rule; its code identity still counts
        _RULE_REFERENCES[fn.__code__] = chains
    noted = Noted(fn, resolve(fn, chains), rule=True, chains=chains)
    for rec in stack:
        rec.functions.append(noted)


def note_frozen(objects: Any) -> None:
    """The loader bound ``objects`` into generated code by value."""
    stack = _open()
    if not stack:
        return
    objects = list(objects)
    for rec in stack:
        rec.frozen.update(id(o) for o in objects)
        rec.keep.extend(objects)


def note_attribute(subject: Any, key: str, value: Any) -> None:
    """The compiler read ``subject.key`` (``subject`` an object compiled into the code, an
    argument of a specialisation) and compiled ``value`` in (a function it inlines, an
    object whose methods it inlines, a list it unrolls over)."""
    if ACTIVE[0]:
        read = Read("attr", subject, key, value, path=("<object>", key))
        for rec in _open():
            rec.attributes.append(read)
            rec.keep.extend((subject, value))


def note_item(subject: Any, key: Any, value: Any) -> None:
    """The compiler read ``subject[key]`` (a user's dict or list: ``FNS["huber"]``) and
    compiled ``value`` in (a function it inlines): a later ``FNS["huber"] = other`` makes
    that code stale."""
    if ACTIVE[0] and isinstance(subject, (dict, list)):
        read = Read("item", subject, key, value, path=("<item>", repr(key)))
        for rec in _open():
            rec.attributes.append(read)
            rec.keep.extend((subject, value))


def note_keys(subject: dict) -> None:
    """The compiler unrolled a loop over the keys of the user's dict ``subject`` (a global
    or closure value): the code holds for those keys, in that order, only."""
    if ACTIVE[0]:
        read = Read("keys", subject, None, tuple(subject))
        for rec in _open():
            rec.keys.append(read)
            rec.keep.append(subject)


def note_value(value: Any) -> Any:
    """The compiler looked at ``value`` (a user's global or closure value); returns it."""
    if ACTIVE[0]:
        for rec in _open():
            rec.inspected.add(id(value))
            rec.keep.append(value)
    return value


# -- what the free references denote --------------------------------------------------

#: Packages whose modules, functions and types are taken as fixed: their attributes are
#: not followed (``np.sum`` is checked as the global ``np`` only).
LIBRARY_PACKAGES = frozenset({"numpy", "scipy", "srcxform", "autograd", "torch", "gast"}
                             | set(sys.stdlib_module_names))


def is_library(obj: Any) -> bool:
    """A module, function or object of a library (its attributes are not followed)."""
    if isinstance(obj, types.ModuleType):
        name = obj.__name__
    elif isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type)):
        name = getattr(obj, "__module__", None) or ""
    else:
        name = type(obj).__module__ or ""
    return name.split(".")[0] in LIBRARY_PACKAGES


def resolve(fn: Any, chains: Any) -> list[Read]:
    """What each free reference of ``fn`` denotes now (one :class:`Read` per step)."""
    code = fn.__code__
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    space = fn.__globals__
    found: dict[tuple, Read] = {}
    for chain in sorted(chains):
        name = chain[0]
        path = (name,)
        if name in cells:
            try:
                read = Read("cell", cells[name], None, cells[name].cell_contents, path=path)
            except ValueError:  # an empty cell: the name is not yet bound
                continue
        elif name in space:
            read = Read("global", space, name, space[name], path=path)
        elif hasattr(builtins, name):
            read = Read("global", space, name, getattr(builtins, name), builtin=True,
                        path=path)
        else:
            continue  # undefined: the transform raises, or never reads it
        read = found.setdefault((read.kind, id(read.subject), read.key), read)
        root = read
        for attr in chain[1:]:
            base = read.value
            if is_library(base) or isinstance(base, (types.FunctionType, types.MethodType)):
                break
            path = (*path, attr)
            key = ("attr", id(base), attr)
            if key not in found:
                try:
                    found[key] = Read("attr", base, attr, getattr(base, attr), root=root,
                                      path=path)
                except Exception:  # noqa: BLE001  (the transform reports it, located)
                    break
            read = found[key]
    return list(found.values())


# -- free references of a function's source ---------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def free_references(node: ast.AST) -> set[tuple[str, ...]]:
    """The names ``node`` (a function or lambda) reads without binding, with attribute chains.

    Scoping follows Python's: a name bound anywhere in a scope is local to it
    in all of it; nested functions, lambdas and comprehensions see their
    enclosing function's names; a class body's names are not seen by its
    methods.  When unsure, a name counts as free: a reference recorded in
    excess costs a check, one missed could serve stale code.
    """
    return _scope(node)


def _arg_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return {a.arg for a in every}


def _chain(node: ast.AST) -> tuple[str, ...] | None:
    """``("a", "b", "c")`` for the expression ``a.b.c``; None if it is not such a chain."""
    attrs: list[str] = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return (node.id, *reversed(attrs))
    return None


_PATTERNS = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar", "MatchMapping")
                  if hasattr(ast, n))


def _scope(node: ast.AST) -> set[tuple[str, ...]]:
    """Free chains of one scope (a function, lambda, comprehension or class)."""
    bound: set[str] = set()
    declared: set[str] = set()
    reads: set[tuple[str, ...]] = set()
    inner: list[ast.AST] = []  # nested scopes
    todo: list[ast.AST] = []
    if isinstance(node, _FUNCTIONS):
        bound |= _arg_names(node.args)
        todo.extend(node.body if isinstance(node.body, list) else [node.body])
    elif isinstance(node, _COMPREHENSIONS):
        for i, gen in enumerate(node.generators):
            todo.append(gen.target)
            if i:  # the first iterable is evaluated in the enclosing scope
                todo.append(gen.iter)
            todo.extend(gen.ifs)
        todo.extend([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt])
    elif isinstance(node, ast.ClassDef):
        todo.extend(node.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(n.name)
            todo.extend(n.decorator_list)
            if isinstance(n, ast.ClassDef):
                todo.extend(n.bases + [k.value for k in n.keywords])
            else:
                todo.extend(d for d in n.args.defaults + n.args.kw_defaults if d is not None)
            inner.append(n)
            continue
        if isinstance(n, ast.Lambda):
            todo.extend(d for d in n.args.defaults + n.args.kw_defaults if d is not None)
            inner.append(n)
            continue
        if isinstance(n, _COMPREHENSIONS):
            todo.append(n.generators[0].iter)
            inner.append(n)
            continue
        if isinstance(n, (ast.Global, ast.Nonlocal)):
            declared.update(n.names)
            continue
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in n.names)
            continue
        if isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load):
                reads.add((n.id,))
            else:
                bound.add(n.id)
            continue
        if isinstance(n, ast.Attribute):
            chain = _chain(n)
            if chain is not None:
                reads.add(chain)
                continue  # the chain's own Name is in it
        if isinstance(n, _PATTERNS):
            bound.update(v for v in (getattr(n, "name", None), getattr(n, "rest", None)) if v)
        todo.extend(ast.iter_child_nodes(n))
    local = bound - declared
    free = {c for c in reads if c[0] not in local}
    for sub in inner:
        found = _scope(sub)
        # a class body's names are not seen by the functions inside it
        free |= found if isinstance(node, ast.ClassDef) else {
            c for c in found if c[0] not in local}
    return free
