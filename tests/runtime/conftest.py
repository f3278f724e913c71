"""Fixtures of the runtime tests: ``torch`` (the oracle) and a fixed seed per test."""

from __future__ import annotations

import pytest
from runtime_oracle import require_torch

import srcxform as sx


@pytest.fixture
def torch():
    """PyTorch, or a skip (a failure under SRCXFORM_REQUIRE_TORCH=1)."""
    return require_torch()


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same random state and the default dtype."""
    sx.manual_seed(0)
    sx.set_default_dtype(sx.float32)
    yield
    sx.set_default_dtype(sx.float32)
