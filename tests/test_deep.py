"""Deeply nested expressions: what CPython compiles, srcxform differentiates.

About 240 chained binary operators, 243 unary minuses or ~100 nested calls —
all fine for CPython — once raised a raw ``RecursionError`` from parsing.  A
transform that overflows the recursion limit now runs again on a thread with
a deep stack (``srcxform/cache/entry.py``).  CI checks depths well past the
old limits (400 operators, as many nested calls as CPython compiles — its
tokenizer allows 200 levels of parentheses — and 100 nested helper calls); with
``SRCXFORM_SLOW_TESTS=1`` the chains go to the longest CPython itself
compiles here (about 3,000; each takes about a minute: the optimizer's cost
grows quadratically with a function's length).  Oracles: closed forms and a
product of derivatives computed by a plain loop.
"""

from __future__ import annotations

import itertools
import math
import os
import types

import numpy as np
import pytest

import srcxform as sx

_names = itertools.count()
SLOW = os.environ.get("SRCXFORM_SLOW_TESTS") == "1"


def _function(tmp_path, expr: str, extra: str = ""):
    """``f`` of ``def f(x): return <expr>`` in a file (compiled, not imported: the
    import machinery's own frames would lower CPython's limit)."""
    name = f"deep_{next(_names)}"
    path = tmp_path / f"{name}.py"
    source = f"import numpy as np\n{extra}\ndef f(x):\n    return {expr}\n"
    path.write_text(source)
    mod = types.ModuleType(name)
    mod.__file__ = str(path)
    exec(compile(source, str(path), "exec"), mod.__dict__)
    return mod.f


def _cpython_limit(make, start: int = 1000, cap: int = 20000) -> int:
    """The longest ``make(n)`` CPython compiles here (binary search)."""
    def compiles(n: int) -> bool:
        try:
            compile(f"def f(x):\n    return {make(n)}\n", "<limit>", "exec")
            return True
        except (RecursionError, SyntaxError, MemoryError):
            return False

    lo, hi = start, start * 2
    while compiles(hi) and hi < cap:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if compiles(mid) else (lo, mid)
    return lo


def _chain(n: int) -> str:
    return " + ".join(["x"] * (n + 1))


def _minuses(n: int) -> str:
    return "-" * n + "x"


def test_chained_operators_past_the_old_limit(tmp_path):
    f = _function(tmp_path, _chain(400))
    assert sx.grad(f)(0.3) == pytest.approx(401.0)
    assert sx.vjp(f, 0.3)[1](1.0)[0] == pytest.approx(401.0)


def test_unary_minuses_past_the_old_limit(tmp_path):
    for n in (400, 401):
        f = _function(tmp_path, _minuses(n))
        assert sx.grad(f)(0.3) == pytest.approx((-1.0) ** n)


def test_nested_calls_at_cpythons_limit_of_parentheses(tmp_path):
    depth = _cpython_limit(lambda n: "np.sin(" * n + "x" + ")" * n, start=100)
    assert depth >= 190  # CPython's tokenizer allows 200 levels of nested parentheses
    f = _function(tmp_path, "np.sin(" * depth + "x" + ")" * depth)
    x, want = 0.7, 1.0
    for _ in range(depth):  # the chain rule, by hand
        want *= math.cos(x)
        x = math.sin(x)
    assert sx.grad(f)(0.7) == pytest.approx(want, rel=1e-12)


def test_nested_helper_calls(tmp_path):
    f = _function(tmp_path, "np.sum(" + "h(" * 100 + "x" + ")" * 101,
                  "def h(v):\n    return v * 1.01\n")
    assert sx.grad(f)(np.ones(2)) == pytest.approx(np.full(2, 1.01 ** 100))


@pytest.mark.skipif(not SLOW, reason="minutes: set SRCXFORM_SLOW_TESTS=1")
@pytest.mark.parametrize("kind", ["chain", "minuses"])
def test_at_cpythons_own_limit(tmp_path, kind):
    make = _chain if kind == "chain" else _minuses
    n = _cpython_limit(make)
    f = _function(tmp_path, make(n))
    want = n + 1.0 if kind == "chain" else (-1.0) ** n
    assert sx.grad(f)(0.3) == pytest.approx(want)
