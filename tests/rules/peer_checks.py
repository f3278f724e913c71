"""A peer's systematic NumPy gradient checks, re-enumerated, run through srcxform.

HIPS autograd's systematic tests (``tests/test_systematic.py`` with the argument
families of ``tests/numpy_utils.py`` in the HIPS/autograd repository) check
~100 NumPy functions over combinations of shapes, axes, ``keepdims`` and
broadcasting pairs, real and complex.  This module enumerates the same
combinations with its own code (:func:`checks`) and runs each through
srcxform in both modes:

* reverse: ``sx.grad`` of ``sum(f(args) * W)`` (a fixed random cotangent ``W``)
  against central differences along two random directions;
* forward: ``sx.jvp`` of ``f`` itself along a random tangent, against central
  differences of ``f``.

A check passes, fails (a wrong number), is refused (``TransformError``, or the
``TypeError`` of a complex value at a non-holomorphic step: an error, never a
wrong gradient), or errs (any other exception).  ``python -m tests.rules.peer_checks``
prints the table (``--numpy``: the single checks of the peer's ``tests/test_numpy.py``,
:func:`numpy_checks`); ``tests/rules/test_numpy_peer.py`` runs the linear-algebra part
whole and a CI-sized sample of the rest.
"""

from __future__ import annotations

import ast
import atexit
import importlib.util
import itertools
import os
import sys
import tempfile
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import srcxform as sx
from tests.helpers import central_difference

#: the functions of the linear-algebra part of the issue (test_numpy_peer runs all of it)
LINALG = {"kron", "inner", "tensordot", "einsum", "cross"}


@dataclass
class Check:
    """One combination: ``call`` (source text over ``a0, a1, ...`` and constants
    ``k0, k1, ...``) with the differentiated values ``args`` and constants ``consts``."""

    test: str  # the peer test it comes from, e.g. "test_max"
    call: str
    args: list
    consts: list = field(default_factory=list)

    @property
    def complex(self) -> bool:
        return any(np.iscomplexobj(a) for a in _leaves(self.args))


def _leaves(values: Any) -> list:
    if isinstance(values, (list, tuple)):
        return [x for v in values for x in _leaves(v)]
    return [values]


class _Values:
    """Random inputs, reproducible (one generator for the whole enumeration)."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def normal(self, *shape: int) -> Any:
        return float(self.rng.standard_normal()) if not shape else \
            self.rng.standard_normal(shape)

    def uniform(self, *shape: int) -> Any:
        return float(self.rng.uniform()) if not shape else self.rng.uniform(size=shape)


def _within(lims: tuple, x: Any) -> Any:
    return x * (lims[1] - lims[0]) + lims[0]


def _literal(value: Any) -> bool:
    if isinstance(value, (bool, int, float, str, type(None))):
        return True
    return isinstance(value, (tuple, list)) and all(_literal(v) for v in value)


def _call(fn: str, positional: list, argnums: tuple, keywords: dict, consts: list) -> str:
    parts = []
    for i, value in enumerate(positional):
        if i in argnums:
            parts.append(f"a{argnums.index(i)}")
        elif _literal(value):
            parts.append(repr(value))
        else:
            consts.append(value)
            parts.append(f"k{len(consts) - 1}")
    for k, value in keywords.items():
        if _literal(value):
            parts.append(f"{k}={value!r}")
        else:
            consts.append(value)
            parts.append(f"{k}=k{len(consts) - 1}")
    if "{0}" in fn:  # an operator: "{0} * {1}"
        return fn.format(*parts)
    if "(*)" in fn:  # the call inside an expression: "np.degrees(*) / 50.0"
        return fn.replace("(*)", "(" + ", ".join(parts) + ")")
    return f"{fn}({', '.join(parts)})"


def combos(test: str, fn: str, argnums: tuple, arg_options: list, **kw_options: list) -> list:
    """Every combination of positional options and keyword options (as the peer's
    ``combo_check`` enumerates them)."""
    out = []
    keys = list(kw_options)
    for positional in itertools.product(*arg_options):
        for values in itertools.product(*(kw_options[k] for k in keys)):
            consts: list = []
            call = _call(fn, list(positional), argnums, dict(zip(keys, values)), consts)
            out.append(Check(test, call, [positional[i] for i in argnums], consts))
    return out


def _stat(v: _Values, name: str) -> list:
    fn = f"np.{name}"
    x, a, b, c, d = 3.5, v.normal(), v.normal(3), v.normal(2, 3), v.normal(1, 3)
    z = v.normal() + 0.1j * v.normal()
    e = v.normal(2, 3) + 0.1j * v.normal(2, 3)
    t = f"test_{name}"
    return (combos(t, fn, (0,), [[x, a]])
            + combos(t, fn, (0,), [[b, c, d]], axis=[None, 0], keepdims=[True, False])
            + combos(t, fn, (0,), [[c, d]], axis=[None, 0, 1], keepdims=[True, False])
            + combos(t, fn, (0,), [[x, z, a]])
            + combos(t, fn, (0,), [[b, c, d, e]], axis=[None, 0], keepdims=[True, False]))


def _unary(v: _Values, test: str, fn: str, lims=(-2.0, 2.0), complex_=True) -> list:
    values = [_within(lims, 0.4), _within(lims, v.uniform(2)), _within(lims, v.uniform(3, 2)),
              _within(lims, v.uniform(1, 2))]
    out = combos(test, fn, (0,), [values])
    if complex_:
        comp = _within(lims, 0.4) + 0.1j * _within(lims, 0.3)
        matc = _within(lims, v.uniform(3, 2)) + 0.1j * v.uniform(3, 2)
        out += combos(test, fn, (0,), [[comp, matc]])
    return out


def _binary(v: _Values, test: str, fn: str, lims_a=(-2.0, 2.0), lims_b=(-2.0, 2.0),
            complex_=True, same=True) -> list:
    def both(x, y):
        return _within(lims_a, x), _within(lims_b, y)

    first = [0.6, v.uniform(2), v.uniform(3, 2), v.uniform(1, 2)]
    second = first if same else [0.7, v.uniform(2), v.uniform(3, 2), v.uniform(1, 2)]
    out = combos(test, fn, (0, 1), [[_within(lims_a, x) for x in first],
                                    [_within(lims_b, y) for y in second]])
    if complex_:
        ca = [0.6, 0.6 + 0.3j, first[1], v.uniform(3, 2) + 0.1j * v.uniform(3, 2), first[3]]
        cb = ca if same else [0.7, 0.1 + 0.2j, second[1],
                              v.uniform(3, 2) + 0.1j * v.uniform(3, 2), second[3]]
        out += combos(test, fn, (0, 1), [[_within(lims_a, x) for x in ca],
                                         [_within(lims_b, y) for y in cb]])
    return out


def numpy_checks() -> list[Check]:
    """The single checks of the peer's ``tests/test_numpy.py`` (one function each, outputs
    reduced to a scalar as the peer's ``to_scalar`` does, by a sum)."""
    v = _Values(1)
    r = v.normal
    s = "np.sum({})"
    out: list[Check] = []

    def one(test: str, template: str, *args: Any) -> None:
        out.append(Check(test, template.format(*[f"a{i}" for i in range(len(args))]),
                         list(args)))

    m1, m2, v1, v2, v3 = r(10, 11), r(10, 11), r(10), r(11), r(11)
    for a, b in [(m1, v2), (m1, m2.T), (v1, m1), (v2, v3)]:
        one("test_dot", s.format("np.dot({0}, {1})"), a, b)
    for a, b in [(m1, -0.4), (-0.4, m1), (v1, -0.4), (-0.4, v1)]:
        one("test_dot_with_floats", s.format("np.dot({0}, {1})"), a, b)
    for a, b in [(v2, v3), (v2.T, v3), (v2.T, v3.T)]:
        one("test_outer", s.format("np.outer({0}, {1})"), a, b)
    x3 = r(3, 4, 5)
    for test, call, arg in [
        ("test_max", "np.max({0})", r(10, 11)), ("test_max_axis", "np.max({0}, axis=1)", x3),
        ("test_max_axis_keepdims", "np.max({0}, axis=1, keepdims=True)", x3),
        ("test_min", "np.min({0})", r(10, 11)), ("test_min_axis", "np.min({0}, axis=1)", x3),
        ("test_min_axis_keepdims", "np.min({0}, axis=1, keepdims=True)", x3),
        ("test_sum_1", "np.sum({0})", r(10, 11)), ("test_sum_2", "np.sum({0}, axis=0)", r(10, 11)),
        ("test_sum_3", "np.sum({0}, axis=0, keepdims=True)", r(10, 11)),
        ("test_sum_with_axis_tuple", "np.sum({0}, axis=(1, 2))", r(10, 11, 7)),
        ("test_flipud", "np.flipud({0})", r(10, 11)), ("test_fliplr", "np.fliplr({0})", r(10, 11)),
        ("test_rot90", "np.rot90({0})", r(10, 11)),
        ("test_cumsum", "np.cumsum({0}, axis=0)", r(10, 11)),
        ("test_cumsum_1d", "np.cumsum({0})", r(10)),
        ("test_cumsum_no_axis", "np.cumsum({0})", r(10, 11)),
        ("test_mean_1", "np.mean({0})", r(10, 11)), ("test_mean_2", "np.mean({0}, axis=0)",
                                                      r(10, 11)),
        ("test_mean_3", "np.mean({0}, axis=0, keepdims=True)", r(10, 11)),
        ("test_index_ints", "{0}[3, 0, 1]", r(5, 6, 4)),
        ("test_index_slice", "{0}[::-1, 2:4, :]", r(5, 6, 4)),
        ("test_index_lists", "{0}[[0, 1, 2], :, :]", r(5, 6, 4)),
        ("test_index_mixed", "{0}[3, 2:, [1, 3]]", r(5, 6, 4)),
        ("test_vector_slice", "{0}[2:4]", r(5)),
        ("test_index_slice_fanout", "{0}[::-1, 2:4, :] + {0}[::-1, 3:5, :]", r(5, 6, 4)),
        ("test_index_multiple_slices", "{0}[2:6][1:3]", r(7)),
        ("test_reshape_method", "{0}.reshape((5 * 4, 6))", r(5, 6, 4)),
        ("test_reshape_call", "np.reshape({0}, (5 * 4, 6))", r(5, 6, 4)),
        ("test_reshape_method_nolist", "{0}.reshape(5 * 4, 6)", r(5, 6, 4)),
        ("test_ravel_method", "{0}.ravel()", r(5, 6, 4)), ("test_ravel_call", "np.ravel({0})",
                                                          r(5, 6, 4)),
        ("test_flatten_method", "{0}.flatten()", r(5, 6, 4)),
        ("test_trace", "np.trace({0}, offset=3)", r(10, 11)),
        ("test_trace2", "np.trace({0}, offset=-4)", r(11, 10)),
        ("test_trace_extradims", "np.trace({0}, offset=2)", r(5, 6, 4, 3)),
        ("test_diag", "np.diag({0})", r(10, 10)), ("test_transpose", "{0}.T", r(8, 8)),
        ("test_roll", "np.roll({0}, 2, axis=1)", r(4, 5)),
        ("test_roll_no_axis", "np.roll({0}, 2)", r(4, 5)),
        ("test_triu", "np.triu({0}, k=2)", r(5, 5)), ("test_tril", "np.tril({0}, k=2)", r(5, 5)),
        ("test_clip", "np.clip({0}, a_min=0.1, a_max=1.1)", r(5, 5)),
        ("test_prod_1", "np.prod({0})", r(2, 3) ** 2 / 10.0 + 0.1),
        ("test_prod_2", "np.prod({0}, axis=0)", r(2, 3) ** 2 + 0.1),
        ("test_prod_3", "np.prod({0}, axis=0, keepdims=True)", r(2, 3) ** 2 + 0.1),
        ("test_prod_4", "np.prod({0})", r(7) ** 2 + 0.1),
        ("test_1d_array", "np.array([{0}, {0} * 1.0, {0} + 2.5])", 3.0),
        ("test_2d_array", "np.array([[{0}, {0} * 1.0, {0} + 2.5], [{0} ** 2, {0}, {0} / 2.0]])",
         3.0),
        ("test_array_from_scalar", "np.array({0})", 3.0),
        ("test_array_from_arrays", "np.array([{0}, {0}])", r(3, 2)),
        ("test_array_from_arrays_2", "np.array([[2 * {0}, {0} + 1], [{0}, {0}]])", r(3, 2)),
        ("test_r_basic", "np.r_[{0}]", r(3, 2)), ("test_r_double", "np.r_[{0}, {0}]", r(3, 2)),
        ("test_r_slicing", "np.r_[{0}, np.ones(10), 1:10]", r(10)),
        ("test_c_", "np.c_[{0}, np.ones((3, 2)), {0}]", r(3, 2)),
        ("test_squeeze_func", "np.squeeze({0})", r(5, 1, 4)),
        ("test_squeeze_method", "{0}.squeeze()", r(5, 1, 4)),
        ("test_repeat", "np.repeat({0}, 2, axis=1)", r(5, 3, 4)),
        ("test_repeat_axis1_rep1", "np.repeat({0}, 1, axis=1)", r(5, 3, 4)),
        ("test_repeat_axis0", "np.repeat({0}, 2, axis=0)", r(5, 3)),
        ("test_repeat_1d_axis0", "np.repeat({0}, 2, axis=0)", r(5)),
        ("test_repeat_axis0_rep1", "np.repeat({0}, 1, axis=0)", r(5, 1)),
        ("test_expand_dims", "np.expand_dims({0}, 2)", r(5, 1, 4)),
        ("test_multi_index", "{0}[[0, 0]]", r(3)), ("test_multi_index2", "{0}[[0, 1, 0]]", r(3)),
        ("test_index_dot_slices", "np.dot({0}[:2], {0}[2:])", r(4)),
        ("test_cast_to_int", "np.sum({0}[:, :-1][np.int64({0}[:, -1] * 0.0 + 1.0)])",
         r(5, 10)),
        ("test_diagonal", "np.diagonal({0}, axis1=-1, axis2=-2)", r(3, 4, 4)),
        ("test_nan_to_num", "np.sin(np.nan_to_num({0} + np.array([0.0, np.nan, np.inf, "
         "-np.inf])))", r(4)),
        ("test_max_equal_values", "np.max(np.array([{0}, {0}]))", 1.0),
        ("test_max_equal_values_2d", "np.max(np.array([[{0}, {0}], [{0}, 0.5]]), axis=1)", 1.0),
        ("test_min_3_way_equality", "np.min(np.array([[{0}, {0}, {0}], [{0}, 0.5, 0.5], "
         "[0.5, 0.5, 0.5], [{0}, {0}, 0.5]]), axis=0)", -1.0),
        ("test_maximum_equal_values", "np.maximum({0}, {0})", 1.0),
        ("test_maximum_equal_values_2d", "np.maximum(np.array([{0}, {0}, 0.5]), "
         "np.array([[{0}, 0.5, {0}], [{0}, {0}, 0.5]]))", 2.0),
    ]:
        one(test, s.format(call), arg)
    for b, c in [(r(5, 6, 4), r(4, 6, 4))]:
        out.append(Check("test_simple_concatenate", s.format("np.concatenate((k0, a0))"), [c], [b]))
    for axis in (None, 1):
        b = r(5, 6, 4)
        call = "np.concatenate((k0, a0, k0))" if axis is None else \
            f"np.concatenate((k0, a0, k0), axis={axis})"
        out.append(Check("test_concatenate_axis", s.format(call), [r(5, 6, 4)], [b]))
    cond = r(4, 5) > 0
    out.append(Check("test_where", s.format("np.where(k0, a0, a1)"), [r(4, 5), r(4, 5)], [cond]))
    out += combos("test_var_ddof", "np.var", (0,), [[r(3), r(3, 4), r(1, 3)]], axis=[None],
                  keepdims=[True, False], ddof=[0, 1])
    out += combos("test_var_ddof", "np.var", (0,), [[r(3, 4), r(1, 3)]], axis=[None, 1],
                  keepdims=[True, False], ddof=[2])
    out += combos("test_std_ddof", "np.std", (0,), [[r(3), r(3, 4), r(1, 3)]], axis=[None],
                  keepdims=[True, False], ddof=[0, 1])
    out += combos("test_std_ddof", "np.std", (0,), [[r(3, 4), r(1, 3)]], axis=[None, 1],
                  keepdims=[True, False], ddof=[2])
    for num in (0, 1, 5):
        for a, b in [(1.2, 3.4), (1.2, -3.4), (1.2, 1.2)]:
            one("test_linspace", s.format(f"np.linspace({{0}}, {{1}}, {num})"), a, b)
    return out


def checks() -> list[Check]:
    """All the combinations, in the peer's order."""
    v = _Values()
    r = v.normal
    out: list[Check] = []
    for name in ("max", "all", "any", "mean", "min", "sum", "prod", "var", "std"):
        out += _stat(v, name)
    unary = [
        ("sin", "np.sin", {}), ("abs", "np.abs", {"lims": (0.1, 4.0)}),
        ("absolute", "np.absolute", {"lims": (0.1, 4.0)}),
        ("arccosh", "np.arccosh", {"lims": (1.1, 4.0)}),
        ("arcsinh", "np.arcsinh", {"lims": (-0.9, 0.9)}),
        ("arctanh", "np.arctanh", {"lims": (-0.9, 0.9)}),
        ("ceil", "np.ceil", {"lims": (-1.5, 1.5), "complex_": False}), ("cos", "np.cos", {}),
        ("cosh", "np.cosh", {}), ("deg2rad", "np.deg2rad", {"complex_": False}),
        ("degrees", "np.degrees(*) / 50.0", {"complex_": False}), ("exp", "np.exp", {}),
        ("exp2", "np.exp2", {}), ("expm1", "np.expm1", {}),
        ("fabs", "np.fabs", {"complex_": False}),
        ("floor", "np.floor", {"lims": (-1.5, 1.5), "complex_": False}),
        ("log", "np.log", {"lims": (0.2, 2.0)}), ("log10", "np.log10", {"lims": (0.2, 2.0)}),
        ("log1p", "np.log1p", {"lims": (0.2, 2.0)}), ("log2", "np.log2", {"lims": (0.2, 2.0)}),
        ("rad2deg", "np.rad2deg(*) / 50.0", {"complex_": False}),
        ("radians", "np.radians", {"complex_": False}), ("sign", "np.sign", {}),
        ("sinh", "np.sinh", {}), ("sqrt", "np.sqrt", {"lims": (1.0, 3.0)}),
        ("square", "np.square", {"complex_": False}), ("tan", "np.tan", {"lims": (-1.1, 1.1)}),
        ("tanh", "np.tanh", {}), ("real", "np.real", {}), ("real_ic", "np.real_if_close", {}),
        ("imag", "np.imag", {}), ("conj", "np.conj", {}), ("angle", "np.angle", {}),
    ]
    for name, fn, options in unary:
        out += _unary(v, f"test_{name}", fn, **options)
    binary = [
        ("add", "np.add", {}), ("logaddexp", "np.logaddexp", {"complex_": False}),
        ("logaddexp2", "np.logaddexp2", {"complex_": False}),
        ("remainder", "np.remainder", {"lims_a": (-0.9, 0.9), "lims_b": (0.7, 1.9),
                                        "complex_": False, "same": False}),
        ("true_divide", "np.true_divide", {"lims_b": (0.8, 1.2), "complex_": False}),
        ("mod", "np.mod", {"lims_b": (0.8, 2.1), "complex_": False, "same": False}),
        ("true_divide_neg", "np.true_divide", {"lims_b": (-0.3, -2.0), "complex_": False}),
        ("mod_neg", "np.mod", {"lims_b": (-0.3, -2.0), "complex_": False, "same": False}),
        ("op_mul", "{0} * {1}", {}), ("op_add", "{0} + {1}", {}), ("op_sub", "{0} - {1}", {}),
        ("op_mod", "{0} % {1}", {"lims_b": (0.3, 2.0), "complex_": False, "same": False}),
        ("op_mod_neg", "{0} % {1}", {"lims_b": (-0.3, -2.0), "complex_": False,
                                     "same": False}),
    ]
    for name, fn, options in binary:
        out += _binary(v, f"test_{name}", fn, **options)
    out += _combos(v, r)
    return out


def _combos(v: _Values, r: Any) -> list[Check]:
    out = []
    add = out.extend
    add(combos("test_transpose", "np.transpose", (0,), [[r(2, 3, 4)]],
               axes=[None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2], [1, 2, 0]]))
    add(combos("test_repeat", "np.repeat", (0,), [[r(2, 3, 4), r(3, 1)]], repeats=[0, 1, 2],
               axis=[None, 0, 1]))
    add(combos("test_diff", "np.diff", (0,), [[r(5, 5), r(5, 5, 5)]], n=[1, 2], axis=[0, 1]))
    add(combos("test_diff", "np.diff", (0,), [[r(1), r(1, 1)]], axis=[0]))
    add(combos("test_diff", "np.diff", (0,), [[r(1, 1), r(3, 1)]], axis=[1]))
    add(combos("test_tile", "np.tile", (0,), [[r(2, 1, 3, 1)]], reps=[(1, 4, 1, 2)]))
    add(combos("test_tile", "np.tile", (0,), [[r(1, 2)]], reps=[(1, 2), (2, 3), (3, 2, 1)]))
    add(combos("test_tile", "np.tile", (0,), [[r(1)]], reps=[(2,), 2]))
    add(combos("test_kron", "np.kron", (0, 1), [[r(5, 5), r(4, 4)], [r(3, 3), r(2, 2)]]))
    add(combos("test_inner", "np.inner", (0, 1), [[1.5, r(3), r(2, 3)], [0.3, r(3), r(4, 3)]]))
    add(combos("test_dot", "np.dot", (0, 1), [[1.5, r(3), r(2, 3), r(2, 2, 3)],
                                              [0.3, r(3), r(3, 4), r(2, 3, 4)]]))
    add(combos("test_matmul", "np.matmul", (0, 1), [[r(3), r(2, 3), r(2, 2, 3)],
                                                    [r(3), r(3, 4), r(2, 3, 4)]]))
    for test, shapes_a, shapes_b, axes in [
        ("test_tensordot_1", [(1, 3), (2, 3, 2)], [(3,), (3, 1), (3, 4, 2)], [[(1,), (0,)]]),
        ("test_tensordot_2", [(3,), (3, 1), (3, 4, 2)], [(1, 3), (2, 3, 2)], [[(0,), (1,)]]),
        ("test_tensordot_3", [(2, 3), (2, 3, 4)], [(1, 2, 3), (2, 2, 3, 4)],
         [[(0, 1), (1, 2)], [(1, 0), (2, 1)]]),
        ("test_tensordot_4", [(2, 2), (4, 2, 2)], [(2, 2), (2, 2, 4)], [1, 2]),
        ("test_tensordot_5", [(4,)], [()], [0]),
        ("test_tensordot_6", [(2, 6)], [(6, 3)], [[[-1], [0]]]),
    ]:
        add(combos(test, "np.tensordot", (0, 1), [[r(*s) for s in shapes_a],
                                                  [r(*s) for s in shapes_b]], axes=axes))
    for name in ("maximum", "fmax", "minimum", "fmin"):
        add(combos(f"test_{name}", f"np.{name}", (0, 1), [[r(1), r(1, 4), r(3, 4)],
                                                          [r(1), r(1, 4), r(3, 4)]]))
    add(combos("test_sort", "np.sort", (0,), [[r(1), r(7)]]))
    add(combos("test_partition", "np.partition", (0,), [[r(7), r(14)]], kth=[0, 3, 6]))
    shapes = [1.2, r(1), r(7), r(1, 4), r(2, 4), r(2, 4, 5)]
    add(combos("test_atleast_1d", "np.atleast_1d", (0,), [shapes]))
    add(combos("test_atleast_2d", "np.atleast_2d", (0,), [shapes]))
    add(combos("test_atleast_3d", "np.atleast_3d", (0,), [shapes + [r(2, 4, 3, 5)]]))
    _einsums(add, r)
    add(combos("test_trace", "np.trace", (0,), [[r(5, 5), r(4, 5), r(5, 4), r(3, 4, 5)]],
               offset=[-1, 0, 1]))
    add(combos("test_diag", "np.diag", (0,), [[r(5, 5)]], k=[-1, 0, 1]))
    add(combos("test_diag_flat", "np.diag", (0,), [[r(5)]], k=[-1, 0, 1]))
    for test, shape in [("test_tril", (5, 5)), ("test_triu", (5, 5)), ("test_tril_3d", (5, 5, 4)),
                        ("test_triu_3d", (5, 5, 4))]:  # (the peer's triu tests call np.tril)
        add(combos(test, "np.tril", (0,), [[r(*shape)]], k=[-1, 0, 1]))
    add(combos("test_swapaxes", "np.swapaxes", (0,), [[r(3, 4, 5)]], axis1=[0, 1, 2],
               axis2=[0, 1, 2]))
    add(combos("test_rollaxis", "np.rollaxis", (0,), [[r(2, 3, 4)]], axis=[0, 1, 2],
               start=[0, 1, 2, 3]))
    add(combos("test_cross", "np.cross", (0, 1), [[r(3, 3)], [r(3, 3)]], axisa=[-1, 0, 1],
               axisb=[-1, 0, 1], axisc=[-1, 0, 1], axis=[None, -1, 0, 1]))
    _splits(add, r)
    _joins(add, r)
    add(combos("test_select", "np.select", (1,), [[[r(3, 4, 5) > 0, r(3, 4, 5) > 0,
                                                    r(3, 4, 5) > 0]],
                                                  [[r(3, 4, 5), r(3, 4, 5), r(3, 4, 5)]]],
               default=[0.0, 1.1]))
    return out


def _einsums(add: Any, r: Any) -> None:
    add(combos("test_einsum_transpose", "np.einsum", (1,), [["ij->ji"],
                                                            [r(1, 1), r(4, 4), r(3, 4)]]))
    add(combos("test_einsum_matmult", "np.einsum", (1, 2), [["ij,jk->ik"], [r(2, 3)],
                                                            [r(3, 4)]]))
    add(combos("test_einsum_matmult_broadcast", "np.einsum", (1, 2),
               [["...ij,...jk->...ik"], [r(2, 3), r(2, 2, 3)], [r(3, 4), r(2, 3, 4)]]))
    add(combos("test_einsum_covsum", "np.einsum", (1, 2), [["ijk,lji->lki"], [r(3, 4, 4)],
                                                           [r(4, 4, 3)]]))
    add(combos("test_einsum_ellipses", "np.einsum", (1, 2),
               [["...jk,...lj->...lk", "...,...->..."], [r(4, 4), r(3, 4, 4)],
                [r(4, 4), r(3, 4, 4)]]))
    add(combos("test_einsum_ellipses_tail", "np.einsum", (1, 2),
               [["jk...,lj...->lk..."], [r(3, 2), r(3, 2, 4)], [r(2, 3), r(2, 3, 4)]]))
    add(combos("test_einsum_ellipses_center", "np.einsum", (1, 2),
               [["j...k,lj...->lk..."], [r(2, 2), r(2, 2, 2)], [r(2, 2), r(2, 2, 2)]]))
    add(combos("test_einsum_three_args", "np.einsum", (1, 2),
               [["ijk,lji,lli->lki"], [r(3, 4, 4)], [r(4, 4, 3)], [r(4, 4, 3)]]))
    add(combos("test_einsum2_transpose", "np.einsum", (0,), [[r(1, 1), r(4, 4), r(3, 4)],
                                                             [(0, 1)], [(1, 0)]]))
    add(combos("test_einsum2_matmult", "np.einsum", (0, 2), [[r(2, 3)], [(0, 1)], [r(3, 4)],
                                                             [(1, 2)], [(0, 2)]]))
    add(combos("test_einsum2_matmult_broadcast", "np.einsum", (0, 2),
               [[r(2, 3), r(2, 2, 3)], [(Ellipsis, 0, 1)], [r(3, 4), r(2, 3, 4)],
                [(Ellipsis, 1, 2)], [(Ellipsis, 0, 2)]]))
    add(combos("test_einsum2_covsum", "np.einsum", (0, 2), [[r(3, 4, 4)], [(0, 1, 2)],
                                                            [r(4, 4, 3)], [(3, 1, 0)],
                                                            [(3, 2, 0)]]))
    add(combos("test_einsum2_three_args", "np.einsum", (0, 2),
               [[r(3, 4, 4)], [(0, 1, 2)], [r(4, 4, 3)], [(3, 1, 0)], [r(4, 4, 3)],
                [(3, 3, 0)], [(3, 2, 0)]]))


def _splits(add: Any, r: Any) -> None:
    for name, shape, sections in [("vsplit_2d", (4, 8), [4, [1, 2]]),
                                  ("vsplit_3d", (4, 4, 4), [2, [1, 2]]),
                                  ("hsplit_2d", (4, 8), [4, [1, 2]]),
                                  ("hsplit_3d", (4, 4, 4), [2, [1, 2]]),
                                  ("dsplit_3d", (4, 4, 4), [2, [1, 2]])]:
        add(combos(f"test_{name}", f"np.{name.split('_')[0]}", (0,), [[r(*shape)], sections]))
    add(combos("test_split_1d", "np.split", (0,), [[r(1), r(7)], [1]], axis=[0]))
    add(combos("test_split_2d", "np.split", (0,), [[r(4, 8)], [4, [1, 2]]], axis=[0, 1]))
    add(combos("test_split_3d", "np.split", (0,), [[r(4, 4, 4)], [2, [1, 2]]], axis=[0, 1, 2]))
    add(combos("test_array_split_1d", "np.array_split", (0,), [[r(1), r(7)], [1, 3]], axis=[0]))
    add(combos("test_array_split_2d", "np.array_split", (0,), [[r(7, 7)], [4, [3, 5]]],
               axis=[0, 1]))
    add(combos("test_array_split_3d", "np.array_split", (0,), [[r(7, 7, 7)], [4, [3, 5]]],
               axis=[0, 1, 2]))


def _joins(add: Any, r: Any) -> None:
    add(combos("test_concatenate_1ist", "np.concatenate", (0,), [[(r(1), r(3))]], axis=[0]))
    add(combos("test_concatenate_tuple", "np.concatenate", (0,), [[[r(1), r(3)]]], axis=[0]))
    add(combos("test_concatenate_2d", "np.concatenate", (0,), [[(r(2, 2), r(2, 2))]],
               axis=[0, 1]))
    add(combos("test_concatenate_3d", "np.concatenate", (0,), [[(r(2, 2, 2), r(2, 2, 2))]],
               axis=[0, 1, 2]))
    for fn, cases in [("vstack", [("1d", [r(2), (r(2), r(2))]),
                                  ("2d", [r(2, 3), (r(2, 4), r(1, 4))]),
                                  ("3d", [r(2, 3, 4), (r(2, 3, 4), r(5, 3, 4))])]),
                      ("hstack", [("1d", [r(2), (r(2), r(2))]),
                                  ("2d", [r(3, 2), (r(3, 4), r(3, 5))]),
                                  ("3d", [r(2, 3, 4), (r(2, 1, 4), r(2, 5, 4))])]),
                      ("row_stack", [("1d", [r(2), (r(2), r(2))]),
                                     ("2d", [r(2, 3), (r(2, 4), r(1, 4))])]),
                      ("column_stack", [("1d", [r(2), (r(2), r(2))]),
                                        ("2d", [r(2, 2), (r(2, 2), r(2, 2))])])]:
        for dims, options in cases:
            add(combos(f"test_{fn}_{dims}", f"np.{fn}", (0,), [options]))
    add(combos("test_stack_1d", "np.stack", (0,), [[(r(2),), (r(2), r(2))]], axis=[0, 1]))


# --- running ------------------------------------------------------------------------------

EPS = 1e-6
RTOL, ATOL = 1e-4, 1e-6


def _module(all_checks: list[Check]) -> Any:
    """One source file with, per check ``i``, ``f{i}`` (the call) and ``r{i}`` (its
    pairing with fixed cotangents ``w{i}_k``, one per output piece), imported (so
    srcxform can read it)."""
    consts: dict[str, Any] = {}
    calls = []
    for i, check in enumerate(all_checks):
        for j, value in enumerate(check.consts):
            consts[f"k{i}_{j}"] = value
        calls.append(_renamed(check.call, {f"k{j}": f"k{i}_{j}" for j in range(
            len(check.consts))}) if check.consts else check.call)
    lines = ["import numpy as np", ""]
    for i, (check, call) in enumerate(zip(all_checks, calls)):
        params = ", ".join(f"a{j}" for j in range(len(check.args)))
        lines += [f"def f{i}({params}):", f"    return {call}", ""]
    module = _load(lines, consts)
    for i, check in enumerate(all_checks):  # the pairing reads each piece of the output
        params = ", ".join(f"a{j}" for j in range(len(check.args)))
        try:
            out = getattr(module, f"f{i}")(*check.args)
        except Exception:  # noqa: BLE001  (the primal fails: so will the check)
            out = None
        rng = np.random.default_rng(i)
        if isinstance(out, (list, tuple)):
            terms = []
            for k, piece in enumerate(out):
                consts[f"w{i}_{k}"] = rng.standard_normal(np.shape(piece))
                terms.append(f"np.sum(out[{k}] * w{i}_{k})")
            body = " + ".join(terms) or "0.0"
        else:
            consts[f"w{i}_0"] = rng.standard_normal(np.shape(out))
            body = f"np.sum(out * w{i}_0)"  # complex for a complex output: f' then
        lines += [f"def r{i}({params}):", f"    out = {calls[i]}", f"    return {body}", ""]
    return _load(lines, consts)


def _renamed(call: str, names: dict[str, str]) -> str:
    """``call`` with the names in ``names`` renamed, by the syntax tree (renaming the text
    would turn ``k1`` into ``k13_1`` inside ``k13_0``, or an attribute ``.k0``)."""
    tree = ast.parse(call, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = names[node.id]
    return ast.unparse(tree)


def _load(lines: list[str], consts: dict[str, Any]) -> Any:
    fd, path = tempfile.mkstemp(prefix="peer_checks_", suffix=".py")
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines))
    atexit.register(os.remove, path)  # (the source is read when a check is transformed)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(consts)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _random_like(value: Any, rng: np.random.Generator, imaginary: bool = False) -> Any:
    """A random direction of ``value``'s shape (purely imaginary with ``imaginary``, for a
    complex value: the complex derivative must hold along both)."""
    if isinstance(value, (list, tuple)):
        return type(value)(_random_like(x, rng, imaginary) for x in value)
    d = rng.standard_normal(np.shape(value))
    d = d * 1j if imaginary and np.iscomplexobj(value) else d
    return d if isinstance(value, np.ndarray) else d.item()


def _inner(a: Any, b: Any) -> complex:
    """``sum(a * b)`` (no conjugate: the gradient of a holomorphic function is f')."""
    if isinstance(a, (list, tuple)):
        return sum(_inner(x, y) for x, y in zip(a, b))
    return complex(np.sum(np.asarray(a) * np.asarray(b)))


def _close(got: Any, want: Any) -> bool:
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(_close(g, w) for g, w in zip(got, want))
    got, want = np.asarray(got, dtype=complex), np.asarray(want, dtype=complex)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def outcome(exc: BaseException | None, ok: bool = True) -> str:
    if exc is None:
        return "pass" if ok else "fail"
    if isinstance(exc, sx.TransformError) or isinstance(exc, TypeError) and "srcxform" in str(
            exc):
        return "refused"
    return "error"


def run_reverse(module: Any, i: int, check: Check) -> str:
    r = getattr(module, f"r{i}")
    rng = np.random.default_rng(i)
    try:
        wrt = tuple(range(len(check.args)))
        grads = sx.grad(r, wrt=wrt)(*check.args)
    except Exception as exc:  # noqa: BLE001  (every failure is counted)
        return outcome(exc)
    ok = True
    for j, (x, gx) in enumerate(zip(check.args, grads)):
        for imaginary in (False, True):
            d = _random_like(x, rng, imaginary)
            directions = [d if k == j else None for k in range(len(check.args))]
            numeric = central_difference(r, check.args, directions, EPS)
            ok = ok and bool(np.isclose(_inner(gx, d), complex(numeric), rtol=RTOL, atol=ATOL))
    return outcome(None, ok)


def run_forward(module: Any, i: int, check: Check) -> str:
    f = getattr(module, f"f{i}")
    rng = np.random.default_rng(10_000 + i)
    tangents = tuple(_random_like(x, rng, imaginary=bool(i % 2)) for x in check.args)
    try:
        _, jt = sx.jvp(f, tuple(check.args), tangents)
    except Exception as exc:  # noqa: BLE001
        return outcome(exc)
    numeric = central_difference(lambda *args: _no_booleans(f(*args)), check.args, tangents,
                                 EPS)
    return outcome(None, _close(jt, numeric))


def _no_booleans(out: Any) -> Any:
    """``out`` with a boolean result (``np.all``), which is constant nearby, as zeros."""
    if isinstance(out, (list, tuple)):
        return [_no_booleans(o) for o in out]
    out = np.asarray(out)
    return np.zeros(out.shape) if out.dtype.kind == "b" else out


def run(selected: list[Check] | None = None) -> list[tuple[Check, str, str]]:
    """Each check with its reverse and forward outcome."""
    selected = checks() if selected is None else selected
    module = _module(selected)
    results = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, check in enumerate(selected):
            results.append((check, run_reverse(module, i, check), run_forward(module, i, check)))
    return results


def table(results: list[tuple[Check, str, str]]) -> str:
    """Per peer test: how many checks pass in each mode (and what happens to the rest)."""
    per: dict[str, list] = defaultdict(list)
    for check, rev, fwd in results:
        per[check.test].append((check, rev, fwd))
    lines = [f"{'peer test':32} {'checks':>6} {'reverse':>8} {'forward':>8}  other outcomes"]
    for test, rows in per.items():
        rev = Counter(r for _, r, _ in rows)
        fwd = Counter(f for _, _, f in rows)
        notes = ", ".join(f"{k} {n}" for k, n in sorted(
            [(f"rev {k}", n) for k, n in rev.items() if k != "pass"]
            + [(f"fwd {k}", n) for k, n in fwd.items() if k != "pass"])) or "-"
        lines.append(f"{test:32} {len(rows):>6} {rev['pass']:>8} {fwd['pass']:>8}  {notes}")
    total = len(results)
    mine = [(c, r, f) for c, r, f in results if not any(n in c.call for n in LINALG)]
    for label, rows in (("all", results), ("without the linear-algebra part", mine)):
        rev = Counter(r for _, r, _ in rows)
        fwd = Counter(f for _, _, f in rows)
        lines.append(f"{label}: {len(rows)} checks; reverse {dict(rev)}; forward {dict(fwd)}")
    lines.append(f"(complex checks: {sum(c.complex for c, _, _ in results)} of {total})")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a report, run by hand
    start = __import__("time").perf_counter()
    res = run(numpy_checks() if "--numpy" in sys.argv else None)
    print(table(res))
    print(f"({__import__('time').perf_counter() - start:.0f} s)")
