"""Straight-line NumPy programs used by the oracle and golden tests.

Each entry: (function, argument builder, wrt).  The functions are plain
NumPy written as a user would; the tests run the same source through
srcxform, HIPS autograd (``np`` rebound to ``autograd.numpy``) and central
finite differences.
"""

import math

import numpy as np


def poly(x):
    return np.sum(3 * x ** 3 + 2 * x ** 2 + x)


def tanh_layer(x, W):
    return np.sum(np.tanh(W @ x) ** 2)


def mlp(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


def logistic(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def softmax_xent(W, X, labels_onehot):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    logz = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(labels_onehot * (shifted - logz)) / X.shape[0]


def broadcasting(x, y):
    return np.mean(x * y + np.exp(x) / (1 + y ** 2))


def reductions(x):
    a = np.sum(x, axis=0)
    b = np.mean(x, axis=1, keepdims=True)
    c = x.sum(axis=(0, 1))
    d = np.prod(x[0] + 2.0)
    return np.sum(a ** 2) + np.sum(b * x) + c + d + np.var(x, ddof=1) + np.std(x, axis=0).sum()


def max_min(x, y):
    return np.sum(np.maximum(x, y) - np.minimum(x, 0.5 * y)) + np.max(x) - np.min(y, axis=0).sum()


def unary_zoo(x):
    s = np.sin(x) + np.cos(x) + np.tan(x / 4) + np.arctan(x) + np.sinh(x / 3)
    s = s + np.cosh(x / 3) + np.arcsin(x / 3) + np.arccos(x / 3) + np.sqrt(x * x + 1)
    s = s + np.log1p(x * x) + np.expm1(x / 2) + np.square(x) + np.abs(x) + np.log(x * x + 2)
    return np.sum(s)


def where_clip(x):
    y = np.where(x > 0, x ** 2, -x)
    return np.sum(np.clip(y, 0.1, 2.0) * x)


def power_ops(x, p):
    return np.sum(np.power(x, p) + x ** p + (x + 1.0) ** 2.5) + np.sum(2.0 ** x)


def shapes(x):
    y = x.reshape(3, 4)
    z = np.transpose(y) @ y
    w = np.squeeze(np.expand_dims(z, 0), axis=0)
    return np.sum(w.T * np.arange(16.0).reshape(4, 4)) + np.sum(y.ravel() ** 2)


def joins(a, b):
    c = np.concatenate([a, b, a * b], axis=0)
    s = np.stack([a, b], axis=1)
    return np.sum(c ** 2) + np.sum(s * np.arange(2.0))


def indexing(x):
    a = x[1:, ::2]
    b = x[0]
    c = x[:, -1]
    d = x[..., None][1, 2, 0]
    return np.sum(a ** 2) + np.sum(b[:5] * c) + d * 3.0


def advanced_index(x, idx):
    return np.sum(x[idx] ** 2)


def products(a, b, v):
    return np.sum(np.outer(v, v) @ a) + np.dot(v, v) + np.inner(a[0], b[0]) + np.sum(np.dot(a, b.T))


def norms(x):
    return np.linalg.norm(x) + np.sum(np.linalg.norm(x, axis=1)) + np.linalg.norm(x[0])


def reassign(x):
    y = x * 2
    y = np.sin(y) + y
    y = y * y
    x = x + 1
    return np.sum(y * x)


def scalar_math(a, b):
    c = math.sin(a) * math.exp(b) + math.sqrt(a * a + b * b) + math.log(a + 3.0)
    d = math.tanh(c) + abs(a - b) + max(a, b) * min(a, b) + pow(a, 2)
    return d + float(c) + math.atan2(a, b) + math.erf(a)


def constants_and_globals(x):
    return np.sum(SCALE * x ** 2) + np.pi * np.sum(x) + np.sum(OFFSET * x)


def augmented(x, y):
    s = x * y
    s += x
    s *= 2.0
    s -= y
    s /= 3.0
    s **= 2
    return np.sum(s)


def detached(x):
    y = x ** 2
    return np.sum(y + x ** 3 * 0.0 + np.sign(x) * x)


def tuple_swap(x, y):
    a, b = x * 2.0, y + 1.0
    a, b = b, a
    return np.sum(a * b + a ** 2)


def unused_arg(x, y):
    return np.sum(x ** 2)


def logsumexp_mix(x, y):
    s = np.exp2(x) + np.log2(y * y + 1) + np.log10(y * y + 1)
    return np.sum(np.logaddexp(x, y)) + np.sum(s)


SCALE = 0.5
OFFSET = np.array([1.0, -2.0, 3.0])


def _r(*shape, seed=0, low=None, high=None):
    rng = np.random.default_rng(seed + sum(shape) * 7 + len(shape))
    if low is not None:
        return rng.uniform(low, high, size=shape)
    return rng.normal(size=shape)


CORPUS = [
    (poly, lambda: (_r(7),), 0),
    (tanh_layer, lambda: (_r(3), _r(4, 3)), (0, 1)),
    (mlp, lambda: (_r(5, 6), _r(6), _r(6, 1), _r(1), _r(8, 5), _r(8, 1)), (0, 1, 2, 3)),
    (logistic, lambda: (_r(4), 0.3, _r(10, 4), (_r(10) > 0).astype(float)), (0, 1)),
    (softmax_xent, lambda: (_r(4, 3), _r(6, 4), np.eye(3)[[0, 1, 2, 1, 0, 2]]), 0),
    (broadcasting, lambda: (_r(3, 4), _r(4)), (0, 1)),
    (reductions, lambda: (_r(3, 4, low=0.5, high=1.5),), 0),
    (max_min, lambda: (_r(3, 4), _r(3, 4, seed=1)), (0, 1)),
    (unary_zoo, lambda: (_r(6, low=-1.5, high=1.5),), 0),
    (where_clip, lambda: (_r(8, low=-2, high=2),), 0),
    (power_ops, lambda: (_r(5, low=0.5, high=2.0), _r(5, low=0.5, high=2.0, seed=3)), (0, 1)),
    (shapes, lambda: (_r(12),), 0),
    (joins, lambda: (_r(3), _r(3, seed=2)), (0, 1)),
    (indexing, lambda: (_r(5, 6),), 0),
    (products, lambda: (_r(3, 3), _r(3, 3, seed=4), _r(3)), (0, 1, 2)),
    (norms, lambda: (_r(3, 4),), 0),
    (reassign, lambda: (_r(5),), 0),
    (scalar_math, lambda: (0.7, 0.4), (0, 1)),
    (constants_and_globals, lambda: (_r(3),), 0),
    (augmented, lambda: (_r(4), _r(4, seed=5)), (0, 1)),
    (detached, lambda: (_r(5),), 0),
    (tuple_swap, lambda: (_r(3), _r(3, seed=6)), (0, 1)),
    (unused_arg, lambda: (_r(3), _r(3)), (0, 1)),
    (logsumexp_mix, lambda: (_r(4), _r(4, seed=7)), (0, 1)),
]

#: Programs autograd cannot run as written (it has no rule, or another API).
NOT_FOR_AUTOGRAD = {"advanced_index", "scalar_math"}
