"""Input specs of SciPy's rules (special functions, distributions, scipy.linalg).

After import (SciPy installed), ``SCIPY_SPECS`` maps each SciPy primitive
(keyed as in ``tests/test_rules_table.py``) to cases for ``linalg_check``:
domain-respecting inputs, broadcasting pairs, every ``axis``/``keepdims`` of
the reductions, and each argument a closed-form derivative exists for.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, special, stats

from tests.rules.linalg_check import M, c


def N(*shape: int) -> M:
    return M(shape)


def U(lo: float, hi: float, *shape: int) -> M:
    return M(shape, "uniform", lo, hi)


def P(*shape: int) -> M:
    return M(shape, "positive")


def unary(lo: float, hi: float) -> list:
    return [c(U(lo, hi)), c(U(lo, hi, 4)), c(U(lo, hi, 2, 3)), c(U(lo, hi, 30, 20))]


def binary(lo: float, hi: float) -> list:
    return [c(U(lo, hi, 2, 3), U(lo, hi, 2, 3)), c(U(lo, hi, 3, 1), U(lo, hi, 1, 4)),
            c(U(lo, hi), U(lo, hi, 3)), c(U(lo, hi, 4), U(lo, hi))]


AXES = [None, 0, 1, -1, (0, 2), (0, 1, 2)]


def reduction(extra: dict | None = None) -> list:
    cases = [c(N(5)), c(N()), c(N(3, 4), 1)]
    for axis in AXES:
        cases += [c(N(2, 3, 4), axis=axis), c(N(2, 3, 4), axis=axis, keepdims=True)]
    return cases


def loc_scale(x) -> list:
    return [c(x(4)), c(x(4), N(4), P(4)), c(x(4, 3), N(1, 3), P(4, 1)),
            c(x(), N(), P()), c(x(3), 0.5, 2.0, wrt=(0,))]


def shape_loc_scale(x, shape, nshapes: int = 1, loc=None, scale=None) -> list:
    """A distribution with shape parameters: x, shapes, loc and scale (broadcast too)."""
    s = [shape(4)] * nshapes
    loc = loc or (lambda *sh: N(*sh))
    scale = scale or (lambda *sh: P(*sh))
    return [c(x(4), *s), c(x(4), *s, loc(4), scale(4)),
            c(x(4, 3), *([shape(1, 3)] * nshapes)),
            c(x(3), *([shape()] * nshapes), 0.0, scale(3))]


def Z01(*shape: int) -> M:
    return U(0.05, 0.95, *shape)


def POS(*shape: int) -> M:
    return U(0.5, 3.0, *shape)


def DF(*shape: int) -> M:
    return U(2.5, 6.0, *shape)


def SHAPE(*shape: int) -> M:
    return U(1.5, 4.0, *shape)


def BELOW(*shape: int) -> M:
    """A loc below every point of a positive support."""
    return U(-0.1, 0.0, *shape)


def WIDE(*shape: int) -> M:
    """A scale that keeps (x - loc) / scale inside (0, 1) for x in (0.05, 0.95)."""
    return U(1.2, 1.5, *shape)


def counts(*shape: int) -> np.ndarray:
    return np.arange(int(np.prod(shape)) if shape else 1).reshape(shape) % 5 + 1.0


SPECIAL = {
    special.gammaln: unary(0.3, 4.0), special.digamma: unary(0.3, 4.0),
    special.polygamma: [c(0, U(0.5, 3.0, 4)), c(1, U(0.5, 3.0, 2, 3)), c(2, U(0.5, 3.0))],
    special.zeta: [c(2.0, U(0.5, 3.0, 4)), c(3.5, U(0.5, 3.0, 2, 3))],
    special.gamma: unary(0.3, 3.0), special.rgamma: unary(0.3, 3.0),
    special.gammainc: [c(2.5, U(0.5, 3.0, 4)), c(U(1.0, 2.0, 3, 1), U(0.5, 3.0, 1, 4), wrt=(1,))],
    special.gammaincc: [c(2.5, U(0.5, 3.0, 4)), c(1.5, U(0.5, 3.0, 2, 3))],
    special.betainc: [c(2.0, 3.0, U(0.1, 0.9, 4)), c(U(1.0, 2.0, 3, 1), 1.5, U(0.1, 0.9, 4),
                                                    wrt=(2,))],
    special.j0: unary(0.2, 8.0), special.j1: unary(0.2, 8.0), special.y0: unary(0.2, 8.0),
    special.y1: unary(0.2, 8.0), special.jv: [c(2, U(0.2, 8.0, 4)), c(1.5, U(0.2, 8.0, 2, 3))],
    special.yn: [c(2, U(0.5, 8.0, 4))], special.yv: [c(2.5, U(0.5, 8.0, 4))],
    special.iv: [c(2, U(0.2, 5.0, 4)), c(0.5, U(0.2, 5.0, 3))],
    special.ive: [c(2, U(-5.0, 5.0, 4)), c(1.5, U(0.2, 5.0, 3))], special.beta: binary(0.5, 3.0),
    special.betaln: binary(0.5, 3.0), special.erf: unary(-2.0, 2.0),
    special.erfc: unary(-2.0, 2.0), special.erfinv: unary(-0.9, 0.9),
    special.erfcinv: unary(0.1, 1.9), special.expit: unary(-4.0, 4.0),
    special.logit: unary(0.1, 0.9), special.xlogy: binary(0.3, 2.0),
    special.xlog1py: binary(0.3, 2.0), special.i0: unary(-3.0, 3.0),
    special.i1: unary(-3.0, 3.0), special.i0e: unary(-3.0, 3.0), special.i1e: unary(-3.0, 3.0),
    special.ndtr: unary(-3.0, 3.0), special.log_ndtr: unary(-5.0, 3.0),
    special.ndtri: unary(0.05, 0.95),
    special.multigammaln: [c(U(4.0, 5.0), 1), c(U(4.0, 5.0, 2, 3), 2), c(U(4.0, 5.0, 3), 3)],
    special.logsumexp: reduction() + [
        c(N(4), None, P(4)), c(N(3, 4), 0, P(3, 4)), c(N(3, 4), 1, P(4), True),
        c(N(2, 3, 4), (0, 1), P(2, 3, 4)), c(N(3, 4), None, P(1, 4)),
        c(N(3, 4), 1, P(3, 1), keepdims=False),
    ],
    special.softmax: [c(N(5)), c(N(3, 4)), c(N(3, 4), axis=0), c(N(2, 3, 4), axis=-1),
                      c(N(2, 3, 4), axis=(0, 2))],
    special.log_softmax: [c(N(5)), c(N(3, 4)), c(N(3, 4), axis=1), c(N(2, 3, 4), axis=0)],
}

STATS = {
    stats.norm.logpdf: loc_scale(N), stats.norm.pdf: loc_scale(N),
    stats.norm.cdf: loc_scale(N), stats.norm.logcdf: loc_scale(N),
    stats.norm.sf: loc_scale(N), stats.norm.logsf: loc_scale(N),
    stats.norm.ppf: loc_scale(Z01), stats.norm.isf: loc_scale(Z01),
    stats.t.logpdf: shape_loc_scale(N, DF), stats.t.pdf: shape_loc_scale(N, DF),
    stats.t.cdf: [c(N(4), 3.5, N(4), P(4)), c(N(4, 3), 4.0, N(1, 3), P(4, 1)),
                  c(N(4), DF(4), wrt=(0,))],
    stats.t.logcdf: [c(N(4), 3.5, N(4), P(4)), c(N(4, 3), 4.0, N(1, 3), P(4, 1))],
    stats.gamma.logpdf: shape_loc_scale(POS, SHAPE, 1, BELOW),
    stats.gamma.pdf: shape_loc_scale(POS, SHAPE, 1, BELOW),
    stats.gamma.cdf: [c(POS(4), 2.5, U(-0.2, 0.0, 4), P(4)), c(POS(4, 3), 3.0, 0.0, P(1, 3))],
    stats.gamma.logcdf: [c(POS(4), 2.5, U(-0.2, 0.0, 4), P(4)), c(POS(4, 3), 3.0)],
    stats.beta.logpdf: shape_loc_scale(Z01, SHAPE, 2, BELOW, WIDE),
    stats.beta.pdf: shape_loc_scale(Z01, SHAPE, 2, BELOW, WIDE),
    stats.beta.cdf: [c(Z01(4), 2.0, 3.0), c(Z01(4, 3), 2.5, 1.5, U(-0.05, 0.0, 1, 3))],
    stats.beta.logcdf: [c(Z01(4), 2.0, 3.0), c(Z01(4, 3), 2.5, 1.5)],
    stats.chi2.logpdf: shape_loc_scale(POS, SHAPE, 1, BELOW),
    stats.chi2.pdf: shape_loc_scale(POS, SHAPE, 1, BELOW),
    stats.chi2.cdf: [c(POS(4), 3.0, U(-0.2, 0.0, 4), P(4)), c(POS(4, 3), 2.5, 0.0, P(1, 3))],
    stats.chi2.logcdf: [c(POS(4), 3.0, U(-0.2, 0.0, 4), P(4)), c(POS(4, 3), 2.5)],
    stats.logistic.logpdf: loc_scale(N), stats.logistic.pdf: loc_scale(N),
    stats.logistic.cdf: loc_scale(N), stats.logistic.logcdf: loc_scale(N),
    stats.laplace.logpdf: loc_scale(N), stats.laplace.pdf: loc_scale(N),
    stats.laplace.cdf: loc_scale(N), stats.laplace.logcdf: loc_scale(N),
    stats.cauchy.logpdf: loc_scale(N), stats.cauchy.pdf: loc_scale(N),
    stats.cauchy.cdf: loc_scale(N), stats.cauchy.logcdf: loc_scale(N),
    stats.poisson.logpmf: [c(counts(4), POS(4), wrt=(1,)), c(counts(4, 3), POS(4, 1), wrt=(1,))],
    stats.poisson.pmf: [c(counts(4), POS(4), wrt=(1,)), c(counts(4, 3), POS(1, 3), wrt=(1,))],
    stats.poisson.cdf: [c(counts(4), POS(4), wrt=(1,)), c(counts(4, 3), POS(4, 1), wrt=(1,))],
    stats.poisson.logcdf: [c(counts(4), POS(4), wrt=(1,)), c(counts(4, 3), POS(4, 1), wrt=(1,))],
    stats.dirichlet.logpdf: [c(M((4,), "simplex"), SHAPE(4)), c(M((3, 5), "simplex"), SHAPE(3))],
    stats.dirichlet.pdf: [c(M((4,), "simplex"), SHAPE(4)), c(M((3, 5), "simplex"), SHAPE(3))],
    stats.multivariate_normal.logpdf: [
        c(N(3), N(3), M((3, 3), "spd")), c(N(5, 3), N(3), M((3, 3), "spd")),
        c(N(2, 4, 3), N(3), M((3, 3), "spd")), c(N(4, 2), None, M((2, 2), "spd")),
    ],
    stats.multivariate_normal.pdf: [
        c(N(3), N(3), M((3, 3), "spd")), c(N(5, 3), N(3), M((3, 3), "spd")),
    ],
}


def INV(*shape: int) -> M:
    return M(shape, "invertible")


LINALG = {
    linalg.solve_triangular: [
        c(INV(4, 4), N(4), trans=trans, lower=lower)
        for trans in (0, 1, 2, "N", "T", "C") for lower in (True, False)
    ] + [c(INV(4, 4), N(4, 2), lower=True), c(INV(4, 4), N(4, 3), trans="T"),
         c(INV(2, 3, 3), N(2, 3, 2), lower=True), c(INV(4, 4), N(4), unit_diagonal=True),
         c(INV(4, 4), N(4, 2), lower=True, unit_diagonal=True, trans=1)],
    linalg.cholesky: [c(M((4, 4), "spd")), c(M((4, 4), "spd"), lower=True),
                      c(M((2, 3, 3), "spd"), True)],
    linalg.cho_factor: [c(M((4, 4), "spd")), c(M((4, 4), "spd"), lower=True)],
    linalg.cho_solve: [c([M((4, 4), "triangular"), True], N(4)),
                       c([M((4, 4), "upper"), False], N(4, 2)),
                       c([M((3, 3), "triangular"), True], N(3, 3))],
    linalg.sqrtm: [c(M((3, 3), "spd")), c(M((4, 4), "spd"))],
    linalg.expm: [c(N(3, 3)), c(N(4, 4)), c(N(2, 3, 3))],
}

SCIPY_SPECS: dict = {("function", k): v for k, v in {**SPECIAL, **STATS, **LINALG}.items()}
