"""Tutorials 000, 001 and 003: ``no_grad``, ``detach`` and writing through ``.data``.

Run: ``python examples/tutorials/stopping_gradients.py``.  y3 = x^2 + x^3
with the cube computed under ``no_grad`` has gradient 2 at x = 1 (only the
square is tracked); ``y2.backward()`` raises PyTorch's "element 0 of tensors
does not require grad" error; w = 3 * (2 x).detach() does not reach x, so
``x.grad`` stays None; ``x.data *= 100`` changes x to 100 without touching
the graph, so y = 2 x still gives x.grad = 2.
"""

import srcxform as torch


def main() -> dict:
    x = torch.tensor(1.0, requires_grad=True)
    y1 = x ** 2
    with torch.no_grad():
        y2 = x ** 3
    y3 = y1 + y2
    print(x.requires_grad)
    print(y1, y1.requires_grad)  # tensor(1., grad_fn=<PowBackward0>) True
    print(y2, y2.requires_grad)  # tensor(1.) False
    print(y3, y3.requires_grad)  # tensor(2., grad_fn=<AddBackward0>) True
    y3.backward()
    print(x.grad)  # tensor(2.)
    no_grad_grad = x.grad.item()
    try:
        y2.backward()
        y2_error = None
    except RuntimeError as e:
        y2_error = str(e)
        print("RuntimeError:", e)

    xd = torch.tensor(2.0, requires_grad=True)
    yd = xd * 2
    zd = yd.detach()
    print("y requires_grad:", yd.requires_grad)  # True
    print("z requires_grad:", zd.requires_grad)  # False
    wd = zd * 3
    try:
        wd.backward()
        detach_error = None
    except RuntimeError as e:
        # The tutorial expects this to run; PyTorch raises, as w does not require grad.
        detach_error = str(e)
        print("RuntimeError:", e)
    print(xd.grad)  # None

    xn = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        yn = xn * 2
    zn = xn * 3
    print("y requires_grad:", yn.requires_grad)  # False
    print("z requires_grad:", zn.requires_grad)  # True

    xr = torch.randn(3, requires_grad=True)
    with torch.no_grad():
        yr = xr * 2
    print("y require_grad is:", yr.requires_grad)  # False

    xs = torch.ones(1, requires_grad=True)
    print(xs.data)  # tensor([1.])
    print(xs.data.requires_grad)  # False
    ys = 2 * xs
    xs.data *= 100
    ys.backward()
    print(xs)  # tensor([100.], requires_grad=True)
    print(xs.grad)  # tensor([2.])
    return {"y1": repr(y1), "y2": repr(y2), "y3": repr(y3), "no_grad_grad": no_grad_grad,
            "y2_error": y2_error, "detach_error": detach_error, "detach_x_grad": xd.grad,
            "no_grad_flags": (yn.requires_grad, zn.requires_grad, yr.requires_grad),
            "data_x": repr(xs), "data_grad": xs.grad.tolist()}


if __name__ == "__main__":
    main()
