"""Known constants: the module globals and closure values a body reads, with their shapes.

After :func:`known_constants`, the optimizer knows, for every name the
generated body reads but never assigns that denotes a number or a numeric
NumPy array at transform time — a global of the user's module (``DT``), a
variable of an enclosing function, a global of an inlined helper bound under
a fresh name — that name's shape (``()`` for a number), and which of them
hold integers.  The optimizer specialises on these shapes exactly as on the
arguments' shapes (``unbroadcast`` folds, scalars get scalar zeros).

Why this never serves a stale gradient: the generated code still reads these
names live (their *values* are not folded), and the cache's guard
(``srcxform/cache/facts.py``, :func:`~srcxform.cache.facts.world_key`) checks
every one of them on every call by identity; a new object is accepted without
a rebuild only when it keeps what this module relied on — a number of the
same type (so a scalar of the same kind), an array of the same type, shape
and dtype — and a value the compiler looked at (``depends.note_value``) or
froze into the code must stay equal.  Anything else rebuilds the code.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .astutil import load_and_store_counts, names_loaded
from .env import Env
from .resolve import BOUND, CLOSURE, GLOBAL, MISSING

#: Python number types whose values have shape ``()`` (``bool`` is left out: masks).
_NUMBER_TYPES = (int, float, complex)


def constant_shape(value: Any) -> tuple[tuple[int, ...], bool] | None:
    """``(shape, holds ints)`` of a number or numeric array, else ``None``."""
    kind = type(value)
    if kind in _NUMBER_TYPES:
        return (), kind is int
    if isinstance(value, np.generic) and isinstance(value, np.number):
        return (), isinstance(value, np.integer)
    if kind is np.ndarray and value.dtype.kind in "iufc":
        return tuple(value.shape), False
    return None


def known_constants(env: Env, body: list[ast.stmt],
                    counts: tuple[dict[str, int], dict[str, int]] | None = None
                    ) -> tuple[dict[str, tuple[int, ...]], set[str]]:
    """``(shapes, int names)`` of the constants ``body`` reads (module docstring);
    ``counts``: ``body``'s load and store counts, when known.

    Only names that cannot be anything else count: a free name of the user's own
    function (generated names never collide with those) or a name the compiler bound
    (``env.cells``), and never a name the body assigns.
    """
    loaded, stored = counts if counts is not None else load_and_store_counts(body)
    scope = env.scope
    candidates = (names_loaded(env.parsed.node) | set(env.cells)) & loaded.keys()
    shapes: dict[str, tuple[int, ...]] = {}
    ints: set[str] = set()
    for name in sorted(candidates - stored.keys()):
        if scope.where(name) not in (BOUND, CLOSURE, GLOBAL):
            continue
        value = scope.lookup(name)
        if value is MISSING:
            continue
        found = constant_shape(value)
        if found is not None:
            shapes[name] = found[0]
            if found[1]:
                ints.add(name)
    return shapes, ints
