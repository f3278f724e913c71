"""Programs in a module whose globals are named like builtins (names fuzzer, seed 1003014).

Rules call builtins (``max`` in the gradient of ``np.mean``, ``sum`` in that of
``np.choose``); inlined into code that runs among this module's globals, they must
still call the builtins.
"""

import numpy as np

max = 0.31  # noqa: A001 (the names fuzzer's program, as written)
sum = np.array([1.0, 2.0, 3.0, 4.0])  # noqa: A001
min = np.array([0.5, -0.5])  # noqa: A001


def mean_of_copy(x):
    backward_f = x
    return np.mean(backward_f) * max


def mean_over_rows(X):
    return np.sum(np.mean(X, axis=0) * sum[:3]) + np.std(X)
