"""A variational autoencoder: nested dict parameters, starred shapes, **kwargs layers."""

import numpy as np

LATENT = 2
BATCH = 3

_rs = np.random.RandomState(13)
train_images = (_rs.rand(6, 4) > 0.5).astype(float)


def init_net_params(scale, layer_sizes, rs):
    return [(scale * rs.randn(m, n), scale * rs.randn(n))
            for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def softplus(x):
    return np.logaddexp(0.0, x)


def dense(inputs, W, b, activation=softplus):
    return activation(np.dot(inputs, W) + b)


def neural_net_predict(params, inputs, **layer_options):
    for W, b in params[:-1]:
        inputs = dense(inputs, W, b, **layer_options)
    W, b = params[-1]
    return np.dot(inputs, W) + b


def nn_predict_gaussian(params, inputs):
    out = neural_net_predict(params, inputs, activation=np.tanh)
    return out[:, :LATENT], out[:, LATENT:]


def sample_diag_gaussian(mean, log_std, rs):
    return rs.randn(*mean.shape) * np.exp(log_std) + mean


def diag_gaussian_log_density(x, mu, log_std):
    return np.sum(-0.5 * ((x - mu) / np.exp(log_std)) ** 2 - log_std
                  - 0.5 * np.log(2 * np.pi), axis=-1)


def bernoulli_log_density(targets, logits):
    signs = 2 * targets - 1
    return -np.sum(np.logaddexp(0.0, -signs * logits), axis=-1)


def vae_lower_bound(params, data, seed):
    rs = np.random.RandomState(seed)
    q_means, q_log_stds = nn_predict_gaussian(params["encoder"], data)
    latents = sample_diag_gaussian(q_means, q_log_stds, rs)
    logits = neural_net_predict(params["decoder"], latents)
    log_prior = diag_gaussian_log_density(latents, 0.0, 0.0)
    log_lik = bernoulli_log_density(data, logits)
    log_q = diag_gaussian_log_density(latents, q_means, q_log_stds)
    return np.mean(log_prior + log_lik - log_q)


def batch_indices(iteration):
    start = (iteration % 2) * BATCH
    return slice(start, start + BATCH)


def objective(params, iteration):
    data = train_images[batch_indices(iteration)]
    return -vae_lower_bound(params, data, iteration)


def corpus_entry():
    rs = np.random.RandomState(14)
    params = {"encoder": init_net_params(0.5, [4, 3, 2 * LATENT], rs),
              "decoder": init_net_params(0.5, [LATENT, 3, 4], rs)}
    return objective, (params, 1)
