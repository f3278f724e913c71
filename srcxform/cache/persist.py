"""Persisted entries: generated code kept on disk, served again only when it is right.

After :func:`remember` (called by ``entry.py`` after a transform ran), the
code of one transform of one function for one specialisation key is in a
file of the disk cache (``disk.py``) — unless something it relied on has no
description valid in another process (``describe.py``: a user's object, a
closure, a lambda, an argument compiled in), in which case nothing is written.
The entry holds:

* the key (the file's name is its hash): the environment (srcxform's source,
  Python, NumPy and gast versions, the user's rules), the function's module,
  qualified name, file, first line and a hash of its source, the transform
  (kind, ``wrt``, ``checkpoint``) and the specialisation key (argument
  shapes);
* every function whose source the transform read (the function, each
  inlined helper, each user rule inlined): where it is found from the
  transformed function (a free reference of an earlier one, or a module and
  name), a hash of its source, its defaults, and for each free reference of
  its source what the reference denoted, as the fact about it keeps it
  (``facts.py``: a number read live by its type, an array read live by its
  layout, a folded constant by its value, a helper or module by where it
  lives), and whether the compiler looked at the value;
* the keys of the user's dicts a loop was unrolled over;
* the module globals the generated code loads that the function's source
  does not read (the environment may name an object by the user's global of
  that name), by their descriptions;
* the generated text exactly as compiled (with the loader's header), the
  names and docstrings of its functions, what each closure variable of the
  generated code is bound to (a closure cell of the function, a value the
  transform read, a library object found by name, a literal), and the lines
  of the user's calls (``origins.py``).

After :func:`recall` returns ``(made, facts, chains)``: every function above
was found again, its source is the same and still the source of the code it
runs (``freshness.py``), every reference denotes an object with the same
description, every dict has the same keys, every module global the
generated code loads has the same description; the generated text was
compiled and bound like the loader binds it (``rebind.py``: ``linecache``
and origins registered, so tracebacks and ``inspect.getsource`` work);
``facts`` are the facts a transform would have recorded now
(``facts.facts_of``), so the guard checks the same things as after a
transform.  Otherwise it returns None (a miss: the passes run, and the new
code overwrites the file).  No pass of the compiler runs on a hit.
"""

from __future__ import annotations

import builtins
import inspect
import linecache
import weakref
from pathlib import Path
from typing import Any, Callable

from .. import depends
from .. import origins as srcxform_origins
from ..compiler import Transformed
from ..compiler.freshness import SourceChangedError, check_fresh
from ..rules import registry
from . import disk, rebind
from .describe import (
    Unkeyable,
    decode,
    describe,
    encode,
    identity,
    lines_hash,
    locate,
    source_hash,
)
from .facts import Fact, facts_of, global_names, world_key

# -- keys ----------------------------------------------------------------------------------------

def _plain(fn: Any) -> bool:
    """A user's function defined in a file (not generated code, not a pytree twin)."""
    if not inspect.isfunction(fn) or getattr(fn, "__srcxform_twin_of__", None) is not None:
        return False
    filename = fn.__code__.co_filename
    return bool(filename) and not filename.startswith("<")


#: code object -> (the ``linecache`` entry its source was read from, the source's hash)
_FRESH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fresh_hash(fn: Any) -> str:
    """A hash of ``fn``'s source, which must still be the source of the code it runs
    (checked once per code object and text of its file)."""
    code = fn.__code__
    known = _FRESH.get(code)
    if known is not None and known[0] is linecache.cache.get(code.co_filename):
        return known[1]
    try:
        lines, first = inspect.getsourcelines(code)
        check_fresh(fn, lines, first)
    except (OSError, TypeError, SourceChangedError) as exc:
        raise Unkeyable(f"the source of {fn.__qualname__}: {exc}") from None
    found = lines_hash(lines, first)
    _FRESH[code] = (linecache.cache.get(code.co_filename), found)
    return found


def function_key(fn: Any, kind: str, wrt: Any, checkpoint: Any, source: str | None = None
                 ) -> dict[str, Any]:
    """What names the directory of ``fn``'s transform ``kind``/``wrt``/``checkpoint``."""
    code = fn.__code__
    return {"module": fn.__module__, "qualname": fn.__qualname__, "file": code.co_filename,
            "line": code.co_firstlineno, "source": source or _fresh_hash(fn), "kind": kind,
            "wrt": encode(wrt), "checkpoint": encode(checkpoint)}


def _split(key: tuple) -> tuple[str, Any, Any, Any]:
    """(kind, wrt, specialisation key, checkpoint) of an ``entry.template_key``."""
    checkpoint = key[3][1] if len(key) > 3 else None
    return key[0], key[1], key[2], checkpoint


def _spec(spec: Any) -> Any:
    """The specialisation key as JSON data (a static argument only if it is ``None``)."""
    if type(spec) is tuple:
        return ["tuple", [_spec(s) for s in spec]]
    if type(spec).__name__ == "StaticKey":
        if spec.value is None:
            return ["static-none"]
        raise Unkeyable("a function or object argument compiled in")
    return encode(spec)


def knows(fn: Callable[..., Any], kind: str, wrt: Any, checkpoint: Any = None) -> bool:
    """Whether the disk cache holds a version of this transform of ``fn`` made in the world
    as it is now (its latest version's functions, references and globals are found again
    unchanged): the transform succeeded in this world, so ``grad`` may leave the passes to
    the first call (no ``TransformError`` is put off)."""
    if not disk.enabled() or not _plain(fn):
        return False
    try:
        env = disk.environment()
        if env is None:
            return False
        function = function_key(fn, kind, wrt, checkpoint)
        files = [p for p in disk.function_dir(env, function).iterdir()
                 if p.suffix == ".json" and not p.name.startswith(".")]
        if not files:
            return False
        data = disk.read(max(files, key=lambda p: p.stat().st_mtime))
        if data is None or data.get("function") != function:
            return False
        _world(fn, data)
        return True
    except Exception:  # noqa: BLE001  (no entry, a damaged one, another world: not known)
        return False


def _path(fn: Any, key: tuple, fresh: bool = True) -> tuple[Path, dict[str, Any], Any]:
    """The entry's file, its function key and its version key.  ``fresh``: check that
    ``fn``'s source is the source of its code (a transform that just ran checked it)."""
    env = disk.environment()
    if env is None:
        raise Unkeyable("a user's rule without readable source is registered")
    kind, wrt, spec, checkpoint = _split(key)
    function = function_key(fn, kind, wrt, checkpoint,
                            None if fresh else source_hash(fn))
    version = _spec(spec)
    return disk.entry_path(env, function, version), function, version


# -- storing -------------------------------------------------------------------------------------

def remember(fn: Callable[..., Any], key: tuple, made: Transformed, facts: list[Fact],
             rec: depends.Recording) -> bool:
    """Write the entry of ``made`` (see the module docstring); False if it was not kept."""
    if not disk.enabled():
        return False
    try:
        path, function, version = _path(fn, key, fresh=False)
        data = _record(fn, made, facts, rec)
    except Unkeyable as exc:
        disk.STATS["not kept"] += 1
        disk.STATS[f"not kept: {str(exc).split(':')[0][:60]}"] += 1
        return False
    data.update(format=disk.FORMAT, function=function, version=version)
    if disk.write(path, data):
        disk.STATS["stores"] += 1
        return True
    return False


def _unique(rec: depends.Recording) -> list[depends.Noted]:
    """The functions of a recording, each once (with every chain any note of it had)."""
    out: dict[tuple[int, bool], depends.Noted] = {}
    for noted in rec.functions:
        k = (id(noted.fn), noted.rule)
        if k in out:
            old = out[k]
            out[k] = depends.Noted(old.fn, old.reads + noted.reads, old.rule,
                                   old.chains | noted.chains)
        else:
            out[k] = noted
    return list(out.values())


def _record(fn: Any, made: Transformed, facts: list[Fact], rec: depends.Recording
            ) -> dict[str, Any]:
    if not _plain(fn) or made.stages:
        raise Unkeyable("not a function defined in a file")
    if rec.attributes:
        raise Unkeyable("an object's attributes compiled in")
    table = next((f for f in facts if f.kind == "table"), None)
    if table is None or table.value is not registry.VERSION[0]:
        raise Unkeyable("the rule table changed during the transform")
    accepts = {f.ident(): f.accept for f in facts}
    noted = _unique(rec)
    if not noted or noted[0].fn is not fn or noted[0].rule:
        raise Unkeyable("the function was not the first one read")
    places = _places(fn, noted)
    # a function read whose source was read too is described as that function: its source
    # and defaults are checked where it is listed (so it need not be found by name)
    listed = {id(n.fn): i for i, n in enumerate(noted) if not n.rule}
    functions = []
    for item in noted:
        reads = []
        for read in item.reads:
            accept = accepts.get((read.kind, id(read.subject), read.key))
            if accept is None:
                raise Unkeyable("a reference without a fact")
            desc = ["listed", listed[id(read.value)]] \
                if accept == "identity" and id(read.value) in listed \
                else describe(read.value, accept)
            reads.append([list(read.path), read.kind, read.key, read.builtin, accept, desc,
                          id(read.value) in rec.inspected])
        functions.append({
            "at": places[(id(item.fn), item.rule)], "rule": item.rule,
            "chains": sorted(list(c) for c in item.chains), "source": source_hash(item.fn),
            "defaults": encode((item.fn.__defaults__, item.fn.__kwdefaults__)),
            "reads": reads})
    values = {id(read.value): [i, list(read.path)] for i, item in enumerate(noted)
              for read in item.reads}
    keys = []
    for read in rec.keys:
        if id(read.subject) not in values:
            raise Unkeyable("a dict unrolled over that no reference reaches")
        keys.append([values[id(read.subject)], encode(read.value)])
    return {"functions": functions, "keys": keys, "globals": _globals(fn, made, noted[0]),
            **_code(fn, made, values),
            "made": {"source": made.source, "wrt": list(made.wrt), "kind": made.kind,
                     "rank_dependent": made.rank_dependent, "ranks": encode(made.ranks),
                     "shapes": _shapes(made.shapes), "layout": encode(made.result_layout)}}


def _globals(fn: Any, made: Transformed, top: depends.Noted) -> list:
    """The module globals the generated code loads that ``fn``'s source does not read (a
    name the environment took because the user's global of that name was the object it
    needed): each must denote a value of the same description after a restart."""
    gens = [made.fn] + ([made.backward] if made.backward is not None else [])
    read = {r.path[0] for r in top.reads if r.kind == "global" and len(r.path) == 1}
    out = []
    for name in sorted(set().union(*(global_names(g.__code__) for g in gens)) - read):
        out.append([name, _global_description(fn.__globals__, name)])
    return out


def _global_description(space: dict[str, Any], name: str) -> list:
    if name in space:
        value = space[name]
        return describe(value, world_key(value, True, False))
    if hasattr(builtins, name):
        return ["builtin", describe(getattr(builtins, name), "identity")]
    return ["missing"]


def _shapes(shapes: Any) -> Any:
    if shapes is None:
        return encode(None)
    if not all(type(s) is tuple for s in shapes.values()):
        raise Unkeyable("a container argument's structure")
    return encode(dict(shapes))


def _places(fn: Any, noted: list[depends.Noted]) -> dict[tuple[int, bool], list]:
    """Where each function read is found: ``["top"]``, ``["read", i, path]`` (a free
    reference of function ``i``) or ``["at", place]`` (a module and a name)."""
    places: dict[tuple[int, bool], list] = {(id(fn), False): ["top"]}
    index = {(id(n.fn), n.rule): i for i, n in enumerate(noted)}
    progress = True
    while progress:
        progress = False
        for item in noted:
            k = (id(item.fn), item.rule)
            if k in places:
                continue
            for other in noted:
                j = (id(other.fn), other.rule)
                if j not in places or index[j] > index[k]:
                    continue
                read = next((r for r in other.reads if r.value is item.fn), None)
                if read is not None:
                    places[k] = ["read", index[j], list(read.path)]
                    progress = True
                    break
    for item in noted:
        k = (id(item.fn), item.rule)
        if k not in places:
            if not _plain(item.fn):
                raise Unkeyable("a function read that is not defined in a file")
            places[k] = ["at", identity(item.fn)]
    return places


def _code(fn: Any, made: Transformed, values: dict[int, list]) -> dict[str, Any]:
    """The generated text and how its closure variables are bound."""
    gens = [made.fn] + ([made.backward] if made.backward is not None else [])
    filename = made.fn.__code__.co_filename
    cached = linecache.cache.get(filename)
    if cached is None or cached[2] is None:
        raise Unkeyable("the generated text is not in linecache")
    shown = "".join(cached[2])[:-1]
    own = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    free: dict[str, list] = {}
    for g in gens:
        for name, cell in zip(g.__code__.co_freevars, g.__closure__ or ()):
            if own.get(name) is cell:
                free[name] = ["user"]
            else:
                free[name] = _helper(name, cell.cell_contents, values)
    found = srcxform_origins._FILES.get(filename)
    origins = [] if found is None else [[k, *v] for k, v in sorted(found.lines.items())]
    return {"text": shown, "label": filename.rsplit(" #", 1)[0],
            "names": [g.__code__.co_name for g in gens], "docs": [g.__doc__ for g in gens],
            "free": sorted([n, how] for n, how in free.items()),
            "origins_file": None if found is None else found.source, "origins": origins}


def _helper(name: str, value: Any, values: dict[int, list]) -> list:
    """How the closure variable ``name`` of generated code is bound again."""
    if id(value) in values:
        return ["read", values[id(value)]]
    try:
        return ["lit", encode(value)]
    except Unkeyable:
        pass
    try:
        return ["at", identity(value)]
    except Unkeyable as exc:
        raise Unkeyable(f"helper value: {name}: {exc}") from None


# -- serving -----------------------------------------------------------------------------------

def recall(fn: Callable[..., Any], key: tuple
           ) -> tuple[Transformed, list[Fact], frozenset] | None:
    """The kept code of ``key`` for ``fn`` if it is right now (module docstring), else None."""
    if not disk.enabled() or not _plain(fn):
        return None
    try:
        path, function, version = _path(fn, key)
        data = disk.read(path)
        if data is None:
            disk.STATS["misses"] += 1
            return None
        if data.get("function") != function or data.get("version") != version:
            raise Unkeyable("another key")
        found = _rebuild(fn, data)
    except Unkeyable:
        disk.STATS["misses"] += 1
        return None
    except Exception as exc:  # noqa: BLE001  (a damaged entry is a miss; rewritten after)
        disk.STATS["corrupt"] += 1
        disk.STATS[f"corrupt: {type(exc).__name__}: {str(exc)[:80]}"] += 1
        return None
    disk.touch(path)
    disk.STATS["hits"] += 1
    return found


def _rebuild(fn: Any, data: dict[str, Any]) -> tuple[Transformed, list[Fact], frozenset]:
    live, noted, inspected, keep, keys = _world(fn, data)
    cells = {}
    for name, how in data["free"]:
        if how[0] == "read":
            cells[name] = _read_at(live, how[1][0], how[1][1])
        elif how[0] == "lit":
            cells[name] = decode(how[1])
        elif how[0] == "at":
            cells[name] = locate(how[1])
    rec = depends.Recording(noted, {id(v) for v in cells.values()}, inspected,
                            keep + list(cells.values()), keys=keys)
    facts = facts_of(rec, fn, registry.VERSION[0])
    accepts = {f.ident(): f.accept for f in facts}
    for (_, reads), item in zip(live, data["functions"]):
        stored = {tuple(r[0]): r[4] for r in item["reads"]}
        if any(accepts.get((r.kind, id(r.subject), r.key)) != stored[r.path] for r in reads):
            raise Unkeyable("a fact of another kind")
    made = rebind.compile_entry(fn, data, cells)
    return made, facts, noted[0].chains


def _world(fn: Any, data: dict[str, Any]) -> tuple[list, list[depends.Noted], set[int],
                                                    list[Any], list[depends.Read]]:
    """The functions, references, dicts and globals of entry ``data`` found again for
    ``fn``, each with the description it had (else :class:`Unkeyable`)."""
    live: list[tuple[Any, list[depends.Read]]] = []
    noted: list[depends.Noted] = []
    inspected: set[int] = set()
    keep: list[Any] = []
    listed: list[tuple[Any, int]] = []  # (a function read, the function listed it must be)
    for item in data["functions"]:
        where = item["at"]
        if where[0] == "top":
            f = fn
        elif where[0] == "read":
            f = _read_at(live, where[1], where[2])
        else:
            f = locate(where[1])
        if not inspect.isfunction(f) or _fresh_hash(f) != item["source"]:
            raise Unkeyable("a function's source changed")
        if encode((f.__defaults__, f.__kwdefaults__)) != item["defaults"]:
            raise Unkeyable("a function's defaults changed")
        chains = frozenset(tuple(c) for c in item["chains"])
        reads = depends.resolve(f, chains)
        stored = {tuple(r[0]): r for r in item["reads"]}
        if len(reads) != len(stored):
            raise Unkeyable("other references")
        for read in reads:
            r = stored.get(read.path)
            if r is None or [read.kind, read.key, read.builtin] != r[1:4]:
                raise Unkeyable(f"the reference {'.'.join(read.path)} changed")
            if r[5][0] == "listed":
                listed.append((read.value, r[5][1]))
            elif describe(read.value, r[4]) != r[5]:
                raise Unkeyable(f"the reference {'.'.join(read.path)} changed")
            if r[6]:
                inspected.add(id(read.value))
                keep.append(read.value)
        live.append((f, reads))
        noted.append(depends.Noted(f, reads, item["rule"], chains))
    if any(i >= len(live) or live[i][0] is not value for value, i in listed):
        raise Unkeyable("a function read is not the one whose source was read")
    keys = []
    for (i, path), value in data["keys"]:
        subject = _read_at(live, i, path)
        if type(subject) is not dict or encode(tuple(subject)) != value:
            raise Unkeyable("a dict's keys changed")
        keys.append(depends.Read("keys", subject, None, tuple(subject)))
        keep.append(subject)
    for name, desc in data["globals"]:
        if _global_description(fn.__globals__, name) != desc:
            raise Unkeyable(f"the global {name} changed")
    return live, noted, inspected, keep, keys


def _read_at(live: list[tuple[Any, list[depends.Read]]], index: int, path: list) -> Any:
    if index >= len(live):
        raise Unkeyable("a reference of a function not found yet")
    path = tuple(path)
    read = next((r for r in live[index][1] if r.path == path), None)
    if read is None:
        raise Unkeyable("a reference not found")
    return read.value
