"""A mixture of diagonal Gaussians: components built by comprehensions."""

import numpy as np


def logsumexp(a, axis=0):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def diag_gaussian_logpdf(x, mean, log_std):
    z = (x - mean) / np.exp(log_std)
    return -0.5 * np.sum(z ** 2 + 2 * log_std + np.log(2 * np.pi), axis=1)


def mixture_log_likelihood(params, data):
    log_weights = params["logits"] - logsumexp(params["logits"])
    component_lls = np.array([diag_gaussian_logpdf(data, mean, log_std)
                              for mean, log_std in zip(params["means"], params["log_stds"])])
    return np.sum(logsumexp(component_lls + log_weights[:, None], axis=0))


def log_prior(params):
    return -0.5 * sum(np.sum(mean ** 2) for mean in params["means"])


def objective(params, data):
    return -(mixture_log_likelihood(params, data) + log_prior(params)) / len(data)


def corpus_entry():
    rs = np.random.RandomState(4)
    data = np.concatenate([rs.randn(5, 2) + 2.0, rs.randn(5, 2) - 1.0])
    params = {"logits": rs.randn(3), "means": rs.randn(3, 2), "log_stds": 0.1 * rs.randn(3, 2)}
    return objective, (params, data)
