"""Modules and optimizers against PyTorch: same initial weights, same data, same trajectory."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
from runtime_oracle import assert_close

import srcxform as sx
import srcxform.nn as nn
import srcxform.optim as optim


def _mlp(lib: Any, sizes: tuple[int, ...], act: str) -> Any:
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(lib.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(getattr(lib.nn, act)())
    return lib.nn.Sequential(*layers)


def _copy_weights(ours: Any, theirs: Any, torch: Any) -> None:
    state = {k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


OPTIMIZERS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("sgd", lambda O, p: O.SGD(p, lr=0.1)),
    ("sgd_momentum", lambda O, p: O.SGD(p, lr=0.05, momentum=0.9)),
    ("sgd_dampening_decay", lambda O, p: O.SGD(p, lr=0.05, momentum=0.8, dampening=0.3,
                                               weight_decay=0.01)),
    ("sgd_nesterov", lambda O, p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    ("sgd_maximize", lambda O, p: O.SGD(p, lr=0.01, momentum=0.5, maximize=True)),
    ("adam", lambda O, p: O.Adam(p)),
    ("adam_tuned", lambda O, p: O.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                       weight_decay=0.1)),
    ("adam_amsgrad", lambda O, p: O.Adam(p, lr=0.02, amsgrad=True)),
    ("adamw", lambda O, p: O.AdamW(p, lr=0.02)),
]

LOSSES = [
    ("mse_relu", "ReLU", lambda lib: lib.nn.MSELoss()),
    ("bce_sigmoid", "Sigmoid", lambda lib: lib.nn.BCEWithLogitsLoss()),
]


@pytest.mark.parametrize("opt_name,make_opt", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
@pytest.mark.parametrize("loss_name,act,make_loss", LOSSES, ids=[x[0] for x in LOSSES])
def test_training_trajectory_matches_torch(opt_name: str, make_opt: Callable, loss_name: str,
                                           act: str, make_loss: Callable, torch: Any) -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(16, 4)).astype(np.float32)
    target = (rng.uniform(size=(16, 2)) > 0.5).astype(np.float32)
    ours = _mlp(sx, (4, 8, 2), act)
    theirs = _mlp(torch, (4, 8, 2), act)
    _copy_weights(ours, theirs, torch)
    opt, topt = make_opt(optim, ours.parameters()), make_opt(torch.optim, theirs.parameters())
    loss_fn, tloss_fn = make_loss(sx), make_loss(torch)
    X, T = sx.tensor(x), sx.tensor(target)
    tX, tT = torch.tensor(x), torch.tensor(target)
    for step in range(25):
        opt.zero_grad()
        topt.zero_grad()
        loss, tloss = loss_fn(ours(X), T), tloss_fn(theirs(tX), tT)
        loss.backward()
        tloss.backward()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-4, abs=1e-6), step
        opt.step()
        topt.step()
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        assert_close(p, tp, rtol=1e-4, atol=1e-5, what=f"{opt_name}/{loss_name}: {name}")


def test_zero_grad_sets_to_none_like_pytorch_2() -> None:
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model(sx.ones(2, 3)).sum().backward()
    assert model.weight.grad is not None
    opt.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None
    model(sx.ones(2, 3)).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert model.weight.grad.tolist() == [[0.0, 0.0, 0.0]]
    model.zero_grad()
    assert model.weight.grad is None


def test_sgd_step_by_hand() -> None:
    w = sx.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()  # g = 2w
        opt.step()
    # step 1: b = 2w0 = [2, -4], w1 = w0 - 0.1 b = [0.8, -1.6]
    # step 2: b = 0.9 [2, -4] + 2 w1 = [3.4, -6.8], w2 = w1 - 0.1 b = [0.46, -0.92]
    np.testing.assert_allclose(w.detach().numpy(), [0.46, -0.92], rtol=1e-6)


def test_adam_first_step_is_lr_times_sign() -> None:
    w = sx.tensor([3.0, -0.5], requires_grad=True)
    opt = optim.Adam([w], lr=0.01)
    (w * w).sum().backward()
    opt.step()  # m/(sqrt(v)+eps) after bias correction = g/|g| = sign
    np.testing.assert_allclose(w.detach().numpy(), [2.99, -0.49], rtol=1e-6)


def test_linear_initialization_follows_pytorch_bounds() -> None:
    sx.manual_seed(3)
    layer = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)  # kaiming_uniform(a=sqrt(5)) and the bias both give 1/sqrt(fan_in)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.shape == (40, 50) and b.shape == (40,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.95 * bound  # uniform over the whole interval
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01  # the std of U(-b, b)
    sx.manual_seed(3)
    again = nn.Linear(50, 40)
    assert np.array_equal(again.weight.detach().numpy(), w)  # seeded: repeatable


def test_module_registration_and_traversal(torch: Any) -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(5, 3)
            self.seq = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())
            self.register_buffer("scale", sx.ones(1))
            self.shared = self.linear  # registered twice, listed once
            self.plain = 3

        def forward(self, x: Any) -> Any:
            return self.seq(self.linear(x)) * self.scale

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["linear.weight", "linear.bias", "seq.0.weight", "seq.0.bias"]
    assert len(list(net.parameters())) == 4
    assert [n for n, _ in net.named_children()] == ["linear", "seq"]
    assert len(list(net.modules())) == 5
    assert list(net.state_dict()) == names + ["scale"]
    assert net(sx.ones(2, 5)).shape == (2, 3)
    assert net.eval() is net and not net.seq[1].training
    net.train()
    assert net.seq[0].training
    with pytest.raises(TypeError, match="cannot assign 'int' as child module"):
        net.seq = 3
    model = torch.nn.Linear(5, 3)
    lin = nn.Linear(5, 3)
    lin.load_state_dict({k: sx.tensor(v.detach().numpy()) for k, v in model.state_dict().items()})
    assert_close(lin.weight, model.weight)
    with pytest.raises(RuntimeError, match="Missing key"):
        lin.load_state_dict({"weight": lin.weight.detach()})


def test_parameter_is_a_leaf_and_ops_give_tensors() -> None:
    p = nn.Parameter(sx.ones(2))
    assert p.requires_grad and p.is_leaf and isinstance(p, sx.Tensor)
    y = p * 2
    assert type(y) is sx.Tensor and not isinstance(y, nn.Parameter)
    frozen = nn.Parameter(sx.ones(2), requires_grad=False)
    assert not frozen.requires_grad


def test_optimizer_param_groups_and_validation() -> None:
    a, b = sx.ones(2, requires_grad=True), sx.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9
    (a.sum() + b.sum()).backward()
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9]) and b.tolist() == pytest.approx([0.5, 0.5])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {a}}], lr=0.1)
    state = opt.state_dict()
    assert set(state["state"]) == {0, 1}
    assert "momentum_buffer" in state["state"][0]


def test_closure_is_called_with_grad_enabled() -> None:
    w = sx.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure() -> Any:
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with sx.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0  # 2 - 0.25 * 2 * 2
