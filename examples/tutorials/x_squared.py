"""Tutorials 000 and 001: the gradient of sum(x ** 2), and of (x + 1) ** 2.

Run: ``python examples/tutorials/x_squared.py``.  Prints ``tensor([4., 6.])``
(d/dx sum(x^2) = 2x at x = [2, 3]) and ``tensor(6.)`` (d/dx (x+1)^2 = 2(x+1)
at x = 2).  Tutorial 001 then calls ``z.backward()`` a second time and says
the gradient accumulates; real PyTorch refuses (``y * y`` saved ``y`` and
the first backward freed it), so this script shows that error, as PyTorch
would, and then accumulates with ``retain_graph=True`` instead.
"""

import srcxform as torch


def main() -> dict:
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    y = x ** 2
    z = y.sum()
    z.backward()
    print(x.grad)  # tensor([4., 6.])

    x2 = torch.tensor(2.0, requires_grad=True)
    y2 = x2 + 1
    z2 = y2 * y2
    z2.backward()
    print("x's gradient:", x2.grad)  # tensor(6.)
    first = x2.grad.item()
    try:
        z2.backward()
        second_error = None
    except RuntimeError as e:
        second_error = str(e)
        print("RuntimeError:", e)

    x3 = torch.tensor(2.0, requires_grad=True)
    z3 = (x3 + 1) * (x3 + 1)
    z3.backward(retain_graph=True)
    z3.backward()
    print("x's gradient after two backward():", x3.grad)  # tensor(12.)
    accumulated = x3.grad.item()
    x3.grad.zero_()
    z4 = (x3 + 1) * (x3 + 1)
    z4.backward()
    print("x's gradient after zeroing the gradient:", x3.grad)  # tensor(6.)
    return {"x_grad": x.grad.tolist(), "z_grad_fn": type(z.grad_fn).__name__,
            "y_grad_fn": type(y.grad_fn).__name__, "first": first,
            "second_error": second_error, "accumulated": accumulated,
            "after_zero": x3.grad.item()}


if __name__ == "__main__":
    main()
