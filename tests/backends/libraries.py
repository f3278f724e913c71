"""The array libraries the backend tests run on, and helpers to compare with NumPy.

After import, :func:`require` ``(name)`` returns a :class:`Library` —
how to make its arrays from NumPy arrays, how to read them back, what type
its arrays have — or skips the calling test with the reason when the
library (an optional extra: ``pip install 'srcxform[array-api]'`` or
``'srcxform[dask]'``) is not installed.  Under ``SRCXFORM_REQUIRE_BACKENDS=1``
(set in CI) a missing library is a failure instead.  :func:`assert_like_numpy`
compares a result of another library with NumPy's, structure, namespace,
shape and values.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

REQUIRE_ENV = "SRCXFORM_REQUIRE_BACKENDS"
EXTRA = {"array_api_strict": "array-api", "torch": "torch==2.13.0", "dask": "dask",
         "distributed": "dask", "array_api_compat": "array-api"}


@dataclass
class Library:
    """How a test makes and reads arrays of one library."""

    name: str
    module: Any
    convert: Callable[[np.ndarray], Any]
    to_numpy: Callable[[Any], np.ndarray]
    array_type: type


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra = EXTRA.get(module.split(".")[0], module)
        reason = (f"{module} is not installed ({exc}); install it with "
                  f"pip install 'srcxform[{extra}]'" if "==" not in extra else
                  f"{module} is not installed ({exc}); pip install {extra}")
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def require(name: str) -> Library:
    """The library ``name`` (array_api_strict, torch, dask), else skip."""
    _import("array_api_compat")
    if name == "array_api_strict":
        xs = _import("array_api_strict")
        return Library(name, xs, xs.asarray, lambda a: np.asarray(np.from_dlpack(a)),
                       type(xs.asarray(0.0)))
    if name == "torch":
        torch = _import("torch")
        return Library(name, torch, torch.asarray, lambda t: t.detach().cpu().numpy(),
                       torch.Tensor)
    if name == "dask":
        da = _import("dask.array")
        return Library(name, da, lambda a: da.from_array(a, chunks=max(1, len(a) // 3))
                       if a.ndim else da.from_array(a), lambda a: np.asarray(a.compute()),
                       da.Array)
    raise ValueError(name)


def convert_args(lib: Library, args: tuple) -> tuple:
    """NumPy arrays among ``args`` as ``lib``'s arrays (numbers unchanged)."""
    return tuple(lib.convert(a) if isinstance(a, np.ndarray) else a for a in args)


def assert_like_numpy(got: Any, want: Any, lib: Library, what: str, rtol: float = 1e-9,
                      atol: float = 1e-12) -> None:
    """``got`` (another library's) has ``want``'s (NumPy's) structure and values, and
    every array in it is ``lib``'s (a scalar may be a Python number or a 0-d array)."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, type(want)) and len(got) == len(want), \
            f"{what}: got {type(got).__name__} of {len(got) if hasattr(got, '__len__') else '?'}"
        for k, (g, w) in enumerate(zip(got, want)):
            assert_like_numpy(g, w, lib, f"{what}[{k}]", rtol, atol)
        return
    scalar = np.ndim(want) == 0 and not isinstance(want, np.ndarray)
    if isinstance(got, (float, int)) and not isinstance(got, np.generic):
        assert scalar or np.ndim(want) == 0, f"{what}: a Python number for an array result"
        value = np.asarray(got)
    else:
        assert isinstance(got, lib.array_type), \
            f"{what}: a {type(got).__module__}.{type(got).__name__}, not a {lib.name} array"
        value = lib.to_numpy(got)
    assert value.shape == np.shape(want), f"{what}: shape {value.shape} != {np.shape(want)}"
    np.testing.assert_allclose(value.astype(float), np.asarray(want, dtype=float), rtol=rtol,
                               atol=atol, err_msg=what)
