"""Compiled programs over products and ``np.linalg`` (grad, jvp, vjp, hessian, autograd).

After this module passes: programs that unpack, index or partly use the tuples
``slogdet``, ``eigh``, ``svd``, ``qr``, ``eig`` return are differentiated in both
modes; a sample of each family has a correct Hessian; HIPS autograd agrees
wherever it has the function; and what cannot be differentiated is refused --
at transform time with a located ``TransformError`` (a variable ``compute_uv``,
a computed index into a tuple of results), or with a clear error where only the
values tell (complex eigenvalues, a full SVD of a non-square matrix).
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from srcxform import rules
from srcxform.rules.decompositions import LinalgDerivativeError
from tests.helpers import finite_difference
from tests.rules.linalg_check import M
from tests.rules.programs import check_program

RNG = np.random.default_rng(7)
SPD = M((4, 4), "spd").make(RNG)
SYM = M((4, 4), "sym").make(RNG)
SYM_STACK = M((2, 3, 3), "sym").make(RNG)
GEN = M((4, 4), "invertible").make(RNG)
EIG = M((3, 3), "eig").make(RNG)
TALL = M((5, 3), "sv").make(RNG)
WIDE = M((3, 5), "sv").make(RNG)
STACK = M((2, 3, 3), "invertible").make(RNG)
Y = RNG.standard_normal(4)
W = RNG.standard_normal((4, 4))


# --- tuples of results -------------------------------------------------------------------

def slogdet_unpacked(a):
    sign, logdet = np.linalg.slogdet(a)
    return logdet * 2.0


def slogdet_indexed(a):
    return np.sum(np.linalg.slogdet(a)[1])


def slogdet_twice(a):
    res = np.linalg.slogdet(a)
    s, l = res
    return res[1] * l + res[-1]


def eigh_both(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w ** 2) + np.sum(v[:, -1] ** 2 * np.arange(4.0))


def eigh_values_only(a):
    w, v = np.linalg.eigh(a)
    return np.sum(np.exp(w / 4.0))


def eigh_vectors_only(a):
    w, v = np.linalg.eigh(a)
    return np.sum((v * v) @ np.arange(4.0))


def eigh_stack(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w * w) + np.sum(np.abs(v[..., 0]) * 1.5)


def eigvalsh_sum(a):
    return np.sum(np.linalg.eigvalsh(a) ** 3)


def svd_parts(a):
    res = np.linalg.svd(a, full_matrices=False)
    return np.sum(res[1]) + np.sum(res[0][:, 0] * np.abs(res[0][:, 0]))


def svd_unpacked(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(s ** 2) + np.sum((u * u) @ np.arange(3.0)) + np.sum(vh[0] ** 3 * vh[0])


def svd_values(a):
    return np.sum(np.log(np.linalg.svd(a, compute_uv=False)))


def qr_unpacked(a):
    q, r = np.linalg.qr(a)
    return np.sum(q * q * np.arange(3.0)) + np.sum(np.abs(r * np.eye(3)))


def qr_r_only(a):
    return np.sum(np.linalg.qr(a, mode="r") ** 2 * np.arange(3.0))


def eig_real(a):
    w, v = np.linalg.eig(a)
    return np.sum(w * np.arange(3.0)) + np.sum(v ** 2 * np.arange(3.0))


MULTI = [
    (slogdet_unpacked, GEN, False), (slogdet_indexed, STACK, False), (slogdet_twice, GEN, False),
    (eigh_both, SYM, True), (eigh_values_only, SYM, True), (eigh_vectors_only, SYM, True),
    (eigh_stack, SYM_STACK, True), (eigvalsh_sum, SYM, True), (svd_parts, TALL, False),
    (svd_unpacked, WIDE, False), (svd_values, TALL, False), (qr_unpacked, TALL, False),
    (qr_r_only, TALL, False), (eig_real, EIG, False),
]


#: functions HIPS autograd has no gradient of
NOT_IN_AUTOGRAD = {eigvalsh_sum, qr_unpacked, qr_r_only}


@pytest.mark.parametrize(("f", "x", "sym"), MULTI, ids=[f.__name__ for f, _, _ in MULTI])
def test_tuples_of_results(f, x, sym) -> None:
    check_program(f, (x,), sym=sym, autograd=f not in NOT_IN_AUTOGRAD)


# --- a model of each family ------------------------------------------------------------------

def gaussian_process(k, y):
    low = np.linalg.cholesky(k)
    alpha = np.linalg.solve(low.T, np.linalg.solve(low, y))
    sign, logdet = np.linalg.slogdet(k)
    return 0.5 * y @ alpha + 0.5 * logdet


def inverse_and_det(a):
    return np.sum(np.linalg.inv(a) * W) + np.log(np.abs(np.linalg.det(a)))


def stacked_solves(a, b):
    return np.sum(np.linalg.solve(a, b) ** 2)


def pinv_fit(a):
    return np.sum((np.linalg.pinv(a) @ np.ones(5)) ** 2)


def powers(a):
    return np.sum(np.linalg.matrix_power(a, 3) * W) + np.sum(np.linalg.matrix_power(a, -2))


def norms(a):
    return (np.linalg.norm(a, "nuc") + np.linalg.norm(a, 2) + np.linalg.norm(a, -2)
            + np.linalg.norm(a, 1) + np.linalg.norm(a, np.inf) + np.linalg.norm(a[0], 3)
            + np.sum(np.linalg.norm(a, axis=0, keepdims=True)))


def products(a, b):
    return (np.sum(np.kron(a, b[:2, :2]) ** 2) + np.sum(np.tensordot(a, b, axes=([0], [1])))
            + np.sum(np.cross(a[:, :3], b[:, 1:4]) ** 2)
            + np.sum(np.linalg.multi_dot([a, b, a])))


def einsums(a, b):
    return (np.sum(np.einsum("ij,jk->ik", a, b) ** 2) + np.sum(np.einsum("...i,...i", a, b))
            + np.einsum("ij,ij,ij->", a, a, b) + np.sum(np.einsum("bi,bj->bij", a, b) ** 2))


def traces(a, b):
    return np.einsum("ii", a) * np.einsum("ii->", b @ a) + np.sum(np.einsum("ii->i", a) ** 3)


def batched_matmul(a, b):
    return np.sum(np.tanh(a @ b) * np.swapaxes(a, -1, -2))


MODELS = [
    (gaussian_process, (SPD, Y), True, True, True),
    (inverse_and_det, (GEN,), False, True, True),
    (stacked_solves, (STACK, RNG.standard_normal((2, 3, 2))), False, True, True),
    (pinv_fit, (TALL,), False, True, True),
    (powers, (GEN / 4.0,), False, True, False),
    (norms, (TALL,), False, True, False),
    (batched_matmul, (STACK, STACK), False, True, True),
]


@pytest.mark.parametrize(("f", "args", "sym", "hess", "ag"), MODELS,
                         ids=[m[0].__name__ for m in MODELS])
def test_models_and_hessians(f, args, sym, hess, ag) -> None:
    check_program(f, args, sym=sym, hessian=hess, autograd=ag)


HESSIANS = [
    (slogdet_unpacked, GEN, False), (eigh_both, SYM, True), (svd_unpacked, WIDE, False),
    (qr_unpacked, TALL, False), (eigvalsh_sum, SYM, True), (svd_values, TALL, False),
]


@pytest.mark.parametrize(("f", "x", "sym"), HESSIANS, ids=[f.__name__ for f, _, _ in HESSIANS])
def test_hessians_through_tuples(f, x, sym) -> None:
    check_program(f, (x,), sym=sym, hessian=True)


def vdots(a, b):
    return np.vdot(a, b) * np.vdot(a, a)


@pytest.mark.parametrize("wrt", [0, 1])
def test_products_both_operands(wrt) -> None:
    a, b = RNG.standard_normal((4, 4)), RNG.standard_normal((4, 4))
    check_program(products, (a, b), wrt=wrt, autograd=True)
    check_program(einsums, (a, b), wrt=wrt, autograd=True)
    check_program(vdots, (a, b), wrt=wrt)  # autograd has no gradient of vdot
    check_program(traces, (a, b), wrt=wrt)  # autograd's einsum refuses repeated indices


def test_products_hessian() -> None:
    def some(a, b):
        return (np.sum(np.tensordot(a, b, axes=1) ** 2) + np.vdot(a, a)
                + np.sum(np.cross(a[:, :3], b[:, :3]) ** 2) + np.sum(np.kron(a, b) ** 2))

    check_program(some, (RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3))),
                  hessian=True)


# --- refusals -------------------------------------------------------------------------------

def svd_with_flag(a, flag):
    return np.sum(np.linalg.svd(a, compute_uv=flag)[0])


def computed_index(a, i):
    res = np.linalg.eigh(a)
    return np.sum(res[i])


def test_a_variable_compute_uv_is_refused_where_it_is() -> None:
    with pytest.raises(sx.TransformError, match="compute_uv|constant") as err:
        sx.grad(svd_with_flag)(TALL, False)
    assert "test_linalg_programs.py" in str(err.value) and ":" in str(err.value)


def test_a_computed_index_into_results_is_refused() -> None:
    with pytest.raises(sx.TransformError, match="constant"):
        sx.grad(computed_index)(SYM, 1)


def test_complex_eigenvalues_raise() -> None:
    def f(a):
        w, v = np.linalg.eig(a)
        return np.sum(np.abs(w))

    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    # refused by eig's rule, or before it by abs of a complex value (not holomorphic)
    with pytest.raises((LinalgDerivativeError, TypeError), match="real|holomorphic"):
        sx.grad(f)(rotation)
    w, v = np.linalg.eig(rotation)
    with pytest.raises(LinalgDerivativeError, match="real"):  # the rule itself
        rules.lookup(np.linalg.eig).vjp((np.ones(2), np.zeros((2, 2))), (w, v), rotation)


def test_full_svd_of_a_non_square_matrix_raises() -> None:
    def f(a):
        u, s, vh = np.linalg.svd(a)
        return np.sum(s)

    with pytest.raises(LinalgDerivativeError, match="full_matrices=False"):
        sx.grad(f)(TALL)


def test_qr_of_a_wide_matrix_raises() -> None:
    def f(a):
        q, r = np.linalg.qr(a)
        return np.sum(q ** 3) + np.sum(r ** 3)

    with pytest.raises(LinalgDerivativeError, match="tall or square"):
        sx.grad(f)(WIDE)


def test_generated_code_reads_like_numpy() -> None:
    src = sx.source(sx.grad(slogdet_unpacked))
    assert "np.linalg.slogdet(a)" in src and "np.linalg.inv(a)" in src
    assert "# grad of: sign, logdet = np.linalg.slogdet(a)" in src


# --- second derivatives by reverse over reverse (HIPS autograd's d_fun checks) ---------------

B4 = RNG.standard_normal((4, 4))
C4 = B4 + B4.T
D53 = RNG.standard_normal((5, 3))


def path_inv(x):
    return np.sum(np.linalg.inv(GEN + x * B4) * W)


def path_solve(x):
    return np.sum(np.linalg.solve(GEN + x * B4, W[:, :2]) ** 2)


def path_det(x):
    return np.linalg.det(GEN + x * B4)


def path_slogdet(x):
    return np.linalg.slogdet(GEN + x * B4)[1]


def path_norms(x):
    return np.linalg.norm(TALL + x * D53, "nuc") + np.linalg.norm(TALL + x * D53)


def path_eigh(x):
    w, v = np.linalg.eigh(SYM + x * C4)
    return np.sum(w ** 2) + np.sum(v ** 4)


def path_cholesky(x):
    return np.sum(np.linalg.cholesky(SPD + x * C4) * W)


def path_svd(x):
    u, s, vh = np.linalg.svd(TALL + x * D53, full_matrices=False)
    return np.sum(s) + np.sum(u ** 4) + np.sum(vh ** 4)


PATHS = [path_inv, path_solve, path_det, path_slogdet, path_norms, path_eigh, path_cholesky,
         path_svd]


@pytest.mark.parametrize("f", PATHS, ids=[f.__name__ for f in PATHS])
def test_grad_of_grad(f) -> None:
    x = 0.1
    second = sx.grad(sx.grad(f))(x)
    first = sx.grad(f)
    numeric = finite_difference(first, (x,), 0, eps=1e-5)
    assert abs(second - numeric) <= 1e-6 * max(1.0, abs(numeric)), (second, numeric)


def test_grad_of_grad_through_einsum() -> None:
    """einsum's rule, which gradient code calls, has a rule of its own (called_rules.py)."""
    def f(x):
        return np.sum(np.einsum("ij,jk->ik", GEN + x * B4, GEN) ** 2)

    first = sx.grad(f)
    numeric = finite_difference(first, (0.1,), 0, eps=1e-5)
    second = sx.grad(sx.grad(f))(0.1)
    assert abs(second - numeric) <= 1e-6 * max(1.0, abs(numeric)), (second, numeric)


ORDER = 3.0  # a user's global: it may change after the gradient is made


def norm_of_global_order(x):
    return np.linalg.norm(x, ORDER) + np.linalg.norm(x, np.inf)


def max_norm(x):
    return np.linalg.norm(x, np.inf)


def test_library_constants_fold_user_globals_do_not() -> None:
    global ORDER
    x = np.array([0.5, -2.0, 1.5])
    code = [line for line in sx.source(sx.grad(max_norm)).splitlines()
            if not line.strip().startswith("#")]
    # the rule's branches on ord are gone: np.inf appears in the primal line only
    assert sum("inf" in line for line in code) == 1
    df = sx.grad(norm_of_global_order)
    first = df(x)
    ORDER = 4.0
    try:
        changed = df(x)
        check_program(norm_of_global_order, (x,))
    finally:
        ORDER = 3.0
    assert not np.allclose(first, changed)
