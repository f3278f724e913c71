"""Facts: what a piece of generated code took to be true when it was made.

After :func:`facts_of`, every object a transform read is one :class:`Fact`
saying that something still denotes it:

* ``own``    — an attribute of the transformed function itself
  (``__code__``, ``__defaults__``, ``__kwdefaults__``);
* ``attr``   — an attribute of another object (an inlined helper's or a user
  rule's ``__code__`` and defaults; ``m.helper`` of a user module; ...);
* ``global`` — a name of a module's globals (``helper``, ``np``, ``K``; a name
  found in the builtins counts as "the module does not shadow it");
* ``cell``   — the contents of a closure cell;
* ``item``   — an item of a user's dict or list read by a constant key and
  compiled in (a function from ``FNS["huber"]``): the same object;
* ``keys``   — a user's dict (the same object, found through a global or a
  cell) still has the keys, in order, that a loop over it was unrolled for
  (``compiler/dictloops.py``): a dict changed in place makes the code stale;
* ``table``  — the rule table's version (``rules.registry.VERSION``).

:func:`borrowed_facts` adds a ``global`` fact for every module global the
generated code loads that the function's source does not read (the compiler
may name NumPy by the module's ``np`` though the function only calls ``sin``):
rebinding it must not change what the gradient computes.

Each fact is checked fast by identity (the guard compiles the checks into one
expression).  When the identity fails, :meth:`Fact.accepts` decides whether
the new object is as good as the old for the generated code, so the fact is
refreshed instead of the code being rebuilt:

* a number or NumPy array that the generated code reads *live* (a global of
  the function's own module, or one of its own closure cells; not frozen
  into the code by value, and not looked at by the compiler while it
  optimized, ``depends.note_value``) — a number of the same type, an array
  of the same type, shape and dtype: the code reads its value when it runs;
* any other immutable value (number, string, ``None``, tuple of them) — an
  equal value of the same type: generated code that folded the old one is
  right;
* an integer array the compiler looked at — an equal array;
* anything else (functions, modules, classes, other objects, anything frozen
  by value) — only the same object.
"""

from __future__ import annotations

import builtins
import dis
import math
import sys
import types
from typing import Any

import numpy as np

from .. import depends
from ..rules import registry

MISSING = object()
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, np.generic)


class Fact:
    """``subject``'s ``key`` still denotes ``value`` (see the module docstring)."""

    __slots__ = ("kind", "subject", "key", "value", "accept", "builtin", "label")

    def __init__(self, kind: str, subject: Any, key: Any, value: Any, accept: str = "identity",
                 builtin: bool = False, label: tuple | None = None) -> None:
        self.kind = kind
        self.subject = subject
        self.key = key
        self.value = value
        self.accept = accept
        self.builtin = builtin
        self.label = label  # ("own", key) or ("top", path): a fact about the function itself

    def ident(self) -> tuple:
        """What the fact is about (not its value): two facts about one thing share it."""
        return (self.kind, id(self.subject), self.key)

    def current(self, fn: Any) -> Any:
        """What the fact's subject denotes now (``MISSING`` if nothing)."""
        kind = self.kind
        try:
            if kind == "own":
                return getattr(fn, self.key)
            if kind == "attr":
                return getattr(self.subject, self.key)
            if kind == "global":
                default = self.value if self.builtin else MISSING
                return self.subject.get(self.key, default)
            if kind == "cell":
                return self.subject.cell_contents
            if kind == "keys":
                return tuple(self.subject)
            if kind == "item":
                return self.subject[self.key]
            return self.subject[0]  # table
        except Exception:  # noqa: BLE001  (an empty cell, a failing attribute: not the same)
            return MISSING

    def accepts(self, new: Any) -> bool:
        """Whether ``new`` may stand for ``value`` in code made when it was ``value``."""
        old = self.value
        if new is old:
            return True
        if self.accept == "type":
            return type(new) is type(old)
        if self.accept == "equal":
            return same_value(new, old)
        if self.accept in ("layout", "array_equal"):
            if type(new) is not type(old) or new.shape != old.shape or new.dtype != old.dtype:
                return False
            return self.accept == "layout" or bool(np.array_equal(new, old))
        return False

    def with_value(self, value: Any) -> Fact:
        return Fact(self.kind, self.subject, self.key, value, self.accept, self.builtin,
                    self.label)

    def __repr__(self) -> str:
        return f"Fact({self.kind}, {self.key!r}, {self.accept})"


def same_value(a: Any, b: Any) -> bool:
    """Equal immutable values of the same type (NaN equals NaN, 0.0 is not -0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (float, np.floating)):
        return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def immutable(value: Any) -> bool:
    """A value of immutable parts only (numbers, strings, None, tuples of them)."""
    if isinstance(value, tuple):
        return all(immutable(v) for v in value)
    return isinstance(value, _IMMUTABLE)


_NUMBERS = (bool, int, float, complex, np.number, np.bool_)


def world_key(value: Any, live: bool, inspected: bool) -> str:
    """What a new object for a global, closure cell or default must keep for the code.

    The rule for code specialised on the world (module globals, closure values,
    helpers' globals; ``compiler/constants.py``), checked by the guard on every call:
    ``"type"`` — a number the code reads live keeps its type (so its shape ``()``
    and its kind, int or float); ``"layout"`` — an array read live keeps its type,
    shape and dtype; ``"equal"`` — an immutable value the compiler looked at
    (``inspected``: folded, e.g. ``range(N)``) or froze into the code stays equal;
    ``"array_equal"`` — an integer array looked at stays equal; ``"identity"`` —
    anything else stays the same object.  ``live``: the generated code reads the
    name when it runs (a global of the function's own module, its own closure cell).
    """
    if live and not inspected and isinstance(value, _NUMBERS):
        return "type"
    if immutable(value):
        return "equal"
    if live and type(value) is np.ndarray:
        if not inspected and value.dtype.kind in "fcbiu":
            return "layout"
        if value.dtype.kind in "biu":
            return "array_equal"
    return "identity"


def own_facts(fn: Any, subject: Any = None) -> list[Fact]:
    """``fn``'s code and defaults (``subject`` None: ``fn`` is the transformed function)."""
    kind = "own" if subject is None else "attr"
    keys = ["__code__", "__defaults__"]
    if fn.__code__.co_kwonlyargcount:
        keys.append("__kwdefaults__")
    return [Fact(kind, subject, k, getattr(fn, k), label=("own", k) if subject is None else None)
            for k in keys]


def facts_of(rec: depends.Recording, fn: Any, version: object) -> list[Fact]:
    """The facts the code made during ``rec`` (a transform of ``fn``) relies on.

    ``version`` is the rule table's version read before the transform began.
    """
    facts: list[Fact] = own_facts(fn)
    facts.append(Fact("table", registry.VERSION, 0, version))
    seen: set[tuple] = {f.ident() for f in facts}
    own_cells = set(map(id, fn.__closure__ or ()))
    space = fn.__globals__

    def live(read: depends.Read) -> bool:
        root = read.root or read
        if id(read.value) in rec.frozen or id(root.value) in rec.frozen:
            return False
        if root.kind == "global":
            return root.subject is space
        return root.kind == "cell" and id(root.subject) in own_cells

    done: set[int] = {id(fn)}
    for noted in rec.functions:
        if id(noted.fn) not in done:
            done.add(id(noted.fn))
            for fact in own_facts(noted.fn, noted.fn):
                if fact.ident() not in seen:
                    seen.add(fact.ident())
                    facts.append(fact)
        top = noted.fn is fn and not noted.rule
        for read in noted.reads:
            accept = world_key(read.value, live(read) and not noted.rule,
                                 id(read.value) in rec.inspected)
            fact = Fact(read.kind, read.subject, read.key, read.value, accept, read.builtin,
                        ("top", read.path) if top else None)
            if fact.ident() not in seen:
                seen.add(fact.ident())
                facts.append(fact)
    for read in rec.keys:  # a dict's keys compiled in (an unrolled loop): the same keys
        fact = Fact("keys", read.subject, None, read.value, "equal")
        if fact.ident() not in seen:
            seen.add(fact.ident())
            facts.append(fact)
    for read in rec.attributes:  # an object's function or layers compiled in: its identity
        fact = Fact(read.kind, read.subject, read.key, read.value, "identity")
        if fact.ident() not in seen:
            seen.add(fact.ident())
            facts.append(fact)
    return facts


def revalidate(facts: list[Fact], fn: Any) -> tuple[list[Fact] | None, bool]:
    """``(refreshed facts, changed)`` if every fact holds or accepts its new value, else None.

    ``changed`` says whether some fact took a new (acceptable) value.
    """
    out: list[Fact] = []
    changed = False
    for fact in facts:
        now = fact.current(fn)
        if now is fact.value:
            out.append(fact)
        elif now is not MISSING and fact.accepts(now):
            out.append(fact.with_value(now))
            changed = True
        else:
            return None, False
    return out, changed


_LOAD_GLOBAL = dis.opmap["LOAD_GLOBAL"]
#: LOAD_GLOBAL's argument is twice the name's index from Python 3.11 (its low bit says
#: whether a NULL is pushed too)
_NAME_SHIFT = 1 if sys.version_info >= (3, 11) else 0


def global_names(code: types.CodeType) -> set[str]:
    """The global names ``code`` (and the code nested in it) loads."""
    names = _loaded_globals(code)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= global_names(const)
    return names


def _loaded_globals(code: types.CodeType) -> set[str]:
    """The names ``code``'s own LOAD_GLOBAL instructions load: from the raw instructions
    (``dis``'s decoder, a tenth of the time of ``dis.get_instructions``, which describes
    every instruction), or as ``dis.get_instructions`` gives them where that decoder is
    not the one known (``tests/test_cache.py`` compares the two)."""
    unpack = getattr(dis, "_unpack_opargs", None)
    if unpack is not None and sys.version_info < (3, 13):
        try:
            names = code.co_names
            return {names[arg >> _NAME_SHIFT] for _, op, arg in unpack(code.co_code)
                    if op == _LOAD_GLOBAL}
        except (TypeError, ValueError, IndexError):
            pass
    return {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}


def borrowed_facts(fn: Any, generated: list[Any], facts: list[Fact]) -> list[Fact]:
    """``global`` facts (same object) for the names of ``fn``'s module the ``generated``
    functions load and no fact of ``facts`` is about yet."""
    space = fn.__globals__
    known = {f.key for f in facts if f.kind == "global" and f.subject is space}
    out = []
    for name in sorted(set().union(*(global_names(g.__code__) for g in generated)) - known):
        if name in space:
            out.append(Fact("global", space, name, space[name]))
        elif hasattr(builtins, name):
            out.append(Fact("global", space, name, getattr(builtins, name), builtin=True))
    return out
