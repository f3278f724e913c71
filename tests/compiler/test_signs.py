"""``signs.py``: a backward negation absorbed by the subtraction it reaches.

On hand-written backward bodies the tests check each step the docstring
promises (through products, quotients, sums, names bound and read once; an
addition becomes a subtraction, a subtraction an addition, ``--n`` ``n``) and
each place the negation must stay (a second reader, a call, a subscript, a
return, a loop, an operand that is not an adjoint); the rewritten body gives
the same values bit for bit.  Whole gradients are checked against central
finite differences and HIPS autograd, and against the same gradient with the
pass switched off (bit for bit).
"""

from __future__ import annotations

import ast

import numpy as np
import pytest

import srcxform as sx
from srcxform.compiler import anno, lower, signs, transform
from tests.compiler.passes import env, statements, text
from tests.helpers import finite_difference, with_autograd_numpy

RNG = np.random.default_rng(5)
VALUES = {"u": RNG.standard_normal((4, 3)), "s": RNG.uniform(1.0, 2.0, (4, 1)),
          "e": RNG.standard_normal((4, 3)), "a": RNG.standard_normal((4, 3)),
          "k": np.array([[1], [2], [3], [4]], dtype=np.uint8)}
ADJOINTS = {"bu", "bt", "bq", "br", "bz", "bout", "u", "a"}


def _backward(source: str) -> list[ast.stmt]:
    body = statements(source)
    for stmt in body:
        anno.set(stmt, anno.GRAD, True)
    return body


def _run(body: list[ast.stmt]) -> dict:
    scope = {"np": np, **{k: v.copy() for k, v in VALUES.items()}}
    exec(compile(ast.fix_missing_locations(ast.Module(body, [])), "<test>", "exec"), scope)
    return scope


def _sunk(source: str) -> tuple[str, dict, dict]:
    body = _backward(source)
    want = _run(_backward(source))
    signs.sink_negations(body, ADJOINTS, env())
    return text(body), want, _run(body)


@pytest.mark.parametrize("source, expected", [
    ("bt = np.sum(-u, axis=1, keepdims=True)\nbq = bt / s\nbr = bq * e\nbz = a + br",
     "bt = np.sum(u, axis=1, keepdims=True)\nbq = bt / s\nbr = bq * e\nbz = a - br"),
    ("bt = -u\nbz = a + bt * e", "bt = u\nbz = a - bt * e"),
    ("bt = -u\nbz = bt * e + a", "bt = u\nbz = a - bt * e"),
    ("bt = -u\nbz = a - e / bt", "bt = u\nbz = a + e / bt"),
    ("bt = -u\nbz = -(bt * e)", "bt = u\nbz = bt * e"),
    ("bt = -u * 2.0\nbq = bt - a\nbz = e + bq", "bt = u * 2.0\nbq = bt + a\nbz = e - bq"),
    ("bz = a * 1.0\nbt = -u\nbz += bt * e", "bz = a * 1.0\nbt = u\nbz -= bt * e"),
    ("bz = a * 1.0\nbz += -u * e", "bz = a * 1.0\nbz -= u * e"),
    ("bz = a - (-u * e)", "bz = a + u * e"),
    ("bz = -(-u * e) + a", "bz = u * e + a"),
])
def test_the_negation_is_absorbed_and_every_value_is_the_same(source, expected):
    got, want, have = _sunk(source)
    assert got == expected
    np.testing.assert_array_equal(have["bz"], want["bz"])


@pytest.mark.parametrize("source", [
    "bt = -u\nbz = a + bt * e\nbout = bt * 2.0",  # read twice
    "bt = -u\nbz = a + np.exp(bt)",  # a call that is not linear
    "bt = -u\nbz = a + bt[0]",  # a subscript
    "bt = -u\nbq = bt * e",  # never absorbed: the chain ends negated
    "bt = -k\nbz = a + bt * e",  # an integer operand: -k of uint8 is not exact
    "bt = -u\nfor i in range(2):\n    bz = a + bt * e",  # the reader is a loop
    "bt = -u\nbz = a + bt * e\nbz = bz * 2.0",  # the target bound twice: not a chain link
    "bz = a + -(-u)",  # a double negation itself: optimize folds it
    "bz = a * -k",  # not an adjoint
])
def test_the_negation_stays_where_it_cannot_be_absorbed(source):
    got, want, have = _sunk(source)
    if source.startswith("bt = -u\nbz = a + bt * e\nbz"):  # the first link is still fine
        np.testing.assert_array_equal(have["bz"], want["bz"])
        return
    assert got == text(_backward(source))


def test_a_returned_value_keeps_its_sign():
    body = _backward("bt = -u\nbq = bt * e")
    body.append(ast.Return(ast.Name("bq", ast.Load())))
    signs.sink_negations(body, ADJOINTS, env())
    assert text(body).startswith("bt = -u")


def softmax_xent(W, X, Y):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * (logits - lse), axis=1))


def negated_twice(x, y):
    t = -np.sum(x * y)
    return t * t + np.sum(np.sin(x)) - 3.0 * t


@pytest.mark.parametrize("f, args", [
    (softmax_xent, (RNG.standard_normal((3, 4)), RNG.standard_normal((5, 3)),
                    np.eye(4)[RNG.integers(0, 4, 5)])),
    (negated_twice, (RNG.standard_normal(4), RNG.standard_normal(4))),
])
def test_gradients_match_the_oracles_and_the_code_without_the_pass(f, args, monkeypatch):
    import autograd

    got = sx.grad(f)(*args)
    np.testing.assert_allclose(got, finite_difference(f, args, 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got, autograd.grad(with_autograd_numpy(f))(*args),
                               rtol=1e-10, atol=1e-12)
    shapes = {p: np.shape(a) for p, a in zip(("W", "X", "Y") if f is softmax_xent
                                              else ("x", "y"), args)}
    made = transform(f, 0, "grad", shapes=shapes)
    monkeypatch.setattr(lower, "sink_negations", lambda body, adjoints, env, counts=None: None)
    without = transform(f, 0, "grad", shapes=shapes)
    assert made.source != without.source  # the pass did something here
    np.testing.assert_array_equal(made.fn(*args), without.fn(*args))
