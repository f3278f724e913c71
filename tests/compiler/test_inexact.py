"""inexact.py alone: which names of a body surely hold float or complex values.

Each expectation follows from NumPy's type rules (an int array times 1.0 is float,
``np.argmax`` is an index, ``x.shape`` a tuple of ints), written out by hand.
"""

from __future__ import annotations

import ast
import textwrap

from srcxform.compiler.inexact import surely_inexact_names
from tests.compiler.passes import env


def inexact(source: str, params=("x", "n"), wrt=("x",)) -> set[str]:
    body = ast.parse(textwrap.dedent(source)).body
    return surely_inexact_names(body, list(params), list(wrt), env())


def test_what_the_function_makes_float() -> None:
    found = inexact("""
        m = n * 1.0
        d = n / 2
        k = n
        j = n + 1
        y = x[0]
        c = x.sum(axis=0)
        t = x.T
        e = np.exp(y)
        f = np.exp(n)  # a float too, but not known: only arguments known inexact count
        s = np.sum(y)
        """)
    assert found >= {"x", "m", "d", "y", "c", "t", "e", "s"}
    assert not found & {"n", "k", "j", "f"}


def test_values_about_a_float_that_are_not_floats() -> None:
    found = inexact("""
        i = np.argmax(x)
        shape = x.shape
        size = np.size(x)
        where = np.where(x)
        u = np.unique(x, return_counts=True)
        a, b = x, x
        r = len(x)
        k = x.astype(np.int64)
        j = np.asarray(x, dtype=int)
        v = x.view(np.int64)
        """)
    assert found == {"x"}


def test_a_name_bound_twice_must_be_float_both_times() -> None:
    found = inexact("""
        t = 0.0
        for k in range(3):
            t = t * 0.5 + x[k]
        u = 0
        for k in range(3):
            u = u * 2
        v = 1
        v += 0.5
        w = x * 2
        w = n
        """)
    assert "t" in found  # its first value is a float, the loop keeps it one
    assert not found & {"u", "v", "w", "k"}


def test_a_parameter_not_differentiated_is_unknown_even_reassigned_floats() -> None:
    assert "h" not in inexact("h = h * 0.5", params=("x", "h"))
    assert "h" in inexact("h = h * 0.5", params=("x", "h"), wrt=("x", "h"))
    assert "x" not in inexact("x = np.argmax(x)")


def test_a_float_global_is_inexact_unless_a_local_of_its_name_is_not() -> None:
    import numpy as np

    from srcxform.compiler.inexact import surely_inexact_names as names
    glob = env(SCALE=np.array([3.0]), COUNTS=np.array([3]), RATE=0.5)
    body = ast.parse("a = SCALE * 2\nb = COUNTS * 2\nc = RATE + n").body
    found = names(body, ["x", "n"], ["x"], glob)
    assert {"SCALE", "RATE", "a", "c"} <= found and not found & {"COUNTS", "b"}
    shadowed = ast.parse("SCALE = n\na = SCALE * 2").body
    assert not names(shadowed, ["x", "n"], ["x"], glob) & {"SCALE", "a"}
