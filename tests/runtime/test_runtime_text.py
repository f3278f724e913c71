"""What users read: ``repr`` of tensors, nodes, sizes, dtypes and modules, and error messages.

Each ``repr`` is compared with PyTorch's for the same values (node addresses
removed); each misuse must raise PyTorch's exception type with PyTorch's
message.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable

import numpy as np
import pytest

import srcxform as sx
import srcxform.nn as nn


def _strip(text: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0x", text)


VALUES: list[tuple[str, Any, dict]] = [
    ("float_vector", [4.0, 6.0], {}),
    ("float_scalar", 2.5, {}),
    ("whole_scalar", 2.0, {}),
    ("negative_zero", -0.0, {}),
    ("mixed_signs", [-1.5, 2.25], {}),
    ("nan_inf", [1.0, float("nan"), float("inf"), -2.5], {}),
    ("tiny_and_big", [[1e-5, 1.0], [3.0, 4.0]], {}),
    ("wide_range", [123456789.0, 1.0], {}),
    ("whole_thousands", [0.0, 1000.0, 2000.0, 7000.0], {}),
    ("all_zero", [0.0, 0.0], {}),
    ("ints", [1, 2, 300], {}),
    ("int_scalar", 3, {}),
    ("bools", [True, False], {}),
    ("float64", [1.0, 2.0], {"dtype": "float64"}),
    ("int32", [1, 2], {"dtype": "int32"}),
    ("requires_grad", [2.0, 3.0], {"requires_grad": True}),
    ("requires_grad_scalar", 2.5, {"requires_grad": True}),
    ("float64_requires_grad", [[1.5]], {"dtype": "float64", "requires_grad": True}),
    ("long_vector", (np.arange(20.0) + 0.5).tolist(), {"requires_grad": True}),
    ("wrapped_vector", (np.arange(9.0) * 1.5).tolist(), {}),
    ("three_d", np.ones((2, 2, 2)).tolist(), {}),
    ("empty", [], {}),
    ("summarized_rows", np.ones((1200, 1)).tolist(), {}),
    ("summarized_cols", np.arange(3600.0).reshape(3, 1200).tolist(), {}),
    ("summarized_ints", np.arange(2000).reshape(2, 1000).tolist(), {}),
    ("random_matrix", (np.random.default_rng(1).normal(size=(3, 4)) * 100).tolist(), {}),
    ("small_random_3d", (np.random.default_rng(2).normal(size=(2, 3, 4)) * 1e-3).tolist(), {}),
]


@pytest.mark.parametrize("name,data,options", VALUES, ids=[v[0] for v in VALUES])
def test_tensor_repr_matches_torch(name: str, data: Any, options: dict, torch: Any) -> None:
    ours = sx.tensor(data, **{k: getattr(sx, v) if k == "dtype" else v for k, v in options.items()})
    theirs = torch.tensor(data, **{k: getattr(torch, v) if k == "dtype" else v
                                   for k, v in options.items()})
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


def test_repr_with_grad_fn_and_sizes_match_torch(torch: Any) -> None:
    for lib in (sx, torch):
        lib.manual_seed(0)
    x, tx = sx.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    pairs = [
        (x * 2, tx * 2),
        ((x * 2).sum(), (tx * 2).sum()),
        (x.double() * 2, tx.double() * 2),
        (sx.zeros(0, 3), torch.zeros(0, 3)),
        (sx.zeros(0, dtype=sx.float64), torch.zeros(0, dtype=torch.float64)),
        (sx.arange(5), torch.arange(5)),
        (sx.arange(5.0), torch.arange(5.0)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    assert _strip(repr((x * 2).grad_fn)) == _strip(repr((tx * 2).grad_fn))
    assert repr(sx.ones(2, 3).shape) == repr(torch.ones(2, 3).shape) == "torch.Size([2, 3])"
    assert repr(x.dtype) == repr(tx.dtype) == "torch.float32"
    assert str(sx.float64) == str(torch.float64)
    assert repr(sx.tensor([[1.0, 3.0], [2.0, 0.0]]).max(dim=0)) == repr(
        torch.tensor([[1.0, 3.0], [2.0, 0.0]]).max(dim=0))
    assert f"{(x * 2).sum():.3f}" == f"{(tx * 2).sum():.3f}" == "6.000"


def test_default_dtype_changes_what_repr_shows() -> None:
    sx.set_default_dtype(sx.float64)
    assert repr(sx.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert sx.tensor([1.0]).dtype == sx.float64
    assert repr(sx.tensor([1.0], dtype=sx.float32)) == "tensor([1.], dtype=torch.float32)"
    sx.set_default_dtype(sx.float32)
    assert repr(sx.tensor([1.0], dtype=sx.float64)) == "tensor([1.], dtype=torch.float64)"
    with pytest.raises(TypeError, match="floating-point"):
        sx.set_default_dtype(sx.int64)


def test_module_and_parameter_repr_match_torch(torch: Any) -> None:
    class Net(nn.Module):
        def __init__(self, lib: Any) -> None:
            super().__init__()
            self.linear = lib.nn.Linear(5, 3)
            self.seq = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Sigmoid(), lib.nn.ReLU())
            self.loss = lib.nn.MSELoss()

    torch_net = torch.nn.Module()
    torch_net.linear = torch.nn.Linear(5, 3)
    torch_net.seq = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Sigmoid(),
                                        torch.nn.ReLU())
    torch_net.loss = torch.nn.MSELoss()
    ours = Net(sx)
    assert repr(ours).replace("Net(", "Module(", 1) == repr(torch_net)
    assert repr(nn.BCEWithLogitsLoss()) == repr(torch.nn.BCEWithLogitsLoss())
    p, tp = nn.Parameter(sx.ones(2)), torch.nn.Parameter(torch.ones(2))
    assert repr(p) == repr(tp)


def _outcome(fn: Callable[[], Any]) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as exc:  # noqa: BLE001  (comparing whatever is raised)
        return type(exc).__name__, str(exc)
    return "no error", ""


def _misuses(lib: Any) -> dict[str, Callable[[], Any]]:
    def leaf() -> Any:
        return lib.tensor([1.0, 2.0], requires_grad=True)

    def twice(make: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> None:
            out = make(leaf())
            out.backward()
            out.backward()
        return run

    return {
        "backward_no_grad": lambda: lib.tensor(1.0).backward(),
        "backward_non_scalar": lambda: (leaf() * 2).backward(),
        "backward_non_scalar_no_grad": lambda: lib.ones(2).backward(),
        "backward_wrong_shape": lambda: (leaf() * 2).backward(lib.ones(3)),
        "second_backward_mul": twice(lambda x: (x * 2).sum()),
        "second_backward_square": twice(lambda x: (x * x).sum()),
        "second_backward_exp": twice(lambda x: x.exp().sum()),
        "second_backward_pow": twice(lambda x: (x ** 2).sum()),
        "second_backward_add_sum_ok": twice(lambda x: (x + 1).sum()),
        "second_backward_mean_ok": twice(lambda x: (x + 1).mean()),
        "second_backward_view_ok": twice(lambda x: x.view(2, 1).sum()),
        "requires_grad_on_nonleaf": lambda: setattr(leaf() * 2, "requires_grad", False),
        "requires_grad_int_factory": lambda: lib.tensor([1, 2], requires_grad=True),
        "requires_grad_int_method": lambda: lib.tensor([1, 2]).requires_grad_(),
        "inplace_on_leaf": lambda: leaf().add_(1),
        "iadd_on_leaf": lambda: leaf().__iadd__(1),
        "zero_on_leaf": lambda: leaf().zero_(),
        "setitem_on_leaf": lambda: leaf().__setitem__(0, 5.0),
        "retain_grad_no_grad": lambda: lib.tensor([1.0]).retain_grad(),
        "numpy_requires_grad": lambda: leaf().numpy(),
        "item_of_many": lambda: leaf().item(),
        "bool_of_many": lambda: bool(leaf()),
        "len_of_scalar": lambda: len(lib.tensor(1.0)),
        "iter_of_scalar": lambda: iter(lib.tensor(1.0)),
        "bad_view": lambda: leaf().view(3),
        "broadcast_add": lambda: leaf() + lib.ones(3),
        "broadcast_mul_2d": lambda: lib.ones(2, 3) * lib.ones(3, 2),
        "matmul_2d": lambda: lib.ones(2, 3) @ lib.ones(2, 3),
        "matmul_1d": lambda: leaf() @ lib.ones(3),
        "size_dim_out_of_range": lambda: lib.ones(2, 3).size(2),
        "sum_dim_out_of_range": lambda: lib.ones(2, 3).sum(dim=2),
        "mean_of_ints": lambda: lib.tensor([1, 2]).mean(),
        "format_vector": lambda: f"{lib.tensor([1.0, 2.0]):.2f}",
        "bce_size_mismatch": lambda: lib.nn.functional.binary_cross_entropy_with_logits(
            lib.ones(3), lib.ones(2)),
        "sgd_empty": lambda: lib.optim.SGD([], lr=0.1),
        "sgd_negative_lr": lambda: lib.optim.SGD([leaf()], lr=-0.1),
        "sgd_non_leaf": lambda: lib.optim.SGD([leaf() * 2], lr=0.1),
        "sgd_nesterov": lambda: lib.optim.SGD([leaf()], lr=0.1, nesterov=True),
        "adam_beta": lambda: lib.optim.Adam([leaf()], lr=0.1, betas=(1.0, 0.9)),
        "adam_eps": lambda: lib.optim.Adam([leaf()], eps=-1),
        "sgd_tensor_not_iterable": lambda: lib.optim.SGD(leaf(), lr=0.1),
        "sgd_float_param": lambda: lib.optim.SGD([1.0], lr=0.1),
        "module_bad_child": lambda: setattr(_with_child(lib), "child", 3),
        "module_missing_attr": lambda: lib.nn.Linear(2, 2).nonexistent,
        "clamp_without_bounds": lambda: lib.clamp(lib.ones(2)),
    }


def _with_child(lib: Any) -> Any:
    m = lib.nn.Module()
    m.child = lib.nn.Linear(2, 2)
    return m


def test_error_messages_match_torch(torch: Any) -> None:
    import srcxform.optim  # noqa: F401  (sx.optim)

    ours, theirs = _misuses(sx), _misuses(torch)
    mismatches = []
    for name in ours:
        got, want = _outcome(ours[name]), _outcome(theirs[name])
        if got != want:
            mismatches.append(f"{name}: srcxform {got} / torch {want}")
    assert not mismatches, "\n".join(mismatches)


def test_error_table_covers_both_outcomes(torch: Any) -> None:
    outcomes = [_outcome(f)[0] for f in _misuses(torch).values()]
    assert outcomes.count("no error") >= 3
    assert outcomes.count("RuntimeError") >= 15


def test_non_leaf_grad_warns_like_torch(torch: Any) -> None:
    for lib in (sx, torch):
        y = lib.tensor([1.0], requires_grad=True) * 2
        with pytest.warns(UserWarning) as record:
            assert y.grad is None
        assert str(record[0].message).startswith(
            "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed.")
    ours = sx.tensor([1.0], requires_grad=True) * 2
    theirs = torch.tensor([1.0], requires_grad=True) * 2
    with warnings.catch_warnings(record=True) as a:
        warnings.simplefilter("always")
        ours.grad  # noqa: B018
    with warnings.catch_warnings(record=True) as b:
        warnings.simplefilter("always")
        theirs.grad  # noqa: B018
    assert str(a[0].message) == str(b[0].message).split(" (Triggered internally")[0]
    assert a[0].filename == __file__  # points at the user's line, not the runtime


def test_mse_size_warning_matches_torch(torch: Any) -> None:
    with warnings.catch_warnings(record=True) as a:
        warnings.simplefilter("always")
        nn.functional.mse_loss(sx.ones(3, 1), sx.ones(3))
    with warnings.catch_warnings(record=True) as b:
        warnings.simplefilter("always")
        torch.nn.functional.mse_loss(torch.ones(3, 1), torch.ones(3))
    assert [str(w.message) for w in a] == [str(w.message) for w in b]
