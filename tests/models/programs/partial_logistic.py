"""Logistic regression through functools.partial, the objective itself a partial."""

import functools

import numpy as np


def sigmoid(z):
    return 0.5 * (np.tanh(z / 2.0) + 1.0)


def logistic_predict(weights, inputs):
    return sigmoid(inputs @ weights[:-1] + weights[-1])


def penalized_loss(weights, inputs, targets, l2):
    predict = functools.partial(logistic_predict, weights)
    probs = predict(inputs)
    label_probabilities = probs * targets + (1 - probs) * (1 - targets)
    return -np.sum(np.log(label_probabilities)) + l2 * np.dot(weights, weights)


training_loss = functools.partial(penalized_loss, l2=0.05)


def corpus_entry():
    inputs = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30],
                       [0.74, -2.49, 1.39]])
    targets = np.array([1.0, 1.0, 0.0, 1.0])
    return training_loss, (np.array([0.1, -0.2, 0.3, 0.05]), inputs, targets)
