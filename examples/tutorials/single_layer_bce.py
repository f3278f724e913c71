"""Tutorials 002 and 004: one linear layer with a binary cross-entropy loss.

Run: ``python examples/tutorials/single_layer_bce.py``.  Builds
``z = x @ w + b`` for ``x = ones(5)``, ``y = zeros(3)``, takes
``binary_cross_entropy_with_logits(z, y)``, prints the gradients (every row
of ``w.grad`` equals ``b.grad`` = sigmoid(z) / 3, because x is all ones and
the targets are 0), the ``grad_fn`` names, leaf flags, the error of a second
``backward``, the three ways to stop tracking, and the ``SimpleNet`` example.
The random ``w`` and ``b`` come from srcxform's generator, so the printed
numbers differ from the tutorial's (which came from PyTorch's).
"""

import srcxform as torch
import srcxform.nn as nn


class SimpleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(5, 3)

    def forward(self, x):
        return self.linear(x)


def main() -> dict:
    torch.manual_seed(0)
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")

    loss.backward()
    print(w.grad)
    print(b.grad)
    print(f"w is leaf: {w.is_leaf}, requires grad: {w.requires_grad}")
    print(f"z is leaf: {z.is_leaf}, requires grad: {z.requires_grad}")
    try:
        loss.backward()
        second_error = None
    except RuntimeError as e:
        second_error = str(e)
        print("RuntimeError:", e)

    tracked = (torch.matmul(x, w) + b).requires_grad
    with torch.no_grad():
        untracked = (torch.matmul(x, w) + b).requires_grad
    detached = (torch.matmul(x, w) + b).detach().requires_grad
    torch.set_grad_enabled(False)
    disabled = (torch.matmul(x, w) + b).requires_grad
    torch.set_grad_enabled(True)
    print(tracked, untracked, detached, disabled)  # True False False False

    model = SimpleNet()
    inputs = torch.randn(2, 5)
    y_true = torch.randn(2, 3)
    net_loss = nn.MSELoss()(model(inputs), y_true)
    net_loss.backward()
    shapes = {}
    for name, param in model.named_parameters():
        print(f"{name} gradient shape: {param.grad.shape}")
        shapes[name] = tuple(param.grad.shape)
    return {"x": x, "w": w, "b": b, "z": z.detach(), "loss": loss.item(),
            "z_grad_fn": type(z.grad_fn).__name__, "loss_grad_fn": type(loss.grad_fn).__name__,
            "leaf_flags": (w.is_leaf, w.requires_grad, z.is_leaf, z.requires_grad),
            "second_error": second_error,
            "tracking": (tracked, untracked, detached, disabled), "shapes": shapes}


if __name__ == "__main__":
    main()
