"""The matrix rules of the table (products, ``np.linalg``) against finite differences.

After this module passes, every case of ``tests/rules/linalg_specs.py`` satisfies
``linalg_check.check_case`` (gradients per output and for all outputs, tangents,
the dot-product identity) and ``check_float32``; every matrix rule of the table
has cases; and the checker fails on broken matrix rules (a wrong formula, a
gradient that ignores one output of a tuple, an unsymmetrized gradient, a
tangent of the wrong sign).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from srcxform import rules
from srcxform.rules import decompositions, linalg
from tests.rules.linalg_check import M, c, check_case, check_float32
from tests.rules.linalg_specs import LINALG_SPECS


def label_of(kind: str, key: Any) -> str:
    if kind == "method":
        return f"x.{key}()"
    return f"{getattr(key, '__module__', None) or 'numpy'}.{key.__name__}"


def primal_of(kind: str, key: Any) -> Any:
    if kind == "method":
        return lambda x, *args, **kwargs: getattr(x, key)(*args, **kwargs)
    return key


def rule_of(kind: str, key: Any) -> rules.Rule:
    return rules.lookup_method(key) if kind == "method" else rules.lookup(key)


def _params() -> list:
    params = []
    for (kind, key), cases in LINALG_SPECS.items():
        for n, case in enumerate(cases):
            label = f"{label_of(kind, key)}#{n}:{case.label()}".replace(" ", "")
            params.append(pytest.param(kind, key, case, label, id=label))
    return params


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors are deprecated")
@pytest.mark.parametrize(("kind", "key", "case", "label"), _params())
def test_rule_and_tangent(kind: str, key: Any, case, label: str) -> None:
    with np.errstate(all="ignore"):
        check_case(rule_of(kind, key), primal_of(kind, key), case, label)
        if case.raises is None:
            check_float32(rule_of(kind, key), primal_of(kind, key), case, label)


MATRIX_MODULES = ("srcxform.rules.linalg", "srcxform.rules.decompositions")


def test_every_matrix_rule_has_cases() -> None:
    rows = [(kind, key) for kind, key, rule in rules.all_rules()
            if rule.vjp.__module__ in MATRIX_MODULES]
    # rules that predate this table keep their cases in tests/test_rules_table.py
    older = {("function", np.matmul), ("function", np.dot), ("method", "dot"),
             ("function", np.outer), ("function", np.inner)}
    missing = [label_of(*row) for row in rows if row not in LINALG_SPECS and row not in older]
    assert not missing, f"matrix rules without cases in tests/rules/linalg_specs.py: {missing}"


# --- the checker can fail ------------------------------------------------------------------

def _broken(key: Any, vjp: Any) -> rules.Rule:
    return dataclasses.replace(rules.lookup(key), vjp=vjp)


def test_checker_rejects_a_wrong_inverse() -> None:
    broken = _broken(np.linalg.inv, lambda g, out, a: (-out.T @ g @ out,))  # one transpose lost
    with pytest.raises(AssertionError):
        check_case(broken, np.linalg.inv, c(M((3, 3), "invertible")), "broken-inv")


def test_checker_rejects_a_rule_that_drops_one_output() -> None:
    def eigh_values_only(g, out, a, UPLO="L"):
        w, v = out
        return ((v * g[0][..., None, :]) @ np.swapaxes(v, -1, -2),)  # ignores the vectors

    broken = _broken(np.linalg.eigh, eigh_values_only)
    with pytest.raises(AssertionError, match="output"):
        check_case(broken, np.linalg.eigh, c(M((3, 3), "sym")), "broken-eigh")


@pytest.mark.parametrize("key", [np.linalg.cholesky, np.linalg.eigh, np.linalg.eigvalsh])
def test_gradients_of_symmetric_inputs_are_symmetric(key: Any) -> None:
    """Functions that read one triangle are differentiated as functions of the symmetric
    matrix it stands for (as PyTorch, JAX and autograd): the gradient is symmetric."""
    rng = np.random.default_rng(0)
    a = M((4, 4), "sym" if key is not np.linalg.cholesky else "spd").make(rng)
    out = key(a)
    g = tuple(rng.standard_normal(np.shape(p)) for p in out) if isinstance(out, tuple) \
        else rng.standard_normal(np.shape(out))
    (grad,) = rules.lookup(key).vjp(g, out, a)
    np.testing.assert_allclose(grad, grad.T, atol=1e-12)


def test_checker_rejects_a_wrong_tangent(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = rules.lookup(np.linalg.det)
    monkeypatch.setitem(rules.registry._TANGENTS, id(rule.vjp),
                        (lambda t, out, a: -decompositions.det_tangent(t, out, a),))
    with pytest.raises(AssertionError, match="tangent"):
        check_case(rule, np.linalg.det, c(M((3, 3), "invertible")), "broken-det-tangent")


def test_checker_rejects_a_wrong_einsum_diagonal() -> None:
    rule = rules.lookup(np.einsum)

    def no_diagonal(g, out, subscripts, *operands, **options):
        return (None, *(np.ones_like(x) * np.sum(g) for x in operands))

    broken = dataclasses.replace(rule, vjp=no_diagonal)
    with pytest.raises(AssertionError):
        check_case(broken, np.einsum, c("ii->i", M((3, 3))), "broken-einsum")


def test_norm_rules_are_one_function() -> None:
    """Tangents of norm come from its rule (one formula for both modes)."""
    assert rules.tangents_of(rules.lookup(np.linalg.norm))[0] is linalg.norm_tangent
