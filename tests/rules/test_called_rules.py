"""The rules of the rules gradient code calls (``einsum_vjp``, ``multi_dot``).

After this module passes, for einsums of 1 to 3 operands (a diagonal, a
broadcast operand) and multi_dots of matrices and vectors, each rule's own
gradient (``called_rules``) and its tangents (``registry.tangent``) agree with
central differences of the rule evaluated as a function of the cotangent and
the operands.
"""

from __future__ import annotations

import numpy as np
import pytest

from srcxform import rules
from srcxform.rules import linalg, registry
from tests.helpers import central_difference

EINSUMS = [("ij,j->i", [(3, 2), (2,)]), ("ij,jk->ik", [(2, 3), (3, 2)]), ("i,i->", [(3,), (3,)]),
           ("ii->i", [(3, 3)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
           ("ij,ij->i", [(2, 1), (2, 3)])]
MULTI_DOTS = [[(2, 3), (3, 4), (4, 2)], [(3,), (3, 2), (2, 2), (2,)]]


def _flat(value):
    """The arrays of a result (a tuple of gradients, ``None`` skipped; lists opened)."""
    out = []
    for v in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(v, (list, tuple)):
            out += _flat(v)
        elif v is not None:
            out.append(np.asarray(v, dtype=float))
    return out


def _check(fn, args, rng):
    rule = rules.lookup(fn)
    out = fn(*args)
    g = tuple(None if o is None else [rng.standard_normal(np.shape(x)) for x in o]
              if isinstance(o, list) else rng.standard_normal(np.shape(o)) for o in out)
    grads = rule.vjp(g, out, *args)
    positions = [0] + list(range(3, len(args))) if fn is linalg.einsum_vjp else [0, 2]
    for i in positions:
        t = [rng.standard_normal(np.shape(x)) for x in args[i]] if isinstance(args[i], list) \
            else rng.standard_normal(np.shape(args[i]))
        directions = [t if j == i else None for j in range(len(args))]
        numeric = central_difference(fn, args, directions)
        numeric = _flat(numeric[1:] if fn is linalg.einsum_vjp else numeric)  # (None: nan)
        jt = _flat(registry.tangent(rule, fn, i, t, out, args, {}))
        assert len(jt) == len(numeric)
        for got, want in zip(jt, numeric):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
        pairing = sum(np.sum(a * b) for a, b in zip(_flat(g), numeric))  # <g, J t> = <J^T g, t>
        assert np.isclose(pairing, sum(np.sum(a * b) for a, b in zip(_flat(grads[i]), _flat(t))),
                          rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize(("subscripts", "shapes"), EINSUMS, ids=[s for s, _ in EINSUMS])
def test_einsum_vjp_rule_and_tangents(subscripts, shapes) -> None:
    rng = np.random.default_rng(7)
    operands = [rng.standard_normal(s) for s in shapes]
    out = np.einsum(subscripts, *operands)
    _check(linalg.einsum_vjp, [rng.standard_normal(np.shape(out)), out, subscripts, *operands],
           rng)


@pytest.mark.parametrize("shapes", MULTI_DOTS, ids=[str(len(s)) for s in MULTI_DOTS])
def test_multi_dot_rule_and_tangents(shapes) -> None:
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal(s) for s in shapes]
    out = np.linalg.multi_dot(arrays)
    _check(linalg.multi_dot, [rng.standard_normal(np.shape(out)), out, arrays], rng)
