"""Maximum likelihood for a negative binomial (scipy.special.gammaln)."""

import numpy as np
from scipy.special import gammaln


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def negbin_loglike(r, p, counts):
    return (gammaln(r + counts) - gammaln(counts + 1) - gammaln(r)
            + counts * np.log(p) + r * np.log1p(-p))


def unpack(params):
    return np.exp(params[0]), sigmoid(params[1])


def objective(params, counts):
    r, p = unpack(params)
    return -np.mean(negbin_loglike(r, p, counts))


def corpus_entry():
    counts = np.array([0.0, 3.0, 1.0, 7.0, 2.0, 4.0, 0.0, 5.0])
    return objective, (np.array([0.5, 0.2]), counts)
