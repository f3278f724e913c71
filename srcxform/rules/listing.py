"""The list of every function with a derivative rule, generated from the table.

After import, :func:`supported` gives one :class:`Supported` row per entry of
the table (functions under every public name they have in ``numpy``,
``numpy.linalg``, ``math`` or ``builtins``; array methods; attributes; the
helpers generated code calls) with the modes that differentiate it:

* ``reverse``: ``sx.grad``, ``sx.vjp`` (the rule's gradient);
* ``forward``: ``sx.jvp``, ``sx.hessian`` (a tangent derived or registered);
* ``eager``: ``Tensor``s record it (a NumPy function or ufunc through NumPy's
  dispatch, a method or attribute ``Tensor`` has, ``abs``/``float`` on a tensor).

:func:`listing` renders them as the text ``python -m srcxform --rules`` prints.
Nothing here is written by hand, so the list cannot drift from the table.
"""

from __future__ import annotations

import builtins
import functools
import math
import types
from dataclasses import dataclass

import numpy as np

from . import optional, registry, sequences

_NAMESPACES = (("np", np), ("np.linalg", np.linalg), ("math", math), ("builtins", builtins))
#: builtins a Tensor answers itself (``abs(t)`` calls ``t.__abs__``, ``float(t)`` ...)
_EAGER_BUILTINS = {id(builtins.abs), id(builtins.pow), id(float)}


@dataclass(frozen=True)
class Supported:
    """One row: how users spell it, which kind of entry, and its modes."""

    names: tuple[str, ...]
    kind: str  # "function", "indexing", "method", "attribute", "nn", "helper"
    modes: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def _namespaces() -> tuple[tuple[str, object], ...]:
    """NumPy's and math's namespaces, and SciPy's where it is installed (its rules loaded)."""
    found = _NAMESPACES
    if optional.load_scipy():
        import scipy.linalg
        import scipy.special
        import scipy.stats

        found += (("scipy.special", scipy.special), ("scipy.stats", scipy.stats),
                  ("scipy.linalg", scipy.linalg))
    return found


def _names(obj: object) -> tuple[str, ...]:
    found = []
    bound = type(obj) is types.MethodType  # scipy.stats.norm.logpdf: keyed by class
    for prefix, module in _namespaces():
        for name, value in vars(module).items():
            if name.startswith("_"):
                continue
            if value is obj:
                found.append(f"{prefix}.{name}")
            elif bound and type(value) is type(obj.__self__):
                found.append(f"{prefix}.{name}.{obj.__func__.__name__}")
    return tuple(sorted(found))


def _forward(rule: registry.Rule) -> bool:
    explicit = registry.tangents_of(rule)
    return explicit is not None or rule.linear or rule.elementwise


def _tensor_class():
    from ..runtime.tensor_class import Tensor  # the runtime imports the table, not back

    return Tensor


def _eager(kind: str, key: object) -> bool:
    if kind in ("method", "attribute"):
        return hasattr(_tensor_class(), key)
    if kind in ("indexing", "nn"):
        return True  # t[i]; sx.nn.functional records these rules
    if kind == "helper":
        return False
    if id(key) in _EAGER_BUILTINS:
        return True
    return isinstance(key, np.ufunc) or type(key).__name__ == "_ArrayFunctionDispatcher"


def supported() -> list[Supported]:
    """Every entry of the table, with its names and modes, sorted by name."""
    _namespaces()  # (loads SciPy's rules where SciPy is installed)
    rows = []
    for kind, key, rule in registry.all_rules():
        names: tuple[str, ...]
        module = getattr(key, "__module__", "") or ""
        if kind == "method":
            names = (f"x.{key}()",)
        elif kind == "attribute":
            names = (f"x.{key}",)
        elif rule.name in ("getitem", "getitem_basic"):
            kind = "indexing"
            names = ("x[index]" + (" (basic: ints, slices)" if rule.name == "getitem_basic"
                                   else " (any index: integer arrays, masks)"),)
        elif module == f"{__package__}.nn":  # srcxform's primitives (sx.nn.functional)
            kind = "nn"
            names = (f"{module}.{key.__name__}",)
        else:
            names = _names(key)
            if not names:  # a helper that generated code calls (unbroadcast, prod_of_others)
                kind = "helper"
                names = (f"{module}.{getattr(key, '__name__', repr(key))}",)
        modes = []
        if id(rule.vjp) not in sequences.FORWARD_ONLY:
            modes.append("reverse")
        if _forward(rule):
            modes.append("forward")
        if _eager(kind, key):
            modes.append("eager")
        rows.append(Supported(names, kind, tuple(modes)))
    return sorted(rows, key=lambda r: (r.kind, r.names))


_TITLES = {"function": "Functions", "indexing": "Indexing", "method": "Array methods",
           "attribute": "Array attributes",
           "nn": "srcxform's neural-network primitives (sx.nn.functional in eager code)",
           "helper": "Helpers of generated code (for derivatives of derivatives)"}


def listing() -> str:
    """The text of ``python -m srcxform --rules``."""
    rows = supported()
    lines = ["Functions with a derivative rule, and the modes that differentiate them:",
             "  reverse: sx.grad, sx.value_and_grad, sx.vjp",
             "  forward: sx.jvp, sx.hessian",
             "  eager:   srcxform Tensors (methods, and NumPy functions called on them)",
             "(other functions raise TransformError where they are differentiated; the",
             " non-differentiable ones, such as np.sign or np.argmax, stop the gradient)", ""]
    for kind in _TITLES:
        group = [r for r in rows if r.kind == kind]
        lines.append(f"{_TITLES[kind]} ({len(group)}):")
        width = max(len(", ".join(r.names)) for r in group) if group else 0
        for r in group:
            lines.append(f"  {', '.join(r.names):<{width}}  {' '.join(r.modes)}")
        lines.append("")
    return "\n".join(lines)
