"""Independent component analysis: an unmixing matrix and scales in one vector."""

import numpy as np

D = 2


def unpack(params):
    W = np.reshape(params[:D * D], (D, D))
    log_scales = params[D * D:]
    return W, log_scales


def logistic_log_density(s):
    return -s - 2 * np.logaddexp(0.0, -s)


def ica_log_likelihood(params, X):
    W = unpack(params)[0]
    scales = np.exp(unpack(params)[1])
    sources = np.dot(X, W.T) * scales
    _, logdet = np.linalg.slogdet(W)
    per_point = np.sum(logistic_log_density(sources), axis=1) + logdet + np.sum(np.log(scales))
    return np.mean(per_point)


def objective(params, X):
    return -ica_log_likelihood(params, X)


def corpus_entry():
    rs = np.random.RandomState(17)
    mixing = np.array([[1.0, 0.5], [0.3, 1.2]])
    X = np.dot(rs.logistic(size=(8, D)), mixing.T)
    params = np.array([0.9, -0.3, -0.2, 1.1, 0.1, -0.1])
    return objective, (params, X)
