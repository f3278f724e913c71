"""Every rule's tangent (forward mode) against central finite differences.

After this module passes, for every spec case of ``tests/test_rules_table.py``
and every differentiable argument (each item of a sequence argument), the
tangent the table gives (``registry.tangent``: the same derivation the
forward-mode compiler inlines) for a random direction ``t`` has the output's
shape and agrees with ``(f(x + eps t) - f(x - eps t)) / 2 eps``; and the
tangent and the rule's gradient satisfy the dot-product identity
``<g, J t> == <J^T g, t>``, which ties the two modes of the one table together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from srcxform import rules
from srcxform.rules import registry
from tests.helpers import central_difference
from tests.test_rules_table import (
    EPS,
    ROWS,
    SPECS,
    Case,
    _cotangent,
    _get,
    _leaves,
    _with,
    key_label,
    materialize,
    pairing,
    primal_of,
    rng_for,
)

RTOL = 1e-5
ATOL = 1e-6


def _params() -> list:
    params = []
    for kind, key, rule in ROWS:
        for n, case in enumerate(SPECS.get((kind, key), [])):
            if case.raises is not None:
                continue
            label = f"{key_label(kind, key)}#{n}:{case.label()}"
            params.append(pytest.param(kind, key, rule, case, id=label))
    return params


def _direction(x: Any, rng: np.random.Generator) -> Any:
    if isinstance(x, float):
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(x))


def _tangent_args(args: list, address: tuple[int, ...], t: Any) -> tuple[int, Any]:
    """The positional index and the tangent value to pass for ``address``."""
    i = address[0]
    if len(address) == 2:  # one item of a sequence argument moves, the others stay
        seq = [np.zeros_like(e) for e in args[i]]
        seq[address[1]] = t
        return i, type(args[i])(seq)
    return i, t


@pytest.mark.parametrize(("kind", "key", "rule", "case"), _params())
def test_tangent_matches_finite_differences(kind: str, key: Any, rule: registry.Rule,
                                            case: Case) -> None:
    rng = rng_for(f"tangent:{key_label(kind, key)}:{case.label()}")
    primal = primal_of(kind, key)
    args, kwargs = materialize(case, rng)
    out = primal(*args, **kwargs)
    eps, rtol = case.eps or EPS, case.rtol or RTOL
    for address in _leaves(args, case.positions()):
        x = _get(args, address)
        t = _direction(x, rng)
        index, t_arg = _tangent_args(args, address, t)
        with np.errstate(all="ignore"):
            jt = registry.tangent(rule, primal, index, t_arg, out, args, kwargs)
        def at(value, x=x, address=address):
            return primal(*_with(args, address, value if isinstance(x, float)
                                 else np.asarray(value)), **kwargs)

        numeric = central_difference(at, [x], [t], eps)
        several = isinstance(out, (list, tuple))  # a primitive returning pieces (np.split)
        pieces = list(zip(jt, numeric)) if several else [(jt, numeric)]
        assert len(pieces) == (len(out) if several else 1)
        for piece, (got, want_value) in enumerate(pieces):
            want = np.shape(out[piece]) if several else np.shape(out)
            assert np.shape(got) == want, (np.shape(got), want)
            np.testing.assert_allclose(np.asarray(got, dtype=float), want_value, rtol=rtol,
                                       atol=ATOL, err_msg=f"argument {address}, piece {piece}")
        # the dot-product identity with the rule's own gradient
        g = _cotangent(out, rng)
        with np.errstate(all="ignore"):
            grads = rule.vjp(g, out, *args, **kwargs)
        grad = grads[index]
        if len(address) == 2:
            grad = grad[address[1]]
        if rule.elementwise:
            grad = rules.unbroadcast(grad, x)
        np.testing.assert_allclose(pairing(g, jt), np.sum(np.asarray(grad) * t),
                                   rtol=1e-9, atol=1e-9)


def test_a_wrong_tangent_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = rules.lookup(np.max)
    wrong = (lambda t, out, x, axis=None, keepdims=False: np.sum(t, axis=axis,
                                                                 keepdims=keepdims),)
    monkeypatch.setitem(registry._TANGENTS, id(rule.vjp), wrong)
    case = SPECS[("function", np.max)][0]
    with pytest.raises(AssertionError):
        test_tangent_matches_finite_differences("function", np.max, rule, case)


def test_sequence_adjoint_helpers_have_the_tangents_of_sums():
    """``add_each``/``add_to_each`` (generated code's list adjoints) are sums, not linear
    maps of one argument: their tangents against differences on lists."""
    from srcxform.rules import sequences

    rng = np.random.default_rng(3)
    a, b = [rng.normal(size=2), rng.normal(size=3)], [rng.normal(size=2), rng.normal(size=3)]
    c = float(rng.normal())
    ta, tb = [rng.normal(size=2), rng.normal(size=3)], [rng.normal(size=2), rng.normal(size=3)]
    tc = float(rng.normal())
    cases = [
        (sequences.add_each, [a, b], 0, ta), (sequences.add_each, [a, b], 1, tb),
        (sequences.add_to_each, [a, c], 0, ta), (sequences.add_to_each, [a, c], 1, tc),
    ]
    for fn, args, i, t in cases:
        rule = rules.lookup(fn)
        out = fn(*args)
        jt = registry.tangent(rule, fn, i, t, out, args, {})
        direction = [t if j == i else None for j in range(len(args))]
        for got, numeric in zip(jt, central_difference(fn, args, direction, EPS)):
            np.testing.assert_allclose(got, numeric, rtol=RTOL, atol=ATOL)
