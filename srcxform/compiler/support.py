"""Small run-time helpers that generated code may call (besides ``unbroadcast``).

After import, :func:`scalar_seed` is the one place that checks a function's
output is a scalar before its gradient is taken, :func:`zeros_like_or_none`
zeroes the adjoint of a value that a branch not taken never assigned, and
:func:`zeros_each`, :func:`add_each`, :func:`add_to_each` hold the adjoints of
lists and tuples (one adjoint per element).  The last two have tangents in the
rule table, so forward mode reads generated gradient
code (``hessian``); reverse mode does not take them (``FORWARD_ONLY``).
(They are sums, so affine in each argument: their tangents are registered,
not derived as for multilinear primitives.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..rules import register, register_tangents


def scalar_seed(value: Any) -> Any:
    """The cotangent 1 for a scalar ``value``; ``ValueError`` for anything else."""
    size = np.size(value)
    if size != 1:
        raise ValueError(f"the function must return a scalar to take its gradient, got an "
                         f"output of shape {np.shape(value)}; use sx.vjp for other outputs")
    if isinstance(value, np.ndarray):
        return np.ones_like(value)
    return 1.0


def zeros_like_or_none(value: Any) -> Any:
    """``np.zeros_like(value)``, or ``None`` for a value never assigned on this run."""
    return None if value is None else np.zeros_like(value)


def zeros_each(seq: Any) -> Any:
    """A zero for each element of a list or tuple (of the same kind)."""
    return type(seq)(np.zeros_like(e) for e in seq)


def add_each(a: Any, b: Any) -> Any:
    """Element ``k`` of ``a`` plus element ``k`` of ``b`` (lists or tuples)."""
    return type(a)(x + y for x, y in zip(a, b))


def add_to_each(a: Any, c: Any) -> Any:
    """Each element of ``a`` plus ``c``."""
    return type(a)(x + c for x in a)


@register(add_each)
def _add_each_rule(g, out, a, b):
    raise NotImplementedError("reverse mode over a sequence adjoint")


@register(add_to_each)
def _add_to_each_rule(g, out, a, c):
    raise NotImplementedError("reverse mode over a sequence adjoint")


def _add_each_tangent(t, out, a, b):
    return t  # d(a + b) = da + db: each argument's tangent passes through


def _add_to_each_tangent_of_c(t, out, a, c):
    return add_to_each(zeros_each(a), t)


register_tangents(_add_each_rule, _add_each_tangent, _add_each_tangent)
register_tangents(_add_to_each_rule, _add_each_tangent, _add_to_each_tangent_of_c)


#: Rules generated code uses that reverse mode refuses (their values are sequences).
FORWARD_ONLY = {id(_add_each_rule), id(_add_to_each_rule)}
