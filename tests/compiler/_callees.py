"""Functions called by the inlining tests, in a module of their own (its own globals)."""

import numpy as np

SCALE = 10.0
SHIFT = np.array([0.5])


def scaled(x):
    y = x * SCALE
    return y


def softplus(z, beta=1.0, shift=SHIFT):
    return np.log1p(np.exp(beta * z)) / beta + np.sum(shift)
