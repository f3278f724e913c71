"""Autograd semantics: leaves, accumulation, retain_grad, graph freeing, detach, .data, in place.

Values are derived by hand (stated beside each assertion) or taken from
PyTorch running the same program.
"""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from typing import Any

import numpy as np
import pytest

import srcxform as sx


def test_leaf_flags_and_grad_fn() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    c = sx.tensor([1.0, 2.0])
    y = x * c
    assert x.is_leaf and c.is_leaf and not y.is_leaf
    assert x.grad_fn is None and type(y.grad_fn).__name__ == "MulBackward0"
    assert y.grad_fn.name() == "MulBackward0"
    assert (c * 2).requires_grad is False and (c * 2).is_leaf


def test_gradients_accumulate_into_leaves_in_place() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()  # d/dx sum(3x) = 3
    g = x.grad
    (x * x).sum().backward()  # + 2x = [2, 4]
    assert x.grad is g  # accumulated into the same tensor, as PyTorch does
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad = None
    (x ** 3).sum().backward()  # 3x^2
    assert x.grad.tolist() == [3.0, 12.0]


def test_shared_subexpressions_sum_their_contributions() -> None:
    x = sx.tensor(3.0, requires_grad=True)
    y = x * x  # used three times below
    z = y + y * y + sx.exp(y - 9.0)  # dz/dx = (1 + 2y + e^(y-9)) 2x = (1 + 18 + 1) 6 = 120
    z.backward()
    assert x.grad.item() == pytest.approx(120.0)


def test_first_grad_is_a_private_copy() -> None:
    a = sx.tensor([1.0, 2.0], requires_grad=True)
    b = sx.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # the add rule returns the same array for both inputs
    a.grad.data.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_non_leaf_grad_is_none_unless_retained() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    z.retain_grad()
    out = z.sum()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        out.backward(retain_graph=True)
        assert y.grad is None
    assert z.grad.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [8.0, 16.0]  # d/dx (2x)^2 = 8x
    out.backward()
    assert z.grad.tolist() == [2.0, 2.0]  # retained grads accumulate too
    assert z.retains_grad and not y.retains_grad


def test_retain_grad_on_the_root_and_on_leaves() -> None:
    x = sx.tensor(2.0, requires_grad=True)
    x.retain_grad()  # a no-op on a leaf
    y = x * 5
    y.retain_grad()
    y.backward()
    assert y.grad.item() == 1.0 and x.grad.item() == 5.0


def test_backward_with_gradient_is_a_vector_jacobian_product() -> None:
    x = sx.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = sx.stack([x[0] * x[1], x[1] * x[2]])  # J = [[x1, x0, 0], [0, x2, x1]]
    y.backward(sx.tensor([1.0, 10.0]))  # v J = [x1, x0 + 10 x2, 10 x1] = [2, 31, 20]
    assert x.grad.tolist() == [2.0, 31.0, 20.0]


def test_second_backward_error_and_retain_graph() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.tolist() == [4.0, 8.0]  # 2 * 2x
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        z.backward()


def test_shape_only_nodes_survive_and_large_saved_values_are_released() -> None:
    x = sx.ones(100, 100, requires_grad=True)
    big = x + 1.0  # AddBackward0 reads no values
    s = big.sum()
    s.backward()
    saved = big.grad_fn._args[0]
    assert saved.strides == (0, 0)  # a zero-stride stand-in replaced the 80 kB input
    s.backward()  # PyTorch allows this too: nothing it needs was freed
    assert x.grad[0, 0].item() == 2.0
    m = x.mean()  # a small output of a large input: the input is still released
    m.backward()
    assert m.grad_fn._args[0].strides == (0, 0)
    m.backward()
    assert x.grad[0, 0].item() == pytest.approx(2.0002)


def test_backward_on_leaf_itself() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    x.backward(sx.tensor([3.0, 4.0]))
    assert x.grad.tolist() == [3.0, 4.0]


def test_gradient_dtype_follows_the_input() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    y = (x.double() * 2).sum()
    assert y.dtype == sx.float64
    y.backward()
    assert x.grad.dtype == sx.float32 and x.grad.tolist() == [2.0, 2.0]
    w = sx.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).backward(sx.tensor([1.0, 1.0], dtype=sx.float64))
    assert w.grad.dtype == sx.float32


def test_detach_shares_memory_and_stops_the_gradient() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    d.zero_()
    assert y.tolist() == [0.0, 0.0]  # same memory, as in PyTorch
    assert sx.detach(3.5) == 3.5 and sx.detach(x).requires_grad is False
    z = x * sx.detach(x)  # d/dx = detached x = [1, 2]
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0]


def test_detach_in_place() -> None:
    x = sx.tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_data_is_an_alias_outside_the_graph() -> None:
    x = sx.ones(1, requires_grad=True)
    assert repr(x.data) == "tensor([1.])" and x.data.requires_grad is False
    y = 2 * x
    x.data *= 100
    y.backward()
    assert x.tolist() == [100.0] and x.grad.tolist() == [2.0]
    x.data = sx.tensor([5.0, 6.0])
    assert x.shape == (2,) and x.requires_grad
    x.grad.data.zero_()
    assert x.grad.tolist() == [0.0]


def test_requires_grad_switches() -> None:
    a = sx.randn(2, 2)
    assert a.requires_grad_() is a and a.requires_grad
    a.requires_grad = False
    assert not a.requires_grad
    b = a.requires_grad_() * 3
    b.requires_grad = True  # allowed on a non-leaf (it already requires grad)


def test_in_place_updates_under_no_grad_keep_memory() -> None:
    w = sx.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    alias = w.detach()
    with sx.no_grad():
        w -= 0.5 * w.grad  # w - 0.5 * 2w = 0
        w.add_(1.0, alpha=2.0)
    assert w.is_leaf and w.requires_grad
    assert alias.tolist() == [2.0, 2.0]


def test_in_place_on_non_leaf_rebases_the_history() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y += x * x  # y = x + x^2, dy/dx = 1 + 2x
    y.mul_(2)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 10.0]
    buf = sx.zeros(2)
    buf += x  # a tensor that did not require grad joins the graph
    assert buf.requires_grad


def test_setitem_outside_the_graph() -> None:
    t = sx.zeros(2, 3)
    t[0, 1:] = sx.tensor([1.0, 2.0])
    t[1] = 7
    t[sx.tensor([True, False])] *= 2
    assert t.tolist() == [[0.0, 2.0, 4.0], [7.0, 7.0, 7.0]]
    y = sx.ones(2, requires_grad=True) * 2
    with pytest.raises(NotImplementedError, match="index assignment"):
        y[0] = 1.0
    with sx.no_grad():
        y[0] = 5.0
    assert y.tolist() == [5.0, 2.0]


def test_graph_is_freed_with_its_tensors() -> None:
    x = sx.ones(3, requires_grad=True)
    y = (x * 2).exp()
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


def test_autograd_grad_leaves_dot_grad_alone() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    out = (h * 3).sum()
    gx, gh = sx.autograd.grad(out, [x, h])
    assert gx.tolist() == [6.0, 12.0] and gh.tolist() == [3.0, 3.0]  # 6x and 3
    assert x.grad is None
    unused = sx.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="not have been used"):
        sx.autograd.grad((x * 2).sum(), unused)
    (g,) = sx.autograd.grad((x * 2).sum(), [unused], allow_unused=True)
    assert g is None


def test_autograd_backward_of_several_roots() -> None:
    x = sx.tensor(2.0, requires_grad=True)
    sx.autograd.backward([x * 3, x * x], [sx.tensor(1.0), sx.tensor(2.0)])  # 3 + 2 * 2x = 11
    assert x.grad.item() == 11.0


def test_conversions() -> None:
    t = sx.tensor([[1.5, -2.0]])
    assert t[0, 0].item() == 1.5
    assert isinstance(sx.tensor(3).item(), int)
    assert float(sx.tensor([2.5])) == 2.5 and int(sx.tensor(7)) == 7
    assert t.tolist() == [[1.5, -2.0]]
    assert t.numpy().dtype == np.float32 and t.numpy() is t.numpy()  # shared, not copied
    assert np.asarray(t).shape == (1, 2)
    assert [float(r[1]) for r in sx.tensor([[1.0, 2.0], [3.0, 4.0]])] == [2.0, 4.0]
    assert len(t) == 1 and t.dim() == 2 and t.ndim == 2 and t.numel() == 2
    assert t.size() == (1, 2) and t.size(-1) == 2 and t.shape.numel() == 2
    assert t.dtype == sx.float32 and t.dtype == np.float32 and t.double().dtype == sx.float64
    assert t.long().tolist() == [[1, -2]] and t.type() == "torch.FloatTensor"
    assert str(t.device) == "cpu" and t.to("cpu") is t and t.float() is t
    assert sx.tensor([1, 2]).dtype == sx.int64 and sx.tensor([True]).dtype == sx.bool
    assert sx.tensor(np.array([1.0, 2.0])).dtype == sx.float64  # NumPy keeps its dtype
    assert sx.tensor([1.0], dtype=sx.float).dtype == sx.float32
    assert sx.from_numpy(np.zeros(2)).dtype == sx.float64


def test_tensor_from_tensor_warns_and_copies() -> None:
    a = sx.tensor([1.0, 2.0])
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        b = sx.tensor(a)
    b.zero_()
    assert a.tolist() == [1.0, 2.0]


def test_deepcopy_and_pickle_of_leaves() -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y.tolist() == [1.0, 2.0] and y.requires_grad and y.grad.tolist() == [2.0, 2.0]
    y.data.zero_()
    assert x.tolist() == [1.0, 2.0]
    z = pickle.loads(pickle.dumps(x))
    assert z.tolist() == [1.0, 2.0] and z.requires_grad
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_comparisons_do_not_record(torch: Any) -> None:
    x = sx.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == sx.bool and not m.requires_grad
    assert repr(m) == repr(torch.tensor([1.0, 2.0, 3.0]) > 1.5)
    assert (x == x).tolist() == [True, True, True] and (x != 2).tolist() == [True, False, True]
    assert hash(x) != hash(sx.tensor([1.0, 2.0, 3.0]))
    assert {x: 1}[x] == 1  # tensors key dicts by identity (optimizer state)
    with pytest.raises(RuntimeError, match="ambiguous"):
        if x > 0:
            pass
