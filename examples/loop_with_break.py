"""A loop with ``break``: its gradient, and the generated source.

Run:  python examples/loop_with_break.py
"""

import numpy as np

import srcxform as sx


def weighted_until(x):
    s = 0.0
    for i in range(10):
        s = s + x[i % 3] * (i + 1.0)
        if s > 5.0:
            break
    return s * 2.0


if __name__ == "__main__":
    x = np.array([0.7, 0.4, 0.9])
    dfdx = sx.grad(weighted_until)
    print("gradient:", dfdx(x))
    print(sx.source(dfdx))
