"""The transform family on one small model: vjp, jvp, hessian, a custom adjoint, sx.compile.

Run:  python examples/transforms.py

Every number printed is checked against an independent oracle (central finite
differences) before it is shown.
"""

import numpy as np

import srcxform as sx

EPS = 1e-6


def layer(x, W):
    return np.tanh(W @ x)


def loss(x, W):
    return np.sum(layer(x, W) ** 2)


def stable_softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


@sx.adjoint(stable_softplus)
def stable_softplus_rule(g, out, x):
    # d/dx softplus(x) = sigmoid(x), written so that it never overflows
    return (g * 0.5 * (1.0 + np.tanh(0.5 * x)),)


def smooth_loss(x):
    return np.sum(stable_softplus(x) ** 2)


def main() -> None:
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=3), rng.normal(size=(4, 3))

    # vjp: the forward sweep runs once; the pullback runs only the backward sweep
    out, pullback = sx.vjp(layer, x, W)
    ct = rng.normal(size=4)
    gx, gW = pullback(ct)
    fd = np.array([(ct @ layer(x + EPS * e, W) - ct @ layer(x - EPS * e, W)) / (2 * EPS)
                   for e in np.eye(3)])
    assert np.allclose(gx, fd, rtol=1e-5, atol=1e-8)
    print("# sx.vjp(layer, x, W): the generated sweeps")
    print(sx.source(pullback))

    # jvp: forward mode, the tangent carried along with each value
    dx = rng.normal(size=3)
    value, tangent = sx.jvp(loss, (x, W), (dx, None))
    fd = (loss(x + EPS * dx, W) - loss(x - EPS * dx, W)) / (2 * EPS)
    assert np.isclose(tangent, fd, rtol=1e-5)
    print("# sx.jvp(loss, (x, W), (dx, None)): the generated forward mode")
    print(sx.source(sx.jvp_fn(loss, wrt="x")))

    # hessian: forward mode over the generated gradient code
    H = sx.hessian(loss)(x, W)
    dloss = sx.grad(loss)
    fd = np.stack([(dloss(x + EPS * e, W) - dloss(x - EPS * e, W)) / (2 * EPS)
                   for e in np.eye(3)], axis=1)
    assert np.allclose(H, fd, rtol=1e-4, atol=1e-6)
    print("hessian of loss with respect to x:\n", np.round(H, 4))

    # a custom adjoint, used by the compiler and by the eager runtime
    big = np.array([-800.0, 0.5, 800.0])
    print("\ngrad of a softplus loss at", big, "=", sx.grad(smooth_loss)(big))
    t = sx.tensor(big, dtype=sx.float64, requires_grad=True)
    stable_softplus(t).sum().backward()
    print("eager: softplus(t).grad_fn =", stable_softplus(t).grad_fn.name(), " t.grad =", t.grad)

    # sx.compile: the generated gradient as one node of an eager graph
    compiled_layer = sx.compile(layer)
    xt = sx.tensor(x, requires_grad=True)
    Wt = sx.tensor(W, requires_grad=True)
    y = compiled_layer(xt, Wt)
    (y ** 2).sum().backward()
    print("compiled: y.grad_fn =", y.grad_fn.name(), " x.grad =", xt.grad)


if __name__ == "__main__":
    main()
