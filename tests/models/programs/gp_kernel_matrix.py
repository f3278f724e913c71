"""GP regression with the covariance written from the formula, entry by entry: the training
kernel matrix and the test-by-train cross covariance are nested list comprehensions."""

import numpy as np


def squared_exponential(a, b, log_scale, log_lengthscales):
    d = (a - b) / np.exp(log_lengthscales)
    return np.exp(log_scale) * np.exp(-0.5 * np.sum(d ** 2))


def kernel_matrix(A, B, log_scale, log_lengthscales):
    return np.array([[squared_exponential(a, b, log_scale, log_lengthscales) for b in B]
                     for a in A])


def objective(params, train, y, test, y_test):
    log_scale, log_noise = params[0], params[1]
    log_lengthscales = params[2:]
    K = kernel_matrix(train, train, log_scale, log_lengthscales)
    K = K + (np.exp(log_noise) + 1e-4) * np.eye(len(train))
    alpha = np.linalg.solve(K, y)
    _, logdet = np.linalg.slogdet(K)
    evidence = -0.5 * np.dot(y, alpha) - 0.5 * logdet - 0.5 * len(y) * np.log(2 * np.pi)
    cross = kernel_matrix(test, train, log_scale, log_lengthscales)
    predictions = [np.dot(row, alpha) for row in cross]
    error = sum((p - t) ** 2 for p, t in zip(predictions, y_test))
    return -evidence + error / len(y_test)


def corpus_entry():
    rs = np.random.RandomState(12)
    train = rs.uniform(-2.0, 2.0, size=(6, 2))  # the loops walk the rows: one point each
    y = np.sin(train[:, 0]) + 0.5 * np.cos(train[:, 1]) + 0.05 * rs.randn(6)
    test = rs.uniform(-2.0, 2.0, size=(3, 2))
    y_test = np.sin(test[:, 0]) + 0.5 * np.cos(test[:, 1])
    return objective, (np.array([0.1, -2.0, 0.3, -0.2]), train, y, test, y_test)
