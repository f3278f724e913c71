"""Small programs that use every NumPy rule of the systematic coverage in compiled code.

Each program is ordinary NumPy code differentiated by ``sx.grad`` and ``sx.jvp``
in ``tests/rules/test_numpy_compiled.py`` (the table tests call the rules
directly; these go through the compiler's inlining of them).  ``PROGRAMS``
lists each with an argument builder (inputs away from kinks and ties), and
whether ``sx.hessian`` is checked too (a sample of every family);
``AUTOGRAD_PROGRAMS``, one function each where HIPS autograd has it too, are
run by autograd on the same source with ``autograd.numpy``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

# --- ufuncs ---------------------------------------------------------------------------


def ufuncs_unary(x):
    y = np.arccosh(x + 2.0) + np.deg2rad(x) + np.radians(x) + np.rad2deg(x) / 50.0
    y = y + np.degrees(x) / 50.0 + np.sinc(x) + np.nan_to_num(x) + np.real(x) + np.conj(x)
    y = y + np.conjugate(x) + np.real_if_close(x) + np.imag(x) + np.angle(x + 3.0)
    return np.sum(y * x) + np.sum(x.real * x.conj()) + np.sum(x.conjugate() ** 2 + x.imag)


def ufuncs_binary(x, y):
    z = np.fmax(x, y) * np.fmin(x, y) + np.logaddexp2(x, y) + np.float_power(x + 2.0, y)
    z = z + np.copysign(x, y) + np.ldexp(x, 2) + np.nextafter(x, y)
    return np.sum(z * z)


def ufuncs_math(a, b):
    s = math.acosh(a + 2.0) + math.radians(a) + math.degrees(b) / 60.0 + math.erfc(a)
    s = s + math.exp2(b) + math.remainder(a + 3.0, 0.8) + math.copysign(a, b) + math.ldexp(b, 3)
    return s * math.nextafter(a, 1.0)


# --- reductions, scans and statistics ----------------------------------------------------


def scans(x):
    a = np.cumsum(x, axis=0) * np.cumprod(x, axis=1) + x.cumsum(1) * x.cumprod(axis=0)
    b = np.cumsum(x) * np.cumprod(x) + np.nancumsum(x) * 0.5
    c = np.diff(x, 2, axis=1) ** 2 + np.cumulative_sum(x, axis=1)[:, :2]
    return np.sum(a * a) + np.sum(b) + np.sum(c) + np.sum(np.ediff1d(x) ** 3)


def products_with_zeros(x):
    return np.prod(x) + np.sum(np.prod(x, axis=0) ** 2) + np.sum(np.cumprod(x, axis=1) * x)


def nan_statistics(x, w):
    y = np.where(x > 0.9, np.nan, x)  # some NaNs
    return (np.nansum(y ** 2) + np.nanmean(y, axis=0).sum() + np.nanmax(y)
            + np.nanmin(y, axis=1).sum()
            + np.nanprod(y, axis=0).sum() + np.nanvar(y) + np.nanstd(y, axis=1, ddof=1).sum()
            + np.average(x, axis=1, weights=w).sum() + np.average(x))


def order_statistics(x, q):
    return (np.ptp(x, axis=0).sum() + np.median(x) + np.median(x, axis=1).sum()
            + np.percentile(x, 30.0, axis=1).sum() + np.quantile(x, q) + np.nanmedian(x)
            + np.nanquantile(x, 0.4, axis=0).sum() + np.nanpercentile(x, 70.0))


def spreads(x):
    return (np.std(x[1]) + np.std(x, axis=(0, 1), ddof=1) + np.var(x, axis=0, keepdims=True).sum()
            + np.std(x[:, :1], axis=1).sum() + np.amax(x, axis=1).sum() + np.amin(x, axis=0).sum()
            + np.max(x, axis=(0, 1)) + np.min(x, axis=1, keepdims=True).sum()
            + np.power(x[0, 0] * 0.0, 0.0))


def constant_spreads(x):
    # std of a constant (one element along the axis) has the zero subgradient
    return (np.std(x[1]) + np.std(x[:, :1], axis=1).sum() + np.var(x, axis=0, keepdims=True).sum()
            + np.power(x[0, 0] * 0.0, 0.0))


# --- diagonals, rearrangements ---------------------------------------------------------------


def diagonals(x):
    return (np.trace(x) + x.trace(1) + np.sum(np.diag(x) ** 2) + np.sum(np.diag(np.diag(x)) * x)
            + np.sum(np.tril(x) * np.triu(x, 1).T) + np.sum(np.diagonal(x, 1) ** 3)
            + np.sum(x.diagonal() * 2.0) + np.sum(np.diagflat(x[0]) * x))


def rearranged(x):
    a = np.flip(x, 0) * np.fliplr(x) + np.flipud(x) * np.rot90(x, 2)
    b = np.roll(x, 1, axis=1) * np.swapaxes(x, 0, 1).T + np.moveaxis(x, 0, 1).T
    c = np.rollaxis(x, 1) * x.swapaxes(0, 1) + np.matrix_transpose(x) * x.mT
    return np.sum(a * b) + np.sum(c ** 2)


def repeated(x):
    a = np.tile(x, (2, 1))
    b = np.repeat(x, 2, axis=1) + x.repeat(2, 1)
    c = np.repeat(x, np.array([1, 0, 2]), axis=0)
    return np.sum(a ** 2) + np.sum(b ** 3) + np.sum(c * c) + np.sum(np.resize(x, (2, 5)) ** 2)


def padded(x):
    return (np.sum(np.pad(x, 1) ** 2) + np.sum(np.pad(x, (1, 2), mode="edge") ** 3)
            + np.sum(np.pad(x, 2, mode="reflect") * 1.5) + np.sum(np.pad(x, 1, "symmetric") ** 2)
            + np.sum(np.pad(x, ((0, 1), (2, 0)), "wrap") ** 2))


def sorted_values(x):
    weights = np.arange(1.0, 1.0 + x.size).reshape(x.shape)
    return (np.sum(np.sort(x, axis=1) * weights) + np.sum(np.sort(x, axis=None) ** 3)
            + np.sum(np.partition(x, 1, axis=0) * weights))


def picked(x):
    a = np.take(x, np.array([0, 2, 2]), axis=0) + x.take(np.array([1, 0, 1]), axis=1).T[:, :1]
    b = np.take_along_axis(x, np.array([[0, 1], [2, 2], [1, 0]]), axis=1)
    c = np.compress(np.array([True, False, True]), x, axis=1) + x.compress([1, 0, 1], axis=1)
    d = np.extract(x > 0.0, x) + 0.0
    e = np.delete(x, 1, axis=0)
    return np.sum(a ** 2) + np.sum(b ** 3) + np.sum(c * c) + np.sum(d ** 2) + np.sum(e ** 3)


def chosen_values(x, y):
    a = np.choose(np.array([[0, 1, 1], [1, 0, 0], [0, 0, 1]]), [x, y])
    b = np.select([x > 0.5, y > 0.0], [x * 2.0, y ** 2], 0.3)
    c = np.where(x > y, x, y) * np.clip(x, 0.2, 0.8)
    return np.sum(a * b) + np.sum(c ** 2) + np.sum(np.broadcast_to(x[0], (2, 3)) * y[:2])


# --- joins and splits, constructors, casts, products -------------------------------------------


def joined(x, y):
    a = np.hstack([x, y])
    b = np.vstack((x, y[0]))
    c = np.dstack([x, y])
    d = np.column_stack([x[:, 0], y])
    e = np.append(x, y) * np.append(x, y, axis=0).ravel()
    f = np.row_stack([x, y]) * np.atleast_3d(x[0]).sum()
    return np.sum(a ** 2) + np.sum(b ** 3) + np.sum(c * c) + np.sum(d ** 2) + np.sum(e) + np.sum(f)


def split_pieces(x):
    p, q = np.split(x, 2, axis=1)
    parts = np.array_split(x, 3, axis=0)
    h = np.hsplit(x, [1, 3])
    v = np.vsplit(x, 3)
    d = np.dsplit(x[:, :, None] * np.ones(2), 2)
    rows = np.unstack(x)
    return (np.sum(p * q) + np.sum(parts[0] ** 2) + np.sum(parts[2] * 3.0) + np.sum(h[1] ** 2)
            + np.sum(v[2] ** 3) + np.sum(d[1] * d[0]) + np.sum(rows[1] ** 2))


def index_joins(x):
    c = np.ones(3)
    return (np.sum(np.r_[x, c, 1:4, 2.0 * x[0]] ** 2) + np.sum(np.c_[x, x, c] ** 3)
            + np.sum(np.r_[x] * 2.0))


def constructed(a, b):
    return (np.sum(np.linspace(a, b, 5) ** 2) + np.sum(np.linspace(a, b, 4, endpoint=False) ** 3)
            + np.sum(np.full((2, 3), a) * b) + np.sum(np.full_like(np.ones(4), b) ** 2))


def casts(x):
    y = (np.atleast_1d(x[0, 0]) * np.ascontiguousarray(x) * np.asfortranarray(x)
         * np.astype(x, np.float64) * np.longdouble(x))
    return (np.sum(x.astype(np.float64) * x) + np.sum(x.astype(int) * x) + np.sum(y)
            + np.sum(x.flatten() * 2.0) + np.sum(x.view(np.float64) ** 2)
            + np.sum(np.array(x, ndmin=3)) + np.sum(np.asarray(x, dtype=float) ** 2)
            + np.sum(np.float64(x) * x) + np.sum(np.reshape(x, (3, 2), order="F") * x.T)
            + np.sum(x.reshape(3, 2, order="F") ** 2) + np.sum(np.ravel(x, order="F") * 2.0)
            + x.sum().item() * 2.0 + x[0, 0].item() ** 2 + x.item(3) * x.item(0, 1))


def dot_nd(a, b):
    return (np.sum(np.dot(a, b) ** 2) + np.sum(np.dot(a[0], b) ** 2)
            + np.sum(np.dot(a[0], b[0]) ** 2))


def low_precision_casts(x):
    # finite differences cannot see through float32 and float16: checked against 2 + 3 + 4
    return np.sum(np.float32(x) * 2.0) + np.sum(np.float16(x) * 3.0) + np.sum(
        x.astype(np.float32) * 4.0)


# --- the list -------------------------------------------------------------------------------


def _u(*shape, lo=-1.0, hi=1.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _distinct(*shape, seed=0):
    n = math.prod(shape)
    rng = np.random.default_rng(seed)
    return ((rng.permutation(n) - n / 2) * 0.1 + rng.uniform(-0.02, 0.02, n)).reshape(shape)


def _with_zeros(*shape):
    x = _u(*shape, lo=0.5, hi=1.5)
    x.flat[1] = 0.0
    x.flat[5] = 0.0
    return x


@dataclass(frozen=True)
class Program:
    f: Callable[..., Any]
    make: Callable[[], tuple]
    hessian: bool = False  # a sample of its family for sx.hessian


PROGRAMS = [
    Program(ufuncs_unary, lambda: (_u(2, 3, lo=0.2, hi=0.8),), hessian=True),
    Program(ufuncs_binary, lambda: (_u(2, 3), _u(2, 3, seed=1)), hessian=True),
    Program(ufuncs_math, lambda: (0.37, -0.61)),
    Program(scans, lambda: (_u(3, 4, lo=0.5, hi=1.5),), hessian=True),
    Program(products_with_zeros, lambda: (_with_zeros(3, 4),), hessian=True),
    Program(nan_statistics, lambda: (_u(3, 4, lo=0.0, hi=1.0), _u(4, lo=0.5, hi=2.0)),
            hessian=True),
    Program(order_statistics, lambda: (_distinct(4, 5), 0.35)),
    # (the Hessian of `spreads` hits a forward-mode bug of the compiler: a tangent that is a
    # broadcast view gets written into; reported, not a rule's)
    Program(spreads, lambda: (_distinct(3, 4),)),
    Program(constant_spreads, lambda: (_distinct(3, 4),), hessian=True),
    Program(diagonals, lambda: (_u(3, 3),), hessian=True),
    Program(rearranged, lambda: (_u(3, 3),), hessian=True),
    Program(repeated, lambda: (_u(3, 3),), hessian=True),
    Program(padded, lambda: (_u(3, 4),), hessian=True),
    Program(sorted_values, lambda: (_distinct(3, 4),), hessian=True),
    Program(picked, lambda: (_u(3, 3, lo=0.1, hi=1.0),), hessian=True),
    Program(chosen_values, lambda: (_distinct(3, 3), _distinct(3, 3, seed=1)), hessian=True),
    Program(joined, lambda: (_u(3, 3), _u(3, 3, seed=1)), hessian=True),
    Program(split_pieces, lambda: (_u(3, 4),), hessian=True),
    Program(index_joins, lambda: (_u(3),)),
    Program(constructed, lambda: (0.3, 1.7), hessian=True),
    Program(casts, lambda: (_u(2, 3, lo=0.2, hi=2.8),)),
    Program(dot_nd, lambda: (_u(2, 3, 4), _u(5, 4, 3, seed=1))),
]


# --- one function each, where HIPS autograd has it too (an oracle of its own) ------------


def ag_arccosh(x):
    return np.sum(np.arccosh(x + 2.0))


def ag_deg2rad(x):
    return np.sum(np.deg2rad(x) ** 2)


def ag_rad2deg(x):
    return np.sum(np.rad2deg(x) ** 2)


def ag_radians(x):
    return np.sum(np.radians(x) ** 2)


def ag_degrees(x):
    return np.sum(np.degrees(x) ** 2)


def ag_fmax(x):
    return np.sum(np.fmax(x, x[::-1]) ** 2)


def ag_fmin(x):
    return np.sum(np.fmin(x, x[::-1]) ** 2)


def ag_logaddexp2(x):
    return np.sum(np.logaddexp2(x, 2.0 * x))


def ag_sinc(x):
    return np.sum(np.sinc(x))


def ag_real(x):
    return np.sum(np.real(x) ** 2)


def ag_imag(x):
    return np.sum(np.imag(x) + x)


def ag_conj(x):
    return np.sum(np.conj(x) ** 2)


def ag_angle(x):
    return np.sum(np.angle(x - 0.5) + x)


def ag_nan_to_num(x):
    return np.sum(np.nan_to_num(x) ** 2)


def ag_cumsum(x):
    return np.sum(np.cumsum(x, axis=1) ** 2) + np.sum(np.cumsum(x) ** 2)


def ag_diff(x):
    return np.sum(np.diff(x, axis=1) ** 2) + np.sum(np.diff(x, 2, axis=0) ** 2)


def ag_trace(x):
    return np.trace(x) + np.trace(x, 1) ** 2


def ag_prod(x):
    return np.prod(x) + np.sum(np.prod(x, axis=0) ** 2)


def ag_std(x):
    return np.sum(np.std(x, axis=1)) + np.std(x, ddof=1)


def ag_var(x):
    return np.sum(np.var(x, axis=0, ddof=1)) + np.var(x)


def ag_diag(x):
    return np.sum(np.diag(x[:, :3]) ** 2) + np.sum(np.diag(x[0], 1) ** 2)  # (autograd: square)


def ag_tril(x):
    return np.sum(np.tril(x, -1) ** 2)


def ag_triu(x):
    return np.sum(np.triu(x, 1) ** 3)


def ag_fliplr(x):
    return np.sum(np.fliplr(x) * x)


def ag_flipud(x):
    return np.sum(np.flipud(x) * x)


def ag_rot90(x):
    return np.sum(np.rot90(x) ** 2 * np.arange(12.0).reshape(4, 3))


def ag_roll(x):
    return np.sum(np.roll(x, 1, axis=1) * x)


def ag_moveaxis(x):
    return np.sum(np.moveaxis(x, 0, 1) ** 3 * np.arange(12.0).reshape(4, 3))


def ag_rollaxis(x):
    return np.sum(np.rollaxis(x, 1) ** 3 * np.arange(12.0).reshape(4, 3))


def ag_swapaxes(x):
    return np.sum(np.swapaxes(x, 0, 1) ** 3 * np.arange(12.0).reshape(4, 3))


def ag_tile(x):
    return np.sum(np.tile(x, (2, 1)) ** 2 * np.arange(24.0).reshape(6, 4))


def ag_repeat(x):
    return np.sum(np.repeat(x, 2, axis=1) ** 2 * np.arange(24.0).reshape(3, 8))


def ag_partition(x):
    return np.sum(np.partition(x[0], 1) * np.arange(4.0))


def ag_select(x):
    return np.sum(np.select([x > 0.5, x < 0.3], [x ** 2, x * 3.0], 0.0))


def ag_hstack(x):
    return np.sum(np.hstack([x, 2.0 * x]) ** 2)


def ag_vstack(x):
    return np.sum(np.vstack([x, x[0]]) ** 3)


def ag_dstack(x):
    return np.sum(np.dstack([x, x]) ** 2)


def ag_column_stack(x):
    return np.sum(np.column_stack([x, x[:, 0]]) ** 3)


def ag_append(x):
    return np.sum(np.append(x, x[0]) ** 3)


def ag_split(x):
    return np.sum(np.split(x, 2, axis=1)[0] ** 2)


def ag_array_split(x):
    return np.sum(np.array_split(x, 3, axis=1)[2] ** 2)


def ag_hsplit(x):
    return np.sum(np.hsplit(x, 2)[1] ** 2)


def ag_vsplit(x):
    return np.sum(np.vsplit(x, 3)[1] ** 2)


def ag_linspace(x):
    return np.sum(np.linspace(x[0, 0], x[0, 1], 5) ** 2)


def ag_atleast_3d(x):
    return np.sum(np.atleast_3d(x) ** 2)


def ag_r(x):
    return np.sum(np.r_[x[0], x[1]] ** 2)


def ag_c(x):
    return np.sum(np.c_[x[0], x[1]] ** 2)


def ag_dot_nd(x):
    return np.sum(np.dot(np.reshape(x, (1, 3, 4)), np.reshape(x.T, (1, 4, 3))) ** 2)


def ag_clip(x):
    return np.sum(np.clip(x, 0.3, 0.7) ** 2)


def ag_where(x):
    return np.sum(np.where(x > 0.5, x, 0.0) ** 2)


def ag_max_axis(x):
    return np.sum(np.max(x, axis=1) ** 2) + np.sum(np.max(x, axis=0, keepdims=True))


def ag_amin_axis(x):
    return np.sum(np.amin(x, axis=0) ** 2)


def ag_exp2(x):
    return np.sum(np.exp2(x))


def ag_hypot(x):
    return np.sum(np.hypot(x, 1.0))


def ag_arctan2(x):
    return np.sum(np.arctan2(x, 1.0))


def ag_mod(x):
    return np.sum(np.mod(x, 0.3) ** 2)


def ag_remainder(x):
    return np.sum(np.remainder(x, 0.3) ** 2)


def ag_true_divide(x):
    return np.sum(np.true_divide(x, 0.3) ** 2)


def ag_reciprocal(x):
    return np.sum(np.reciprocal(x))


def ag_log2(x):
    return np.sum(np.log2(x))


def ag_log10(x):
    return np.sum(np.log10(x))


#: one-function programs HIPS autograd differentiates too (at 3x4 inputs in (0.2, 0.9))
AUTOGRAD_PROGRAMS = [
    ag_arccosh, ag_deg2rad, ag_rad2deg, ag_radians, ag_degrees, ag_fmax, ag_fmin,
    ag_logaddexp2, ag_sinc, ag_real, ag_imag, ag_conj, ag_angle, ag_nan_to_num, ag_cumsum,
    ag_diff, ag_trace, ag_prod, ag_std, ag_var, ag_diag, ag_tril, ag_triu, ag_fliplr,
    ag_flipud, ag_rot90, ag_roll, ag_moveaxis, ag_rollaxis, ag_swapaxes, ag_tile, ag_repeat,
    ag_partition, ag_select, ag_hstack, ag_vstack, ag_dstack, ag_column_stack, ag_append,
    ag_split, ag_array_split, ag_hsplit, ag_vsplit, ag_linspace, ag_atleast_3d, ag_r, ag_c,
    ag_dot_nd, ag_clip, ag_where, ag_max_axis, ag_amin_axis, ag_exp2, ag_hypot, ag_arctan2,
    ag_mod, ag_remainder, ag_true_divide, ag_reciprocal, ag_log2, ag_log10,
]


# --- complex values and refusals (not differentiated by the table tests) ------------------------


def holomorphic(z):
    return np.sum(np.exp(z) * np.sin(z) + z ** 3 / (z + 2.0))


def through_abs(z):
    return np.sum(np.abs(z) ** 2)


def through_real(z):
    return np.sum(np.real(z * z))


def phase_of_real(theta):
    return np.sum(np.real(np.exp(1j * theta)))


def to_list(x):
    return sum(x.tolist())
