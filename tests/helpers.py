"""Independent oracles for the tests: central finite differences and HIPS autograd."""

from __future__ import annotations

import types

import numpy as np


def finite_difference(f, args, i, eps=1e-6):
    """Central finite differences of scalar ``f`` with respect to ``args[i]`` (float64)."""
    args = list(args)
    x = args[i]
    scalar = np.ndim(x) == 0 and not isinstance(x, np.ndarray)
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        args[i] = float(xp) if scalar else xp
        fp = f(*args)
        args[i] = float(xm) if scalar else xm
        fm = f(*args)
        g[idx] = (float(fp) - float(fm)) / (2 * eps)
    return float(g) if scalar else g


def with_autograd_numpy(f):
    """The same function source with ``np`` rebound to ``autograd.numpy``."""
    import autograd.numpy as anp

    glob = dict(f.__globals__)
    glob["np"] = anp
    return types.FunctionType(f.__code__, glob, f.__name__, f.__defaults__, f.__closure__)


def as_tuple(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)
