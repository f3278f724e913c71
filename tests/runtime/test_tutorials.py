"""The tutorials' programs (examples/tutorials/) run and show what PyTorch would show.

Expected values come from hand derivations (stated in comments) or from
PyTorch running the same program on the same numbers.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from runtime_oracle import assert_close

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tutorials"
SECOND_TIME = "Trying to backward through the graph a second time"
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"


def run(name: str, *args: Any, **kwargs: Any) -> dict:
    module = runpy.run_path(str(EXAMPLES / name), run_name="tutorial")
    return module["main"](*args, **kwargs)


def test_every_example_is_tested() -> None:
    tested = {"x_squared.py", "single_layer_bce.py", "vector_jacobian.py",
              "stopping_gradients.py", "linear_regression.py", "optimizer_step.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_x_squared(capsys: pytest.CaptureFixture) -> None:
    r = run("x_squared.py")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "tensor([4., 6.])"  # d/dx sum(x^2) = 2x at [2, 3]
    assert r["x_grad"] == [4.0, 6.0]
    assert (r["y_grad_fn"], r["z_grad_fn"]) == ("PowBackward0", "SumBackward0")
    assert r["first"] == 6.0  # d/dx (x + 1)^2 = 2 (x + 1) = 6 at x = 2
    assert r["second_error"].startswith(SECOND_TIME)  # y * y saved y, as in PyTorch
    assert r["accumulated"] == 12.0 and r["after_zero"] == 6.0


def test_single_layer_bce(capsys: pytest.CaptureFixture, torch: Any) -> None:
    r = run("single_layer_bce.py")
    out = capsys.readouterr().out
    # loss = mean softplus(z) for targets 0, so dL/dz = sigmoid(z) / 3; with x all ones every
    # row of w.grad equals b.grad.
    z = r["z"].numpy().astype(np.float64)
    expected = 1.0 / (1.0 + np.exp(-z)) / 3.0
    np.testing.assert_allclose(r["b"].grad.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(r["w"].grad.numpy(), np.tile(expected, (5, 1)), rtol=1e-5)
    assert r["loss"] == pytest.approx(float(np.mean(np.logaddexp(0.0, z))), rel=1e-6)
    assert (r["z_grad_fn"], r["loss_grad_fn"]) == ("AddBackward0",
                                                   "BinaryCrossEntropyWithLogitsBackward0")
    assert "<BinaryCrossEntropyWithLogitsBackward0 object at 0x" in out
    assert r["leaf_flags"] == (True, True, False, True)
    assert r["second_error"].startswith(SECOND_TIME)
    assert r["tracking"] == (True, False, False, False)
    assert r["shapes"] == {"linear.weight": (3, 5), "linear.bias": (3,)}
    assert "linear.weight gradient shape: torch.Size([3, 5])" in out
    # PyTorch on the same w and b gives the same gradients.
    tw = torch.tensor(r["w"].detach().numpy(), requires_grad=True)
    tb = torch.tensor(r["b"].detach().numpy(), requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy_with_logits(torch.ones(5) @ tw + tb,
                                                              torch.zeros(3))
    tl.backward()
    assert_close(r["w"].grad, tw.grad)
    assert_close(r["b"].grad, tb.grad)
    assert repr(r["w"].grad) == repr(tw.grad)


def test_vector_jacobian(capsys: pytest.CaptureFixture) -> None:
    r = run("vector_jacobian.py")
    capsys.readouterr()
    assert r["x_repr"] == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    assert r["y_repr"] == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert r["z_repr"] == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)"
    assert r["out_repr"] == "tensor(27., grad_fn=<MeanBackward0>)"  # PyTorch 2's name
    assert r["leaf"] == (True, False) and r["b_grad_fn"] == "SumBackward0"
    assert r["mean_grad"] == [[4.5, 4.5], [4.5, 4.5]]  # 6 (x + 2) / 4 at x = 1
    assert r["accumulated"] == [[5.5, 5.5], [5.5, 5.5]]  # + d/dx sum(x) = 1
    assert r["zeroed"] == [[1.0, 1.0], [1.0, 1.0]]
    assert r["zv_repr"] == "tensor([[2., 4.],\n        [6., 8.]], grad_fn=<ViewBackward0>)"
    np.testing.assert_allclose(r["vjp"], [2.0, 0.2, 0.02, 0.002], rtol=1e-6)  # 2 v


def test_stopping_gradients(capsys: pytest.CaptureFixture) -> None:
    r = run("stopping_gradients.py")
    out = capsys.readouterr().out
    assert r["y1"] == "tensor(1., grad_fn=<PowBackward0>)"
    assert r["y2"] == "tensor(1.)"
    assert r["y3"] == "tensor(2., grad_fn=<AddBackward0>)"  # the tutorial's old ThAddBackward
    assert r["no_grad_grad"] == 2.0  # only d/dx x^2 = 2 at x = 1 is tracked
    assert r["y2_error"] == NO_GRAD_FN
    assert r["detach_error"] == NO_GRAD_FN and r["detach_x_grad"] is None
    assert r["no_grad_flags"] == (False, True, False)
    assert r["data_x"] == "tensor([100.], requires_grad=True)"
    assert r["data_grad"] == [2.0]
    assert "tensor([1.])\nFalse\n" in out


def test_linear_regression(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    r = run("linear_regression.py", str(tmp_path / "plot.png"))
    out = capsys.readouterr().out
    assert "Learned w:" in out and "Learned b:" in out
    assert out.count("Epoch ") == 10
    assert r["pred_shape"] == (100,)  # matmul((100, 1), (1,)) -> (100,): the loss broadcasts
    # By hand: the loss is mean over i, j of (w X_i + b - y_j)^2, so with m1 = mean X,
    # m2 = mean X^2, ybar = mean y its gradient is dw = 2 (w m2 + b m1 - m1 ybar),
    # db = 2 (w m1 + b - ybar).  Iterate plain gradient descent in float64.
    X, y = r["X"].astype(np.float64).ravel(), r["y"].astype(np.float64).ravel()
    m1, m2, ybar = X.mean(), (X * X).mean(), y.mean()
    w, b = r["start"]
    losses = []
    for _ in range(r["epochs"]):
        losses.append(float(np.mean((w * X[:, None] + b - y[None, :]) ** 2)))
        w, b = (w - r["lr"] * 2 * (w * m2 + b * m1 - m1 * ybar),
                b - r["lr"] * 2 * (w * m1 + b - ybar))
    assert r["w"] == pytest.approx(w, rel=1e-3, abs=1e-5)
    assert r["b"] == pytest.approx(b, rel=1e-4)
    np.testing.assert_allclose(r["losses"], losses, rtol=1e-4)
    assert abs(r["w"]) < 0.05  # the broadcast loss is minimal at w = 0, b = mean(y)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert r["plot"] is None and "no plot" in out
    else:
        assert (tmp_path / "plot.png").stat().st_size > 0


def test_linear_regression_matches_torch_on_the_same_data(torch: Any) -> None:
    r = run("linear_regression.py", None, verbose=False)
    X, y = torch.tensor(r["X"]), torch.tensor(r["y"])
    w = torch.tensor([r["start"][0]], requires_grad=True)
    b = torch.tensor([r["start"][1]], requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=r["lr"])
    for _ in range(r["epochs"]):
        loss = torch.mean((torch.matmul(X, w) + b - y) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert r["w"] == pytest.approx(w.item(), rel=1e-4, abs=1e-6)
    assert r["b"] == pytest.approx(b.item(), rel=1e-5)


def test_optimizer_step(capsys: pytest.CaptureFixture) -> None:
    r = run("optimizer_step.py")
    capsys.readouterr()
    w0, b0 = r["before"][0].numpy().astype(np.float64), r["before"][1].numpy().astype(np.float64)
    p = float(w0[0] @ [2.0, 3.0] + b0[0])  # the prediction for input [2, 3]
    assert r["prediction"] == pytest.approx(p, rel=1e-5)
    assert r["loss"] == pytest.approx((p - 1.0) ** 2, rel=1e-5)
    # dL/dw = 2 (p - 1) [2, 3], dL/db = 2 (p - 1); SGD subtracts 0.01 times that
    np.testing.assert_allclose(r["weight"].numpy(), w0 - 0.01 * 2 * (p - 1) * np.array([[2, 3]]),
                               rtol=1e-5)
    np.testing.assert_allclose(r["bias"].numpy(), b0 - 0.01 * 2 * (p - 1), rtol=1e-5)
