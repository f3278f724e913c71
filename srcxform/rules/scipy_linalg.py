"""Rules of ``scipy.linalg`` (imported only once the user imports SciPy).

After import, ``solve_triangular`` (``lower``, ``trans`` 0/1/2 or 'N'/'T'/'C',
``unit_diagonal``; stacks of matrices), ``cholesky`` (SciPy's: upper by
default), ``cho_factor`` (returns ``(c, lower)``), ``cho_solve`` (takes that
pair), ``sqrtm`` and ``expm`` have rules and tangents.  Conventions:

* a function that reads one triangle of a matrix (``solve_triangular``'s ``a``,
  ``cho_solve``'s factor) has a gradient that is zero on the other triangle
  (and on the diagonal with ``unit_diagonal``);
* ``cholesky`` and ``cho_factor`` take a symmetric matrix: as ``np.linalg``'s,
  their gradient is symmetric; the other triangle of ``cho_factor``'s ``c``
  holds ``a``'s entries unchanged (SciPy leaves them) and passes its cotangent on;
* ``sqrtm`` and ``expm`` use the Frechet derivative, the upper right block of
  the function of ``[[A, E], [0, A]]`` (``<G, L(A, E)> = <L(A^T, G), E>``).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from .registry import register, register_tangents, unbroadcast


def transposed(trans) -> bool:
    """True when ``solve_triangular``'s ``trans`` solves with the transpose."""
    return trans in (1, 2, "T", "C")


@register(linalg.solve_triangular, backward_name="LinalgSolveTriangularBackward0")
def solve_triangular(g, out, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    back = 0 if transposed(trans) else 1  # the opposite transpose
    gb = linalg.solve_triangular(a, g, trans=back, lower=lower, unit_diagonal=unit_diagonal)
    if np.ndim(b) == 1:
        outer = np.expand_dims(gb, -1) * np.expand_dims(out, -2)
    else:
        outer = gb @ np.swapaxes(out, -1, -2)
    full = -np.swapaxes(outer, -1, -2) if transposed(trans) else -outer
    n = np.shape(a)[-1]
    mask = np.tri(n, dtype=full.dtype) if lower else np.tri(n, dtype=full.dtype).T
    if unit_diagonal:
        mask = mask - np.eye(n, dtype=full.dtype)
    return unbroadcast(full * mask, a), unbroadcast(gb, b)


def solve_triangular_tangent_a(t, out, a, b, trans=0, lower=False, unit_diagonal=False,
                               overwrite_b=False, check_finite=True):
    n = np.shape(a)[-1]
    mask = np.tri(n, dtype=out.dtype) if lower else np.tri(n, dtype=out.dtype).T
    if unit_diagonal:
        mask = mask - np.eye(n, dtype=out.dtype)
    ta = t * mask
    op = np.swapaxes(ta, -1, -2) if transposed(trans) else ta
    x = np.expand_dims(out, -1) if np.ndim(b) == 1 else out
    dx = -linalg.solve_triangular(a, op @ x, trans=trans, lower=lower,
                                  unit_diagonal=unit_diagonal)
    return dx[..., 0] if np.ndim(b) == 1 else dx


def solve_triangular_tangent_b(t, out, a, b, trans=0, lower=False, unit_diagonal=False,
                               overwrite_b=False, check_finite=True):
    return linalg.solve_triangular(a, t, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


register_tangents(solve_triangular, solve_triangular_tangent_a, solve_triangular_tangent_b)


@register(linalg.cholesky, backward_name="LinalgCholeskyExBackward0")
def cholesky(g, out, a, lower=False, overwrite_a=False, check_finite=True):
    low = out if lower else np.swapaxes(out, -1, -2)
    glow = g if lower else np.swapaxes(g, -1, -2)
    n = np.shape(out)[-1]
    p = (np.swapaxes(low, -1, -2) @ glow) * (np.tri(n, dtype=out.dtype)
                                              - 0.5 * np.eye(n, dtype=out.dtype))
    y = np.linalg.solve(np.swapaxes(low, -1, -2), p)
    s = np.linalg.solve(np.swapaxes(low, -1, -2), np.swapaxes(y, -1, -2))
    return (0.5 * (s + np.swapaxes(s, -1, -2)),)


def cholesky_tangent(t, out, a, lower=False, overwrite_a=False, check_finite=True):
    low = out if lower else np.swapaxes(out, -1, -2)
    n = np.shape(out)[-1]
    sym = 0.5 * (t + np.swapaxes(t, -1, -2))
    x = np.linalg.solve(low, np.swapaxes(np.linalg.solve(low, sym), -1, -2))
    dlow = low @ (x * (np.tri(n, dtype=out.dtype) - 0.5 * np.eye(n, dtype=out.dtype)))
    return dlow if lower else np.swapaxes(dlow, -1, -2)


register_tangents(cholesky, cholesky_tangent)


@register(linalg.cho_factor, backward_name="LinalgChoFactorBackward0", multi_output=2)
def cho_factor(g, out, a, lower=False, overwrite_a=False, check_finite=True):
    c = out[0]
    gc = g[0]
    n = np.shape(c)[-1]
    factor = np.tri(n, dtype=c.dtype) if lower else np.tri(n, dtype=c.dtype).T
    low = c * factor if lower else np.swapaxes(c * factor, -1, -2)
    glow = gc * factor if lower else np.swapaxes(gc * factor, -1, -2)
    p = (np.swapaxes(low, -1, -2) @ glow) * (np.tri(n, dtype=c.dtype)
                                              - 0.5 * np.eye(n, dtype=c.dtype))
    y = np.linalg.solve(np.swapaxes(low, -1, -2), p)
    s = np.linalg.solve(np.swapaxes(low, -1, -2), np.swapaxes(y, -1, -2))
    rest = gc * (1.0 - factor)  # the other triangle is a's, unchanged
    return (0.5 * (s + np.swapaxes(s, -1, -2) + rest + np.swapaxes(rest, -1, -2)),)


def cho_factor_tangent(t, out, a, lower=False, overwrite_a=False, check_finite=True):
    c, flag = out
    n = np.shape(c)[-1]
    factor = np.tri(n, dtype=c.dtype) if lower else np.tri(n, dtype=c.dtype).T
    low = c * factor if lower else np.swapaxes(c * factor, -1, -2)
    sym = 0.5 * (t + np.swapaxes(t, -1, -2))
    x = np.linalg.solve(low, np.swapaxes(np.linalg.solve(low, sym), -1, -2))
    dlow = low @ (x * (np.tri(n, dtype=c.dtype) - 0.5 * np.eye(n, dtype=c.dtype)))
    dc = dlow if lower else np.swapaxes(dlow, -1, -2)
    return dc + sym * (1.0 - factor), np.zeros_like(flag)


register_tangents(cho_factor, cho_factor_tangent)


@register(linalg.cho_solve, backward_name="LinalgChoSolveBackward0")
def cho_solve(g, out, c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    gb = linalg.cho_solve(c_and_lower, g)
    if np.ndim(b) == 1:
        sym = np.expand_dims(gb, -1) * np.expand_dims(out, -2)
    else:
        sym = gb @ np.swapaxes(out, -1, -2)
    sym = sym + np.swapaxes(sym, -1, -2)
    n = np.shape(c)[-1]
    if lower:  # c holds L with A = L L^T: dL gets -(gb x^T + x gb^T) L
        gc = -(sym @ (c * np.tri(n, dtype=c.dtype))) * np.tri(n, dtype=c.dtype)
    else:  # c holds U with A = U^T U
        gc = -((c * np.tri(n, dtype=c.dtype).T) @ sym) * np.tri(n, dtype=c.dtype).T
    return (gc, np.zeros_like(lower)), unbroadcast(gb, b)


def cho_solve_tangent_c(t, out, c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    dc = t[0]
    n = np.shape(c)[-1]
    factor = np.tri(n, dtype=c.dtype) if lower else np.tri(n, dtype=c.dtype).T
    f, df = c * factor, dc * factor
    da = f @ np.swapaxes(df, -1, -2) if lower else np.swapaxes(df, -1, -2) @ f
    da = da + np.swapaxes(da, -1, -2)
    x = np.expand_dims(out, -1) if np.ndim(b) == 1 else out
    dx = -linalg.cho_solve(c_and_lower, da @ x)
    return dx[..., 0] if np.ndim(b) == 1 else dx


def cho_solve_tangent_b(t, out, c_and_lower, b, overwrite_b=False, check_finite=True):
    return linalg.cho_solve(c_and_lower, t)


register_tangents(cho_solve, cho_solve_tangent_c, cho_solve_tangent_b)


@register(linalg.sqrtm, backward_name="SqrtmBackward0")
def sqrtm(g, out, a, disp=True, blocksize=64):
    n = np.shape(a)[-1]
    at = np.swapaxes(a, -1, -2)
    top = np.concatenate([at, g], axis=-1)
    bottom = np.concatenate([np.zeros_like(at), at], axis=-1)
    return (linalg.sqrtm(np.concatenate([top, bottom], axis=-2))[..., :n, n:],)


def sqrtm_tangent(t, out, a, disp=True, blocksize=64):
    n = np.shape(a)[-1]
    top = np.concatenate([a, t], axis=-1)
    bottom = np.concatenate([np.zeros_like(a), a], axis=-1)
    return linalg.sqrtm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


@register(linalg.expm, backward_name="MatrixExpBackward0")
def expm(g, out, a):
    n = np.shape(a)[-1]
    at = np.swapaxes(a, -1, -2)
    top = np.concatenate([at, g], axis=-1)
    bottom = np.concatenate([np.zeros_like(at), at], axis=-1)
    return (linalg.expm(np.concatenate([top, bottom], axis=-2))[..., :n, n:],)


def expm_tangent(t, out, a):
    n = np.shape(a)[-1]
    top = np.concatenate([a, t], axis=-1)
    bottom = np.concatenate([np.zeros_like(a), a], axis=-1)
    return linalg.expm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


register_tangents(sqrtm, sqrtm_tangent, None, None)
register_tangents(expm, expm_tangent)
