"""Black-box variational inference: a factory over a log-density, fixed-seed samples."""

import numpy as np


def black_box_variational_inference(logprob, D, num_samples):
    """The negative evidence lower bound of a diagonal Gaussian q, and its unpacker."""

    def unpack_params(params):
        return params[:D], params[D:]

    def gaussian_entropy(log_std):
        return 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)

    def variational_objective(params, t):
        mean, log_std = unpack_params(params)
        rs = np.random.RandomState(t)
        shape = (num_samples, D)
        samples = rs.randn(*shape) * np.exp(log_std) + mean
        lower_bound = gaussian_entropy(log_std) + np.mean(logprob(samples, t))
        return -lower_bound

    return variational_objective, unpack_params


def log_normal(x, mean, std):
    return -0.5 * ((x - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2 * np.pi)


def log_density(x, t):
    mu, log_sigma = x[:, 0], x[:, 1]
    sigma_density = log_normal(log_sigma, 0.0, 1.35)
    mu_density = log_normal(mu, 0.0, np.exp(log_sigma))
    return sigma_density + mu_density


objective, unpack_params = black_box_variational_inference(log_density, D=2, num_samples=8)


def corpus_entry():
    return objective, (np.array([-0.5, 0.3, -1.0, -0.8]), 0)
