"""Single precision stays single: float32 arguments on another library give float32
gradients (constants of generated code take the arguments' floating dtype), equal to
NumPy's float32 gradients."""

from __future__ import annotations

import numpy as np
import pytest

import srcxform as sx
from tests.backends.libraries import assert_like_numpy, convert_args, require
from tests.backends.losses import problems


@pytest.mark.parametrize("library", ["array_api_strict", "torch"])
@pytest.mark.parametrize("loss,params,X,y,wrt",
                         [pytest.param(*p, id=p[0].__name__) for p in problems(n=50)])
def test_float32_in_float32_out(library, loss, params, X, y, wrt):
    lib = require(library)
    args = tuple(np.asarray(a, np.float32) if isinstance(a, np.ndarray) else a
                 for a in (*params, X, y))
    df = sx.grad(loss, wrt=wrt)
    want = df(*args)
    got = df(*convert_args(lib, args))
    assert_like_numpy(got, want, lib, loss.__name__, rtol=1e-5, atol=1e-6)
    for g in got if isinstance(got, tuple) else (got,):
        assert str(g.dtype).endswith("float32"), g.dtype
