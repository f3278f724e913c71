"""Effects: which expressions of generated code may be dropped when their value is unused.

After import, :func:`pure` answers whether evaluating an expression has no
effect beyond computing its value (every call in it is a table primitive, a
non-differentiable query, a NumPy or ``math`` function or one of a few known
helpers), and :func:`is_mutator` names the calls that write into their first
argument (``np.add.at``).  An unknown callee is never pure.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .. import rules
from ..rules import unbroadcast
from . import anno
from .astutil import walk
from .env import Env

_PURE_EXTRA = {id(np.broadcast_to), id(np.expand_dims), id(np.moveaxis), id(np.split),
               id(np.cumsum), id(np.tensordot), id(np.swapaxes), id(np.zeros_like),
               id(np.full_like), id(unbroadcast), id(slice), id(tuple), id(list),
               id(np.multiply.outer), id(np.outer)}
_PURE_BUILTINS = (range, reversed, len, min, max)
#: Methods a rule body may write on an array (``g.reshape(...)``): pure.
_PURE_ARRAY_METHODS = ("T", "reshape", "astype", "copy")


def is_add_at(fn: Any) -> bool:
    """True for ``np.add.at`` (a bound method made anew at each attribute access, so
    compared by what it is bound to, never by identity)."""
    return getattr(fn, "__self__", None) is np.add and getattr(fn, "__name__", None) == "at"


def is_mutator(fn: Any) -> bool:
    """True for a function that writes into its first argument (``np.add.at``)."""
    return is_add_at(fn)


#: NumPy functions that write into an argument (never moved, merged or dropped).
_WRITERS = ("copyto", "put", "place", "putmask", "fill_diagonal", "seterr", "errstate")


def deterministic(fn: Any) -> bool:
    """A NumPy, SciPy or ``math`` function that writes into none of its arguments and
    draws no random numbers: two calls with equal arguments give equal values, and a call
    may move past other such calls (``cse.py``, ``refold.py``)."""
    module = getattr(fn, "__module__", None) or ""
    return module.split(".")[0] in ("numpy", "scipy", "math", "cmath") \
        and "random" not in module and getattr(fn, "__name__", "") not in _WRITERS


def pure(node: ast.AST, env: Env) -> bool:
    """True when evaluating ``node`` has no effect besides computing its value."""
    for sub in walk(node):
        if isinstance(sub, ast.Call) and not _pure_call(sub, env):
            return False
    return True


def _pure_call(call: ast.Call, env: Env) -> bool:
    """True for a call of a known function or method without effects."""
    method = anno.get(call, anno.METHOD)
    if method is not None:
        return bool(rules.lookup_method(method) or method in rules.NONDIFF_METHODS)
    fn = env.resolve(call.func)
    if fn is None and isinstance(call.func, ast.Attribute):
        # a method call written by a rule body (g.reshape(...))
        return bool(rules.lookup_method(call.func.attr)
                    or call.func.attr in _PURE_ARRAY_METHODS)
    if fn is None:
        return False
    return bool(rules.lookup(fn) or rules.is_nondifferentiable(fn) or id(fn) in _PURE_EXTRA
                or fn in _PURE_BUILTINS
                or getattr(fn, "__module__", None) in ("numpy", "math")
                or isinstance(fn, np.ufunc))
