"""Tutorial 003: leaves and grad_fn, a mean's gradient, accumulation, ``z.backward(v)``.

Run: ``python examples/tutorials/vector_jacobian.py``.  With x = ones(2, 2),
out = mean(3 (x + 2)^2) = 27 and d out / dx = 6 (x + 2) / 4 = 4.5; adding
``x.sum()``'s gradient gives 5.5, zeroing first gives 1.  For z = view(2 x)
and v = [[1, 0.1], [0.01, 0.001]], ``z.backward(v)`` gives x.grad = 2 v =
[2, 0.2, 0.02, 0.002].  (The tutorial printed old PyTorch names such as
``AddBackward``/``MeanBackward1``; today's PyTorch, and srcxform, print
``AddBackward0``/``MeanBackward0``.)
"""

import srcxform as torch


def main() -> dict:
    x = torch.ones(2, 2, requires_grad=True)
    print(x)
    print(x.grad_fn)
    y = x + 2
    print(y)
    print(y.grad_fn)
    print(x.is_leaf, y.is_leaf)
    z = y * y * 3
    out = z.mean()
    print(z, out)

    a = torch.randn(2, 2)
    a = ((a * 3) / (a - 1))
    print(a.requires_grad)
    a.requires_grad_(True)
    print(a.requires_grad)
    b = (a * a).sum()
    print(b.grad_fn)

    out.backward()
    print(x.grad)
    mean_grad = x.grad.tolist()
    out2 = x.sum()
    out2.backward()
    print(x.grad)
    accumulated = x.grad.tolist()
    out3 = x.sum()
    x.grad.data.zero_()
    out3.backward()
    print(x.grad)

    xv = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    yv = 2 * xv
    zv = yv.view(2, 2)
    print(zv)
    v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
    zv.backward(v)
    print(xv.grad)
    return {"x_repr": repr(x), "y_repr": repr(y), "z_repr": repr(z), "out_repr": repr(out),
            "leaf": (x.is_leaf, y.is_leaf), "b_grad_fn": type(b.grad_fn).__name__,
            "mean_grad": mean_grad, "accumulated": accumulated, "zeroed": x.grad.tolist(),
            "zv_repr": repr(zv), "vjp": xv.grad.tolist()}


if __name__ == "__main__":
    main()
