"""Code specialised on module globals and closure values never serves a stale gradient.

The optimizer takes the shapes of the numbers and arrays a function reads from
its module and its closure as known (``compiler/constants.py``), exactly as it
takes the arguments' shapes: ``unbroadcast`` folds, scalar adjoints start at
``0.0``.  Each test checks that the generated code is specialised (its text),
then rebinds the global or the cell to a value of another kind or shape and
checks the *same* gradient object against central finite differences of the
function as it now is; a rebinding that keeps what the code relied on keeps
the code (no rebuild) and reads the new value live.
"""

from __future__ import annotations

import numpy as np

import srcxform as sx
from srcxform.cache.facts import world_key
from tests.helpers import finite_difference

X = np.array([0.3, -0.7, 1.1])


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def _fd(f, *args, wrt=0):
    return finite_difference(f, args, wrt)


SCALAR_LOOP = """
    import numpy as np
    N = 5
    DT = 0.1
    DECAY = 0.5
    def f(p):
        a = p[0]
        b = p[1]
        s = 1.0
        for k in range(N):
            s = s + DT * (a * s - DECAY * b)
        return s * s
"""


def test_scalar_globals_are_specialised_and_a_new_float_is_read_live(module):
    mod = module(SCALAR_LOOP)
    p = np.array([0.4, 0.9])
    df = sx.grad(mod.f)
    _close(df(p), _fd(mod.f, p))
    text = sx.source(df)
    assert "unbroadcast" not in text and "zeros_like(s" not in text, text
    entry = df.__srcxform_entry__
    made = entry.latest
    mod.DT = 0.25  # another float: the code reads it live, nothing to rebuild
    _close(df(p), _fd(mod.f, p))
    assert entry.latest is made


def test_scalar_global_becoming_an_array_rebuilds(module):
    mod = module(SCALAR_LOOP.replace("return s * s", "return np.sum(s * s)"))
    p = np.array([0.4, 0.9])
    df = sx.grad(mod.f)
    _close(df(p), _fd(mod.f, p))
    assert "unbroadcast" not in sx.source(df)
    mod.DECAY = np.array([0.5, 1.5, 2.0])  # the state becomes a vector
    _close(df(p), _fd(mod.f, p))
    mod.DT = np.array([[0.1], [0.2]])  # and a matrix
    _close(df(p), _fd(mod.f, p))


def test_int_global_becoming_a_float_rebuilds(module):
    mod = module("""
        import numpy as np
        K = 3
        def f(x):
            return np.sum(np.sin(x) * K / K ** 2)
    """)
    df = sx.grad(mod.f)
    _close(df(X), _fd(mod.f, X))
    mod.K = 2.5
    _close(df(X), _fd(mod.f, X))
    mod.K = np.array([1.0, 2.0, 3.0])
    _close(df(X), _fd(mod.f, X))


def test_array_global_of_another_shape_rebuilds(module):
    mod = module("""
        import numpy as np
        W = np.array([1.0, 2.0, 3.0])
        def f(x):
            return np.sum(np.tanh(W * x))
    """)
    df = sx.grad(mod.f)
    _close(df(X), _fd(mod.f, X))
    assert "unbroadcast" not in sx.source(df)
    mod.W = np.array([[1.0], [-2.0]])  # broadcasts x to (2, 3): the adjoint must sum rows
    _close(df(X), _fd(mod.f, X))
    mod.W = 0.5  # a scalar
    _close(df(X), _fd(mod.f, X))


def test_global_folded_into_a_range_rebuilds_when_it_changes(module):
    mod = module(SCALAR_LOOP)
    p = np.array([0.4, 0.9])
    df = sx.grad(mod.f)
    _close(df(p), _fd(mod.f, p))
    mod.N = 9
    _close(df(p), _fd(mod.f, p))
    mod.N = 0
    _close(df(p), _fd(mod.f, p))


def test_closure_value_changing_kind_rebuilds():
    cell = {"c": 2.0}

    def make():
        c = cell["c"]

        def f(x):
            return np.sum(c * x ** 2)

        def rebind(value):
            nonlocal c
            c = value
        return f, rebind

    f, rebind = make()
    df = sx.grad(f)
    _close(df(X), _fd(f, X))
    rebind(np.array([[1.0], [3.0]]))  # a (2, 1) array: the result broadcasts to (2, 3)
    _close(df(X), _fd(f, X))
    rebind(4.0)
    _close(df(X), _fd(f, X))


def test_a_generated_name_equal_to_an_unrelated_global_is_not_a_constant(module):
    # ``bx`` is the adjoint of ``x``; a module global ``bx`` the function never reads
    # must not lend it its shape (a scalar)
    mod = module("""
        import numpy as np
        bx = 1.0
        bmul = 2.0
        def f(x, w):
            return np.sum(np.sin(x * w))
    """)
    w = np.array([[1.0], [2.0]])
    df = sx.grad(mod.f)
    _close(df(X, w), _fd(mod.f, X, w))


def test_default_argument_of_another_shape_rebuilds():
    def f(x, scale=2.0):
        return np.sum(np.sin(x) * scale)

    df = sx.grad(f)
    _close(df(X), _fd(f, X))
    f.__defaults__ = (np.array([[1.0], [2.0]]),)
    _close(df(X), _fd(f, X))


def test_the_rule_for_a_changed_global():
    # the documented rule (cache/facts.py): what a changed value must keep
    assert world_key(1.5, live=True, inspected=False) == "type"
    assert world_key(np.ones(3), live=True, inspected=False) == "layout"
    assert world_key(3, live=True, inspected=True) == "equal"
    assert world_key(np.ones(3), live=False, inspected=False) == "identity"
    assert world_key(np.arange(3), live=True, inspected=True) == "array_equal"
