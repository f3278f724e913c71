"""Templates: one transform shared by every function of the same code object.

Closures made by one factory (``def make(a): def loss(x): ...; return loss``)
share ``loss.__code__``; so does a function made again by re-running its
definition.  After :func:`remember`, the code object keeps (weakly, at most
``PER_CODE`` per code, and never the code object itself, so all of it goes with
the code) what a transform of one such function made:
the generated code objects, how each of their closure variables is bound (a
cell of the function's own closure, by name, or one of srcxform's helper
cells), the text, and the labelled facts it relied on.

After :func:`recall` returns ``(made, facts)`` for another function of that
code, every fact holds for it as it held for the first: its own closure cells
and globals were read again (``depends.resolve``) and each new object is one
the first's fact accepts (the same helper, an equal number, an array of the
same layout read live); every other fact (helpers, rules, the table's
version) still holds as recorded.  ``made`` is the same generated code bound
to the new function's cells, globals and defaults — no transform ran.
Otherwise it returns None and the caller transforms.
"""

from __future__ import annotations

import dataclasses
import threading
import types
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from .. import depends
from ..compiler import Transformed
from .facts import MISSING, Fact, same_value

#: id of a code object -> (a weak reference to it, its templates by key).  By identity:
#: equal code objects of two files are two functions.
_TEMPLATES: dict[int, tuple[weakref.ref, OrderedDict]] = {}
_lock = threading.Lock()
PER_CODE = 64


def _templates_of(code: types.CodeType, create: bool = False) -> OrderedDict | None:
    found = _TEMPLATES.get(id(code))
    if found is not None and found[0]() is code:
        return found[1]
    if not create:
        return None
    per_code: OrderedDict = OrderedDict()
    _TEMPLATES[id(code)] = (weakref.ref(code), per_code)
    weakref.finalize(code, _TEMPLATES.pop, id(code), None)
    return per_code


@dataclass
class Part:
    """One generated function of a template, unbound."""

    code: types.CodeType
    doc: str | None
    keep_defaults: bool
    cells: list[tuple[str, Any]]  # per closure variable: ("user", name) or ("helper", cell)


@dataclass
class Template:
    made: Transformed  # fn and backward None
    parts: list[Part]
    facts: list[Fact]
    chains: frozenset


def _part(fn: Callable[..., Any], g: Callable[..., Any], keep_defaults: bool) -> Part:
    own = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    cells: list[tuple[str, Any]] = []
    for name, cell in zip(g.__code__.co_freevars, g.__closure__ or ()):
        cells.append(("user", name) if own.get(name) is cell else ("helper", cell))
    return Part(g.__code__, g.__doc__, keep_defaults, cells)


def remember(fn: Callable[..., Any], key: Any, made: Transformed, facts: list[Fact],
             chains: frozenset) -> None:
    """Keep ``made`` for the other functions of ``fn.__code__`` (see the module docstring)."""
    parts = [_part(fn, made.fn, made.kind in ("grad", "value_and_grad"))]
    if made.backward is not None:
        parts.append(_part(fn, made.backward, False))
    skeleton = dataclasses.replace(made, fn=None, backward=None)
    facts = [Fact(f.kind, f.subject, f.key, None, f.accept, f.builtin, f.label)
             if _is_code_fact(f) else f for f in facts]
    with _lock:
        per_code = _templates_of(fn.__code__, create=True)
        per_code[key] = Template(skeleton, parts, facts, chains)
        while len(per_code) > PER_CODE:
            per_code.popitem(last=False)


def _is_code_fact(fact: Fact) -> bool:
    """The fact that the function runs its ``__code__``.  A template keeps it without its
    value: templates are found by that code object, by identity, and one that kept the
    code would keep itself (and its generated code and ``linecache`` text) forever."""
    return fact.label is not None and fact.label[0] == "own" and fact.key == "__code__"


def _bind(part: Part, fn: Callable[..., Any], name: str) -> types.FunctionType:
    own = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    closure = tuple(own[v] if how == "user" else v for how, v in part.cells)
    g = types.FunctionType(part.code, fn.__globals__, name,
                           fn.__defaults__ if part.keep_defaults else None, closure)
    if part.keep_defaults:
        g.__kwdefaults__ = fn.__kwdefaults__
    g.__qualname__ = name
    g.__module__ = fn.__module__
    g.__doc__ = part.doc
    return g


def knows(fn: Callable[..., Any], kind: str, wrt: Any) -> bool:
    """Whether some function of ``fn``'s code has a remembered transform ``kind``/``wrt``
    (so ``fn``'s source was transformed without error before)."""
    per_code = _templates_of(fn.__code__)
    return per_code is not None and any(k[:2] == (kind, wrt) for k in list(per_code))


def recall(fn: Callable[..., Any], key: Any) -> tuple[Transformed, list[Fact]] | None:
    """The remembered code of ``key`` bound to ``fn``, if every fact holds for ``fn``."""
    per_code = _templates_of(fn.__code__)
    tpl = per_code.get(key) if per_code is not None else None
    if tpl is None:
        return None
    own_cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    if any(how == "user" and v not in own_cells for p in tpl.parts for how, v in p.cells):
        return None
    reads = {r.path: r for r in depends.resolve(fn, tpl.chains)}
    facts: list[Fact] = []
    for fact in tpl.facts:
        label = fact.label
        if label is None:  # a helper's, a rule's, the table's: must hold as recorded
            now = fact.current(fn)
            if now is not fact.value and (now is MISSING or not fact.accepts(now)):
                return None
            facts.append(fact)
        elif label[0] == "own":
            now = getattr(fn, fact.key)
            if not _is_code_fact(fact) and now is not fact.value \
                    and not same_value(now, fact.value):
                return None  # (its code is the template's: found by it)
            facts.append(Fact("own", None, fact.key, now, fact.accept, label=label))
        else:
            read = reads.pop(label[1], None)
            if read is None or read.kind != fact.kind or not fact.accepts(read.value):
                return None
            facts.append(Fact(read.kind, read.subject, read.key, read.value, fact.accept,
                              read.builtin, label))
    if reads:
        return None
    fns = [_bind(p, fn, p.code.co_name) for p in tpl.parts]
    made = dataclasses.replace(tpl.made, fn=fns[0], backward=fns[1] if len(fns) > 1 else None)
    made.fn.__srcxform__ = made
    return made, facts
