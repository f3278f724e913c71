"""A GAN's objective: generator and discriminator, each a list of (W, b) pairs."""

import numpy as np


def init_params(layer_sizes, scale, rs):
    return [(scale * rs.randn(m, n), scale * rs.randn(n))
            for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def neural_net_predict(params, inputs):
    inputs_ = inputs
    for W, b in params[:-1]:
        inputs_ = np.tanh(np.dot(inputs_, W) + b)
    W_out, b_out = params[-1]
    return np.dot(inputs_, W_out) + b_out


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def gan_objective(gen_params, dsc_params, real_data, noise):
    fake_data = neural_net_predict(gen_params, noise)
    logits_real = neural_net_predict(dsc_params, real_data)
    logits_fake = neural_net_predict(dsc_params, fake_data)
    return np.mean(log_sigmoid(logits_real)) + np.mean(log_sigmoid(-logits_fake))


def corpus_entry():
    rs = np.random.RandomState(15)
    gen_params = init_params([2, 3, 2], 0.7, rs)
    dsc_params = init_params([2, 3, 1], 0.7, rs)
    real_data = rs.randn(4, 2) + np.array([1.0, -1.0])
    noise = rs.randn(4, 2)
    return gan_objective, (gen_params, dsc_params, real_data, noise)
