"""The namespace object: NumPy's spellings on other libraries give NumPy's results.

Each row of ``CALLS`` is a NumPy expression written once against a module
``m``; it runs with ``m = numpy`` on NumPy arrays and with ``m`` the
namespace object of array-api-strict arrays and of torch tensors (made from
the same values), and the results must agree, as arrays of that library.
The rows cover what generated code and srcxform's helpers spell the NumPy
way: reductions with ``axis``/``keepdims``/``dtype``/``ddof``, shape
functions, products, ``np.add.at`` with repeated indices, ``where`` with
numbers, creation with NumPy's default dtypes, methods and attributes.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform import backends
from tests.backends.libraries import assert_like_numpy, convert_args, require

R = np.random.default_rng(3)
A = R.normal(size=(3, 4))
B = R.normal(size=(4, 2))
V = R.normal(size=4)
T = R.normal(size=(2, 3, 4))
IDX = np.array([0, 2, 0, 1, 0])
MASK = A > 0

CALLS = {
    "sum_axis_keepdims": (lambda m, a: m.sum(a, axis=1, keepdims=True), (A,)),
    "sum_tuple_axes": (lambda m, t: m.sum(t, axis=(0, 2)), (T,)),
    "sum_bool_dtype": (lambda m, a: m.sum(a > 0, axis=0, dtype=m.float64), (A,)),
    "sum_bool_counts": (lambda m, a: m.sum(a > 0), (A,)),
    "mean_keepdims": (lambda m, a: m.mean(a, axis=0, keepdims=True), (A,)),
    "max_keepdims": (lambda m, a: m.max(a, axis=1, keepdims=True), (A,)),
    "min_all": (lambda m, a: m.min(a), (A,)),
    "std_ddof": (lambda m, a: m.std(a, axis=0, ddof=1), (A,)),
    "var": (lambda m, a: m.var(a), (A,)),
    "prod": (lambda m, v: m.prod(v + 2.0), (V,)),
    "cumsum_flat": (lambda m, a: m.cumsum(a), (A,)),
    "argmax_flat": (lambda m, a: m.argmax(a), (A,)),
    "reshape_list": (lambda m, a: m.reshape(a, [2, 6]), (A,)),
    "ravel": (lambda m, a: m.ravel(a), (A,)),
    "transpose_3d": (lambda m, t: m.transpose(t), (T,)),
    "transpose_1d": (lambda m, v: m.transpose(v), (V,)),
    "swapaxes": (lambda m, t: m.swapaxes(t, 0, 2), (T,)),
    "moveaxis": (lambda m, t: m.moveaxis(t, 0, -1), (T,)),
    "expand_dims_tuple": (lambda m, v: m.expand_dims(v, (0, 2)), (V,)),
    "expand_dims_number": (lambda m: m.expand_dims(1.5, (0, 1)), ()),
    "squeeze_all": (lambda m, a: m.squeeze(m.reshape(a, (1, 3, 1, 4))), (A,)),
    "broadcast_number": (lambda m: m.broadcast_to(1.0, (2, 3)), ()),
    "concatenate_none": (lambda m, a, v: m.concatenate([a, v], axis=None), (A, V)),
    "stack_axis1": (lambda m, v: m.stack([v, 2 * v], axis=1), (V,)),
    "array_of_rows": (lambda m, v: m.array([v, v * 3.0]), (V,)),
    "outer": (lambda m, v, a: m.outer(v, a[0, ...]), (V, A)),
    "dot_matrix_vector": (lambda m, a, v: m.dot(a, v), (A, V)),
    "dot_nd": (lambda m, t, b: m.dot(t, b), (T, B)),
    "inner": (lambda m, a, v: m.inner(a, v), (A, V)),
    "tensordot": (lambda m, a, b: m.tensordot(a, b, axes=1), (A, B)),
    "where_numbers": (lambda m, a: m.where(a > 0, 1, 2.0), (A,)),
    "where_python_bool": (lambda m: m.where(False, 1, 2.0), ()),
    "clip": (lambda m, a: m.clip(a, -0.5, 0.5), (A,)),
    "exp2_log1p": (lambda m, v: m.exp2(v) + m.log1p(v * v), (V,)),
    "arc_names": (lambda m, v: m.arctan(v) + m.arcsin(v / 9) + m.arctan2(v, 2.0), (V,)),
    "power_int_exponent": (lambda m, v: m.power(v, 3), (V,)),
    "logaddexp_number": (lambda m, v: m.logaddexp(0.0, v), (V,)),
    "maximum_number": (lambda m, v: m.maximum(v, 0.1), (V,)),
    "multiply_python_bool": (lambda m, v: m.multiply(v, True), (V,)),
    "int_array_plus_float": (lambda m, i: m.add(i, 0.5), (IDX,)),
    "where_int_and_float": (lambda m, a: m.where(a > 0, 0, a), (A,)),
    "add_at_repeated": (lambda m, v, i: _add_at(m, m.zeros(3), i, v[0]), (V, IDX)),
    "add_at_rows": (lambda m, a, i: _add_at(m, m.zeros((3, 4)), i[:3], a), (A, IDX)),
    "add_at_slice": (lambda m, v: _add_at(m, m.ones(6), slice(1, 5), v), (V,)),
    "norm_default": (lambda m, a: m.linalg.norm(a), (A,)),
    "norm_axis": (lambda m, a: m.linalg.norm(a, axis=1), (A,)),
    "norm_ord1": (lambda m, v: m.linalg.norm(v, 1), (V,)),
    "zeros_default_float": (lambda m: m.zeros((2, 2)), ()),
    "full_number": (lambda m: m.full(3, 2.5), ()),
    "arange_float": (lambda m: m.arange(4.0), ()),
    "zeros_like_number": (lambda m: m.zeros_like(2.0), ()),
    "result_type_dtype": (lambda m, a: m.zeros(2, dtype=m.result_type(a)), (A,)),
    "eye": (lambda m: m.eye(3, k=1), ()),
    "split": (lambda m, v: m.split(v, [1, 3]), (V,)),
    "take_axis": (lambda m, a, i: m.take(a, i[:2], axis=1), (A, IDX)),
    "shape_size_ndim": (lambda m, t: m.asarray([m.size(t), m.ndim(t)] + list(m.shape(t)),
                                               dtype=m.float64), (T,)),
}


def _add_at(m, target, index, values):
    if m is np:
        np.add.at(target, index, values)
        return target
    return m.add.at(target, index, values)


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_numpy_spelling(name, library):
    lib = require(library)
    fn, args = CALLS[name]
    want = fn(np, *args)
    theirs = convert_args(lib, args)
    ns = backends.namespace_for(list(theirs) + [lib.convert(np.zeros(1))])
    got = fn(ns, *theirs)
    if name == "split":
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_like_numpy(g, w, lib, name)
        return
    assert_like_numpy(got, want, lib, name)


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_methods_and_attributes(library):
    lib = require(library)
    ns = backends.namespace_for([lib.convert(A)])
    a = lib.convert(A)
    cases = {
        "sum": (ns.m_sum(a, axis=1, keepdims=True), A.sum(axis=1, keepdims=True)),
        "reshape": (ns.m_reshape(a, 4, 3), A.reshape(4, 3)),
        "reshape_tuple": (ns.m_reshape(a, (2, 6)), A.reshape((2, 6))),
        "T": (ns.a_T(a), A.T),
        "T_1d": (ns.a_T(a[0, ...]), A[0].T),
        "transpose": (ns.m_transpose(lib.convert(T), 1, 0, 2), T.transpose(1, 0, 2)),
        "astype": (ns.m_astype(a > 0, float), (A > 0).astype(float)),
        "flatten": (ns.m_flatten(a), A.flatten()),
    }
    for what, (got, want) in cases.items():
        assert_like_numpy(got, want, lib, what)
    assert ns.a_size(a) == A.size and isinstance(ns.a_size(a), int)
    copied = ns.m_copy(a)
    copied[0, 0] = 100.0
    assert float(lib.to_numpy(a)[0, 0]) == A[0, 0], "copy() must not share memory"
    assert ns.m_item(ns.m_sum(a)) == pytest.approx(A.sum())
    seq = [1.0, 2.0]  # not an array: its own methods
    assert ns.m_copy(seq) == seq and ns.m_copy(seq) is not seq
    assert ns.a_T is not None and ns.len(a) == 3 and ns.len(seq) == 2


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_augmented_assignment_keeps_dtype_and_lists(library):
    lib = require(library)
    a32 = lib.convert(np.ones(3, dtype=np.float32))
    ns = backends.namespace_for([a32])
    out = ns.iop_add(a32, lib.convert(np.ones(3)))  # float64 added into float32
    assert_like_numpy(out, np.full(3, 2.0, dtype=np.float32), lib, "iadd")
    assert lib.to_numpy(out).dtype == np.float32
    items = [1]
    assert ns.iop_add(items, [2]) is items and items == [1, 2]
    assert ns.iop_mul(3.0, 2.0) == 6.0


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_python_floats_take_the_arguments_float_dtype(library):
    lib = require(library)
    ns = backends.namespace_for([lib.convert(np.ones(2, dtype=np.float32))])
    assert lib.to_numpy(ns.zeros(2)).dtype == np.float32
    assert lib.to_numpy(ns.asarray(1.5)).dtype == np.float32
    assert lib.to_numpy(ns.broadcast_to(1.0, (2,))).dtype == np.float32
    assert lib.to_numpy(ns.zeros(2, dtype=float)).dtype == np.float64  # NumPy's float


def test_namespace_objects_are_cached_per_namespace_device_and_dtype():
    lib = require("array_api_strict")
    xs = lib.module
    one = backends.namespace_for([xs.asarray([1.0])])
    assert backends.namespace_for([xs.asarray([2.0, 3.0])]) is one
    assert backends.namespace_for([xs.asarray([1.0], dtype=xs.float32)]) is not one
    other = backends.namespace_for([xs.asarray([1.0], device=xs.Device("device1"))])
    assert other is not one and other.device == xs.Device("device1")
    assert backends.namespace_of((np.ones(2), 1.0, None, "text")) is None


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_dtype_predicates(library):
    lib = require(library)
    a = lib.convert(A)
    ns = backends.namespace_for([a])
    for m, x in ((np, A), (ns, a)):
        assert m.issubdtype(x.dtype, m.floating) and not m.issubdtype(x.dtype, m.integer)
        assert m.issubdtype(x.dtype, m.float64) and not m.iscomplexobj(x) and m.isrealobj(x)
    assert ns.result_type(a) == a.dtype and ns.result_type(1.0) == ns.float


def reversed_slices(x):
    y = x[::-1] * np.arange(1.0, 6.0)
    z = x[3:0:-2] ** 2
    return np.sum(y * y) + np.sum(z)


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
def test_negative_steps(library):
    """Slices with a negative step (which PyTorch refuses) read and write as NumPy's."""
    lib = require(library)
    x = np.array([0.3, -1.2, 0.8, 2.0, -0.5])
    df = sx.grad(reversed_slices)
    assert_like_numpy(df(lib.convert(x)), df(x), lib, "gradient through x[::-1]")
    ns = backends.namespace_for([lib.convert(x)])
    t = lib.convert(np.arange(24.0).reshape(2, 3, 4))
    index = (0, slice(None, None, -2), None, slice(1, None, -1))
    assert_like_numpy(ns.getitem(t, index), np.arange(24.0).reshape(2, 3, 4)[index], lib,
                      "getitem")


def gated(x, w):
    y = x * w
    if np.mean(x) > 0.2:
        y = y * 2.0
    return np.sum(y ** 2)


def test_helpers_are_loaded_for_the_namespace():
    """``unbroadcast`` in generated code runs as a version loaded for the namespace (its own
    source, NumPy's names bound to the namespace object), not NumPy's."""
    from srcxform import rules

    xs = require("array_api_strict").module
    x, w = np.array([0.5, 0.4, 0.1]), np.array([0.3, 0.2, 0.1])
    df = sx.grad(gated, wrt=(0, 1))
    df(x, w)
    fn = df.__srcxform__.fn
    assert "unbroadcast" in fn.__code__.co_freevars
    ns = backends.namespace_for([xs.asarray(x)])
    loaded = backends.bound(fn, ns)
    cells = dict(zip(loaded.__code__.co_freevars, loaded.__closure__))
    helper = cells["unbroadcast"].cell_contents
    assert helper is not rules.unbroadcast and helper.__name__ == "unbroadcast"
    assert ns in [c.cell_contents for c in helper.__closure__]
    assert backends.bound(fn, ns) is loaded  # cached per function and namespace
