"""A radial-basis regression over a list of (input, target) pairs: zip(*pairs) and map."""

import numpy as np


def rbf_features(x, centers, width):
    return np.exp(-np.sum((x - centers) ** 2, axis=1) / width)


def predict(params, x):
    centers, weights = params
    return np.dot(rbf_features(x, centers, 0.8), weights)


def squared_error(prediction, target):
    return (prediction - target) ** 2


def loss(params, pairs):
    inputs, targets = zip(*pairs)
    predictions = [predict(params, x) for x in inputs]
    errors = map(squared_error, predictions, targets)
    return sum(errors) / len(pairs)


def corpus_entry():
    rs = np.random.RandomState(5)
    pairs = [(rs.randn(2), float(rs.randn())) for _ in range(5)]
    params = (rs.randn(3, 2), rs.randn(3))
    return loss, (params, pairs)
