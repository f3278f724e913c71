"""A two-layer deep GP (posterior means through inducing points), layers as partials."""

import functools

import numpy as np


def rbf(kernel_params, x, xp):
    scale, lengthscale = np.exp(kernel_params[0]), np.exp(kernel_params[1])
    sq = np.sum((x[:, None, :] - xp[None, :, :]) ** 2, axis=2)
    return scale * np.exp(-0.5 * sq / lengthscale ** 2)


def gp_posterior_mean(kernel_params, inducing_x, inducing_y, x, cov_func=rbf):
    K_uu = cov_func(kernel_params, inducing_x, inducing_x) + 1e-2 * np.eye(len(inducing_x))
    K_xu = cov_func(kernel_params, x, inducing_x)
    return K_xu @ np.linalg.solve(K_uu, inducing_y)


def deep_gp_loss(params, X, y):
    layer1 = functools.partial(gp_posterior_mean, params["k1"], params["z1"], params["u1"])
    layer2 = functools.partial(gp_posterior_mean, params["k2"], params["z2"], params["u2"])
    hidden = layer1(X)
    prediction = layer2(hidden)[:, 0]
    penalty = sum(np.sum(params[name] ** 2) for name in ("u1", "u2"))
    return np.mean((prediction - y) ** 2) + 0.01 * penalty


def corpus_entry():
    rs = np.random.RandomState(7)
    X = np.linspace(-1.0, 1.0, 5).reshape(5, 1)
    y = np.sign(X[:, 0]) * 0.5 + 0.1 * rs.randn(5)
    params = {"k1": np.array([0.0, -0.5]), "z1": rs.randn(3, 1), "u1": rs.randn(3, 1),
              "k2": np.array([0.1, 0.0]), "z2": rs.randn(3, 1), "u2": rs.randn(3, 1)}
    return deep_gp_loss, (params, X, y)
