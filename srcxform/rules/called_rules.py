"""Rules of the two rules generated gradient code calls instead of inlining.

``np.einsum``'s rule (``linalg.einsum_vjp``) and ``np.linalg.multi_dot``'s
(``linalg.multi_dot``) loop over a number of operands the compiler does not
fix, so gradient code calls them: ``einsum_vjp(g, out, subscripts, *operands)``.
After import, those two functions are primitives of the table too, so forward
mode reads gradient code that calls them (``sx.hessian``, ``sx.hvp``) and
reverse mode differentiates it again (``sx.grad(sx.grad(f))``).

Both rules are multilinear: gradient ``k`` is linear in the cotangent ``g`` and
in every operand but ``k``, and does not depend on operand ``k`` nor on ``out``.
So, writing ``ops[j <- t]`` for the operands with operand ``j`` replaced by ``t``:

* tangent along ``g``: the rule at ``g = t``;
* tangent along operand ``j``: the rule at ``ops[j <- t]``, except gradient
  ``j`` itself, whose tangent is zero;
* ``out`` and the subscripts: no tangent (the rules do not read ``out``).

Reverse mode, for cotangents ``gg_k`` of the gradients (``<G_k, gg_k> =
<g, f(ops[k <- gg_k])>``): ``g`` receives ``sum_k f(ops[k <- gg_k])`` and operand
``j`` receives ``sum_{k != j}`` gradient ``j`` of the rule at ``ops[k <- gg_k]``.
"""

from __future__ import annotations

import numpy as np

from .linalg import einsum_vjp, multi_dot
from .registry import register, register_tangents


def _replaced(operands, position, value):
    """``operands`` as a list, with the one at ``position`` replaced by ``value``."""
    varied = list(operands)
    varied[position] = value
    return varied


def _einsum_outputs(operands) -> int:
    """``einsum_vjp`` returns ``None`` (the subscripts) and one gradient per operand."""
    return 1 + len(operands)


@register(einsum_vjp, multi_output=_einsum_outputs)
def einsum_vjp_rule(g, out, cotangent, result, subscripts, *operands, **options):
    n = len(operands)
    d_cotangent = None
    d_operands = [None] * n
    for k in range(n):
        gg = g[k + 1]
        if gg is None:
            continue
        varied = _replaced(operands, k, gg)
        part = np.einsum(subscripts, *varied)
        d_cotangent = part if d_cotangent is None else d_cotangent + part
        grads = einsum_vjp(cotangent, result, subscripts, *varied)
        for j in range(n):
            if j != k:
                d_operands[j] = grads[j + 1] if d_operands[j] is None \
                    else d_operands[j] + grads[j + 1]
    if d_cotangent is None:
        d_cotangent = np.zeros_like(cotangent)
    d_operands = [np.zeros_like(x) if d is None else d for x, d in zip(operands, d_operands)]
    return (d_cotangent, np.zeros_like(result), None, *d_operands)  # (out is not read)


def einsum_vjp_tangent_cotangent(t, out, cotangent, result, subscripts, *operands, **options):
    return einsum_vjp(t, result, subscripts, *operands)


def einsum_vjp_tangent_operand(t, out, position, cotangent, result, subscripts, *operands,
                               **options):
    grads = einsum_vjp(cotangent, result, subscripts, *_replaced(operands, position, t))
    zero = np.zeros_like(out[position + 1])  # gradient `position` does not read its operand
    return grads[:position + 1] + (zero,) + grads[position + 2:]


register_tangents(einsum_vjp_rule, einsum_vjp_tangent_cotangent, None, None,
                  einsum_vjp_tangent_operand)


@register(multi_dot, multi_output=1)
def multi_dot_rule(g, out, cotangent, result, arrays):
    n = len(arrays)
    gg = g[0]
    d_cotangent = np.zeros_like(result)
    d_arrays = [np.zeros_like(x) for x in arrays]
    for k in range(n):
        if gg is None or gg[k] is None:
            continue
        varied = _replaced(arrays, k, gg[k])
        d_cotangent = d_cotangent + np.reshape(np.linalg.multi_dot(varied), np.shape(result))
        grads = multi_dot(cotangent, result, varied)[0]
        for j in range(n):
            if j != k:
                d_arrays[j] = d_arrays[j] + grads[j]
    return (d_cotangent, np.zeros_like(result), d_arrays)  # (out is not read)


def multi_dot_tangent_cotangent(t, out, cotangent, result, arrays):
    return multi_dot(t, result, arrays)


def multi_dot_tangent_arrays(t, out, cotangent, result, arrays):
    total = [np.zeros_like(x) for x in out[0]]
    for j in range(len(arrays)):
        grads = multi_dot(cotangent, result, _replaced(arrays, j, t[j]))[0]
        total = [s if i == j else s + d for i, (s, d) in enumerate(zip(total, grads))]
    return (total,)


register_tangents(multi_dot_rule, multi_dot_tangent_cotangent, None,
                  multi_dot_tangent_arrays)
