"""The eager runtime over the new rules, against real PyTorch.

After this module passes, for a sample of each family -- ``np.linalg`` called on
tensors (NumPy's protocol), ``sx.linalg``/``sx.special`` and Tensor methods with
PyTorch's names, products, SciPy's ufuncs on tensors -- values, gradients and
``grad_fn`` names agree with ``torch`` (float64); tuples of results
(``slogdet``, ``eigh``, ``svd``, ``qr``) give tensors that all backpropagate;
and what has no derivative raises instead of giving a silent zero.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import srcxform as sx
from tests.rules.covered import HAVE_SCIPY
from tests.rules.linalg_check import M
from tests.runtime.runtime_oracle import assert_close, require_torch

RNG = np.random.default_rng(3)
SPD = M((4, 4), "spd").make(RNG)
SYM = M((4, 4), "sym").make(RNG)
GEN = M((4, 4), "invertible").make(RNG)
TALL = M((5, 3), "sv").make(RNG)
STACK = M((2, 3, 3), "invertible").make(RNG)
VEC = RNG.standard_normal(4)
POS = RNG.uniform(0.5, 3.0, 4)


def pair(ours: Callable[..., Any], theirs: Callable[..., Any], *arrays: np.ndarray,
         rtol: float = 1e-7, atol: float = 1e-9, name: str | None = None) -> None:
    """Run ``ours`` on srcxform tensors and ``theirs`` on torch tensors; compare."""
    torch = require_torch()
    xs = [sx.tensor(a, requires_grad=True, dtype=sx.float64) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True, dtype=torch.float64) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    assert_close(out, ref, rtol=rtol, atol=atol, what="value")
    if name is not None:
        assert out.grad_fn.name() == name, out.grad_fn.name()
    out.sum().backward()
    ref.sum().backward()
    for i, (x, t) in enumerate(zip(xs, ts)):
        assert_close(x.grad, t.grad, rtol=1e-6, atol=1e-8, what=f"gradient {i}")


def sym(a: Any) -> Any:
    return 0.5 * (a + a.T)


def test_numpy_linalg_on_tensors() -> None:
    torch = require_torch()
    pair(lambda a: np.linalg.det(a), lambda a: torch.linalg.det(a), GEN,
         name="LinalgDetBackward0")
    pair(lambda a: np.linalg.inv(a), lambda a: torch.linalg.inv(a), GEN)
    pair(lambda a, b: np.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b), GEN,
         RNG.standard_normal((4, 2)))
    pair(lambda a: np.linalg.slogdet(a)[1], lambda a: torch.linalg.slogdet(a)[1], STACK)
    pair(lambda a: np.linalg.cholesky(sym(a)), lambda a: torch.linalg.cholesky(sym(a)), SPD)
    pair(lambda a: np.linalg.pinv(a), lambda a: torch.linalg.pinv(a), TALL)
    pair(lambda a: np.linalg.matrix_power(a, 3), lambda a: torch.linalg.matrix_power(a, 3), GEN)
    pair(lambda a: np.linalg.eigvalsh(sym(a)), lambda a: torch.linalg.eigvalsh(sym(a)), SYM)
    for ord in (None, "fro", "nuc", 2, -2, 1, -1, np.inf):
        pair(lambda a, o=ord: np.linalg.norm(a, o),
             lambda a, o=ord: torch.linalg.norm(a, o), TALL)
    for ord in (3, 1, 0.5, np.inf):
        pair(lambda a, o=ord: np.linalg.norm(a, o, axis=1),
             lambda a, o=ord: torch.linalg.vector_norm(a, o, dim=1), TALL)


def test_tuples_of_results_backpropagate_together() -> None:
    torch = require_torch()

    def ours(a):
        w, v = np.linalg.eigh(sym(a))
        u, s, vh = np.linalg.svd(a[:, :3], full_matrices=False)
        q, r = np.linalg.qr(a[:, :3])
        return w * 2.0 + (v * v).sum(0) + s.sum() + (u * u)[0].sum() \
            + (q * q)[:, 0].sum() + (r * r).sum()

    def theirs(a):
        w, v = torch.linalg.eigh(sym(a))
        u, s, vh = torch.linalg.svd(a[:, :3], full_matrices=False)
        q, r = torch.linalg.qr(a[:, :3])
        return w * 2.0 + (v * v).sum(0) + s.sum() + (u * u)[0].sum() \
            + (q * q)[:, 0].sum() + (r * r).sum()

    pair(ours, theirs, SYM)
    w, v = np.linalg.eigh(sx.tensor(SYM, requires_grad=True))
    assert w.grad_fn.name() == v.grad_fn.name() == "LinalgEighBackward0"


def test_torch_names() -> None:
    torch = require_torch()
    pair(lambda a: a.det(), lambda a: a.det(), GEN)
    pair(lambda a: a.inverse() @ a.matrix_power(2), lambda a: a.inverse() @ a.matrix_power(2),
         GEN)
    pair(lambda a: sx.linalg.slogdet(a)[1] + a.logdet(),
         lambda a: torch.linalg.slogdet(a)[1] + a.logdet(), SPD)
    pair(lambda a: sx.linalg.svdvals(a), lambda a: torch.linalg.svdvals(a), TALL)
    pair(lambda a, b: sx.einsum("ij,jk->ik", a, b) + sx.kron(a[:2, :2], b[:2, :2]).sum(),
         lambda a, b: torch.einsum("ij,jk->ik", a, b) + torch.kron(a[:2, :2], b[:2, :2]).sum(),
         GEN, GEN.T.copy())
    pair(lambda a, b: sx.tensordot(a, b, ([0], [1])),
         lambda a, b: torch.tensordot(a, b, ([0], [1])), STACK[0], STACK[1])
    pair(lambda a, b: sx.linalg.cross(a, b), lambda a, b: torch.linalg.cross(a, b),
         STACK[0], STACK[1])
    pair(lambda a, b: a.inner(b), lambda a, b: a.inner(b), GEN, GEN.T.copy())
    pair(lambda a: sx.norm(a, p=1, dim=1) + sx.norm(a, p="nuc", dim=(0, 1)),
         lambda a: torch.norm(a, p=1, dim=1) + torch.norm(a, p="nuc", dim=(0, 1)), TALL)


@pytest.mark.skipif(not HAVE_SCIPY, reason="SciPy is not installed")
def test_special_functions() -> None:
    torch = require_torch()
    from scipy import special

    pair(lambda x: x.lgamma() + x.digamma() + x.erf() + x.erfc() + x.i0(),
         lambda x: x.lgamma() + x.digamma() + x.erf() + x.erfc() + x.i0(), POS)
    pair(lambda x: (x / 4.0).erfinv() + (x / 4.0).logit() + x.polygamma(1) + x.mvlgamma(2),
         lambda x: (x / 4.0).erfinv() + (x / 4.0).logit() + x.polygamma(1) + x.mvlgamma(2),
         POS + 1.0)
    pair(lambda x, y: sx.xlogy(x, y) + x.logsumexp(0), lambda x, y: torch.xlogy(x, y)
         + x.logsumexp(0), POS, POS[::-1].copy())
    pair(lambda x: special.expit(x) + special.ndtr(x) + special.log_ndtr(x),
         lambda x: torch.special.expit(x) + torch.special.ndtr(x) + torch.special.log_ndtr(x),
         VEC)
    pair(lambda x: sx.special.logsumexp(x.reshape(2, 2), dim=1),
         lambda x: torch.special.logsumexp(x.reshape(2, 2), dim=1), VEC,
         name="LogsumexpBackward0")


def test_no_silent_zero_for_an_argument_without_a_derivative() -> None:
    pytest.importorskip("scipy")
    n = sx.tensor([1.0], requires_grad=True, dtype=sx.float64)
    x = sx.tensor([1.5], requires_grad=True, dtype=sx.float64)
    y = sx.special.polygamma(n, x)  # an integer order: no derivative
    with pytest.raises(NotImplementedError, match="'n'"):
        y.sum().backward()


def test_scipy_functions_that_numpy_cannot_dispatch_refuse_tensors_that_require_grad() -> None:
    pytest.importorskip("scipy")
    from scipy import stats

    x = sx.tensor([0.1, 0.2], requires_grad=True)
    with pytest.raises(RuntimeError, match="numpy|grad"):
        stats.norm.logpdf(x)
