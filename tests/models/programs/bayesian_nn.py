"""A Bayesian neural net fit by the reparameterised ELBO (scipy.stats.norm)."""

import numpy as np
from scipy.stats import norm

LAYER_SIZES = [1, 3, 1]
SHAPES = list(zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]))
NUM_WEIGHTS = sum((m + 1) * n for m, n in SHAPES)
NUM_SAMPLES = 4


def unpack_layers(weights):
    """(W, b) per layer, each with a leading sample axis."""
    num_samples = len(weights)
    layers = []
    for m, n in SHAPES:
        layers.append((weights[:, :m * n].reshape((num_samples, m, n)),
                       weights[:, m * n:m * n + n].reshape((num_samples, 1, n))))
        weights = weights[:, (m + 1) * n:]
    return layers


def bnn_predict(weights, inputs):
    inputs = np.expand_dims(inputs, 0)
    for W, b in unpack_layers(weights):
        outputs = np.matmul(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def negative_elbo(params, inputs, targets):
    mean, log_std = params["mean"], params["log_std"]
    rs = np.random.RandomState(0)
    noise = rs.randn(NUM_SAMPLES, *mean.shape)
    weights = mean + noise * np.exp(log_std)
    log_prior = np.sum(norm.logpdf(weights, 0.0, 1.0), axis=1)
    predictions = bnn_predict(weights, inputs)[:, :, 0]
    log_lik = np.sum(norm.logpdf(predictions, targets, 0.3), axis=1)
    entropy = np.sum(log_std) + 0.5 * len(mean) * (1.0 + np.log(2 * np.pi))
    return -(np.mean(log_prior + log_lik) + entropy)


def corpus_entry():
    rs = np.random.RandomState(10)
    inputs = np.linspace(-1, 1, 5).reshape(5, 1)
    targets = np.sin(2 * inputs[:, 0])
    params = {"mean": 0.5 * rs.randn(NUM_WEIGHTS), "log_std": -1.0 + 0.1 * rs.randn(NUM_WEIGHTS)}
    return negative_elbo, (params, inputs, targets)
