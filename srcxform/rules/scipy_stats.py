"""Rules of ``scipy.stats`` distributions (imported only once the user imports SciPy).

After import, these bound methods have rules (gradients in every argument a
closed form exists for; the rest are listed in ``no_derivative`` and refused):

* ``norm``: ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf``, ``sf``,
  ``ppf``, ``isf`` in ``x``/``q``, ``loc``, ``scale``;
* ``t``: ``logpdf``, ``pdf`` in ``x``, ``df``, ``loc``, ``scale``; ``logcdf``,
  ``cdf`` in ``x``, ``loc``, ``scale`` (not ``df``);
* ``gamma`` (``a``), ``beta`` (``a``, ``b``), ``chi2`` (``df``): ``logpdf``, ``pdf`` in every
  argument; ``logcdf``, ``cdf`` in ``x``, ``loc``, ``scale`` (not the shapes);
* ``logistic``, ``laplace``, ``cauchy``: ``logpdf``, ``pdf``, ``logcdf``,
  ``cdf`` in ``x``, ``loc``, ``scale``;
* ``poisson``: ``logpmf``, ``pmf``, ``logcdf``, ``cdf`` in ``mu`` (the count
  ``k`` and the shift ``loc`` are integers: differentiating them is refused);
* ``dirichlet``: ``logpdf``, ``pdf`` in ``x`` (along the simplex: components
  on axis 0, as SciPy's) and ``alpha``;
* ``multivariate_normal``: ``logpdf``, ``pdf`` in ``x``, ``mean`` and a 2-D
  ``cov`` (symmetric gradient; ``allow_singular=True`` is refused).

In every body ``z = (x - loc) / scale`` is the standardized point.  The
univariate rules are elementwise (arguments broadcast).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from .registry import register, register_tangents, unbroadcast

SQRT_2PI = math.sqrt(2.0 * math.pi)
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
LOG2 = math.log(2.0)


# --- normal ---------------------------------------------------------------------------

@register(stats.norm.logpdf, elementwise=True, backward_name="NormalLogProbBackward0")
def norm_logpdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -g * z / scale, g * z / scale, g * (z * z - 1.0) / scale


@register(stats.norm.pdf, elementwise=True, backward_name="NormalProbBackward0")
def norm_pdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -g * out * z / scale, g * out * z / scale, g * out * (z * z - 1.0) / scale


@register(stats.norm.cdf, elementwise=True, backward_name="NormalCdfBackward0")
def norm_cdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * np.exp(-0.5 * z * z) / (SQRT_2PI * scale)
    return d, -d, -d * z


@register(stats.norm.logcdf, elementwise=True, backward_name="NormalLogCdfBackward0")
def norm_logcdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * np.exp(-0.5 * z * z - LOG_SQRT_2PI - out) / scale
    return d, -d, -d * z


@register(stats.norm.sf, elementwise=True, backward_name="NormalSfBackward0")
def norm_sf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = -g * np.exp(-0.5 * z * z) / (SQRT_2PI * scale)
    return d, -d, -d * z


@register(stats.norm.logsf, elementwise=True, backward_name="NormalLogSfBackward0")
def norm_logsf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = -g * np.exp(-0.5 * z * z - LOG_SQRT_2PI - out) / scale
    return d, -d, -d * z


@register(stats.norm.ppf, elementwise=True, backward_name="NormalIcdfBackward0")
def norm_ppf(g, out, q, loc=0.0, scale=1.0):
    w = (out - loc) / scale
    return g * scale * SQRT_2PI * np.exp(0.5 * w * w), g, g * w


@register(stats.norm.isf, elementwise=True, backward_name="NormalIsfBackward0")
def norm_isf(g, out, q, loc=0.0, scale=1.0):
    w = (out - loc) / scale
    return -g * scale * SQRT_2PI * np.exp(0.5 * w * w), g, g * w


# --- Student's t ----------------------------------------------------------------------

@register(stats.t.logpdf, elementwise=True, backward_name="StudentTLogProbBackward0")
def t_logpdf(g, out, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    r = (df + 1.0) * z / (scale * (df + z * z))  # minus the derivative in x
    ddf = 0.5 * (special.digamma(0.5 * df + 0.5) - special.digamma(0.5 * df) - 1.0 / df
                 - np.log1p(z * z / df) + (df + 1.0) * z * z / (df * (df + z * z)))
    return -g * r, g * ddf, g * r, g * (r * z - 1.0 / scale)


@register(stats.t.pdf, elementwise=True, backward_name="StudentTProbBackward0")
def t_pdf(g, out, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    r = (df + 1.0) * z / (scale * (df + z * z))
    ddf = 0.5 * (special.digamma(0.5 * df + 0.5) - special.digamma(0.5 * df) - 1.0 / df
                 - np.log1p(z * z / df) + (df + 1.0) * z * z / (df * (df + z * z)))
    return -g * out * r, g * out * ddf, g * out * r, g * out * (r * z - 1.0 / scale)


@register(stats.t.cdf, elementwise=True, backward_name="StudentTCdfBackward0",
          no_derivative=("df",))
def t_cdf(g, out, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * stats.t.pdf(z, df) / scale
    return d, None, -d, -d * z


@register(stats.t.logcdf, elementwise=True, backward_name="StudentTLogCdfBackward0",
          no_derivative=("df",))
def t_logcdf(g, out, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * np.exp(stats.t.logpdf(z, df) - out) / scale
    return d, None, -d, -d * z


# --- gamma and beta -------------------------------------------------------------------

@register(stats.gamma.logpdf, elementwise=True, backward_name="GammaLogProbBackward0")
def gamma_logpdf(g, out, x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = ((a - 1.0) / z - 1.0) / scale
    return g * dz, g * (np.log(z) - special.digamma(a)), -g * dz, g * (z - a) / scale


@register(stats.gamma.pdf, elementwise=True, backward_name="GammaProbBackward0")
def gamma_pdf(g, out, x, a, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = ((a - 1.0) / z - 1.0) / scale
    go = g * out
    return go * dz, go * (np.log(z) - special.digamma(a)), -go * dz, go * (z - a) / scale


@register(stats.gamma.cdf, elementwise=True, backward_name="GammaCdfBackward0",
          no_derivative=("a",))
def gamma_cdf(g, out, x, a, loc=0.0, scale=1.0):
    d = g * stats.gamma.pdf(x, a, loc, scale)
    return d, None, -d, -d * (x - loc) / scale


@register(stats.gamma.logcdf, elementwise=True, backward_name="GammaLogCdfBackward0",
          no_derivative=("a",))
def gamma_logcdf(g, out, x, a, loc=0.0, scale=1.0):
    d = g * np.exp(stats.gamma.logpdf(x, a, loc, scale) - out)
    return d, None, -d, -d * (x - loc) / scale


@register(stats.beta.logpdf, elementwise=True, backward_name="BetaLogProbBackward0")
def beta_logpdf(g, out, x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = ((a - 1.0) / z - (b - 1.0) / (1.0 - z)) / scale
    both = special.digamma(a + b)
    return (g * dz, g * (np.log(z) - special.digamma(a) + both),
            g * (np.log1p(-z) - special.digamma(b) + both), -g * dz, -g * (1.0 / scale + dz * z))


@register(stats.beta.pdf, elementwise=True, backward_name="BetaProbBackward0")
def beta_pdf(g, out, x, a, b, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = ((a - 1.0) / z - (b - 1.0) / (1.0 - z)) / scale
    both = special.digamma(a + b)
    go = g * out
    return (go * dz, go * (np.log(z) - special.digamma(a) + both),
            go * (np.log1p(-z) - special.digamma(b) + both), -go * dz,
            -go * (1.0 / scale + dz * z))


@register(stats.beta.cdf, elementwise=True, backward_name="BetaCdfBackward0",
          no_derivative=("a", "b"))
def beta_cdf(g, out, x, a, b, loc=0.0, scale=1.0):
    d = g * stats.beta.pdf(x, a, b, loc, scale)
    return d, None, None, -d, -d * (x - loc) / scale


@register(stats.beta.logcdf, elementwise=True, backward_name="BetaLogCdfBackward0",
          no_derivative=("a", "b"))
def beta_logcdf(g, out, x, a, b, loc=0.0, scale=1.0):
    d = g * np.exp(stats.beta.logpdf(x, a, b, loc, scale) - out)
    return d, None, None, -d, -d * (x - loc) / scale


@register(stats.chi2.logpdf, elementwise=True, backward_name="Chi2LogProbBackward0")
def chi2_logpdf(g, out, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = ((0.5 * df - 1.0) / z - 0.5) / scale
    ddf = 0.5 * (np.log(0.5 * z) - special.digamma(0.5 * df))
    return g * dz, g * ddf, -g * dz, g * (0.5 * z - 0.5 * df) / scale


@register(stats.chi2.pdf, elementwise=True, backward_name="Chi2ProbBackward0")
def chi2_pdf(g, out, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = ((0.5 * df - 1.0) / z - 0.5) / scale
    ddf = 0.5 * (np.log(0.5 * z) - special.digamma(0.5 * df))
    go = g * out
    return go * dz, go * ddf, -go * dz, go * (0.5 * z - 0.5 * df) / scale


@register(stats.chi2.cdf, elementwise=True, backward_name="Chi2CdfBackward0",
          no_derivative=("df",))
def chi2_cdf(g, out, x, df, loc=0.0, scale=1.0):
    d = g * stats.chi2.pdf(x, df, loc, scale)
    return d, None, -d, -d * (x - loc) / scale


@register(stats.chi2.logcdf, elementwise=True, backward_name="Chi2LogCdfBackward0",
          no_derivative=("df",))
def chi2_logcdf(g, out, x, df, loc=0.0, scale=1.0):
    d = g * np.exp(stats.chi2.logpdf(x, df, loc, scale) - out)
    return d, None, -d, -d * (x - loc) / scale


# --- logistic, Laplace, Cauchy --------------------------------------------------------

@register(stats.logistic.logpdf, elementwise=True, backward_name="LogisticLogProbBackward0")
def logistic_logpdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    h = np.tanh(0.5 * z)  # minus the derivative in z
    return -g * h / scale, g * h / scale, g * (h * z - 1.0) / scale


@register(stats.logistic.pdf, elementwise=True, backward_name="LogisticProbBackward0")
def logistic_pdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    h = np.tanh(0.5 * z)
    return -g * out * h / scale, g * out * h / scale, g * out * (h * z - 1.0) / scale


@register(stats.logistic.cdf, elementwise=True, backward_name="LogisticCdfBackward0")
def logistic_cdf(g, out, x, loc=0.0, scale=1.0):
    d = g * out * (1.0 - out) / scale
    return d, -d, -d * (x - loc) / scale


@register(stats.logistic.logcdf, elementwise=True, backward_name="LogisticLogCdfBackward0")
def logistic_logcdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * special.expit(-z) / scale
    return d, -d, -d * z


@register(stats.laplace.logpdf, elementwise=True, backward_name="LaplaceLogProbBackward0")
def laplace_logpdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -g * np.sign(z) / scale, g * np.sign(z) / scale, g * (np.abs(z) - 1.0) / scale


@register(stats.laplace.pdf, elementwise=True, backward_name="LaplaceProbBackward0")
def laplace_pdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    go = g * out
    return -go * np.sign(z) / scale, go * np.sign(z) / scale, go * (np.abs(z) - 1.0) / scale


@register(stats.laplace.cdf, elementwise=True, backward_name="LaplaceCdfBackward0")
def laplace_cdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * np.exp(-np.abs(z)) / (2.0 * scale)
    return d, -d, -d * z


@register(stats.laplace.logcdf, elementwise=True, backward_name="LaplaceLogCdfBackward0")
def laplace_logcdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g * np.exp(-np.abs(z) - LOG2 - out) / scale
    return d, -d, -d * z


@register(stats.cauchy.logpdf, elementwise=True, backward_name="CauchyLogProbBackward0")
def cauchy_logpdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = 2.0 * z / (scale * (1.0 + z * z))  # minus the derivative in x
    return -g * dz, g * dz, g * (dz * z - 1.0 / scale)


@register(stats.cauchy.pdf, elementwise=True, backward_name="CauchyProbBackward0")
def cauchy_pdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    dz = 2.0 * z / (scale * (1.0 + z * z))
    go = g * out
    return -go * dz, go * dz, go * (dz * z - 1.0 / scale)


@register(stats.cauchy.cdf, elementwise=True, backward_name="CauchyCdfBackward0")
def cauchy_cdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g / (math.pi * scale * (1.0 + z * z))
    return d, -d, -d * z


@register(stats.cauchy.logcdf, elementwise=True, backward_name="CauchyLogCdfBackward0")
def cauchy_logcdf(g, out, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d = g / (math.pi * scale * (1.0 + z * z)) / np.exp(out)
    return d, -d, -d * z


# --- Poisson --------------------------------------------------------------------------

@register(stats.poisson.logpmf, elementwise=True, backward_name="PoissonLogProbBackward0",
          no_derivative=("k", "loc"))
def poisson_logpmf(g, out, k, mu, loc=0):
    return None, g * ((k - loc) / mu - 1.0), None


@register(stats.poisson.pmf, elementwise=True, backward_name="PoissonProbBackward0",
          no_derivative=("k", "loc"))
def poisson_pmf(g, out, k, mu, loc=0):
    return None, g * out * ((k - loc) / mu - 1.0), None


@register(stats.poisson.cdf, elementwise=True, backward_name="PoissonCdfBackward0",
          no_derivative=("k", "loc"))
def poisson_cdf(g, out, k, mu, loc=0):
    return None, -g * stats.poisson.pmf(np.floor(k - loc), mu), None


@register(stats.poisson.logcdf, elementwise=True, backward_name="PoissonLogCdfBackward0",
          no_derivative=("k", "loc"))
def poisson_logcdf(g, out, k, mu, loc=0):
    return None, -g * np.exp(stats.poisson.logpmf(np.floor(k - loc), mu) - out), None


# --- Dirichlet ------------------------------------------------------------------------

@register(stats.dirichlet.logpdf, backward_name="DirichletLogProbBackward0")
def dirichlet_logpdf(g, out, x, alpha):
    a = np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1))  # components on axis 0
    points = tuple(range(1, np.ndim(x)))
    da = np.log(x) - special.digamma(a) + special.digamma(np.sum(alpha))
    return g * (a - 1.0) / x, np.sum(g * da, axis=points)


@register(stats.dirichlet.pdf, backward_name="DirichletProbBackward0")
def dirichlet_pdf(g, out, x, alpha):
    a = np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1))
    points = tuple(range(1, np.ndim(x)))
    da = np.log(x) - special.digamma(a) + special.digamma(np.sum(alpha))
    return g * out * (a - 1.0) / x, np.sum(g * out * da, axis=points)


def dirichlet_logpdf_tangent_x(t, out, x, alpha):
    return np.sum((np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1)) - 1.0) / x * t, axis=0)


def dirichlet_logpdf_tangent_alpha(t, out, x, alpha):
    a = np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1))
    ta = np.reshape(t, np.shape(a))
    da = np.log(x) - special.digamma(a) + special.digamma(np.sum(alpha))
    return np.sum(da * ta, axis=0)


def dirichlet_pdf_tangent_x(t, out, x, alpha):
    return out * dirichlet_logpdf_tangent_x(t, out, x, alpha)


def dirichlet_pdf_tangent_alpha(t, out, x, alpha):
    return out * dirichlet_logpdf_tangent_alpha(t, out, x, alpha)


register_tangents(dirichlet_logpdf, dirichlet_logpdf_tangent_x, dirichlet_logpdf_tangent_alpha)
register_tangents(dirichlet_pdf, dirichlet_pdf_tangent_x, dirichlet_pdf_tangent_alpha)


# --- multivariate normal --------------------------------------------------------------

def mvn_refusal(allow_singular=False):
    """A singular covariance has no inverse: its density's gradient is not implemented."""
    return "allow_singular=True is not supported" if allow_singular else None


def check_matrix_cov(ndim) -> None:
    """Raise unless the covariance is a matrix (SciPy also takes a scalar or a diagonal)."""
    if ndim != 2:
        raise NotImplementedError("srcxform differentiates multivariate_normal with a 2-D "
                                  "covariance matrix only (pass np.diag(v) or v * np.eye(d))")


@register(stats.multivariate_normal.logpdf, backward_name="MultivariateNormalLogProbBackward0",
          refuse=mvn_refusal)
def mvn_logpdf(g, out, x, mean=None, cov=1, allow_singular=False):
    check_matrix_cov(np.ndim(cov))
    r = x if mean is None else x - mean
    rows = np.reshape(r, (-1, np.shape(cov)[-1]))
    z = np.swapaxes(np.linalg.solve(cov, np.swapaxes(rows, -1, -2)), -1, -2)  # cov^-1 r
    gz = np.reshape(g, (-1, 1)) * z
    gr = np.reshape(gz, np.shape(r))
    gcov = -0.5 * (np.sum(g) * np.linalg.inv(cov) - np.swapaxes(gz, -1, -2) @ z)
    return unbroadcast(-gr, x), None if mean is None else unbroadcast(gr, mean), gcov


@register(stats.multivariate_normal.pdf, backward_name="MultivariateNormalProbBackward0",
          refuse=mvn_refusal)
def mvn_pdf(g, out, x, mean=None, cov=1, allow_singular=False):
    check_matrix_cov(np.ndim(cov))
    go = g * out
    r = x if mean is None else x - mean
    rows = np.reshape(r, (-1, np.shape(cov)[-1]))
    z = np.swapaxes(np.linalg.solve(cov, np.swapaxes(rows, -1, -2)), -1, -2)
    gz = np.reshape(go, (-1, 1)) * z
    gr = np.reshape(gz, np.shape(r))
    gcov = -0.5 * (np.sum(go) * np.linalg.inv(cov) - np.swapaxes(gz, -1, -2) @ z)
    return unbroadcast(-gr, x), None if mean is None else unbroadcast(gr, mean), gcov


def _mvn_whitened(x, mean, cov):
    """``(r, z)``: the rows of ``x - mean`` and ``cov^-1`` applied to each."""
    r = x if mean is None else x - mean
    rows = np.reshape(r, (-1, np.shape(cov)[-1]))
    return r, rows, np.linalg.solve(cov, rows.T).T


def mvn_logpdf_tangent_x(t, out, x, mean=None, cov=1, allow_singular=False):
    r, rows, z = _mvn_whitened(x, mean, cov)
    tr = np.reshape(np.broadcast_to(t, np.shape(r)), np.shape(rows))
    return np.reshape(-np.sum(z * tr, axis=-1), np.shape(out))


def mvn_logpdf_tangent_mean(t, out, x, mean=None, cov=1, allow_singular=False):
    r, rows, z = _mvn_whitened(x, mean, cov)
    tr = np.reshape(np.broadcast_to(t, np.shape(r)), np.shape(rows))
    return np.reshape(np.sum(z * tr, axis=-1), np.shape(out))


def mvn_logpdf_tangent_cov(t, out, x, mean=None, cov=1, allow_singular=False):
    r, rows, z = _mvn_whitened(x, mean, cov)
    sym = 0.5 * (t + t.T)
    quad = np.sum((z @ sym) * z, axis=-1)
    return np.reshape(-0.5 * (np.trace(np.linalg.solve(cov, sym)) - quad), np.shape(out))


def mvn_pdf_tangent_x(t, out, x, mean=None, cov=1, allow_singular=False):
    return out * mvn_logpdf_tangent_x(t, out, x, mean, cov)


def mvn_pdf_tangent_mean(t, out, x, mean=None, cov=1, allow_singular=False):
    return out * mvn_logpdf_tangent_mean(t, out, x, mean, cov)


def mvn_pdf_tangent_cov(t, out, x, mean=None, cov=1, allow_singular=False):
    return out * mvn_logpdf_tangent_cov(t, out, x, mean, cov)


register_tangents(mvn_logpdf, mvn_logpdf_tangent_x, mvn_logpdf_tangent_mean,
                  mvn_logpdf_tangent_cov, None)
register_tangents(mvn_pdf, mvn_pdf_tangent_x, mvn_pdf_tangent_mean, mvn_pdf_tangent_cov,
                  None)
