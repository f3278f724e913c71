"""Bad input gets a clear error: located TransformErrors and ordinary Python errors."""

from __future__ import annotations

import inspect
import linecache
import traceback

import numpy as np
import pytest

import srcxform as sx
from tests import bad_programs
from tests.bad_programs import BAD


def _marked_line(f) -> int:
    lines, first = inspect.getsourcelines(f)
    for i, text in enumerate(lines):
        if "# BAD" in text:
            return first + i
    raise AssertionError("no # BAD marker")


@pytest.mark.parametrize("f,construct", BAD, ids=[f.__name__ for f, _ in BAD])
def test_unsupported_construct_is_located(f, construct):
    args = (np.ones(3),) * max(1, f.__code__.co_argcount)
    with pytest.raises(sx.TransformError) as info:
        df = sx.grad(f)
        df(*args)  # "at the latest on the first call"
    err = info.value
    assert isinstance(err, ValueError)
    assert err.filename == bad_programs.__file__
    assert err.lineno == _marked_line(f), str(err)
    assert err.col >= 0
    assert err.construct == construct, str(err)
    text = str(err)
    assert text.startswith(f"{bad_programs.__file__}:{err.lineno}:{err.col}:")
    assert construct in text


def test_catalogue_is_large_enough():
    assert len(BAD) >= 20


def test_non_scalar_output_is_a_value_error():
    def f(x):
        return x * 2

    with pytest.raises(ValueError, match="scalar"):
        sx.grad(f)(np.ones(3))


def test_one_element_array_output_is_accepted():
    def f(x):
        return x[:1] * 3.0

    np.testing.assert_allclose(sx.grad(f)(np.ones(3)), [3.0, 0.0, 0.0])


def test_wrt_name_not_a_parameter_is_quoted():
    def f(x, y):
        return np.sum(x * y)

    with pytest.raises(ValueError, match="'z'"):
        sx.grad(f, wrt="z")


def test_wrt_out_of_range_is_quoted():
    def f(x, y):
        return np.sum(x * y)

    with pytest.raises(ValueError, match="wrt=5"):
        sx.grad(f, wrt=5)


def test_source_unavailable():
    ns = {}
    exec("import numpy as np\ndef f(x):\n    return np.sum(x)\n", ns)
    with pytest.raises(ValueError, match="source .* unavailable"):
        sx.grad(ns["f"])


def test_wrong_arguments_raise_type_error_like_f():
    def f(x, y):
        return np.sum(x * y)

    df = sx.grad(f)
    with pytest.raises(TypeError):
        df(np.ones(2))
    with pytest.raises(TypeError):
        df(np.ones(2), np.ones(2), np.ones(2))


def test_not_a_function():
    with pytest.raises(TypeError):
        sx.grad(3)


def test_source_of_foreign_function():
    with pytest.raises(TypeError, match="not generated"):
        sx.source(len)


def test_traceback_and_getsource_show_generated_code():
    def f(x):
        return np.sum(np.log(x) * x)

    df = sx.grad(f)
    src = sx.source(df)
    assert inspect.getsource(df).strip() == src.strip().replace("\n", "\n")
    with pytest.raises(TypeError) as info:
        df("not an array")
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [fr for fr in frames if fr.filename.startswith("<srcxform")]
    assert generated, "the generated function's frame is in the traceback"
    line = linecache.getline(generated[-1].filename, generated[-1].lineno).strip()
    assert line and line in src
