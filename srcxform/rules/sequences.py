"""Adjoints of lists and tuples in generated code, and their entries in the table.

After import, ``zeros_each``, ``zeros_list``, ``add_each``, ``add_to_each`` and
``to_each`` are the helpers generated gradient code uses for the adjoint of a
list or tuple (one adjoint per element), and the table has their tangents, so
forward mode reads that code (``sx.hessian``).  They are sums, so affine in each
argument: their tangents are registered, not derived as for linear primitives.
Reverse mode does not take them (``FORWARD_ONLY``: their gradient rules only
raise), so ``grad(grad(f))`` of such code falls back to forward mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .registry import nondifferentiable, register, register_tangents, unbroadcast


def _kind(seq: Any) -> type:
    """list or tuple (a named tuple of results, ``EighResult``, counts as a tuple)."""
    return list if isinstance(seq, list) else tuple


def zeros_each(seq: Any) -> Any:
    """A zero for each element of a list or tuple (of the same kind; nested lists and
    tuples, such as a list of ``(W, b)`` pairs, element by element)."""
    return _kind(seq)(zeros_each(e) if isinstance(e, (list, tuple)) else np.zeros_like(e)
                      for e in seq)


def zeros_list(seq: Any) -> list:
    """:func:`zeros_each` as a list: the adjoint of a list or tuple whose elements the
    backward sweep writes by position (a list that grows, a tuple read by a computed
    index)."""
    return list(zeros_each(seq))


def add_each(a: Any, b: Any) -> Any:
    """Element ``k`` of ``a`` plus element ``k`` of ``b`` (lists or tuples, nested ones
    element by element: never concatenated; ``None``, no value, adds as nothing)."""
    return _kind(a)(y if x is None else x if y is None else
                    add_each(x, y) if isinstance(x, (list, tuple)) else x + y
                    for x, y in zip(a, b))


def add_to_each(a: Any, c: Any) -> Any:
    """Each element of ``a`` plus ``c`` summed down to that element's shape (nested lists
    and tuples element by element): the adjoint of ``sum(xs)`` reaching a growing list."""
    return _kind(a)(add_to_each(x, c) if isinstance(x, (list, tuple)) else x + _fit(c, x)
                    for x in a)


def to_each(c: Any, seq: Any) -> Any:
    """``c`` summed down to the shape of each element of ``seq`` (nested lists and tuples
    element by element): the adjoint ``sum(seq)`` gives a list or tuple literal."""
    return _kind(seq)(to_each(c, e) if isinstance(e, (list, tuple)) else _shaped(c, e)
                      for e in seq)


def _shaped(c: Any, x: Any) -> Any:
    """``c`` with ``x``'s shape: summed down, or broadcast up into a new array."""
    c = _fit(c, x)
    return c if np.shape(c) == np.shape(x) else np.broadcast_to(c, np.shape(x)).copy()


def _fit(c: Any, x: Any) -> Any:
    """``c`` summed over the axes broadcasting against ``x`` added to it (as it is when it
    already broadcasts to ``x``'s shape)."""
    shape = np.shape(x)
    return c if np.broadcast_shapes(np.shape(c), shape) == shape else unbroadcast(c, x)


@register(add_each)
def _add_each_rule(g, out, a, b):
    raise NotImplementedError("reverse mode over a sequence adjoint")


@register(add_to_each)
def _add_to_each_rule(g, out, a, c):
    raise NotImplementedError("reverse mode over a sequence adjoint")


def _add_each_tangent(t, out, a, b):
    # d(a + b) = da + db: each argument's tangent passes through, as a sequence of a's kind
    # (b may be an array whose rows are the elements: a cast's gradient, np.array(xs))
    return t if isinstance(t, (list, tuple)) else _kind(a)(t)


def _add_to_each_tangent_of_c(t, out, a, c):
    return add_to_each(zeros_each(a), t)


@register(to_each)
def _to_each_rule(g, out, c, seq):
    raise NotImplementedError("reverse mode over a sequence adjoint")


def _to_each_tangent(t, out, c, seq):
    return to_each(t, seq)


register_tangents(_add_each_rule, _add_each_tangent, _add_each_tangent)
register_tangents(_to_each_rule, _to_each_tangent, None)
register_tangents(_add_to_each_rule, _add_each_tangent, _add_to_each_tangent_of_c)


nondifferentiable(zeros_each)
nondifferentiable(zeros_list)

#: Rules generated code uses that reverse mode refuses (their values are sequences).
FORWARD_ONLY = {id(_add_each_rule), id(_add_to_each_rule), id(_to_each_rule)}
