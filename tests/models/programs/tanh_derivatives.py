"""Higher derivatives of tanh: grad(grad(grad(f))), straight-line and with a loop."""

import numpy as np

import srcxform as sx


def tanh(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


def tanh_by_doubling(x, k=4):
    """tanh(x) from tanh(x / 2**k), doubling k times."""
    t = np.tanh(x / 2.0 ** k)
    for _ in range(k):
        t = 2.0 * t / (1.0 + t * t)
    return t


def corpus_entry():
    """The second derivative; the corpus differentiates it once more (and twice more)."""
    return sx.grad(sx.grad(tanh)), (0.4,)


def corpus_entry_loop():
    return sx.grad(sx.grad(tanh_by_doubling)), (0.4,)
