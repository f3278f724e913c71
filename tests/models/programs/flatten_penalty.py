"""Logistic regression with dict parameters and an L2 penalty on ``sx.flatten(params)``."""

import numpy as np

import srcxform as sx


def predict_logits(params, X):
    return X @ params["w"] + params["b"]


def objective(params, X, y):
    z = predict_logits(params, X)
    nll = np.mean(np.logaddexp(0.0, z) - y * z)
    flat, _ = sx.flatten(params)
    return nll + 0.05 * np.sum(flat ** 2)


def corpus_entry():
    rs = np.random.RandomState(3)
    X = rs.randn(8, 3)
    y = (rs.rand(8) > 0.5).astype(float)
    params = {"w": rs.randn(3), "b": 0.3}
    return objective, (params, X, y)
