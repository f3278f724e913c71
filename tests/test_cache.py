"""The cache never serves a stale gradient (issue 11, "stale or ignored gradients").

Each test builds a gradient, changes something the generated code depends on
— an inlined helper rebound in its module, the module reloaded, a helper's
defaults, a closure cell, ``__kwdefaults__``, a global of another module read
by a helper, the function's code, a rule re-registered — and checks the
existing gradient object *and* a fresh ``sx.grad`` (and ``jvp``, ``vjp``,
``hessian``) against central finite differences of the function as it now
is.  Each would fail with the cache keyed on ``(f, code, defaults)`` alone.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import sys
import textwrap

import numpy as np
import pytest

import srcxform as sx
from srcxform import cache
from srcxform.cache import entry as cache_entry
from tests.helpers import finite_difference

_names = itertools.count()


@pytest.fixture
def module(tmp_path, monkeypatch):
    """``module(source) -> (module, path)``: a fresh importable module per call."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(source: str, name: str | None = None):
        name = name or f"cache_mod_{next(_names)}"
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        mod = importlib.import_module(name)
        made.append(name)
        return mod, path

    yield make
    for name in made:
        sys.modules.pop(name, None)


def _fd(f, *args, wrt=0):
    return finite_difference(f, args, wrt)


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


X = np.array([0.3, -0.7, 1.1])


@pytest.fixture
def two_modules(module):
    helpers, _ = module("""
        import numpy as np
        SCALE = 2.0
        def helper(x):
            return np.sin(x)
        def helper3(x):
            return x ** 3
        def scaled(x):
            return SCALE * x ** 2
    """)
    caller, _ = module(f"""
        import numpy as np
        import {helpers.__name__} as m
        def f(x):
            return np.sum(m.helper(x) * 2.0)
        def g(x):
            return np.sum(m.scaled(x))
    """)
    return helpers, caller


def test_helper_rebound_in_its_module_rebuilds_every_transform(two_modules):
    helpers, caller = two_modules
    f = caller.f
    df = sx.grad(f)
    _close(df(X), 2 * np.cos(X))
    out, pullback = sx.vjp(f, X)
    sx.jvp(f, (X,), (np.ones(3),))
    hess = sx.hessian(f)
    hess(X)

    helpers.helper = helpers.helper3  # f now computes sum(2 x^3)
    _close(df(X), _fd(f, X))
    _close(df(X), 6 * X ** 2)
    _close(sx.grad(f)(X), 6 * X ** 2)
    _close(sx.vjp(f, X)[1](1.0)[0], 6 * X ** 2)
    _close(sx.jvp(f, (X,), (np.ones(3),))[1], np.sum(6 * X ** 2))
    _close(hess(X), np.diag(12 * X))
    _close(sx.hessian(f)(X), np.diag(12 * X))
    _close(pullback(1.0)[0], 2 * np.cos(X))  # a pullback is of the point it was made at


def test_module_reloaded_with_new_source(two_modules, module):
    helpers, caller = two_modules
    df = sx.grad(caller.f)
    _close(df(X), 2 * np.cos(X))
    path = helpers.__file__
    with open(path, "w") as fh:
        fh.write("import numpy as np\nSCALE = 2.0\ndef helper(x):\n    return np.exp(x)\n")
    importlib.reload(helpers)
    _close(df(X), 2 * np.exp(X))
    _close(sx.grad(caller.f)(X), _fd(caller.f, X))


def test_helper_defaults_changed(module):
    mod, _ = module("""
        import numpy as np
        def power(x, p=2.0):
            return x ** p
        def f(x):
            return np.sum(power(x))
    """)
    df = sx.grad(mod.f)
    _close(df(X), 2 * X)
    mod.power.__defaults__ = (3.0,)
    _close(df(X), 3 * X ** 2)
    _close(sx.vjp(mod.f, X)[1](1.0)[0], 3 * X ** 2)


def test_closure_cell_holding_a_helper(module):
    mod, _ = module("""
        import numpy as np
        def first(x):
            return np.sin(x)
        def second(x):
            return x ** 3
        def outer():
            helper = first
            def f(x):
                return np.sum(helper(x))
            def swap():
                nonlocal helper
                helper = second
            return f, swap
    """)
    f, swap = mod.outer()
    df = sx.grad(f)
    _close(df(X), np.cos(X))
    swap()
    _close(df(X), 3 * X ** 2)
    _close(sx.jvp(f, (X,), (np.ones(3),))[1], np.sum(3 * X ** 2))


def test_kwdefaults_changed():
    def f(x, *, p=2.0):
        return np.sum(x ** p)

    df = sx.grad(f)
    _close(df(X), 2 * X)
    f.__kwdefaults__ = {"p": 3.0}
    _close(df(X), 3 * X ** 2)
    _close(sx.grad(f)(X), 3 * X ** 2)


def test_global_of_another_module_read_by_a_helper(two_modules):
    helpers, caller = two_modules
    dg = sx.grad(caller.g)
    _close(dg(X), 4 * X)
    helpers.SCALE = 5.0
    _close(dg(X), 10 * X)
    _close(sx.vjp(caller.g, X)[1](1.0)[0], 10 * X)
    _close(sx.jvp(caller.g, (X,), (np.ones(3),))[1], np.sum(10 * X))


def test_code_replaced_in_place(module):
    mod, _ = module("""
        import numpy as np
        def f(x):
            return np.sum(x ** 2)
        def other(x):
            return np.sum(np.sin(x))
    """)
    df = sx.grad(mod.f)
    _close(df(X), 2 * X)
    mod.f.__code__ = mod.other.__code__  # what an autoreloader does
    _close(df(X), np.cos(X))


def test_builtin_shadowed_later(module):
    mod, _ = module("""
        import numpy as np
        def f(x):
            return np.sum(abs(x) * x)
        def square(v):
            return v * v
    """)
    df = sx.grad(mod.f)
    _close(df(X), 2 * np.abs(X))
    mod.abs = mod.square  # the module shadows a builtin
    _close(df(X), 3 * X ** 2)


def test_a_global_the_generated_code_borrows_is_checked(module):
    """``f`` only calls ``sin`` and ``sum``; the gradient names ``np.cos`` by the module's
    ``np``.  Rebinding that global (to a namespace whose cos is not NumPy's) must not change
    the gradient: the guard checks it like a global the source reads."""
    import types

    mod, _ = module("""
        import numpy as np
        from numpy import sin, sum
        def f(x):
            return sum(sin(x) * x)
    """)
    df = sx.grad(mod.f)
    truth = np.sin(X) + X * np.cos(X)
    _close(df(X), truth)
    assert "np.cos(" in sx.source(df)
    mod.np = types.SimpleNamespace(**{k: getattr(np, k) for k in ("sin", "sum", "zeros_like")},
                                   cos=np.sin)
    _close(df(X), truth)
    _close(sx.grad(mod.f)(X), truth)


def test_live_array_global_rebound_keeps_code_and_reads_new_values(module):
    mod, _ = module("""
        import numpy as np
        W = np.array([1.0, 2.0, 3.0])
        def f(x):
            return np.sum(W * x ** 2)
    """)
    df = sx.grad(mod.f)
    _close(df(X), 2 * mod.W * X)
    entry = df.__srcxform_entry__
    code = entry.latest
    mod.W = np.array([4.0, 5.0, 6.0])  # same layout: the generated code reads it live
    _close(df(X), 2 * mod.W * X)
    assert entry.latest is code, "a same-shaped array rebinding needs no new code"
    mod.W = np.array([[1.0], [2.0]])  # another shape: whatever the code assumed, rebuilt
    _close(df(X), _fd(mod.f, X))


def test_equal_constant_rebound_keeps_code(module):
    mod, _ = module("""
        import numpy as np
        K = 2.0
        def f(x):
            return np.sum(K * x ** 2)
    """)
    df = sx.grad(mod.f)
    df(X)
    entry = df.__srcxform_entry__
    code = entry.latest
    mod.K = 3.0
    _close(df(X), 6 * X)
    assert entry.latest is code  # read live: only the snapshot is refreshed


def _edit(path, text):
    import linecache

    path.write_text(text)
    linecache.checkcache(str(path))


def test_source_edited_without_reload_is_a_clear_error(module):
    mod, path = module("""
        import numpy as np
        def f(x):
            return np.sum(x ** 2)
    """)
    _edit(path, "import numpy as np\ndef f(x):\n    return np.sum(np.sin(x))\n")
    with pytest.raises(ValueError, match="edited.*[Rr]eload"):
        sx.grad(mod.f)
    with pytest.raises(ValueError, match="edited"):
        sx.vjp(mod.f, X)


def test_gradient_built_before_an_edit_stays_the_gradient_of_the_code_that_runs(module):
    mod, path = module("""
        import numpy as np
        def f(x):
            return np.sum(x ** 2)
    """)
    df = sx.grad(mod.f)
    _close(df(X), 2 * X)
    _edit(path, "import numpy as np\ndef f(x):\n    return np.sum(np.sin(x))\n")
    _close(mod.f(X), np.sum(X ** 2))
    _close(df(X), 2 * X)


def test_lines_moved_by_an_edit_above_are_refused(module):
    mod, path = module("""
        import numpy as np
        def f(x):
            return np.sum(x ** 2)
    """)
    _edit(path, "import numpy as np\n\n\ndef f(x):\n    return np.sum(x ** 2)\n")
    with pytest.raises(ValueError, match="no longer matches"):
        sx.grad(mod.f)


# --- rules ------------------------------------------------------------------------------------

RULES = """
    import numpy as np
    import srcxform as sx
    def h(x):
        return np.sin(x)
    def plain(x):
        return np.sin(x)
    def f(x):
        return np.sum(h(x) * 3.0)
    def uses_plain(x):
        return np.sum(plain(x) * 3.0)
    @sx.adjoint(h)
    def rule(g, out, x):
        return (g * np.cos(x),)
"""


def test_adjoint_registered_again_replaces_the_rule_everywhere(module):
    mod, _ = module(RULES)
    df = sx.grad(mod.f)
    _close(df(X), 3 * np.cos(X))

    @sx.adjoint(mod.h)
    def marked(g, out, x):  # deliberately twice the derivative: only its use explains it
        return (g * 2.0 * np.cos(x),)

    _close(df(X), 6 * np.cos(X))  # the gradient built before
    _close(sx.grad(mod.f)(X), 6 * np.cos(X))
    _close(sx.vjp(mod.f, X)[1](1.0)[0], 6 * np.cos(X))
    t = sx.tensor(X, dtype=sx.float64, requires_grad=True)
    mod.h(t).sum().backward()  # the eager runtime
    _close(t.grad.numpy(), 2 * np.cos(X))
    compiled = sx.compile(mod.f)
    t = sx.tensor(X, dtype=sx.float64, requires_grad=True)
    compiled(t).backward()
    _close(t.grad.numpy(), 6 * np.cos(X))


def test_rule_registered_after_the_gradient_was_built(module):
    mod, _ = module(RULES)
    df = sx.grad(mod.uses_plain)
    _close(df(X), 3 * np.cos(X))
    sx.testing.check_grad(mod.uses_plain, X)

    @sx.adjoint(mod.plain)
    def wrong(g, out, x):
        return (g * np.sin(x),)

    _close(df(X), 3 * np.sin(X))  # the rule is used: the gradient built before follows it
    with pytest.raises(AssertionError):
        sx.testing.check_grad(mod.uses_plain, X)  # and check_grad reports the wrong rule
    with pytest.raises(AssertionError):
        sx.testing.check_grad(mod.plain, 0.3)  # also for the function itself


def test_check_grad_of_a_function_with_a_rule_checks_the_rule(module):
    mod, _ = module(RULES)
    sx.testing.check_grad(mod.h, 0.3)  # the right rule passes

    @sx.adjoint(mod.h)
    def off(g, out, x):
        return (g * np.cos(x) * 1.01,)

    with pytest.raises(AssertionError):
        sx.testing.check_grad(mod.h, 0.3)
    assert "1.01" in sx.source(sx.grad(mod.h))


# --- what the cache keeps ------------------------------------------------------------------------

def _counting(monkeypatch):
    """Every piece of transform work, by kind: a whole ``transform``, a ``front`` (parse
    to adjoint) or a ``finish`` (optimize onward, from a kept front)."""
    calls = []

    def counting(real, tag):
        def counted(*args, **kwargs):
            calls.append(tag)
            return real(*args, **kwargs)
        return counted

    for name, tag in (("run_transform", "transform"), ("run_front", "front"),
                      ("run_finish", "finish")):
        monkeypatch.setattr(cache_entry, name, counting(getattr(cache_entry, name), tag))
    return calls


def test_repeated_calls_transform_once(monkeypatch):
    calls = _counting(monkeypatch)

    def f(W, x):
        return np.sum(np.tanh(W @ x))

    W, x = np.ones((2, 3)), np.ones(3)
    for _ in range(5):
        sx.grad(f, wrt=(0, 1))(W, x)
        sx.vjp(f, W, x)
        sx.jvp(f, (W, x), (W, x))
    # grad and vjp: one front each and one finish for the shapes seen (the first call of
    # grad does not transform twice); jvp: one whole transform
    assert sorted(calls) == ["finish", "finish", "front", "front", "transform"]


def test_a_second_shape_gets_code_for_every_shape_when_none_asks_about_shapes(monkeypatch):
    calls = _counting(monkeypatch)

    def f(x):
        return np.sum(np.sin(x) * 2.0)

    df = sx.grad(f)
    for n in (3, 4, 5, 6, 3, 4):
        x = np.linspace(0.1, 1.0, n)
        _close(df(x), 2.0 * np.cos(x))
    # the first shape's finish, then (at the second shape) the generic finish that serves
    # every shape: no compile per size
    assert calls == ["front", "finish", "finish"]
    assert df.__srcxform_entry__.mode == "generic"


def test_new_batch_sizes_of_code_that_asks_about_shapes_cost_one_finish(monkeypatch):
    calls = _counting(monkeypatch)
    asked = []
    real = cache_entry.generic_asks_ranks
    monkeypatch.setattr(cache_entry, "generic_asks_ranks",
                        lambda *a, **k: asked.append(1) or real(*a, **k))

    def f(W, b, X):  # a bias broadcast over the batch: shapeless code would ask ranks
        return np.sum(np.tanh(X @ W + b) ** 2)

    df = sx.grad(f, wrt=(0, 1))
    W, b = np.linspace(-1, 1, 6).reshape(3, 2), np.array([0.1, -0.2])
    for n in (4, 5, 4, 7):
        X = np.linspace(-1, 1, 3 * n).reshape(n, 3)
        t = np.tanh(X @ W + b)
        gz = 2 * t * (1 - t * t)
        gW, gb = df(W, b, X)
        _close(gW, X.T @ gz)
        _close(gb, gz.sum(axis=0))
    # a finish for the first batch size, one for the pattern of the others (the batch
    # size a Dim: cache/sizes.py), which serves 7 too; the generic code was judged by
    # optimize alone, once
    assert calls == ["front", "finish", "finish"] and asked == [1]
    assert df.__srcxform_entry__.mode == "shapes"
    assert "X.shape[0]" not in sx.source(df)  # (its sum over the batch is a plain sum)


def test_source_before_the_first_call_is_the_generic_code():
    def f(x):
        return np.sum(np.sin(x) * 2.0)

    df = sx.grad(f)
    text = sx.source(df)
    assert "def grad_f(x)" in text and "cos" in text
    _close(df(X), 2.0 * np.cos(X))


def test_closures_of_one_factory_share_one_transform(monkeypatch):
    calls = _counting(monkeypatch)

    def make(a):
        def f(x):
            return np.sum(a * x ** 2 + np.sin(x))
        return f

    for a in range(20):
        f = make(float(a))
        _close(sx.grad(f)(X), 2 * a * X + np.cos(X))
        _close(sx.vjp(f, X)[1](1.0)[0], 2 * a * X + np.cos(X))
    # the first closure's grad and vjp (a front and a finish each); the rest reuse them
    assert sorted(calls) == ["finish", "finish", "front", "front"]


def test_closures_over_different_helpers_do_not_share(monkeypatch):
    def make(h):
        def f(x):
            return np.sum(h(x))
        return f

    def cube(x):
        return x ** 3

    def square(x):
        return x ** 2

    _close(sx.grad(make(cube))(X), 3 * X ** 2)
    _close(sx.grad(make(square))(X), 2 * X)


def test_shape_versions_are_a_bounded_lru(monkeypatch):
    monkeypatch.setattr(cache_entry, "SHAPE_CACHE_SIZE", 3)

    def f(W, x):
        return np.sum(np.tanh(W @ x))

    df = sx.grad(f)
    for n in range(1, 8):
        W, x = np.ones((2, n)) * 0.1, np.ones(n)
        _close(df(W, x), _fd(f, W, x))
    entry = df.__srcxform_entry__
    assert len(entry.versions) == 3
    W, x = np.ones((2, 7)) * 0.1, np.ones(7)
    df(W, x)  # the most recent stays
    assert ((2, 7), (7,)) in entry.versions
    assert cache.SHAPE_CACHE_SIZE == 64  # the documented default


def test_cache_is_released_with_the_function():
    import gc
    import weakref

    def make():
        def f(x):
            return np.sum(x ** 3)
        return f

    f = make()
    df = sx.grad(f)
    df(X)
    sx.vjp(f, X)
    ref, entry_ref = weakref.ref(f), weakref.ref(df.__srcxform_entry__)
    del f, df
    gc.collect()
    gc.collect()
    assert ref() is None and entry_ref() is None


# --- callables, defaults, messages, dtypes -------------------------------------------------------

def _poly(x, c, d=1.0):
    return np.sum(c * x ** 3 + d * x)


def test_partial_binds_its_arguments():
    p = functools.partial(_poly, c=2.0)
    _close(sx.grad(p)(X), 6 * X ** 2 + 1)
    _close(sx.grad(p, wrt="d")(X), np.sum(X))
    _close(sx.value_and_grad(p)(X)[1], 6 * X ** 2 + 1)
    _close(sx.vjp(functools.partial(_poly, X), 2.0)[1](1.0)[0], np.sum(X ** 3))
    q = functools.partial(_poly, X, 2.0)
    _close(sx.grad(q)(1.5), np.sum(X))
    _close(sx.hessian(functools.partial(_poly, c=2.0))(X), np.diag(12 * X))


class _Model:
    def __call__(self, x, y):
        return np.sum(x ** 2 * y)

    def loss(self, x):
        return np.sum(np.sin(x))


def test_callable_objects_and_bound_methods():
    model = _Model()
    _close(sx.grad(model)(X, 3.0), 6 * X)
    _close(sx.grad(model, wrt=1)(X, 3.0), np.sum(X ** 2))
    _close(sx.grad(model.loss)(X), np.cos(X))
    _close(sx.jvp(model.loss, (X,), (np.ones(3),))[1], np.sum(np.cos(X)))


def test_array_and_list_defaults():
    w = np.array([1.0, 2.0, 3.0])

    def f(x, w=w):
        return np.sum(x * w)

    def g(x, ws=[2.0, 5.0]):  # noqa: B006  (the point of the test)
        return x * ws[0] + x * ws[1]

    df = sx.grad(f)
    _close(df(X), w)
    w[0] = 10.0  # the default array is read live
    _close(df(X), [10.0, 2.0, 3.0])
    assert sx.grad(g)(1.5) == pytest.approx(7.0)


def test_messages_name_the_problem():
    def returns_list(x):
        return [x, x]

    def returns_str(x):
        return "x"

    with pytest.raises(ValueError, match="scalar.*list"):
        sx.grad(returns_list)(1.0)
    with pytest.raises(ValueError, match="scalar.*str"):
        sx.grad(returns_str)(1.0)
    with pytest.raises(TypeError, match="dict"):
        sx.grad(_poly, wrt={"x": 0})
    with pytest.raises(TypeError, match="ufunc"):
        sx.grad(np.sin)
    import math

    with pytest.raises(TypeError, match="built-in"):
        sx.grad(math.sin)


def _loop_sum(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * 0.5
    return s


def test_integer_arguments_are_promoted():
    ints = np.array([1, 2, 3])
    g = sx.grad(_loop_sum)(ints)
    assert g.dtype == np.float64
    _close(g, [0.5, 0.5, 0.5])
    assert isinstance(sx.grad(lambda x: x * 3)(2), float)
    _close(sx.vjp(_loop_sum, ints)[1](1.0)[0], [0.5, 0.5, 0.5])
    _close(sx.jvp(_loop_sum, (ints,), (np.ones(3),))[1], 1.5)


@pytest.mark.parametrize("loss", [
    lambda W, x: np.sum(W @ x),
    lambda W, x: np.sum(np.tanh(W @ x)),
    lambda W, x: (W @ x).sum(),
    lambda W, x: np.max(W @ x),
    lambda W, x: np.sum(x @ W.T),
], ids=["sum", "tanh", "method", "max", "transposed"])
def test_float32_gradients_keep_their_dtype(loss):
    W = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    x = np.array([0.5, -0.25, 1.0], dtype=np.float32)
    gW, gx = sx.grad(loss, wrt=(0, 1))(W, x)
    assert gW.dtype == np.float32 and gx.dtype == np.float32
    W64, x64 = W.astype(np.float64), x.astype(np.float64)
    np.testing.assert_allclose(gW, _fd(loss, W64, x64, wrt=0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx, _fd(loss, W64, x64, wrt=1), rtol=1e-5, atol=1e-5)


def test_a_wrapper_is_not_mistaken_for_what_it_wraps():
    def inner(x):
        return np.sum(x ** 2)

    @functools.wraps(inner)
    def doubled(*args):
        return 2.0 * inner(*args)

    _close(sx.grad(doubled)(X), 4 * X)  # never inner's gradient, 2x (*args: per arity)

    @functools.wraps(inner)
    def tripled(x):
        return 3.0 * inner(x)

    _close(sx.grad(tripled)(X), 6 * X)
    _close(sx.grad(sx.compile(inner))(X), 2 * X)  # sx.compile(f) computes f


def test_transforms_of_a_function_with_a_rule_use_the_rule(module):
    mod, _ = module(RULES)

    @sx.adjoint(mod.h)
    def marked(g, out, x):
        return (g * 2.0 * np.cos(x),)

    _close(sx.grad(mod.h)(0.3), 2 * np.cos(0.3))
    _close(sx.vjp(mod.h, X)[1](np.ones(3))[0], 2 * np.cos(X))


def _square(r):
    return r ** 2


def _cube(r):
    return r ** 3


PENALTY_TABLE = {"a": _square, "b": _square}
PENALTY_WEIGHTS = {"a": 1.0, "b": 2.0}


def _table_by_constant_key(x):
    return np.sum(PENALTY_TABLE["a"](x)) + np.sum(PENALTY_TABLE["b"](x))


def _table_by_unrolled_items(x):
    return sum(PENALTY_WEIGHTS[k] * np.sum(fn(x)) for k, fn in PENALTY_TABLE.items())


@pytest.mark.parametrize("f, before, after", [
    (_table_by_constant_key, lambda x: 4 * x, lambda x: 2 * x + 3 * x ** 2),
    (_table_by_unrolled_items, lambda x: 6 * x, lambda x: 2 * x + 6 * x ** 2),
])
def test_a_function_replaced_in_a_global_dict_rebuilds_the_code(f, before, after):
    # the function PENALTY_TABLE["b"] was compiled in; replacing it once kept serving the
    # old gradient (a silent wrong gradient): the item is now a checked fact
    x = np.array([0.5, -1.0])
    df = sx.grad(f)
    np.testing.assert_allclose(df(x), before(x))
    PENALTY_TABLE["b"] = _cube
    try:
        np.testing.assert_allclose(df(x), after(x))
    finally:
        PENALTY_TABLE["b"] = _square
    np.testing.assert_allclose(df(x), before(x))


def _code_objects():
    """Every code object of srcxform's modules and of a function loading 300 globals (so
    that LOAD_GLOBAL needs an EXTENDED_ARG), nested ones included."""
    import dis  # noqa: F401 - (the module under test's decoder)
    import types

    codes = []
    for name, mod in sorted(sys.modules.items()):
        if name.startswith("srcxform") and mod is not None:
            for value in vars(mod).values():
                fn = getattr(value, "__func__", value)
                if isinstance(fn, types.FunctionType):
                    codes.append(fn.__code__)
    text = "def many():\n    return [" + ", ".join(f"g{i}" for i in range(300)) + \
        ", [h for h in g0], len(g1), g2.shape]\n"
    space: dict = {}
    exec(compile(text, "<many>", "exec"), space)
    codes.append(space["many"].__code__)
    return codes


def test_global_names_as_dis_describes_them():
    # the fast decoder of LOAD_GLOBAL names against dis.get_instructions, on every code
    # object of srcxform and one with EXTENDED_ARG
    import dis

    from srcxform.cache.facts import _loaded_globals

    codes = _code_objects()
    assert len(codes) > 300
    for code in codes:
        want = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
        assert _loaded_globals(code) == want, code.co_name
    many = codes[-1]
    assert {f"g{i}" for i in range(300)} | {"len"} <= _loaded_globals(many)
