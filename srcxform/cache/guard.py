"""Guards: the per-call check in front of generated code, compiled from its facts.

After :func:`compile_guard`, a :class:`GuardCode` holds two code objects made
from one generated text (registered in ``linecache``, so a traceback through
a guard shows its line):

* the guard, with the transformed function's parameters (or ``*args,
  **kwargs`` when they have defaults or are not all plain), which evaluates
  one ``and`` of identity tests — one per fact, ``f.__code__ is <code>``,
  ``helper is <helper>`` (a global of ``f``'s module, read with the
  interpreter's cached global lookup), ``<cell>.cell_contents is <value>``,
  ``VERSION[0] is <version>`` — and, for each differentiated parameter,
  that it is not an integer array or an integer (those are promoted to
  float on the slow path), and for every parameter that its type is plainly
  NumPy's (``backends.PLAIN``: another library's arrays run on its namespace,
  on the slow path); then calls the generated code, or the entry's slow
  path (which revalidates, refreshes, rebuilds, promotes, dispatches); a
  ``TypeError`` of a ``math`` function given a complex value in the generated
  code becomes a located error there (``origins.relocate``);
* ``check(f)``, the same identity tests alone, for callers that look code up
  (``vjp``, ``jvp``, ``hessian``, ``sx.compile``).

Before the general test of the arguments, a guard with plain parameters has a
fast path when its entry gave one (:class:`Fast`: the arguments' types, a
differentiated array's dtype, every array's shape, as at the call that made
the latest version, and that version's function): the same fact tests, then
``type(x) is <type>``, ``x.dtype is <dtype>``, ``x.shape == <shape>`` per
parameter, and a direct call of that function — no key built, no table
looked up (nor the function's defaults checked: a guard with plain
parameters is only made for a function without defaults, and each call of
it passes every parameter, so no default can matter to it).  Anything else
(another shape, dtype or type; a fact that fails) takes the general path,
which is unchanged, so the fast path only ever serves what the general path
would serve.

The expected objects live in one tuple (the snapshot) in a closure cell that
every guard of an entry shares, so refreshing a fact is one cell store.  The
layout of the checks — kinds, names, parameters — is the text; texts are
compiled once and shared (closures made by one factory share one guard code).
"""

from __future__ import annotations

import itertools
import keyword
import threading
import types
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..backends import PLAIN
from ..compiler.loader import register
from ..origins import relocate
from .facts import MISSING, Fact
from .specialise import INT_TYPES, call_key, inline_key, key_part

_CODES: OrderedDict[str, GuardCode] = OrderedDict()
_CODES_SIZE = 512
_lock = threading.Lock()
_counter = itertools.count(1)


@dataclass
class GuardCode:
    """The compiled guard and check of one layout, and their closure variables' roles."""

    guard: types.CodeType
    check: types.CodeType
    roles: dict[str, str]  # closure variable name -> role (f, snapshot, target, slow)


@dataclass
class Layout:
    """What a guard checks: the facts, the parameters, the differentiated ones, the mode."""

    name: str
    params: list[str] | None  # None: ``*args, **kwargs``
    wrt: list[tuple[int | None, str]]  # (positional index or None, name) per wrt parameter
    dispatch: bool  # the target takes the transformed function first (shape dispatch)


@dataclass
class Fast:
    """A guard's fast path: per parameter ``(type, dtype or None, shape or None)`` (a dtype
    for differentiated arrays, a shape for arrays when versions are per shape), and the
    function such calls run."""

    params: list[tuple[type, Any, Any]]
    fn: Any


def snapshot(facts: list[Fact], own_globals: dict, safe: set[str], F: str, S: str
             ) -> tuple[tuple, list[str]]:
    """The tuple of objects the checks compare with, and the check expressions.

    ``S`` names the snapshot in the expressions, ``F`` the transformed function.
    """
    items: list[Any] = [np.ndarray, INT_TYPES, type, len, Exception, key_part, call_key, PLAIN,
                        TypeError, relocate]
    exprs: list[str] = []
    for fact in facts:
        i = len(items)
        kind = fact.kind
        if kind == "own":
            items.append(fact.value)
            exprs.append(f"{F}.{fact.key} is {S}[{i}]")
        elif kind == "attr":
            items += [fact.subject, fact.value]
            exprs.append(f"{S}[{i}].{fact.key} is {S}[{i + 1}]")
        elif kind == "global" and fact.subject is own_globals and fact.key in safe:
            items.append(fact.value)
            exprs.append(f"{fact.key} is {S}[{i}]")
        elif kind == "global":
            items += [fact.subject, fact.value if fact.builtin else MISSING, fact.value]
            exprs.append(f"{S}[{i}].get({fact.key!r}, {S}[{i + 1}]) is {S}[{i + 2}]")
        elif kind == "cell":
            items += [fact.subject, fact.value]
            exprs.append(f"{S}[{i}].cell_contents is {S}[{i + 1}]")
        elif kind == "item":  # FNS["huber"] compiled in (a missing key raises: not ok)
            items += [fact.subject, fact.value]
            exprs.append(f"{S}[{i}][{fact.key!r}] is {S}[{i + 1}]")
        elif kind == "keys":  # a dict's keys, in order, as when a loop over them was unrolled
            items += [fact.subject, fact.value, tuple]
            exprs.append(f"{S}[{i + 2}]({S}[{i}]) == {S}[{i + 1}]")
        else:  # table
            items += [fact.subject, fact.value]
            exprs.append(f"{S}[{i}][0] is {S}[{i + 1}]")
    return tuple(items), exprs


#: The guard's own variable names; a function with a parameter of this prefix gets the
#: ``*args, **kwargs`` form, and a global of this prefix is read with ``.get``.
PREFIX = "__sx_"
NAMES = {role: PREFIX + role for role in
         ("f", "s", "t", "slow", "ok", "a", "k", "x", "v", "m", "key", "factory", "check", "e")}
ROLES = {NAMES["f"]: "f", NAMES["s"]: "snapshot", NAMES["t"]: "target", NAMES["slow"]: "slow"}
#: Snapshot slots before the facts' objects: what the guard calls, so that a module's
#: own ``type`` or ``len`` never stands in for the builtin.
CONSTANTS = 10  # ndarray, INT_TYPES, type, len, Exception, key_part, call_key, PLAIN,
#                 TypeError, origins.relocate


def _promotion(value: str, S: str, X: str) -> str:
    """True unless ``value`` is an integer (or bool) array or number (promoted slowly), or
    not plainly NumPy's (another library's array: run on its namespace, slowly)."""
    return (f"((({X} := {S}[2]({value})) is {S}[0] and {value}.dtype.kind not in 'biu') "
            f"or ({X} is not {S}[0] and {X} not in {S}[1] and {X} in {S}[7]))")


def _plain(value: str, S: str, X: str) -> str:
    """True when ``value``'s type is one the NumPy code is right for (``backends.PLAIN``)."""
    return f"(({X} := {S}[2]({value})) is {S}[0] or {X} in {S}[7])"


def fast_items(fast: Fast, params: list[str], S: str, start: int
               ) -> tuple[list[Any], tuple[str, str]]:
    """The snapshot items (from index ``start``) of a fast path and its test and call."""
    items: list[Any] = []
    tests = []
    for p, (kind, dtype, shape) in zip(params, fast.params):
        tests.append(f"{S}[2]({p}) is {S}[{start + len(items)}]")
        items.append(kind)
        if dtype is not None:
            tests.append(f"{p}.dtype is {S}[{start + len(items)}]")
            items.append(dtype)
        if shape is not None:
            tests.append(f"{p}.shape == {S}[{start + len(items)}]")
            items.append(shape)
    call = f"{S}[{start + len(items)}]({', '.join(params)})"
    items.append(fast.fn)
    return items, (" and ".join(tests) or "True", call)


def _text(layout: Layout, exprs: list[str], fast: tuple[str, str] | None = None,
          late: list[str] | None = None) -> str:
    n = NAMES
    F, S, A, K, X, V, M, KEY = n["f"], n["s"], n["a"], n["k"], n["x"], n["v"], n["m"], n["key"]
    checks = " and ".join(exprs) or "True"
    late = late if fast is not None else None
    first = " and ".join(e for e in exprs if e not in (late or ())) or "True"
    promos = []
    for pos, pname in layout.wrt:
        if layout.params is not None:
            promos.append(_promotion(pname, S, X))
        else:
            got = f"{K}.get({pname!r})" if pos is None else \
                f"({A}[{pos}] if {S}[3]({A}) > {pos} else {K}.get({pname!r}))"
            promos.append(f"(({V} := {got}) is {V} and {_promotion(V, S, X)})")
    if layout.params is not None:  # the other parameters: plainly NumPy's, or slowly
        differentiated = {pname for _, pname in layout.wrt}
        promos += [_plain(p, S, X) for p in layout.params if p not in differentiated]
    else:
        promos.append(f"{S}[7].issuperset(map({S}[2], {A}))")
        promos.append(f"(not {K} or {S}[7].issuperset(map({S}[2], {K}.values())))")
    promo = " and ".join(promos) or "True"
    if layout.params is None:
        params = args = f"*{A}, **{K}"
        key = f"{S}[6]({A}, {K})"
    else:
        params = args = ", ".join(layout.params)
        key = inline_key(layout.params, S) or f"{S}[6](({args}{',' if args else ''}), {{}})"
    call = f"{F}, {args}" if args else F
    quick = []
    if fast is not None:  # the fast path (module docstring): one test, one call
        test, target = fast
        quick = [f"            if {n['ok']} and {test}:",
                 f"                return {target}"]
        if late:  # (attribute reads of the function itself: they never raise)
            quick.append(f"            {n['ok']} = {n['ok']} and {' and '.join(late)}")
    if layout.dispatch:  # the target is the entry's versions, keyed as specialise.call_key
        run = [f"                {M} = {n['t']}.get({KEY} := {key})",
               f"                if {M} is not None:",
               f"                    if {S}[3]({n['t']}) > 1:",
               f"                        {n['t']}.move_to_end({KEY})",
               f"                    return {M}.fn({args})"]
    else:
        run = [f"                return {n['t']}({args})"]
    lines = [
        "# srcxform: checks that the generated code is still the right code (see sx.source)",
        f"def {n['factory']}({F}, {S}, {n['t']}, {n['slow']}):",
        f"    def {layout.name}({params}):",
        "        try:",
        f"            {n['ok']} = {first}",
        f"        except {S}[4]:",
        f"            {n['ok']} = False",
        "        try:",
        *quick,
        f"            if {n['ok']} and {promo}:",
        *run,
        f"            return {n['slow']}({call})",
        f"        except {S}[8] as {n['e']}:  # a math function given a complex value: located",
        f"            {S}[9]({n['e']})",
        "            raise",
        "",
        f"    def {n['check']}({F}):",
        "        try:",
        f"            return {checks}",
        f"        except {S}[4]:",
        "            return False",
        "",
        f"    return {layout.name}, {n['check']}",
        "",
    ]
    return "\n".join(lines)


def compile_guard(layout: Layout, exprs: list[str], fast: tuple[str, str] | None = None,
                  late: list[str] | None = None) -> GuardCode:
    """The guard and check code of this layout (compiled once per distinct text); ``late``:
    checks among ``exprs`` the fast path ``fast`` may skip."""
    text = _text(layout, exprs, fast, late)
    with _lock:
        found = _CODES.get(text)
        if found is not None:
            _CODES.move_to_end(text)
            return found
    filename = f"<srcxform guard of {layout.name} #{next(_counter)}>"
    module = compile(text, filename, "exec")
    factory = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    guard, check = [c for c in factory.co_consts if isinstance(c, types.CodeType)]
    made = GuardCode(guard, check, ROLES)
    register(filename, text, [made.guard, made.check])
    with _lock:
        _CODES[text] = made
        while len(_CODES) > _CODES_SIZE:
            _CODES.popitem(last=False)
    return made


def build(facts: list[Fact], layout: Layout, own_globals: dict, fast: Fast | None = None
          ) -> tuple[GuardCode, tuple]:
    """The guard code for ``facts`` (and the fast path ``fast``, for a guard with plain
    parameters) and the snapshot tuple its checks compare with."""
    hidden = set(layout.params or ()) | {p for _, p in layout.wrt} | {layout.name}
    safe = {f.key for f in facts if f.kind == "global" and f.subject is own_globals
            and isinstance(f.key, str) and f.key.isidentifier() and not f.key.startswith(PREFIX)
            and f.key not in hidden and not keyword.iskeyword(f.key)}
    items, exprs = snapshot(facts, own_globals, safe, NAMES["f"], NAMES["s"])
    text = None
    if fast is not None and layout.params is not None and len(fast.params) == len(layout.params):
        more, text = fast_items(fast, layout.params, NAMES["s"], len(items))
        items += tuple(more)
    # The function's defaults never matter to a call that passes every parameter, which a
    # guard taking exactly the parameters (no defaults when made) always gets: its fast path
    # skips them (a changed default still sends the general path to the slow one).
    late = [e for fact, e in zip(facts, exprs) if fact.kind == "own"
            and fact.key in ("__defaults__", "__kwdefaults__")]
    return compile_guard(layout, exprs, text, late), items


def instantiate(code: types.CodeType, roles: dict[str, str], globals_: dict, name: str,
                cells: dict[str, types.CellType]) -> types.FunctionType:
    """A function of ``code`` whose closure variables are the cells of their roles."""
    closure = tuple(cells[roles[v]] for v in code.co_freevars)
    return types.FunctionType(code, globals_, name, None, closure)
