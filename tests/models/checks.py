"""One check per transform for a corpus model, against HIPS autograd and finite differences.

:func:`check` runs srcxform's ``grad``, ``value_and_grad``, ``vjp``, ``jvp`` or
``hessian`` on the model's function and arguments and raises
``AssertionError`` (naming the oracle and the leaf) when the result differs
from

* HIPS autograd run on the same source (:func:`loader.twin`), gradient
  leaf by leaf in the argument's structure; skipped for programs autograd
  cannot run (``Model.autograd`` says why);
* central finite differences, element by element for gradients, along a
  random tangent for ``jvp``, of autograd's gradient for ``hessian``.

Every gradient must have its argument's structure (containers, keys, leaf
shapes, a Python float for a float).  A check that does not apply raises
:class:`NotApplicable` with the reason.  References are computed once per
model and process.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import srcxform as sx
from tests.models import loader, oracles
from tests.models.corpus import BY_NAME, Model

AUTOGRAD_RTOL, AUTOGRAD_ATOL = 1e-7, 1e-9
FD_RTOL, FD_ATOL = 1e-5, 1e-6


class NotApplicable(Exception):
    """This transform does not apply to this model (the message says why)."""


@dataclass
class Prepared:
    model: Model
    fn: Callable[..., Any]
    args: tuple
    twin_fn: Callable[..., Any] | None
    twin_args: tuple | None

    @property
    def wrt(self) -> tuple[int, ...]:
        return self.model.wrt if isinstance(self.model.wrt, tuple) else (self.model.wrt,)

    @property
    def evaluate(self) -> Callable[..., Any]:
        """The function finite differences evaluate (autograd's twin if the program calls
        srcxform itself, so that the oracle does not depend on srcxform)."""
        return self.twin_fn if self.model.uses_sx else self.fn


def _seed(name: str) -> int:
    return zlib.crc32(name.encode())


@functools.cache
def prepare(name: str) -> Prepared:
    model = BY_NAME[name]
    fn, args = loader.entry(loader.real(model.module), model.entry)
    twin_fn = twin_args = None
    if model.autograd is None or model.uses_sx:
        twin_fn, twin_args = loader.entry(loader.twin(model.module), model.entry)
    return Prepared(model, fn, args, twin_fn, twin_args)


@functools.cache
def autograd_gradients(name: str) -> tuple | None:
    p = prepare(name)
    if p.model.autograd is not None:
        return None
    import autograd

    return tuple(autograd.grad(p.twin_fn, i)(*p.twin_args) for i in p.wrt)


@functools.cache
def fd_gradients(name: str) -> tuple:
    p = prepare(name)
    return tuple(oracles.fd_gradient(p.evaluate, p.args, i) for i in p.wrt)


@functools.cache
def value(name: str) -> float:
    p = prepare(name)
    return float(p.evaluate(*p.args))


def _compare_gradients(p: Prepared, grads: tuple, what: str) -> None:
    ag = autograd_gradients(p.model.name)
    fd = fd_gradients(p.model.name)
    assert len(grads) == len(p.wrt), f"{what}: {len(grads)} gradients for wrt {p.model.wrt}"
    for k, (i, g) in enumerate(zip(p.wrt, grads)):
        label = f"{what} of {p.model.name} w.r.t. argument {i}"
        oracles.assert_structure(g, p.args[i], label)
        if ag is not None:
            oracles.assert_leaves_close(g, ag[k], p.args[i], rtol=AUTOGRAD_RTOL,
                                        atol=AUTOGRAD_ATOL, what=f"{label} vs autograd")
        oracles.assert_leaves_close(g, fd[k], p.args[i], rtol=FD_RTOL, atol=FD_ATOL,
                                    what=f"{label} vs finite differences")


def _assert_value(got: Any, p: Prepared, what: str) -> None:
    assert np.size(got) == 1, f"{what}: value of shape {np.shape(got)}"
    np.testing.assert_allclose(float(np.ravel(got)[0]), value(p.model.name), rtol=1e-10,
                               atol=1e-12, err_msg=f"{what}: the value differs from f's")


def _grads_tuple(out: Any, p: Prepared) -> tuple:
    return tuple(out) if isinstance(p.model.wrt, tuple) else (out,)


def check_grad(p: Prepared) -> None:
    df = sx.grad(p.fn, wrt=p.model.wrt)
    _compare_gradients(p, _grads_tuple(df(*p.args), p), "sx.grad")


def check_value_and_grad(p: Prepared) -> None:
    got_value, grads = sx.value_and_grad(p.fn, wrt=p.model.wrt)(*p.args)
    _assert_value(got_value, p, "sx.value_and_grad")
    _compare_gradients(p, _grads_tuple(grads, p), "sx.value_and_grad")


def _not_differentiable(arg: Any) -> bool:
    leaves = oracles.leaf_paths(arg)
    if not leaves:
        return True
    if isinstance(arg, (list, tuple, dict)):
        count = len(_all_leaves(arg))
        return count != len(leaves)
    return False


def _all_leaves(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [leaf for child in x for leaf in _all_leaves(child)]
    if isinstance(x, dict):
        return [leaf for child in x.values() for leaf in _all_leaves(child)]
    return [x]


def check_vjp(p: Prepared) -> None:
    for i, arg in enumerate(p.args):
        if _not_differentiable(arg):
            raise NotApplicable(f"sx.vjp differentiates every primal, and argument {i} "
                                f"({type(arg).__name__}) holds values that are not floats")
    out, pullback = sx.vjp(p.fn, *p.args)
    _assert_value(out, p, "sx.vjp")
    grads = pullback(1.0)
    assert isinstance(grads, tuple) and len(grads) == len(p.args), \
        f"sx.vjp's pullback returned {type(grads).__name__}, not one gradient per primal"
    for i, g in enumerate(grads):
        oracles.assert_structure(g, p.args[i], f"sx.vjp of {p.model.name}, argument {i}")
    _compare_gradients(p, tuple(grads[i] for i in p.wrt), "sx.vjp pullback(1.0)")


def check_jvp(p: Prepared) -> None:
    rng = np.random.default_rng(_seed(p.model.name))
    tangents = tuple(oracles.random_like(a, rng) if i in p.wrt else None
                     for i, a in enumerate(p.args))
    out, tangent_out = sx.jvp(p.fn, p.args, tangents)
    _assert_value(out, p, "sx.jvp")
    got = float(np.ravel(tangent_out)[0])
    label = f"sx.jvp of {p.model.name} along a random tangent"
    ag = autograd_gradients(p.model.name)
    if ag is not None:
        expected = sum(oracles.tree_vdot(g, tangents[i]) for i, g in zip(p.wrt, ag))
        np.testing.assert_allclose(got, expected, rtol=AUTOGRAD_RTOL,
                                   atol=AUTOGRAD_ATOL * max(1.0, abs(expected)),
                                   err_msg=f"{label} vs autograd")
    expected = oracles.fd_directional(p.evaluate, p.args, tangents)
    np.testing.assert_allclose(got, expected, rtol=FD_RTOL, atol=FD_ATOL * max(1.0, abs(expected)),
                               err_msg=f"{label} vs finite differences")


def check_hessian(p: Prepared) -> None:
    if not p.model.hessian:
        raise NotApplicable("not a cheap Hessian (a large or nested argument)")
    (i,) = p.wrt
    import autograd

    H = sx.hessian(p.fn, wrt=i)(*p.args)
    x = p.args[i]
    label = f"sx.hessian of {p.model.name}"
    if type(x) is float:
        assert type(H) is float, f"{label}: a float argument gets a float, got {type(H).__name__}"
    assert np.shape(H) == np.shape(x) * 2, f"{label}: shape {np.shape(H)}"
    expected = np.asarray(autograd.hessian(p.twin_fn, i)(*p.twin_args), dtype=float)
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(H, expected.reshape(np.shape(H)), rtol=AUTOGRAD_RTOL,
                               atol=AUTOGRAD_ATOL * scale, err_msg=f"{label} vs autograd")
    gradient = autograd.grad(p.twin_fn, i)
    fd = oracles.fd_jacobian(gradient, p.twin_args, i)
    np.testing.assert_allclose(H, fd.reshape(np.shape(H)), rtol=FD_RTOL, atol=FD_ATOL * scale,
                               err_msg=f"{label} vs finite differences of autograd's gradient")


CHECKS = {"grad": check_grad, "value_and_grad": check_value_and_grad, "vjp": check_vjp,
          "jvp": check_jvp, "hessian": check_hessian}


def check(name: str, transform: str) -> None:
    CHECKS[transform](prepare(name))
