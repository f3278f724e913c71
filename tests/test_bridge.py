"""``sx.adjoint`` and ``sx.compile``: the bridge between the compiler and the eager runtime.

Oracles: finite differences of the NumPy function, the same model run eagerly
(whose ops are checked against real PyTorch in tests/runtime), and, for the
custom rule, a rule whose gradient is deliberately marked so only its use can
explain the result.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform import nn, optim
from srcxform.testing import check_grad
from tests.helpers import finite_difference

# --- sx.adjoint ---------------------------------------------------------------------------

def stable_softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


@sx.adjoint(stable_softplus)
def stable_softplus_rule(g, out, x):
    return (g * 0.5 * (1.0 + np.tanh(0.5 * x)),)


def uses_softplus(x, w):
    return np.sum(stable_softplus(x * w) ** 2)


def test_custom_rule_is_used_by_the_compiler_and_matches_finite_differences():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=5), rng.normal(size=5)
    df = sx.grad(uses_softplus, wrt=(0, 1))
    check_grad(uses_softplus, x, w, wrt=0)
    check_grad(uses_softplus, x, w, wrt=1)
    assert "tanh" in sx.source(df)  # the rule's formula, inlined
    # where exp would overflow, the rule still gives the right gradient (1 * 2 * out)
    big = np.array([800.0])
    np.testing.assert_allclose(sx.grad(uses_softplus)(big, np.ones(1)), 2 * 800.0)


def test_custom_rule_is_used_by_the_eager_runtime():
    x = np.array([-1.0, 0.5, 3.0])
    t = sx.tensor(x, dtype=sx.float64, requires_grad=True)
    y = stable_softplus(t)
    assert type(y.grad_fn).__name__ == "stable_softplusBackward"
    y.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), 1 / (1 + np.exp(-x)))
    # on plain arrays the name is the function itself
    np.testing.assert_allclose(stable_softplus(x), np.log1p(np.exp(x)))


def _scaled(x):
    return x * 1.0


@sx.adjoint(_scaled)
def _scaled_rule(g, out, x):  # deliberately not the derivative: marks that it is used
    return (g * 3.0,)


def test_marked_rule_reaches_both_consumers():
    def f(x):
        return np.sum(_scaled(x))

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(sx.grad(f)(x), [3.0, 3.0])
    t = sx.tensor(x, requires_grad=True)
    _scaled(t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [3.0, 3.0])


def _cumulative(x):
    return np.cumsum(x)


def _make_loop_rule():
    flip = -1  # a closure: the rule cannot be inlined, it is called

    @sx.adjoint(_cumulative)
    def rule(g, out, x):
        total = np.zeros_like(x)
        acc = 0.0
        for i in range(len(x) - 1, -1, -1):
            acc = acc + g[i]
            total[i] = acc
        return (total * -flip,)


_make_loop_rule()


def test_rule_with_a_loop_is_called_not_inlined():
    def f(x):
        return np.sum(_cumulative(x) ** 2)

    x = np.array([0.5, -1.0, 2.0, 0.25])
    check_grad(f, x)
    assert "rule(" in sx.source(sx.grad(f))


def _cube(x):
    return x ** 3


# a rule whose source cannot be read (made by exec, as a code generator would): called
_RULE_SPACE: dict = {"np": np, "__name__": __name__}
exec("def cube_rule(g, out, x):\n    return (g * 3.0 * x ** 2,)\n", _RULE_SPACE)
sx.adjoint(_cube)(_RULE_SPACE["cube_rule"])


def test_a_rule_without_readable_source_is_called():
    def f(x):
        return np.sum(_cube(x) * 2.0)

    x = np.array([0.5, -1.0, 1.5])
    numeric = finite_difference(f, (x,), 0)
    np.testing.assert_allclose(sx.grad(f)(x), numeric, rtol=1e-6)
    np.testing.assert_allclose(sx.value_and_grad(f)(x)[1], numeric, rtol=1e-6)
    np.testing.assert_allclose(sx.vjp(f, x)[1](1.0)[0], numeric, rtol=1e-6)
    assert "cube_rule(" in sx.source(sx.grad(f))


def test_adjoint_rejects_a_rule_without_g_out():
    with pytest.raises(TypeError, match=r"\(g, out"):
        @sx.adjoint(np.sin)
        def wrong(x, g):
            return (g,)


def test_forward_mode_has_no_tangent_for_a_custom_rule():
    with pytest.raises(sx.TransformError, match="tangent"):
        sx.jvp(uses_softplus, (np.ones(2), np.ones(2)), (np.ones(2), None))


# --- sx.compile ---------------------------------------------------------------------------

def mlp_block(x, W1, b1, W2):
    h = np.tanh(x @ W1 + b1)
    out = np.zeros((x.shape[0], W2.shape[1]))
    for i in range(x.shape[0]):
        out[i] = np.maximum(h[i] @ W2, 0.1 * (h[i] @ W2))
    return out


compiled_block = sx.compile(mlp_block)


class Model(nn.Module):
    def __init__(self, compiled: bool) -> None:
        super().__init__()
        sx.manual_seed(3)
        self.first = nn.Linear(3, 5)
        self.W1 = nn.Parameter(sx.randn(5, 6) * 0.5)
        self.b1 = nn.Parameter(sx.zeros(6))
        self.W2 = nn.Parameter(sx.randn(6, 2) * 0.5)
        self.block = compiled_block if compiled else mlp_block_eager

    def forward(self, x):
        return self.block(self.first(x), self.W1, self.b1, self.W2)


def mlp_block_eager(x, W1, b1, W2):
    h = sx.tanh(x @ W1 + b1)
    z = h @ W2
    return sx.maximum(z, 0.1 * z)


def _train(compiled: bool) -> tuple[list[float], list[np.ndarray]]:
    model = Model(compiled)
    opt = optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(1)
    X = sx.tensor(rng.normal(size=(8, 3)), dtype=sx.float32)
    Y = sx.tensor(rng.normal(size=(8, 2)), dtype=sx.float32)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


def test_compiled_node_inside_a_module_trains_like_the_eager_model():
    eager_losses, eager_params = _train(compiled=False)
    compiled_losses, compiled_params = _train(compiled=True)
    np.testing.assert_allclose(compiled_losses, eager_losses, rtol=1e-5)
    assert eager_losses[-1] < eager_losses[0]
    for a, b in zip(compiled_params, eager_params):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_compiled_function_is_one_node():
    rng = np.random.default_rng(2)
    x = sx.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    W1 = sx.tensor(rng.normal(size=(3, 6)), requires_grad=True)
    b1 = sx.tensor(rng.normal(size=6))
    W2 = sx.tensor(rng.normal(size=(6, 2)), requires_grad=True)
    out = compiled_block(x, W1, b1, W2)
    assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
    assert out.grad_fn.next_functions[2] == (None, 0)  # b1 does not require grad
    g = rng.normal(size=(4, 2))
    out.backward(sx.tensor(g))
    assert b1.grad is None
    # the oracle: vjp of the NumPy function by finite differences, per element of W1
    raw = [a.detach().numpy().astype(np.float64) for a in (x, W1, b1, W2)]
    fd = finite_difference(lambda *a: np.sum(mlp_block(*a) * g), raw, 1)
    np.testing.assert_allclose(W1.grad.numpy(), fd, rtol=1e-3, atol=1e-4)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        out.backward(sx.tensor(g))


def test_no_grad_around_a_compiled_call_records_nothing():
    x = sx.randn(2, 3, requires_grad=True)
    W1, b1, W2 = sx.randn(3, 4, requires_grad=True), sx.zeros(4), sx.randn(4, 2)
    with sx.no_grad():
        out = compiled_block(x, W1, b1, W2)
    assert out.grad_fn is None and not out.requires_grad
    raw = [a.detach().numpy() for a in (x, W1, b1, W2)]
    np.testing.assert_allclose(out.numpy(), mlp_block(*raw), rtol=1e-5)


def test_compiled_function_on_arrays_is_the_function():
    rng = np.random.default_rng(4)
    args = (rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=4),
            rng.normal(size=(4, 2)))
    np.testing.assert_allclose(compiled_block(*args), mlp_block(*args))


def test_a_keyword_tensor_that_requires_grad_is_refused():
    W1, b1, W2 = sx.randn(3, 4, requires_grad=True), sx.zeros(4), sx.randn(4, 2)
    x = sx.randn(2, 3)
    with pytest.raises(TypeError, match="positionally"):
        compiled_block(x, W1, b1, W2=sx.randn(4, 2, requires_grad=True))
    out = compiled_block(x, W1, b1, W2=W2)  # a constant keyword argument is fine
    assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
