"""Loops of 64 steps or more on the array API's strict namespace (and torch, Dask).

After this module passes: the gradient of an RNN whose loop has 100 or 200 steps
(not a multiple of the 64-step blocks in which ``compiler/hoist.py`` batches the
input projections, so the last block's ``xs[t:t + 64]`` reaches past the end) runs
on ``array_api_strict`` arrays, returns that library's arrays and equals NumPy's
gradient, which equals central differences; the namespace reads a slice past an
axis's ends as NumPy does (``backends/libraries.clipped``), for every bound and
step tried against NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import srcxform as sx
from srcxform.backends.libraries import clipped
from tests.backends.libraries import assert_like_numpy, convert_args, require
from tests.helpers import finite_difference


def rnn(W, U, xs, h):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h ** 2)


def rnn_args(steps: int) -> tuple:
    rng = np.random.default_rng(steps)
    return (rng.normal(size=(5, 5)) * 0.3, rng.normal(size=(5, 3)) * 0.3,
            rng.normal(size=(steps, 3)), rng.normal(size=5))


@pytest.mark.parametrize("library", ["array_api_strict", "torch", "dask"])
@pytest.mark.parametrize("steps", [100, 200, 63, 64, 128])
def test_rnn_gradient_on_long_loops(steps, library) -> None:
    lib = require(library)
    args = rnn_args(steps)
    grad = sx.grad(rnn, wrt=(0, 1))
    want = grad(*args)
    if "t + 64" not in sx.source(grad) and steps > 64:
        raise AssertionError("the loop is no longer hoisted in blocks: this test needs "
                             "another loop to reach the last block's slice")
    for i in (0, 1):  # NumPy's gradient against central differences
        np.testing.assert_allclose(want[i], finite_difference(rnn, args, i), rtol=1e-5,
                                   atol=1e-7)
    got = grad(*convert_args(lib, args))
    assert_like_numpy(got, want, lib, f"rnn of {steps} steps", rtol=1e-9, atol=1e-12)


SIZES = [0, 1, 5]
BOUNDS = [None, -7, -5, -2, 0, 2, 5, 7]


@pytest.mark.parametrize("n", SIZES)
def test_clipped_slices_read_as_numpy(n) -> None:
    """Every slice of these bounds and steps, clipped, selects what NumPy selects, and
    is one the strict namespace takes."""
    xp = require("array_api_strict").module
    x = np.arange(float(n))
    strict = xp.asarray(x)
    for start, stop, step in itertools.product(BOUNDS, BOUNDS, [None, 1, 2, -1, -3]):
        key = slice(start, stop, step)
        (fixed,) = clipped([key], (n,))
        np.testing.assert_array_equal(x[fixed], x[key], err_msg=str(key))
        np.testing.assert_array_equal(np.asarray(strict[fixed]), x[key], err_msg=str(key))


def test_clipped_finds_each_slice_axis() -> None:
    parts = [slice(0, 9), None, Ellipsis, slice(-9, 2), 1]
    assert clipped(parts, (3, 4, 5, 6)) == [slice(0, 3, 1), None, Ellipsis, slice(0, 2, 1), 1]
    assert clipped([1, slice(2, 99)], (4, 6)) == [1, slice(2, 6, 1)]
    assert clipped([slice(None), 0], (4, 6)) == [slice(None), 0]
