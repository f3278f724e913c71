"""Complex inputs: the right complex derivative, or a located error — never a real number.

A step with no complex derivative (``np.abs``, ``np.real`` ... of a complex
value) and a ``math`` function given a complex value raise
``ComplexDerivativeError`` (a ``TransformError`` and a ``TypeError``) whose
message starts ``file:line:col`` of the user's call, in every mode (grad,
value_and_grad, vjp, jvp, hessian), also when the value becomes complex only
inside the function.  Holomorphic functions of complex values keep their
complex derivative, checked against central differences along the real and
the imaginary axes (``sum(grad * d) == (f(z + h d) - f(z - h d)) / 2h``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import srcxform as sx
from srcxform import origins
from srcxform.errors import ComplexDerivativeError
from tests.helpers import central_difference

Z = np.array([0.3 + 0.2j, -0.5 + 1.1j, 1.2 - 0.4j])


def sum_abs(z): return np.sum(np.abs(z))  # noqa: E704


def sum_real_squared(z): return np.sum(np.real(z) ** 2)  # noqa: E704


def math_sqrt(x): return math.sqrt(x)  # noqa: E704


def complex_inside(x): return np.sum(np.abs(np.exp(1j * x)) * x)  # noqa: E704


def sign_unread(z): return np.sum(np.sign(z)) + np.sum(z * z)  # noqa: E704


def sign_times(x): return np.sum(np.sign(x * 1j + 0.5) * x ** 2)  # noqa: E704


def sign_in_a_loop(z):
    s = 0.0
    for i in range(len(z)):
        s = s + np.sign(z[i]) * z[i] + z[i] ** 2
    return s


def holomorphic(z): return np.sum(np.sin(z) * np.exp(z) + z * z / (z + 2.0))  # noqa: E704


def where(f, text: str) -> str:
    """``file:line:col`` of ``text`` in one-line function ``f``."""
    line = f.__code__.co_firstlineno
    with open(__file__) as source:
        col = source.read().splitlines()[line - 1].index(text)
    return f"{__file__}:{line}:{col}:"


def run(mode: str, f, x):
    if mode == "grad":
        return sx.grad(f)(x)
    if mode == "value_and_grad":
        return sx.value_and_grad(f)(x)
    if mode == "vjp":
        return sx.vjp(f, x)[1](1.0)
    if mode == "jvp":
        return sx.jvp(f, (x,), (np.ones_like(x),))
    return sx.hessian(f)(x)


MODES = ["grad", "value_and_grad", "vjp", "jvp", "hessian"]
REFUSED = [(sum_abs, Z, "np.abs", "abs", MODES),
           (sum_real_squared, Z, "np.real", "real", [m for m in MODES if m != "jvp"]),
           (complex_inside, np.array([0.4, 1.3]), "np.abs", "abs", MODES),
           (math_sqrt, 1.0 + 1.0j, "math.sqrt", "math.sqrt", MODES),
           # np.sign(z) = z/|z| for complex z (NumPy 2): not holomorphic, not constant; refused
           # also where the sign's value is never read by the derivative
           (sign_unread, Z, "np.sign", "np.sign(z)", MODES),
           (sign_times, np.array([0.4, -1.3]), "np.sign", "np.sign(x * 1j + 0.5)", MODES)]


def test_np_sign_of_a_complex_value_in_a_loop_is_refused() -> None:
    for mode in MODES:
        with pytest.raises(ComplexDerivativeError, match=r"np\.sign\(z\[i\]\)"):
            run(mode, sign_in_a_loop, Z)


@pytest.mark.parametrize(("f", "x", "call", "what", "modes"), REFUSED,
                         ids=[r[0].__name__ for r in REFUSED])
def test_a_complex_value_where_there_is_no_complex_derivative_is_a_located_error(
        f, x, call, what, modes) -> None:
    for mode in modes:
        with pytest.raises(sx.TransformError) as info:
            run(mode, f, x)
        err = info.value
        assert isinstance(err, ComplexDerivativeError) and isinstance(err, TypeError), mode
        assert str(err).startswith(where(f, call)), (mode, str(err))
        assert (err.filename, err.lineno) == (__file__, f.__code__.co_firstlineno)
        assert err.construct.startswith(call), (mode, err.construct)
        assert what in str(err)
        hint = "cmath.sqrt or np.sqrt" if call == "math.sqrt" else "real and imaginary parts"
        assert hint in str(err), mode


def sign_of_real(x): return np.sum(np.sign(x) * x ** 2) + np.sum(np.sign(x - 1.0))  # noqa: E704


@pytest.mark.parametrize("f", [sum_abs, sum_real_squared, math_sqrt, sign_of_real,
                               sign_in_a_loop])
def test_the_same_functions_of_real_values_are_differentiated(f) -> None:
    x = np.array([0.7, -1.3, 2.1]) if f is not math_sqrt else 2.0
    grad = sx.grad(f)(x)
    for d in ([np.eye(3)[i] for i in range(3)] if f is not math_sqrt else [1.0]):
        numeric = central_difference(f, (x,), (d,))
        np.testing.assert_allclose(np.sum(grad * d), numeric, rtol=1e-6, atol=1e-9)


def _directions(z):
    n = np.size(z)
    real = [np.eye(n)[i].reshape(np.shape(z)) for i in range(n)]
    return real + [1j * d for d in real]


@pytest.mark.parametrize("z", [Z, 0.3 + 0.2j], ids=["array", "scalar"])
def test_a_holomorphic_function_of_complex_values_has_its_complex_derivative(z) -> None:
    """grad is f'(z) (no conjugate): its product with a direction along the real or the
    imaginary axis is the directional difference quotient."""
    grad = sx.grad(holomorphic)(z)
    value, grad2 = sx.value_and_grad(holomorphic)(z)
    np.testing.assert_allclose(value, holomorphic(z))
    np.testing.assert_allclose(grad2, grad)
    for d in _directions(z):
        numeric = central_difference(holomorphic, (z,), (d,))
        np.testing.assert_allclose(np.sum(grad * d), numeric, rtol=1e-6)
    # also a complex Python scalar (its own key: no `math` shortcut for np.sin)
    np.testing.assert_allclose(sx.vjp(holomorphic, z)[1](1.0)[0], grad, rtol=1e-12)
    for d in _directions(z):
        numeric = central_difference(holomorphic, (z,), (d,))
        np.testing.assert_allclose(sx.jvp(holomorphic, (z,), (d,))[1], numeric, rtol=1e-6)
    hess = np.reshape(sx.hessian(holomorphic)(z), (np.size(z), np.size(z)))
    df = sx.grad(holomorphic)  # f'' on the diagonal (elementwise function)
    for i, d in enumerate(_directions(z)[:np.size(z)]):
        numeric = central_difference(df, (z,), (d,))
        np.testing.assert_allclose(hess[:, i], np.ravel(numeric), rtol=1e-5)


def test_real_linear_steps_have_exact_tangents_in_forward_mode() -> None:
    """jvp through np.real / np.conj of complex values (real-linear maps, as JAX does),
    against central differences along complex tangents."""
    def f(z): return np.sum(np.real(z) ** 2 + np.conj(z) * z)  # noqa: E704
    for t in (np.array([1.0, -0.5, 0.2]), np.array([0.3j, 1.0 - 1.0j, -0.7j])):
        numeric = central_difference(f, (Z,), (t,))
        np.testing.assert_allclose(sx.jvp(f, (Z,), (t,))[1], numeric, rtol=1e-6)


def test_relocate_leaves_other_type_errors_alone() -> None:
    """Only the TypeError of a math function at a line of generated code is located."""
    assert origins.relocate(TypeError("must be real number, not complex")) is None
    assert origins.relocate(ValueError("complex")) is None


def test_the_eager_runtime_raises_pytorch_s_errors_for_complex_values() -> None:
    torch = pytest.importorskip("torch")
    for convert in (float, int, math.sqrt):
        with pytest.raises(RuntimeError) as ours:
            convert(sx.tensor(1.0 + 1.0j))
        with pytest.raises(RuntimeError) as theirs:
            convert(torch.tensor(1.0 + 1.0j))
        assert str(ours.value) == str(theirs.value)
    assert float(sx.tensor(2.0 + 0.0j)) == float(torch.tensor(2.0 + 0.0j)) == 2.0
    with pytest.raises(RuntimeError, match="complex"):
        sx.tensor([1 + 2j], requires_grad=True)  # srcxform's autograd is real (README)


def complex_of_a_slice(x):
    return np.sum(x[0:2] * (1 + 2j))


def test_a_complex_cotangent_of_a_real_slice_stays_complex() -> None:
    x = np.array([0.5, 1.0, 2.0])
    numeric = [central_difference(complex_of_a_slice, (x,), (e,))
               for e in np.eye(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        got = sx.grad(complex_of_a_slice)(x)
    np.testing.assert_allclose(got, numeric, rtol=1e-6)


def trig_of_a_scalar(z): return np.sin(z) * np.cos(z) + np.tanh(z) * math.e  # noqa: E704


def made_complex_inside(x): return np.sin(x * 1j) + np.cos(x) * np.tanh(1j * x)  # noqa: E704


@pytest.mark.parametrize(("f", "x"), [(trig_of_a_scalar, 0.3 + 0.2j),
                                      (made_complex_inside, 0.7)],
                         ids=["complex_argument", "complex_inside"])
def test_numpy_trig_of_a_complex_python_scalar_in_every_mode(f, x) -> None:
    """np.sin/np.cos/np.tanh of a scalar are not math.* when the scalar may be complex (a
    complex argument, or 1j in the function): f'(x) against central differences along the
    real axis (and the imaginary one for a complex x), in every mode; f'' likewise."""
    directions = [1.0, 1j] if isinstance(x, complex) else [1.0]
    grad = sx.grad(f)(x)
    value, grad2 = sx.value_and_grad(f)(x)
    np.testing.assert_allclose(value, f(x))
    for g in (grad, grad2, sx.vjp(f, x)[1](1.0)[0]):
        for d in directions:
            numeric = central_difference(f, (x,), (d,))
            np.testing.assert_allclose(g * d, numeric, rtol=1e-6)
    for d in directions:
        numeric = central_difference(f, (x,), (d,))
        np.testing.assert_allclose(sx.jvp(f, (x,), (d,))[1], numeric, rtol=1e-6)
        second = central_difference(sx.grad(f), (x,), (d,))
        np.testing.assert_allclose(sx.hessian(f)(x) * d, second, rtol=1e-5)


def test_a_complex_scalar_and_a_float_get_their_own_code() -> None:
    """A version compiled for a float (math.sin) is never served to a complex number, and
    back: the cache key of a complex Python number is its own."""
    df = sx.grad(trig_of_a_scalar)
    for x in (0.4, 0.4 + 0.1j, 0.4, 0.4 + 0.1j):
        numeric = central_difference(trig_of_a_scalar, (x,), (1.0,))
        got = df(x)
        np.testing.assert_allclose(got, numeric, rtol=1e-6)
        assert isinstance(got, complex if isinstance(x, complex) else float)


def euler(x, v):
    for _ in range(3):
        ext = np.concatenate((np.zeros(1), x, np.zeros(1)))
        v = v + 0.1 * (ext[:-2] - 2.0 * x + ext[2:])
        x = x + 0.1 * v
    return np.sum(x * x)


def test_a_loop_whose_real_value_turns_complex_has_the_complex_gradient() -> None:
    x, v = np.array([0.5, 1.0, -0.3]), np.array([0.2 + 0.1j, -0.4j, 0.3])
    numeric = [central_difference(euler, (x, v), (e, None)) for e in np.eye(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        got = sx.grad(euler)(x, v)
    np.testing.assert_allclose(got, numeric, rtol=1e-6)
