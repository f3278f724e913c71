"""GP latent-variable model: latents and kernel parameters packed in one vector."""

import numpy as np

N, Q, D = 5, 1, 2

_rs = np.random.RandomState(8)
Y = np.column_stack([np.sin(np.linspace(0, 3, N)), np.cos(np.linspace(0, 3, N))])
Y = Y + 0.05 * _rs.randn(N, D)


def unpack_params(params):
    return params[:2], np.reshape(params[2:], (N, Q))


def rbf(kernel_params, A):
    sq = np.sum((A[:, None, :] - A[None, :, :]) ** 2, axis=2)
    return np.exp(kernel_params[0]) * np.exp(-0.5 * sq / np.exp(2 * kernel_params[1]))


def gp_log_likelihood(K, y):
    _, logdet = np.linalg.slogdet(K)
    return -0.5 * np.dot(y, np.linalg.solve(K, y)) - 0.5 * logdet - 0.5 * len(y) * np.log(2 * np.pi)


def gplvm_objective(params):
    kernel_params = unpack_params(params)[0]
    latents = unpack_params(params)[1]
    K = rbf(kernel_params, latents) + 0.1 * np.eye(N)
    data_ll = sum(gp_log_likelihood(K, Y[:, d]) for d in range(D))
    latent_prior = -0.5 * np.sum(latents ** 2)
    return -(data_ll + latent_prior)


def corpus_entry():
    params = np.concatenate([[0.1, -0.2], np.linspace(-1, 1, N) + 0.1 * _rs.randn(N)])
    return gplvm_objective, (params,)
