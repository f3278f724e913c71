"""Compiled programs over SciPy's rules: models as people write them (skipped without SciPy).

After this module passes: a Gaussian-process marginal likelihood (cholesky,
solve_triangular, slogdet, cho_factor/cho_solve), a mixture model (logsumexp,
norm.logpdf), a VAE's objective (norm.logpdf with a reparameterized sample) and
programs over each SciPy family are differentiated by ``sx.grad``, ``sx.jvp``,
``sx.vjp`` and ``sx.hessian`` in agreement with finite differences and with HIPS
autograd (where autograd has the function); and the arguments and options
without a derivative are refused at transform time with a located error
naming them.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.rules.covered import HAVE_SCIPY
from tests.rules.linalg_check import M
from tests.rules.programs import check_program

pytestmark = pytest.mark.skipif(not HAVE_SCIPY, reason="SciPy is not installed")

if HAVE_SCIPY:
    import scipy.linalg as sla
    from scipy import special, stats

RNG = np.random.default_rng(11)
X = RNG.standard_normal((6, 2))
Y = RNG.standard_normal(6)
DATA = RNG.standard_normal(20)
XS = RNG.standard_normal((5, 3))
EPS_NOISE = 0.3 * np.ones(3)
SPD = M((4, 4), "spd").make(RNG)


def gp_marginal_likelihood(params):
    lengthscale, variance, noise = np.exp(params[0]), np.exp(params[1]), np.exp(params[2])
    d = X[:, None, :] - X[None, :, :]
    k = variance * np.exp(-0.5 * np.sum(d ** 2, axis=-1) / lengthscale ** 2) + noise * np.eye(6)
    low = np.linalg.cholesky(k)
    alpha = sla.solve_triangular(low, Y, lower=True)
    sign, logdet = np.linalg.slogdet(k)
    return 0.5 * alpha @ alpha + 0.5 * logdet + 3.0 * np.log(2 * np.pi)


def gp_cho(params):
    k = np.exp(params[0]) * np.exp(-0.5 * (X[:, None, 0] - X[None, :, 0]) ** 2) \
        + np.exp(params[1]) * np.eye(6)
    factor = sla.cho_factor(k, lower=True)
    alpha = sla.cho_solve(factor, Y)
    eye = np.eye(6)  # log |diagonal| (1 off the diagonal, whose log is 0)
    return 0.5 * Y @ alpha + np.sum(np.log(np.abs(factor[0] * eye + (1.0 - eye))))


def mixture(theta):
    means, logits = theta[:3], theta[3:]
    logp = stats.norm.logpdf(DATA[:, None], means, 1.0) + logits - special.logsumexp(logits)
    return -np.sum(special.logsumexp(logp, axis=1))


def vae_objective(params):
    mu, log_sigma = params[:3], params[3:]
    z = mu + np.exp(log_sigma) * EPS_NOISE
    return (-np.sum(stats.norm.logpdf(XS, z, 1.0)) + np.sum(stats.norm.logpdf(z, 0.0, 1.0))
            - np.sum(stats.norm.logpdf(z, mu, np.exp(log_sigma))))


def special_functions(x):
    return np.sum(special.gammaln(x) + special.digamma(x) * 0.3 + special.erf(x - 1.5)
                  + special.expit(x) * special.logit(x / 4.0) + special.xlogy(x, x + 1.0)
                  + special.i0(x) + special.betaln(x, 2.0) + special.ndtr(x - 1.0)
                  + special.log_ndtr(x - 2.0) + special.erfinv(x / 4.0))


def more_special(x):
    return np.sum(special.polygamma(1, x) + special.gamma(x) + special.beta(x, x)
                  + special.erfc(x) + special.i1(x) + special.i0e(x) + special.i1e(x)
                  + special.ndtri(x / 4.0) + special.erfcinv(x / 4.0)
                  + special.xlog1py(x, x) + special.multigammaln(x + 3.0, 2)
                  + special.softmax(x)[0] + special.log_softmax(x)[1])


def distributions(theta):
    a, b = np.exp(theta[0]) + 1.0, np.exp(theta[1]) + 1.0
    return (np.sum(stats.t.logpdf(DATA[:4], a + 1.0, theta[2], b))
            + np.sum(stats.gamma.logpdf(np.array([0.5, 1.5]), a, 0.0, b))
            + np.sum(stats.beta.logpdf(np.array([0.2, 0.7]), a, b))
            + np.sum(stats.poisson.logpmf(np.array([1.0, 3.0]), a))
            + stats.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), np.array([a, b, 2.0]))
            + np.sum(stats.norm.cdf(DATA[:3], theta[2], b) + stats.norm.logcdf(DATA[:3], 0.0, a)))


def more_distributions(theta):
    a, b = np.exp(theta[0]) + 1.0, np.exp(theta[1]) + 1.0
    return (np.sum(stats.logistic.logpdf(DATA[:4], theta[2], b))
            + np.sum(stats.laplace.logcdf(DATA[:4], theta[2], a))
            + np.sum(stats.cauchy.logpdf(DATA[:4], theta[2], b))
            + np.sum(stats.t.cdf(DATA[:4], 3.0, theta[2], a))
            + np.sum(stats.gamma.cdf(np.array([0.5, 1.5]), 2.0, 0.0, b))
            + np.sum(stats.norm.ppf(np.array([0.2, 0.9]), theta[2], a))
            + np.sum(stats.norm.pdf(DATA[:3], theta[2], b) + stats.norm.logsf(DATA[:3], 0.0, a)))


def mvn(mean, cov):
    return np.sum(stats.multivariate_normal.logpdf(XS, mean, cov))


def matrix_functions(a):
    return (np.sum(sla.expm(a / 4.0) * np.arange(4.0)) + np.sum(sla.sqrtm(a) ** 2)
            + np.sum(sla.cholesky(a) * np.arange(4.0)))


PROGRAMS = [
    (gp_marginal_likelihood, (np.array([0.1, 0.2, -1.0]),), 0, False, True),
    (gp_cho, (np.array([0.1, -1.0]),), 0, False, False),
    (mixture, (RNG.standard_normal(6),), 0, False, True),
    (vae_objective, (RNG.standard_normal(6),), 0, False, True),
    (special_functions, (RNG.uniform(0.5, 3.0, 4),), 0, False, False),
    (more_special, (RNG.uniform(0.5, 3.0, 4),), 0, False, False),
    (distributions, (RNG.standard_normal(3) * 0.3,), 0, False, False),
    (more_distributions, (RNG.standard_normal(3) * 0.3,), 0, False, False),
    (mvn, (RNG.standard_normal(3), SPD[:3, :3]), 0, False, True),
    (mvn, (RNG.standard_normal(3), SPD[:3, :3]), 1, True, True),
    (matrix_functions, (SPD,), 0, True, False),
]


@pytest.mark.parametrize(("f", "args", "wrt", "sym", "ag"), PROGRAMS,
                         ids=[f"{p[0].__name__}-{p[2]}" for p in PROGRAMS])
def test_program(f, args, wrt, sym, ag) -> None:
    check_program(f, args, wrt=wrt, sym=sym, hessian=True, autograd=ag)


def test_autograd_agrees_on_special_functions() -> None:
    """The special functions autograd has, one by one, through the same source."""
    def f(x):
        return np.sum(special.gammaln(x) + special.digamma(x) + special.erf(x)
                      + special.expit(x) + special.logit(x / 4.0) + special.i0(x)
                      + special.polygamma(1, x) + special.gamma(x) + special.erfc(x)
                      + special.i1(x) + special.erfinv(x / 4.0) + special.erfcinv(x / 4.0)
                      + special.beta(x, 2.0) + special.betaln(x, x)) \
            + special.logsumexp(x) + special.logsumexp(x, b=np.arange(1.0, 5.0))

    check_program(f, (RNG.uniform(0.5, 3.0, 4),), autograd=True)


def test_autograd_agrees_on_more_special_functions() -> None:
    def f(x):
        return np.sum(special.gammainc(1.0, x) + special.gammaincc(1.0, x) + special.rgamma(x)
                      + special.betainc(2.0, 3.0, x / 4.0) + special.j0(x) + special.j1(x)
                      + special.y0(x) + special.y1(x) + special.jn(2, x) + special.yn(2, x)
                      + special.iv(1.5, x) + special.ive(2.0, x)
                      + stats.chi2.logpdf(x, 3.0) + stats.chi2.cdf(x, 4.0))

    check_program(f, (RNG.uniform(0.5, 3.0, 4),), hessian=True, autograd=True)


def chi2_density(x):
    return np.sum(stats.chi2.pdf(x, 2.5))


def test_chi2_density_against_finite_differences_only() -> None:
    # not against HIPS autograd: its gradient of chi2.pdf (autograd 1.9, df=2.5) differs
    # from finite differences by about 0.08 here
    check_program(chi2_density, (RNG.uniform(0.5, 3.0, 4),), hessian=True)


def test_autograd_agrees_on_distributions() -> None:
    """The distributions' arguments autograd differentiates, through the same source."""
    def f(theta):
        a = np.exp(theta[0]) + 1.0
        return (np.sum(stats.t.logpdf(DATA[:4], a + 1.0, theta[2], a))
                + np.sum(stats.t.cdf(DATA[:4], 3.0, theta[2]))
                + np.sum(stats.gamma.logpdf(np.array([0.5, 1.5]) * a, a))
                + np.sum(stats.beta.logpdf(np.array([0.2, 0.7]), a, a + theta[1]))
                + np.sum(stats.poisson.logpmf(np.array([1.0, 3.0]), a))
                + stats.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), np.array([a, a, 2.0]))
                + np.sum(stats.norm.cdf(DATA[:3], theta[2], a))
                + np.sum(stats.norm.logcdf(DATA[:3], 0.0, a))
                + np.sum(stats.norm.pdf(DATA[:3], theta[2], a))
                + np.sum(stats.norm.logsf(DATA[:3], 0.0, a)))

    check_program(f, (RNG.standard_normal(3) * 0.3,), autograd=True)


# --- refusals --------------------------------------------------------------------------------

def t_cdf_in_df(df):
    return np.sum(stats.t.cdf(DATA[:3], df))


def logsumexp_with_sign(x):
    value, sign = special.logsumexp(x, return_sign=True)
    return value


def singular_mvn(mean):
    return stats.multivariate_normal.logpdf(XS[0], mean, np.eye(3), allow_singular=True)


def test_an_argument_without_a_derivative_is_refused_in_both_modes() -> None:
    for transform in (lambda: sx.grad(t_cdf_in_df)(4.0),
                      lambda: sx.jvp(t_cdf_in_df, (4.0,), (1.0,))):
        with pytest.raises(sx.TransformError, match="'df'") as err:
            transform()
        assert "test_scipy_programs.py:" in str(err.value)


def test_refused_options() -> None:
    with pytest.raises(sx.TransformError, match="return_sign"):
        sx.grad(logsumexp_with_sign)(np.ones(3))
    with pytest.raises(sx.TransformError, match="allow_singular"):
        sx.grad(singular_mvn)(np.zeros(3))


def test_a_constant_argument_without_a_derivative_is_fine() -> None:
    def f(x):
        return np.sum(stats.t.cdf(x, 4.0) + stats.gamma.cdf(x + 1.0, 2.0))

    check_program(f, (DATA[:3],))
