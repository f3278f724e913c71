"""Bayesian linear regression on random Fourier features, written as objects."""

import numpy as np


class RandomFourierFeatures:
    def __init__(self, in_dim, num_features, rs):
        self.projection = rs.randn(in_dim, num_features)
        self.phase = rs.uniform(0, 2 * np.pi, num_features)
        self.shape = (in_dim, num_features)

    def forward(self, x):
        return np.sqrt(2.0 / self.shape[1]) * np.cos(x @ self.projection + self.phase)


class BayesianLinearRegression:
    def __init__(self, features, prior_precision, noise_precision):
        self.features = features
        self.prior_precision = prior_precision
        self.noise_precision = noise_precision

    def predict(self, params, x):
        return self.features.forward(x) @ params[:-1] + params[-1]

    def loss(self, params, x, y):
        resid = y - self.predict(params, x)
        weights = params[:-1]
        return (0.5 * self.noise_precision * np.sum(resid ** 2)
                + 0.5 * self.prior_precision * np.dot(weights, weights))


_rs = np.random.RandomState(19)
model = BayesianLinearRegression(RandomFourierFeatures(2, 5, _rs), prior_precision=0.5,
                                 noise_precision=4.0)


def corpus_entry():
    rs = np.random.RandomState(20)
    x = rs.randn(7, 2)
    y = np.sin(x[:, 0]) * np.cos(x[:, 1])
    return model.loss, (0.3 * rs.randn(6), x, y)
