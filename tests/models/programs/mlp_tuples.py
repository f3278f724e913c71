"""A small classifier: parameters are a list of (weights, biases) pairs."""

import numpy as np


def init_random_params(scale, layer_sizes, rs):
    """One (weights, biases) pair per layer."""
    return [(scale * rs.randn(n_in, n_out), scale * rs.randn(n_out))
            for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])]


def log_softmax(logits):
    top = np.max(logits, axis=1, keepdims=True)
    return logits - top - np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))


def neural_net_predict(params, inputs):
    """Class log-probabilities; the last layer is linear."""
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return log_softmax(outputs)


def l2_norm(params):
    total = 0.0
    for W, b in params:
        total = total + np.sum(W ** 2) + np.sum(b ** 2)
    return total


def log_posterior(params, inputs, targets, L2_reg):
    log_prior = -L2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return log_prior + log_lik


def objective(params, inputs, targets):
    return -log_posterior(params, inputs, targets, 0.1) / len(inputs)


def corpus_entry():
    rs = np.random.RandomState(0)
    params = init_random_params(0.5, [4, 5, 3], rs)
    inputs = rs.randn(6, 4)
    targets = np.eye(3)[rs.randint(3, size=6)]
    return objective, (params, inputs, targets)
