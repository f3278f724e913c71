"""An HMM's forward algorithm in log space over ragged integer sequences."""

import numpy as np
from scipy.special import logsumexp


def normalized_log_params(params):
    log_pi = params["init"] - logsumexp(params["init"])
    log_A = params["trans"] - logsumexp(params["trans"], axis=1, keepdims=True)
    log_B = params["emit"] - logsumexp(params["emit"], axis=1, keepdims=True)
    return log_pi, log_A, log_B


def hmm_log_likelihood(params, observations):
    log_pi, log_A, log_B = normalized_log_params(params)
    log_alpha = log_pi + log_B[:, observations[0]]
    for obs in observations[1:]:
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, obs]
    return logsumexp(log_alpha)


def objective(params, sequences):
    return -sum(hmm_log_likelihood(params, seq) for seq in sequences) / len(sequences)


def corpus_entry():
    rs = np.random.RandomState(16)
    params = {"init": rs.randn(2), "trans": rs.randn(2, 2), "emit": rs.randn(2, 3)}
    sequences = [np.array([0, 2, 1, 1]), np.array([2, 2]), np.array([1, 0, 2])]
    return objective, (params, sequences)
