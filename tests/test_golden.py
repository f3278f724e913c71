"""Golden files of generated source: what users read changes only by review.

Regenerate after an intended change with ``SRCXFORM_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` and review the diff of ``tests/golden/``.
"""

from __future__ import annotations

import os
import pathlib

import pytest

import srcxform as sx
from tests.corpus import CORPUS

GOLDEN = pathlib.Path(__file__).parent / "golden"
NAMES = ["poly", "tanh_layer", "mlp", "logistic", "softmax_xent", "broadcasting", "reductions",
         "indexing"]
CASES = {f.__name__: (f, make, wrt) for f, make, wrt in CORPUS}


@pytest.mark.parametrize("name", NAMES)
def test_generated_source_matches_golden(name):
    f, make, wrt = CASES[name]
    df = sx.grad(f, wrt=wrt)
    df(*make())  # specialize on the example's ranks, as users see it after a call
    text = sx.source(df)
    path = GOLDEN / f"{name}.py"
    if os.environ.get("SRCXFORM_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with SRCXFORM_UPDATE_GOLDEN=1"
    assert text == path.read_text()


def test_readable_source_invariants():
    """Every golden output is valid Python with comments and no dead helper calls."""
    for name in NAMES:
        text = (GOLDEN / f"{name}.py").read_text()
        compile(text, name, "exec")
        assert "# grad of:" in text
        assert "None is not None" not in text and "if True" not in text
