"""``sx.hessian`` and ``sx.hvp`` on other libraries: the columns (forward-mode passes over
the generated gradient) run on the arguments' namespace and are assembled there; the
result is that library's array and equals NumPy's Hessian."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.backends.libraries import assert_like_numpy, convert_args, require
from tests.backends.losses import logistic, softmax_xent


def tanh_energy(x, W):
    return np.sum(np.tanh(W @ x) ** 2)


R = np.random.default_rng(5)
CASES = {
    "tanh_energy": (tanh_energy, 0, (R.normal(size=3), R.normal(size=(2, 3)))),
    "logistic": (logistic, 0, (R.normal(size=3), 0.2, R.normal(size=(8, 3)),
                               (R.normal(size=8) > 0).astype(float))),
    "softmax_xent": (softmax_xent, 0, (R.normal(size=(3, 2)), R.normal(size=(6, 3)),
                                       np.eye(2)[[0, 1, 1, 0, 1, 0]])),
}


@pytest.mark.parametrize("library", ["array_api_strict", "torch", "dask"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_hessian_and_hvp(name, library):
    lib = require(library)
    f, wrt, args = CASES[name]
    theirs = convert_args(lib, args)
    assert_like_numpy(sx.hessian(f, wrt=wrt)(*theirs), sx.hessian(f, wrt=wrt)(*args), lib,
                      f"hessian of {name}", rtol=1e-8, atol=1e-10)
    v = np.ones_like(args[wrt])
    tangents = tuple(v if i == wrt else None for i in range(len(args)))
    their_tangents = tuple(None if t is None else lib.convert(t) for t in tangents)
    assert_like_numpy(sx.hvp(f, theirs, their_tangents, wrt=wrt), sx.hvp(f, args, tangents,
                                                                       wrt=wrt),
                      lib, f"hvp of {name}", rtol=1e-8, atol=1e-10)
