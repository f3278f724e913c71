"""NumPy functions on tensors record the graph through the same rule table."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform import rules


def test_ufuncs_and_array_functions_record() -> None:
    x = sx.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = np.sin(x)
    assert isinstance(y, sx.Tensor) and type(y.grad_fn).__name__ == "SinBackward0"
    s = np.sum(y * x)  # d/dx sum(x sin x) = sin x + x cos x
    assert type(s.grad_fn).__name__ == "SumBackward0"
    s.backward()
    xs = np.array([0.5, 1.0, 2.0], dtype=np.float32)
    np.testing.assert_allclose(x.grad.numpy(), np.sin(xs) + xs * np.cos(xs), rtol=1e-6)


def test_array_functions_with_keywords_and_sequences() -> None:
    a = sx.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = sx.tensor([[5.0, 6.0]], requires_grad=True)
    m = np.mean(np.concatenate([a, b], axis=0), axis=1, keepdims=True)  # rows averaged
    assert m.shape == (3, 1)
    (np.matmul(a, a) * 0 + np.maximum(a, 2.5)).sum().backward()  # maximum: 1 where a >= 2.5
    assert a.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    m.sum().backward()
    assert b.grad.tolist() == [[0.5, 0.5]]
    w = np.where(a > 2, a, 0.0)
    assert type(w.grad_fn).__name__ == "WhereBackward0"
    assert [t.tolist() for t in np.where(a > 2)] == [[1, 1], [0, 1]]


def test_mixing_arrays_and_tensors() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x  # ndarray on the left
    assert isinstance(y, sx.Tensor) and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


def test_nondifferentiable_functions_return_plain_results() -> None:
    x = sx.tensor([3.0, 1.0, 2.0], requires_grad=True)
    assert np.shape(x) == (3,)
    assert int(np.argmax(x)) == 0
    z = np.zeros_like(x)
    assert isinstance(z, sx.Tensor) and not z.requires_grad
    assert np.allclose(x.detach(), [3.0, 1.0, 2.0])
    assert np.floor(x * 1.5).tolist() == [4.0, 1.0, 3.0]


def test_function_without_rule_raises_clearly() -> None:
    x = sx.tensor([2.0, 1.0], requires_grad=True)
    assert rules.lookup(np.unique) is None
    with pytest.raises(NotImplementedError, match="no derivative rule for numpy.unique"):
        np.unique(x)
    assert np.unique(x.detach()).tolist() == [1.0, 2.0]
    with sx.no_grad():
        assert np.unique(x).tolist() == [1.0, 2.0]
    with pytest.raises(NotImplementedError, match="no derivative rule for numpy.modf"):
        np.modf(x)


def test_asarray_refuses_requires_grad_like_torch() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        np.asarray(x)
    assert np.asarray(x.detach()).tolist() == [1.0, 2.0]


def test_out_argument_writes_in_place() -> None:
    t = sx.zeros(2)
    r = np.add(sx.tensor([1.0, 2.0]), 1.0, out=t)
    assert r is t and t.tolist() == [2.0, 3.0]
