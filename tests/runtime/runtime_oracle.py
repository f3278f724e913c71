"""PyTorch as the oracle of the runtime tests, and helpers to compare against it.

After import, :func:`require_torch` returns the ``torch`` module, or skips the
calling test with the reason when PyTorch is not installed; with the
environment variable ``SRCXFORM_REQUIRE_TORCH=1`` the missing oracle is a
failure instead of a skip.  This is the only place that decides.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np
import pytest

REQUIRE_ENV = "SRCXFORM_REQUIRE_TORCH"
_torch: list[Any] = []


def require_torch() -> Any:
    """The ``torch`` module, else skip (or fail under ``SRCXFORM_REQUIRE_TORCH=1``)."""
    if not _torch:
        try:
            _torch.append(importlib.import_module("torch"))
        except ImportError as exc:
            _torch.append(exc)
    found = _torch[0]
    if isinstance(found, ImportError):
        reason = (f"PyTorch is not installed ({found}); the runtime's oracle comparisons need it "
                  "(pip install torch==2.13.0)")
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def to_numpy(t: Any) -> np.ndarray:
    """The values of a srcxform or torch tensor (or anything array-like) as float64."""
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "numpy"):
        t = t.numpy()
    return np.asarray(t)


def assert_close(ours: Any, theirs: Any, rtol: float = 2e-5, atol: float = 1e-6,
                 what: str = "") -> None:
    """Values equal to float32 precision, shapes equal."""
    a, b = to_numpy(ours), to_numpy(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch's {b.shape}"
    np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol,
                               err_msg=what)
