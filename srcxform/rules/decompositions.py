"""Rules of ``np.linalg``'s inverses, determinants, solves and decompositions.

After import, ``inv``, ``det``, ``slogdet``, ``solve``, ``cholesky``, ``eigh``,
``eigvalsh``, ``eig``, ``svd``, ``qr``, ``pinv`` and ``matrix_power`` each
have a gradient rule and a tangent function (written next to each other),
for single matrices and for stacks (``(..., M, M)``) wherever NumPy accepts
them.  Conventions, as in PyTorch, JAX and HIPS autograd:

* ``cholesky``, ``eigh`` and ``eigvalsh`` read one triangle of their input;
  their derivatives are those of the symmetric matrix it stands for: the
  gradient is symmetric and a tangent is symmetrized first;
* ``eig`` differentiates real input with real, distinct eigenvalues (other
  input raises); ``svd`` and ``qr`` differentiate the reduced factorizations
  (``full_matrices=False``; ``qr`` of a wide matrix raises);
* ``slogdet``, ``eigh``, ``eig``, ``svd`` and ``qr`` return tuples: their rules
  receive a tuple of cotangents and their tangents return a tuple.

Rule bodies use only primitives of the table, so generated gradient code can
be differentiated again (``sx.hessian``).  ``mT(x)`` below is the matrix
transpose of a stack (``np.swapaxes(x, -1, -2)``), spelled out in the bodies.
"""

from __future__ import annotations

import numpy as np

from .registry import register, register_tangents, unbroadcast


class LinalgDerivativeError(ValueError):
    """A decomposition's derivative does not exist at this input (or is not implemented)."""


# --- inverse, determinants ------------------------------------------------------------

@register(np.linalg.inv, backward_name="LinalgInvExBackward0")
def inv(g, out, a):
    return (-np.swapaxes(out, -1, -2) @ g @ np.swapaxes(out, -1, -2),)


def inv_tangent(t, out, a):
    return -out @ t @ out


@register(np.linalg.det, backward_name="LinalgDetBackward0")
def det(g, out, a):
    return (np.expand_dims(g * out, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),)


def det_tangent(t, out, a):
    return out * np.trace(np.linalg.solve(a, t), axis1=-2, axis2=-1)


@register(np.linalg.slogdet, backward_name="LinalgSlogdetBackward0", multi_output=2)
def slogdet(g, out, a):
    return (np.expand_dims(g[1], (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),)


def slogdet_tangent(t, out, a):
    return np.zeros_like(out[0]), np.trace(np.linalg.solve(a, t), axis1=-2, axis2=-1)


register_tangents(inv, inv_tangent)
register_tangents(det, det_tangent)
register_tangents(slogdet, slogdet_tangent)


# --- solve ----------------------------------------------------------------------------

@register(np.linalg.solve, backward_name="LinalgSolveExBackward0")
def solve(g, out, a, b):
    if np.ndim(b) == 1:  # a vector right-hand side (NumPy 2: only when b is 1-D)
        gb = np.linalg.solve(np.swapaxes(a, -1, -2), np.expand_dims(g, -1))[..., 0]
        ga = -np.expand_dims(gb, -1) * np.expand_dims(out, -2)
        return unbroadcast(ga, a), unbroadcast(gb, b)
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
    return unbroadcast(-gb @ np.swapaxes(out, -1, -2), a), unbroadcast(gb, b)


def solve_tangent_a(t, out, a, b):
    if np.ndim(b) == 1:
        return -np.linalg.solve(a, t @ np.expand_dims(out, -1))[..., 0]
    return -np.linalg.solve(a, t @ out)


def solve_tangent_b(t, out, a, b):
    return np.linalg.solve(a, t)  # solve is linear in b


register_tangents(solve, solve_tangent_a, solve_tangent_b)


# --- cholesky -------------------------------------------------------------------------

@register(np.linalg.cholesky, backward_name="LinalgCholeskyExBackward0")
def cholesky(g, out, a, upper=False):
    low = np.swapaxes(out, -1, -2) if upper else out
    glow = np.swapaxes(g, -1, -2) if upper else g
    n = np.shape(out)[-1]
    # P = Phi(L^T G): the lower triangle with its diagonal halved
    p = (np.swapaxes(low, -1, -2) @ glow) * (np.tri(n, dtype=out.dtype)
                                              - 0.5 * np.eye(n, dtype=out.dtype))
    # S^T = L^-T (L^-T P)^T, symmetrized
    y = np.linalg.solve(np.swapaxes(low, -1, -2), p)
    s = np.linalg.solve(np.swapaxes(low, -1, -2), np.swapaxes(y, -1, -2))
    return (0.5 * (s + np.swapaxes(s, -1, -2)),)


def cholesky_tangent(t, out, a, upper=False):
    low = np.swapaxes(out, -1, -2) if upper else out
    n = np.shape(out)[-1]
    sym = 0.5 * (t + np.swapaxes(t, -1, -2))
    # L Phi(L^-1 dA L^-T)
    x = np.linalg.solve(low, np.swapaxes(np.linalg.solve(low, sym), -1, -2))
    dlow = low @ (x * (np.tri(n, dtype=out.dtype) - 0.5 * np.eye(n, dtype=out.dtype)))
    return np.swapaxes(dlow, -1, -2) if upper else dlow


register_tangents(cholesky, cholesky_tangent)


# --- symmetric eigenproblem -----------------------------------------------------------

def eigen_gaps(w):
    """``F[..., i, j] = 1 / (w_j - w_i)`` off the diagonal, 0 on it (distinct ``w``)."""
    n = np.shape(w)[-1]
    eye = np.eye(n, dtype=np.result_type(w))
    return (1.0 - eye) / (np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye)


@register(eigen_gaps, backward_name="EigenGapsBackward0")
def eigen_gaps_(g, out, w):
    gf = g * out * out  # dF_ij = -F_ij^2 (dw_j - dw_i)
    return (np.sum(gf, axis=-1) - np.sum(gf, axis=-2),)


def eigen_gaps_tangent(t, out, w):
    return -out * out * (np.expand_dims(t, -2) - np.expand_dims(t, -1))


register_tangents(eigen_gaps_, eigen_gaps_tangent)


@register(np.linalg.eigh, backward_name="LinalgEighBackward0", multi_output=2)
def eigh(g, out, a, UPLO="L"):
    w, v = out
    gw, gv = g
    inner = np.expand_dims(gw, -1) * np.eye(np.shape(w)[-1], dtype=w.dtype) \
        + eigen_gaps(w) * (np.swapaxes(v, -1, -2) @ gv)
    ga = v @ inner @ np.swapaxes(v, -1, -2)
    return (0.5 * (ga + np.swapaxes(ga, -1, -2)),)


def eigh_tangent(t, out, a, UPLO="L"):
    w, v = out
    sym = 0.5 * (t + np.swapaxes(t, -1, -2))
    proj = np.swapaxes(v, -1, -2) @ sym @ v
    return np.diagonal(proj, 0, -2, -1), v @ (eigen_gaps(w) * proj)


@register(np.linalg.eigvalsh, backward_name="LinalgEighBackward0")
def eigvalsh(g, out, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    return ((v * np.expand_dims(g, -2)) @ np.swapaxes(v, -1, -2),)


def eigvalsh_tangent(t, out, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    return np.sum(v * (0.5 * (t + np.swapaxes(t, -1, -2)) @ v), axis=-2)


register_tangents(eigh, eigh_tangent)
register_tangents(eigvalsh, eigvalsh_tangent)


# --- general eigenproblem -------------------------------------------------------------

def check_real_eigenvalues(dtype) -> None:
    """Raise unless ``np.linalg.eig`` returned real eigenvalues (a real input's real case)."""
    if np.issubdtype(dtype, np.complexfloating):
        raise LinalgDerivativeError(
            "srcxform differentiates np.linalg.eig only where the eigenvalues are real and "
            "distinct (a real input whose eigenvalues came out real); these are complex")


@register(np.linalg.eig, backward_name="LinalgEigBackward0", multi_output=2)
def eig(g, out, a):
    w, v = out
    gw, gv = g
    check_real_eigenvalues(w.dtype)
    vt = np.swapaxes(v, -1, -2)
    gv = gv - v * np.sum(v * gv, axis=-2, keepdims=True)  # eigenvectors have unit norm
    inner = np.expand_dims(gw, -1) * np.eye(np.shape(w)[-1], dtype=w.dtype) \
        + eigen_gaps(w) * (vt @ gv)
    return (np.linalg.solve(vt, inner @ vt),)


def eig_tangent(t, out, a):
    w, v = out
    check_real_eigenvalues(w.dtype)
    e = np.linalg.solve(v, t @ v)
    dv = v @ (eigen_gaps(w) * e)
    return np.diagonal(e, 0, -2, -1), dv - v * np.sum(v * dv, axis=-2, keepdims=True)


register_tangents(eig, eig_tangent)


# --- singular value decomposition -----------------------------------------------------

def svd_outputs(full_matrices=True, compute_uv=True):
    """How many values ``np.linalg.svd`` returns with these options."""
    return 3 if compute_uv else 0


def check_reduced(shape, full_matrices=True) -> None:
    """Raise for a full (non-square) factorization, whose extra vectors are arbitrary."""
    if full_matrices and shape[-2] != shape[-1]:
        raise LinalgDerivativeError(
            "np.linalg.svd with full_matrices=True of a non-square matrix has no derivative "
            "(its extra singular vectors are arbitrary); pass full_matrices=False")


@register(np.linalg.svd, backward_name="LinalgSvdBackward0", multi_output=svd_outputs)
def svd(g, out, a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        return ((u * np.expand_dims(g, -2)) @ vh,)
    u, s, vh = out
    gu, gs, gvh = g
    check_reduced(np.shape(a), full_matrices)
    v = np.swapaxes(vh, -1, -2)
    gv = np.swapaxes(gvh, -1, -2)
    ut = np.swapaxes(u, -1, -2)
    f = eigen_gaps(s * s)  # 1 / (s_j^2 - s_i^2)
    su = np.expand_dims(s, -2)  # X * su scales X's columns by s
    inner = (f * (ut @ gu - np.swapaxes(gu, -1, -2) @ u)) * su \
        + np.expand_dims(gs, -1) * np.eye(np.shape(s)[-1], dtype=s.dtype) \
        + np.expand_dims(s, -1) * (f * (vh @ gv - gvh @ v))
    ga = u @ inner @ vh
    ga = ga + ((gu - u @ (ut @ gu)) / su) @ vh
    ga = ga + (u / su) @ (gvh - (gvh @ v) @ vh)
    return (ga,)


def svd_tangent(t, out, a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        return np.sum(u * (t @ np.swapaxes(vh, -1, -2)), axis=-2)
    u, s, vh = out
    check_reduced(np.shape(a), full_matrices)
    v = np.swapaxes(vh, -1, -2)
    ut = np.swapaxes(u, -1, -2)
    dp = ut @ t @ v
    f = eigen_gaps(s * s)
    su = np.expand_dims(s, -2)
    sv = np.expand_dims(s, -1)
    du = u @ (f * (dp * su + sv * np.swapaxes(dp, -1, -2)))
    du = du + (t @ v - u @ dp) / su
    dv = v @ (f * (sv * dp + np.swapaxes(dp, -1, -2) * su))
    dv = dv + (np.swapaxes(t, -1, -2) @ u - v @ np.swapaxes(dp, -1, -2)) / su
    return du, np.diagonal(dp, 0, -2, -1), np.swapaxes(dv, -1, -2)


register_tangents(svd, svd_tangent)


# --- QR -------------------------------------------------------------------------------

def qr_outputs(mode="reduced"):
    """How many values ``np.linalg.qr`` returns with this mode."""
    return 0 if mode == "r" else 2


def check_tall(shape, mode="reduced") -> None:
    """Raise unless the factorization is the reduced one of a tall or square matrix."""
    m, n = shape[-2:]
    if m < n or mode not in ("reduced", "r") and not (mode == "complete" and m == n):
        raise LinalgDerivativeError(
            f"srcxform differentiates np.linalg.qr of a tall or square matrix in mode "
            f"'reduced' or 'r' only (got shape {shape}, mode={mode!r})")


@register(np.linalg.qr, backward_name="LinalgQrBackward0", multi_output=qr_outputs)
def qr(g, out, a, mode="reduced"):
    check_tall(np.shape(a), mode)
    if mode == "r":
        q = np.linalg.qr(a)[0]
        r, gq, gr = out, np.zeros_like(a), g
    else:
        q, r = out
        gq, gr = g
    m = r @ np.swapaxes(gr, -1, -2) - np.swapaxes(gq, -1, -2) @ q
    low = m * np.tri(np.shape(m)[-1], dtype=m.dtype)
    b = gq + q @ (low + np.swapaxes(low, -1, -2) - m * np.eye(np.shape(m)[-1], dtype=m.dtype))
    return (np.swapaxes(np.linalg.solve(r, np.swapaxes(b, -1, -2)), -1, -2),)


def qr_tangent(t, out, a, mode="reduced"):
    check_tall(np.shape(a), mode)
    q, r = (np.linalg.qr(a)[0], out) if mode == "r" else out
    tr = np.swapaxes(np.linalg.solve(np.swapaxes(r, -1, -2), np.swapaxes(t, -1, -2)), -1, -2)
    c = np.swapaxes(q, -1, -2) @ tr  # Q^T dA R^-1
    low = c * np.tri(np.shape(c)[-1], k=-1, dtype=c.dtype)
    omega = low - np.swapaxes(low, -1, -2)
    dr = (c - omega) @ r
    if mode == "r":
        return dr
    return tr + q @ (omega - c), dr


register_tangents(qr, qr_tangent)


# --- pseudo-inverse, powers -----------------------------------------------------------

@register(np.linalg.pinv, backward_name="LinalgPinvBackward0")
def pinv(g, out, a, rcond=None, hermitian=False, rtol=None):
    pt = np.swapaxes(out, -1, -2)
    gt = np.swapaxes(g, -1, -2)
    left = np.eye(np.shape(a)[-2], dtype=out.dtype) - a @ out  # I - A A+
    right = np.eye(np.shape(a)[-1], dtype=out.dtype) - out @ a  # I - A+ A
    return (-pt @ g @ pt + left @ gt @ out @ pt + pt @ out @ gt @ right,)


def pinv_tangent(t, out, a, rcond=None, hermitian=False, rtol=None):
    tt = np.swapaxes(t, -1, -2)
    pt = np.swapaxes(out, -1, -2)
    left = np.eye(np.shape(a)[-2], dtype=out.dtype) - a @ out
    right = np.eye(np.shape(a)[-1], dtype=out.dtype) - out @ a
    return -out @ t @ out + out @ pt @ tt @ left + right @ tt @ pt @ out


register_tangents(pinv, pinv_tangent)


@register(np.linalg.matrix_power, backward_name="LinalgMatrixPowerBackward0")
def matrix_power(g, out, a, n):
    # the derivative of B^m along E is the upper right block of [[B, E], [0, B]]^m, and
    # <G, L(B, E)> = <L(B^T, G), E>; for n < 0, B = inv(a) and E = -B dA B
    k = np.shape(a)[-1]
    bt = np.swapaxes(a, -1, -2) if n >= 0 else np.swapaxes(np.linalg.inv(a), -1, -2)
    top = np.concatenate([bt, g], axis=-1)
    bottom = np.concatenate([np.zeros_like(bt), bt], axis=-1)
    block = np.linalg.matrix_power(np.concatenate([top, bottom], axis=-2), abs(n))[..., :k, k:]
    return (block if n >= 0 else -bt @ block @ bt,)


def matrix_power_tangent(t, out, a, n):
    k = np.shape(a)[-1]
    b = a if n >= 0 else np.linalg.inv(a)
    e = t if n >= 0 else -b @ t @ b
    top = np.concatenate([b, e], axis=-1)
    bottom = np.concatenate([np.zeros_like(b), b], axis=-1)
    return np.linalg.matrix_power(np.concatenate([top, bottom], axis=-2), abs(n))[..., :k, k:]


register_tangents(matrix_power, matrix_power_tangent, None)
