"""Entries: the compiled code of one transform of one function, served while it is right.

After ``entry_for(fn, kind, wrt)`` returns the :class:`Entry` of that
transform of ``fn`` (made on first use, kept in a ``WeakKeyDictionary`` on
``fn`` whose values never refer to ``fn``, so it goes when ``fn`` goes):

* ``entry.public(fn)`` is what ``grad`` returns: a guard (``guard.py``) in
  front of the generated function — or, for code that still asks questions
  about shapes, in front of the versions compiled per specialisation key
  (``specialise.py``), which the guard looks up itself and
  :meth:`Entry.dispatch` compiles when a key is new;
* ``entry.lookup(fn, values)`` is what ``vjp``, ``jvp``, ``hessian`` and
  ``sx.compile`` use: the version for these argument values, after the same
  check;
* a ``grad``-like transform is made in two parts (``compiler.front`` and
  ``compiler.finish``): ``grad(f)`` runs the front only (what reads no
  argument shape: parsing, checks — so a ``TransformError`` is raised there
  — normalization, the adjoint), and each call with a new specialisation key
  runs only the finish (optimize onward), specialised on that key, from a
  copy of the front.  The first call therefore transforms once, not twice.
  When a second key shows up, the generic finish is made once: if its code
  asks no question about shapes, it serves every call from then on (no
  compile per batch size); otherwise the sizes that changed are batch sizes,
  and the guard's calls are served by versions compiled for patterns of them
  (``sizes.py``: :meth:`Entry.for_pattern`, one per pattern, kept beside the
  versions and entered in them under each exact key they serve);
* versions live in an LRU of :data:`SHAPE_CACHE_SIZE` per entry;
* the guard's fast path (``guard.Fast``) serves calls like the one that made
  the latest version (same parameter types, differentiated arrays' dtypes,
  shapes): it runs the function the general path would find for them — the
  version of that key in ``versions``, or the generic code — looked up when
  the guard is published, so it changes with them;
* every transform runs under ``depends.recording()``; the facts it read
  (``facts.py``) are what the guard checks.  A fact that fails and does not
  accept the new object (``Fact.accepts``) rebuilds the entry: its guards,
  shared by every public object of the entry, switch to the new code;
* a transform that overflows Python's recursion limit (an expression nested
  a few hundred deep) runs again on a thread with a
  :data:`DEEP_STACK_BYTES` stack and a recursion limit of
  :data:`DEEP_RECURSION_LIMIT`, enough for what CPython itself compiles.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import types
import weakref
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from .. import backends, depends
from ..compiler import FRONTS, Transformed, finish, front, transform
from ..compiler.driver import generic_asks_ranks
from ..compiler.funcvalues import NeedsSpecialisation
from ..compiler.generated import give_concrete
from ..compiler.parse import code_signature
from ..compiler.shapes import has_dim
from ..errors import TransformError
from ..rules import registry
from . import guard, persist, sizes, templates
from .facts import MISSING, Fact, borrowed_facts, facts_of, revalidate
from .specialise import (
    INT_TYPES,
    bind_all,
    call_key,
    differentiates_tree,
    promote,
    regular_trees,
    transform_options,
    wrt_parameters,
)

#: Compiled versions kept per function and transform (one per specialisation key,
#: least recently used evicted first).
SHAPE_CACHE_SIZE = 64
#: Stack and recursion limit of the thread that transforms deeply nested expressions.
DEEP_STACK_BYTES = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 200_000

_ENTRIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.RLock()


def wrt_key(wrt: Any) -> Any:
    return tuple(wrt) if isinstance(wrt, list) else wrt


def entry_for(fn: Callable[..., Any], kind: str, wrt: Any, checkpoint: Any = None) -> Entry:
    """The entry of transform ``kind`` of ``fn`` with respect to ``wrt`` (made if new);
    ``checkpoint``: grad's ``checkpoint=`` (checked), a transform of its own."""
    key = (kind, wrt_key(wrt)) if checkpoint is None else (kind, wrt_key(wrt), checkpoint)
    with _lock:
        per_fn = _ENTRIES.get(fn)
        if per_fn is None:
            per_fn = _ENTRIES[fn] = {}
        entry = per_fn.get(key)
        if entry is None:
            entry = per_fn[key] = Entry(kind, wrt_key(wrt), checkpoint)
    return entry


def entries_of(fn: Callable[..., Any]) -> list[Entry]:
    """Every entry of ``fn`` (for tests and introspection)."""
    with _lock:
        return list(_ENTRIES.get(fn, {}).values())


# -- running a transform -------------------------------------------------------------------

_deep_lock = threading.Lock()
_deep_users = [0, 0]  # [threads running deep transforms, recursion limit to restore]


def _on_big_stack(work: Callable[[], Any]) -> Any:
    """``work()`` on a thread with a deep stack and a high recursion limit."""
    with _deep_lock:
        if not _deep_users[0]:
            _deep_users[1] = sys.getrecursionlimit()
        _deep_users[0] += 1
        sys.setrecursionlimit(max(_deep_users[1], DEEP_RECURSION_LIMIT))
        old_size = threading.stack_size()
        for size in (DEEP_STACK_BYTES, DEEP_STACK_BYTES // 4, DEEP_STACK_BYTES // 16):
            try:  # (some platforms cap a thread's stack)
                threading.stack_size(size)
                break
            except (ValueError, RuntimeError):
                continue
        try:
            result: list[Any] = []

            def run() -> None:
                try:
                    result.append((True, work()))
                except BaseException as exc:  # noqa: BLE001  (re-raised on the caller's thread)
                    result.append((False, exc))

            thread = threading.Thread(target=run, name="srcxform-deep-transform")
            thread.start()
        finally:
            threading.stack_size(old_size)
    thread.join()
    with _deep_lock:
        _deep_users[0] -= 1
        if not _deep_users[0]:
            sys.setrecursionlimit(_deep_users[1])
    ok, value = result[0]
    if not ok:
        raise value
    return value


def template_key(kind: str, wrt: Any, key: Any, options: dict[str, Any]) -> tuple:
    """The key code is remembered under (``templates.py``): a checkpointed transform's
    code is its own."""
    if options.get("checkpoint") is None:
        return (kind, wrt, key)
    return (kind, wrt, key, ("checkpoint", options["checkpoint"]))


def obtain(fn: Callable[..., Any], wrt: Any, kind: str, key: Any, **options: Any
           ) -> tuple[Transformed, list[Fact]]:
    """The code of ``transform(fn, wrt, kind, **options)`` and its facts: remembered for
    another function of the same code object if it holds for ``fn`` (``templates.py``),
    else transformed now (and remembered).  ``key`` is the options' specialisation key."""
    key = template_key(kind, wrt, key, options)
    found = templates.recall(fn, key)
    if found is not None:
        return found
    kept = persist.recall(fn, key)
    if kept is not None:
        made, facts, chains = kept
        templates.remember(fn, key, made, facts, chains)
        return made, facts
    made, facts, chains, rec = run_transform(fn, wrt, kind, **options)
    templates.remember(fn, key, made, facts, chains)
    persist.remember(fn, key, made, facts, rec)
    return made, facts


def _recorded(work: Callable[[], Any]) -> tuple[Any, depends.Recording]:
    """``work()`` under a recording (on a deep stack if it overflows this one)."""
    def attempt() -> tuple[Any, depends.Recording]:
        with depends.recording() as rec:
            made = work()
        return made, rec

    try:
        return attempt()
    except RecursionError:
        made, rec = _on_big_stack(attempt)
        depends.merge_into_open(rec)
        return made, rec


def run_transform(fn: Callable[..., Any], wrt: Any, kind: str, **options: Any
                  ) -> tuple[Transformed, list[Fact], frozenset, depends.Recording]:
    """``transform(fn, wrt, kind, **options)``, the facts its code relies on, the free
    references of ``fn``'s source, and what it read."""
    for _ in range(3):
        version = registry.VERSION[0]
        made, rec = _recorded(lambda: transform(fn, wrt, kind, **options))
        facts = facts_of(rec, fn, version)
        facts += borrowed_facts(fn, _generated(made), facts)
        made.fn.__srcxform__ = made
        chains = next((n.chains for n in rec.functions if n.fn is fn), frozenset())
        if all(f.current(fn) is f.value for f in facts):
            return made, facts, chains, rec
        # something the transform read changed while it ran: its code may mix both
    return made, facts, chains, rec


class Front:
    """The first part of a transform (``compiler.front``), kept to finish it per key."""

    def __init__(self, program: Any, rec: depends.Recording, version: object,
                 chains: frozenset) -> None:
        self.program = program
        self.rec = rec
        self.version = version  # the rule table's version when it began
        self.chains = chains


#: Stands for the transformed function in a kept front (which must not keep it alive:
#: the entry holding the front lives as long as the function).
_TOP = object()


def run_front(fn: Callable[..., Any], wrt: Any, kind: str, checkpoint: Any = None
              ) -> tuple[Front, list[Fact]]:
    """``compiler.front(fn, wrt, kind, checkpoint=checkpoint)`` and the facts it
    relies on."""
    for _ in range(3):
        version = registry.VERSION[0]
        program, rec = _recorded(lambda: front(fn, wrt, kind, checkpoint=checkpoint))
        facts = facts_of(rec, fn, version)
        chains = next((n.chains for n in rec.functions if n.fn is fn), frozenset())
        if all(f.current(fn) is f.value for f in facts):
            break
    program.parsed = dataclasses.replace(program.parsed, fn=None)
    if program.env is not None:
        program.env.parsed = program.parsed
    kept = depends.Recording(
        [depends.Noted(_TOP, n.reads, n.rule, n.chains) if n.fn is fn else n
         for n in rec.functions], set(rec.frozen), set(rec.inspected),
        [k for k in rec.keep if k is not fn], attributes=list(rec.attributes),
        keys=list(rec.keys))
    return Front(program, kept, version, chains), facts


def run_finish(made_front: Front, fn: Callable[..., Any], **options: Any
               ) -> tuple[Transformed, list[Fact], frozenset, depends.Recording]:
    """The transform ``made_front`` began, finished with ``options`` (shapes), the
    facts both parts rely on, and what both read.  A fact whose object changed since
    the front was made in a way it accepts (the guard just checked) takes the new
    object, which the finish read; one that does not accept it keeps the old and fails
    the next check."""
    made, rec = _recorded(lambda: finish(made_front.program, fn=fn, **options))
    kept = made_front.rec
    both = depends.Recording(
        [depends.Noted(fn, n.reads, n.rule, n.chains) if n.fn is _TOP else n
         for n in kept.functions], set(kept.frozen), set(kept.inspected), list(kept.keep),
        attributes=list(kept.attributes), keys=list(kept.keys))
    both.merge(rec)
    facts = []
    for fact in facts_of(both, fn, made_front.version):
        now = fact.current(fn)
        if now is not fact.value and now is not MISSING and fact.accepts(now):
            fact = fact.with_value(now)
        facts.append(fact)
    facts += borrowed_facts(fn, _generated(made), facts)
    made.fn.__srcxform__ = made
    return made, facts, made_front.chains, both


def _generated(made: Transformed) -> list[Any]:
    """The functions of ``made``'s generated code (vjp: both sweeps)."""
    return [made.fn] + ([made.backward] if made.backward is not None else [])


# -- entries ---------------------------------------------------------------------------------

class Entry:
    """One transform of one function: its facts, its code, its guards (module docstring)."""

    def __init__(self, kind: str, wrt: Any, checkpoint: Any = None) -> None:
        self.kind = kind
        self.wrt = wrt
        self.options = {} if checkpoint is None else {"checkpoint": checkpoint}
        self.mode = ""  # generic | shapes | versions | columns (set when built)
        self.facts: list[Fact] = []
        self.generic: Transformed | None = None
        self.latest: Transformed | None = None
        self.front: Front | None = None  # the first part of the transform, kept
        self.tried_generic = False  # the generic code was made to serve every key
        # the code depends on the value of a function/object argument (statics.py): each
        # version is transformed whole for its static arguments, there is no generic code
        self.needs_statics = False
        self.versions: OrderedDict[Any, Transformed] = OrderedDict()
        # batch sizes (sizes.py): the first call's array shapes, the positions whose size
        # has changed since, and the versions compiled for patterns of them
        self.first_shapes: dict[str, tuple[int, ...]] | None = None
        self.dynamic: set[sizes.Position] = set()
        self.patterns: OrderedDict[Any, Transformed] = OrderedDict()
        self.no_patterns = False  # a pattern's transform failed: exact shapes only
        self.wrt_params: list[tuple[int | None, str]] = []
        self.seen: tuple[Any, list[tuple[type, Any, Any]]] | None = None  # _seen of a call
        self.publics: weakref.WeakSet = weakref.WeakSet()
        self.cells = {"snapshot": types.CellType(()), "target": types.CellType(None),
                      "slow": types.CellType(self.slow)}
        self.code: guard.GuardCode | None = None
        self.layout: guard.Layout | None = None
        self.check: Callable[[Any], bool] = lambda fn: False

    # -- building ---------------------------------------------------------------------------
    def build(self, fn: Callable[..., Any]) -> None:
        """Start afresh: for ``grad``-like kinds run the front of the transform (errors
        are raised here) unless a function of the same code was transformed before; the
        code itself is made per specialisation key at the calls (module docstring)."""
        with _lock:
            self.versions.clear()
            self.patterns.clear()
        self.front, self.generic, self.latest, self.tried_generic = None, None, None, False
        self.first_shapes, self.dynamic, self.no_patterns = None, set(), False
        self.seen = None
        self.needs_statics = False
        if self.kind in ("grad", "value_and_grad"):
            self.mode = "shapes"
            self.facts = []
            if not templates.knows(fn, self.kind, self.wrt) and not persist.knows(
                    fn, self.kind, self.wrt, self.options.get("checkpoint")):
                try:
                    self.front, self.facts = run_front(fn, self.wrt, self.kind, **self.options)
                except NeedsSpecialisation:  # compiled per function/object argument
                    self.needs_statics = True
                except TransformError as exc:
                    from .. import pytrees

                    if not pytrees.may_take_trees(fn):
                        raise
                    self._defer(fn, exc)
                    return
        else:
            self.mode, self.facts = "versions", []
        self.wrt_params = wrt_parameters(fn, self.wrt)
        self.publish(fn)

    def _defer(self, fn: Callable[..., Any], exc: Exception) -> None:
        """The generic transform failed in a way a container argument may explain (a dict
        read by key, a list of pairs looped over): calls with differentiated containers go
        through a pytree twin (the guard's slow path); any other call raises ``exc``."""
        self.mode, self.facts, self.generic, self.latest = "deferred", [], None, None
        self.wrt_params = wrt_parameters(fn, self.wrt)

        def deferred(*args: Any, **kwargs: Any) -> Any:
            raise exc.with_traceback(None)

        self.deferred = deferred
        self.publish(fn)

    def publish(self, fn: Callable[..., Any]) -> None:
        """Compile the guard for the current facts; point every public guard at it."""
        params = _exact_parameters(fn)
        name = (self.latest.fn.__name__ if self.latest is not None
                else f"{self.kind}_{fn.__name__}")
        layout = guard.Layout(name if name.isidentifier() else "generated", params,
                              self.wrt_params, self.mode == "shapes")
        code, snapshot = guard.build(self.facts, layout, fn.__globals__, self.fast_path())
        with _lock:
            self.cells["snapshot"].cell_contents = snapshot
            if self.mode == "shapes":
                self.cells["target"].cell_contents = self.versions
            elif self.mode == "generic":
                self.cells["target"].cell_contents = self.generic.fn
            elif self.mode == "deferred":
                self.cells["target"].cell_contents = self.deferred
            if code is not self.code:
                self.code, self.layout = code, layout
                self.check = guard.instantiate(code.check, code.roles, fn.__globals__, "check",
                                               self.cells)
                for public in list(self.publics):
                    if getattr(public, "__srcxform_entry__", None) is self:
                        public.__code__ = code.guard
            self._show()

    def fast_path(self) -> guard.Fast | None:
        """The guard's fast path for calls like the one ``seen`` describes: the function
        the general path would run for them, now (module docstring); None if none."""
        if self.seen is None:
            return None
        key, params = self.seen
        if self.mode == "generic" and self.generic is not None:
            return guard.Fast([(kind, dtype, None) for kind, dtype, _ in params], self.generic.fn)
        if self.mode == "shapes":
            made = self.versions.get(key)
            if made is not None:
                return guard.Fast(params, made.fn)
        return None

    def _show(self) -> None:
        """Every public guard shows the latest generated code (``sx.source``, getsource)."""
        latest = self.latest
        if latest is None:
            return
        for public in list(self.publics):
            if getattr(public, "__srcxform_entry__", None) is self:
                public.__srcxform__ = latest
                public.__wrapped__ = latest.fn

    def public(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """A live public guard of this entry, or a new one."""
        for public in list(self.publics):
            if getattr(public, "__srcxform_fn__", None) is fn:
                return public
        if self.code is None:
            self.build(fn)
        cells = dict(self.cells, f=types.CellType(fn))
        name = self.layout.name
        g = guard.instantiate(self.code.guard, self.code.roles, fn.__globals__, name, cells)
        g.__qualname__ = name
        g.__module__ = fn.__module__
        g.__doc__ = self.latest.fn.__doc__ if self.latest is not None else None
        g.__srcxform_entry__ = self
        g.__srcxform_fn__ = fn
        g.__signature__ = code_signature(fn)  # the guard may take *args: it takes fn's
        give_concrete(g, lambda args, kwargs: self.concrete(fn, args, kwargs))
        with _lock:
            self.publics.add(g)
        self._show()
        return g

    def adopt(self, public: Callable[..., Any], fn: Callable[..., Any]) -> None:
        """Keep ``public`` (not a guard: forward columns, a gradient of a gradient) weakly."""
        public.__srcxform_fn__ = fn
        with _lock:
            self.publics.add(public)
        self.mode = self.mode or "columns"

    # -- checking ---------------------------------------------------------------------------
    def validate(self, fn: Callable[..., Any]) -> None:
        """Make the entry right for the world as it is now: refresh or rebuild."""
        if self.code is None:
            self.build(fn)
            return
        if self.check(fn):
            return
        facts, changed = revalidate(self.facts, fn)
        if facts is None:
            _forget_rule_templates()
            self.build(fn)
        elif changed:
            self.facts = facts
            self.publish(fn)

    def slow(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The guard's other branch: validate, promote integer arguments, run (on the
        arguments' array namespace when they are another library's)."""
        self.validate(fn)
        if self.kind in ("grad", "value_and_grad") and differentiates_tree(
                args, kwargs, self.wrt_params):
            from .. import pytrees

            try:
                return pytrees.call(self.kind, fn, self.wrt, args, kwargs)
            except TransformError as exc:
                # a regular nest used whole (np.stack(xs)): differentiated as one array, as
                # before pytrees; any other container use stays refused
                if getattr(exc, "construct", None) != "pytree argument" or \
                        not regular_trees(args, kwargs, self.wrt_params):
                    raise
        ns = backends.namespace_of(args, kwargs)
        if ns is not None:
            return backends.call(self.specialize(fn, args, kwargs), ns, args, kwargs)
        args, kwargs = promote(args, kwargs, self.wrt_params)
        if self.mode == "shapes":
            return self.dispatch(fn, *args, **kwargs)
        if self.mode == "deferred":
            self.build(fn)  # the error again, or (the world changed) code
            if self.mode == "deferred":
                return self.deferred()
            return self.slow(fn, *args, **kwargs)
        return self.cells["target"].cell_contents(*args, **kwargs)

    # -- versions ---------------------------------------------------------------------------
    def dispatch(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run the version compiled for these arguments (compiled on first sight)."""
        key = call_key(args, kwargs)
        versions = self.versions
        made = versions.get(key)
        if made is None:
            names, values = bind_all(fn, args, kwargs)
            made = self.add_version(fn, key, names, values, patterns=True)
        elif len(versions) > 1:
            versions.move_to_end(key)
        return made.fn(*args, **kwargs)

    def specialize(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Callable[..., Any]:
        """The generated function this entry runs for these arguments: code for their exact
        shapes, never a pattern's (another library's arrays run it, a calling gradient or
        ``hessian`` differentiates it again; a pattern's long loops read blocks of rows
        past the end, ``xs[t:t + 64]``, which the array API leaves unspecified)."""
        self.validate(fn)
        if self.mode == "deferred":
            self.deferred()  # raises the transform's error
        if self.mode != "shapes":
            return self.generic.fn
        key = call_key(args, kwargs)
        made = self.versions.get(key)
        if made is None or _for_pattern(made):
            names, values = bind_all(fn, args, kwargs)
            made = self.add_version(fn, key, names, values)
        return made.fn

    def concrete(self, fn: Callable[..., Any], args: tuple | None,
                 kwargs: dict | None) -> Callable[..., Any]:
        """The generated function this entry runs for these arguments; with ``args`` None,
        the generic code, right for any arguments (what a call inside differentiated code
        inlines)."""
        if args is not None:
            return self.specialize(fn, args, dict(kwargs or {}))
        self.validate(fn)
        if self.mode == "versions" or self.needs_statics:
            raise TypeError(f"{self.kind} of {fn.__qualname__} has no generic code")
        return self.generic_code(fn).fn

    def lookup(self, fn: Callable[..., Any], names: list[str], values: list[Any]) -> Transformed:
        """The version for these argument values (``vjp``, ``jvp``, ``hessian``, ``compile``)."""
        self.validate(fn)
        key = call_key(tuple(values), {})
        made = self.versions.get(key)
        if made is None or _for_pattern(made):
            return self.add_version(fn, key, names, values)
        if len(self.versions) > 1:
            self.versions.move_to_end(key)
        return made

    def made_for(self, fn: Callable[..., Any], key: Any, **options: Any
                 ) -> tuple[Transformed, list[Fact]]:
        """The code for specialisation ``key`` (``None``: generic) and its facts:
        remembered for a function of the same code, else finished from the front."""
        if self.kind not in FRONTS or self.needs_statics:
            return obtain(fn, self.wrt, self.kind, key, **options, **self.options)
        # a front made without static arguments asked nothing about them: it serves all
        statics = options.pop("statics", None)
        full_key = template_key(self.kind, self.wrt, key, self.options)
        found = templates.recall(fn, full_key)
        if found is not None:
            return found
        if statics is None or all(v is None for v in statics.values()):
            kept = persist.recall(fn, full_key)
            if kept is not None:
                templates.remember(fn, full_key, *kept)
                return kept[0], kept[1]
        if self.front is None:
            try:
                self.front, facts = run_front(fn, self.wrt, self.kind, **self.options)
            except NeedsSpecialisation:
                if key is None:
                    raise
                self.needs_statics = True
                return self.made_for(fn, key, **options, statics=statics)
            self.merge_facts(facts)
        made, facts, chains, rec = run_finish(self.front, fn, **options)
        templates.remember(fn, full_key, made, facts, chains)
        persist.remember(fn, full_key, made, facts, rec)
        return made, facts

    def merge_facts(self, facts: list[Fact]) -> None:
        """Take ``facts`` (of code made now) into the entry's; if one of them saw a new
        object where the entry's saw another, the versions made before are dropped."""
        known = {f.ident(): f for f in self.facts}
        if any(f.ident() in known and known[f.ident()].value is not f.value for f in facts):
            with _lock:
                self.versions.clear()  # the world changed since the others were made
                self.patterns.clear()
            self.generic = None
            self.facts = facts
        else:
            self.facts = self.facts + [f for f in facts if f.ident() not in known]

    def generic_code(self, fn: Callable[..., Any]) -> Transformed:
        """The code for any shapes (``sx.source`` before the first call), made once."""
        if self.generic is None:
            self.validate(fn)
            made, facts = self.made_for(fn, None)
            self.merge_facts(facts)
            self.generic = made
            if self.latest is None:
                self.latest = made
            self.publish(fn)
        return self.generic

    def try_generic(self, fn: Callable[..., Any]) -> Transformed | None:
        """At a second specialisation key: the generic code, if it asks no question about
        shapes, becomes the code of every call (mode ``generic``)."""
        self.tried_generic = True
        if self.needs_statics:
            return None
        if self.generic is None and self.front is not None and templates.recall(
                fn, template_key(self.kind, self.wrt, None, self.options)) is None \
                and generic_asks_ranks(self.front.program, fn):
            return None  # (known from optimize alone: the rest of the finish not paid)
        made = self.generic_code(fn)
        if made.rank_dependent:
            return None
        self.mode = "generic"
        self.latest = made
        with _lock:
            self.versions.clear()
        self.publish(fn)
        return made

    def add_version(self, fn: Callable[..., Any], key: Any, names: list[str],
                    values: list[Any], patterns: bool = False) -> Transformed:
        """Compile (or find) and keep the version for this call; ``patterns``: the guard's
        own calls on NumPy arrays may be served by a version generic in batch sizes
        (``sizes.py``), never the code that ``vjp``, ``hessian``, another library's arrays
        or a calling gradient read."""
        self.seen = _seen(fn, key, names, values, self.wrt_params)
        if self.mode == "shapes" and self.versions and not self.tried_generic \
                and self.kind in ("grad", "value_and_grad"):
            made = self.try_generic(fn)
            if made is not None:
                return made
        options = transform_options(names, values)
        made = self.for_pattern(fn, names, values, options) if patterns else None
        if made is None:
            made, facts = self.made_for(fn, key, **options)
            self.merge_facts(facts)
        with _lock:
            self.versions[key] = made
            while len(self.versions) > SHAPE_CACHE_SIZE:
                self.versions.popitem(last=False)
        self.latest = made
        self.publish(fn)
        return made

    def for_pattern(self, fn: Callable[..., Any], names: list[str], values: list[Any],
                    options: dict[str, Any]) -> Transformed | None:
        """The version for this call's pattern of batch sizes (``sizes.py``), compiled
        when new; None when the call is to be compiled for its exact shapes: the first
        call, no size changed since it, a transform other than ``grad`` or
        ``value_and_grad``, or code that cannot be made for a pattern."""
        if sizes.EVERY_SIZE:
            self.first_shapes = {}
            self.dynamic = sizes.every_position(names, values)
        if self.first_shapes is None:
            self.first_shapes = sizes.array_shapes(names, values)
            return None
        if self.kind not in ("grad", "value_and_grad") or self.mode != "shapes" \
                or self.no_patterns or self.needs_statics or any(v is not None for v in
                                             (options.get("statics") or {}).values()):
            return None
        if not sizes.note_changes(self.dynamic, self.first_shapes, names, values) \
                and not sizes.EVERY_SIZE:
            return None
        pattern = sizes.pattern_of_call(self.dynamic, names, values, options["shapes"])
        if pattern is None:
            return None
        key = sizes.pattern_key(pattern, names)
        made = self.patterns.get(key)
        if made is None:
            try:
                made, facts = self.made_for(fn, ("sizes", key), **{**options, "shapes": pattern})
            except Exception as exc:  # noqa: BLE001  (exact shapes' versions instead, from now on)
                if sizes.EVERY_SIZE and not isinstance(exc, TransformError):
                    raise  # (testing the compiler on patterns: a crash is a finding)
                self.no_patterns = True
                return None
            self.merge_facts(facts)
            with _lock:
                self.patterns[key] = made
                while len(self.patterns) > SHAPE_CACHE_SIZE:
                    self.patterns.popitem(last=False)
        return made


def _for_pattern(made: Transformed) -> bool:
    """``made`` was compiled for a pattern of batch sizes (``sizes.py``)."""
    return made.shapes is not None and any(has_dim(s) for s in made.shapes.values())


#: Argument types of a guard's fast path besides ``np.ndarray``: numbers, whose key is ``()``.
_SCALARS = frozenset({float, int, bool, complex} | {
    t for t in np.sctypeDict.values()
    if isinstance(t, type) and issubclass(t, (np.number, np.bool_))})


def _seen(fn: Callable[..., Any], key: Any, names: list[str], values: list[Any],
          wrt: list[tuple[int | None, str]]) -> tuple[Any, list[tuple[type, Any, Any]]] | None:
    """What a guard's fast path tests of a call like this one (``guard.Fast``): per
    parameter its type, a differentiated array's dtype and an array's shape; None when
    the call is not one the fast path can take (a parameter that is not a NumPy array or
    a number, a differentiated integer to promote, arguments bound otherwise than all
    positionally, a key that is not the shapes)."""
    params = _exact_parameters(fn)
    if params is None or names != params or len(values) != len(params) or \
            type(key) is not tuple or len(key) != len(values):
        return None
    differentiated = {name for _, name in wrt}
    seen = []
    for name, value, part in zip(names, values, key):
        kind = type(value)
        if kind is np.ndarray:
            if part != value.shape:
                return None
            dtype = None
            if name in differentiated:
                dtype = value.dtype
                if dtype.kind in "biu":
                    return None
            seen.append((kind, dtype, value.shape))
        elif kind in _SCALARS and part == ():
            if name in differentiated and kind in INT_TYPES:
                return None
            seen.append((kind, None, None))
        else:
            return None
    return key, seen


def _exact_parameters(fn: Callable[..., Any]) -> list[str] | None:
    """``fn``'s parameter names when a guard may take exactly them (no defaults, all plain)."""
    code = fn.__code__
    if fn.__defaults__ or code.co_kwonlyargcount or code.co_posonlyargcount \
            or code.co_flags & 0x0C:  # *args, **kwargs
        return None
    params = list(code.co_varnames[:code.co_argcount])
    if any(p.startswith(guard.PREFIX) for p in params):
        return None
    return params


def _forget_rule_templates() -> None:
    """Drop the compiler's parsed rule bodies: a rule's code may have changed in place."""
    from ..compiler import inline

    clear = getattr(getattr(inline, "template", None), "cache_clear", None)
    if clear is not None:
        clear()
