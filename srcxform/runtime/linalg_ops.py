"""Linear algebra and special functions on tensors, PyTorch's names over the one table.

After import, ``linalg`` (``sx.linalg``: ``det``, ``slogdet``, ``inv``,
``cholesky``, ``solve``, ``eigh``, ``eigvalsh``, ``svd``, ``svdvals``, ``qr``,
``pinv``, ``matrix_power``, ``norm``, ``cross``, ``multi_dot``) and ``special``
(``sx.special``: ``gammaln``, ``digamma``, ``polygamma``, ``erf``, ``erfc``,
``erfinv``, ``i0``, ``i0e``, ``i1``, ``i1e``, ``expit``, ``logit``, ``xlogy``,
``ndtr``, ``log_ndtr``, ``ndtri``, ``multigammaln``, ``logsumexp``) record one
node each through the rule table, as do the top-level ``einsum``, ``kron``,
``tensordot``, ``inner``, ``logsumexp``, ``lgamma``, ``digamma``, ``erf``,
``erfinv`` and the Tensor methods of :data:`METHODS` (``t.det()``,
``t.inverse()``, ``t.logsumexp(dim)`` ...).  Functions that return several
tensors (``slogdet``, ``eigh``, ``svd``, ``qr``) return a tuple whose tensors
share one rule.  Special functions need SciPy (imported when first called).
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from .. import rules
from .graph import record


def _op(fn: Any, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    rule = rules.lookup(fn)
    if rule is None:
        raise NotImplementedError(f"srcxform has no rule for {fn!r}")
    return record(fn, rule, args, kwargs or None, name)


# --- linear algebra ------------------------------------------------------------------------

def det(A: Any) -> Any:
    """The determinant (of each matrix of a stack)."""
    return _op(np.linalg.det, A)


def slogdet(A: Any) -> Any:
    """``(sign, log|det|)``."""
    return _op(np.linalg.slogdet, A)


def logdet(A: Any) -> Any:
    """``log det A`` (nan where the determinant is negative, as PyTorch)."""
    sign, logabs = slogdet(A)
    return logabs + np.log(sign.detach().numpy())


def inv(A: Any) -> Any:
    """The inverse."""
    return _op(np.linalg.inv, A)


def cholesky(A: Any, upper: bool = False) -> Any:
    """The Cholesky factor (lower unless ``upper``)."""
    return _op(np.linalg.cholesky, A, upper=upper) if upper else _op(np.linalg.cholesky, A)


def solve(A: Any, B: Any) -> Any:
    """``A^-1 B`` (``B`` a vector when 1-D, as NumPy)."""
    return _op(np.linalg.solve, A, B)


def eigh(A: Any, UPLO: str = "L") -> Any:
    """``(eigenvalues, eigenvectors)`` of a symmetric matrix."""
    return _op(np.linalg.eigh, A, UPLO)


def eigvalsh(A: Any, UPLO: str = "L") -> Any:
    """The eigenvalues of a symmetric matrix."""
    return _op(np.linalg.eigvalsh, A, UPLO)


def svd(A: Any, full_matrices: bool = True) -> Any:
    """``(U, S, Vh)``."""
    return _op(np.linalg.svd, A, full_matrices)


def svdvals(A: Any) -> Any:
    """The singular values."""
    return _op(np.linalg.svd, A, False, False)


def qr(A: Any, mode: str = "reduced") -> Any:
    """``(Q, R)``."""
    return _op(np.linalg.qr, A, mode)


def pinv(A: Any) -> Any:
    """The Moore-Penrose pseudo-inverse."""
    return _op(np.linalg.pinv, A)


def matrix_power(A: Any, n: int) -> Any:
    """``A`` to the integer power ``n`` (negative: of the inverse)."""
    return _op(np.linalg.matrix_power, A, n)


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Any:
    """``torch.linalg.norm``: a vector or matrix norm of any ``ord``."""
    kwargs: dict[str, Any] = {}
    if ord is not None:
        kwargs["ord"] = ord
    if dim is not None:
        kwargs["axis"] = tuple(dim) if isinstance(dim, list) else dim
    if keepdim:
        kwargs["keepdims"] = True
    return _op(np.linalg.norm, A, **kwargs)


def cross(input: Any, other: Any, dim: int = -1) -> Any:
    """The cross product of 3-vectors along ``dim``."""
    return _op(np.cross, input, other, axis=dim)


def multi_dot(tensors: Any) -> Any:
    """The product of a list of matrices."""
    return _op(np.linalg.multi_dot, list(tensors))


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation (``operands`` may also be one list)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return _op(np.einsum, equation, *operands)


def kron(input: Any, other: Any) -> Any:
    """The Kronecker product."""
    return _op(np.kron, input, other)


def tensordot(a: Any, b: Any, dims: Any = 2) -> Any:
    """Contraction over ``dims`` (an int or a pair of lists)."""
    return _op(np.tensordot, a, b, dims)


def inner(input: Any, other: Any) -> Any:
    """Sum over the last axes."""
    return _op(np.inner, input, other)


# --- special functions ------------------------------------------------------------------------

def _special(name: str) -> Any:
    if not rules.load_scipy():
        raise ImportError(f"srcxform's {name} needs SciPy (pip install srcxform[scipy])")
    from scipy import special as sp

    return getattr(sp, name)


def _unary(name: str, torch_name: str) -> Any:
    def fn(input: Any) -> Any:
        return _op(_special(name), input)

    fn.__name__ = torch_name
    fn.__doc__ = f"scipy.special.{name}, elementwise."
    return fn


lgamma = _unary("gammaln", "lgamma")
digamma = _unary("digamma", "digamma")
erf = _unary("erf", "erf")
erfc = _unary("erfc", "erfc")
erfinv = _unary("erfinv", "erfinv")
i0 = _unary("i0", "i0")


def polygamma(n: int, input: Any) -> Any:
    """The ``n``-th derivative of the digamma function."""
    return _op(_special("polygamma"), n, input)


def xlogy(input: Any, other: Any) -> Any:
    """``input * log(other)``, 0 where ``input`` is 0."""
    return _op(_special("xlogy"), input, other)


def logit(input: Any) -> Any:
    """``log(p / (1 - p))``."""
    return _op(_special("logit"), input)


def mvlgamma(input: Any, p: int) -> Any:
    """The multivariate log-gamma function of dimension ``p``."""
    return _op(_special("multigammaln"), input, p)


def logsumexp(input: Any, dim: Any = None, keepdim: bool = False) -> Any:
    """``log(sum(exp(input)))`` over ``dim`` (all dimensions when None)."""
    axis = tuple(dim) if isinstance(dim, list) else dim
    return _op(_special("logsumexp"), input, axis, None, keepdim)


special = types.SimpleNamespace(
    gammaln=lgamma, digamma=digamma, psi=digamma, polygamma=polygamma, erf=erf, erfc=erfc,
    erfinv=erfinv, i0=i0, i0e=_unary("i0e", "i0e"), i1=_unary("i1", "i1"),
    i1e=_unary("i1e", "i1e"), expit=_unary("expit", "expit"), logit=logit, xlogy=xlogy,
    ndtr=_unary("ndtr", "ndtr"), log_ndtr=_unary("log_ndtr", "log_ndtr"),
    ndtri=_unary("ndtri", "ndtri"), multigammaln=mvlgamma, logsumexp=logsumexp,
    erfcinv=_unary("erfcinv", "erfcinv"),
)
special.__doc__ = "PyTorch's torch.special, over SciPy's rules."

linalg = types.SimpleNamespace(
    det=det, slogdet=slogdet, inv=inv, cholesky=cholesky, solve=solve, eigh=eigh,
    eigvalsh=eigvalsh, svd=svd, svdvals=svdvals, qr=qr, pinv=pinv, matrix_power=matrix_power,
    norm=norm, cross=cross, multi_dot=multi_dot,
)
linalg.__doc__ = "PyTorch's torch.linalg, over the rule table."

#: Tensor methods (PyTorch's names) and the functions above they call.
METHODS = {
    "det": det, "slogdet": slogdet, "logdet": logdet, "inverse": inv, "cholesky": cholesky,
    "pinverse": pinv, "matrix_power": matrix_power, "kron": kron, "inner": inner,
    "cross": cross, "logsumexp": logsumexp, "lgamma": lgamma, "digamma": digamma,
    "polygamma": lambda self, n: polygamma(n, self), "erf": erf, "erfc": erfc,
    "erfinv": erfinv, "i0": i0, "xlogy": xlogy, "logit": logit, "mvlgamma": mvlgamma,
}
