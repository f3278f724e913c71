"""The disk cache's files: where they are, what names them, how they are written and read.

Generated code is kept on disk so that a restarted script does not run the
compiler's passes again (``persist.py`` says what an entry holds and how it
is checked).  After import:

* :func:`enabled` — the disk cache is on unless ``SRCXFORM_DISK_CACHE`` is
  ``0``/``false``/``no``/``off``, and off while debugging
  (``SRCXFORM_DEBUG``: the stages are printed by the passes themselves);
* :func:`root` — ``$SRCXFORM_CACHE_DIR`` if set, else
  ``$XDG_CACHE_HOME/srcxform``, else ``~/.cache/srcxform``; entries live in
  ``root/v1/<environment>/<function>/<version>.json``;
* :func:`environment` — the key of everything outside the user's code that
  generated code depends on: a hash of srcxform's own source files, the
  Python, NumPy and gast versions, and the user's part of the rule table
  (:func:`table_key`: each rule registered from outside srcxform — with
  ``sx.adjoint`` or ``rules.register`` — by its primitive and a hash of its
  source; ``None`` when such a rule's source cannot be read, which turns the
  disk cache off while it is registered).  Any change moves every entry to a
  new directory: a different srcxform, NumPy or rule never reads another's;
* :func:`read` / :func:`write` — one JSON file per entry (the generated
  source text is in it: no pickle, nothing executed on reading), written to a
  temporary file in the same directory and moved into place with
  ``os.replace``, so a reader in another process sees the old file or the new
  one, never half of one; a file that does not parse is a miss (and is
  overwritten by the next store);
* the size bound: after a write, now and then (:data:`PRUNE_EVERY`), the
  oldest entries (by modification time; a hit touches its file) are removed
  until the whole cache is under :data:`MAX_BYTES` (``SRCXFORM_CACHE_MAX_MB``
  overrides it).  Removing the directory is always safe: ``python -m srcxform
  --clear-cache``.

:data:`STATS` counts hits, misses, stores and the reasons an entry was not
kept (tests and ``benchmarks/transform_time.py --disk`` read it).
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

FORMAT = 1
#: Bytes the cache may take before the oldest entries are removed.
MAX_BYTES = 256 * 1024 * 1024
#: Every how many writes of a process the size bound is enforced (and at the first).
PRUNE_EVERY = 64

STATS: collections.Counter = collections.Counter()
_lock = threading.Lock()
_writes = [0]
_OFF = ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether entries are looked up and stored (see the module docstring)."""
    if os.environ.get("SRCXFORM_DISK_CACHE", "1").strip().lower() in _OFF:
        return False
    return not os.environ.get("SRCXFORM_DEBUG")


def root() -> Path:
    """The cache's directory (see the module docstring)."""
    explicit = os.environ.get("SRCXFORM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "srcxform"


def digest(data: Any) -> str:
    """A hash of JSON data (its canonical text)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_package: list[str] = []


def package_key() -> str:
    """A hash of srcxform's own source files (computed once per process)."""
    if not _package:
        top = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for path in sorted(top.rglob("*.py")):
            h.update(str(path.relative_to(top)).encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
        _package.append(h.hexdigest()[:32])
    return _package[0]


def versions_key() -> dict[str, str]:
    """The versions of Python, NumPy and gast the passes ran with."""
    import gast
    import numpy

    return {"python": sys.version, "implementation": sys.implementation.cache_tag or "",
            "numpy": numpy.__version__, "gast": getattr(gast, "__version__", "")}


_table: list[Any] = [None, None]  # [the table's VERSION it was computed for, key]


def table_key() -> str | None:
    """The user's part of the rule table (see the module docstring), or None."""
    from ..rules import registry

    version = registry.VERSION[0]
    if _table[0] is version:
        return _table[1]
    key = _compute_table_key(registry)
    _table[:] = [version, key]
    return key


def _foreign(fn: Any) -> bool:
    module = getattr(fn, "__module__", "") or ""
    return not (module == "srcxform" or module.startswith("srcxform."))


def _compute_table_key(registry: Any) -> str | None:
    from .. import depends
    from .describe import Unkeyable, identity, source_hash

    def code(fn: Any) -> list:
        if fn is None:
            return ["none"]
        if depends.is_library(fn):  # (scipy's ufuncs are not all found by their names)
            try:
                return identity(fn)
            except Unkeyable:
                return ["library", getattr(fn, "__module__", None) or type(fn).__module__,
                        getattr(fn, "__qualname__", None) or getattr(fn, "__name__", "")
                        or type(fn).__qualname__]
        primal = getattr(fn, "__srcxform_primal__", fn)
        return [getattr(primal, "__module__", ""), getattr(primal, "__qualname__", ""),
                source_hash(primal)]

    rows: list[Any] = []
    try:
        for kind, key, rule in registry.all_rules():
            if not _foreign(rule.vjp):
                continue
            target = code(key) if kind == "function" else key
            row = [kind, target, code(rule.vjp), rule.elementwise, rule.linear,
                   rule.sequence_output]
            tangents = registry.tangents_of(rule)
            if tangents is not None:
                row.append([code(t) for t in tangents])
            rows.append(row)
        for fn in registry._NONDIFF_OBJECTS:
            if _foreign(fn):
                rows.append(["nondiff", code(fn)])
    except (Unkeyable, TypeError, AttributeError):
        return None
    rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
    return digest(rows)


def environment() -> dict[str, Any] | None:
    """The environment's key (see the module docstring), or None when it has none."""
    table = table_key()
    if table is None:
        return None
    return {"format": FORMAT, "srcxform": package_key(), **versions_key(), "rules": table}


# -- files -------------------------------------------------------------------------------------

def entry_path(env: dict[str, Any], function: Any, version: Any) -> Path:
    """The file of one entry: ``root/v1/<environment>/<function>/<version>.json``."""
    return root() / f"v{FORMAT}" / digest(env) / digest(function) / (digest(version) + ".json")


def function_dir(env: dict[str, Any], function: Any) -> Path:
    return root() / f"v{FORMAT}" / digest(env) / digest(function)


def read(path: Path) -> dict[str, Any] | None:
    """The entry in ``path``, or None (missing, unreadable, not an entry of this format)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        STATS["corrupt"] += 1
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        STATS["corrupt"] += 1
        return None
    return data


def touch(path: Path) -> None:
    """Mark ``path`` as used now (the size bound removes the least recently used)."""
    try:
        os.utime(path)
    except OSError:
        pass


def write(path: Path, data: dict[str, Any]) -> bool:
    """Write ``data`` to ``path`` atomically (temporary file, then ``os.replace``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        STATS["write_failed"] += 1
        return False
    with _lock:
        _writes[0] += 1
        due = _writes[0] % PRUNE_EVERY == 1 or PRUNE_EVERY == 1
    if due:
        prune()
    return True


def max_bytes() -> int:
    mb = os.environ.get("SRCXFORM_CACHE_MAX_MB")
    try:
        return int(float(mb) * 1024 * 1024) if mb else MAX_BYTES
    except ValueError:
        return MAX_BYTES


def prune(limit: int | None = None) -> int:
    """Remove the least recently used entries until the cache holds at most ``limit`` bytes
    (:func:`max_bytes`); returns how many files were removed."""
    limit = max_bytes() if limit is None else limit
    files = []
    for path in (root() / f"v{FORMAT}").rglob("*.json"):
        try:
            st = path.stat()
        except OSError:
            continue
        files.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in files)
    removed = 0
    for _, size, path in sorted(files, key=lambda f: f[0]):
        if total <= limit:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        removed += 1
    return removed


def clear() -> Path:
    """Remove every entry (the whole cache directory); returns the directory."""
    import shutil

    where = root()
    shutil.rmtree(where, ignore_errors=True)
    return where
