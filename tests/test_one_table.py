"""Both consumers read the one rule table: the compiler and the eager runtime.

A deliberately marked rule (gradient 7 everywhere, not tanh's derivative) is
registered for ``np.tanh``; both the generated gradient and ``backward`` on a
Tensor must then give 7, which no formula written elsewhere could produce.
"""

from __future__ import annotations

import numpy as np

import srcxform as sx
from srcxform.rules import registry


def _marked_tanh(g, out, x):
    return (g * 7.0,)


def test_a_registered_rule_is_used_by_compiler_and_runtime():
    original = registry.lookup(np.tanh)
    registry.register(np.tanh, elementwise=True, backward_name="TanhBackward0")(_marked_tanh)
    try:
        def f(x):
            return np.sum(np.tanh(x))

        x = np.array([0.1, -0.4, 0.9])
        np.testing.assert_allclose(sx.grad(f)(x), [7.0, 7.0, 7.0])
        assert "7.0" in sx.source(sx.grad(f))

        t = sx.tensor(x, dtype=sx.float64, requires_grad=True)
        np.tanh(t).sum().backward()
        np.testing.assert_allclose(t.grad.numpy(), [7.0, 7.0, 7.0])
    finally:
        registry.register(np.tanh, elementwise=True,
                          backward_name=original.backward_name)(original.vjp)
    t = sx.tensor(x, dtype=sx.float64, requires_grad=True)
    np.tanh(t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), 1 - np.tanh(x) ** 2)


def test_arguments_bind_a_call_as_inspect_does_for_every_rule():
    """Rule.arguments (the compiler's fast path) gives what bind(...).arguments gives, or
    raises TypeError where it raises, for every rule of the table and 0..n+1 positional
    arguments, and with a keyword."""
    for _, _, rule in registry.all_rules():
        count = len(rule.signature.parameters)
        calls = [(tuple(range(n)), {}) for n in range(count + 1)]
        calls += [((0,), {name: 1}) for name in list(rule.signature.parameters)[3:4]]
        for args, kwargs in calls:
            try:
                expected = dict(rule.bind(*args, **kwargs).arguments)
            except TypeError:
                expected = TypeError
            try:
                got = rule.arguments(args, kwargs)
            except TypeError:
                got = TypeError
            assert got == expected, (rule.name, args, kwargs)
            if expected is not TypeError:
                assert list(got) == list(expected)
