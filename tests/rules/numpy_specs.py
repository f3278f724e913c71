"""Input specs of the NumPy rules added for the systematic coverage (issue 13).

Each entry maps a primitive (or an array method / attribute name) to the calls
its rule is checked on by ``tests/test_rules_table.py`` (finite differences)
and ``tests/test_tangents_table.py`` (tangents and the dot-product identity):
0-d, 1-D, N-D and empty shapes, every ``axis`` form with and without
``keepdims``, broadcasting pairs, both orders of matrix arguments, NaNs for
the NaN-ignoring functions, exact zeros for products, and inputs inside each
function's domain (away from kinks and ties).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from srcxform.rules import complexes, joins, reductions, scans, shaping, statistics
from srcxform.rules.rearrange import chosen, scatter_add, unpad
from tests.rules.cases import (
    AXES_3D,
    A,
    Case,
    D,
    F,
    L,
    Mask,
    N,
    P,
    S,
    T,
    Z,
    binary,
    c,
    low_precision,
    scalar_math,
    unary,
)


def _nan_binary() -> list[Case]:
    """fmax/fmin with NaNs on either side (the other operand wins)."""
    return [c(N(2, 3), A(2, 3)), c(A(2, 3), N(2, 3)), c(N(3, 1), A(1, 4))]


def _axis_only(make, shapes=((5,), (3, 4), (2, 3, 4))) -> list[Case]:
    """A scan: no axis (flattened), and every axis of 1-D to 3-D inputs, 0-d and empty."""
    cases = [c(make()), c(make(0)), c(make(3, 0), axis=1)]
    for shape in shapes:
        cases.append(c(make(*shape)))
        cases += [c(make(*shape), axis=a) for a in range(-len(shape), len(shape))]
    return cases


def _stat(make, **extra: Any) -> list[Case]:
    """A reduction over 1-D to 3-D inputs, axis None/int/tuple, keepdims both ways."""
    cases = [c(make(6), **extra), c(make(3, 4), 1, **extra)]
    for axis in [None, 0, 2, -1, (0, 2), (1, 2)]:
        cases.append(c(make(2, 3, 4), axis=axis, **extra))
        cases.append(c(make(2, 3, 4), axis=axis, keepdims=True, **extra))
    return cases


def _quantiles(q_scalar: float, q_vector: list) -> list[Case]:
    cases = []
    for method in ("linear", "lower", "higher", "nearest", "midpoint"):
        cases.append(c(D(7), q_scalar, method=method, wrt=(0,)))
    for axis in [None, 0, 1, -1, (0, 2)]:
        cases.append(c(D(3, 5, 4), q_scalar, axis=axis, wrt=(0,)))
        cases.append(c(D(3, 5, 4), q_scalar, axis=axis, keepdims=True, wrt=(0,)))
    cases += [
        c(D(4, 5), np.array(q_vector), axis=1, wrt=(0,)),
        c(D(4, 5), np.array(q_vector), axis=0, keepdims=True, wrt=(0,)),
        c(D(6), F(q_scalar * 0.4, q_scalar * 0.9)),  # the slope in q (linear interpolation)
        c(D(6, 3), F(q_scalar * 0.4, q_scalar * 0.9), axis=0),
        c(D(6), np.array(q_vector), method="inverted_cdf", wrt=(0,), raises=NotImplementedError),
    ]
    return cases


def _medians() -> list[Case]:
    cases = [c(D(7)), c(D(6)), c(D(1))]
    for axis in [None, 0, 1, -1, (0, 2)]:
        cases.append(c(D(3, 5, 4), axis=axis))
        cases.append(c(D(3, 5, 4), axis=axis, keepdims=True))
    return cases


def _nan_stat(**extra: Any) -> list[Case]:
    return [c(N(7), **extra), c(N(3, 4), axis=0, **extra), c(N(3, 4), axis=1, keepdims=True,
                                                            **extra),
            c(N(2, 3, 4), axis=(0, 2), **extra), c(A(2, 3), axis=None, **extra)]


UFUNC_SPECS: dict[Any, list[Case]] = {
    np.arccosh: unary(lambda *s: A(*s, lo=1.1, hi=3.0), scalar=(1.1, 3.0)),
    math.acosh: scalar_math((1.1, 3.0)),
    np.deg2rad: unary(A, scalar=(-90.0, 90.0)),
    np.radians: unary(A, scalar=(-90.0, 90.0)),
    math.radians: scalar_math((-90.0, 90.0)),
    np.rad2deg: unary(A, scalar=(-3.0, 3.0)),
    np.degrees: unary(A, scalar=(-3.0, 3.0)),
    math.degrees: scalar_math((-3.0, 3.0)),
    np.fmax: binary() + _nan_binary(),
    np.fmin: binary() + _nan_binary(),
    np.logaddexp2: binary(lambda *s: A(*s, lo=-3.0, hi=3.0), lambda *s: A(*s, lo=-3.0, hi=3.0)),
    np.sinc: unary(lambda *s: A(*s, lo=-2.0, hi=2.0), scalar=(-2.0, 2.0)) + [c(Z(7))],
    np.float_power: binary(P, A, lf=F(0.5, 2.0)) + [c(A(4), 3.0, wrt=(0,)),
                                                   c(Z(4), 0.0, wrt=(0,))],
    np.copysign: [c(S(2, 3), A(2, 3), wrt=(0,)), c(S(3, 1), S(1, 4), wrt=(0,)),
                  c(S(), S(3), wrt=(0,)), c(F(0.3, 1.0), -1.0, wrt=(0,))],
    math.copysign: [c(F(0.3, 1.0), -2.0, wrt=(0,)), c(F(-1.0, -0.3), 2.0, wrt=(0,))],
    np.ldexp: [c(A(2, 3), np.array([1, -2, 3]), wrt=(0,)), c(A(), 4, wrt=(0,)),
               c(A(3, 1), np.array([[0, 1]]), wrt=(0,))],
    math.ldexp: [c(F(), 3, wrt=(0,)), c(F(), -2, wrt=(0,))],
    np.nextafter: [c(A(2, 3), A(2, 3), wrt=(0,)), c(A(3, 1), 2.0, wrt=(0,)),
                   c(A(), A(4), wrt=(0,))],
    math.nextafter: [c(F(), 2.0, wrt=(0,))],
    np.nan_to_num: [c(N(2, 3)), c(A(4)), c(N(7), nan=3.0), c(A())],
    math.erfc: scalar_math((-2.0, 2.0)),
    math.exp2: scalar_math((-2.0, 2.0)),
    math.remainder: [c(F(-3.0, 3.0), F(0.7, 0.9)) for _ in range(3)],
}

COMPLEX_SPECS: dict[Any, list[Case]] = {
    complexes.real_valued: [c(A(3)), c(F(), "std")],
    complexes.through_real: [c(A(3), A(3), wrt=(0,)), c(F(), F(), "imag", wrt=(0,))],
    np.real: [c(A(3, 4)), c(A()), c(F()), c(np.array([1.0 + 2.0j]), raises=TypeError)],
    np.real_if_close: [c(A(3, 4)), c(A(5), tol=10)],
    np.imag: [c(A(3, 4)), c(A()), c(np.array([1.0 + 2.0j]), raises=TypeError)],
    np.conj: [c(A(3, 4)), c(A()), c(F()), c(np.array([1.0 + 2.0j]), raises=TypeError)],
    np.conjugate: [c(A(2, 3)), c(A(4))],
    np.angle: [c(S(3, 4)), c(S()), c(S(3), deg=True), c(np.array([1.0 + 2.0j]),
                                                          raises=TypeError)],
}

REDUCTION_SPECS: dict[Any, list[Case]] = {
    # (np.sum along axis 1 / 0 as a matrix-vector product: compiler/fastsums.py; a value
    # not a float matrix is np.sum's own)
    reductions.sum_rows: [c(A(3, 4)), c(A(3, 4), True), c(A(5, 1), keepdims=True),
                          c(A(2, 3, 4)), c(A(2, 200))],
    reductions.sum_columns: [c(A(3, 4)), c(A(3, 4), keepdims=True), c(A(1, 5)),
                             c(A(2, 3, 4), True)],
    reductions.prod_of_others: [c(A(5)), c(A()), c(A(3, 4), 1), c(A(3, 4), -2)]
    + [c(A(2, 3, 4), axis=a) for a in AXES_3D]
    + [c(Z(3, 4)), c(Z(2, 3, 4), axis=(0, 2)), c(Z(6), axis=0), c(A(0)), c(A(3, 0), axis=1)],
    np.cumsum: _axis_only(A) + [c(A(3, 4), 1, np.float64)],
    np.nancumsum: [c(N(7)), c(N(3, 4), axis=0), c(N(3, 4), axis=1), c(N(2, 3, 4), axis=-1)],
    np.cumulative_sum: [c(A(5)), c(A(3, 4), axis=1), c(A(3, 4), axis=0, include_initial=True),
                        c(A(6), include_initial=True), c(A(2, 3, 4), axis=-1)],
    np.cumprod: _axis_only(S) + [c(Z(7)), c(Z(3, 5), axis=1), c(Z(4, 3), axis=0), c(Z(3, 4))],
    np.diff: [c(A(6)), c(A(6), 2), c(A(6), 3), c(A(3, 5), axis=0), c(A(3, 5), 2, axis=1),
              c(A(2, 4, 5), 1, -2), c(A(2), 1), c(A(4, 1), axis=1)],
    np.ediff1d: [c(A(6)), c(A(2, 3)), c(A(1))],
    np.trace: [c(A(4, 4)), c(A(4, 5)), c(A(5, 4)), c(A(4, 5), 1), c(A(4, 5), -2),
               c(A(5, 4), offset=2), c(A(3, 4, 5), 1, 0, 2), c(A(3, 4, 5), 0, 2, 1),
               c(A(3, 4, 5), axis1=-1, axis2=-2), c(A(3, 4), 9), c(A(0, 0))],
    np.nansum: _nan_stat(),
    np.nanmean: _nan_stat(),
    np.nanprod: _nan_stat(),
    np.nanmax: _nan_stat(),
    np.nanmin: _nan_stat(),
    np.nanvar: _nan_stat() + _nan_stat(ddof=1),
    np.nanstd: _nan_stat() + _nan_stat(ddof=1),
    np.average: _stat(A) + [
        c(A(5), None, P(5)), c(A(3, 4), 1, P(4)), c(A(3, 4), 0, P(3)),
        c(A(3, 4), None, P(3, 4)), c(A(2, 3, 4), (0, 2), P(2, 4)),
        c(A(2, 3, 4), -1, P(4), keepdims=True), c(A(2, 3, 4), 1, P(2, 3, 4)),
        c(A(2, 3, 4), (1, 2), P(3, 4), keepdims=True),
    ],
    np.ptp: _stat(D) + [c(D(5))],
    np.median: _medians(),
    np.nanmedian: [c(N(7)), c(N(3, 5), axis=1), c(N(3, 5), axis=0, keepdims=True)],
    np.quantile: _quantiles(0.3, [0.1, 0.5, 0.9]),
    np.nanquantile: [c(N(7), 0.3, wrt=(0,)), c(N(4, 6), np.array([0.2, 0.8]), axis=1, wrt=(0,)),
                     c(N(7), F(0.2, 0.35))],
    np.percentile: _quantiles(30.0, [10.0, 50.0, 90.0]),
    np.nanpercentile: [c(N(7), 40.0, wrt=(0,)), c(N(4, 5), 75.0, axis=0, wrt=(0,))],
    scans.reverse_cumsum: [c(A(5)), c(A(3, 4), 0), c(A(3, 4), -1)],
    statistics.weights_along: [c(A(4), A(3, 4), 1, wrt=(0,)), c(A(3, 4), A(3, 4), None, wrt=(0,)),
                               c(A(2, 4), A(2, 3, 4), (0, 2), wrt=(0,))],
    statistics.quantile_gradient: [
        c(A(), D(7), 0.3, None, "linear", False, False, wrt=(0,)),
        c(A(3, 4), D(3, 5, 4), 0.6, 1, "linear", False, False, wrt=(0,)),
        c(A(2, 3, 1, 4), D(3, 5, 4), np.array([0.2, 0.7]), 1, "midpoint", True, False,
          wrt=(0,))],
    statistics.quantile_tangent: [
        c(D(7), D(7), 0.3, None, "linear", False, False, wrt=(0,)),
        c(A(3, 5, 4), D(3, 5, 4), np.array([0.2, 0.7]), (0, 2), "linear", False, False,
          wrt=(0,))],
}

SHAPING_SPECS: dict[Any, list[Case]] = {
    np.reshape: [c(A(3, 4), (4, 3), order="F"), c(A(2, 3, 4), (6, 4), "F"),
                 c(A(3, 4), (2, 6), order="A", raises=NotImplementedError)],
    np.ravel: [c(A(3, 4), "F"), c(A(2, 3), order="F")],
    np.atleast_1d: [c(F())],
    np.atleast_3d: [c(A()), c(A(3)), c(A(2, 3)), c(A(2, 3, 4)), c(A(2, 3, 4, 5)), c(F())],
    np.array: [c(A(3), ndmin=3), c(A(3, 4), np.int64), c(A(3, 4), bool),
               c(np.array([1.0 + 2.0j]), float, raises=TypeError)],
    np.asarray: [low_precision(c(A(3), np.float32)), c(A(3), "int32")],
    np.ascontiguousarray: [c(A(3, 4), np.float64)],
    np.asfortranarray: [c(A(3, 4))],
    np.astype: [c(A(3, 4), np.float64), c(A(3), np.int64),
                low_precision(c(A(2, 2), np.float32))],
    np.float64: [c(A(3, 4)), c(F()), c(A())],
    np.float32: [low_precision(c(A(3, 4)))],
    np.float16: [low_precision(c(A(3)), eps=0.1, rtol=1e-2)],
    np.longdouble: [c(A(3))],
    shaping.cast_gradient: [c(A(3, 4), A(3, 4), A(3, 4), wrt=(0,)),
                            c(A(12), A(3, 4), A(3, 4), wrt=(0,)),
                            c(A(3), A(3), np.zeros(3, int), wrt=(0,))],
}

REARRANGE_SPECS: dict[Any, list[Case]] = {
    np.flip: [c(A(5)), c(A(3, 4)), c(A(3, 4), 0), c(A(2, 3, 4), axis=(0, 2)), c(A()),
              c(A(2, 3, 4), axis=-1)],
    np.fliplr: [c(A(3, 4)), c(A(2, 3, 4))],
    np.flipud: [c(A(5)), c(A(3, 4))],
    np.rot90: [c(A(3, 4)), c(A(3, 4), 2), c(A(3, 4), -1), c(A(3, 4), 3), c(A(2, 3, 4), 1, (1, 2)),
               c(A(2, 3, 4), k=1, axes=(2, 0))],
    np.roll: [c(A(5), 2), c(A(3, 4), 1), c(A(3, 4), -1, axis=0), c(A(3, 4), (1, 2), (0, 1)),
              c(A(2, 3, 4), 5, axis=-1), c(A(3, 4), 7)],
    np.moveaxis: [c(A(2, 3, 4), 0, -1), c(A(2, 3, 4), (0, 1), (2, 0)), c(A(3, 4), -1, 0)],
    np.rollaxis: [c(A(2, 3, 4), a, start=s) for a in (0, 1, 2, -1) for s in (0, 1, 2, 3, -2)],
    np.swapaxes: [c(A(3, 4), 0, 1), c(A(2, 3, 4), 0, 2), c(A(2, 3, 4), -1, 1), c(A(2, 3), 1, 1)],
    np.matrix_transpose: [c(A(3, 4)), c(A(2, 3, 4))],
    np.tile: [c(A(3), 2), c(A(3), (2, 2)), c(A(2, 3), (2, 1)), c(A(2, 3), 3),
              c(A(2, 1, 3, 1), (1, 4, 1, 2)), c(A(1, 2), (3, 2, 1)), c(A(), 3), c(A(2, 3), (1, 1))],
    np.repeat: [c(A(5), 2), c(A(3, 4), 2, axis=0), c(A(3, 4), 3, axis=1), c(A(2, 3, 4), 2),
                c(A(3, 4), 0, axis=1), c(A(3, 4), np.array([1, 0, 2]), axis=0),
                c(A(4), np.array([2, 0, 1, 3])), c(A(), 3), c(A(2, 3, 4), 1, axis=-2)],
    np.pad: [c(A(5), 2), c(A(3, 4), 1), c(A(3, 4), ((1, 2), (0, 3))), c(A(3, 4), (2, 1)),
             c(A(3, 4), 1, constant_values=F()), c(A(5), 2, "edge"), c(A(3, 4), (2, 3), "edge"),
             c(A(5), 3, "reflect"), c(A(3, 4), ((2, 1), (3, 2)), "reflect"),
             c(A(5), 6, "reflect"), c(A(5), 3, "symmetric"), c(A(4), 6, "wrap"),
             c(A(2, 3, 4), 1, mode="edge"), c(A(3), 1, "linear_ramp", raises=NotImplementedError)],
    unpad: [c(A(9), A(5), 2, wrt=(0,)), c(A(5, 6), A(3, 4), 1, "reflect", wrt=(0,)),
            c(A(7), A(4), (1, 2), "edge", wrt=(0,))],
    np.sort: [c(D(7)), c(D(3, 4)), c(D(3, 4), 0), c(D(3, 4), axis=None), c(D(2, 3, 4), axis=1),
              c(D(1)), c(D(0)), c(D(5), kind="stable")],
    np.partition: [c(D(7), 3, wrt=(0,)), c(D(7), 0, wrt=(0,)), c(D(14), 6, wrt=(0,)),
                   c(D(3, 7), 2, axis=1, wrt=(0,)), c(D(5, 3), 1, axis=0, wrt=(0,)),
                   c(D(12), [2, 7], wrt=(0,)), c(D(3, 4), 5, axis=None, wrt=(0,))],
    np.take: [c(A(5), np.array([0, 2, 2, 4])), c(A(3, 4), np.array([1, 1, 0]), axis=0),
              c(A(3, 4), np.array([[0, 3], [3, 1]]), axis=1), c(A(3, 4), 5),
              c(A(5), np.array([-1, 7]), mode="wrap"), c(A(5), np.array([-3, 9]), mode="clip"),
              c(A(2, 3, 4), np.array([2, 0]), axis=-1)],
    np.take_along_axis: [c(A(3, 4), np.array([[0, 1], [3, 3], [2, 0]]), 1),
                         c(A(3, 4), np.array([[0, 2, 1, 1]]), axis=0),
                         c(A(6), np.array([5, 0, 0]), None),
                         c(A(2, 3, 4), np.argsort(np.arange(24.0).reshape(2, 3, 4) % 5, -1), -1)],
    np.compress: [c(np.array([True, False, True]), A(3, 4), axis=0, wrt=(1,)),
                  c(np.array([False, True]), A(3, 4), axis=1, wrt=(1,)),
                  c(np.array([True, False, True, True]), A(2, 3), wrt=(1,))],
    np.extract: [c(Mask((3, 4)), A(3, 4), wrt=(1,)), c(Mask((5,)), A(5), wrt=(1,))],
    np.delete: [c(A(5), 2), c(A(5), [0, 3]), c(A(3, 4), 1, axis=0), c(A(3, 4), [0, 2], axis=1),
                c(A(2, 3), 4), c(A(6), slice(1, 5, 2))],
    np.resize: [c(A(5), 3), c(A(5), 12), c(A(2, 3), (4, 4)), c(A(2, 3), (2, 3)), c(A(4), 0)],
    np.choose: [c(np.array([0, 1, 2, 1]), L(A(4), A(4), A(4)), wrt=(1,)),
                c(np.array([[0, 1], [1, 0]]), L(A(2, 2), A(2)), wrt=(1,)),
                c(np.array([0, 3, 5]), L(A(3), A()), mode="wrap", wrt=(1,)),
                c(np.array([-1, 2, 1]), L(A(3), A(3)), mode="clip", wrt=(1,))],
    scatter_add: [c((5,), np.array([0, 2, 2]), A(3), wrt=(2,)),
                  c((3, 4), (slice(None), np.array([1, 1, 3])), A(3, 3), wrt=(2,)),
                  c((4, 2), np.array([[0, 3], [3, 3]]), A(2, 2, 2), wrt=(2,))],
    chosen: [c(A(2, 3), np.array([[0, 1, 1], [1, 0, -1]]), L(A(2, 3), A(3)), wrt=(0,)),
             c(A(4), np.array([2, 0, 1, 2]), L(A(4), A(), A(4)), wrt=(0,))],
    np.select: [c(L(Mask((3, 4)), Mask((3, 4))), L(A(3, 4), A(3, 4)), wrt=(1,)),
                c(L(Mask((3, 4)), Mask((4,))), L(A(3, 4), A(4)), A(3, 4), wrt=(1, 2)),
                c(L(Mask((2, 3)),), L(A(2, 3),), F(), wrt=(1, 2)),
                c(L(Mask((2, 3, 4)), Mask((2, 3, 4)), Mask((2, 3, 4))),
                  L(A(2, 3, 4), A(2, 3, 4), A(2, 3, 4)), 1.5, wrt=(1,))],
}

DIAGONAL_SPECS: dict[Any, list[Case]] = {
    np.diagonal: [c(A(4, 4)), c(A(4, 5), 1), c(A(5, 4), -2), c(A(3, 4, 5)),
                  c(A(3, 4, 5), 1, 1, 2), c(A(3, 4, 5), offset=-1, axis1=-1, axis2=0),
                  c(A(3, 4), 7)],
    np.diag: [c(A(4)), c(A(4), 1), c(A(4), -2), c(A(4, 4)), c(A(4, 5), 1), c(A(5, 4), -1),
              c(A(3, 3), 4), c(A(1))],
    np.diagflat: [c(A(4)), c(A(2, 2), 1), c(A(3), -1)],
    np.tril: [c(A(4, 4)), c(A(4, 5), 1), c(A(4, 4), -1), c(A(2, 4, 3), 0), c(A(5, 4), 2)],
    np.triu: [c(A(4, 4)), c(A(4, 5), 1), c(A(4, 4), -1), c(A(2, 4, 3), 0), c(A(5, 4), 2)],
}

JOIN_SPECS: dict[Any, list[Case]] = {
    np.hstack: [c(A(2, 3, 4)), c(L(A(2), A(3))), c(L(A(3, 2), A(3, 4), A(3, 1))),
                c(L(A(2, 3, 4), A(2, 1, 4))),
                c(L(A(), A(2), F())), c(T(A(3), A(3)))],
    np.vstack: [c(L(A(2), A(2))), c(L(A(2, 3), A(4, 3), A(3))), c(L(A(2, 3, 4), A(5, 3, 4))),
                c(L(A(), F()))],
    np.row_stack: [c(L(A(2, 3), A(1, 3))), c(L(A(3), A(3)))],
    np.dstack: [c(L(A(2), A(2))), c(L(A(2, 3), A(2, 3, 2))), c(L(A(), A()))],
    np.column_stack: [c(L(A(3), A(3))), c(L(A(3, 2), A(3), A(3, 4))), c(A(2, 2))],
    np.append: [c(A(3), A(2)), c(A(2, 3), A(4)), c(A(2, 3), A(2, 2), axis=1),
                c(A(2, 3), A(1, 3), axis=0), c(A(), F())],
    np.r_: [c(T(A(3), A(2))), c(T(A(4),)), c(A(4)), c(A(2, 3)), c(T(A(3, 2), A(1, 2), A(3, 2))),
            c(T(A(4), slice(1, 5), F())), c(T(F(), F())), c(T(A(), A(2)))],
    np.c_: [c(T(A(3), A(3))), c(T(A(3, 2), A(3), A(3, 2))), c(T(A(2, 3),)), c(A(3, 2))],
    np.split: [c(A(6), 3), c(A(6), [1, 4]), c(A(4, 6), 2, axis=1), c(A(4, 6), [1, 3], axis=0),
               c(A(2, 4, 6), 3, axis=-1), c(A(3), [1, 1, 3]), c(A(2), 1)],
    np.array_split: [c(A(7), 3), c(A(7, 7), 4, axis=1), c(A(7, 7, 7), [3, 5], axis=2),
                     c(A(1), 3)],
    np.hsplit: [c(A(4, 8), 4), c(A(4, 8), [1, 2]), c(A(4, 4, 4), 2), c(A(6), 3)],
    np.vsplit: [c(A(4, 8), 4), c(A(4, 4, 4), [1, 2])],
    np.dsplit: [c(A(4, 4, 4), 2), c(A(2, 3, 4), [1, 2])],
    joins.unjoin: [c(A(5), L(A(2), A(3)), 0, wrt=(0,)),
                   c(A(3, 4), L(A(4), A(2, 4)), 0, np.atleast_2d, wrt=(0,)),
                   c(A(4), A(4), 0, joins.as_row, wrt=(0,)), c(A(6), A(2, 3), 0, wrt=(0,))],
    joins.rejoin: [c(L(A(2), A(3)), L(A(2), A(3)), 0, wrt=(0,)),
                   c(L(A(3), A(3)), L(A(3), A(3)), -1, joins.as_column, wrt=(0,))],
    np.unstack: [c(A(3, 4)), c(A(3, 4), axis=1), c(A(2, 3, 4), axis=-1)],
}

CREATION_SPECS: dict[Any, list[Case]] = {
    np.linspace: [c(F(), F(2.0, 3.0)), c(F(), F(), 5), c(F(), F(), 1), c(F(), F(), 0),
                  c(F(), F(), 4, endpoint=False), c(A(3), A(3), 5), c(A(2, 3), A(3), 4, axis=1),
                  c(A(2, 3), A(2, 3), 4, axis=-1), c(A(), A(2), 3), c(F(), F(), 5, dtype=int)],
    np.full: [c((2, 3), F(), wrt=(1,)), c((2, 3), A(3), wrt=(1,)), c((3, 4), A(3, 1), wrt=(1,)),
              c((2,), F(), int, wrt=(1,))],
    np.full_like: [c(A(2, 3), F(), wrt=(1,)), c(A(3, 4), A(4), wrt=(1,)),
                   c(A(3), F(), np.int64, wrt=(1,))],
}

#: every function spec of this module, keyed by the callable
NUMPY_SPECS: dict[Any, list[Case]] = {
    **UFUNC_SPECS, **COMPLEX_SPECS, **REDUCTION_SPECS, **SHAPING_SPECS, **REARRANGE_SPECS,
    **DIAGONAL_SPECS, **JOIN_SPECS, **CREATION_SPECS,
}

NUMPY_METHOD_SPECS: dict[str, list[Case]] = {
    "cumsum": [c(A(5)), c(A(3, 4), 1), c(A(3, 4), axis=0)],
    "cumprod": [c(S(5)), c(S(3, 4), 1), c(Z(3, 4), axis=0)],
    "trace": [c(A(4, 4)), c(A(3, 4), 1)],
    "diagonal": [c(A(4, 4)), c(A(3, 4, 5), 0, 1, 2)],
    "swapaxes": [c(A(3, 4), 0, 1), c(A(2, 3, 4), -1, 0)],
    "repeat": [c(A(5), 2), c(A(3, 4), 2, axis=1), c(A(3, 4), np.array([1, 0, 2]), 0)],
    "take": [c(A(5), np.array([0, 2, 2])), c(A(3, 4), np.array([3, 0]), axis=1)],
    "compress": [c(A(3, 4), np.array([True, False, True]), axis=0, wrt=(0,)),
                 c(A(2, 3), np.array([True, False, False, True]), wrt=(0,))],
    "item": [c(A()), c(A(1, 1)), c(A(3, 4), 5), c(A(3, 4), -1), c(A(3, 4), 1, 2),
             c(A(3, 4), (2, 3))],
    "conj": [c(A(3, 4)), c(A())],
    "conjugate": [c(A(3))],
    "reshape": [c(A(3, 4), 4, 3, order="F"), c(A(2, 3, 4), (6, 4), order="F")],
    "ravel": [c(A(3, 4), "F")],
    "flatten": [c(A(2, 3, 4), order="F")],
    "astype": [c(A(3), np.int64), c(A(3), bool),
               c(np.array([1.0 + 1.0j]), np.float64, raises=TypeError)],
    "view": [c(A(3, 4), np.float64)],
}

NUMPY_ATTRIBUTE_SPECS: dict[str, list[Case]] = {
    "real": [c(A(3, 4)), c(A())],
    "imag": [c(A(3, 4)), c(A())],
    "mT": [c(A(3, 4)), c(A(2, 3, 4))],
}
