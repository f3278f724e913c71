"""Every NumPy rule of the systematic coverage, inlined by the compiler into real programs.

After this module passes, for each program of ``tests/rules/numpy_programs.py``
and each argument:

* ``sx.grad`` agrees with central finite differences of the program;
* ``sx.jvp`` along a random direction agrees with the same differences;
* for the programs marked ``hessian`` (a sample of every family), ``sx.hessian``
  agrees with central differences of ``sx.grad`` (second order through the
  rules' own bodies);
* for the one-function programs of ``AUTOGRAD_PROGRAMS``, HIPS autograd on the
  same source agrees (gradient and tangent);

and every public NumPy / ``math`` function, method and attribute given a rule by
``tests/rules/numpy_specs.py`` appears in at least one program (the coverage
check below reads the programs' source).
"""

from __future__ import annotations

import inspect
import math
import re
import warnings

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import (
    central_difference,
    finite_difference,
    jacobian_difference,
    with_autograd_numpy,
)
from tests.rules import numpy_programs
from tests.rules.numpy_programs import AUTOGRAD_PROGRAMS, PROGRAMS, Program, low_precision_casts
from tests.rules.numpy_specs import NUMPY_ATTRIBUTE_SPECS, NUMPY_METHOD_SPECS, NUMPY_SPECS

RTOL, ATOL = 1e-5, 1e-6


def _params(select=lambda p: True) -> list:
    return [pytest.param(p, id=p.f.__name__) for p in PROGRAMS if select(p)]


def _direction(x, rng):
    return float(rng.standard_normal()) if np.ndim(x) == 0 else rng.standard_normal(np.shape(x))


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


@pytest.mark.parametrize("program", _params())
def test_grad_and_jvp_match_finite_differences(program: Program) -> None:
    args = program.make()
    rng = np.random.default_rng(1)
    for i in range(len(args)):
        numeric = finite_difference(program.f, args, i)
        got = sx.grad(program.f, wrt=i)(*args)
        assert np.shape(got) == np.shape(args[i])
        np.testing.assert_allclose(got, numeric, rtol=RTOL, atol=ATOL,
                                   err_msg=f"grad wrt argument {i}")
        t = _direction(args[i], rng)
        tangents = tuple(t if j == i else (0.0 if np.ndim(a) == 0 else np.zeros_like(a))
                         for j, a in enumerate(args))
        value, jt = sx.jvp(program.f, args, tangents)
        np.testing.assert_allclose(value, program.f(*args), rtol=1e-12)
        np.testing.assert_allclose(jt, np.sum(np.asarray(numeric) * t), rtol=RTOL, atol=ATOL,
                                   err_msg=f"jvp along argument {i}")


@pytest.mark.parametrize("program", _params(lambda p: p.hessian))
def test_hessian_matches_differences_of_the_gradient(program: Program) -> None:
    args = program.make()
    hess = np.asarray(sx.hessian(program.f)(*args))
    numeric = jacobian_difference(sx.grad(program.f), args, 0, eps=1e-5)
    np.testing.assert_allclose(hess, numeric, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("f", AUTOGRAD_PROGRAMS, ids=lambda f: f.__name__)
def test_gradient_agrees_with_autograd(f) -> None:
    import autograd

    x = np.random.default_rng(2).uniform(0.2, 0.9, (3, 4))
    want = autograd.grad(with_autograd_numpy(f))(x)
    np.testing.assert_allclose(sx.grad(f)(x), want, rtol=1e-9, atol=1e-12)
    t = np.random.default_rng(3).standard_normal(x.shape)
    np.testing.assert_allclose(sx.jvp(f, (x,), (t,))[1], np.sum(want * t), rtol=1e-9,
                               atol=1e-12)


def test_casts_to_float32_and_float16_pass_the_gradient() -> None:
    x = np.random.default_rng(4).uniform(0.5, 2.0, (2, 3))
    np.testing.assert_allclose(sx.grad(low_precision_casts)(x), np.full(x.shape, 9.0))
    np.testing.assert_allclose(sx.jvp(low_precision_casts, (x,), (np.ones(x.shape),))[1], 54.0)


# --- complex values, refusals ---------------------------------------------------------------

def test_a_holomorphic_function_of_complex_values_has_its_complex_derivative() -> None:
    z = np.array([0.3 + 0.2j, -0.5 + 1.1j, 1.2 - 0.4j])
    f = numpy_programs.holomorphic
    grad = sx.grad(f)(z)
    for direction in (np.array([0.7, -0.2, 0.4]), np.array([0.3j, 0.5j, -0.8j])):
        numeric = central_difference(f, (z,), (direction,))
        np.testing.assert_allclose(np.sum(grad * direction), numeric, rtol=1e-6)
    direction = np.array([0.1j, 1.0, -0.5 + 0.5j])
    _, tangent = sx.jvp(f, (z,), (direction,))
    numeric = central_difference(f, (z,), (direction,))
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6)


@pytest.mark.parametrize(("f", "what"), [(numpy_programs.through_abs, "abs"),
                                         (numpy_programs.through_real, "real"),
                                         (numpy_programs.phase_of_real, "real")])
def test_a_complex_value_at_a_step_that_is_not_holomorphic_is_refused(f, what) -> None:
    """Never a (silently real) number: the gradient of a real function of complex values
    needs a convention srcxform does not choose."""
    z = np.array([0.3 + 0.2j, -0.5 + 1.1j]) if f is not numpy_programs.phase_of_real \
        else np.array([0.3, 1.2])
    with pytest.raises(TypeError, match=f"derivative of {what} at a complex value"):
        sx.grad(f)(z)
    real = np.array([0.3, -1.2])
    if f is numpy_programs.through_abs:  # real values go through as usual
        np.testing.assert_allclose(sx.grad(f)(real), 2 * real)


def test_tolist_is_refused_where_it_is_called() -> None:
    with pytest.raises(sx.TransformError, match=r"numpy_programs.py:\d+:\d+: .*tolist"):
        sx.grad(numpy_programs.to_list)(np.array([1.0, 2.0]))


# --- coverage: every function with a new rule appears in some program ---------------------------

def _spelling(key) -> str | None:
    """How a program calls ``key`` (``np.name(``, ``math.name(``, ``np.r_[``), or ``None``
    for a helper of generated code (tested through the table and the programs using it)."""
    if key is np.r_ or key is np.c_:
        return f"np.{'r_' if key is np.r_ else 'c_'}["
    module = getattr(key, "__module__", "") or ""
    name = getattr(key, "__name__", "")
    if key is getattr(math, name, None):
        return f"math.{name}("
    if module.startswith("srcxform"):
        return None
    return f"np.{name}("


SOURCE = "\n".join(inspect.getsource(f) for f in
                   [p.f for p in PROGRAMS] + [low_precision_casts] + AUTOGRAD_PROGRAMS)


def test_every_new_function_is_used_by_a_program() -> None:
    missing = []
    for key in NUMPY_SPECS:
        spelling = _spelling(key)
        if spelling is not None and spelling not in SOURCE:
            missing.append(spelling)
    for name in NUMPY_METHOD_SPECS:
        if not re.search(rf"\.{name}\(", SOURCE):
            missing.append(f".{name}()")
    for name in NUMPY_ATTRIBUTE_SPECS:
        if not re.search(rf"\.{name}\b(?!\()", SOURCE):
            missing.append(f".{name}")
    assert not missing, f"functions with a rule used by no program: {missing}"
