"""Gaussian-process regression: a factory of closures over a covariance function."""

import numpy as np


def make_gp_funs(cov_func, num_cov_params):
    """(number of parameters, log marginal likelihood) for this covariance function."""

    def unpack_kernel_params(params):
        mean = params[0]
        noise_variance = np.exp(params[1]) + 1e-4
        return mean, params[2:], noise_variance

    def log_marginal_likelihood(params, x, y):
        mean, cov_params, noise_variance = unpack_kernel_params(params)
        K = cov_func(cov_params, x, x) + noise_variance * np.eye(len(y))
        resid = y - mean
        alpha = np.linalg.solve(K, resid)
        _, logdet = np.linalg.slogdet(K)
        return -0.5 * np.dot(resid, alpha) - 0.5 * logdet - 0.5 * len(y) * np.log(2 * np.pi)

    return num_cov_params + 2, log_marginal_likelihood


def rbf_covariance(kernel_params, x, xp):
    output_scale = np.exp(kernel_params[0])
    lengthscales = np.exp(kernel_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
    return output_scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))


num_params, log_marginal_likelihood = make_gp_funs(rbf_covariance, num_cov_params=2)

_rs = np.random.RandomState(6)
X = np.linspace(-2.0, 2.0, 6).reshape(6, 1)
y = np.cos(2 * X[:, 0]) + 0.1 * _rs.randn(6)


def objective(params):
    return -log_marginal_likelihood(params, X, y)


def corpus_entry():
    return objective, (np.array([0.1, -1.0, 0.2, -0.3]),)
