"""Operations on tensors against PyTorch: values, gradients, dtypes and grad_fn names.

Each case runs the same program on srcxform and on torch tensors made from
the same float data, then backward with the same random cotangent, and
requires equal values (float32 precision), equal dtypes and shapes, equal
gradients for every input that requires grad, and the same ``grad_fn`` class
name.  Broadcasting, reductions with dims and keepdim, every matmul shape,
basic and advanced indexing, float64 and integer promotion are covered.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest
from runtime_oracle import assert_close

import srcxform as sx


@dataclass
class In:
    """An input: shape, value range, dtype, whether it requires grad."""

    shape: tuple
    lo: float = -2.0
    hi: float = 2.0
    dtype: str = "float32"
    grad: bool = True

    def make(self, rng: np.random.Generator) -> np.ndarray:
        if self.dtype.startswith("int"):
            return rng.integers(int(self.lo), int(self.hi) + 1, self.shape).astype(self.dtype)
        return rng.uniform(self.lo, self.hi, self.shape).astype(self.dtype)


@dataclass
class Case:
    id: str
    fn: Callable[..., Any]
    inputs: list
    torch_fn: Callable[..., Any] | None = None  # when the torch spelling differs
    check_name: bool = True
    extra: dict = field(default_factory=dict)


POS = dict(lo=0.5, hi=2.0)
A = In


def F(lib):
    return lib.nn.functional


CASES = [
    Case("add_broadcast_row", lambda L, a, b: a + b, [A((3, 4)), A((4,))]),
    Case("add_outer_broadcast", lambda L, a, b: a + b, [A((3, 1)), A((1, 4))]),
    Case("add_scalar_right", lambda L, a: 1 + a, [A((3,))]),
    Case("rsub_scalar", lambda L, a: 2 - a, [A((2, 3))]),
    Case("sub_alpha", lambda L, a, b: L.sub(a, b, alpha=2), [A((2, 3)), A((3,))]),
    Case("mul_3d_broadcast", lambda L, a, b: a * b, [A((2, 3, 4)), A((3, 1))]),
    Case("mul_const_tensor", lambda L, a, b: a * b, [A((2, 3)), A((2, 3), grad=False)]),
    Case("div_broadcast", lambda L, a, b: a / b, [A((3, 4)), A((4,), **POS)]),
    Case("rdiv_scalar", lambda L, a: 2 / a, [A((4,), **POS)]),
    Case("pow_scalar", lambda L, a: a ** 3, [A((2, 3))]),
    Case("pow_tensor", lambda L, a, b: a ** b, [A((3,), **POS), A((3,))]),
    Case("rpow_scalar", lambda L, a: 2 ** a, [A((3,))]),
    Case("neg", lambda L, a: -a, [A((3,))]),
    Case("matmul_2d_2d", lambda L, a, b: a @ b, [A((3, 4)), A((4, 5))]),
    Case("matmul_2d_1d", lambda L, a, b: a @ b, [A((3, 4)), A((4,))]),
    Case("matmul_1d_2d", lambda L, a, b: L.matmul(a, b), [A((4,)), A((4, 5))]),
    Case("matmul_1d_1d", lambda L, a, b: a @ b, [A((4,)), A((4,))]),
    Case("matmul_3d_2d", lambda L, a, b: a @ b, [A((2, 3, 4)), A((4, 5))]),
    Case("matmul_3d_3d", lambda L, a, b: a @ b, [A((2, 3, 4)), A((2, 4, 5))]),
    Case("bmm", lambda L, a, b: L.bmm(a, b), [A((2, 3, 4)), A((2, 4, 5))]),
    Case("matmul_broadcast_batch", lambda L, a, b: a @ b, [A((2, 1, 3, 4)), A((5, 4, 2))]),
    Case("sum_all", lambda L, a: a.sum(), [A((3, 4))]),
    Case("flatten_top_level", lambda L, a: L.flatten(a, 1) * 2, [A((2, 3, 4))]),
    Case("sum_dim", lambda L, a: a.sum(1), [A((3, 4))]),
    Case("sum_dims_keepdim", lambda L, a: a.sum(dim=(0, 2), keepdim=True), [A((2, 3, 4))]),
    Case("sum_negative_dim", lambda L, a: L.sum(a, -1), [A((2, 3, 4))]),
    Case("mean_all", lambda L, a: L.mean(a), [A((3, 4))]),
    Case("mean_dim_keepdim", lambda L, a: a.mean(dim=0, keepdim=True), [A((3, 4))]),
    Case("max_all", lambda L, a: a.max(), [A((3, 4))]),
    Case("max_dim", lambda L, a: a.max(dim=1)[0], [A((3, 4))]),
    Case("max_dim_indices", lambda L, a: a.max(1).indices * 1.0 + a.min(), [A((3, 4))]),
    Case("min_all", lambda L, a: a.min(), [A((3, 4))]),
    Case("prod", lambda L, a: a.prod(), [A((2, 3), **POS)]),
    Case("var_dim", lambda L, a: a.var(1), [A((3, 4))]),
    Case("std_all", lambda L, a: a.std(), [A((3, 4))]),
    Case("index_int", lambda L, a: a[0], [A((3, 4))]),
    Case("index_slices", lambda L, a: a[1:, ::2], [A((3, 4))]),
    Case("index_column", lambda L, a: a[:, 0], [A((3, 4))]),
    Case("index_none_ellipsis", lambda L, a: a[None, ..., -1], [A((3, 4))]),
    Case("index_list", lambda L, a: a[[0, 2, 0]], [A((3, 4))]),
    Case("index_mask", lambda L, a: a[a > 0], [A((3, 4))]),
    Case("index_scalar", lambda L, a: a[1, 2] * a[0, 0], [A((3, 4))]),
    Case("view", lambda L, a: a.view(4, 3), [A((3, 4))]),
    Case("reshape_minus_one", lambda L, a: a.reshape(-1), [A((3, 4))]),
    Case("T", lambda L, a: a.T, [A((3, 4))]),
    Case("t", lambda L, a: a.t(), [A((3, 4))]),
    Case("transpose", lambda L, a: a.transpose(0, 2), [A((2, 3, 4))]),
    Case("permute", lambda L, a: a.permute(2, 0, 1), [A((2, 3, 4))]),
    Case("flatten", lambda L, a: a.flatten(), [A((2, 3, 4))]),
    Case("unsqueeze", lambda L, a: a.unsqueeze(1), [A((3, 4))]),
    Case("squeeze_dim", lambda L, a: a.squeeze(1), [A((3, 1, 4))]),
    Case("squeeze_all", lambda L, a: L.squeeze(a), [A((3, 1, 4, 1))]),
    Case("expand", lambda L, a: a.expand(2, 3, 4), [A((3, 1))]),
    Case("exp", lambda L, a: a.exp(), [A((3,))]),
    Case("log", lambda L, a: L.log(a), [A((3,), **POS)]),
    Case("sqrt", lambda L, a: a.sqrt(), [A((3,), **POS)]),
    Case("sin_cos", lambda L, a: L.sin(a) * L.cos(a), [A((4,))]),
    Case("tanh", lambda L, a: L.tanh(a), [A((4,))]),
    Case("sigmoid", lambda L, a: L.sigmoid(a), [A((5,), lo=-30.0, hi=30.0)]),
    Case("relu", lambda L, a: L.relu(a), [A((6,))]),
    Case("abs", lambda L, a: a.abs(), [A((6,))]),
    Case("clamp", lambda L, a: a.clamp(-1, 0.5), [A((8,))]),
    Case("clamp_min", lambda L, a: L.clamp(a, min=0), [A((8,))]),
    Case("where", lambda L, a, b: L.where(a > b, a, b), [A((3, 4)), A((4,))]),
    Case("maximum", lambda L, a, b: L.maximum(a, b), [A((3, 4)), A((3, 4))]),
    Case("cat", lambda L, a, b: L.cat([a, b], dim=1), [A((2, 3)), A((2, 2))]),
    Case("stack", lambda L, a, b: L.stack([a, b]), [A((2, 3)), A((2, 3))]),
    Case("softmax", lambda L, a: L.softmax(a, dim=1), [A((3, 4))]),
    Case("log_softmax", lambda L, a: F(L).log_softmax(a, dim=0), [A((3, 4))]),
    Case("softplus", lambda L, a: F(L).softplus(a), [A((5,), lo=-5.0, hi=25.0)]),
    Case("mse_loss", lambda L, a, b: F(L).mse_loss(a, b), [A((3, 4)), A((3, 4))]),
    Case("mse_loss_sum", lambda L, a, b: F(L).mse_loss(a, b, reduction="sum"),
         [A((3, 4)), A((3, 4), grad=False)]),
    Case("bce_logits", lambda L, a, b: F(L).binary_cross_entropy_with_logits(a, b),
         [A((4, 3), lo=-4.0, hi=4.0), A((4, 3), lo=0.0, hi=1.0, grad=False)]),
    Case("bce_logits_weights",
         lambda L, a, b, w, p: F(L).binary_cross_entropy_with_logits(
             a, b, weight=w, pos_weight=p, reduction="sum"),
         [A((4, 3), lo=-4.0, hi=4.0), A((4, 3), lo=0.0, hi=1.0),
          A((3,), **POS, grad=False), A((3,), **POS, grad=False)]),
    Case("linear_2d", lambda L, x, w, b: F(L).linear(x, w, b), [A((5, 3)), A((4, 3)), A((4,))]),
    Case("linear_no_bias", lambda L, x, w: F(L).linear(x, w), [A((5, 3)), A((4, 3))]),
    Case("linear_3d", lambda L, x, w, b: F(L).linear(x, w, b), [A((2, 5, 3)), A((4, 3)), A((4,))]),
    Case("float64_inputs", lambda L, a, b: (a * b).sum(0), [A((3, 4), dtype="float64"),
                                                            A((4,), dtype="float64")]),
    Case("float32_times_float64", lambda L, a, b: a * b, [A((3,)), A((3,), dtype="float64")]),
    Case("int_times_float_scalar", lambda L, a, b: a * 2.5 + b,
         [A((3,), lo=-3, hi=3, dtype="int64", grad=False), A((3,))]),
    Case("int_true_divide", lambda L, a, b: a / 2 * b,
         [A((3,), lo=-3, hi=3, dtype="int64", grad=False), A((3,))]),
    Case("to_double", lambda L, a: (a.double() * 2).sum(0), [A((3, 4))]),
    Case("sum_dtype", lambda L, a: L.sum(a * 3, dtype=L.float64), [A((3, 4))]),
    Case("inplace_on_nonleaf", lambda L, a: _inplace_chain(a), [A((4,))]),
    Case("index_by_tensor", lambda L, a: a[L.tensor([2, 0])], [A((3, 4))]),
    Case("iterate_rows", lambda L, a: L.stack([r * i for i, r in enumerate(a)]), [A((3, 2))]),
    Case("norm", lambda L, a: a.norm(), [A((3, 4))]),
    Case("amax_dim", lambda L, a: L.amax(a, 1), [A((3, 4))]),
    Case("atan2", lambda L, a, b: L.atan2(a, b), [A((4,)), A((4,), **POS)]),
    Case("remainder", lambda L, a: a % 1.5, [A((5,))]),
    Case("cross_entropy", lambda L, a: F(L).cross_entropy(a, L.tensor([0, 2, 1])),
         [A((3, 4))], check_name=False),
    Case("reuse_shared_subgraph", lambda L, a: (a * a + a.exp()) * (a * a).sum(), [A((3,))]),
    Case("retained_chain", lambda L, a, b: ((a @ b).relu() + 1).log().mean(),
         [A((3, 4)), A((4, 2))]),
    Case("np_sin", lambda L, a: np.sin(a), [A((3,))], torch_fn=lambda L, a: L.sin(a)),
    Case("np_sum_axis", lambda L, a: np.sum(a, axis=0), [A((3, 4))],
         torch_fn=lambda L, a: L.sum(a, 0), check_name=False),
    Case("np_mean_matmul", lambda L, a, b: np.mean(np.matmul(a, b)), [A((3, 4)), A((4, 2))],
         torch_fn=lambda L, a, b: L.mean(L.matmul(a, b))),
    Case("np_ufunc_with_array", lambda L, a: np.ones(3, dtype=np.float32) * a, [A((2, 3))],
         torch_fn=lambda L, a: a * 1.0, check_name=True),
]


def _inplace_chain(a: Any) -> Any:
    y = a * 1.0
    y += a * a
    return y.mul_(2)


def _name(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_matches_torch(case: Case, torch: Any) -> None:
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    arrays = [spec.make(rng) for spec in case.inputs]
    ours = [sx.tensor(a, requires_grad=spec.grad) for a, spec in zip(arrays, case.inputs)]
    theirs = [torch.tensor(a, requires_grad=spec.grad) for a, spec in zip(arrays, case.inputs)]
    out = case.fn(sx, *ours)
    ref = (case.torch_fn or case.fn)(torch, *theirs)

    assert isinstance(out, sx.Tensor)
    assert repr(out.dtype) == repr(ref.dtype), case.id
    assert tuple(out.shape) == tuple(ref.shape), case.id
    assert_close(out, ref, what=f"{case.id}: value")
    if case.check_name:
        assert _name(out) == _name(ref), case.id
    assert out.requires_grad == ref.requires_grad

    if not ref.requires_grad:
        return
    cot = rng.normal(size=tuple(ref.shape)).astype(np.float64)
    out.backward(sx.tensor(cot).to(out.dtype))
    ref.backward(torch.tensor(cot).to(ref.dtype))
    for i, (o, r) in enumerate(zip(ours, theirs)):
        if r.grad is None:
            assert o.grad is None, f"{case.id}: input {i} got a gradient torch does not give"
            continue
        assert o.grad is not None, f"{case.id}: input {i} has no gradient"
        assert repr(o.grad.dtype) == repr(r.grad.dtype)
        assert_close(o.grad, r.grad, rtol=1e-4, atol=1e-5, what=f"{case.id}: grad of input {i}")


def test_case_table_is_broad() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def test_next_functions_match_torch_structure(torch: Any) -> None:
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    y, ty = x * 2, tx * 2
    z, tz = y + x, ty + tx
    names = [None if f is None else type(f).__name__ for f, _ in z.grad_fn.next_functions]
    tnames = [None if f is None else type(f).__name__ for f, _ in tz.grad_fn.next_functions]
    assert names == tnames == ["MulBackward0", "AccumulateGrad"]
    assert [type(f).__name__ if f else None for f, _ in y.grad_fn.next_functions] == [
        type(f).__name__ if f else None for f, _ in ty.grad_fn.next_functions]
    acc = y.grad_fn.next_functions[0][0]
    assert acc.variable is x
    assert z.grad_fn.next_functions[1][0] is acc  # one AccumulateGrad per leaf, as in PyTorch
