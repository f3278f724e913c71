"""Implicit functions by Newton's method, with generated derivatives inside the objective."""

import numpy as np

import srcxform as sx


def inner(r, a):
    """A smooth 1-d objective in r whose minimiser depends on a."""
    return 0.25 * r ** 4 + 0.5 * a * r ** 2 - r


d_inner = sx.grad(inner)
d2_inner = sx.grad(d_inner)


def argmin_by_newton(a, steps=6):
    r = 1.0
    for _ in range(steps):
        r = r - d_inner(r, a) / d2_inner(r, a)
    return r


def objective(a):
    r = argmin_by_newton(a)
    return r ** 2 + np.sin(a) * r


def corpus_entry():
    return objective, (0.7,)
