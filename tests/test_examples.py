"""The example scripts run to completion (each checks its own numbers against an oracle)."""

from __future__ import annotations

import pathlib
import runpy

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", ["quickstart.py", "loop_with_break.py", "transforms.py"])
def test_example_runs(name: str, capsys: pytest.CaptureFixture) -> None:
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    assert capsys.readouterr().out.strip()
