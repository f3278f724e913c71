"""What a namespace cannot do is a clear error naming the operation and the namespace.

Every refusal is a ``sx.NamespaceError`` (a ``TypeError``) whose message names
what generated code asked for and the library; those found when the code is
loaded for the namespace (a NumPy function without counterpart, an in-place
write on immutable arrays) also name the generated function and its line,
and are raised before any of the code runs.  Arguments the backends cannot
combine (two libraries, two devices) raise ``TypeError`` naming both.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import srcxform as sx
from srcxform import backends
from srcxform.backends.libraries import StrictNamespace
from tests.backends.libraries import require


def digitized(x):
    k = np.digitize(x, np.array([0.0, 0.5]))
    return np.sum(x ** 2 * k)


def scattered(x, idx):
    out = np.zeros(4)
    out[idx] = x
    return np.sum(out ** 2)


def filled(x):
    out = np.zeros(3)
    for i in range(3):
        out[i] = x[i] ** 2
    return np.sum(out * x)


def plain(x):
    return np.sum(np.tanh(x) ** 2)


X = np.array([0.2, 0.7, -0.3])


def test_numpy_function_without_counterpart_is_refused_at_load():
    xs = require("array_api_strict").module
    df = sx.grad(digitized)
    df(X)
    with pytest.raises(sx.NamespaceError, match=r"np\.digitize \(line \d+\) in grad_digitized "
                                                r"cannot run on array_api_strict arrays"):
        df(xs.asarray(X))


def test_write_through_integer_array_on_strict_namespace():
    xs = require("array_api_strict").module
    df = sx.grad(scattered)
    np.testing.assert_allclose(df(X, np.array([0, 2, 3])), 2 * X)
    with pytest.raises(sx.NamespaceError, match="integer-array index cannot run on "
                                                "array_api_strict arrays"):
        df(xs.asarray(X), xs.asarray([0, 2, 3]))


class Immutable(StrictNamespace):
    """The strict namespace with JAX's rule: no array is written in place."""

    mutable = False
    library = "immutable-test"


def test_in_place_write_on_immutable_arrays_is_refused_at_load():
    xs = require("array_api_strict").module
    df = sx.grad(filled)
    df(X)
    fn = df.__srcxform__.fn
    ns = Immutable(xs, xs.Device("CPU_DEVICE"), xs.float64, (type(xs.asarray(0.0)),))
    with pytest.raises(sx.NamespaceError, match=r"in-place write out\[i\] = \.\.\. \(line \d+\) "
                                                r"in grad_filled cannot run on immutable-test "
                                                r"arrays: its arrays are immutable"):
        backends.bound(fn, ns)
    dplain = sx.grad(plain)
    dplain(X)
    backends.bound(dplain.__srcxform__.fn, ns)  # code without writes loads


def test_in_place_write_on_jax_arrays():
    jax = pytest.importorskip("jax", reason="JAX is not installed (optional)")
    pytest.importorskip("array_api_compat", reason="pip install 'srcxform[array-api]'")
    jnp = jax.numpy
    with pytest.raises(sx.NamespaceError, match=r"in-place write out\[i\].* in grad_filled "
                                                r"cannot run on jax arrays"):
        sx.grad(filled)(jnp.asarray(X, dtype=jnp.float32))
    got = sx.grad(plain)(jnp.asarray(X, dtype=jnp.float32))
    assert isinstance(got, jax.Array)
    np.testing.assert_allclose(np.asarray(got), sx.grad(plain)(X), rtol=1e-5)


def test_output_buffers_are_refused():
    xs = require("array_api_strict").module
    ns = backends.namespace_for([xs.asarray(X)])
    with pytest.raises(sx.NamespaceError, match=r"np\.exp\(\.\.\., out=\) cannot run on "
                                                "array_api_strict"):
        ns.exp(xs.asarray(X), out=xs.asarray(X))
    with pytest.raises(sx.NamespaceError, match=r"np\.sum\(\.\.\., out=\)"):
        ns.sum(xs.asarray(X), out=xs.asarray(0.0))


def test_unknown_numpy_name_at_run_time_names_it():
    xs = require("array_api_strict").module
    ns = backends.namespace_for([xs.asarray(X)])
    with pytest.raises(sx.NamespaceError, match=r"np\.histogram cannot run on array_api_strict"):
        ns.histogram(X)


def test_two_libraries_are_refused():
    xs = require("array_api_strict").module
    torch = require("torch").module
    with pytest.raises(TypeError, match="several libraries.*array_api_strict.*torch"):
        sx.grad(lambda x, y: np.sum(x * y))(xs.asarray(X), torch.asarray(X))


def test_two_devices_are_refused():
    xs = require("array_api_strict").module
    a = xs.asarray(X)
    b = xs.asarray(X, device=xs.Device("device1"))
    with pytest.raises(TypeError, match="several devices"):
        sx.grad(lambda x, y: np.sum(x * y))(a, b)


def test_results_stay_on_the_arguments_device():
    xs = require("array_api_strict").module
    device = xs.Device("device1")
    x = xs.asarray(X, device=device)
    got = sx.grad(filled)(x)
    assert got.device == device
    np.testing.assert_allclose(np.from_dlpack(got.to_device(xs.Device("CPU_DEVICE"))),
                               sx.grad(filled)(X))


def test_missing_array_api_compat_says_what_to_install(monkeypatch):
    from srcxform.backends import detect

    torch = require("torch").module
    monkeypatch.setattr(detect, "_SEEN", {})  # nothing remembered from earlier tests
    monkeypatch.setitem(sys.modules, "array_api_compat", None)
    with pytest.raises(sx.NamespaceError, match=r"pip install 'srcxform\[array-api\]'"):
        backends.namespace_for([torch.asarray(X)])
