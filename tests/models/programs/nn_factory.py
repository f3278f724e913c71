"""A regression net from a factory: flat weights, the nonlinearity a function value."""

import numpy as np


def make_nn_funs(layer_sizes, L2_reg, noise_variance, nonlinearity=np.tanh):
    shapes = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    num_weights = sum((m + 1) * n for m, n in shapes)

    def unpack_layers(weights):
        layers = []
        for m, n in shapes:
            layers.append((weights[:m * n].reshape((m, n)), weights[m * n:m * n + n]))
            weights = weights[(m + 1) * n:]
        return layers

    def predictions(weights, inputs):
        for W, b in unpack_layers(weights):
            outputs = np.dot(inputs, W) + b
            inputs = nonlinearity(outputs)
        return outputs

    def logprob(weights, inputs, targets):
        log_prior = -L2_reg * np.sum(weights ** 2)
        log_lik = -np.sum((predictions(weights, inputs) - targets) ** 2) / noise_variance
        return log_prior + log_lik

    return num_weights, predictions, logprob


softplus = lambda x: np.logaddexp(0.0, x)

num_weights, predictions, logprob = make_nn_funs([1, 4, 1], L2_reg=0.1, noise_variance=0.5,
                                                 nonlinearity=softplus)

inputs = np.linspace(-2, 2, 6).reshape(6, 1)
targets = np.cos(inputs)


def objective(weights):
    return -logprob(weights, inputs, targets)


def corpus_entry():
    rs = np.random.RandomState(9)
    return objective, (0.5 * rs.randn(num_weights),)
