"""GP evidence with the kernel a function-valued parameter (a default, or passed in)."""

import numpy as np


def rbf(a, b, lengthscale):
    return np.exp(-0.5 * np.sum((a - b) ** 2, axis=-1) / lengthscale ** 2)


def periodic(a, b, lengthscale):
    return np.exp(-2.0 * np.sum(np.sin(np.pi * np.abs(a - b) / 2.0) ** 2, axis=-1)
                  / lengthscale ** 2)


def gram(kernel, A, B):
    return kernel(A[:, None, :], B[None, :, :])


def log_evidence(log_params, X, y, base_kernel=rbf):
    amplitude, lengthscale, noise = np.exp(log_params)
    kernel = lambda a, b: amplitude * base_kernel(a, b, lengthscale)

    def covariance(A):
        return gram(kernel, A, A) + noise * np.eye(len(A))

    K = covariance(X)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(K, y)
    return -0.5 * np.dot(y, alpha) - np.sum(np.log(np.diag(L))) - 0.5 * len(y) * np.log(2 * np.pi)


def data():
    X = np.array([[-1.5], [-0.7], [0.1], [0.6], [1.4]])
    y = np.array([0.4, -0.2, 0.5, 0.9, -0.3])
    return X, y


def corpus_entry():
    X, y = data()
    return log_evidence, (np.array([0.2, -0.4, -1.5]), X, y)


def corpus_entry_periodic():
    X, y = data()
    return log_evidence, (np.array([0.2, -0.4, -1.5]), X, y, periodic)
