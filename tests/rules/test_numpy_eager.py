"""The eager runtime on the table's new NumPy rules, against real PyTorch.

After this module passes: each PyTorch-named operation of ``runtime/numpy_ops.py``
(as a Tensor method or top-level function) and a sample of NumPy functions called on
tensors (``np.flip(t)`` ...) gives PyTorch's value, dtype, shape, ``grad_fn`` name and
gradients for a random cotangent; NumPy functions that return pieces return slices;
complex tensors cannot require grad.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import srcxform as sx
from tests.runtime.runtime_oracle import assert_close, require_torch


@dataclass
class Op:
    id: str
    ours: Callable[..., Any]
    theirs: Callable[..., Any]  # the same on torch
    shapes: list
    lo: float = -2.0
    hi: float = 2.0
    distinct: bool = False  # values without ties (sorts, medians)
    check_name: bool = True


def _same(f: Callable[..., Any]) -> tuple:
    return f, f


OPS = [
    Op("acosh", *_same(lambda L, a: (a + 3.0).acosh()), [(3, 4)]),
    Op("deg2rad", *_same(lambda L, a: L.deg2rad(a)), [(5,)]),
    Op("rad2deg", *_same(lambda L, a: a.rad2deg()), [(2, 3)]),
    Op("sinc", *_same(lambda L, a: L.sinc(a)), [(6,)]),
    Op("fmax", *_same(lambda L, a, b: L.fmax(a, b)), [(3, 4), (4,)], distinct=True),
    Op("fmin", *_same(lambda L, a, b: a.fmin(b)), [(3, 4), (3, 4)], distinct=True),
    Op("logaddexp2", *_same(lambda L, a, b: L.logaddexp2(a, b)), [(3, 4), (3, 1)]),
    Op("logaddexp", *_same(lambda L, a, b: L.logaddexp(a, b)), [(3, 4), (4,)]),
    Op("hypot", *_same(lambda L, a, b: L.hypot(a, b)), [(5,), (5,)], lo=0.5),
    Op("fmod", *_same(lambda L, a: L.fmod(a, 0.7)), [(6,)]),
    Op("copysign", *_same(lambda L, a: L.copysign(a, -1.0)), [(6,)], lo=0.3),
    Op("float_power", *_same(lambda L, a: L.float_power(a, 2.5)), [(4,)], lo=0.5),
    Op("nan_to_num", *_same(lambda L, a: L.nan_to_num(a.log())), [(6,)]),
    Op("cumsum", *_same(lambda L, a: a.cumsum(1)), [(3, 4)]),
    Op("cumprod", *_same(lambda L, a: L.cumprod(a, 0)), [(3, 4)]),
    Op("cumprod_zero", *_same(lambda L, a: (a * L.tensor([1.0, 0.0, 1.0, 1.0])).cumprod(0)),
       [(4,)]),
    Op("diff", *_same(lambda L, a: L.diff(a, dim=1)), [(3, 4)], check_name=False),
    Op("trace", *_same(lambda L, a: a.trace()), [(4, 4)]),
    Op("nansum", *_same(lambda L, a: a.nansum()), [(3, 4)]),
    Op("nanmean_dim", *_same(lambda L, a: L.nanmean(a, 0)), [(3, 4)]),
    Op("median", *_same(lambda L, a: a.median()), [(4, 3)], distinct=True),
    Op("median_dim", *_same(lambda L, a: a.median(1).values), [(4, 3)], distinct=True),
    Op("median_even", *_same(lambda L, a: L.median(a, 0)[0]), [(4, 3)], distinct=True),
    Op("quantile", *_same(lambda L, a: a.quantile(0.3)), [(4, 3)], distinct=True,
       check_name=False),
    Op("quantile_dim", *_same(lambda L, a: L.quantile(a, 0.8, dim=1, keepdim=True)),
       [(4, 5)], distinct=True, check_name=False),
    Op("flip", *_same(lambda L, a: a.flip(0)), [(3, 4)]),
    Op("flip_dims", *_same(lambda L, a: L.flip(a, (0, 2))), [(2, 3, 4)]),
    Op("fliplr", *_same(lambda L, a: a.fliplr()), [(3, 4)]),
    Op("flipud", *_same(lambda L, a: L.flipud(a)), [(3, 4)]),
    Op("roll", *_same(lambda L, a: a.roll(1, 1)), [(3, 4)]),
    Op("roll_flat", *_same(lambda L, a: L.roll(a, 5)), [(3, 4)]),
    Op("rot90", *_same(lambda L, a: a.rot90(1, (0, 1))), [(3, 4)]),
    Op("tril", *_same(lambda L, a: a.tril()), [(4, 4)]),
    Op("triu", *_same(lambda L, a: L.triu(a, 1)), [(3, 4)]),
    Op("diag_vector", *_same(lambda L, a: L.diag(a, 1)), [(4,)]),
    Op("diag_matrix", *_same(lambda L, a: a.diag()), [(4, 4)], check_name=False),
    Op("diagflat", *_same(lambda L, a: L.diagflat(a)), [(3,)]),
    Op("diagonal", *_same(lambda L, a: a.diagonal(1)), [(3, 4)]),
    Op("diagonal_3d", *_same(lambda L, a: L.diagonal(a, 0, 1, 2)), [(2, 3, 3)]),
    Op("movedim", *_same(lambda L, a: a.movedim(0, 2)), [(2, 3, 4)]),
    Op("tile", *_same(lambda L, a: a.tile((2, 1))), [(3, 4)]),
    Op("repeat", *_same(lambda L, a: a.repeat(2, 1, 3)), [(3, 4)]),
    Op("repeat_interleave", *_same(lambda L, a: a.repeat_interleave(2, dim=1)), [(3, 4)]),
    Op("sort", *_same(lambda L, a: a.sort(1)[0]), [(3, 4)], distinct=True),
    Op("sort_descending", *_same(lambda L, a: L.sort(a, 0, descending=True).values), [(3, 4)],
       distinct=True),
    Op("msort", *_same(lambda L, a: L.msort(a)), [(3, 4)], distinct=True),
    Op("take", *_same(lambda L, a: a.take(L.tensor([0, 5, 5, 11]))), [(3, 4)]),
    Op("take_along_dim", *_same(lambda L, a: L.take_along_dim(
        a, L.tensor([[0, 3], [1, 1], [2, 0]]), 1)), [(3, 4)]),
    Op("hstack", *_same(lambda L, a, b: L.hstack([a, b])), [(3, 2), (3, 4)]),
    Op("vstack", *_same(lambda L, a, b: L.vstack([a, b])), [(2, 4), (4,)]),
    Op("row_stack", *_same(lambda L, a, b: L.row_stack([a, b])), [(2, 4), (4,)]),
    Op("dstack", *_same(lambda L, a, b: L.dstack([a, b])), [(3, 4), (3, 4)]),
    Op("column_stack", *_same(lambda L, a, b: L.column_stack([a, b])), [(3,), (3, 2)]),
    Op("atleast_3d", *_same(lambda L, a: L.atleast_3d(a)), [(3, 4)], check_name=False),
    Op("tensor_split", *_same(lambda L, a: L.tensor_split(a, 3, 1)[1]), [(3, 7)]),
    Op("hsplit", *_same(lambda L, a: a.hsplit(2)[1]), [(3, 4)]),
    Op("vsplit", *_same(lambda L, a: L.vsplit(a, [1])[1]), [(3, 4)]),
    Op("dsplit", *_same(lambda L, a: L.dsplit(a, 2)[0]), [(2, 3, 4)]),
    # NumPy functions called on tensors record the same nodes
    Op("np_flip", lambda L, a: np.flip(a, 1), lambda L, a: a.flip(1), [(3, 4)]),
    Op("np_cumsum", lambda L, a: np.cumsum(a, axis=0), lambda L, a: a.cumsum(0), [(3, 4)]),
    Op("np_roll", lambda L, a: np.roll(a, 2, 1), lambda L, a: a.roll(2, 1), [(3, 4)]),
    Op("np_tril", lambda L, a: np.tril(a, -1), lambda L, a: a.tril(-1), [(4, 4)]),
    Op("np_hstack", lambda L, a, b: np.hstack([a, b]), lambda L, a, b: L.hstack([a, b]),
       [(3,), (2,)]),
    Op("np_split", lambda L, a: np.split(a, 2, axis=1)[1],
       lambda L, a: L.tensor_split(a, 2, 1)[1], [(3, 4)]),
    Op("np_array_split", lambda L, a: np.array_split(a, 3)[2] * 2.0,
       lambda L, a: L.tensor_split(a, 3)[2] * 2.0, [(7,)]),
    Op("np_unstack", lambda L, a: np.unstack(a, axis=1)[2], lambda L, a: a.unbind(1)[2],
       [(3, 4)], check_name=False),
    Op("np_fmax", lambda L, a, b: np.fmax(a, b), lambda L, a, b: L.fmax(a, b),
       [(3, 4), (3, 4)], distinct=True),
    Op("np_sinc", lambda L, a: np.sinc(a), lambda L, a: L.sinc(a), [(5,)]),
    Op("np_trace", lambda L, a: np.trace(a), lambda L, a: a.trace(), [(3, 3)]),
    Op("np_nansum", lambda L, a: np.nansum(a, axis=1), lambda L, a: a.nansum(1), [(3, 4)],
       check_name=False),
    Op("np_take_along_axis", lambda L, a: np.take_along_axis(a, np.array([[1], [0], [3]]), 1),
       lambda L, a: L.take_along_dim(a, L.tensor([[1], [0], [3]]), 1), [(3, 4)]),
    Op("np_moveaxis", lambda L, a: np.moveaxis(a, 0, -1), lambda L, a: a.movedim(0, -1),
       [(2, 3, 4)]),
    Op("np_tile", lambda L, a: np.tile(a, (2, 2)), lambda L, a: a.tile((2, 2)), [(2, 3)]),
    Op("np_diff", lambda L, a: np.diff(a, 2), lambda L, a: L.diff(a, 2), [(3, 5)],
       check_name=False),
]


def _name(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _inputs(op: Op, rng: np.random.Generator) -> list:
    arrays = []
    for shape in op.shapes:
        n = int(np.prod(shape))
        if op.distinct:
            values = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)
        else:
            values = rng.uniform(op.lo, op.hi, n)
        arrays.append(values.reshape(shape).astype(np.float32))
    return arrays


@pytest.mark.parametrize("op", OPS, ids=[o.id for o in OPS])
def test_matches_torch(op: Op) -> None:
    torch = require_torch()
    rng = np.random.default_rng(zlib.crc32(op.id.encode()))
    arrays = _inputs(op, rng)
    ours = [sx.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = op.ours(sx, *ours)
    ref = op.theirs(torch, *theirs)
    assert isinstance(out, sx.Tensor)
    assert repr(out.dtype) == repr(ref.dtype), op.id
    assert_close(out, ref, what=f"{op.id}: value")
    if op.check_name:
        assert _name(out) == _name(ref), op.id
    cot = rng.normal(size=tuple(ref.shape))
    out.backward(sx.tensor(cot).to(out.dtype))
    ref.backward(torch.tensor(cot).to(ref.dtype))
    for i, (o, r) in enumerate(zip(ours, theirs)):
        assert (o.grad is None) == (r.grad is None), f"{op.id}: input {i}"
        if r.grad is not None:
            assert_close(o.grad, r.grad, rtol=1e-4, atol=1e-5, what=f"{op.id}: grad {i}")


def test_complex_tensors_cannot_require_grad() -> None:
    with pytest.raises(RuntimeError, match="complex"):
        sx.tensor([1.0 + 2.0j], requires_grad=True)
    t = sx.tensor([1.0 + 2.0j])
    with pytest.raises(RuntimeError, match="complex"):
        t.requires_grad_()
    x = sx.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="complex"):
        x * 1j


def test_split_pieces_are_slices_of_the_tensor() -> None:
    x = sx.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    parts = np.array_split(x, 3, axis=1)
    assert [tuple(p.shape) for p in parts] == [(3, 2), (3, 1), (3, 1)]
    (parts[0].sum() * 2 + parts[2].sum()).backward()
    assert x.grad.tolist() == [[2.0, 2.0, 0.0, 1.0]] * 3
