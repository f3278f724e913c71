"""Temporaries reused in place: a dead operand becomes the result (``lower.py``,
``reuse_dead_operand``), and a unary ufunc writes into its fresh floating-point
operand (``outbuffers.py``).

Every program is checked against HIPS autograd on the same source and against
central finite differences; the source checks show whether the rewrite under test
fired, so a gradient right only because the rewrite was skipped is noticed, and
the programs where it must not apply show it did not.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.helpers import agrees_with_autograd as _agrees
from tests.helpers import generated_source as _source
from tests.helpers import with_autograd_numpy


def _code(text):
    return [line.strip() for line in text.splitlines() if not line.lstrip().startswith("#")]


def _hand_ons(lines):
    """The lines ``t = a`` (one name given another's array)."""
    return [line for line in lines if " = " in line
            and all(part.isidentifier() for part in line.split(" = "))]


# --- a dead operand becomes the result -------------------------------------------------------

def mlp(W1, W2, X, Y):
    H = np.tanh(X @ W1)
    return np.mean((H @ W2 - Y) ** 2)


def operand_read_again(x, y):
    u = np.sin(x) * y
    v = np.cos(x) * y
    return np.sum(u * v) + np.sum(u)


def broadcast_into(a, b):
    s = np.sum(np.exp(a), axis=1, keepdims=True)  # (n, 1)
    return np.sum(np.log(s * b))  # (n, 1) * (n, k): the product is bigger than s


def in_a_loop(x, w):
    for _ in range(3):
        x = np.sin(x) * w
    return np.sum(x * x)


def _mlp_args(rng):
    return (rng.standard_normal((3, 5)), rng.standard_normal((5, 2)),
            rng.standard_normal((4, 3)), rng.standard_normal((4, 2)))


def test_dead_operand_is_the_result():
    args = _mlp_args(np.random.default_rng(0))
    code = _code(_source(mlp, args, (0, 1)))
    assert "bmatmul = bH" in code and "bmatmul *= 1 - H * H" in code
    _agrees(mlp, args, (0, 1))


def test_operand_read_later_is_not_reused():
    rng = np.random.default_rng(1)
    args = (rng.standard_normal(5), rng.standard_normal(5))
    text = _source(operand_read_again, args, (0, 1))
    assert _hand_ons(_code(text)) == [], text  # (bu is read after bsin = bu * y)
    _agrees(operand_read_again, args, (0, 1))


def test_no_reuse_when_the_result_is_bigger():
    rng = np.random.default_rng(2)
    args = (rng.standard_normal((4, 3)), rng.uniform(1.0, 2.0, (4, 3)))
    _agrees(broadcast_into, args, (0, 1))
    _agrees(broadcast_into, (args[0], args[1][:1]), (0, 1))


def test_no_reuse_inside_loops():
    rng = np.random.default_rng(3)
    args = (rng.standard_normal(4), rng.standard_normal(4))
    text = _source(in_a_loop, args, (0, 1))
    backward_loop = text.split("for _ in reversed", 1)[1]
    # (bsin is read nowhere after bx = bsin * np.cos(x): at the top level it would become
    # bx; in a loop the next iteration may still see it, so it stays)
    assert "bx = bsin * np.cos(x)" in backward_loop, text
    assert _hand_ons(_code(backward_loop)) == [], text
    _agrees(in_a_loop, args, (0, 1))


def test_float32_keeps_its_dtype():
    W1, W2, X, Y = (a.astype(np.float32) for a in _mlp_args(np.random.default_rng(4)))
    g1, g2 = sx.grad(mlp, wrt=(0, 1))(W1, W2, X, Y)
    assert g1.dtype == np.float32 and g2.dtype == np.float32
    want = sx.grad(mlp, wrt=(0, 1))(*(a.astype(np.float64) for a in (W1, W2, X, Y)))
    np.testing.assert_allclose(g1, want[0], rtol=1e-4, atol=1e-5)


# --- a unary ufunc into its temporary --------------------------------------------------------

def logreg(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def forward_in_a_loop(x, a):
    for _ in range(4):
        x = np.tanh(x * 0.9) + a
    return np.sum(x ** 2)


def forward_of_ints(x, k):
    e = np.exp(k / 3)  # k an integer array: the quotient is float64
    return np.sum(e * x)


def not_a_float_temporary(x, k):
    e = np.exp(k - 1)  # an integer array's difference: np.exp gives floats, not in place
    return np.sum(e * np.sin(x))


def test_ufunc_into_its_temporary():
    rng = np.random.default_rng(5)
    args = (rng.standard_normal(3), 0.3, rng.standard_normal((6, 3)),
            (rng.uniform(size=6) < 0.5).astype(float))
    code = _code(_source(logreg, args, (0, 1)))
    assert "t = -0.5 * z" in code and "np.tanh(t, out=t)" in code
    _agrees(logreg, args, (0, 1))


def test_forward_ufunc_into_its_temporary_in_a_taped_loop():
    rng = np.random.default_rng(6)
    args = (rng.standard_normal(5), rng.standard_normal(5))
    text = _source(forward_in_a_loop, args, (0, 1))
    assert "out=" in text
    _agrees(forward_in_a_loop, args, (0, 1))


def test_integer_operands():
    rng = np.random.default_rng(7)
    x, k = rng.standard_normal(4), np.arange(4)
    assert "out=e" in _source(forward_of_ints, (x, k), 0)
    np.testing.assert_allclose(sx.grad(forward_of_ints)(x, k), np.exp(k / 3))
    assert "out=" not in _source(not_a_float_temporary, (x, k), 0)
    np.testing.assert_allclose(sx.grad(not_a_float_temporary)(x, k),
                               np.exp(k - 1) * np.cos(x))


def element_written_after(x, y, a):  # (found by tests/control_flow/test_random_programs.py)
    v0 = x
    v1 = v0
    s0 = v0[0]
    s1 = s0
    if s0 > 0.0:
        s0 = s0
    s0 = v0[0]
    return np.sum(v0 * x + v1 * y) + s0 * (s1 + a)


def element_written_before(x, y, a):  # (found by tests/control_flow/test_random_programs.py)
    v1 = np.exp(np.tanh(x))
    s0 = v1[0]
    return np.sum(x * x + v1 * y) + s0 * (np.sum(v1) + a)


def test_an_array_written_by_element_is_not_handed_on():
    # bv1 = badd_2 * y; bv1[0] += bs0; then btanh = bv1 * v1 must not take bv1 over
    rng = np.random.default_rng(9)
    x, y, a = rng.standard_normal(3), rng.standard_normal(3), 0.3
    code = _code(_source(element_written_before, (x, y, a), 0))
    written = {line.split("[")[0] for line in code if "] +=" in line or "] =" in line}
    assert not any(line.split(" = ")[1] in written for line in _hand_ons(code)), code
    ag = pytest.importorskip("autograd")
    want = ag.hessian(with_autograd_numpy(element_written_before))(x, y, a)
    np.testing.assert_allclose(sx.hessian(element_written_before)(x, y, a), want,
                               rtol=1e-9, atol=1e-12)


def test_an_array_written_by_element_stays_made_anew():
    # bv0 = bv0_part + x, then bv0[0] += ...: handed bv0_part it would be an array given
    # another name and written by element, which the gradient's own transform refuses
    rng = np.random.default_rng(8)
    x, y, a = rng.standard_normal(3), rng.standard_normal(3), 0.3
    code = _code(_source(element_written_after, (x, y, a), 0))
    written = {line.split("[")[0] for line in code if "] +=" in line or "] =" in line}
    assert not any(line.split(" = ")[0] in written for line in _hand_ons(code)), code
    want = 2.0 * np.eye(3)
    want[0, 0] += 2.0  # d2/dx0^2 of x0 (x0 + a)
    np.testing.assert_allclose(sx.hessian(element_written_after)(x, y, a), want, atol=1e-12)
