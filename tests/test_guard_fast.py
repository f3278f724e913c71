"""The guard's fast path (``cache/guard.py``) never serves a stale gradient.

After a gradient has run once, its guard answers calls like that one (same
types, differentiated dtypes, shapes) by a direct call of the version made for
them.  Each test first proves the fast path is what serves the call (the
entry's version table and slow path are replaced by objects that fail when
used), then changes one thing the code depends on — a helper rebound in its
module, a closure cell, a helper's defaults, the function's code, a rule
registered again, a builtin shadowed, the arguments' shapes, dtypes, types or
array library — and checks the same gradient object against central finite
differences (or the closed form) of the function as it now is.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import finite_difference

X = np.array([0.3, -0.7, 1.1])


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


class _Unused:
    """Stands for the version table and the slow path: any use fails the test."""

    def get(self, *args, **kwargs):
        raise AssertionError("the general path ran")

    def __call__(self, *args, **kwargs):
        raise AssertionError("the general or slow path ran")

    def __len__(self):
        raise AssertionError("the general path ran")


def served_fast(df, *args):
    """``df(*args)`` with everything but the fast path disabled (fails if not fast)."""
    entry = df.__srcxform_entry__
    cells = entry.cells
    saved = cells["target"].cell_contents, cells["slow"].cell_contents
    cells["target"].cell_contents = cells["slow"].cell_contents = _Unused()
    try:
        return df(*args)
    finally:
        cells["target"].cell_contents, cells["slow"].cell_contents = saved


def warm(df, *args):
    """Run ``df`` until its fast path serves ``args``; return that result."""
    df(*args)
    return served_fast(df, *args)


def test_a_repeated_call_is_served_by_the_fast_path():
    def f(w, b, X, y):
        return np.mean((X @ w + b - y) ** 2)

    rng = np.random.default_rng(0)
    args = (rng.standard_normal(3), 0.5, rng.standard_normal((5, 3)), rng.standard_normal(5))
    df = sx.grad(f, wrt=(0, 1))
    gw, gb = warm(df, *args)
    _close(gw, finite_difference(f, args, 0))
    _close(gb, finite_difference(f, args, 1))


def test_a_second_shape_then_the_generic_code_is_served_fast():
    def f(x):
        return np.sum(np.sin(x) * x)

    df = sx.grad(f)
    df(X)
    x4 = np.linspace(-1.0, 1.0, 4)
    _close(df(x4), np.cos(x4) * x4 + np.sin(x4))  # a new shape: not the fast path's
    assert df.__srcxform_entry__.mode == "generic"
    _close(warm(df, x4), np.cos(x4) * x4 + np.sin(x4))
    x2 = np.ones((2, 2))
    _close(served_fast(df, x2), np.cos(x2) * x2 + np.sin(x2))  # generic: any shape


def test_helper_rebound_in_its_module(module):
    mod = module("""
        import numpy as np
        def helper(x):
            return np.sin(x)
        def cube(x):
            return x ** 3
        def f(x):
            return np.sum(helper(x))
    """)
    df = sx.grad(mod.f)
    _close(warm(df, X), np.cos(X))
    mod.helper = mod.cube
    _close(df(X), 3 * X ** 2)
    _close(warm(df, X), 3 * X ** 2)


def test_module_global_number_changed(module):
    mod = module("""
        import numpy as np
        K = 2
        def f(x):
            return np.sum(x ** K)
    """)
    df = sx.grad(mod.f)
    _close(warm(df, X), 2 * X)
    mod.K = 3
    _close(df(X), finite_difference(mod.f, (X,), 0))


def test_closure_cell_changed():
    def outer():
        helper = np.sin

        def f(x):
            return np.sum(helper(x))

        def swap():
            nonlocal helper
            helper = np.exp

        return f, swap

    f, swap = outer()
    df = sx.grad(f)
    _close(warm(df, X), np.cos(X))
    swap()
    _close(df(X), np.exp(X))


def test_helper_defaults_changed(module):
    mod = module("""
        import numpy as np
        def power(x, p=2.0):
            return x ** p
        def f(x):
            return np.sum(power(x))
    """)
    df = sx.grad(mod.f)
    _close(warm(df, X), 2 * X)
    mod.power.__defaults__ = (3.0,)
    _close(df(X), 3 * X ** 2)


def test_code_replaced_in_place(module):
    mod = module("""
        import numpy as np
        def f(x):
            return np.sum(x ** 2)
        def other(x):
            return np.sum(np.sin(x))
    """)
    df = sx.grad(mod.f)
    _close(warm(df, X), 2 * X)
    mod.f.__code__ = mod.other.__code__
    _close(df(X), np.cos(X))


def test_builtin_shadowed_later(module):
    mod = module("""
        import numpy as np
        def f(x):
            return np.sum(abs(x) * x)
        def square(v):
            return v * v
    """)
    df = sx.grad(mod.f)
    _close(warm(df, X), 2 * np.abs(X))
    mod.abs = mod.square
    _close(df(X), 3 * X ** 2)


def test_adjoint_registered_again(module):
    mod = module("""
        import numpy as np
        import srcxform as sx
        def h(x):
            return np.sin(x)
        def f(x):
            return np.sum(h(x) * 3.0)
        @sx.adjoint(h)
        def rule(g, out, x):
            return (g * np.cos(x),)
    """)
    df = sx.grad(mod.f)
    _close(warm(df, X), 3 * np.cos(X))

    @sx.adjoint(mod.h)
    def doubled(g, out, x):  # twice the derivative: only its use explains the result
        return (g * 2.0 * np.cos(x),)

    _close(df(X), 6 * np.cos(X))


def test_new_shapes_are_not_served_by_the_old_version():
    def f(x):
        return np.sum(x ** 2) / x.shape[0]  # the version for (3,) folds 1/3

    df = sx.grad(f)
    _close(warm(df, X), 2 * X / 3)
    x5 = np.arange(5.0)
    _close(df(x5), 2 * x5 / 5)
    x22 = np.ones((2, 2))
    _close(df(x22), finite_difference(f, (x22,), 0))


def test_integer_and_float32_arguments():
    def f(x, c):
        return np.sum(c * x * x)

    def square(x):
        return np.sum(x * x)  # its gradient, x + x, keeps an integer array's dtype

    ds = sx.grad(square)
    _close(warm(ds, X), 2 * X)
    xi = np.array([1, 2, 3])
    got = ds(xi)  # an integer array differentiated: promoted, not run as ints
    assert got.dtype == np.float64
    _close(got, 2.0 * xi)
    df = sx.grad(f)
    _close(warm(df, X, 2.0), 4 * X)
    x32 = X.astype(np.float32)
    got = df(x32, 2.0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, 4 * x32, rtol=1e-6)
    _close(df(X, 3), 6 * X)  # a non-differentiated argument of another type
    dc = sx.grad(f, wrt=1)
    _close(warm(dc, X, 2.0), np.sum(X ** 2))
    _close(dc(X, 2), np.sum(X ** 2))  # an int differentiated: promoted to float
    assert type(dc(X, 2)) is float or np.ndim(dc(X, 2)) == 0


def test_an_ndarray_subclass_is_not_taken_for_an_ndarray():
    class Tagged(np.ndarray):
        pass

    def f(x):
        return np.sum(np.sin(x))

    df = sx.grad(f)
    warm(df, X)
    _close(np.asarray(df(X.view(Tagged))), np.cos(X))


def test_another_array_library_runs_on_its_namespace():
    torch = pytest.importorskip("torch")

    def f(x):
        return np.sum(np.sin(x))  # the NumPy code would make an ndarray of a tensor

    df = sx.grad(f)
    _close(warm(df, X), np.cos(X))
    got = df(torch.tensor(X))
    assert isinstance(got, torch.Tensor)
    _close(got.numpy(), np.cos(X))

    def g(x, y):
        return np.sum(x * np.sin(y))

    dg = sx.grad(g)  # a tensor as the argument not differentiated
    _close(warm(dg, X, X), np.sin(X))
    got = dg(torch.tensor(X), torch.tensor(X))
    assert isinstance(got, torch.Tensor)
    _close(got.numpy(), np.sin(X))
    got = dg(X, torch.tensor(X))
    assert isinstance(got, torch.Tensor)
    _close(got.numpy(), np.sin(X))


def test_an_argument_of_another_type_is_not_taken_for_the_fast_paths():
    def g(x, y):
        return np.sum(x * np.sin(y))

    dg = sx.grad(g)
    _close(warm(dg, X, X), np.sin(X))
    _close(dg(X, list(X)), np.sin(X))  # a list has no .shape: not the fast path's
    _close(dg(X, 0.5), np.sin(0.5) * np.ones(3))
