"""The corpus checks themselves: they pass a correct transform and fail a wrong one.

Almost every corpus model fails in srcxform today, so the comparison code in
``checks.py`` would otherwise never run.  Here ``checks.sx`` is replaced by a
stand-in whose transforms return the oracles' answers in the arguments' own
structure; every check must pass on it, and must fail when one leaf is off
by 1e-3, when a list gradient comes back as a tuple, or when a float leaf's
gradient is an array.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from tests.models import checks, oracles
from tests.models.corpus import BY_NAME, TRANSFORMS

# a pytree model, a tuple wrt, a float argument with a Hessian (twin-evaluated),
# an array Hessian, and a model without autograd (finite differences only)
NAMES = ["mlp_tuples", "gan", "newton", "negative_binomial", "fluid"]


def _as_structure(g, arg):
    """``g`` rebuilt with ``arg``'s containers, a float for a float, float arrays."""
    if isinstance(arg, dict):
        return {k: _as_structure(g[k], arg[k]) for k in arg}
    if isinstance(arg, (list, tuple)):
        items = [_as_structure(x, a) for x, a in zip(g, arg)]
        return items if isinstance(arg, list) else tuple(items)
    if type(arg) is float:
        return float(g)
    return np.asarray(g, dtype=float)


def _map_float(arg):
    if isinstance(arg, dict):
        return {k: _map_float(v) for k, v in arg.items()}
    if isinstance(arg, (list, tuple)):
        items = [_map_float(v) for v in arg]
        return items if isinstance(arg, list) else tuple(items)
    return 0.0 if type(arg) is float else np.zeros(np.shape(arg))


def _expected(name):
    p = checks.prepare(name)
    refs = checks.autograd_gradients(name) or checks.fd_gradients(name)
    return p, tuple(_as_structure(g, p.args[i]) for i, g in zip(p.wrt, refs))


def _perturbed(g, arg):
    """``g`` with the first element of its last float leaf moved by 1e-3."""
    path, leaf = oracles.leaf_paths(arg)[-1]
    value = oracles.get(g, path)
    if isinstance(value, float):
        return oracles.replace(g, path, value + 1e-3)
    moved = np.array(value, dtype=float)
    moved.flat[0] += 1e-3
    return oracles.replace(g, path, moved)


def _stand_in(name, mutate=None):
    p, grads = _expected(name)
    if mutate is not None:
        grads = tuple(mutate(g, p.args[i]) for i, g in zip(p.wrt, grads))
    value = checks.value(name)
    single = not isinstance(p.model.wrt, tuple)

    def grad(f, wrt=0):
        return lambda *args: grads[0] if single else grads

    def value_and_grad(f, wrt=0):
        return lambda *args: (value, grads[0] if single else grads)

    def vjp(f, *primals):
        by_index = dict(zip(p.wrt, grads))
        out = tuple(by_index.get(i, _map_float(a)) for i, a in enumerate(primals))
        return value, (lambda cotangent: out)

    def jvp(f, primals, tangents):
        return value, sum(oracles.tree_vdot(g, tangents[i]) for i, g in zip(p.wrt, grads))

    def hessian(f, wrt=0):
        import autograd

        H = np.asarray(autograd.hessian(p.twin_fn, wrt)(*p.twin_args), dtype=float)
        if mutate is not None:
            H = H + 1e-3
        return lambda *args: float(H) if type(args[wrt]) is float else H

    return types.SimpleNamespace(grad=grad, value_and_grad=value_and_grad, vjp=vjp, jvp=jvp,
                                 hessian=hessian)


CASES = [(n, t) for n in NAMES for t in TRANSFORMS if t != "hessian" or BY_NAME[n].hessian]


@pytest.mark.parametrize("name,transform", CASES, ids=[f"{n}-{t}" for n, t in CASES])
def test_checks_pass_a_correct_transform(monkeypatch, name, transform):
    monkeypatch.setattr(checks, "sx", _stand_in(name))
    checks.check(name, transform)


@pytest.mark.parametrize("name,transform", CASES, ids=[f"{n}-{t}" for n, t in CASES])
def test_checks_fail_a_wrong_value(monkeypatch, name, transform):
    monkeypatch.setattr(checks, "sx", _stand_in(name, mutate=_perturbed))
    with pytest.raises(AssertionError):
        checks.check(name, transform)


def test_checks_fail_a_tuple_for_a_list(monkeypatch):
    def as_tuples(g, arg):
        return tuple(g) if isinstance(g, list) else g

    monkeypatch.setattr(checks, "sx", _stand_in("mlp_tuples", mutate=as_tuples))
    with pytest.raises(AssertionError, match="gradient is a tuple, the argument a list"):
        checks.check("mlp_tuples", "grad")


def test_checks_fail_an_array_for_a_float(monkeypatch):
    def as_array(g, arg):
        return np.array(g)

    monkeypatch.setattr(checks, "sx", _stand_in("newton", mutate=as_array))
    with pytest.raises(AssertionError, match="Python float"):
        checks.check("newton", "grad")


def test_vjp_of_a_model_with_integer_arguments_does_not_apply():
    with pytest.raises(checks.NotApplicable, match="argument 1"):
        checks.check("hmm", "vjp")
