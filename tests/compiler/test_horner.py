"""Polynomial adjoints in Horner form (compiler/horner.py), through the whole pipeline.

The generated source of polynomial losses is read for the in-place Horner
statements the module docstring promises (and for their absence where the
run is not a polynomial in one name, or Horner would take more operations);
every gradient is checked against central finite differences and HIPS
autograd on the same source, for arrays and Python floats.
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import anno
from srcxform.compiler.horner import horner
from tests.helpers import finite_difference, with_autograd_numpy


def cubic(x):
    return np.sum(3 * x**3 + 2 * x**2 + x)


def leading_one(x):
    return np.sum(x**3 / 3.0 - 2.0 * x**2 + 5.0 * x)


def leading_minus_one(x):
    return np.sum(-(x**3) / 3.0 + 0.5 * x**2 - 7.0)


def gap(x):
    return np.sum(x**4 - x**2 + x)  # no x**3 term


def sparse(x):
    return np.sum(x**4 - x)  # Horner would take more operations than 4 x**3 - 1


def quartic_scalar(x):
    return 0.25 * x**4 - x**3 + 2.0 * x**2 - 3.0 * x


def two_names(x, y):
    return np.sum(x**3 + y**2)


PROGRAMS = [cubic, leading_one, leading_minus_one, gap, sparse]
X = np.array([0.3, -1.2, 2.5, 0.0, -0.7])


def _source(f, *args):
    df = sx.grad(f)
    df(*args)
    return sx.source(df)


def test_the_cubic_is_horner_in_place():
    body = _source(cubic, X).split("\n", 2)[2]
    assert body.startswith("    bx = 9.0 * x\n    bx += 4.0\n    bx *= x\n    bx += 1.0\n")


def test_a_leading_one_starts_from_x_itself():
    src = _source(leading_one, X)
    assert "bx = x - 4.0" in src and "bx *= x" in src and "bx += 5.0" in src


def test_a_missing_power_is_a_bare_multiplication():
    src = _source(gap, X)
    assert "bx = 4.0 * x\n    bx *= x\n    bx -= 2.0\n    bx *= x\n    bx += 1.0\n" in src


def test_a_sparse_polynomial_stays_as_written():
    assert "*=" not in _source(sparse, X)


def test_two_names_are_not_one_polynomial():
    df = sx.grad(two_names, wrt=(0, 1))
    df(X, X)
    assert "*=" not in sx.source(df)


@pytest.mark.parametrize("f", PROGRAMS)
def test_gradients_match_the_oracles(f):
    import autograd

    got = sx.grad(f)(X)
    np.testing.assert_allclose(got, finite_difference(f, (X,), 0), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got, autograd.grad(with_autograd_numpy(f))(X), rtol=1e-13,
                               atol=1e-13)


@pytest.mark.parametrize("x", [0.7, -1.3, 2.0])
def test_a_python_float_gets_a_float(x):
    import autograd

    got = sx.grad(quartic_scalar)(x)
    assert type(got) is float
    assert got == pytest.approx(autograd.grad(with_autograd_numpy(quartic_scalar))(x), rel=1e-13)


def _run(source):
    body = ast.parse(source).body
    for stmt in body:
        anno.set(stmt, anno.GRAD, True)
    horner(body)
    ast.fix_missing_locations(ast.Module(body, []))
    return "\n".join(ast.unparse(s) for s in body)


def test_only_backward_runs_of_one_target_are_rewritten():
    assert _run("b = 1.0 + 4.0 * x\nb = b + 9.0 * x ** 2") == \
        "b = 9.0 * x\nb += 4.0\nb *= x\nb += 1.0"
    # another statement between the two parts: each part alone is kept as written
    assert _run("b = 1.0 + 4.0 * x\nc = b\nb = b + 9.0 * x ** 2") == \
        "b = 1.0 + 4.0 * x\nc = b\nb = b + 9.0 * x ** 2"
    # the polynomial in the target itself is not a run
    assert _run("x = 1.0 + 4.0 * x + x ** 2") == "x = 1.0 + 4.0 * x + x ** 2"
    # not cheaper: a single high power
    assert _run("b = 2.0 * x ** 6 + 1.0") == "b = 2.0 * x ** 6 + 1.0"


def two_halves(x):
    return np.sum(0.25 * x**2) + np.sum(0.25 * x**2)  # gradient: x itself


def test_a_gradient_equal_to_the_argument_is_an_array_of_its_own():
    got = sx.grad(two_halves)(X)
    np.testing.assert_allclose(got, X, rtol=1e-15)
    assert got is not X and not np.shares_memory(got, X)
